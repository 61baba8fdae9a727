"""Exact sparse siting models (MCLP, LSCP, p-median) solved as MIPs with HiGHS.

The models take arrays only: demand weights, a sparse demand x candidate matrix (CSR) of pairs
within reach, and what existing venues already provide. Only pairs within reach become
variables or coefficients, so memory grows with the number of pairs, never with n x m.

Presolve steps keep the optimum exact:

* demand already covered by existing venues cannot gain and is dropped (MCLP, LSCP);
* demand with no candidate in reach cannot be covered and is dropped (reported by LSCP);
* demand points with identical candidate sets are merged, their weights summed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse

from geo.errors import AnalysisError


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
    """Maximise the weight newly covered by at most ``n_new`` candidates.

    ``cover[i, j] != 0`` when candidate j would cover demand i; ``existing`` flags demand
    already covered. Objective: the newly covered weight.
    """
    if n_new < 0:
        raise AnalysisError(f"the number of new sites should be >= 0, got {n_new}.")
    rows, w, columns = _open_demand(cover, weights, existing)
    if rows.shape[0] == 0 or n_new == 0:
        return _empty_solution(0.0)
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
    solution = _solve(a, cost, lower_row, upper_row, integer, maximise=True, limit=time_limit_s)
    return _select(solution, columns, m)


def solve_lscp(
    cover: sparse.csr_matrix,
    existing: np.ndarray,
    *,
    time_limit_s: float | None = None,
) -> Solution:
    """Choose the fewest candidates covering every coverable, not yet covered demand point."""
    ones = np.ones(cover.shape[0])
    rows, _, columns = _open_demand(cover, ones, existing)
    if rows.shape[0] == 0:
        return _empty_solution(0.0)
    k, m = rows.shape
    lower_row, upper_row = np.ones(k), np.full(k, highspy.kHighsInf)
    solution = _solve(rows, np.ones(m), lower_row, upper_row, np.ones(m), False, time_limit_s)
    return _select(solution, columns, m)


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
    """
    distance = distance.tocsr()
    n, m = distance.shape
    has_fallback = np.isfinite(fallback_m)
    no_choice = (~has_fallback) & (np.diff(distance.indptr) == 0)
    if no_choice.any():
        raise AnalysisError(
            f"{int(no_choice.sum())} demand point(s) have no existing venue and no candidate in "
            "reach, so p-median cannot assign them; widen the reach or add candidates."
        )
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
    solution = _solve(a, cost, lower_row, upper_row, integer, False, time_limit_s)
    return _select(solution, np.arange(m), m)


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


def _select(solved: tuple[highspy.Highs, float], columns: np.ndarray, m: int) -> Solution:
    h, elapsed = solved
    status = h.getModelStatus()
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value[:m]) if info.primal_solution_status else None
    chosen = np.flatnonzero(values > 0.5) if values is not None else np.empty(0, np.int64)
    lp = h.getLp()
    return Solution(
        selected=np.sort(columns[chosen]),
        objective=float(h.getInfo().objective_function_value) if values is not None else np.nan,
        optimal=status == highspy.HighsModelStatus.kOptimal,
        status=h.modelStatusToString(status),
        solve_time_s=elapsed,
        rows=lp.num_row_,
        columns=lp.num_col_,
        nonzeros=len(lp.a_matrix_.value_),
    )


def _empty_solution(objective: float) -> Solution:
    return Solution(np.empty(0, np.int64), objective, True, "Optimal (nothing to decide)", 0.0,
                    0, 0, 0)  # fmt: skip
