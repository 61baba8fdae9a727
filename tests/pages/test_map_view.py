"""The Map page's map is built once per view (ui.map_view) and the warm-up builds the first one.

The page asks ``map_view.map_html`` for the map of a ``MapSpec``; these tests record what it
asks for and check the built document itself (AppTest cannot draw an iframe; the browser
tests do).
"""

from __future__ import annotations

import json

import pytest
import streamlit as st

from ui import loaders, map_view
from venuemap.dashboard import default_standard


def _mentions(html: str, name: str) -> bool:
    """Return True if ``name`` is in the map's document (as text or as an escaped JS string)."""
    return name in html or json.dumps(name)[1:-1] in html


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[map_view.MapSpec]:
    """Record every spec the page asks ``map_html`` for (and still build the map)."""
    specs: list[map_view.MapSpec] = []
    build = map_view.map_html

    def recording(spec: map_view.MapSpec) -> str:
        specs.append(spec)
        return build(spec)

    monkeypatch.setattr(map_view, "map_html", recording)
    return specs


def test_a_new_sessions_map_is_the_view_the_warm_up_builds(open_page, asked) -> None:  # noqa: ANN001
    at = open_page("map")
    assert not at.exception
    radii_km, detour = default_standard()
    assert asked, "the page did not ask for its map"
    assert asked[-1] == map_view.default_spec(loaders.store_status(), radii_km, detour)


def test_a_filter_asks_for_another_view_and_other_venues(open_page, asked) -> None:  # noqa: ANN001
    at = open_page("map")
    first = asked[-1]
    html_all = map_view.map_html(first)
    venues = loaders.venues(first.path, first.version)
    kind = str(venues["kind"].iloc[0])
    at.multiselect(key="map_kind_zh").set_value([kind]).run()
    assert not at.exception
    filtered = asked[-1]
    assert filtered != first
    assert dict(filtered.filters)["kinds"] == (kind,)
    html_one = map_view.map_html(filtered)
    others = venues.loc[venues["kind"].astype(str) != kind, "name"]
    assert len(others) > 0
    assert all(_mentions(html_all, name) for name in others)
    assert not any(_mentions(html_one, name) for name in others)


def test_the_same_view_is_built_once(tiny_world, monkeypatch) -> None:  # noqa: ANN001
    built: list[int] = []
    real = map_view.build_map
    monkeypatch.setattr(map_view, "build_map", lambda *a, **k: built.append(1) or real(*a, **k))
    st.cache_data.clear()
    radii_km, detour = default_standard()
    spec = map_view.default_spec(loaders.store_status(), radii_km, detour)
    first, again = map_view.map_html(spec), map_view.map_html(spec)
    assert first == again and len(built) == 1
    assert "/app/static/vendor/leaflet/leaflet.js" in first
    other = map_view.MapSpec(**{**spec.__dict__, "lang": "en"})
    assert map_view.map_html(other) != first and len(built) == 2
