"""Synthetic registers at scale in Huangnan's real townships, for the scale benchmarks.

Deterministic (one seed): venues and demand points are drawn uniformly inside the bundled
township areas (approximate polygons, real county polygons), each carrying the codes of the
township it falls in. Venue names repeat the way offices write them (``<village>村群团服务站``
for every station of a village), so the same-name-within-50 m check meets realistic repeats.
Everything here is ILLUSTRATIVE and labelled so (``position = "illustrative"``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import load_layer
from geo.demo_register import short_village_name
from geo.schema import LEVEL_OF_KIND, VENUE_COLUMNS

#: Share of each venue kind in a synthetic register (the rest are village stations).
KIND_SHARES = {"township_centre": 0.03, "county_centre": 0.005, "community_station": 0.06,
               "enterprise_home": 0.03}  # fmt: skip
KIND_LABELS = {
    "village_station": "群团服务站", "community_station": "群团服务站",
    "township_centre": "乡镇群团服务中心", "county_centre": "县级群团服务中心",
    "enterprise_home": "企业职工之家", "prefecture_centre": "州级党群服务中心",
}  # fmt: skip


def points_in_townships(
    n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (lon, lat, township row) of ``n`` points uniform over the township areas."""
    townships = load_layer("townships").to_crs("EPSG:4326").reset_index(drop=True)
    weights = townships["area_km2"].to_numpy(float)
    which = rng.choice(len(townships), size=n, p=weights / weights.sum())
    lon, lat = np.empty(n), np.empty(n)
    for row, geom in enumerate(townships.geometry):
        todo = np.flatnonzero(which == row)
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        while len(todo):
            x = rng.uniform(minx, maxx, len(todo))
            y = rng.uniform(miny, maxy, len(todo))
            ok = shapely.contains_xy(geom, x, y)
            lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
            todo = todo[~ok]
    return lon, lat, which


def synthetic_venues(n: int, seed: int = 9) -> gpd.GeoDataFrame:
    """Return a register of ``n`` venues (VENUE_COLUMNS, EPSG:4326), one prefecture centre."""
    rng = np.random.default_rng(seed)
    townships = load_layer("townships").reset_index(drop=True)
    villages = load_layer("villages")
    lon, lat, which = points_in_townships(n, rng)
    kinds = rng.choice(["village_station", *KIND_SHARES],
                       p=[1 - sum(KIND_SHARES.values()), *KIND_SHARES.values()], size=n)
    kinds[0] = "prefecture_centre"
    township = townships["township_code"].to_numpy(object)[which]
    by_township = villages.groupby("township_code")
    village = np.empty(n, dtype=object)
    village_name = np.empty(n, dtype=object)
    for code, group in by_township:
        rows = np.flatnonzero(township == code)
        pick = rng.integers(0, len(group), len(rows))
        village[rows] = group["village_code"].to_numpy(object)[pick]
        short = group["name"].map(short_village_name).to_numpy(object)
        village_name[rows] = short[pick]
    station = np.isin(kinds, ["village_station", "community_station"])
    label = pd.Series(kinds).map(KIND_LABELS).to_numpy(object)
    town_name = townships["name"].to_numpy(object)[which]
    names = np.where(station, village_name + label, town_name + label)
    names = np.where(kinds == "enterprise_home", names + (np.arange(n) % 97).astype(str), names)
    frame = pd.DataFrame({column: None for column in VENUE_COLUMNS}, index=range(n))
    frame["id"] = [f"SYN-{i:07d}" for i in range(n)]
    frame["name"] = names
    frame["kind"] = kinds
    frame["level"] = pd.array(pd.Series(kinds).map(LEVEL_OF_KIND), dtype="Int64")
    frame["county_code"] = townships["county_code"].to_numpy(object)[which]
    frame["township_code"] = township
    frame["village_code"] = np.where(station, village, None)
    frame["organizations"] = "union;women"
    frame["status"] = "in_service"
    frame["year_opened"] = pd.array(rng.integers(2015, 2025, n), dtype="Int64")
    frame["position"] = "illustrative"
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def synthetic_demand(n: int, seed: int = 10) -> gpd.GeoDataFrame:
    """Return ``n`` demand points (villages layer columns) with illustrative populations.

    Village codes are the township code plus a running number (not NBS codes: there are not
    enough 3-digit village numbers for ~9,000 villages per township).
    """
    rng = np.random.default_rng(seed)
    townships = load_layer("townships").reset_index(drop=True)
    lon, lat, which = points_in_townships(n, rng)
    township = townships["township_code"].to_numpy(object)[which]
    frame = pd.DataFrame({
        "village_code": [f"{t}{i:07d}" for i, t in enumerate(township)],
        "name": [f"合成村{i}" for i in range(n)],
        "kind": "village",
        "township_code": township,
        "county_code": townships["county_code"].to_numpy(object)[which],
        "population": rng.integers(50, 3000, n),
        "population_source": "illustrative",
        "position": "illustrative",
    })  # fmt: skip
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def register_csv(venues: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the register as an office would send it: Chinese headers, lon/lat columns."""
    return pd.DataFrame({
        "编号": venues["id"], "名称": venues["name"], "类型": venues["kind"],
        "县": venues["county_code"], "乡镇": venues["township_code"],
        "村": venues["village_code"], "状态": "在用",
        "经度": venues.geometry.x.round(6), "纬度": venues.geometry.y.round(6),
    })  # fmt: skip
