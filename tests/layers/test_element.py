"""The shared GeoJSON element: user text never becomes a template, popups travel compact."""

from __future__ import annotations

import json

import pytest

from geo.layers import MapData, build_map, venue_layer
from geo.layers._element import js_json
from geo.layers.legend import Legend, LegendEntry
from tests.layers.test_venues import _html

TEMPLATE_NAME = "X{{ 7*7 }}Y{% if true %}Z{% endif %}{# c #}"


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% if 1 %}a{% endif %}", "{# note #}", "{{{"])
def test_js_json_never_writes_a_jinja_delimiter(text):
    out = js_json({"name": text, "nested": [{"a": text}]})
    assert "{{" not in out and "{%" not in out and "{#" not in out
    assert json.loads(out) == {"name": text, "nested": [{"a": text}]}  # same value


def test_a_venue_name_is_never_evaluated_as_a_template(venues):
    venues = venues.copy()
    venues.loc[venues.index[0], ["name", "services"]] = TEMPLATE_NAME
    html = build_map(MapData(venues=venues), lang="zh").get_root().render()
    assert "X49Y" not in html and "YZ" not in html
    assert "X\\u007b{ 7*7 }}Y\\u007b% if true %}Z" in html  # shown as typed, once decoded


def test_legend_labels_are_never_evaluated_as_templates():
    import folium

    m = folium.Map(tiles=None)
    Legend([LegendEntry("A{{ 6*7 }}B", "#123456")], "图例").add_to(m)
    html = m.get_root().render()
    assert "A42B" not in html and "A\\u007b{ 6*7 }}B" in html


def test_popups_send_values_and_share_their_labels(venues):
    html = _html(venue_layer(venues, lang="zh"))
    assert '_labels = ["类型","层级","群团组织","服务内容","地址","状态","位置","编号"]' in html
    assert html.count("<th>类型</th>") == 0  # the table is built in the browser
    assert '"p":["' in html and "vm-popup-title" in html
