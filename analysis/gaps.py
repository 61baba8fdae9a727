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
from scipy import sparse
from shapely.geometry import Polygon

from analysis import core
from analysis._validate import DEFAULT_STATUSES, check_layer, codes, select_venues, venue_ids
from analysis.coverage import LEVELS
from analysis.metric import MetricFrame, choose_frame
from analysis.standards import Standards, default_standards
from geo.errors import AnalysisError

#: H3 resolution of the desert grid: resolution 7 cells are ~5.2 km² (edge ~1.4 km).
DEFAULT_H3_RESOLUTION = 7

#: Demand points per block when redundancy counts cover pairs: the pairs of one block are
#: held at a time, so memory stays bounded at 500,000 venues (one matrix for all: 11.7 GB).
COVER_BLOCK_POINTS = 20_000


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
    own_codes = np.where([s.own_village for s in stds], codes(live, "village_code"), None)
    own = core.same_code_pairs(codes(demand, "village_code"), own_codes).tocsr()
    level = np.array([s.level for s in stds])
    covers = np.zeros(len(live), dtype=np.int64)
    sole = np.zeros(len(live), dtype=bool)
    for start in range(0, len(demand_xy), COVER_BLOCK_POINTS):
        rows = slice(start, start + COVER_BLOCK_POINTS)
        cover = _venue_cover(demand_xy[rows], venue_xy, reach, own[rows])
        covers += np.bincount(cover.indices, minlength=len(live))
        sole |= _sole_cover(cover, level)
    redundant = ~sole
    out = live.loc[redundant].copy()
    out["covers_points"] = covers[redundant]
    out["id"] = venue_ids(out)
    return out


def _venue_cover(
    demand_xy: np.ndarray, venue_xy: np.ndarray, reach: np.ndarray, own: sparse.csr_matrix
) -> sparse.csr_matrix:
    """0/1 demand x venue matrix, each venue with its own reach, plus own-village pairs."""
    own_pairs = own.tocoo()
    parts = [(own_pairs.row, own_pairs.col)]
    for radius in np.unique(reach):
        cols = np.flatnonzero(reach == radius)
        pairs = core.pairs_within(demand_xy, venue_xy[cols], float(radius)).tocoo()
        parts.append((pairs.row, cols[pairs.col]))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    cover = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(demand_xy),
                              len(venue_xy)))  # fmt: skip
    cover.sum_duplicates()
    cover.data[:] = 1.0
    return cover


def _sole_cover(cover: sparse.csr_matrix, level: np.ndarray) -> np.ndarray:
    """Mark venues that are the only venue of their level covering some demand point.

    Vectorised over the stored pairs of ``cover`` (no loop per venue): a pair (i, j) makes
    j indispensable when point i is covered by exactly one venue of j's level.
    """
    rows = np.repeat(np.arange(cover.shape[0]), np.diff(cover.indptr))
    cols = cover.indices
    levels, pair_level = np.unique(level[cols], return_inverse=True)
    key = rows * len(levels) + pair_level
    per_point_level = np.bincount(key, minlength=cover.shape[0] * len(levels))
    sole = np.zeros(cover.shape[1], dtype=bool)
    sole[cols[per_point_level[key] == 1]] = True
    return sole


def _require_coverage(result: gpd.GeoDataFrame) -> None:
    if not isinstance(result, gpd.GeoDataFrame) or "covered" not in result.columns:
        raise AnalysisError(
            "expected the GeoDataFrame returned by analysis.coverage.assess_coverage "
            "(with a 'covered' column); run assess_coverage first."
        )

