"""Which venues and reference layers the app shows, for the store's active region.

The user's own venues when the store holds any, else the bundled demo register — but only for
a region that has one (the default region): another region's store starts empty, never with
the default region's demo venues. Reference layers are the user's own (townships, villages)
when stored, else the active region pack's (:mod:`geo.regions`); a region without village
points gets the labelled stand-in demand of :mod:`geo.demand`.
"""

from __future__ import annotations

import os

import geopandas as gpd

from geo.demand import fallback_demand
from geo.regions import Region, active_region, region_layer
from geo.store import USER_REFERENCE_LAYERS, conform_register, empty_register, open_store


def load_venues(store_path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Return the user's venues if their store holds any, else the region's demo register.

    A user's own files always replace ours: once one venue is imported, the demo register is
    no longer mixed in. A region without a demo register gives an empty register.
    """
    return load_venues_and_origin(store_path)[0]


def load_venues_and_origin(
    store_path: str | os.PathLike[str] | None = None,
) -> tuple[gpd.GeoDataFrame, bool]:
    """Return :func:`load_venues` and whether it is the demo register, reading the store once.

    (:func:`uses_demo_venues` alone reads the whole register again: 500,000 venues.)
    """
    venues = open_store(store_path).venues()
    if len(venues):
        return venues, False
    region = active_region(store_path)
    if not region.has_demo:
        return empty_register(), False
    return conform_register(region_layer(region, "venues_demo")), True


def uses_demo_venues(store_path: str | os.PathLike[str] | None = None) -> bool:
    """Return True when :func:`load_venues` falls back to the demo register."""
    if len(open_store(store_path).venues()):
        return False
    return active_region(store_path).has_demo


def load_reference(
    name: str,
    store_path: str | os.PathLike[str] | None = None,
    *,
    fallback: bool = True,
) -> gpd.GeoDataFrame:
    """Return reference layer ``name``: the user's (townships, villages) if stored, else the pack's.

    For ``villages`` of a region without village points, ``fallback=True`` returns the stand-in
    demand (:func:`geo.demand.fallback_demand`, labelled illustrative); ``fallback=False``
    returns the empty layer (what an import updates). Other missing layers are empty.
    """
    if name in USER_REFERENCE_LAYERS:
        user_layer = open_store(store_path).layer(name)
        if user_layer is not None and len(user_layer):
            return user_layer
    return region_reference(active_region(store_path), name, fallback=fallback)


def region_reference(region: Region, name: str, *, fallback: bool = True) -> gpd.GeoDataFrame:
    """Return the pack's layer ``name``; empty villages become the stand-in demand if asked."""
    layer = region_layer(region, name)
    if layer.empty and name == "villages" and fallback:
        return stand_in_demand(region)
    return layer


def stand_in_demand(region: Region) -> gpd.GeoDataFrame:
    """Return the region's stand-in demand points (township seats, else an H3 grid)."""
    return fallback_demand(region_layer(region, "counties"), region_layer(region, "township_seats"))
