import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from analysis.areas import service_areas
from analysis.metric import MetricFrame
from geo.errors import CRSError


def test_circles_in_metres_in_gauss_kruger(venues):
    areas = service_areas(venues, detour=1.5)
    assert list(areas["id"]) == ["t1", "s1"]
    assert list(areas["reach_m"]) == [10_000, pytest.approx(2000 / 1.5)]
    assert areas.crs == "EPSG:4326"
    area_km2 = areas.to_crs("EPSG:4543").area / 1e6
    assert area_km2.iloc[0] == pytest.approx(np.pi * 100, rel=0.01)


def test_geodesic_circles_on_the_sphere_frame():
    venues = gpd.GeoDataFrame({"id": ["a"], "kind": ["county_centre"]},
                              geometry=[Point(87.6, 43.8)], crs="EPSG:4326")
    areas = service_areas(venues, detour=1, frame=MetricFrame("sphere"))
    ring = np.asarray(areas.geometry.iloc[0].exterior.coords)[:-1]
    d = Geod(ellps="GRS80").inv(np.full(len(ring), 87.6), np.full(len(ring), 43.8),
                                ring[:, 0], ring[:, 1])[2]
    np.testing.assert_allclose(d, 40_000, rtol=1e-6)


def test_prefecture_and_enterprise_have_no_circle(venues):
    venues.loc[0, "kind"] = "prefecture_centre"
    venues.loc[1, "kind"] = "enterprise_home"
    assert len(service_areas(venues)) == 0


def test_degrees_refused(venues):
    from analysis.metric import choose_frame

    with pytest.raises(CRSError, match="geographic \\(degrees\\)"):
        service_areas(venues, frame=choose_frame(venues, crs="EPSG:4490"))


@pytest.mark.parametrize("seed", [0, 1])
def test_cell_cover_lies_within_one_cell_of_the_merged_circles(seed):
    import shapely

    from analysis.areas import service_area_cells
    from tests.analysis.conftest import points

    rng = np.random.default_rng(seed)
    n = 40
    kinds = rng.choice(["village_station", "township_centre", "enterprise_home"], n)
    venues = points(rng.uniform(0, 30_000, (n, 2)), id=[f"v{i}" for i in range(n)], kind=kinds,
                    status=["in_service"] * n)  # fmt: skip
    cover = service_area_cells(venues, detour=1.2).to_crs("EPSG:4543").set_index("level")
    circles = service_areas(venues, detour=1.2).to_crs("EPSG:4543")
    level = circles["kind"].map({"village_station": 4, "township_centre": 3})
    assert sorted(cover.index) == sorted(level.unique())
    for lv, group in circles.groupby(level):
        exact = shapely.union_all(np.asarray(group.geometry))
        edge = cover.loc[lv, "cell_edge_m"] * 1.3  # centre-to-vertex <= ~1.2 edges on H3
        assert cover.loc[lv, "venue_count"] == len(group)
        assert exact.buffer(-edge).difference(cover.loc[lv, "geometry"]).area < 1.0
        assert cover.loc[lv, "geometry"].difference(exact.buffer(edge)).area < 1.0
        assert cover.loc[lv, "cell_edge_m"] <= group["reach_m"].min() / 8
