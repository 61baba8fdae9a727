"""Capacitated siting: maximal coverage and p-median where every venue has a capacity.

A radius model counts a village as covered as soon as a venue is near; here people are
*assigned* to venues and no venue takes more people than its capacity (people served,
`analysis.capacity`). Both models keep the existing venues open with their capacities and open
at most N candidates, each with its own capacity (``--new-capacity``, else its kind's default).

* ``"cmclp"`` (capacitated maximal covering, Current & Storbeck 1988): maximise the people
  assigned to a venue within reach (straight line x detour within ``radius_m``, or a station's
  own village). A village may be split between venues (or, with ``whole=True``, goes whole to
  one venue or none); ``covered_population`` is the people assigned, never more than the
  capacities allow.
* ``"cpmedian"`` (capacitated p-median): assign everyone, minimising the population-weighted
  distance; pairs farther than ``reach_m`` (when given) are not allowed. Infeasible when the
  capacity in reach is short, which is said in one line.

Variables are the candidates' open flags ``x_j`` (binary) and the assigned fractions ``f_ij``
of demand *i* at venue *j* (continuous, only for pairs in reach); rows are ``Σ_j f_ij <= 1``
(``= 1`` for p-median), ``Σ_i w_i f_ij <= C_j x_j``, the strong link ``f_ij <= x_j`` and
``Σ_j x_j <= N``. Solved exactly by HiGHS through `analysis.solvers`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import highspy
import numpy as np
import pandas as pd
from scipy import sparse

from analysis import core, solvers
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
from analysis.standards import DEFAULT_DETOUR, Standards, default_standards
from geo.errors import AnalysisError

CAPACITATED_MODELS = ("cmclp", "cpmedian")


@dataclass(frozen=True)
class CapacitatedSolution:
    """Chosen candidates and the people assigned to every venue.

    Attributes
    ----------
    selected
        Candidate indices opened (0-based among candidates), ascending.
    assigned
        Demand x venue CSR matrix of people assigned (existing venues first, then candidates).
    objective
        People assigned (CMCLP) or total weighted distance (p-median).
    optimal, status, solve_time_s
        Whether HiGHS proved the optimum, its status text and run time.
    """

    selected: np.ndarray
    assigned: sparse.csr_matrix
    objective: float
    optimal: bool
    status: str
    solve_time_s: float


def solve_cmclp(
    reach: sparse.csr_matrix,
    weights: np.ndarray,
    capacity: np.ndarray,
    n_existing: int,
    n_new: int,
    *,
    whole: bool = False,
    time_limit_s: float | None = None,
) -> CapacitatedSolution:
    """Maximise the people assigned within reach and capacity with at most ``n_new`` sites.

    Parameters
    ----------
    reach
        Demand x venue matrix (existing venues in the first ``n_existing`` columns, then the
        candidates) whose stored entries are the pairs within reach.
    weights, capacity
        People per demand point; people per venue.
    n_existing, n_new
        How many columns are existing venues (always open); how many candidates may open.
    whole
        Assign whole villages only (single sourcing: each village goes to one venue or none)
        instead of letting a village's people be split between venues.
    """
    return _solve_assignment(reach, None, weights, capacity, n_existing, n_new, time_limit_s,
                             whole)  # fmt: skip


def solve_capacitated_pmedian(
    distance: sparse.csr_matrix,
    weights: np.ndarray,
    capacity: np.ndarray,
    n_existing: int,
    n_new: int,
    *,
    whole: bool = False,
    time_limit_s: float | None = None,
) -> CapacitatedSolution:
    """Assign everyone within capacity with at most ``n_new`` new sites, least total distance.

    ``distance`` stores the allowed pairs (as in `solve_cmclp`) with their distance; ``whole``
    as in `solve_cmclp` (spopt's ``PMedian`` with capacities is the ``whole=True`` model).
    """
    return _solve_assignment(distance, distance, weights, capacity, n_existing, n_new,
                             time_limit_s, whole)  # fmt: skip


def _solve_assignment(
    pairs: sparse.csr_matrix,
    distance: sparse.csr_matrix | None,
    weights: np.ndarray,
    capacity: np.ndarray,
    n_existing: int,
    n_new: int,
    time_limit_s: float | None,
    whole: bool = False,
) -> CapacitatedSolution:
    weights, capacity = np.asarray(weights, float), np.asarray(capacity, float)
    _check(pairs, weights, capacity, n_existing, n_new)
    if distance is not None:
        _check_room(weights, capacity, n_existing, n_new)
    coo = pairs.tocoo()
    keep = weights[coo.row] > 0
    row, col = coo.row[keep], coo.col[keep]
    cost_data = (sparse.csr_matrix(distance).tocoo().data[keep]) if distance is not None else None
    n, v = pairs.shape
    m = v - n_existing  # candidates
    p = len(row)
    a, lower, upper = _rows(row, col, weights, capacity, n, n_existing, m, n_new,
                            pmedian=distance is not None)  # fmt: skip
    if distance is None:
        cost = np.concatenate([np.zeros(m), weights[row]])
    else:
        cost = np.concatenate([np.zeros(m), weights[row] * cost_data])
    integer = np.concatenate([np.ones(m), np.full(p, 1.0 if whole else 0.0)])
    h, elapsed = solvers._solve(a, cost, lower, upper, integer, distance is None, time_limit_s)
    return _solution(h, elapsed, row, col, weights, (n, v), m)


def _check(pairs: sparse.spmatrix, weights: np.ndarray, capacity: np.ndarray, n_existing: int,
           n_new: int) -> None:  # fmt: skip
    problems = []
    if pairs.shape != (len(weights), len(capacity)):
        problems.append(f"pairs shape {pairs.shape} should be (demand {len(weights)}, "
                        f"venues {len(capacity)})")  # fmt: skip
    if not 0 <= n_existing <= len(capacity):
        problems.append(f"n_existing should be within 0..{len(capacity)}, got {n_existing}")
    if n_new < 0:
        problems.append(f"the number of new sites should be >= 0, got {n_new}")
    if (weights < 0).any() or (capacity < 0).any() or not np.isfinite(capacity).all():
        problems.append("population and capacities should be finite and >= 0")
    if problems:
        raise AnalysisError("capacitated siting: " + "; ".join(problems) + ".")


def _check_room(weights: np.ndarray, capacity: np.ndarray, n_existing: int, n_new: int) -> None:
    """Fail fast when even the largest new sites leave people without room (p-median)."""
    largest_new = np.sort(capacity[n_existing:])[::-1][:n_new].sum()
    room = float(capacity[:n_existing].sum() + largest_new)
    if room < weights.sum():
        raise AnalysisError(
            f"capacitated p-median is infeasible: existing capacity plus the {n_new} largest "
            f"new sites is {room:,.0f} people, less than the demand {weights.sum():,.0f}; "
            "raise --new-capacity or --add, or use --model cmclp (people assigned)."
        )


def _rows(
    row: np.ndarray, col: np.ndarray, weights: np.ndarray, capacity: np.ndarray, n: int,
    n_existing: int, m: int, n_new: int, *, pmedian: bool,
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:  # fmt: skip
    """Constraint matrix over [x (m), f (p)] with its row bounds (see the module docstring)."""
    p, v = len(row), n_existing + m
    f = np.arange(p)
    demand = sparse.csr_matrix((np.ones(p), (row, m + f)), shape=(n, m + p))
    load = sparse.csr_matrix((weights[row], (col, m + f)), shape=(v, m + p))
    open_cap = sparse.csr_matrix((-capacity[n_existing:], (np.arange(n_existing, v),
                                  np.arange(m))), shape=(v, m + p))  # fmt: skip
    cand = np.flatnonzero(col >= n_existing)
    link = sparse.csr_matrix(
        (np.concatenate([np.ones(len(cand)), -np.ones(len(cand))]),
         (np.concatenate([np.arange(len(cand))] * 2),
          np.concatenate([m + cand, col[cand] - n_existing]))),
        shape=(len(cand), m + p),
    )  # fmt: skip
    count = sparse.csr_matrix((np.ones(m), (np.zeros(m, int), np.arange(m))), shape=(1, m + p))
    a = sparse.vstack([demand, load + open_cap, link, count]).tocsr()
    inf = highspy.kHighsInf
    served = np.where(weights > 0, 1.0, 0.0)  # p-median: everyone with people, exactly once
    lower = np.concatenate([served if pmedian else np.full(n, -inf), np.full(v, -inf),
                            np.full(len(cand), -inf), [-inf]])  # fmt: skip
    upper = np.concatenate([served if pmedian else np.ones(n),
                            np.concatenate([capacity[:n_existing], np.zeros(m)]),
                            np.zeros(len(cand)), [float(n_new)]])  # fmt: skip
    return a, lower, upper


def _solution(
    h: highspy.Highs, elapsed: float, row: np.ndarray, col: np.ndarray, weights: np.ndarray,
    shape: tuple[int, int], m: int,
) -> CapacitatedSolution:  # fmt: skip
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    text = h.modelStatusToString(status)
    if status == highspy.HighsModelStatus.kInfeasible:
        raise AnalysisError(
            "capacitated p-median is infeasible: the capacity within reach cannot take "
            "everyone; raise --new-capacity or --add, widen the reach, or use --model cmclp."
        )
    if not h.getInfo().primal_solution_status:
        return CapacitatedSolution(np.empty(0, np.int64), sparse.csr_matrix(shape), np.nan,
                                   False, text, elapsed)  # fmt: skip
    values = np.asarray(h.getSolution().col_value)
    frac = np.clip(values[m:], 0.0, 1.0)
    assigned = sparse.csr_matrix((weights[row] * frac, (row, col)), shape=shape)
    assigned.eliminate_zeros()
    return CapacitatedSolution(
        selected=np.flatnonzero(values[:m] > 0.5),
        assigned=assigned,
        objective=float(h.getInfo().objective_function_value),
        optimal=optimal,
        status=text,
        solve_time_s=elapsed,
    )


def assigned_per_venue(solution: CapacitatedSolution) -> np.ndarray:
    """Return the people assigned to each venue (column sums of ``assigned``)."""
    return np.asarray(solution.assigned.sum(axis=0)).ravel()



@dataclass(frozen=True)
class CapacitatedResult:
    """The outcome of `site_capacitated`, in the shape of `analysis.siting.SitingResult`.

    Attributes
    ----------
    model, selected, covered_population, objective, optimal
        As in `SitingResult`; ``covered_population`` is the people *assigned* (existing and new
        venues together), never more than the capacities allow.
    venues
        One row per venue used: ``id``, ``new`` (a chosen candidate), ``capacity``,
        ``capacity_source``, ``assigned`` (people).
    population, solve_time_s, total_time_s, status
        Total demand population; HiGHS time; end-to-end time; HiGHS status text.
    """

    model: str
    selected: list[str]
    covered_population: float
    objective: float
    optimal: bool
    venues: pd.DataFrame
    population: float
    solve_time_s: float = 0.0
    total_time_s: float = 0.0
    status: str = ""

    def to_json(self) -> dict:
        """Return model, selected, covered_population, objective, optimal and the venues."""
        rows = [
            {"id": r.id, "new": bool(r.new), "capacity": round(float(r.capacity), 3),
             "capacity_source": r.capacity_source, "assigned": round(float(r.assigned), 3)}
            for r in self.venues.itertuples(index=False)
        ]  # fmt: skip
        return {
            "model": self.model,
            "selected": list(self.selected),
            "covered_population": round(self.covered_population, 3),
            "population": round(self.population, 3),
            "objective": round(self.objective, 3) if np.isfinite(self.objective) else None,
            "optimal": bool(self.optimal),
            "venues": rows,
        }


def site_capacitated(
    demand: gpd.GeoDataFrame,
    venues: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    model: str = "cmclp",
    n_new: int,
    radius_m: float,
    detour: float = DEFAULT_DETOUR,
    new_capacity: float | None = None,
    capacity_field: str = "capacity",
    reach_m: float | None = None,
    statuses: Iterable[str] | None = DEFAULT_STATUSES,
    population_col: str = "population",
    standards: Standards | None = None,
    whole: bool = False,
    time_limit_s: float | None = None,
) -> CapacitatedResult:
    """Choose up to ``n_new`` candidates with capacities; see the module docstring.

    Parameters
    ----------
    demand, venues, candidates
        Demand points with population; existing venues (in-service, geographic kinds, fixed);
        candidate sites (``id``; ``kind``/``village_code`` for the own-village rule).
    model
        ``"cmclp"`` or ``"cpmedian"``.
    n_new, radius_m, detour
        Most new sites; CMCLP reach as effective distance (m); road / straight-line factor.
    new_capacity
        People each new site can serve; default each candidate's kind default.
    capacity_field
        Venue column with people served (`analysis.capacity.venue_capacity`).
    reach_m
        p-median: farthest allowed assignment, effective metres (None: any distance).
    whole
        Whole villages only (single sourcing), see `solve_cmclp`.
    """
    started = time.perf_counter()
    if model not in CAPACITATED_MODELS:
        raise AnalysisError(f"model should be one of {', '.join(CAPACITATED_MODELS)}, "
                            f"got {model!r}.")  # fmt: skip
    if not radius_m > 0 or not detour >= 1:
        raise AnalysisError(f"radius_m should be > 0 and detour >= 1, got {radius_m}, {detour}.")
    if new_capacity is not None and not new_capacity >= 0:
        raise AnalysisError(f"--new-capacity should be >= 0 people, got {new_capacity!r}.")
    check_layer(demand, "demand")
    check_layer(venues, "venues", allow_empty=True)
    check_layer(candidates, "candidates")
    weights = population(demand, population_col)
    check_same_crs(demand, venues, candidates)
    standards = standards or default_standards()
    existing = select_venues(venues, statuses=statuses)
    if "kind" in existing.columns and len(existing):
        existing = existing.loc[[standards.get(k).geographic for k in existing["kind"]]]
    sites = pd.concat([existing, candidates], ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry=candidates.geometry.name, crs=candidates.crs)
    capacity = _capacities(existing, candidates, capacity_field, new_capacity)
    frame, (demand_xy, site_xy) = project_layers(demand, sites)
    pairs = _pairs(model, frame, demand_xy, site_xy, demand, sites, standards, radius_m,
                   detour, reach_m)  # fmt: skip
    solve = solve_cmclp if model == "cmclp" else solve_capacitated_pmedian
    solution = solve(pairs, weights, capacity["capacity"].to_numpy(), len(existing), n_new,
                     whole=whole, time_limit_s=time_limit_s)  # fmt: skip
    return _capacitated_result(model, solution, sites, capacity, len(existing), weights,
                               started)  # fmt: skip


def _capacities(existing: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, capacity_field: str,
                new_capacity: float | None) -> pd.DataFrame:  # fmt: skip
    old = venue_capacity(existing, capacity_field)
    if new_capacity is not None:
        new = pd.DataFrame({"capacity": float(new_capacity), "capacity_source": "new_capacity"},
                           index=candidates.index)  # fmt: skip
    else:
        new = venue_capacity(candidates, "capacity")
    return pd.concat([old, new], ignore_index=True)


def _pairs(model: str, frame: MetricFrame, demand_xy: np.ndarray, site_xy: np.ndarray,
           demand: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, standards: Standards,
           radius_m: float, detour: float, reach_m: float | None) -> sparse.csr_matrix:  # fmt: skip
    """CMCLP: pairs within radius or own village; p-median: pairs within reach_m (or all)."""
    limit_m = radius_m if model == "cmclp" else (np.inf if reach_m is None else reach_m)
    straight = np.inf if np.isinf(limit_m) else frame.to_straight(limit_m / detour)
    within = core.pairs_within(demand_xy, site_xy, straight)
    within.data = np.maximum(frame.to_metres(within.data) * detour, 1e-9)
    if model != "cmclp":
        return within.tocsr()
    own = np.array([k in standards.by_kind and standards.get(k).own_village
                    for k in sites.get("kind", pd.Series(None, index=sites.index))])  # fmt: skip
    village = np.where(own, codes(sites, "village_code"), None)
    same = core.same_code_pairs(codes(demand, "village_code"), village)
    merged = (within + same).tocsr()
    merged.data[:] = 1.0
    return merged


def _capacitated_result(model: str, solution: CapacitatedSolution, sites: gpd.GeoDataFrame,
                        capacity: pd.DataFrame, n_existing: int, weights: np.ndarray,
                        started: float) -> CapacitatedResult:  # fmt: skip
    ids = venue_ids(sites)
    new = np.zeros(len(sites), dtype=bool)
    new[n_existing + solution.selected] = True
    used = np.concatenate([np.ones(n_existing, dtype=bool), new[n_existing:]])
    table = pd.DataFrame({
        "id": ids, "new": new, "capacity": capacity["capacity"].to_numpy(),
        "capacity_source": capacity["capacity_source"].to_numpy(),
        "assigned": assigned_per_venue(solution),
    }).loc[used].reset_index(drop=True)  # fmt: skip
    objective = solution.objective
    if model == "cpmedian" and weights.sum() > 0:
        objective = objective / float(weights.sum())  # mean distance per person, metres
    return CapacitatedResult(
        model=model, selected=list(ids[n_existing + solution.selected]),
        covered_population=float(solution.assigned.sum()), objective=float(objective),
        optimal=solution.optimal, venues=table, population=float(weights.sum()),
        solve_time_s=solution.solve_time_s, total_time_s=time.perf_counter() - started,
        status=solution.status,
    )  # fmt: skip
