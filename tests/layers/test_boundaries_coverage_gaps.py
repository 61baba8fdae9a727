"""Boundaries (approximate marked), coverage circles in metres, gap hexagons, legend, size."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.errors import AnalysisError
from geo.layers import MapData, build_map, coverage_areas
from geo.layers.boundaries import simplify_for_display, township_layer
from geo.layers.coverage import geodesic_circles, uncovered_layer
from geo.layers.coverage import merge_service_areas as coverage_merge
from geo.layers.gaps import GapStyle, gap_layer
from geo.layers.legend import LegendEntry, legend_html
from tests.layers.test_venues import _html
from venuemap.usecases import gap_cells


def test_approximate_townships_are_dashed_and_labelled(townships):
    zh = _html(township_layer(townships, lang="zh"))
    assert "隆务镇 · 632301100（近似）" in zh and '保安镇 · 632301101"' in zh
    assert (
        '"dashArray":"5 4","fillColor":"#ffffff","fillOpacity":0.0,"className":'
        '"vm-township vm-approx"' in zh
    )
    assert "(approximate)" in _html(township_layer(townships, lang="en"))


def test_simplify_keeps_shapes_valid_and_drops_vertices():
    ring = [(101 + 0.0001 * i, 35 + 0.00001 * (i % 2)) for i in range(200)] + [
        (101.02, 35.1),
        (101, 35.1),
    ]
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(geometry=[shapely.Polygon(ring)], crs="EPSG:4326")
    out = simplify_for_display(gdf)
    assert out.geometry.is_valid.all()
    assert shapely.get_num_coordinates(out.geometry.iloc[0]) < 10


def test_coverage_circle_vertices_are_radius_metres_away():
    circle = geodesic_circles(np.array([102.0]), np.array([35.5]), 2_000.0)[0]
    x, y = np.asarray(circle.exterior.coords).T
    _, _, dist = Geod(ellps="WGS84").inv(np.full(x.size, 102.0), np.full(y.size, 35.5), x, y)
    assert dist == pytest.approx(2_000.0, abs=1e-6)


def test_coverage_areas_one_row_per_level(venues):
    areas = coverage_areas(venues, {2: 30_000.0, 3: 10_000.0, 4: 2_000.0, 1: 5_000.0})
    # largest radius first (drawn underneath); level 1 has no venue here, so no row
    assert areas["level"].tolist() == [2, 3, 4]
    assert areas["venue_count"].tolist() == [1, 1, 2]
    level4 = areas.set_index("level").geometry[4]
    assert level4.geom_type == "MultiPolygon"  # two stations 15 km apart: two discs


@pytest.mark.parametrize("radius_m", [0.0, -5.0, float("nan")])
def test_bad_radius_is_refused(radius_m):
    with pytest.raises(AnalysisError, match="positive number of metres"):
        geodesic_circles(np.array([102.0]), np.array([35.5]), radius_m)


def test_uncovered_villages_escaped_with_population(villages):
    html = _html(uncovered_layer(villages, lang="zh"))
    assert "\\u0026lt;i\\u0026gt;甲\\u0026lt;/i\\u0026gt;村" in html
    assert "1,226 人 (人口为示意数据)" in html
    assert html.count("vm-uncovered") == 1  # one shared style


def test_gap_cells_sum_population_per_cell(villages):
    """The layer draws `usecases.gap_cells` (analysis.gaps.service_deserts), not its own sums."""
    uncovered = villages.assign(covered=False)
    hexes = gap_cells(uncovered)
    assert hexes["uncovered_population"].tolist() == [1226.0, 350.0]
    assert hexes["village_count"].tolist() == [1, 2]
    assert hexes["rank"].tolist() == [1, 2]
    assert (hexes.geometry.geom_type == "Polygon").all()
    assert gap_cells(uncovered.iloc[0:0]).empty


def test_gap_classes_and_labels():
    style = GapStyle()
    assert style.class_of(np.array([0, 99, 100, 350, 5000, np.nan])).tolist() == [0, 0, 1, 2, 3, 0]
    assert style.class_labels("zh") == ["< 100 人", "100–300 人", "300–1,000 人", "≥ 1,000 人"]
    html = _html(
        gap_layer(
            gap_cells(
                __import__("geopandas").GeoDataFrame(
                    {"population": [500], "covered": [False]},
                    geometry=[shapely.Point(102, 35.5)],
                    crs="EPSG:4326",
                )
            )
        )
    )
    assert "#fb6a4a" in html


def test_legend_escapes_labels():
    html = legend_html([LegendEntry("<img src=x onerror=alert(1)>", "#123456")], "图例")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html


def test_legend_is_bilingual(venues, counties, townships):
    zh = build_map(MapData(venues=venues, counties=counties, townships=townships), lang="zh")
    en = build_map(MapData(venues=venues, counties=counties, townships=townships), lang="en")
    zh_html, en_html = zh.get_root().render(), en.get_root().render()
    assert "乡镇界（近似）" in zh_html and "Township boundary (approximate)" in en_html
    assert "Township boundary" not in zh_html


def test_service_areas_merge_per_level(venues):
    from analysis.areas import service_areas
    from analysis.standards import default_standards

    areas = service_areas(venues, default_standards(), detour=1.0)
    merged = coverage_merge(areas)
    assert set(merged["level"]) <= {2, 3, 4}
    assert merged["radius_m"].is_monotonic_decreasing
    assert merged["venue_count"].sum() == len(areas)
    assert merged.geometry.is_valid.all()
    assert merged.crs == "EPSG:4326"


def test_cell_cover_is_drawn_and_labelled_as_hexagon_approximation(venues):
    from analysis.areas import service_area_cells
    from analysis.standards import default_standards

    cells = service_area_cells(venues, default_standards(), detour=1.0)
    assert cells.geometry.is_valid.all() and not cells.geometry.is_empty.any()
    assert cells.crs == "EPSG:4326" and cells["radius_m"].is_monotonic_decreasing
    for lang, word in (("zh", "六边形近似"), ("en", "approximated by hexagons")):
        html = build_map(MapData(venues=venues, coverage=cells), lang=lang).get_root().render()
        assert html.count(word) >= 2 * len(cells)  # the legend and each area's tooltip
    circles = coverage_merge(service_areas_of(venues))
    html = build_map(MapData(venues=venues, coverage=circles), lang="en").get_root().render()
    assert "approximated by hexagons" not in html


def service_areas_of(venues):
    from analysis.areas import service_areas
    from analysis.standards import default_standards

    return service_areas(venues, default_standards(), detour=1.0)
