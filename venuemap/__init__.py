"""venuemap: map a network of public service venues, its coverage, its gaps and where to build next."""

__version__ = "0.1.0"
