"""Build ``data/boundaries/`` from the real source files in ``data/sources/huangnan/``.

Those are a verbatim copy of the team's ``shared/data/huangnan/`` with its PROVENANCE.md, kept in
the repository so a clean clone can rebuild and check everything.
Run ``python -m geo.reference_build [SOURCE_DIR]``. The output is deterministic: the same
sources give byte-identical files, so the committed data can be checked by rebuilding it.

What is real and what is illustrative is decided here and written into the data:

* prefecture and county polygons, county census population, township and village names and
  codes, township seat points: real (see data/boundaries/README.md for sources);
* township polygons: APPROXIMATE, the Voronoi cells of the township seats clipped to their
  county, because no public township boundary exists;
* village points and village population: ILLUSTRATIVE, placed and apportioned by the rules in
  :func:`place_villages` and :func:`apportion_population`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point

from geo.boundaries import DATA_DIR
from geo.build_common import METRIC_CRS, stable_seed
from geo.demo_register import build_demo_register

SOURCE_DIR = DATA_DIR / "sources" / "huangnan"
EQUAL_AREA_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +ellps=GRS80 +units=m"
#: Relative weight of a community (town residents) against a rural village when apportioning.
COMMUNITY_WEIGHT = 3.0


def area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return polygon areas in km² measured in an Albers equal-area projection."""
    return (gdf.to_crs(EQUAL_AREA_CRS).area / 1e6).round(1)


def build_prefecture(source: Path) -> gpd.GeoDataFrame:
    """Return the prefecture outline with its code and names."""
    gdf = gpd.read_file(source / "huangnan_prefecture_wgs84.geojson")
    gdf = gdf[["adcode", "name", "name_en", "geometry"]].copy()
    gdf["area_km2"] = area_km2(gdf)
    return gdf


def build_counties(source: Path) -> gpd.GeoDataFrame:
    """Return the 4 real county polygons joined with their 2020 census population."""
    raw = gpd.read_file(source / "huangnan_counties_wgs84.geojson")
    population = pd.read_csv(source / "huangnan_county_population_2020.csv", dtype={"adcode": str})
    gdf = raw.rename(columns={"adcode": "county_code"})[
        ["county_code", "name", "name_en", "geometry"]
    ]
    gdf = gdf.merge(
        population[["adcode", "pop_census2020"]].rename(
            columns={"adcode": "county_code", "pop_census2020": "population_2020"}
        ),
        on="county_code",
        how="left",
    )
    gdf["population_2020"] = gdf["population_2020"].astype("int64")
    gdf["area_km2"] = area_km2(gdf)
    gdf["geometry"] = shapely.make_valid(gdf.geometry.values)
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326").sort_values("county_code")


def build_township_seats(source: Path) -> gpd.GeoDataFrame:
    """Return the 33 township seat points with NBS 2023 codes and the source of each point."""
    table = pd.read_csv(source / "huangnan_townships.csv", dtype=str)
    seats = gpd.GeoDataFrame(
        {
            "township_code": table["town_code9"],
            "township_code12": table["town_code12"],
            "name": table["town_name"],
            "type": table["town_type"],
            "county_code": table["county_code"],
            "county_name": table["county_name"],
            "coord_source": table["coord_source"],
            "coord_confidence": table["coord_confidence"],
        },
        geometry=gpd.points_from_xy(
            table["lon_wgs84"].astype(float), table["lat_wgs84"].astype(float)
        ),
        crs="EPSG:4326",
    )
    return seats.sort_values("township_code").reset_index(drop=True)


