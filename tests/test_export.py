"""Exports: RFC 7946 GeoJSON, GeoPackage, formula-safe CSV, filters; GDAL reads them cleanly."""

import json
import shutil
import subprocess

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.boundaries import load_layer
from geo.errors import InputError
from geo.export import csv_frame, filter_layer, to_geojson_bytes, write_layer


@pytest.fixture
def venues():
    return load_layer("venues_demo")


def test_geojson_is_rfc7946(tmp_path, venues):
    path = write_layer(venues, tmp_path / "v.geojson")
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert "黄南州党群服务中心" in text  # readable, not \u escapes
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 100 < lon < 104 and 33 < lat < 37
    assert all(len(str(c).split(".")[1]) <= 7 for c in (lon, lat))


def test_geojson_from_a_projected_layer_is_reprojected(tmp_path, venues):
    data = json.loads(to_geojson_bytes(venues.to_crs("EPSG:4543")))
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert lon == pytest.approx(venues.geometry.x.iloc[0], abs=1e-6)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"county": "632322", "kind": "村群团服务站"}, None),
        ({"kind": "township_centre"}, 26),
        ({"organization": "妇联", "kind": "enterprise_home"}, 0),
        ({"status": "planned"}, 0),
        ({"township": "632322202"}, None),
    ],
)
def test_filters(venues, filters, expected):
    out = filter_layer(venues, **filters)
    if expected is not None:
        assert len(out) == expected
    for key, column in (("county", "county_code"), ("township", "township_code")):
        if key in filters:
            assert (out[column] == filters[key]).all() and len(out) > 0


def test_filter_with_unknown_vocabulary_lists_the_valid_codes(venues):
    with pytest.raises(
        InputError, match=r"--kind 'school' is not known; use one of: prefecture_centre"
    ):
        filter_layer(venues, kind="school")


def test_filter_on_a_missing_column_names_the_columns():
    counties = load_layer("counties")
    with pytest.raises(InputError, match="no 'kind' column to filter on; it has: county_code"):
        filter_layer(counties, kind="other")


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd"])
def test_csv_neutralises_formulas(cell):
    gdf = gpd.GeoDataFrame({"name": [cell], "n": [-5]}, geometry=[Point(102, 35)], crs="EPSG:4326")
    table = csv_frame(gdf)
    assert table["name"].iloc[0] == "'" + cell
    assert table["n"].iloc[0] == -5  # numbers are left alone


def test_csv_is_utf8_bom_with_lon_lat(tmp_path, venues):
    path = write_layer(venues, tmp_path / "v.csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
    assert {"lon", "lat", "name"} <= set(table.columns) and len(table) == 229


def test_polygon_csv_uses_wkt(tmp_path):
    table = csv_frame(load_layer("counties"))
    assert table["wkt"].str.startswith("MULTIPOLYGON").any()


def test_unknown_suffix_asks_for_format(tmp_path, venues):
    with pytest.raises(InputError, match="add --format geojson|gpkg|csv"):
        write_layer(venues, tmp_path / "v.txt")


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("venues_demo", ".geojson"),
        ("townships", ".gpkg"),
        ("villages", ".csv"),
        ("counties", ".geojson"),
    ],
)
def test_ogrinfo_reads_every_export_without_a_warning(tmp_path, name, suffix):
    if shutil.which("ogrinfo") is None:
        pytest.fail("GDAL's ogrinfo is needed for this test (scripts/setup test installs gdal-bin)")
    path = write_layer(load_layer(name), tmp_path / f"{name}{suffix}", layer=name)
    result = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr + result.stdout and "ERROR" not in result.stderr
