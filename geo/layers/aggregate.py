"""The venue-cell layer: venue counts per H3 hexagon, drawn instead of markers when many.

Cells come from `analysis.aggregate.venue_cells`. They are shaded by venue count, half
transparent and drawn below the boundaries, so county and township lines and the gap
hexagons stay visible at every zoom. A cell holding any venue with an illustrative position
gets a dashed outline and says so in its tooltip. Cells travel in the compact form of
`geo.layers._cellgrid` (integer coordinates, counts; tooltips written in the browser).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import folium
import geopandas as gpd
import h3
import numpy as np

from geo.layers._cellgrid import CellGrid, CellSet
from geo.layers._html import esc, fmt_int, tr

#: CSS class on every venue cell (SVG maps; a large register's map draws on a canvas).
CELL_CLASS = "vm-venue-cell"
#: A finer resolution shows once its hexagons' edge spans this many pixels.
MIN_EDGE_PX = 8.0
#: Highest zoom of the map (geo.layers.map sets maxZoom 18).
MAX_ZOOM = 18


@dataclass(frozen=True)
class CellStyle:
    """How venue cells are classed by count and coloured (light to dark blue-green)."""

    breaks: tuple[float, ...] = (5.0, 20.0, 100.0)
    colors: tuple[str, ...] = ("#ccece6", "#66c2a4", "#238b45", "#00441b")
    fill_opacity: float = 0.35
    weight: float = 0.5

    def class_of(self, counts: np.ndarray) -> np.ndarray:
        """Return the class index (0..len(breaks)) of each count."""
        return np.digitize(np.asarray(counts, dtype=float), np.asarray(self.breaks, dtype=float))

    def class_labels(self, lang: str) -> list[str]:
        """Return a label per class, e.g. ``< 5``, ``5–20``, ``≥ 100`` venues."""
        edges = [fmt_int(b, lang) for b in self.breaks]
        texts = [f"< {edges[0]}", *(f"{a}–{b}" for a, b in zip(edges, edges[1:], strict=False)),
                 f"≥ {edges[-1]}"]  # fmt: skip
        return [tr("map.cells.count", lang, n=text) for text in texts]


def _styles(style: CellStyle) -> list[dict]:
    """Solid outline for each class, then the same classes dashed (illustrative venues)."""
    solid = [{"color": c, "weight": style.weight, "fillColor": c,
              "fillOpacity": style.fill_opacity, "className": CELL_CLASS}
             for c in style.colors]  # fmt: skip
    dashed = [{**s, "color": "#555555", "dashArray": "3 3"} for s in solid]
    return solid + dashed


def _tooltip_text(lang: str) -> dict:
    """Return the escaped pieces the browser writes each cell's tooltip from.

    A tooltip reads 'N venues · township x · village y [· k illustrative]' (levels without
    venues left out); only numbers are filled in, in the browser.
    """
    return {
        "count": esc(tr("map.cells.count", lang, n="{n}")),
        "levels": [esc(tr(f"map.cells.level{level}", lang)) for level in (1, 2, 3, 4)],
        "illustrative": esc(tr("map.cells.illustrative", lang, n="{n}")),
    }


def switch_zoom(edge_m: float, lat_deg: float, min_edge_px: float = MIN_EDGE_PX) -> int:
    """Return the first zoom at which a hexagon edge of ``edge_m`` spans ``min_edge_px`` pixels.

    Web Mercator: a pixel is 156,543 m x cos(latitude) / 2^zoom on the ground.
    """
    metres_per_px_z0 = 156_543.03 * math.cos(math.radians(lat_deg))
    return max(0, math.ceil(math.log2(min_edge_px * metres_per_px_z0 / edge_m)))


def _zoom_ranges(resolutions: list[int], lat_deg: float) -> list[tuple[int, int]]:
    """Return the (first, last) zoom of each resolution, finest first: coarser ones below."""
    ranges, top = [], MAX_ZOOM
    for res in resolutions:
        first = 0 if res == resolutions[-1] else switch_zoom(
            h3.average_hexagon_edge_length(res, "m"), lat_deg)  # fmt: skip
        ranges.append((min(first, top), top))
        top = min(first, top) - 1
    return ranges


def venue_cell_layer(
    cells: gpd.GeoDataFrame,
    *,
    style: CellStyle = CellStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return venue-count hexagons as a layer, one resolution per zoom range.

    ``cells`` is the output of `analysis.aggregate.venue_cells` or ``venue_cell_levels``
    (several resolutions): each finer resolution shows from the zoom where its edge spans
    ``MIN_EDGE_PX`` pixels, the coarser one below it.
    """
    group = folium.FeatureGroup(name=tr("map.layer.venue_cells", lang), show=show)
    if cells.empty:
        return group
    resolutions = sorted({int(r) for r in cells["resolution"]}, reverse=True)
    lat_deg = float(np.mean(cells.total_bounds[[1, 3]]))  # the middle of the cells (degrees)
    sets = []
    for res, zooms in zip(resolutions, _zoom_ranges(resolutions, lat_deg), strict=True):
        part = cells[cells["resolution"] == res]
        classes = style.class_of(part["venues"].to_numpy())
        dashed = (part["illustrative"].to_numpy() > 0) * len(style.colors)
        counts = part[["venues", "level1", "level2", "level3", "level4", "illustrative"]]
        rows = np.column_stack([classes + dashed, counts.to_numpy(np.int64)]).tolist()
        sets.append(CellSet(part.geometry.to_numpy(), rows, zooms))
    CellGrid(sets, _styles(style), _tooltip_text(lang)).add_to(group)
    return group