def build_townships(seats: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return approximate township areas: each county split into its seats' Voronoi cells.

    Cells are computed in metres (EPSG:4543) per county, so a township never crosses its
    county's real boundary and the townships of a county tile it exactly.
    """
    seats_m = seats.to_crs(METRIC_CRS)
    counties_m = counties.to_crs(METRIC_CRS).set_index("county_code")
    parts = []
    for county_code, group in seats_m.groupby("county_code"):
        county_shape = counties_m.loc[county_code, "geometry"]
        cells = shapely.voronoi_polygons(
            MultiPoint(list(group.geometry)), extend_to=county_shape.envelope.buffer(50_000)
        )
        for _, seat in group.iterrows():
            cell = next(c for c in cells.geoms if c.intersects(seat.geometry))
            parts.append({**seat.drop("geometry").to_dict(), "geometry": cell & county_shape})
    townships = gpd.GeoDataFrame(parts, geometry="geometry", crs=METRIC_CRS).to_crs("EPSG:4326")
    townships = townships.drop(columns=["coord_source", "coord_confidence"])
    townships["approximate"] = True
    townships["area_km2"] = area_km2(townships)
    return townships.sort_values("township_code").reset_index(drop=True)


def _random_point_in(shape, anchor: Point, rng: np.random.Generator, pull: float) -> Point:
    """Draw a point inside ``shape``; ``pull`` < 1 draws it toward ``anchor`` (the seat)."""
    minx, miny, maxx, maxy = shape.bounds
    for _ in range(10_000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        x = anchor.x + (x - anchor.x) * pull
        y = anchor.y + (y - anchor.y) * pull
        candidate = Point(x, y)
        if shape.contains(candidate):
            return candidate
    return shape.representative_point()


def place_villages(
    villages: pd.DataFrame, townships: gpd.GeoDataFrame, seats: gpd.GeoDataFrame
) -> gpd.GeoSeries:
    """Return an ILLUSTRATIVE point for each village, deterministic from its code.

    Rule: communities (社区) lie within about 1.5 km of their township seat; villages and
    pastoral committees are drawn inside their township area, pulled part-way toward the seat
    (settlements cluster along the valley that holds the seat). Each draw is seeded by the
    village code, so adding a village never moves another.
    """
    areas = townships.to_crs(METRIC_CRS).set_index("township_code").geometry
    seat_points = seats.to_crs(METRIC_CRS).set_index("township_code").geometry
    points = []
    for row in villages.itertuples():
        rng = np.random.default_rng(stable_seed(row.village_code))
        seat = seat_points[row.township_code]
        area = areas[row.township_code]
        if row.kind == "community":
            area = area & seat.buffer(1_500)
        pull = 1.0 if row.kind == "community" else rng.uniform(0.35, 0.9)
        points.append(_random_point_in(area, seat, rng, pull))
    return gpd.GeoSeries(points, crs=METRIC_CRS).to_crs("EPSG:4326")


def apportion_population(villages: pd.DataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """Return an ILLUSTRATIVE population per village that sums to its county's census total.

    Rule: weight 3 for a community and 1 for a village, times a deterministic factor in
    [0.6, 1.4] seeded by the village code; each county's 2020 census population is split in
    proportion to the weights, rounded by largest remainder so the county sums stay exact.
    """
    factor = np.array(
        [
            np.random.default_rng(stable_seed("pop" + code)).uniform(0.6, 1.4)
            for code in villages["village_code"]
        ]
    )
    weight = np.where(villages["kind"] == "community", COMMUNITY_WEIGHT, 1.0) * factor
    totals = counties.set_index("county_code")["population_2020"]
    population = pd.Series(0, index=villages.index, dtype="int64")
    for county_code, index in villages.groupby("county_code").groups.items():
        share = weight[villages.index.get_indexer(index)]
        exact = totals[county_code] * share / share.sum()
        floor = np.floor(exact).astype("int64")
        remainder = int(totals[county_code] - floor.sum())
        floor[np.argsort(-(exact - floor), kind="stable")[:remainder]] += 1
        population[index] = floor
    return population


def build_villages(
    source: Path, townships: gpd.GeoDataFrame, seats: gpd.GeoDataFrame, counties
) -> gpd.GeoDataFrame:
    """Return the 299 villages/communities with real codes and illustrative points/population."""
    table = pd.read_csv(source / "huangnan_villages.csv", dtype=str)
    villages = pd.DataFrame(
        {
            "village_code": table["village_code12"],
            "name": table["village_name"],
            "kind": np.where(table["kind"].str.startswith("community"), "community", "village"),
            "township_code": table["town_code9"],
            "township_name": table["town_name"],
            "county_code": table["county_code"],
            "ur_code_2016": table["ur_code_2016"],
        }
    )
    villages["population"] = apportion_population(villages, counties)
    villages["population_source"] = "illustrative"
    villages["position"] = "illustrative"
    geometry = place_villages(villages, townships, seats)
    return gpd.GeoDataFrame(villages, geometry=geometry.values, crs="EPSG:4326")


def write_geojson_file(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write ``gdf`` as RFC 7946 GeoJSON with 7 decimals, replacing any old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    gdf.to_file(path, driver="GeoJSON", RFC7946="YES", COORDINATE_PRECISION=7, WRITE_NAME="NO")


def build_all(source: Path = SOURCE_DIR, out_dir: Path = DATA_DIR) -> dict[str, int]:
    """Build every reference layer and the demo register; return the row count of each."""
    prefecture = build_prefecture(source)
    counties = build_counties(source)
    seats = build_township_seats(source)
    townships = build_townships(seats, counties)
    villages = build_villages(source, townships, seats, counties)
    venues = build_demo_register(counties, seats, villages)
    layers = {
        "boundaries/prefecture.geojson": prefecture,
        "boundaries/counties.geojson": counties,
        "boundaries/township_seats.geojson": seats,
        "boundaries/townships.geojson": townships,
        "boundaries/villages.geojson": villages,
        "demo/venues.geojson": venues,
    }
    for relative, gdf in layers.items():
        write_geojson_file(gdf, out_dir / relative)
    return {relative: len(gdf) for relative, gdf in layers.items()}


if __name__ == "__main__":
    source_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE_DIR
    for name, count in build_all(source_dir).items():
        print(f"{name}: {count} rows")
