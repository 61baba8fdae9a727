"""地图 Map (the map helper's page) inside the shared chrome: it runs, in both languages.

st_folium is a component: AppTest only checks that the script runs; the browser tests draw it.
"""

from __future__ import annotations


def test_map_page_runs_in_the_chrome(open_page) -> None:  # noqa: ANN001
    at = open_page("map")
    assert not at.exception
    assert any(r.key == "lang" for r in at.sidebar.radio)
    assert at.main.title[0].value == "地图"


def test_map_page_follows_the_language_switch(open_page) -> None:  # noqa: ANN001
    at = open_page("map")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.main.title[0].value == "Map"


def test_map_page_draws_access_and_rings_layers(open_page) -> None:  # noqa: ANN001
    at = open_page("map")
    layers = next(m for m in at.main.multiselect if "access" in m.options or "可达性（供需比）"
                  in m.options)  # fmt: skip
    layers.set_value(["venues", "access", "rings"]).run()
    assert not at.exception
