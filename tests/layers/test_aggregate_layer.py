"""The venue-cell layer: classes by count, illustrative cells dashed and said, legend rows."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from analysis.aggregate import venue_cells
from geo.layers import MapData, build_map
from geo.layers.aggregate import CELL_CLASS, CellStyle, venue_cell_layer
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


def test_tooltips_count_venues_and_levels():
    cells = _cells(illustrative=False)
    zh = _html(venue_cell_layer(cells, lang="zh"))
    top = cells.iloc[0]
    assert f"{int(top['venues'])} 个阵地" in zh and "村（社区）级" in zh and CELL_CLASS in zh
    dashed = [f'"s":{i},' for i in range(4, 8)]  # style rows 4-7: the dashed outlines
    assert "示意位置" not in zh and not any(mark in zh for mark in dashed)
    assert f"{int(top['venues'])} venues" in _html(venue_cell_layer(cells, lang="en"))


def test_illustrative_cells_are_dashed_and_labelled():
    cells = _cells(illustrative=True)
    zh = _html(venue_cell_layer(cells, lang="zh"))
    assert any(f'"s":{i},' in zh for i in range(4, 8)) and "个为示意位置" in zh
    legend = build_map(MapData(venue_cells=cells), lang="zh").get_root().render()
    assert "虚线六边形：含示意位置的阵地" in legend


def test_classes_follow_breaks():
    style = CellStyle(breaks=(5.0, 20.0))
    assert style.class_of(np.array([1, 5, 19, 20, 500])).tolist() == [0, 1, 1, 2, 2]
    assert style.class_labels("en") == ["< 5 venues", "5–20 venues", "≥ 20 venues"]


def test_map_draws_cells_below_the_boundaries(counties):
    cells = _cells(illustrative=False)
    html = build_map(MapData(venue_cells=cells, counties=counties), lang="zh").get_root().render()
    assert html.index(CELL_CLASS) < html.index("vm-county")
    assert "阵地数量（六边形汇总）" in html
