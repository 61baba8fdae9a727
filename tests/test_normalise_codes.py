"""`normalise_codes` converts each distinct value once; the result equals a per-cell map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.boundaries import _code_text, normalise_codes

CELLS = ["632301", " 632322 ", 632323, 632324.0, "632301100.0", "6323x.0", "", None, np.nan,
         pd.NA, "  ", 1.5, "０１.0"]  # fmt: skip


TEXT_CELLS = [c for c in CELLS if isinstance(c, str)]


@pytest.mark.parametrize(("seed", "cells"), [(0, CELLS), (1, CELLS), (2, TEXT_CELLS),
                                             (3, [*TEXT_CELLS, None])])  # fmt: skip
def test_normalise_codes_equals_per_cell_map(seed, cells):
    """Mixed cells take the per-value path, text cells the column-wise one: same result."""
    rng = np.random.default_rng(seed)
    values = [cells[i] for i in rng.integers(0, len(cells), 300)]
    frame = pd.DataFrame({"county_code": values, "other": values}, index=range(5, 305))
    per_cell = pd.Series(values, index=frame.index, dtype=object)
    expected = per_cell.map(_code_text).astype(object)  # the former implementation
    got = normalise_codes(frame.copy())
    pd.testing.assert_series_equal(got["county_code"], expected, check_names=False)
    assert got["other"].tolist() == frame["other"].tolist()  # not a code column: untouched


def test_column_read_from_a_geopackage(tmp_path):
    """A column read by pyogrio arrives with pandas' text dtype (arrow-backed, read-only)."""
    values = ["632301", " 632322 ", "632301100.0", "", "6323x.0", None] * 3
    where = gpd.points_from_xy(range(18), range(18))
    points = gpd.GeoDataFrame({"township_code": values}, geometry=where, crs=4326)
    pyogrio.write_dataframe(points, tmp_path / "codes.gpkg")
    frame = pyogrio.read_dataframe(tmp_path / "codes.gpkg")
    expected = frame["township_code"].map(_code_text).astype(object)
    got = normalise_codes(frame.copy())["township_code"]
    pd.testing.assert_series_equal(got, expected)


def test_float_column_of_codes():
    frame = pd.DataFrame({"village_code": [632301100001.0, np.nan, 632301100001.0]})
    got = normalise_codes(frame)["village_code"]
    assert got.dtype == object and got.isna().tolist() == [False, True, False]
    assert got[0] == got[2] == "632301100001"
