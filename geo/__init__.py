"""Places and files: CRS (incl. GCJ-02/BD-09), reading, writing, reference data and the store."""
