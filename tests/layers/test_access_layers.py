"""Access and ring layers render escaped HTML with one class per colour band."""

from __future__ import annotations

import folium
import geopandas as gpd
from shapely.geometry import Point

from geo.layers.access import AccessStyle, access_layer, rings_layer

XSS = "<img src=x onerror=alert(1)>"


def _html(group: folium.FeatureGroup) -> str:
    fmap = folium.Map(tiles=None)
    group.add_to(fmap)
    return fmap.get_root().render()


def test_access_layer_classes_and_escaping() -> None:
    points = gpd.GeoDataFrame(
        {"name": [XSS, "乙村"], "village_code": ["1", "2"], "access": [0.0, 3.0],
         "access_index": [0.0, 2.5], "venues_in_reach": [0, 4], "population": [10, 20],
         "population_source": ["illustrative", "census"]},
        geometry=[Point(102.0, 35.5), Point(102.1, 35.5)], crs="EPSG:4326",
    )  # fmt: skip
    html = _html(access_layer(points, lang="en"))
    assert XSS not in html and "\\u0026lt;img src=x onerror" in html  # escaped, then JSON
    assert "illustrative population" in html
    assert list(AccessStyle().classes([0.0, 0.3, 1.0, 2.5])) == [0, 1, 3, 5]


def test_rings_layer_draws_outermost_first() -> None:
    rings = gpd.GeoDataFrame(
        {"venue_id": ["v", "v"], "venue_name": ["站", "站"], "ring": [0, 1],
         "label": ["5 min (drive)", "10 min (drive)"]},
        geometry=[Point(102, 35.5).buffer(0.01), Point(102, 35.5).buffer(0.02)],
        crs="EPSG:4326",
    )  # fmt: skip
    group = rings_layer(rings)
    assert "一站多圈" in group.layer_name
    html = _html(group)
    assert html.index("10 min (drive)") < html.index("5 min (drive)")
