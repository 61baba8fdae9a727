"""Dashboard helpers: bilingual labels, cached loaders, shared page furniture and offline assets."""
