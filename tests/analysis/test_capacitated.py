"""Capacitated siting: exact optimum against brute force; capacities never exceeded."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from analysis.capacitated import (
    assigned_per_venue,
    site_capacitated,
    solve_capacitated_pmedian,
    solve_cmclp,
)
from geo.errors import AnalysisError
from tests.analysis.conftest import points


def _instance(seed: int, n: int = 8, e: int = 2, m: int = 5):
    rng = np.random.default_rng(seed)
    demand_xy, site_xy = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (e + m, 2))
    dist = np.sqrt(((demand_xy[:, None] - site_xy[None]) ** 2).sum(axis=2)) + 1e-3
    weights = rng.integers(10, 100, n).astype(float)
    capacity = rng.integers(20, 150, e + m).astype(float)
    return dist, weights, capacity, e, m


def _transport(dist: np.ndarray, mask: np.ndarray, weights, capacity, open_cols, pmedian: bool):
    """Best assignment for fixed open venues (an LP on people assigned per pair), or None."""
    n, v = dist.shape
    pairs = [(i, j) for i in range(n) for j in open_cols if mask[i, j]]
    if not pairs:
        return 0.0 if not pmedian or weights.sum() == 0 else None
    c = np.array([dist[i, j] if pmedian else -1.0 for i, j in pairs])
    a_dem = np.zeros((n, len(pairs)))
    a_cap = np.zeros((v, len(pairs)))
    for k, (i, j) in enumerate(pairs):
        a_dem[i, k], a_cap[j, k] = 1.0, 1.0
    kwargs = {"A_ub": a_cap, "b_ub": capacity}
    if pmedian:
        kwargs.update(A_eq=a_dem, b_eq=weights)
    else:
        kwargs = {"A_ub": np.vstack([a_cap, a_dem]), "b_ub": np.concatenate([capacity, weights])}
    res = linprog(c, bounds=(0, None), method="highs", **kwargs)
    if res.status != 0:
        return None
    return res.fun if pmedian else -res.fun


def _brute(dist, mask, weights, capacity, e, m, n_new, pmedian):
    best = None
    for k in range(n_new + 1):
        for subset in itertools.combinations(range(m), k):
            value = _transport(dist, mask, weights, capacity,
                               list(range(e)) + [e + j for j in subset], pmedian)  # fmt: skip
            if value is not None and (best is None or (value < best if pmedian else value > best)):
                best = value
    return best


def _check_feasible(solution, mask, weights, capacity, e):
    assigned = solution.assigned.toarray()
    assert (assigned >= -1e-9).all()
    assert (assigned.sum(axis=1) <= weights + 1e-6).all()
    assert (assigned_per_venue(solution) <= capacity + 1e-6).all()  # never above capacity
    assert not assigned[~mask].any()  # only pairs in reach
    closed = np.setdiff1d(np.arange(len(capacity) - e), solution.selected) + e
    assert not assigned[:, closed].any()  # nothing at unopened candidates


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_new", [1, 2])
def test_cmclp_matches_brute_force(seed: int, n_new: int) -> None:
    dist, weights, capacity, e, m = _instance(seed)
    mask = dist <= 3.5
    solution = solve_cmclp(sparse.csr_matrix(mask.astype(float)), weights, capacity, e, n_new)
    assert solution.optimal and len(solution.selected) <= n_new
    _check_feasible(solution, mask, weights, capacity, e)
    best = _brute(dist, mask, weights, capacity, e, m, n_new, pmedian=False)
    assert solution.objective == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert solution.assigned.sum() == pytest.approx(best, rel=1e-7, abs=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_pmedian_matches_brute_force(seed: int) -> None:
    dist, weights, capacity, e, m = _instance(seed)
    capacity = capacity * 3  # enough room for everyone with 2 new sites
    mask = np.ones_like(dist, dtype=bool)
    solution = solve_capacitated_pmedian(sparse.csr_matrix(dist), weights, capacity, e, 2)
    _check_feasible(solution, mask, weights, capacity, e)
    np.testing.assert_allclose(solution.assigned.sum(axis=1).A1, weights)  # everyone assigned
    best = _brute(dist, mask, weights, capacity, e, m, 2, pmedian=True)
    assert solution.objective == pytest.approx(best, rel=1e-7)


def test_pmedian_without_room_is_one_clear_error() -> None:
    dist, weights, capacity, e, _ = _instance(0)
    with pytest.raises(AnalysisError, match="less than the demand"):
        solve_capacitated_pmedian(sparse.csr_matrix(dist), weights, capacity * 0 + 1, e, 1)
    near = sparse.csr_matrix(np.where(dist <= 1.0, dist, 0.0))  # room enough, reach too short
    with pytest.raises(AnalysisError, match="infeasible: the capacity within reach"):
        solve_capacitated_pmedian(near, weights, capacity * 100, e, 1)


def test_site_capacitated_by_hand() -> None:
    # A (0,0) 100 · B (3 km) 200 · C (10 km) 300. Existing station at A serves 50 people.
    # Candidates: near B (cap 150) and near C (cap 250). One new site, radius 1 km, detour 1:
    # near C takes 250 of C's 300, so 50 + 250 = 300 people are assigned; near B would add 150.
    demand = points([(0, 0), (3000, 0), (10_000, 0)], village_code=["A", "B", "C"],
                    population=[100, 200, 300])  # fmt: skip
    venues = points([(0, 0)], id=["s"], kind=["other"], capacity=[50.0])
    candidates = points([(3000, 100), (10_000, 100)], id=["cB", "cC"], kind=["other"] * 2,
                        capacity=[150.0, 250.0])  # fmt: skip
    result = site_capacitated(demand, venues, candidates, n_new=1, radius_m=1000, detour=1)
    assert result.selected == ["cC"] and result.covered_population == pytest.approx(300)
    by_id = result.venues.set_index("id")
    assert by_id.loc["s", "assigned"] == pytest.approx(50)  # capped at capacity, not 100
    assert by_id.loc["cC", "assigned"] == pytest.approx(250)
    same = site_capacitated(demand, venues, candidates, n_new=1, radius_m=1000, detour=1,
                            new_capacity=400)  # fmt: skip
    assert same.selected == ["cC"] and same.covered_population == pytest.approx(350)
    assert set(same.venues["capacity_source"]) == {"register", "new_capacity"}


@pytest.mark.parametrize("seed", range(3))
def test_whole_villages_cmclp_matches_brute_force(seed: int) -> None:
    dist, weights, capacity, e, m = _instance(seed, n=6, m=4)
    mask = dist <= 4.0
    solution = solve_cmclp(sparse.csr_matrix(mask.astype(float)), weights, capacity, e, 1,
                           whole=True)  # fmt: skip
    _check_feasible(solution, mask, weights, capacity, e)
    per_village = solution.assigned.toarray()
    # each village is assigned whole to one venue, or not at all
    assert all((row > 0).sum() <= 1 and row.sum() in (0.0, pytest.approx(w))
               for row, w in zip(per_village, weights, strict=True))  # fmt: skip
    best = 0.0
    for subset in [()] + [(j,) for j in range(m)]:
        open_cols = list(range(e)) + [e + j for j in subset]
        # every way to send each village to one open venue in reach, or nowhere
        options = [[None] + [j for j in open_cols if mask[i, j]] for i in range(len(weights))]
        for choice in itertools.product(*options):
            load = np.zeros(len(capacity))
            for i, j in enumerate(choice):
                if j is not None:
                    load[j] += weights[i]
            if (load <= capacity).all():
                best = max(best, float(load.sum()))
    assert solution.objective == pytest.approx(best)


def test_whole_villages_pmedian_agrees_with_spopt() -> None:
    import pulp
    from spopt.locate import PMedian

    dist, weights, capacity, e, _ = _instance(11, n=7, m=4)
    capacity = capacity * 3
    ours = solve_capacitated_pmedian(sparse.csr_matrix(dist), weights, capacity, e, 2, whole=True)
    predefined = np.zeros(len(capacity), dtype=bool)
    predefined[:e] = True
    model = PMedian.from_cost_matrix(dist, weights, p_facilities=e + 2,
                                     predefined_facilities_arr=predefined,
                                     facility_capacities=capacity)  # fmt: skip
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert ours.objective == pytest.approx(pulp.value(model.problem.objective), rel=1e-6)
