"""The map page draws venue counts per hexagon, not markers, for a register above the limit."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import geo.layers.map as map_module
from analysis.aggregate import MARKER_LIMIT
from geo.boundaries import load_layer
from geo.store import GeoPackageStore, conform_register
from tests.layers.test_map_page import PAGE, _text


def _large_register(n: int) -> gpd.GeoDataFrame:
    """The demo register repeated with ~1 km jitter and new ids, ``n`` rows."""
    demo = conform_register(load_layer("venues_demo"))
    rows = demo.iloc[np.arange(n) % len(demo)].reset_index(drop=True)
    rng = np.random.default_rng(5)
    x = rows.geometry.x + rng.normal(0, 0.01, n)
    y = rows.geometry.y + rng.normal(0, 0.01, n)
    rows = rows.assign(id=[f"BIG-{i}" for i in range(n)])
    return gpd.GeoDataFrame(pd.DataFrame(rows.drop(columns="geometry")),
                            geometry=gpd.points_from_xy(x, y), crs="EPSG:4326")  # fmt: skip


@pytest.mark.parametrize(("n", "cells"), [(MARKER_LIMIT, False), (MARKER_LIMIT + 1, True)])
def test_large_register_is_drawn_as_cells(tmp_path, monkeypatch, n, cells):
    store = GeoPackageStore(tmp_path / "big.gpkg")
    store.replace_venues(_large_register(n))
    drawn: list[str] = []
    monkeypatch.setattr(map_module, "venue_cell_layer", _recording(
        map_module.venue_cell_layer, drawn, "cells"))  # fmt: skip
    monkeypatch.setattr(map_module, "venue_layer", _recording(
        map_module.venue_layer, drawn, "markers"))  # fmt: skip
    monkeypatch.setenv("VENUEMAP_STORE", str(store.path))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["_entrypoint_ran"] = True
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    text = _text(at)
    assert f"显示 {n:,} / {n:,} 个阵地" in text
    assert ("按六边形汇总显示数量" in text) is cells
    assert set(drawn) == ({"cells"} if cells else {"markers"})


def _recording(function, calls: list[str], name: str):
    def wrapper(*args, **kwargs):
        calls.append(name)
        return function(*args, **kwargs)

    return wrapper
