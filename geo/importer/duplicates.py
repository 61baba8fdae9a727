"""Duplicate venues: a repeated id, or the same name within 50 m, in the store or the file.

A planner who imports the same spreadsheet twice, or lists a venue twice, must see it rather
than find the register silently doubled. :class:`Seen` remembers the ids and named points
already taken (the store's first, then each earlier row's); :func:`check_duplicates` rejects a
row that repeats one and then remembers the row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import pandas as pd
from pyproj import Geod

from geo.importer.reference import name_key
from geo.importer.report import msg
from geo.importer.rows import RowCheck
from geo.importer.values import stable_id
from geo.schema import STORAGE_CRS

#: Two venues with the same name closer than this are one venue imported twice.
DUPLICATE_RADIUS_M = 50.0
GEOD = Geod(ellps="WGS84")
#: Where an id or a named point was first seen: the store's (Chinese, English) label, or the
#: file's row number (its label is made only for a message: 500,000 rows need none).
Label = tuple[str, str] | int
#: Grid cell height in degrees of latitude (~55.6 m, more than DUPLICATE_RADIUS_M).
CELL_DEG = 0.0005


@dataclass
class NamedPoints:
    """Named points bucketed by name and a ~55 m grid, so a look-up scans only 9 cells.

    A cell's longitude width is widened by the cosine of the most poleward latitude of its
    band and the two bands beside it, so every point within 50 m of a query lies in the 3 x 3
    cells around it (longitudes are not wrapped at ±180°). Points keep their insertion order:
    :meth:`first_within` returns the earliest one within ``radius_m``, as a scan of the list
    of all same-name points in that order would.
    """

    cells: dict[tuple[str, int, int], list[tuple[int, float, float, Label]]] = field(
        default_factory=dict
    )
    count: int = 0

    @staticmethod
    @lru_cache(maxsize=65_536)
    def _width(band: int) -> float:
        """Longitude width (degrees) of the cells of latitude band ``band`` (pure: remembered)."""
        edge = max(abs(band - 1), abs(band + 2)) * CELL_DEG
        return CELL_DEG / max(math.cos(math.radians(min(edge, 89.9))), 1e-3)

    def add(self, key: str, lon: float, lat: float, label: Label) -> None:
        """Remember a named point (after every earlier one)."""
        band = math.floor(lat / CELL_DEG)
        cell = math.floor(lon / self._width(band))
        self.cells.setdefault((key, band, cell), []).append((self.count, lon, lat, label))
        self.count += 1

    def first_within(
        self, key: str, lon: float, lat: float, radius_m: float
    ) -> tuple[float, Label] | None:
        """Return (distance_m, label) of the earliest point named ``key`` within ``radius_m``."""
        band = math.floor(lat / CELL_DEG)
        found: tuple[int, float, Label] | None = None
        for near_band in (band - 1, band, band + 1):
            width = self._width(near_band)
            cell = math.floor(lon / width)
            for near_cell in (cell - 1, cell, cell + 1):
                for order, x, y, label in self.cells.get((key, near_band, near_cell), ()):
                    if found is not None and order > found[0]:
                        break
                    distance_m = float(GEOD.inv(x, y, lon, lat)[2])
                    if distance_m <= radius_m:
                        found = (order, distance_m, label)
                        break
        return None if found is None else (found[1], found[2])


@dataclass
class Seen:
    """Ids and named points already taken: the store's, then each earlier row's."""

    ids: dict[str, Label] = field(default_factory=dict)
    names: NamedPoints = field(default_factory=NamedPoints)

    @classmethod
    def from_existing(cls, existing: gpd.GeoDataFrame | None) -> Seen:
        """Index the stored register (EPSG:4326) by id and by name."""
        seen = cls()
        if existing is None or existing.empty:
            return seen
        existing = existing.to_crs(STORAGE_CRS) if existing.crs else existing
        rows = zip(existing["id"], existing["name"], existing.geometry, strict=True)
        for vid, name, geom in rows:
            label = (f"库中已有阵地（编号 {vid}）", f"the store (id {vid})")
            if vid is not None and not pd.isna(vid):
                seen.ids[str(vid)] = label
            if name and geom is not None and not geom.is_empty:
                seen.names.add(name_key(name), geom.x, geom.y, label)
        return seen


def check_duplicates(check: RowCheck, seen: Seen) -> None:
    """Reject a repeated id and the same name within 50 m; then remember this row."""
    _, stated = check.cell("id")
    rec = check.record
    located = "lon" in rec
    vid = stated or (stable_id(rec["name"], rec["lon"], rec["lat"]) if located else "")
    rec["id"] = vid
    if vid and vid in seen.ids:
        zh, where = _label(seen.ids[vid])
        check.error("id", vid, msg(
            f"编号“{vid}”重复（已见于{zh}）", f"duplicate id {vid!r}: already used by {where}; "
            "give a new id or leave the cell empty to generate one",
        ))  # fmt: skip
    if located and rec["name"]:
        _check_same_name(check, seen)
    if vid:
        seen.ids.setdefault(vid, check.row)


def _check_same_name(check: RowCheck, seen: Seen) -> None:
    """Reject the row when a venue of the same name lies within 50 m; then remember its point."""
    rec = check.record
    key = name_key(rec["name"])
    near = seen.names.first_within(key, rec["lon"], rec["lat"], DUPLICATE_RADIUS_M)
    if near is not None:
        distance_m, label = near
        zh, where = _label(label)
        check.error("name", rec["name"], msg(
            f"与{zh}同名且相距 {distance_m:.0f} 米，疑似重复",
            f"duplicate: {rec['name']!r} is {distance_m:.0f} m from the same name in "
            f"{where} (within {DUPLICATE_RADIUS_M:.0f} m); remove this row or correct it",
        ))  # fmt: skip
    seen.names.add(key, rec["lon"], rec["lat"], check.row)


def _label(label: Label) -> tuple[str, str]:
    """Return how a message names where a duplicate was first seen: (Chinese, English)."""
    return _row_label(label) if isinstance(label, int) else label


def _row_label(row: int) -> tuple[str, str]:
    """Return how a message names an earlier row of the file: (Chinese, English)."""
    return f"第 {row} 行", f"row {row}"
