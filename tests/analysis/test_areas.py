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
