"""Four-level network checks: each level present where it should be and linked upward.

The venue network has four levels (prefecture, county, township, village/community). These
checks find holes and inconsistencies a planner fixes first:

* townships with / without an in-service township centre;
* villages with / without a station (a station counts for the village of its ``village_code``);
* village stations farther than the township standard from every township centre;
* township centres farther than the county standard from every county venue;
* stations whose nearest township centre lies in another township;
* orphans: venues whose township or county code is unknown, or whose point lies outside the
  county they claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis._validate import (
    DEFAULT_STATUSES,
    check_layer,
    codes,
    select_venues,
    take_or_none,
    venue_ids,
    with_columns,
)
from analysis.coverage import DistanceOracle
from analysis.metric import MetricFrame, check_same_crs, choose_frame
from analysis.roads import DEFAULT_CONNECT_M, DEFAULT_SNAP_M, RoadNetwork
from analysis.standards import Standards, default_standards
from geo.schema import VENUE_COLUMNS

STATION_KINDS = ("village_station", "community_station")
COUNTY_KINDS = ("county_centre",)


@dataclass
class NetworkReport:
    """Counts of the four-level checks and the offending rows.

    ``counts`` keys: townships, townships_with_centre, villages, villages_with_station, stations,
    stations_beyond_township_standard, township_centres, centres_beyond_county_standard,
    stations_nearest_centre_in_other_township, orphans, enterprise_homes.
    """

    counts: dict[str, int]
    townships_without_centre: pd.DataFrame
    villages_without_station: gpd.GeoDataFrame
    stations_beyond_township_standard: gpd.GeoDataFrame
    centres_beyond_county_standard: gpd.GeoDataFrame
    stations_nearest_centre_in_other_township: gpd.GeoDataFrame
    orphans: gpd.GeoDataFrame
    notes: list[str] = field(default_factory=list)


def check_network(
    venues: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    townships: pd.DataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
    standards: Standards | None = None,
    detour: float | None = None,
    roads: gpd.GeoDataFrame | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    frame: MetricFrame | None = None,
    snap_m: float = DEFAULT_SNAP_M,
    connect_m: float = DEFAULT_CONNECT_M,
) -> NetworkReport:
    """Run the four-level checks.

    Parameters
    ----------
    venues
        The venue register.
    villages
        Villages/communities (``village_code``, ``township_code``).
    townships
        The township list (``township_code``, optional ``name``); defaults to the townships
        named by ``villages``.
    counties
        County polygons (``county_code``) to find venues outside their stated county.
    standards, detour, roads, statuses, frame, snap_m, connect_m
        As for `analysis.coverage.assess_coverage`.
    """
    check_layer(venues, "venues", required=("kind",), allow_empty=True)
    check_layer(villages, "villages", required=("village_code", "township_code"))
    standards = standards or default_standards()
    detour = standards.detour if detour is None else detour
    spatial = [venues, villages] + ([roads] if roads is not None else [])
    frame = frame or choose_frame(*spatial)
    live = select_venues(venues, statuses=statuses)
    township_table = _townships(townships, villages)
    centres = live.loc[live["kind"] == "township_centre"]
    stations = live.loc[live["kind"].isin(STATION_KINDS)]
    centre_townships = set(codes(centres, "township_code"))
    without_centre = township_table.loc[~township_table["township_code"].isin(centre_townships)]
    station_villages = set(codes(stations, "village_code"))
    village_code = codes(villages, "village_code")
    has_station = np.array([c in station_villages for c in village_code], dtype=bool)
    network = None
    if roads is not None:
        network = RoadNetwork.from_roads(roads, frame, snap_m=snap_m, connect_m=connect_m)
    far_stations, other_township = _stations_vs_centres(
        stations, centres, frame, detour, network, standards.get("township_centre").radius_m
    )
    county_sites = live.loc[live["kind"].isin(COUNTY_KINDS)]
    far_centres = _beyond(centres, county_sites, frame, detour, network,
                          standards.get("county_centre").radius_m)  # fmt: skip
    orphans = find_orphans(venues, township_table, counties)
    counts = {
        "townships": len(township_table),
        "townships_with_centre": len(township_table) - len(without_centre),
        "villages": len(villages),
        "villages_with_station": int(has_station.sum()),
        "stations": len(stations),
        "stations_beyond_township_standard": len(far_stations),
        "township_centres": len(centres),
        "centres_beyond_county_standard": len(far_centres),
        "stations_nearest_centre_in_other_township": len(other_township),
        "orphans": len(orphans),
        "enterprise_homes": int((live["kind"] == "enterprise_home").sum()),
    }
    return NetworkReport(counts, without_centre, villages.loc[~has_station], far_stations,
                         far_centres, other_township, orphans)  # fmt: skip


def _townships(townships: pd.DataFrame | None, villages: gpd.GeoDataFrame) -> pd.DataFrame:
    if townships is not None:
        check_layer(townships, "townships", required=("township_code",)) if isinstance(
            townships, gpd.GeoDataFrame
        ) else None
        table = pd.DataFrame(townships.drop(columns="geometry", errors="ignore"))
        table["township_code"] = codes(townships, "township_code")
        return table.reset_index(drop=True)
    found = sorted({c for c in codes(villages, "township_code") if c})
    return pd.DataFrame({"township_code": found})


def _nearest(
    targets: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    frame: MetricFrame,
    detour: float,
    network: RoadNetwork | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Effective distance from each target to its nearest source, and that source's position."""
    if len(targets) == 0:
        return np.empty(0), np.empty(0, dtype=np.int64)
    dim = 2 if frame.kind == "plane" else 3
    source_xy = frame.project(sources) if len(sources) else np.empty((0, dim))
    oracle = DistanceOracle(frame, frame.project(targets), source_xy, detour, network)
    dist, position, _ = oracle.nearest(np.arange(len(sources)))
    return dist, position


