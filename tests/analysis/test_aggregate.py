"""Venue counts per H3 cell: counts add up, the resolution follows the cell budget."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest

from analysis.aggregate import CELL_COLUMNS, use_cells, venue_cell_levels, venue_cells


def _venues(n: int, seed: int = 0, spread_deg: float = 0.3) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = 101.8 + rng.uniform(-spread_deg, spread_deg, n)
    lat = 35.3 + rng.uniform(-spread_deg, spread_deg, n)
    return gpd.GeoDataFrame(
        {"level": rng.integers(1, 5, n),
         "position": rng.choice(["illustrative", "surveyed"], n)},
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326",
    )  # fmt: skip


def test_counts_add_up_and_match_h3_by_hand():
    venues = _venues(500)
    cells = venue_cells(venues, max_cells=10_000, resolutions=(6,))
    assert list(cells.columns) == CELL_COLUMNS
    assert cells["venues"].sum() == 500
    for level in (1, 2, 3, 4):
        assert cells[f"level{level}"].sum() == (venues["level"] == level).sum()
    assert cells["illustrative"].sum() == (venues["position"] == "illustrative").sum()
    first = venues.geometry.iloc[0]
    own = h3.latlng_to_cell(first.y, first.x, 6)
    by_hand = sum(h3.latlng_to_cell(p.y, p.x, 6) == own for p in venues.geometry)
    assert cells.set_index("h3_cell").loc[own, "venues"] == by_hand
    assert cells.geometry.iloc[0].contains(
        gpd.points_from_xy([h3.cell_to_latlng(cells["h3_cell"].iloc[0])[1]],
                           [h3.cell_to_latlng(cells["h3_cell"].iloc[0])[0]])[0])  # fmt: skip


@pytest.mark.parametrize("max_cells", [20, 200, 2000])
def test_finest_resolution_within_the_budget(max_cells):
    venues = _venues(3000, spread_deg=0.5)
    cells = venue_cells(venues, max_cells=max_cells)
    resolution = int(cells["resolution"].iloc[0])
    assert len(cells) <= max_cells
    finer = venue_cells(venues, max_cells=10**6, resolutions=(resolution + 1,))
    assert resolution == 8 or len(finer) > max_cells  # one step finer would not fit


def test_most_venues_first_and_empty_input():
    cells = venue_cells(_venues(800), max_cells=10_000, resolutions=(6,))
    assert cells["venues"].is_monotonic_decreasing
    empty = venue_cells(_venues(0))
    assert empty.empty and list(empty.columns) == CELL_COLUMNS


def test_use_cells_threshold():
    assert not use_cells(3000) and use_cells(3001) and use_cells(10, limit=5)


def test_cell_levels_are_the_fine_cells_and_their_parents():
    venues = _venues(500)
    levels = venue_cell_levels(venues, max_cells=10_000, resolutions=(7,))
    fine, coarse = (levels[levels["resolution"] == r] for r in (7, 6))
    assert len(fine) + len(coarse) == len(levels) and levels["resolution"].iloc[0] == 7
    # by hand: each venue counts in the H3 parent of its own resolution-7 cell
    parents = [h3.cell_to_parent(h3.latlng_to_cell(p.y, p.x, 7), 6) for p in venues.geometry]
    by_hand = pd.Series(parents).value_counts()
    assert coarse.set_index("h3_cell")["venues"].sort_index().to_dict() == (
        by_hand.sort_index().to_dict())  # fmt: skip
    illustrative = pd.Series(parents)[(venues["position"] == "illustrative").to_numpy()]
    assert coarse.set_index("h3_cell")["illustrative"].loc[lambda s: s > 0].to_dict() == (
        illustrative.value_counts().to_dict())  # fmt: skip
    assert list(coarse.columns) == CELL_COLUMNS
