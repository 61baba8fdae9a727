"""The venue-cell layer: classes by count, illustrative cells dashed and said, legend rows."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

from analysis.aggregate import coarser_cells, venue_cells
from geo.layers import MapData, build_map
from geo.layers.aggregate import (
    CELL_CLASS,
    MAX_ZOOM,
    MIN_EDGE_PX,
    CellStyle,
    switch_zoom,
    venue_cell_layer,
)
from tests.layers.test_venues import _html


def _cells(illustrative: bool) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    n = 400
    venues = gpd.GeoDataFrame(
        {"level": np.r_[[3] * 10, [4] * (n - 10)],
         "position": "illustrative" if illustrative else "surveyed"},
        geometry=gpd.points_from_xy(101.8 + rng.normal(0, 0.02, n), 35.3 + rng.normal(0, 0.02, n)),
        crs="EPSG:4326",
    )  # fmt: skip
    return venue_cells(venues, max_cells=10_000, resolutions=(7,))


def _sets(html: str) -> list[dict]:
    """Return the cell sets (rings ``v``, rows ``k``, zoom range ``z``) sent to the browser."""
    return json.loads(re.search(r"var data = (\[.*?\]);\n", html).group(1))


def _payload(html: str) -> tuple[list[list[int]], list[list[int]], dict]:
    """Return (rings, rows, tooltip text) of a one-resolution venue-cell layer."""
    (data,) = _sets(html)
    text = json.loads(re.search(r"var text = (\{.*?\});\n", html).group(1))
    return data["v"], data["k"], text


def test_cells_travel_as_integer_rings_and_count_rows():
    cells = _cells(illustrative=False)
    rings, rows, _ = _payload(_html(venue_cell_layer(cells, lang="zh")))
    assert len(rings) == len(rows) == len(cells)
    for ring, cell in zip(rings, cells.geometry, strict=True):
        xy = np.cumsum(np.reshape(ring, (-1, 2)), axis=0) / 1e5  # steps from the first vertex
        assert np.abs(xy - np.asarray(cell.exterior.coords)[:-1]).max() <= 0.5e-5
    counts = cells[["venues", "level1", "level2", "level3", "level4", "illustrative"]]
    assert [row[1:] for row in rows] == counts.to_numpy().tolist()
    assert [row[0] for row in rows] == CellStyle().class_of(cells["venues"]).tolist()


def test_tooltip_pieces_in_each_language():
    cells = _cells(illustrative=False)
    zh = _html(venue_cell_layer(cells, lang="zh"))
    _, rows, text = _payload(zh)
    assert text["count"] == "{n} 个阵地" and text["levels"][3] == "村（社区）级"
    assert CELL_CLASS in zh and all(row[0] < 4 for row in rows)  # solid outlines only
    _, _, text_en = _payload(_html(venue_cell_layer(cells, lang="en")))
    assert text_en["count"] == "{n} venues" and text_en["illustrative"] == (
        "{n} at illustrative positions")  # fmt: skip


def test_illustrative_cells_are_dashed_and_labelled():
    cells = _cells(illustrative=True)
    _, rows, text = _payload(_html(venue_cell_layer(cells, lang="zh")))
    assert all(row[0] >= 4 and row[6] == row[1] for row in rows)  # style rows 4-7: dashed
    assert text["illustrative"] == "其中 {n} 个为示意位置"
    legend = build_map(MapData(venue_cells=cells), lang="zh").get_root().render()
    assert "虚线六边形：含示意位置的阵地" in legend


def test_coarser_cells_show_when_zoomed_out():
    fine = _cells(illustrative=True)
    both = pd.concat([fine, coarser_cells(fine)], ignore_index=True)
    coarse = both[both["resolution"] == 6]
    assert coarse["venues"].sum() == fine["venues"].sum() == 400
    assert coarse["illustrative"].sum() == 400 and len(coarse) < len(fine)
    sets = _sets(_html(venue_cell_layer(both, lang="zh")))
    assert [len(s["v"]) for s in sets] == [len(fine), len(coarse)]  # finest first
    first_fine = switch_zoom(h3.average_hexagon_edge_length(7, "m"), 35.3)
    assert sets[0]["z"] == [first_fine, MAX_ZOOM] and sets[1]["z"] == [0, first_fine - 1]
    # at the first zoom of the fine cells their edge spans MIN_EDGE_PX pixels, not before
    metres_per_px = 156_543.03 * np.cos(np.radians(35.3)) / 2**first_fine
    edge_px = h3.average_hexagon_edge_length(7, "m") / metres_per_px
    assert MIN_EDGE_PX <= edge_px < 2 * MIN_EDGE_PX


def test_classes_follow_breaks():
    style = CellStyle(breaks=(5.0, 20.0))
    assert style.class_of(np.array([1, 5, 19, 20, 500])).tolist() == [0, 1, 1, 2, 2]
    assert style.class_labels("en") == ["< 5 venues", "5–20 venues", "≥ 20 venues"]


def test_map_draws_cells_below_the_boundaries_on_a_canvas(counties):
    cells = _cells(illustrative=False)
    html = build_map(MapData(venue_cells=cells, counties=counties), lang="zh").get_root().render()
    assert html.index(CELL_CLASS) < html.index("vm-county")
    assert "阵地数量（六边形汇总）" in html
    assert '"preferCanvas": true' in html
    without = build_map(MapData(counties=counties), lang="zh").get_root().render()
    assert '"preferCanvas": false' in without
