"""Exact sparse siting models (MCLP, LSCP, p-median) solved as MIPs with HiGHS.

The models take arrays only: demand weights, a sparse demand x candidate matrix (CSR) of pairs
within reach, and what existing venues already provide. Only pairs within reach become
variables or coefficients, so memory grows with the number of pairs, never with n x m.

Presolve steps keep the optimum exact:

* demand already covered by existing venues cannot gain and is dropped (MCLP, LSCP);
* demand with no candidate in reach cannot be covered and is dropped (reported by LSCP);
* demand points with identical candidate sets are merged, their weights summed.

No surplus sites. Every model is solved lexicographically: first its own objective, exactly
(``mip_rel_gap = 0``); then, with that objective held at its optimum, the number of open sites
is minimised, the first solution starting the search. A lexicographic objective rather than a
small per-site penalty: populations and distances are real numbers, so no penalty can be proven
too small to change the optimum on every input, while the two-stage solve is exact up to
`OBJECTIVE_RTOL`. LSCP already minimises the site count; it ignores demand of weight 0. A last
pass (`prune`) drops any site adding nothing, which can only remain when a time limit stopped
HiGHS early. Hence every selected site adds weight no other site and no existing venue gives.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from geo.errors import AnalysisError, InfeasibleError

#: Objective values within this relative distance count as equal when the fewest sites are
#: sought among optimal choices (1e-9 of 260,000 people is 0.00026 of a person).
OBJECTIVE_RTOL = 1e-9


@dataclass(frozen=True)
class Solution:
    """What a solve returns: chosen candidate columns and how good the choice is proven to be.

    Attributes
    ----------
    selected
        Column indices of the chosen candidates, ascending.
    objective
        The model's objective value (see each model).
    optimal
        True if HiGHS proved optimality (model status ``kOptimal``).
    status
        HiGHS model status text.
    solve_time_s
        HiGHS run time, seconds.
    rows, columns, nonzeros
        Size of the model after presolve.
    """

    selected: np.ndarray
    objective: float
    optimal: bool
    status: str
    solve_time_s: float
    rows: int
    columns: int
    nonzeros: int


def merge_identical_rows(
    cover: sparse.csr_matrix, weights: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Merge rows of a 0/1 CSR matrix that have the same pattern, summing their weights."""
    cover = cover.tocsr()
    cover.sort_indices()
    index, indptr = cover.indices, cover.indptr
    keys: dict[bytes, int] = {}
    group = np.empty(cover.shape[0], dtype=np.int64)
    for i in range(cover.shape[0]):
        key = index[indptr[i] : indptr[i + 1]].tobytes()
        group[i] = keys.setdefault(key, len(keys))
    first = np.unique(group, return_index=True)[1]
    merged = cover[first]
    merged.data[:] = 1.0
    return merged, np.bincount(group, weights=weights, minlength=len(keys))


def solve_mclp(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    existing: np.ndarray,
    n_new: int,
    *,
    time_limit_s: float | None = None,
) -> Solution:
    """Maximise the weight newly covered by at most ``n_new`` candidates, with fewest sites.

    ``cover[i, j] != 0`` when candidate j would cover demand i; ``existing`` flags demand
    already covered. Objective: the newly covered weight. Among the optimal choices the one
    with the fewest sites is returned (second stage, see the module docstring).
    """
    if n_new < 0:
        raise AnalysisError(f"the number of new sites should be >= 0, got {n_new}.")
    rows, w, columns = _open_demand(cover, weights, existing)
    if rows.shape[0] == 0 or n_new == 0:
        return empty_solution(0.0)
    k, m = rows.shape
    # variables: x (m binaries) then y (k continuous in [0, 1]); maximise sum w y
    a = sparse.vstack(
        [
            sparse.hstack([-rows, sparse.identity(k, format="csr")]),
            sparse.hstack([sparse.csr_matrix(np.ones((1, m))), sparse.csr_matrix((1, k))]),
        ]
    )
    cost = np.concatenate([np.zeros(m), w])
    lower_row = np.full(k + 1, -highspy.kHighsInf)
    upper_row = np.concatenate([np.zeros(k), [float(n_new)]])
    integer = np.concatenate([np.ones(m), np.zeros(k)])
    solved = _solve(a, cost, lower_row, upper_row, integer, maximise=True, limit=time_limit_s)

    def evaluate(chosen: np.ndarray) -> float:
        return float(w[_covered_rows(rows, chosen)].sum())

    def added(chosen: np.ndarray) -> np.ndarray:
        return added_cover_weight(rows, w, np.zeros(k, dtype=bool), chosen)

    return _lexicographic(solved, m, cost, True, evaluate, added, time_limit_s, columns)


