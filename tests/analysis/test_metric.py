import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod
from shapely.geometry import Point

from analysis.metric import MetricFrame, choose_frame, gauss_kruger_zone
from geo.errors import AnalysisError, CRSError

GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid


def lonlat(pairs):
    return gpd.GeoDataFrame(geometry=[Point(x, y) for x, y in pairs], crs="EPSG:4326")


@pytest.mark.parametrize(
    ("lon", "epsg"), [(102.0, "EPSG:4543"), (100.7, "EPSG:4543"), (75.0, "EPSG:4534"),
                      (135.0, "EPSG:4554"), (116.4, "EPSG:4548")]
)
def test_gauss_kruger_zone_nearest_central_meridian(lon, epsg):
    assert gauss_kruger_zone(lon) == epsg


def test_zone_outside_china_refused():
    with pytest.raises(CRSError, match="outside the CGCS2000 Gauss-Krüger zones"):
        gauss_kruger_zone(10.0)


def test_huangnan_gets_gk_cm102_and_national_gets_sphere():
    huangnan = lonlat([(100.9, 34.1), (102.3, 35.9)])
    assert choose_frame(huangnan) == MetricFrame("plane", crs="EPSG:4543")
    national = lonlat([(75.9, 39.5), (126.6, 45.8)])
    assert choose_frame(national).kind == "sphere"


def _pairs():
    rng = np.random.default_rng(3)
    lon1, lat1 = rng.uniform(100.6, 102.8, 50), rng.uniform(34.0, 36.2, 50)
    lon2, lat2 = rng.uniform(100.6, 102.8, 50), rng.uniform(34.0, 36.2, 50)
    return lon1, lat1, lon2, lat2


def test_gauss_kruger_distances_match_geodesic_within_half_percent():
    lon1, lat1, lon2, lat2 = _pairs()
    frame = MetricFrame("plane", crs="EPSG:4543")
    a, b = frame.project_lonlat(lon1, lat1), frame.project_lonlat(lon2, lat2)
    ours = frame.to_metres(np.linalg.norm(a - b, axis=1))
    geodesic = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    assert np.all(np.abs(ours / geodesic - 1) < 0.005)


def test_sphere_distances_match_geodesic_within_half_percent():
    rng = np.random.default_rng(5)
    lon1, lat1 = rng.uniform(74, 134, 200), rng.uniform(19, 52, 200)
    lon2, lat2 = rng.uniform(74, 134, 200), rng.uniform(19, 52, 200)
    frame = MetricFrame("sphere")
    a, b = frame.project_lonlat(lon1, lat1), frame.project_lonlat(lon2, lat2)
    ours = frame.to_metres(np.linalg.norm(a - b, axis=1))
    geodesic = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    assert np.all(np.abs(ours / geodesic - 1) < 0.005)


def test_sphere_chord_and_arc_are_inverse():
    frame = MetricFrame("sphere")
    metres = np.array([0.0, 2000.0, 15_000.0, 3_000_000.0])
    np.testing.assert_allclose(frame.to_metres(frame.to_straight(metres)), metres, rtol=1e-9)
    assert frame.to_straight(np.inf) == np.inf


def test_layer_without_crs_refused():
    layer = gpd.GeoDataFrame(geometry=[Point(102, 35)])
    with pytest.raises(CRSError, match="has no CRS"):
        choose_frame(layer)


def test_crs_mismatch_prints_both_crs():
    a = lonlat([(102, 35)])
    b = a.to_crs("EPSG:4543")
    with pytest.raises(CRSError, match=r"EPSG:4326.*EPSG:4543"):
        choose_frame(a, b)


def test_geographic_crs_refused_for_metres():
    with pytest.raises(CRSError, match="geographic \\(degrees\\)"):
        choose_frame(lonlat([(102, 35)]), crs="EPSG:4326")


def test_not_a_geodataframe():
    with pytest.raises(AnalysisError, match="should be a GeoDataFrame or GeoSeries, got list"):
        choose_frame([1, 2])
