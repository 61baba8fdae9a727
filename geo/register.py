"""Which venues the app shows: the user's own when they have any, else the bundled demo."""

from __future__ import annotations

import os

import geopandas as gpd

from geo.boundaries import load_layer
from geo.store import USER_REFERENCE_LAYERS, conform_register, open_store


def load_venues(store_path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Return the user's venues if their store holds any, else the demo register.

    A user's own files always replace ours: once one venue is imported, the demo register is
    no longer mixed in.
    """
    store = open_store(store_path)
    venues = store.venues()
    if len(venues):
        return venues
    return conform_register(load_layer("venues_demo"))


def uses_demo_venues(store_path: str | os.PathLike[str] | None = None) -> bool:
    """Return True when :func:`load_venues` falls back to the demo register."""
    return len(open_store(store_path).venues()) == 0


def load_reference(name: str, store_path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Return reference layer ``name``, the user's version (townships, villages) if stored."""
    if name in USER_REFERENCE_LAYERS:
        user_layer = open_store(store_path).layer(name)
        if user_layer is not None and len(user_layer):
            return user_layer
    return load_layer(name)
