"""The venue-cell layer: venue counts per H3 hexagon, drawn instead of markers when many.

Cells come from `analysis.aggregate.venue_cells`. They are shaded by venue count, half
transparent and drawn below the boundaries, so county and township lines and the gap
hexagons stay visible at every zoom. A cell holding any venue with an illustrative position
gets a dashed outline and says so in its tooltip. Cells travel in the compact form of
`geo.layers._cellgrid` (integer coordinates, counts; tooltips written in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np

from geo.layers._cellgrid import CellGrid
from geo.layers._html import esc, fmt_int, tr

#: CSS class on every venue cell (browser tests count ``path.vm-venue-cell``).
CELL_CLASS = "vm-venue-cell"


@dataclass(frozen=True)
class CellStyle:
    """How venue cells are classed by count and coloured (light to dark blue-green)."""

    breaks: tuple[float, ...] = (5.0, 20.0, 100.0)
    colors: tuple[str, ...] = ("#ccece6", "#66c2a4", "#238b45", "#00441b")
    fill_opacity: float = 0.5

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
    solid = [{"color": c, "weight": 0.8, "fillColor": c, "fillOpacity": style.fill_opacity,
              "className": CELL_CLASS} for c in style.colors]  # fmt: skip
    dashed = [{**s, "color": "#333333", "dashArray": "3 3"} for s in solid]
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


def venue_cell_layer(
    cells: gpd.GeoDataFrame,
    *,
    style: CellStyle = CellStyle(),  # noqa: B008 - frozen, shared safely
    lang: str = "zh",
    show: bool = True,
) -> folium.FeatureGroup:
    """Return venue-count hexagons (output of `analysis.aggregate.venue_cells`) as a layer."""
    group = folium.FeatureGroup(name=tr("map.layer.venue_cells", lang), show=show)
    if cells.empty:
        return group
    classes = style.class_of(cells["venues"].to_numpy())
    dashed = (cells["illustrative"].to_numpy() > 0) * len(style.colors)
    counts = cells[["venues", "level1", "level2", "level3", "level4", "illustrative"]]
    rows = np.column_stack([classes + dashed, counts.to_numpy(np.int64)]).tolist()
    CellGrid(cells.geometry.to_numpy(), rows, _styles(style), _tooltip_text(lang)).add_to(group)
    return group
