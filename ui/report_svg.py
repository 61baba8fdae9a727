"""Figures of the printable HTML report, drawn as inline SVG on the server (no script, no URL).

The report must open offline, print, and be mailed as one file; an inline SVG does all three,
its text is drawn by the reader's own fonts (Chinese included) and it needs no plotting
library on the server. Figures are drawn from data already computed by the pages: the
coverage map from the villages' covered flags, the venues and the boundaries; the chart from
the per-county shares. Every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import geopandas as gpd
import numpy as np
import shapely

#: Width of the map figure in SVG units (pixels at 100 %).
MAP_WIDTH = 760
#: Display simplification of boundaries in the report, degrees (~100 m: invisible at this size).
REPORT_TOLERANCE_DEG = 0.001


@dataclass(frozen=True)
class MapSymbol:
    """One legend row of the report map: fill colour, outline colour, radius, label."""

    fill: str
    stroke: str
    radius: float
    label: str


@dataclass(frozen=True)
class _Frame:
    """Lon/lat -> SVG coordinates (equirectangular, shrunk by cos(latitude) in x)."""

    west: float
    north: float
    scale: float
    kx: float

    def xy(self, coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - self.west) * self.kx * self.scale
        y = (self.north - coords[:, 1]) * self.scale
        return np.column_stack([x, y])


def _frame(bounds: Sequence[float], width: float) -> tuple[_Frame, float]:
    west, south, east, north = (float(v) for v in bounds)
    kx = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * kx, 1e-9)
    scale = width / span_x
    return _Frame(west, north, scale, kx), (north - south) * scale


def _ring_path(ring: shapely.LinearRing, frame: _Frame) -> str:
    pts = frame.xy(np.asarray(ring.coords))
    body = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    return f"M{body}Z"


def _polygon_paths(geoms: gpd.GeoSeries, frame: _Frame) -> list[str]:
    """Return one SVG path ``d`` per feature (holes kept with evenodd filling)."""
    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        polygons = getattr(geom, "geoms", [geom])
        rings = []
        for poly in polygons:
            if poly.geom_type != "Polygon":
                continue
            rings.append(_ring_path(poly.exterior, frame))
            rings += [_ring_path(hole, frame) for hole in poly.interiors]
        out.append("".join(rings))
    return out


def _points(gdf: gpd.GeoDataFrame, frame: _Frame) -> np.ndarray:
    pts = gdf.geometry.representative_point()
    coords = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    return frame.xy(coords)


def coverage_map_svg(
    counties: gpd.GeoDataFrame,
    townships: gpd.GeoDataFrame,
    layers: Sequence[tuple[gpd.GeoDataFrame, MapSymbol]],
    *,
    title: str,
    width: int = MAP_WIDTH,
) -> str:
    """Return the report's coverage map as an inline ``<svg>`` element.

    Parameters
    ----------
    counties, townships
        Boundary polygons in EPSG:4326 (counties drawn bold, townships thin).
    layers
        Point layers drawn in order, each with its symbol (e.g. covered villages, uncovered
        villages, venues); each symbol gets one legend row.
    title
        Accessible title of the figure (escaped).
    width
        Figure width; the height follows the area's shape.
    """
    counties = counties.to_crs("EPSG:4326")
    townships = townships.to_crs("EPSG:4326")
    frame, height = _frame(counties.total_bounds, width - 20)
    simple = {
        name: shapely.simplify(np.asarray(gdf.geometry), REPORT_TOLERANCE_DEG)
        for name, gdf in (("counties", counties), ("townships", townships))
    }
    parts = [
        f'<path d="{d}" fill="#f7f6f2" stroke="#9a9a9a" stroke-width="0.6" '
        f'stroke-dasharray="3 2" fill-rule="evenodd"/>'
        for d in _polygon_paths(gpd.GeoSeries(simple["townships"]), frame)
    ]
    parts += [
        f'<path d="{d}" fill="none" stroke="#333" stroke-width="1.4" fill-rule="evenodd"/>'
        for d in _polygon_paths(gpd.GeoSeries(simple["counties"]), frame)
    ]
    for gdf, symbol in layers:
        if gdf.empty:
            continue
        parts += [
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{symbol.radius}" fill="{escape(symbol.fill)}" '
            f'stroke="{escape(symbol.stroke)}" stroke-width="0.8"/>'
            for x, y in _points(gdf.to_crs("EPSG:4326"), frame)
        ]
    legend_y = height + 24
    legend = []
    for i, (_, symbol) in enumerate(layers):
        x = 14 + (i % 3) * 245
        y = legend_y + (i // 3) * 20
        legend.append(
            f'<circle cx="{x}" cy="{y - 4}" r="5" fill="{escape(symbol.fill)}" '
            f'stroke="{escape(symbol.stroke)}" stroke-width="0.8"/>'
            f'<text x="{x + 10}" y="{y}" font-size="12">{escape(symbol.label)}</text>'
        )
    total_h = legend_y + 20 * math.ceil(len(layers) / 3) + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{total_h:.0f}" viewBox="-10 -10 {width} {total_h:.0f}" class="figure">'
        f"<title>{escape(title)}</title>{''.join(parts)}{''.join(legend)}</svg>"
    )


def bar_chart_svg(
    labels: Sequence[str],
    shares: Sequence[float],
    *,
    title: str,
    value_labels: Sequence[str],
    color: str = "#b22222",
    width: int = 560,
) -> str:
    """Return a horizontal bar chart of ``shares`` (0..1) per label as an inline ``<svg>``."""
    bar_h, gap, left, right = 20, 8, 150, 70
    plot_w = width - left - right
    rows = []
    for i, (label, share, text) in enumerate(zip(labels, shares, value_labels, strict=True)):
        y = 4 + i * (bar_h + gap)
        value = 0.0 if share is None or not np.isfinite(share) else min(max(share, 0.0), 1.0)
        rows.append(
            f'<text x="{left - 8}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{escape(str(label))}</text>"
            f'<rect x="{left}" y="{y}" width="{plot_w}" height="{bar_h}" fill="#eee"/>'
            f'<rect x="{left}" y="{y}" width="{value * plot_w:.1f}" height="{bar_h}" '
            f'fill="{escape(color)}"/>'
            f'<text x="{left + plot_w + 6}" y="{y + 14}" font-size="12">{escape(text)}</text>'
        )
    height = 4 + len(labels) * (bar_h + gap) + 4
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="figure"><title>{escape(title)}</title>'
        f"{''.join(rows)}</svg>"
    )
