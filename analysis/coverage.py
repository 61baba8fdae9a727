"""Coverage: for every demand point, the nearest venue of each level and whether it is served.

A demand point (village, community or any settlement with a population) is *covered at level L*
when an existing venue of level L serves it under its service standard
(`analysis.standards`): within the standard's effective distance (straight line x detour, or
network distance when roads are given), its own village for stations, or anywhere in the
prefecture for the prefecture centre. The headline ``covered`` is coverage at any of the
standards' ``headline_levels`` (default 2-4). Enterprise homes serve their own workers and are
left out of geographic coverage. Planned and closed venues are left out unless asked.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis import core
from analysis._validate import (
    DEFAULT_STATUSES,
    check_layer,
    codes,
    population,
    select_venues,
    take_or_none,
    venue_ids,
    venue_levels,
)
from analysis.metric import MetricFrame, check_same_crs, project_layers
from analysis.roads import DEFAULT_CONNECT_M, DEFAULT_SNAP_M, RoadNetwork
from analysis.standards import ServiceStandard, Standards, default_standards
from geo.errors import AnalysisError

LEVELS = (1, 2, 3, 4)


class DistanceOracle:
    """Effective distances from demand points to subsets of venues, in metres.

    Straight line x detour on a KD-tree, or network distance when a `RoadNetwork` is given.
    Built once per analysis so the projection and the road snapping happen once.
    """

    def __init__(
        self,
        frame: MetricFrame,
        demand_xy: np.ndarray,
        venue_xy: np.ndarray,
        detour: float,
        network: RoadNetwork | None = None,
    ) -> None:
        if not (math.isfinite(detour) and detour >= 1):
            raise AnalysisError(
                f"detour should be >= 1 and finite (1 = straight line), got {detour!r}."
            )
        self.frame, self.demand_xy, self.venue_xy = frame, demand_xy, venue_xy
        self.detour, self.network = detour, network

    def nearest(
        self, positions: np.ndarray, hint_m: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Return (distance_m, venue position, travel minutes or None) of the nearest venue.

        ``positions`` index the venue array; the returned position is one of them, -1 if none.
        ``hint_m`` (e.g. the service radius) only speeds the search up, see `core.nearest`.
        """
        n = len(self.demand_xy)
        if len(positions) == 0:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64), None
        if self.network is not None:
            dist, local, minutes = self.network.nearest(self.venue_xy[positions], self.demand_xy)
        else:
            tree = core.build_tree(self.venue_xy[positions])
            hint = self.frame.to_straight(hint_m / self.detour) if hint_m else None
            straight, local = core.nearest(tree, self.demand_xy, hint)
            dist, minutes = self.frame.to_metres(straight) * self.detour, None
        found = local >= 0
        return dist, np.where(found, positions[np.maximum(local, 0)], -1), minutes


