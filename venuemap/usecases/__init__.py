"""The use-case layer (see venuemap/usecases/access.py and its siblings)."""