def solve_lscp(
    cover: sparse.csr_matrix,
    existing: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    time_limit_s: float | None = None,
) -> Solution:
    """Choose the fewest candidates covering every coverable, not yet covered demand point.

    With ``weights``, demand of weight 0 (nobody lives there) needs no cover, so every chosen
    site covers someone no other site or existing venue covers.
    """
    weights = np.ones(cover.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    needed = np.asarray(existing, dtype=bool) | (weights <= 0)
    rows, w, columns = _open_demand(cover, weights, needed)
    if rows.shape[0] == 0:
        return empty_solution(0.0)
    k, m = rows.shape
    lower_row, upper_row = np.ones(k), np.full(k, highspy.kHighsInf)
    solved = _solve(rows, np.ones(m), lower_row, upper_row, np.ones(m), False, time_limit_s)
    solution = _select(solved, columns, m, "lscp")
    local = np.searchsorted(columns, solution.selected)
    kept = prune(local, lambda chosen: added_cover_weight(rows, w, np.zeros(k, bool), chosen))
    return _replace(solution, selected=columns[kept], objective=float(len(kept)))


def solve_pmedian(
    distance: sparse.csr_matrix,
    weights: np.ndarray,
    fallback_m: np.ndarray,
    n_new: int,
    *,
    time_limit_s: float | None = None,
) -> Solution:
    """Minimise the weighted total distance with at most ``n_new`` new candidates open.

    ``distance[i, j]`` holds candidate j's distance to demand i for the pairs worth assigning
    (those closer than the demand's fallback); ``fallback_m[i]`` is the distance to its nearest
    existing venue (``inf`` if none), always available. Objective: total weighted distance.
    Among the optimal choices the one with the fewest sites is returned.

    Raises
    ------
    InfeasibleError
        If some demand has neither an existing venue nor a candidate in reach, or needs more
        than ``n_new`` new sites to be assigned at all.
    """
    distance = distance.tocsr()
    n, m = distance.shape
    weights = np.asarray(weights, dtype=float)
    has_fallback = np.isfinite(fallback_m)
    _check_assignable(distance, has_fallback)
    coo = distance.tocoo()
    p = coo.nnz
    f_rows = np.flatnonzero(has_fallback)
    n_f = len(f_rows)
    # variables: x (m binary), z pairs (p), z fallback (n_f)
    assign = sparse.csr_matrix(
        (np.ones(p + n_f), (np.concatenate([coo.row, f_rows]), np.arange(p + n_f))),
        shape=(n, p + n_f),
    )
    link = sparse.csr_matrix(
        (np.concatenate([-np.ones(p), np.ones(p)]),
         (np.concatenate([np.arange(p), np.arange(p)]),
          np.concatenate([coo.col, m + np.arange(p)]))),
        shape=(p, m + p + n_f),
    )  # fmt: skip
    count = sparse.csr_matrix(np.concatenate([np.ones(m), np.zeros(p + n_f)])[None, :])
    a = sparse.vstack([sparse.hstack([sparse.csr_matrix((n, m)), assign]), link, count])
    cost = np.concatenate(
        [np.zeros(m), weights[coo.row] * coo.data, weights[f_rows] * fallback_m[f_rows]]
    )
    lower_row = np.concatenate([np.ones(n), np.full(p, -highspy.kHighsInf), [-highspy.kHighsInf]])
    upper_row = np.concatenate([np.ones(n), np.zeros(p), [float(n_new)]])
    integer = np.concatenate([np.ones(m), np.zeros(p + n_f)])
    solved = _solve(a, cost, lower_row, upper_row, integer, False, time_limit_s)
    if solved[0].getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        raise InfeasibleError(_pmedian_infeasible(has_fallback, n_new))

    def evaluate(chosen: np.ndarray) -> float:
        return float((weights * median_distance(distance, fallback_m, chosen)).sum())

    def added(chosen: np.ndarray) -> np.ndarray:
        return added_median_weight(distance, weights, chosen)

    return _lexicographic(solved, m, cost, False, evaluate, added, time_limit_s, np.arange(m))


def _check_assignable(distance: sparse.csr_matrix, has_fallback: np.ndarray) -> None:
    no_choice = (~has_fallback) & (np.diff(distance.indptr) == 0)
    if no_choice.any():
        first = np.flatnonzero(no_choice)[:5].tolist()
        raise InfeasibleError(
            f"p-median is infeasible: {int(no_choice.sum())} demand point(s) (first rows: "
            f"{first}) have no existing venue and no candidate in reach, so they cannot be "
            "assigned; widen the reach, add candidates near them, or use --model mclp."
        )


def _pmedian_infeasible(has_fallback: np.ndarray, n_new: int) -> str:
    return (
        f"p-median is infeasible: {int((~has_fallback).sum())} demand point(s) have no existing "
        f"venue, and at most {n_new} new site(s) cannot reach them all; raise the number of new "
        "sites (--add), add existing venues, or use --model mclp."
    )


def _covered_rows(rows: sparse.csr_matrix, chosen: np.ndarray) -> np.ndarray:
    """Return which rows of a 0/1 matrix at least one ``chosen`` column covers."""
    if len(chosen) == 0:
        return np.zeros(rows.shape[0], dtype=bool)
    return np.diff(rows[:, chosen].tocsr().indptr) > 0


def median_distance(
    distance: sparse.csr_matrix, fallback_m: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Distance of each demand point to its nearest open site or existing venue (fallback)."""
    best = np.asarray(fallback_m, dtype=float).copy()
    if len(chosen):
        sub = distance[:, chosen].tocoo()
        np.minimum.at(best, sub.row, sub.data)
    return best


def added_cover_weight(
    cover: sparse.csr_matrix, weights: np.ndarray, baseline: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Weight each chosen column alone covers (not ``baseline``, not another chosen column).

    Returns one value per entry of ``chosen``, in its order.
    """
    if len(chosen) == 0:
        return np.zeros(0)
    sub = sparse.csr_matrix(cover[:, chosen])
    sub.eliminate_zeros()
    count = np.diff(sub.indptr)
    only = (count == 1) & ~np.asarray(baseline, dtype=bool)
    coo = sub.tocoo()
    keep = only[coo.row]
    return np.bincount(coo.col[keep], weights=np.asarray(weights, float)[coo.row[keep]],
                       minlength=len(chosen))  # fmt: skip


def added_median_weight(
    distance: sparse.csr_matrix, weights: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Weight for which each chosen site is the strictly nearest option (p-median pairs).

    ``distance`` holds only pairs closer than the demand's existing venue, so these are the
    people who would travel farther without that site. Distances within `OBJECTIVE_RTOL`
    count as a tie (no one's nearest). One value per entry of ``chosen``.
    """
    if len(chosen) == 0:
        return np.zeros(0)
    coo = sparse.csr_matrix(distance[:, chosen]).tocoo()
    if coo.nnz == 0:
        return np.zeros(len(chosen))
    order = np.lexsort((coo.data, coo.row))
    row, col, dist = coo.row[order], coo.col[order], coo.data[order]
    first = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
    after = np.minimum(first + 1, len(row) - 1)
    runner_up = (first + 1 < len(row)) & (row[after] == row[first])
    strict = ~runner_up | (dist[after] > dist[first] * (1.0 + OBJECTIVE_RTOL))
    winner = first[strict]
    return np.bincount(col[winner], weights=np.asarray(weights, float)[row[winner]],
                       minlength=len(chosen))  # fmt: skip


def prune(chosen: np.ndarray, added: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Drop chosen columns that add nothing, one at a time, until every one adds weight > 0.

    Dropping a column that adds nothing leaves the objective unchanged, so this only matters
    when a time limit stopped the solver before it proved the fewest sites.
    """
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    while len(chosen):
        gain = added(chosen)
        useless = np.flatnonzero(gain <= 0)
        if len(useless) == 0:
            break
        chosen = np.delete(chosen, useless[0])
    return chosen


def objective_tolerance(value: float) -> float:
    """Two objective values closer than this count as equal (relative `OBJECTIVE_RTOL`)."""
    return OBJECTIVE_RTOL * max(1.0, abs(float(value)))


def _lexicographic(
    solved: tuple[highspy.Highs, float],
    m: int,
    cost: np.ndarray,
    maximise: bool,
    evaluate: Callable[[np.ndarray], float],
    added: Callable[[np.ndarray], np.ndarray],
    limit: float | None,
    columns: np.ndarray,
) -> Solution:
    """Second stage: hold the objective at its optimum and minimise the number of sites.

    The model's objective becomes a constraint (within `objective_tolerance` of the exact
    value of the first solution) and the objective becomes the count of open sites; the first
    solution starts the search. Both choices are evaluated exactly in numpy and the second is
    kept only if it is as good; then `prune` makes sure no site is surplus.
    """
    h, first_time = solved
    first = _values(h, m)
    if first is None:
        return _select(solved, columns, m, "")
    best = evaluate(first)
    proven = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    start = h.getSolution()
    bound = best - objective_tolerance(best) if maximise else best + objective_tolerance(best)
    started = time.perf_counter()
    second = None
    if len(first) and _fewer_may_do(h, m, len(first) - 1, bound, maximise):
        _minimise_sites(h, m, cost, bound, maximise, start)
        if limit is not None:
            h.setOptionValue("time_limit", max(float(limit) - first_time, 1e-3))
        h.run()
        second = _values(h, m)
        proven = proven and h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    elapsed = first_time + time.perf_counter() - started
    chosen = first
    if second is not None and len(second) < len(first):
        value = evaluate(second)
        if (value >= best - objective_tolerance(best)) if maximise else (
                value <= best + objective_tolerance(best)):  # fmt: skip
            chosen = second
    chosen = prune(chosen, added)
    lp = h.getLp()
    return Solution(
        selected=np.sort(columns[chosen]),
        objective=evaluate(chosen),
        optimal=proven,
        status=h.modelStatusToString(h.getModelStatus()),
        solve_time_s=elapsed,
        rows=lp.num_row_,
        columns=lp.num_col_,
        nonzeros=len(lp.a_matrix_.value_),
    )


def _open_demand(
    cover: sparse.csr_matrix, weights: np.ndarray, existing: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Presolve: keep demand not yet covered that some candidate reaches; merge equal rows.

    Returns the merged 0/1 matrix restricted to useful candidate columns, merged weights, and
    the original indices of the kept columns.
    """
    cover = sparse.csr_matrix(cover, dtype=float)
    reachable = np.diff(cover.indptr) > 0
    keep = reachable & ~np.asarray(existing, dtype=bool)
    rows = cover[np.flatnonzero(keep)]
    rows.data[:] = 1.0
    rows, w = merge_identical_rows(rows, np.asarray(weights, dtype=float)[keep])
    columns = np.flatnonzero(np.diff(rows.tocsc().indptr) > 0)
    return rows[:, columns].tocsr(), w, columns


def _solve(
    a: sparse.spmatrix,
    cost: np.ndarray,
    lower_row: np.ndarray,
    upper_row: np.ndarray,
    integer: np.ndarray,
    maximise: bool,
    limit: float | None,
) -> tuple[highspy.Highs, float]:
    """Pass a column-wise LP/MIP to HiGHS (variables in [0, 1]) and run it exactly."""
    a = sparse.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_, lp.col_upper_ = np.zeros(a.shape[1]), np.ones(a.shape[1])
    lp.row_lower_, lp.row_upper_ = lower_row.astype(float), upper_row.astype(float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.sense_ = highspy.ObjSense.kMaximize if maximise else highspy.ObjSense.kMinimize
    lp.integrality_ = [
        highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
        for flag in integer
    ]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    if limit is not None:
        h.setOptionValue("time_limit", float(limit))
    h.passModel(lp)
    start = time.perf_counter()
    h.run()
    return h, time.perf_counter() - start


def _fewer_may_do(h: highspy.Highs, m: int, n_sites: int, bound: float, maximise: bool) -> bool:
    """Return False if the LP relaxation proves ``n_sites`` sites cannot reach ``bound``.

    The site-count row is the model's last row. The LP bound is cheap next to the second MIP
    and, when the count was binding, usually settles the question (the first answer is then
    already the one with the fewest sites). The model is restored afterwards.
    """
    row = h.getNumRow() - 1
    original = float(h.getLp().row_upper_[row])
    columns = np.arange(m, dtype=np.int32)
    h.changeRowBounds(row, -highspy.kHighsInf, float(n_sites))
    h.changeColsIntegrality(m, columns, [highspy.HighsVarType.kContinuous] * m)
    h.run()
    status = h.getModelStatus()
    value = h.getInfo().objective_function_value
    h.changeColsIntegrality(m, columns, [highspy.HighsVarType.kInteger] * m)
    h.changeRowBounds(row, -highspy.kHighsInf, original)
    if status == highspy.HighsModelStatus.kInfeasible:
        return False
    if status != highspy.HighsModelStatus.kOptimal:
        return True
    return value >= bound if maximise else value <= bound


def _minimise_sites(
    h: highspy.Highs,
    m: int,
    cost: np.ndarray,
    bound: float,
    maximise: bool,
    start: highspy.HighsSolution,
) -> None:
    """Turn the model into: fewest sites with the objective held at ``bound`` or better."""
    n_col, nonzero = len(cost), np.flatnonzero(cost)
    lower, upper = (bound, highspy.kHighsInf) if maximise else (-highspy.kHighsInf, bound)
    h.addRow(lower, upper, len(nonzero), nonzero.astype(np.int32), cost[nonzero].astype(float))
    h.changeColsCost(n_col, np.arange(n_col, dtype=np.int32),
                     np.concatenate([np.ones(m), np.zeros(n_col - m)]))  # fmt: skip
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    h.setSolution(start)


def _values(h: highspy.Highs, m: int) -> np.ndarray | None:
    """Return the indices of the binaries set to 1 in the solution (None: no solution)."""
    if not h.getInfo().primal_solution_status:
        return None
    return np.flatnonzero(np.asarray(h.getSolution().col_value[:m]) > 0.5)


def _select(
    solved: tuple[highspy.Highs, float], columns: np.ndarray, m: int, model: str
) -> Solution:
    """Read HiGHS's answer; refuse a run that ended without any solution."""
    h, elapsed = solved
    status = h.getModelStatus()
    chosen = _values(h, m)
    if chosen is None:
        text = h.modelStatusToString(status)
        if status == highspy.HighsModelStatus.kInfeasible:
            raise InfeasibleError(f"{model or 'the siting model'} is infeasible ({text}).")
        raise AnalysisError(
            f"HiGHS found no solution ({text}); if a time limit stopped it, raise the limit."
        )
    lp = h.getLp()
    return Solution(
        selected=np.sort(columns[chosen]),
        objective=float(h.getInfo().objective_function_value),
        optimal=status == highspy.HighsModelStatus.kOptimal,
        status=h.modelStatusToString(status),
        solve_time_s=elapsed,
        rows=lp.num_row_,
        columns=lp.num_col_,
        nonzeros=len(lp.a_matrix_.value_),
    )


def _replace(solution: Solution, **changes: object) -> Solution:
    return dataclasses.replace(solution, **changes)


def empty_solution(objective: float) -> Solution:
    """Return the solution of a model with nothing to decide (no site opened)."""
    return Solution(np.empty(0, np.int64), objective, True, "Optimal (nothing to decide)", 0.0,
                    0, 0, 0)  # fmt: skip
