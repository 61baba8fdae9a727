"""Gaps: who is not served, where the deserts are, and which venues duplicate others.

All functions take the output of `analysis.coverage.assess_coverage` (or the venues and
demand it was computed from) and return ranked tables or GeoDataFrames ready to map.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from analysis import core
from analysis._validate import DEFAULT_STATUSES, check_layer, codes, select_venues, venue_ids
from analysis.coverage import LEVELS
from analysis.metric import MetricFrame, choose_frame
from analysis.standards import Standards, default_standards
from geo.errors import AnalysisError

#: H3 resolution of the desert grid: resolution 7 cells are ~5.2 km² (edge ~1.4 km).
DEFAULT_H3_RESOLUTION = 7


def uncovered_demand(
    result: gpd.GeoDataFrame,
    *,
    levels: Iterable[int] | None = None,
    population_col: str = "population",
) -> gpd.GeoDataFrame:
    """Return uncovered demand ranked by population (largest first), then distance (farthest).

    ``nearest_distance_m`` is the distance to the nearest venue of the given levels (default:
    the levels present in ``result`` other than the prefecture's).
    """
    _require_coverage(result)
    levels = list(levels) if levels is not None else [lv for lv in LEVELS if lv != 1]
    columns = [f"level{lv}_distance_m" for lv in levels if f"level{lv}_distance_m" in result]
    out = result.loc[~result["covered"].astype(bool)].copy()
    out["nearest_distance_m"] = out[columns].min(axis=1) if columns else np.inf
    out = out.sort_values(
        [population_col, "nearest_distance_m"], ascending=[False, False], kind="stable"
    )
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def service_deserts(
    result: gpd.GeoDataFrame,
    *,
    resolution: int = DEFAULT_H3_RESOLUTION,
    population_col: str = "population",
) -> gpd.GeoDataFrame:
    """Return H3 cells holding uncovered demand, with the population estimate of each.

    The estimate is the summed population of the uncovered demand points in the cell (points
    stand for whole villages, so a cell's figure is the villages' totals, not a density).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``h3_cell``, ``uncovered_population``, ``uncovered_points``, geometry (cell
        polygon), EPSG:4326, sorted by population, largest first.
    """
    _require_coverage(result)
    if not 0 <= resolution <= 15:
        raise AnalysisError(f"H3 resolution should be 0-15, got {resolution}.")
    gaps = result.loc[~result["covered"].astype(bool)]
    if len(gaps) == 0:
        return gpd.GeoDataFrame(
            {"h3_cell": [], "uncovered_population": [], "uncovered_points": []},
            geometry=[], crs="EPSG:4326",
        )  # fmt: skip
    points = gaps.geometry.to_crs("EPSG:4326")
    if not (points.geom_type == "Point").all():
        points = points.representative_point()
    lonlat = zip(points.x, points.y, strict=True)
    cells = [h3.latlng_to_cell(lat, lon, resolution) for lon, lat in lonlat]
    table = (
        pd.DataFrame({"h3_cell": cells, "population": gaps[population_col].to_numpy(float)})
        .groupby("h3_cell")["population"]
        .agg(uncovered_population="sum", uncovered_points="size")
        .reset_index()
        .sort_values(["uncovered_population", "h3_cell"], ascending=[False, True])
    )
    polygons = [_cell_polygon(cell) for cell in table["h3_cell"]]
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry=polygons, crs="EPSG:4326")


def _cell_polygon(cell: str) -> Polygon:
    """Return the H3 cell boundary as a lon/lat polygon (h3 gives lat/lng pairs)."""
    return Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def townships_without_centre(
    townships: pd.DataFrame,
    venues: gpd.GeoDataFrame,
    *,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
) -> pd.DataFrame:
    """Return the townships (rows of ``townships``) with no township centre of the statuses."""
    if "township_code" not in townships.columns:
        raise AnalysisError("townships need a 'township_code' column (9-digit code).")
    live = select_venues(venues, statuses=statuses)
    have = set(codes(live.loc[live["kind"] == "township_centre"], "township_code"))
    return townships.loc[~pd.Series(codes(townships, "township_code"), index=townships.index)
                         .isin(have)]  # fmt: skip


def redundant_venues(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    standards: Standards | None = None,
    *,
    detour: float | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    frame: MetricFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return venues whose every covered demand point is also covered by another venue.

    Compared within the same level, under each venue's own standard (radius and own-village
    rule). Venues covering no demand at all are listed too (``covers_points == 0``). Each row
    is redundant on its own: removing two mutually redundant venues at once may lose coverage.
    Prefecture-wide and enterprise venues are not assessed.
    """
    check_layer(demand, "demand")
    check_layer(venues, "venues", required=("kind",), allow_empty=True)
    standards = standards or default_standards()
    detour = standards.detour if detour is None else detour
    frame = frame or choose_frame(demand, venues)
    live = select_venues(venues, statuses=statuses)
    stds = [standards.get(k) for k in live["kind"]]
    assessable = np.array([s.scope == "radius" for s in stds], dtype=bool)
    live = live.loc[assessable]
    stds = [s for s, keep in zip(stds, assessable, strict=True) if keep]
    if len(live) == 0:
        return live.assign(covers_points=pd.Series(dtype=int))
    demand_xy, venue_xy = frame.project(demand), frame.project(live)
    reach = frame.to_straight(np.array([s.radius_m for s in stds]) / max(detour, 1.0))
    level = np.unique(np.array([s.level for s in stds]), return_inverse=True)[1]
    own_codes = np.where([s.own_village for s in stds], codes(live, "village_code"), None)
    own = core.same_code_pairs(codes(demand, "village_code"), own_codes).tocoo()
    gap = np.hypot(*(demand_xy[own.row] - venue_xy[own.col]).T) > reach[own.col]
    extra = (own.row[gap], own.col[gap])  # own-village pairs beyond reach: counted once more
    groups = [np.flatnonzero((level == lv) & (reach == r))
              for lv, r in sorted(set(zip(level, reach, strict=True)))]  # fmt: skip
    trees = [core.build_tree(venue_xy[cols]) for cols in groups]
    count = np.zeros((len(demand_xy), level.max() + 1), dtype=np.int64)
    for cols, tree in zip(groups, trees, strict=True):
        count[:, level[cols[0]]] += tree.query_ball_point(
            demand_xy, reach[cols[0]], return_length=True, workers=-1
        )
    np.add.at(count, (extra[0], level[extra[1]]), 1)
    sole = _sole_venues(count, demand_xy, groups, trees, reach, level, extra)
    covers = _points_covered(demand_xy, venue_xy, reach, extra)
    redundant = ~sole
    out = live.loc[redundant].copy()
    out["covers_points"] = covers[redundant]
    out["id"] = venue_ids(out)
    return out


def _sole_venues(
    count: np.ndarray,
    demand_xy: np.ndarray,
    groups: list[np.ndarray],
    trees: list,
    reach: np.ndarray,
    level: np.ndarray,
    extra: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Mark venues that are the only venue of their level covering some demand point.

    ``count`` holds, per demand point and level, how many venues cover it; only the points
    covered exactly once are queried again for the venue's identity, so no full table of
    covering pairs is ever built (at 500,000 venues it took 11.7 GB).
    """
    sole = np.zeros(len(level), dtype=bool)
    once = count[extra[0], level[extra[1]]] == 1
    sole[extra[1][once]] = True
    for cols, tree in zip(groups, trees, strict=True):
        points = np.flatnonzero(count[:, level[cols[0]]] == 1)
        found = tree.query_ball_point(demand_xy[points], reach[cols[0]], workers=-1)
        hits = np.fromiter((j for js in found for j in js), dtype=np.int64)
        sole[cols[hits]] = True
    return sole


def _points_covered(
    demand_xy: np.ndarray,
    venue_xy: np.ndarray,
    reach: np.ndarray,
    extra: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Count the demand points each venue covers: within its reach, or its own village."""
    tree = core.build_tree(demand_xy)
    within = tree.query_ball_point(venue_xy, reach, return_length=True, workers=-1)
    return np.asarray(within, dtype=np.int64) + np.bincount(extra[1], minlength=len(venue_xy))


def _require_coverage(result: gpd.GeoDataFrame) -> None:
    if not isinstance(result, gpd.GeoDataFrame) or "covered" not in result.columns:
        raise AnalysisError(
            "expected the GeoDataFrame returned by analysis.coverage.assess_coverage "
            "(with a 'covered' column); run assess_coverage first."
        )

