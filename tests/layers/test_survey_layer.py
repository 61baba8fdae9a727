"""geo.layers.survey: pending survey moves drawn, user text escaped, flagged ones in red."""

from __future__ import annotations

import folium
import geopandas as gpd
from shapely.geometry import Point

from geo.layers import survey_layer
from geo.layers.survey import SurveyStyle


def _surveys(name: str, flagged: bool) -> tuple[gpd.GeoDataFrame, gpd.GeoSeries]:
    surveys = gpd.GeoDataFrame(
        {"id": [3], "name": [name], "moved_m": [1234.4], "accuracy_m": [8.0],
         "flagged": [flagged]},
        geometry=[Point(102.01, 35.5)], crs="EPSG:4326",
    )
    return surveys, gpd.GeoSeries([Point(102.0, 35.5)], index=surveys.index, crs="EPSG:4326")


def _html(group: folium.FeatureGroup) -> str:
    m = folium.Map(tiles=None)
    group.add_to(m)
    return m.get_root().render()


def test_moves_are_drawn_with_escaped_names_and_distance() -> None:
    html = _html(survey_layer(*_surveys("<img src=x onerror=alert(1)>{{ 7*7 }}", False)))
    assert "<img src=x" not in html and "49" not in html.split("移动")[0][-50:]
    assert "\\u0026lt;img src=x" in html or "&lt;img src=x" in html
    assert "移动 1,234 米" in html
    assert '"LineString"' in html and SurveyStyle().color in html


def test_flagged_moves_use_the_flag_colour() -> None:
    plain = _html(survey_layer(*_surveys("站", False)))
    flagged = _html(survey_layer(*_surveys("站", True)))
    assert '"s":1' in flagged and '"s":1' not in plain


def test_no_survey_draws_an_empty_group() -> None:
    surveys, old = _surveys("站", False)
    assert '"features":[]' not in _html(survey_layer(surveys.iloc[:0], old.iloc[:0]))
    assert "LineString" not in _html(survey_layer(surveys.iloc[:0], old.iloc[:0]))