def assess_coverage(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    standards: Standards | None = None,
    *,
    detour: float | None = None,
    roads: gpd.GeoDataFrame | None = None,
    kinds: Iterable[str] | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    population_col: str = "population",
    frame: MetricFrame | None = None,
    snap_m: float = DEFAULT_SNAP_M,
    connect_m: float = DEFAULT_CONNECT_M,
) -> gpd.GeoDataFrame:
    """Return demand with, per level, the nearest venue, its distance and a covered flag.

    Parameters
    ----------
    demand
        Points (or polygons, measured at a representative point) with a population column.
    venues
        The venue register (columns ``id``, ``kind``, ``status``, ``village_code``...).
    standards
        Service standards; defaults to `analysis.standards.default_standards`.
    detour
        Road / straight-line factor; defaults to ``standards.detour``. Ignored with ``roads``.
    roads
        Optional road LineStrings: distances are then measured on the network.
    kinds, statuses
        Venue kinds and statuses to use (default: every kind, in-service only).
    population_col
        Name of the population column of ``demand``.
    frame
        Metric frame; chosen from the data when None (see `analysis.metric.choose_frame`).
    snap_m, connect_m
        With ``roads``: road ends within ``snap_m`` join; points farther than ``connect_m``
        from the largest road component are unreachable (see `analysis.roads`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``demand``'s columns plus ``level{L}_venue_id``, ``level{L}_distance_m`` (effective),
        ``level{L}_covered`` for L in 1..4 (``level{L}_time_min`` when roads have speeds) and
        the headline ``covered``; with ``roads`` also ``road_access_m`` (distance to the road
        network) and ``road_reachable``; same index and CRS as ``demand``.
    """
    check_layer(demand, "demand")
    check_layer(venues, "venues", required=("kind",), allow_empty=True)
    pop = population(demand, population_col)
    standards = standards or default_standards()
    check_same_crs(demand, venues, *([roads] if roads is not None else []))
    chosen = select_venues(venues, statuses=statuses, kinds=kinds)
    stds = [standards.get(kind) for kind in chosen["kind"]]
    geographic = np.array([s.geographic for s in stds], dtype=bool)
    chosen = chosen.loc[geographic]
    stds = [s for s, g in zip(stds, geographic, strict=True) if g]
    frame, (demand_xy, venue_xy) = project_layers(demand, chosen, frame=frame)
    network = None
    if roads is not None:
        network = RoadNetwork.from_roads(roads, frame, snap_m=snap_m, connect_m=connect_m)
    oracle = DistanceOracle(
        frame, demand_xy, venue_xy, standards.detour if detour is None else detour, network
    )
    out = demand.copy()
    out[population_col] = pop
    ids, levels = venue_ids(chosen), venue_levels(chosen) if len(chosen) else np.empty(0, int)
    context = _Context(oracle, stds, chosen, demand)
    for level in LEVELS:
        positions = np.flatnonzero(levels == level)
        dist, nearest_pos, minutes = oracle.nearest(positions, standards.level_radius_m(level))
        out[f"level{level}_venue_id"] = pd.Series(
            take_or_none(ids, nearest_pos), index=out.index, dtype=object
        )
        out[f"level{level}_distance_m"] = dist
        if minutes is not None:
            out[f"level{level}_time_min"] = minutes
        out[f"level{level}_covered"] = context.covered(positions, dist, minutes)
    out["covered"] = out[[f"level{level}_covered" for level in standards.headline_levels]].any(
        axis=1
    )
    if network is not None:
        out["road_access_m"] = network.access(demand_xy)[1]
        out["road_reachable"] = out["road_access_m"] <= network.connect_m
    return out


class _Context:
    """The per-analysis data needed to decide coverage of one level, group by group."""

    def __init__(
        self,
        oracle: DistanceOracle,
        stds: list[ServiceStandard],
        venues: gpd.GeoDataFrame,
        demand: gpd.GeoDataFrame,
    ) -> None:
        self.oracle, self.venues, self.demand = oracle, venues, demand
        # venues sharing one standard form a group; kinds are few, so key by kind
        self.kind = np.array([s.kind for s in stds], dtype=object)
        self.standard_of = {s.kind: s for s in stds}

    def covered(
        self, positions: np.ndarray, level_dist: np.ndarray, level_min: np.ndarray | None = None
    ) -> np.ndarray:
        """Return the covered flag of demand by the venues at ``positions`` (one level).

        A standard in minutes is checked against network travel time when the roads carry
        speeds (``level_min``), else against its distance at the documented speed.
        """
        result = np.zeros(len(self.demand), dtype=bool)
        kinds = pd.Series(self.kind[positions], dtype=object)
        groups: dict[tuple, list[np.ndarray]] = {}
        for kind, members in kinds.groupby(kinds, sort=True).indices.items():
            s = self.standard_of[kind]
            key = (s.scope, s.radius_m, s.own_village, getattr(s, "minutes", None))
            groups.setdefault(key, []).append(
                positions[members]
            )
        single = len(groups) == 1
        for (scope, radius_m, own_village, minutes), parts in groups.items():
            members = np.sort(np.concatenate(parts))
            if scope == "prefecture":
                result |= self._same_prefecture(members)
                continue
            dist, _, time_min = (
                (level_dist, None, level_min) if single else self.oracle.nearest(members, radius_m)
            )
            if minutes is not None and time_min is not None:
                result |= time_min <= minutes
            else:
                result |= dist <= radius_m if radius_m is not None else np.isfinite(dist)
            if own_village:
                own = set(codes(self.venues.iloc[members], "village_code")) - {None}
                demand_village = pd.Series(codes(self.demand, "village_code"), dtype=object)
                result |= demand_village.isin(own).to_numpy()
        return result

    def _same_prefecture(self, members: np.ndarray) -> np.ndarray:
        venue_pref = _prefecture_codes(self.venues.iloc[members])
        demand_pref = _prefecture_codes(self.demand)
        if venue_pref.isna().any() or demand_pref.isna().any():
            return np.full(len(self.demand), bool(len(members)))
        return demand_pref.isin(set(venue_pref)).to_numpy()


