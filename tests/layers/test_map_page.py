"""AppTest of the map page: it runs, filters, switches language, and explains missing assets."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui import assets

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "map.py")


def _run(tmp_path, monkeypatch, lang: str = "zh") -> AppTest:
    monkeypatch.setenv("VENUEMAP_STORE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["_entrypoint_ran"] = True
    at.session_state["lang"] = lang
    return at.run()


def _text(at: AppTest) -> str:
    return " ".join(str(e.value) for e in [*at.title, *at.caption, *at.error, *at.markdown])


def test_map_page_runs_in_chinese(tmp_path, monkeypatch):
    at = _run(tmp_path, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "地图"
    assert "显示 229 / 229 个阵地" in _text(at)
    assert at.selectbox(key="map_basemap_zh").value == "none"


def test_search_filters_venues(tmp_path, monkeypatch):
    at = _run(tmp_path, monkeypatch)
    at.text_input(key="map_query_zh").input("HN-T-632301100").run()
    assert not at.exception
    assert "显示 1 / 229 个阵地" in _text(at)


def test_language_switch_keeps_choices(tmp_path, monkeypatch):
    at = _run(tmp_path, monkeypatch)
    at.selectbox(key="map_basemap_zh").select("osm").run()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Map"
    assert at.selectbox(key="map_basemap_en").value == "osm"
    assert "Showing 229 of 229 venues" in _text(at)


def test_missing_assets_are_explained_not_a_blank_map(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "vendor")
    at = _run(tmp_path, monkeypatch)
    assert not at.exception
    assert "地图组件尚未安装" in at.error[0].value
    assert any(assets.SETUP_COMMAND in str(c.value) for c in at.code)


def test_last_siting_proposal_can_be_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("VENUEMAP_STORE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["_entrypoint_ran"] = True
    at.session_state["map_layers_zh"] = ["venues", "proposed"]
    at.run()
    assert "尚无建议选址" in _text(at)  # no scenario run yet: the page says where to run one
    radii_km = (40.0, 15.0, 2.0)
    at.session_state["site_params"] = (
        str(tmp_path / "none.gpkg"), "none", "mclp", 2, 5.0, radii_km, 1.4
    )  # fmt: skip
    at.run()
    assert not at.exception
    assert "尚无建议选址" not in _text(at)