def _stations_vs_centres(
    stations: gpd.GeoDataFrame,
    centres: gpd.GeoDataFrame,
    frame: MetricFrame,
    detour: float,
    network: RoadNetwork | None,
    radius_m: float | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    dist, position = _nearest(stations, centres, frame, detour, network)
    out = stations.copy()
    out["nearest_centre_id"] = take_or_none(venue_ids(centres), position)
    out["nearest_centre_distance_m"] = dist
    centre_township = codes(centres, "township_code")
    nearest_township = take_or_none(centre_township, position)
    out["nearest_centre_township_code"] = nearest_township
    far = dist > radius_m if radius_m is not None else ~np.isfinite(dist)
    station_township = codes(stations, "township_code")
    other = (position >= 0) & (nearest_township != station_township)
    return out.loc[far], out.loc[other]


def _beyond(
    targets: gpd.GeoDataFrame,
    sources: gpd.GeoDataFrame,
    frame: MetricFrame,
    detour: float,
    network: RoadNetwork | None,
    radius_m: float | None,
) -> gpd.GeoDataFrame:
    dist, position = _nearest(targets, sources, frame, detour, network)
    out = targets.copy()
    out["nearest_county_venue_id"] = take_or_none(venue_ids(sources), position)
    out["nearest_county_venue_distance_m"] = dist
    far = dist > radius_m if radius_m is not None else ~np.isfinite(dist)
    return out.loc[far]


def find_orphans(
    venues: gpd.GeoDataFrame,
    townships: pd.DataFrame | None = None,
    counties: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return venues with an unknown township/county code or lying outside their county.

    Adds a ``reason`` column. Prefecture venues need no township; county venues no township.
    """
    venues = with_columns(venues, VENUE_COLUMNS)
    reasons = pd.Series("", index=venues.index, dtype=object)
    level = venues["kind"].map({"prefecture_centre": 1, "county_centre": 2}).fillna(3)
    if townships is not None and len(townships):
        known = set(codes(townships, "township_code"))
        township = pd.Series(codes(venues, "township_code"), index=venues.index)
        bad = (level >= 3) & ~township.isin(known)
        reasons[bad] += "unknown township_code; "
    if counties is not None and len(counties):
        check_same_crs(venues, counties)
        reasons += _county_reasons(venues, counties, level)
    out = venues.loc[reasons != ""].copy()
    out["reason"] = reasons[reasons != ""].str.rstrip("; ")
    return out


def _county_reasons(
    venues: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, level: pd.Series
) -> pd.Series:
    """Return "unknown county_code; " / "outside its stated county; " per venue (else "").

    One spatial join of the venues to the county polygons (an STR-tree, each polygon
    repaired with ``buffer(0)`` once), then a comparison with the stated county; a county
    code listed twice means its last polygon, as a code -> polygon mapping would.
    """
    reasons = pd.Series("", index=venues.index, dtype=object)
    county_codes = codes(counties, "county_code")
    county = pd.Series(codes(venues, "county_code"), index=venues.index)
    unknown = (level >= 2) & ~county.isin(set(county_codes))
    reasons[unknown] += "unknown county_code; "
    last = pd.Series(np.arange(len(county_codes)), index=county_codes)
    last = last[~last.index.duplicated(keep="last")]
    shape_row = county.map(last).to_numpy()
    polygons = shapely.buffer(np.asarray(counties.geometry.values, dtype=object), 0)
    has_shape = np.zeros(len(venues), dtype=bool)
    known = ~np.isnan(shape_row)
    has_shape[known] = ~shapely.is_missing(polygons[shape_row[known].astype(np.int64)])
    checkable = ((level >= 2) & ~unknown).to_numpy() & has_shape
    if checkable.any():
        rows = np.flatnonzero(checkable)
        points = np.asarray(venues.geometry.values, dtype=object)[rows]
        # the tree holds the points: query() then prepares each county polygon once
        county_pos, venue_pos = shapely.STRtree(points).query(polygons, predicate="intersects")
        inside = np.zeros(len(rows), dtype=bool)
        inside[venue_pos[county_pos == shape_row[rows][venue_pos].astype(np.int64)]] = True
        reasons.iloc[rows[~inside]] += "outside its stated county; "
    return reasons