def _prefecture_codes(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Return 4-digit prefecture codes (from county_code), missing where unknown."""
    county = pd.Series(codes(gdf, "county_code"), dtype=object)
    return county.where(county.str.len() >= 4).str[:4]


def summarise_coverage(
    result: gpd.GeoDataFrame,
    by: str = "county_code",
    *,
    population_col: str = "population",
    totals: bool = True,
) -> pd.DataFrame:
    """Roll coverage up per ``by`` (e.g. ``"county_code"`` or ``"township_code"``).

    Returns
    -------
    pandas.DataFrame
        One row per group (and a last row ``"all"`` when ``totals``): ``demand``, ``covered``,
        ``population``, ``population_covered``, ``share_covered``,
        ``population_share_covered`` and ``level{L}_population_share`` for each level.
    """
    if by not in result.columns:
        raise AnalysisError(
            f"cannot summarise by {by!r}: no such column; use 'county_code' or 'township_code'."
        )
    frame = pd.DataFrame({by: result[by].astype(object).where(result[by].notna(), "unknown")})
    frame["demand"] = 1
    frame["covered"] = result["covered"].astype(int)
    frame["population"] = result[population_col].astype(float)
    frame["population_covered"] = frame["population"] * result["covered"].astype(float)
    level_cols = [f"level{L}_covered" for L in LEVELS if f"level{L}_covered" in result.columns]
    for column in level_cols:
        frame[column.replace("_covered", "_pop")] = frame["population"] * result[column]
    table = frame.groupby(by, sort=True).sum(numeric_only=True).reset_index()
    if totals:
        total = table.drop(columns=[by]).sum().to_frame().T
        total.insert(0, by, "all")
        table = pd.concat([table, total], ignore_index=True)
    return _shares(table, level_cols)


def _shares(table: pd.DataFrame, level_cols: list[str]) -> pd.DataFrame:
    population_total = table["population"].where(table["population"] > 0)
    table["share_covered"] = table["covered"] / table["demand"]
    table["population_share_covered"] = (table["population_covered"] / population_total).fillna(0)
    for column in level_cols:
        pop_col = column.replace("_covered", "_pop")
        table[column.replace("_covered", "_population_share")] = (
            table.pop(pop_col) / population_total
        ).fillna(0)
    for column in ("demand", "covered"):
        table[column] = table[column].astype(int)
    return table


def coverage_totals(result: gpd.GeoDataFrame, *, population_col: str = "population") -> dict:
    """Return the headline figures: demand, covered, population, population_covered."""
    pop = result[population_col].astype(float)
    covered = result["covered"].astype(bool)
    return {
        "demand": int(len(result)),
        "covered": int(covered.sum()),
        "population": float(pop.sum()),
        "population_covered": float(pop[covered].sum()),
    }
