"""Venue markers: every field escaped, illustrative positions said, one marker per venue."""

from __future__ import annotations

import json

from geo.layers import MapData, build_map, venue_layer
from geo.layers.venues import VenueStyle, venue_popup, venue_tooltip
from tests.layers.conftest import XSS_NAME


def _html(group) -> str:
    import folium

    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


def test_markup_in_user_text_is_escaped(venues):
    popup = venue_popup(venues.iloc[0], "zh")
    assert "&lt;img src=x onerror=alert(1)&gt;" in popup
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in popup
    assert "<script>" not in popup and "<img" not in popup
    html = _html(venue_layer(venues, lang="zh"))
    assert XSS_NAME not in html and "<script>x" not in html
    assert "onerror=alert(1)" in html  # still there, as inert text


def test_popup_fields_in_each_language(venues):
    zh = venue_popup(venues.iloc[0], "zh")
    for text in ("村群团服务站", "村（社区）级", "工会、妇联", "在用", "示意（非实测位置）", "V1"):
        assert text in zh
    en = venue_popup(venues.iloc[1], "en")
    assert "Longwu centre" in en and "Township service centre" in en
    assert "Youth League" in en and "Surveyed" in en
    assert "隆务" not in venue_tooltip(venues.iloc[1], "en")


def test_one_marker_per_venue_with_level_and_status_styles(venues):
    layer = venue_layer(venues, lang="en")
    html = _html(layer)
    assert html.count('"p":') == len(venues)
    assert "vm-venue vm-level-4" in html and "vm-venue vm-level-2" in html
    assert '"dashArray":"3 2"' in html  # planned venue V3
    assert '"fillColor":"#ffffff"' in html  # illustrative venues are hollow


def test_clustering_wraps_markers(venues):
    html = _html(venue_layer(venues, style=VenueStyle(cluster=True)))
    assert "L.markerClusterGroup" in html


def test_empty_register_gives_an_empty_layer(venues):
    assert "StyledGeoJson" not in _html(venue_layer(venues.iloc[0:0]))


def test_map_has_one_layer_per_level(venues):
    html = build_map(MapData(venues=venues), lang="zh").get_root().render()
    for name in ("县级阵地", "乡镇级阵地", "村（社区）级阵地"):
        assert json.dumps(name)[1:-1] in html  # layer-control names are JSON-escaped
