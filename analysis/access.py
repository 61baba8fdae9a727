"""Capacity-aware spatial access: 2SFCA, enhanced 2SFCA and the gravity (Shen) model.

A radius says whether a venue is near; access says how much of a venue's capacity is left for
each person once everyone within reach shares it. The three floating-catchment measures follow
Luo & Wang (2003), Luo & Qi (2009) and Shen (1998), with the definitions of PySAL ``access``
(``two_stage_fca``, ``enhanced_two_stage_fca``), against which the tests check them:

1. every venue *j* sums the demand it can reach, weighted: ``D_j = Σ_i w(c_ij) P_i``;
2. its supply-to-demand ratio is ``R_j = S_j / D_j`` (capacity per person in its catchment);
3. every demand point sums the ratios of the venues it can reach: ``A_i = Σ_j w(c_ij) R_j``.

``c_ij`` is the travel cost (effective metres, or minutes) and only pairs within the catchment
count. The weight ``w`` is 1 for ``"2sfca"``; a distance decay for ``"e2sfca"`` (default
Gaussian) and for ``"gravity"`` (default power, and no catchment limit unless one is given).
``A_i`` is a supply-to-demand ratio: capacity (people) per resident, 1.0 meaning the venues in
reach could serve everyone. ``access_index`` divides it by its population-weighted mean
(PySAL's ``normalize=True``), so 1.0 is the prefecture average.

Decays (``scale`` = half the catchment unless given; ``c`` the cost):

* ``gaussian``: ``exp(-c² / (2 scale²))`` (PySAL ``weights.gaussian(sigma=scale)``);
* ``exponential``: ``exp(-c / scale)``;
* ``power``: ``(max(c, scale) / scale) ** -POWER_BETA`` (PySAL ``weights.gravity(scale,
  -beta, min_dist=scale)``), flat within ``scale`` so a venue next door does not dominate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from analysis import core
from analysis._validate import (
    DEFAULT_STATUSES,
    check_layer,
    codes,
    population,
    select_venues,
    venue_ids,
)
from analysis.capacity import venue_capacity
from analysis.metric import MetricFrame, check_same_crs, project_layers
from analysis.standards import Standards, default_standards
from geo.errors import AnalysisError

METHODS = ("2sfca", "e2sfca", "gravity")
DECAYS = ("gaussian", "exponential", "power")
DEFAULT_DECAY = {"2sfca": None, "e2sfca": "gaussian", "gravity": "power"}
#: Exponent of the power decay (gravity model); 2 is the classic gravity value.
POWER_BETA = 2.0
#: Scale of the power decay when there is no catchment to take half of, metres.
DEFAULT_POWER_SCALE_M = 1_000.0


def decay_weights(cost: np.ndarray, decay: str | None, scale: np.ndarray | float) -> np.ndarray:
    """Return the weight of each cost under ``decay`` (None: 1 everywhere); see module doc.

    An infinite ``scale`` (a venue without a distance limit) gives weight 1.
    """
    cost = np.asarray(cost, dtype=float)
    scale = np.broadcast_to(np.asarray(scale, dtype=float), cost.shape)
    if decay is None:
        return np.ones_like(cost)
    with np.errstate(divide="ignore", invalid="ignore"):
        if decay == "gaussian":
            w = np.exp(-(cost**2) / (2.0 * scale**2))
        elif decay == "exponential":
            w = np.exp(-cost / scale)
        elif decay == "power":
            w = (np.maximum(cost, scale) / scale) ** -POWER_BETA
        else:
            raise AnalysisError(f"decay should be one of {', '.join(DECAYS)}, got {decay!r}.")
    return np.where(np.isinf(scale), 1.0, w)


def floating_catchment(
    cost: sparse.csr_matrix, demand: np.ndarray, supply: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (access per demand point, ratio per venue, demand per venue): the numeric core.

    Parameters
    ----------
    cost
        Demand x venue CSR matrix whose stored entries are the pairs within the catchment.
    demand, supply
        Population per demand point; capacity per venue.
    weight
        Weight of each stored entry (aligned with ``cost.data``).
    """
    w = sparse.csr_matrix((weight, cost.indices, cost.indptr), shape=cost.shape)
    demand_in_reach = np.asarray(w.T @ demand, dtype=float).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(demand_in_reach > 0, supply / demand_in_reach, 0.0)
    return np.asarray(w @ ratio, dtype=float).ravel(), ratio, demand_in_reach


@dataclass(frozen=True)
class AccessResult:
    """Access per demand point and supply-to-demand ratio per venue.

    Attributes
    ----------
    demand
        The demand with ``access`` (capacity per resident), ``access_index`` (1 = weighted
        mean) and ``venues_in_reach``.
    venues
        The venues used, with ``capacity``, ``capacity_source``, ``demand_in_reach`` (weighted
        people) and ``supply_ratio`` (capacity per person in reach).
    method, decay, unit
        The measure, the decay (None for 2SFCA) and the cost unit (``"m"`` or ``"min"``).
    """

    demand: gpd.GeoDataFrame
    venues: gpd.GeoDataFrame
    method: str
    decay: str | None
    unit: str


