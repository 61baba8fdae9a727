"""The HTML report's figures, download names, and the Chinese widget-string script."""

from __future__ import annotations

import json
import re
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ui.chrome import report_html
from ui.filenames import export_name
from ui.report_svg import MapSymbol, bar_chart_svg, coverage_map_svg
from ui.widget_text import ZH_PATTERNS, ZH_TEXTS, widget_script

EVIL = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["632322", None, "township_centre", None], "venuemap_venues_632322-township_centre_"),
        ([None, None], "venuemap_venues_all_"),
        (["../../etc", "a b"], "venuemap_venues_etc-ab_"),
    ],
)
def test_download_names_carry_filter_and_date(filters, expected):
    name = export_name("venuemap_venues", filters, "gpkg", date(2026, 12, 3))
    assert name == f"{expected}2026-12-03.gpkg"


def _areas() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    counties = gpd.GeoDataFrame({"name": ["A"]}, geometry=[box(101.0, 35.0, 102.0, 36.0)],
                                crs="EPSG:4326")  # fmt: skip
    townships = gpd.GeoDataFrame(geometry=[box(101.0, 35.0, 101.5, 36.0)], crs="EPSG:4326")
    return counties, townships


def test_coverage_map_svg_places_points_inside_the_frame_and_escapes_labels():
    counties, townships = _areas()
    points = gpd.GeoDataFrame(geometry=[Point(101.0, 36.0), Point(102.0, 35.0)], crs="EPSG:4326")
    svg = coverage_map_svg(
        counties, townships, [(points, MapSymbol("#fff", "#d62728", 3, EVIL))], title=EVIL
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg
    circles = [
        (float(x), float(y))
        for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)" r="3"', svg)
    ]
    assert len(circles) == 2
    (x0, y0), (x1, y1) = circles
    assert (x0, y0) == (0.0, 0.0)  # north-west corner of the county
    assert x1 == pytest.approx(740.0, abs=0.2) and y1 > 0  # width 760 minus the 20 margin
    assert len(re.findall(r"<path ", svg)) == 2  # one township, one county


def test_bar_chart_draws_each_share_to_scale():
    svg = bar_chart_svg(["甲", "乙"], [1.0, 0.25], title="t", value_labels=["100%", "25%"])
    widths = [
        float(w)
        for w in re.findall(
            r'<rect x="150" y="[\d.]+" width="([\d.]+)" height="20" fill="#b22222"', svg
        )
    ]
    assert widths == [340.0, 85.0]


def test_report_embeds_the_figures():
    counties, townships = _areas()
    svg = coverage_map_svg(counties, townships, [], title="图")
    table = pd.DataFrame({"a": [1]})
    html = report_html("zh", "as of", "standard", {"k": "1"}, {"l": "2"}, table, table,
                       [("覆盖图", svg)])  # fmt: skip
    assert "<h2>覆盖图</h2>" in html and html.count("<svg") == 1
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_widget_script_carries_every_translation_and_the_language():
    script = widget_script("zh")
    texts = json.loads(re.search(r"state.texts = (\{.*?\});", script).group(1))
    assert texts == ZH_TEXTS and texts["Select all"] == "全选" and texts["Upload"] == "上传"
    assert 'state.lang = "zh"' in script and 'state.lang = "en"' in widget_script("en")
    for pattern, _ in ZH_PATTERNS:  # the patterns are valid regular expressions
        re.compile(pattern)
    assert "</" not in json.dumps(ZH_TEXTS, ensure_ascii=False)
