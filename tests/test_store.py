"""The user's GeoPackage store: round trips, atomic writes, user layers replacing ours."""

import os

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import store as store_module
from geo.boundaries import load_layer
from geo.errors import StoreError
from geo.register import load_reference, load_venues, uses_demo_venues
from geo.schema import VENUE_COLUMNS
from geo.store import empty_register, open_store, resolve_store_path


@pytest.fixture
def demo():
    return load_layer("venues_demo")


def test_missing_store_is_empty_and_falls_back_to_demo(tmp_path):
    path = tmp_path / "s.gpkg"
    assert len(open_store(path).venues()) == 0
    assert uses_demo_venues(path) and len(load_venues(path)) == 229
    assert not path.exists()


def test_round_trip_keeps_schema_types_and_chinese(tmp_path, demo):
    store = open_store(tmp_path / "s.gpkg")
    store.add_venues(demo.head(5))
    back = store.venues()
    assert list(back.columns) == [*VENUE_COLUMNS, "geometry"]
    assert back["name"].tolist() == demo["name"].head(5).tolist()
    assert back["county_code"].iloc[0] == "632301"
    assert str(back["year_opened"].dtype) == "Int64"
    assert back.geometry.geom_equals_exact(demo.geometry.head(5), tolerance=1e-9).all()


def test_user_venues_replace_the_demo(tmp_path, demo):
    path = tmp_path / "s.gpkg"
    open_store(path).add_venues(demo.head(2))
    assert len(load_venues(path)) == 2 and not uses_demo_venues(path)


def test_append_then_replace(tmp_path, demo):
    store = open_store(tmp_path / "s.gpkg")
    store.add_venues(demo.head(2))
    store.add_venues(demo.iloc[2:5])
    assert store.venues()["id"].tolist() == demo["id"].head(5).tolist()
    store.replace_venues(demo.iloc[[7]])
    assert store.venues()["id"].tolist() == [demo["id"].iloc[7]]


def test_failed_write_leaves_the_store_byte_identical(tmp_path, demo, monkeypatch):
    path = tmp_path / "s.gpkg"
    store = open_store(path)
    store.add_venues(demo.head(3))
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store_module, "_write_gpkg_layer", explode)
    with pytest.raises(StoreError, match="could not write layer 'venues'.*disk full"):
        store.add_venues(demo.iloc[3:6])
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["s.gpkg"]


def test_user_township_layer_replaces_the_approximate_one(tmp_path):
    path = tmp_path / "s.gpkg"
    official = load_layer("townships").head(3).assign(approximate=False)
    open_store(path).write_layer("townships", official)
    assert len(load_reference("townships", path)) == 3
    assert not load_reference("townships", path)["approximate"].any()
    assert len(load_reference("counties", path)) == 4


def test_store_path_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("VENUEMAP_STORE", str(tmp_path / "env.gpkg"))
    assert resolve_store_path() == tmp_path / "env.gpkg"
    assert resolve_store_path(tmp_path / "arg.gpkg") == tmp_path / "arg.gpkg"
    monkeypatch.delenv("VENUEMAP_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_store_path() == tmp_path / "venuemap" / "store.gpkg"


def test_a_folder_or_a_damaged_file_is_refused_clearly(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(StoreError, match="cannot open the store .*bad.gpkg"):
        open_store(bad).venues()


def test_empty_register_has_the_columns():
    empty = empty_register()
    assert list(empty.columns) == [*VENUE_COLUMNS, "geometry"] and len(empty) == 0


def test_adding_nothing_creates_nothing(tmp_path):
    path = tmp_path / "s.gpkg"
    open_store(path).add_venues(gpd.GeoDataFrame(geometry=[Point(102, 35)]).iloc[:0])
    assert not path.exists()