@dataclass(frozen=True)
class Catchment:
    """Where a venue's catchment ends: one limit for all, or each kind's standard.

    Attributes
    ----------
    radius_m
        One effective distance for every venue, metres.
    minutes
        One travel time for every venue; costs are then minutes at ``speed_kmh``.
    speed_kmh
        Speed turning effective metres into minutes (needed with ``minutes``).
    unlimited
        True for no catchment limit at all (the gravity model's default).
    """

    radius_m: float | None = None
    minutes: float | None = None
    speed_kmh: float | None = None
    unlimited: bool = False


#: Decay scale when a venue's catchment has no limit (gravity model, prefecture centre), metres.
DEFAULT_SCALE_M = 2_000.0


def assess_access(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    standards: Standards | None = None,
    *,
    method: str = "2sfca",
    catchment: Catchment | None = None,
    decay: str | None = None,
    decay_scale: float | None = None,
    detour: float | None = None,
    capacity_field: str = "capacity",
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    kinds: Iterable[str] | None = None,
    population_col: str = "population",
    frame: MetricFrame | None = None,
) -> AccessResult:
    """Return every demand point's access to venue capacity (see the module docstring).

    Parameters
    ----------
    demand
        Points with a population column.
    venues
        Venue register rows; capacity from ``capacity_field``, ``floor_area_m2`` or the kind's
        default (`analysis.capacity.venue_capacity`). Non-geographic kinds are left out.
    standards
        Catchment of each kind when ``catchment`` sets no common limit (stations then also
        reach their own village at any distance); also the default ``detour``.
    method
        ``"2sfca"``, ``"e2sfca"`` or ``"gravity"``.
    catchment
        A common limit (radius or minutes) or none; default: each kind's standard, or no limit
        for the gravity model.
    decay, decay_scale
        Decay function (default per method) and its scale in cost units (default: half the
        catchment; `DEFAULT_SCALE_M` without one).
    detour
        Effective distance = straight line x detour (default ``standards.detour``).
    capacity_field, statuses, kinds, population_col, frame
        Capacity column; which venues count; population column; metric frame.
    """
    method, decay = _check_method(method, decay)
    check_layer(demand, "demand")
    check_layer(venues, "venues", allow_empty=True)
    pop = population(demand, population_col)
    check_same_crs(demand, venues)
    standards = standards or default_standards()
    detour = standards.detour if detour is None else float(detour)
    if not detour >= 1:
        raise AnalysisError(f"detour should be >= 1 (1 = straight line), got {detour!r}.")
    catchment = catchment or Catchment(unlimited=method == "gravity")
    chosen = _geographic(select_venues(venues, statuses=statuses, kinds=kinds), standards)
    capacity = venue_capacity(chosen, capacity_field)
    frame, (demand_xy, venue_xy) = project_layers(demand, chosen, frame=frame)
    limit, per_kind = _limits(chosen, standards, catchment)
    cost = _costs(frame, demand_xy, venue_xy, limit, detour, catchment)
    if per_kind:
        cost = _with_own_village(cost, demand, chosen, standards, frame, demand_xy, venue_xy,
                                 detour)  # fmt: skip
    scale = _scales(limit, decay_scale, catchment)
    weight = decay_weights(cost.data, decay, scale[cost.indices])
    access, ratio, reach = floating_catchment(cost, pop, capacity["capacity"].to_numpy(), weight)
    return _result(demand, chosen, capacity, pop, access, ratio, reach, cost, method, decay,
                   "min" if catchment.minutes is not None else "m")  # fmt: skip


def _check_method(method: str, decay: str | None) -> tuple[str, str | None]:
    method = str(method).lower().replace("-", "").replace("_", "")
    if method not in METHODS:
        raise AnalysisError(f"method should be one of {', '.join(METHODS)}, got {method!r}.")
    if decay is not None and decay not in DECAYS:
        raise AnalysisError(f"decay should be one of {', '.join(DECAYS)}, got {decay!r}.")
    if method == "2sfca" and decay is not None:
        raise AnalysisError(
            "2sfca weighs every venue in reach equally and takes no decay; use "
            "--method e2sfca (or gravity) with --decay."
        )
    return method, decay if decay is not None else DEFAULT_DECAY[method]


def _geographic(venues: gpd.GeoDataFrame, standards: Standards) -> gpd.GeoDataFrame:
    if "kind" not in venues.columns or not len(venues):
        return venues
    return venues.loc[[standards.get(k).geographic for k in venues["kind"]]]


