"""Coordinates of an imported file: cells or geometries -> raw points -> WGS84 lon/lat.

A planner's coordinates arrive as decimal or degrees-minutes-seconds text (full-width digits
too), or as point geometries of a spatial file, in WGS84, CGCS2000, GCJ-02 (Amap), BD-09
(Baidu) or a projected CRS. :func:`read_points` reads them without judging the CRS,
:func:`resolve_choice` applies the ``--crs`` rule of :mod:`geo.crs` and :func:`convert` turns
them into WGS84; a cell that is not a coordinate becomes an :class:`~geo.importer.report.Issue`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyproj import CRS

from geo import crs as crs_mod
from geo.errors import CRSError
from geo.importer.headers import Columns
from geo.importer.readers import RawTable
from geo.importer.report import Issue, msg

_DMS = re.compile(
    r"^(?P<d>\d+(?:\.\d+)?)\s*[°度]\s*(?:(?P<m>\d+(?:\.\d+)?)\s*['′分])?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:\"|″|''|秒))?\s*(?P<h>[NSEW东西南北])?$",
    re.IGNORECASE,
)


def parse_number(text: str) -> float | None:
    """Parse a coordinate cell: decimal (full-width digits accepted) or degrees-minutes-seconds.

    ``'102.0153'``, ``'１０２．０１５３'``, ``'102.0153°E'``, ``'102°0′55″'`` all parse;
    returns None for anything else.
    """
    text = unicodedata.normalize("NFKC", text).strip().replace("，", ".")
    try:
        # float() also takes Python's digit separators ("1_02.0114" -> 102.0114): refuse them
        value = float(text) if "_" not in text else float("nan")
    except ValueError:
        match = _DMS.match(text)
        if match is None:
            return None
        value = float(match["d"]) + float(match["m"] or 0) / 60 + float(match["s"] or 0) / 3600
        if (match["h"] or "").upper() in ("S", "W", "南", "西"):
            value = -value
    return value if math.isfinite(value) else None


@dataclass
class RawPoints:
    """Per-row source coordinates (NaN where unusable) and the problems found reading them."""

    x: np.ndarray
    y: np.ndarray
    issues: dict[int, list[Issue]]
    column: str
    value: list[str]


def read_points(table: RawTable, columns: Columns) -> RawPoints:
    """Read the rows' points: the file's geometries when it has any, else its lon/lat columns."""
    if table.geometry is not None:
        return points_from_geometry(table)
    return points_from_columns(table, columns)


def points_from_columns(table: RawTable, columns: Columns) -> RawPoints:
    """Read lon/lat cells; blank and non-numeric cells become issues."""
    frame = table.frame
    lon_col, lat_col = columns.get("lon"), columns.get("lat")
    xs, ys, issues, values = [], [], {}, []
    for row, lon_text, lat_text in zip(frame.index, frame[lon_col], frame[lat_col], strict=True):
        x, lon_issue = _coordinate_cell(row, lon_col, lon_text, "经度 longitude")
        y, lat_issue = _coordinate_cell(row, lat_col, lat_text, "纬度 latitude")
        xs.append(x)
        ys.append(y)
        values.append(f"{lon_text}, {lat_text}")
        found = [issue for issue in (lon_issue, lat_issue) if issue is not None]
        if found:
            issues[row] = found
    column = f"{lon_col}/{lat_col}"
    return RawPoints(np.array(xs, float), np.array(ys, float), issues, column, values)


def _coordinate_cell(row: int, column: str, text: str, what: str) -> tuple[float, Issue | None]:
    """Parse one lon or lat cell; return (value or NaN, the issue when it is not a number)."""
    value = parse_number(text)
    if value is None:
        return np.nan, Issue(row, column, text, _bad_number(text, what))
    return value, None


def _bad_number(text: str, what: str) -> str:
    """Say why a coordinate cell is unusable; ``what`` is ``'经度 longitude'`` or the lat twin."""
    zh, en = what.split(" ")
    if not text:
        return msg(f"{zh}为空", f"{en} is empty: enter decimal degrees, e.g. 102.0153")
    return msg(
        f"{zh}“{text}”不是数字",
        f"{en} {text!r} is not a number: expected decimal degrees such as 102.0153 (or 102°0′55″)",
    )


def points_from_geometry(table: RawTable) -> RawPoints:
    """Read point geometries; non-point, empty or NaN geometries become issues."""
    xs, ys, issues, values = [], [], {}, []
    for row, geom in table.geometry.items():
        point, problem = _single_point(geom)
        values.append("" if geom is None else geom.wkt[:80])
        if problem:
            issues[row] = [Issue(row, "geometry", values[-1], problem)]
        xs.append(point[0])
        ys.append(point[1])
    return RawPoints(np.array(xs, float), np.array(ys, float), issues, "geometry", values)


def _single_point(geom: Any) -> tuple[tuple[float, float], str | None]:
    """Return ((x, y), None) for a usable point geometry, else ((NaN, NaN), the problem)."""
    nan = (np.nan, np.nan)
    if geom is None or geom.is_empty:
        return nan, msg("几何为空", "geometry is empty: give the venue a point location")
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != "Point":
        return nan, msg(
            f"几何类型为 {geom.geom_type}，应为点",
            f"geometry is a {geom.geom_type}: a venue must be a single Point; "
            "replace it with the venue's location",
        )
    if not (math.isfinite(geom.x) and math.isfinite(geom.y)):
        return nan, msg("坐标含 NaN", "geometry has NaN/infinite coordinates")
    return (geom.x, geom.y), None


def resolve_choice(
    choice: crs_mod.CrsChoice,
    table: RawTable,
    raw: RawPoints,
    columns: Columns,
    zone_hint: str | None = None,
) -> tuple[crs_mod.CrsChoice, str | None]:
    """Return the CRS to use and the warning the auto rule gives (None when nothing to say).

    ``zone_hint`` (e.g. the active region's Gauss-Krüger zone) is added to the error raised
    for projected metres without a stated CRS.
    """
    if choice.kind != "auto":
        return choice, None
    headers = [c for c in (columns.get("lon"), columns.get("lat")) if c]
    ok = np.isfinite(raw.x) & np.isfinite(raw.y)
    try:
        return crs_mod.resolve_auto(raw.x[ok], raw.y[ok], file_crs=table.crs, columns=headers)
    except CRSError as error:
        if zone_hint is None:
            raise
        raise CRSError(f"{error}; {zone_hint}") from None


def convert(raw: RawPoints, choice: crs_mod.CrsChoice) -> tuple[np.ndarray, np.ndarray]:
    """Convert the raw points to WGS84 lon/lat; degree values out of range become NaN."""
    x, y = raw.x.copy(), raw.y.copy()
    if choice.kind in ("wgs84", "gcj02", "bd09") or (
        choice.code is not None and CRS.from_epsg(choice.code).is_geographic
    ):
        bad = ~((np.abs(x) <= 180) & (np.abs(y) <= 90))
        x[bad], y[bad] = np.nan, np.nan
    ok = np.isfinite(x) & np.isfinite(y)
    lon, lat = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if ok.any():
        lon[ok], lat[ok] = crs_mod.to_wgs84(x[ok], y[ok], choice)
    return lon, lat
