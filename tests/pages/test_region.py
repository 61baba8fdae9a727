"""The dashboard of a store planning for 海北州 (632200): framed, titled and labelled for it."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import regions
from geo.store import open_store

from .helpers import ROOT, texts

HAIBEI = "632200"
PAGES = ("overview", "map", "gaps", "data", "about")


@pytest.fixture
def haibei(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # noqa: ANN201
    """A store that remembers Haibei and holds two county centres there; return a page opener."""
    monkeypatch.delenv(regions.REGION_ENV, raising=False)
    path = tmp_path / "haibei.gpkg"
    store = open_store(path)
    regions.set_region(store, HAIBEI)
    store.replace_venues(gpd.GeoDataFrame(
        {"id": ["HB-1", "HB-2"], "name": ["门源县群团服务中心", "海晏县群团服务中心"],
         "kind": ["county_centre"] * 2, "level": [2, 2], "county_code": ["632221", "632223"],
         "status": ["in_service"] * 2, "position": ["surveyed"] * 2},
        geometry=gpd.points_from_xy([101.62, 100.994], [37.376, 36.897]), crs="EPSG:4326",
    ))  # fmt: skip
    monkeypatch.setenv("VENUEMAP_STORE", str(path))
    entry = tmp_path / "entry.py"
    entry.write_text(
        f"import runpy\nrunpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n", "utf-8"
    )
    st.cache_data.clear()
    st.cache_resource.clear()

    def run(page: str | None = None, lang: str = "zh") -> AppTest:
        at = AppTest.from_file(str(entry), default_timeout=120)
        at.session_state["lang"] = lang
        at.run()
        if page is not None:
            at.switch_page(str(ROOT / "pages" / f"{page}.py"))
            at.run()
        return at

    yield run
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_dashboard_is_titled_for_the_active_region(haibei) -> None:  # noqa: ANN001
    at = haibei()
    assert not at.exception
    assert at.sidebar.title[0].value == "海北藏族自治州群团服务阵地"
    shown = texts(at)
    assert "区划：海北藏族自治州（632200）" in shown
    assert not any("黄南" in text for text in shown)


def test_stand_in_demand_is_labelled_illustrative(haibei) -> None:  # noqa: ANN001
    at = haibei(lang="en")
    shown = " ".join(texts(at))
    assert "demand is an illustrative H3 grid" in shown
    assert "Village locations and population are illustrative." in shown
    assert at.sidebar.title[0].value == "海北藏族自治州 service venue network"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_for_the_region(haibei, page: str) -> None:  # noqa: ANN001
    at = haibei(page)
    assert not at.exception, at.exception
    assert not any("黄南" in text for text in texts(at))