def _limits(
    venues: gpd.GeoDataFrame, standards: Standards, catchment: Catchment
) -> tuple[np.ndarray, bool]:
    """Return each venue's catchment limit in cost units (inf = none) and if it is per kind."""
    m = len(venues)
    if catchment.minutes is not None:
        if not catchment.minutes > 0 or not (catchment.speed_kmh or 0) > 0:
            raise AnalysisError(
                f"a catchment in minutes needs minutes > 0 and a speed > 0 km/h, got "
                f"{catchment.minutes!r} min at {catchment.speed_kmh!r} km/h."
            )
        return np.full(m, float(catchment.minutes)), False
    if catchment.radius_m is not None:
        if not catchment.radius_m > 0:
            raise AnalysisError(f"the catchment radius should be > 0 m, got {catchment.radius_m}.")
        return np.full(m, float(catchment.radius_m)), False
    if catchment.unlimited or "kind" not in venues.columns:
        return np.full(m, np.inf), False
    radius = [standards.get(k).radius_m for k in venues["kind"]]
    return np.array([np.inf if r is None else r for r in radius], dtype=float), True


def _costs(
    frame: MetricFrame,
    demand_xy: np.ndarray,
    venue_xy: np.ndarray,
    limit: np.ndarray,
    detour: float,
    catchment: Catchment,
) -> sparse.csr_matrix:
    """Travel cost of every demand-venue pair within the venue's catchment (CSR)."""
    per_minute_m = (catchment.speed_kmh or 0) * 1000.0 / 60.0
    to_metres = per_minute_m if catchment.minutes is not None else 1.0
    largest = float(limit.max()) if len(limit) else 0.0
    reach = np.inf if np.isinf(largest) else float(frame.to_straight(largest * to_metres / detour))
    pairs = core.pairs_within(demand_xy, venue_xy, reach).tocoo()
    cost = np.maximum(frame.to_metres(pairs.data) * detour / to_metres, 1e-9)
    keep = cost <= limit[pairs.col]
    return sparse.csr_matrix(
        (cost[keep], (pairs.row[keep], pairs.col[keep])), shape=(len(demand_xy), len(venue_xy))
    )


def _with_own_village(
    cost: sparse.csr_matrix,
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    standards: Standards,
    frame: MetricFrame,
    demand_xy: np.ndarray,
    venue_xy: np.ndarray,
    detour: float,
) -> sparse.csr_matrix:
    """Add the pairs of stations and their own village, at their real cost, to ``cost``."""
    own = np.array([standards.get(k).own_village for k in venues["kind"]], dtype=bool)
    village = np.where(own, codes(venues, "village_code"), None)
    pairs = core.same_code_pairs(codes(demand, "village_code"), village).tocoo()
    if pairs.nnz == 0:
        return cost
    straight = np.sqrt(((demand_xy[pairs.row] - venue_xy[pairs.col]) ** 2).sum(axis=1))
    extra = sparse.csr_matrix(
        (np.maximum(frame.to_metres(straight) * detour, 1e-9), (pairs.row, pairs.col)),
        shape=cost.shape,
    )
    merged = cost.maximum(extra).tocsr()  # same cost where a pair is in both
    merged.sort_indices()
    return merged


def _scales(limit: np.ndarray, decay_scale: float | None, catchment: Catchment) -> np.ndarray:
    if decay_scale is not None:
        if not decay_scale > 0:
            raise AnalysisError(f"decay scale should be > 0, got {decay_scale!r}.")
        return np.full(len(limit), float(decay_scale))
    default = DEFAULT_SCALE_M
    if catchment.minutes is not None:
        default = DEFAULT_SCALE_M / ((catchment.speed_kmh or 1.0) * 1000.0 / 60.0)
    return np.where(np.isinf(limit), default, limit / 2.0)


def demand_ids(demand: pd.DataFrame) -> np.ndarray:
    """Return demand ids as strings: column ``id``, else ``village_code``, else the index."""
    for column in ("id", "village_code"):
        if column in demand.columns and demand[column].notna().all():
            return demand[column].astype(str).to_numpy()
    return demand.index.astype(str).to_numpy()


def _result(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    capacity: pd.DataFrame,
    pop: np.ndarray,
    access: np.ndarray,
    ratio: np.ndarray,
    reach: np.ndarray,
    cost: sparse.csr_matrix,
    method: str,
    decay: str | None,
    unit: str,
) -> AccessResult:
    total = float(pop.sum())
    mean = float((access * pop).sum() / total) if total > 0 else 0.0
    out = demand.copy()
    out["access"] = access
    out["access_index"] = access / mean if mean > 0 else np.zeros(len(access))
    out["venues_in_reach"] = np.diff(cost.indptr)
    v = venues.copy()
    v["id"] = venue_ids(venues)
    v["capacity"] = capacity["capacity"].to_numpy()
    v["capacity_source"] = capacity["capacity_source"].to_numpy()
    v["demand_in_reach"] = reach
    v["supply_ratio"] = ratio
    return AccessResult(out, v, method, decay, unit)
