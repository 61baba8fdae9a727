"""venuemap: map public service venues, their coverage, their gaps and where to build next."""

__version__ = "0.1.0"
