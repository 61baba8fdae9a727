"""Use cases about the region: which one is active, list them, switch a store to one.

One function answers "which region": :func:`active_region` (``$VENUEMAP_REGION``, else the
region the store remembers, else the default region). The CLI and the pages ask it and nothing
else; the store keeps its region behind :func:`geo.regions.get_region` /
:func:`geo.regions.set_region`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geo import regions
from geo.errors import InputError
from geo.regions import Region
from geo.store import open_store

__all__ = ["Region", "RegionVenues", "active_region", "region_rows", "use_region", "venues_for"]


def active_region(store: str | os.PathLike[str] | None = None) -> Region:
    """Return the active region of ``store`` (a path; None = the default store)."""
    return regions.active_region(store)


def region_rows(active: Region | None = None) -> list[dict[str, object]]:
    """Return one plain row per region: code, name, province, level, layers, CRS, flags."""
    rows = []
    for region in regions.list_regions():
        rows.append({
            "code": region.code, "name": region.name, "province": region.province,
            "level": region.level, "layers": list(region.layers),
            "metric_crs": region.metric_crs, "default": region.default,
            "active": active is not None and region.code == active.code,
        })  # fmt: skip
    return rows


def use_region(code: str, store: str | os.PathLike[str] | None = None) -> Region:
    """Make the store remember region ``code``; refuse when its venues lie elsewhere.

    Raises
    ------
    InputError
        Unknown region (with suggestions), or the store already holds venues none of which
        lies in the new region (use another store with ``--store``).
    """
    region = regions.find_region(code)
    opened = open_store(store)
    venues = opened.venues()
    if len(venues) and not _any_inside(venues, region):
        zh, en = region.messages_name()
        raise InputError(
            f"该数据库的 {len(venues)} 个阵地都不在{zh}内 / the store {opened.path} holds "
            f"{len(venues)} venues, none inside {en}: use a new store for this region "
            "(--store PATH or VENUEMAP_STORE)"
        )
    regions.set_region(opened, region.code)
    return region


def _any_inside(venues: gpd.GeoDataFrame, region: Region) -> bool:
    outline = regions.region_layer(region, "prefecture").geometry.iloc[0]
    points = venues.to_crs("EPSG:4326").geometry.values
    return bool(shapely.intersects(outline, points).any())


@dataclass(frozen=True)
class RegionVenues:
    """The venues an analysis starts from, and whether they are the demo register."""

    venues: gpd.GeoDataFrame
    demo: bool
    region: Region


def venues_for(store: str | os.PathLike[str] | None = None) -> RegionVenues:
    """Return the store's venues, else the region's demo register; say so when there is neither.

    Raises
    ------
    InputError
        The store holds no venues and the active region has no demo register (only the
        default region has one): the message names the region and how to import venues.
    """
    from geo.register import load_venues_and_origin

    region = active_region(store)
    venues, demo = load_venues_and_origin(store)
    if venues.empty and not region.has_demo:
        zh, en = region.messages_name()
        raise InputError(
            f"{zh}没有内置示范阵地名录，数据库中也没有阵地 / {en} has no demo register and the "
            "store holds no venues: import yours with `venuemap import FILE` or pass --venues F"
        )
    return RegionVenues(venues, demo, region)
