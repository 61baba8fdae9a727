"""Benchmark: capacitated siting, our exact HiGHS models against the best Python alternatives.

Run by hand: ``python bench/capacitated.py [--runs N] [--demand N]``.

No Python library offers capacitated maximal coverage (spopt #222/#415 are open), so:

* **CMCLP**: ours (`analysis.capacitated.solve_cmclp`: sparse pairs in reach, HiGHS) against
  the same model written in PuLP and solved by CBC (``PULP_CBC_CMD``), the usual Python route;
* **capacitated p-median**: ours (`solve_capacitated_pmedian`, pairs within a 25 km reach)
  against spopt ``PMedian.from_cost_matrix(facility_capacities=…, predefined_facilities_arr=…)``
  (dense cost matrix, PuLP + CBC). spopt assigns whole villages (binary assignment), so the
  like-for-like figure is ours with ``whole=True`` and all pairs; ours splitting villages
  (the default model, a lower cost) and ours on 25 km pairs are printed for information.

Synthetic instance: demand points uniform in a 60 km box with 50-3,000 people, existing venues
(fixed) and candidates with capacities 500-6,000 people; reach 5 km (CMCLP). Both sides see the
same numbers; objectives are printed so one can see they agree. Model building is timed with
the solve. Medians of ``--runs``; the LAST line prints each ratio baseline / ours.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.capacitated import solve_capacitated_pmedian, solve_cmclp  # noqa: E402


def instance(n: int, e: int, m: int, seed: int = 7):
    """Return distances (n x (e+m), metres), population and capacities."""
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 60_000, (n, 2)), rng.uniform(0, 60_000, (e + m, 2))
    dist = np.sqrt(((demand[:, None] - sites[None]) ** 2).sum(axis=2)) + 1.0
    return dist, rng.integers(50, 3000, n).astype(float), rng.integers(500, 6000, e + m) * 1.0


def cmclp_pulp(dist, weights, capacity, e, n_new, reach_m):
    """The same CMCLP in PuLP, solved by CBC (variables: people assigned per pair)."""
    import pulp

    n, v = dist.shape
    pairs = list(zip(*np.nonzero(dist <= reach_m), strict=True))
    prob = pulp.LpProblem("cmclp", pulp.LpMaximize)
    x = {j: pulp.LpVariable(f"x{j}", cat="Binary") for j in range(e, v)}
    f = {(i, j): pulp.LpVariable(f"f{i}_{j}", 0, 1) for i, j in pairs}
    prob += pulp.lpSum(weights[i] * f[i, j] for i, j in pairs)
    by_i, by_j = {}, {}
    for i, j in pairs:
        by_i.setdefault(i, []).append(f[i, j])
        by_j.setdefault(j, []).append((i, f[i, j]))
    for terms in by_i.values():
        prob += pulp.lpSum(terms) <= 1
    for j, terms in by_j.items():
        cap = capacity[j] * (x[j] if j >= e else 1)
        prob += pulp.lpSum(weights[i] * t for i, t in terms) <= cap
        if j >= e:
            for _, t in terms:
                prob += t <= x[j]
    prob += pulp.lpSum(x.values()) <= n_new
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    return pulp.value(prob.objective)


def pmedian_spopt(dist, weights, capacity, e, n_new):
    """spopt's capacitated p-median (dense, PuLP + CBC), existing venues predefined."""
    import pulp
    from spopt.locate import PMedian

    predefined = np.zeros(dist.shape[1], dtype=bool)
    predefined[:e] = True
    model = PMedian.from_cost_matrix(dist, weights, p_facilities=e + n_new,
                                     predefined_facilities_arr=predefined,
                                     facility_capacities=capacity)  # fmt: skip
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    return pulp.value(model.problem.objective)


def median_time(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    """Time both pairs of solvers and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--demand", type=int, default=300)
    args = parser.parse_args()
    n, e, m, n_new = args.demand, 20, 60, 5
    dist, weights, capacity = instance(n, e, m)
    reach = sparse.csr_matrix((dist <= 5_000).astype(float))
    t_ours, ours = median_time(lambda: solve_cmclp(reach, weights, capacity, e, n_new), args.runs)
    t_pulp, base = median_time(lambda: cmclp_pulp(dist, weights, capacity, e, n_new, 5_000),
                               args.runs)  # fmt: skip
    print(f"CMCLP {n} demand, {e} existing, {m} candidates, N={n_new}: ours {t_ours:.3f} s "
          f"(assigned {ours.objective:,.1f}), PuLP+CBC {t_pulp:.3f} s (assigned {base:,.1f})")
    small = dist[: n // 3]
    w_small = weights[: n // 3]
    cap = capacity * 3.0  # room for everyone: this model must assign all
    near = sparse.csr_matrix(np.where(small <= 25_000, small, 0.0))
    full = sparse.csr_matrix(small)
    t_sparse, ours_p = median_time(
        lambda: solve_capacitated_pmedian(near, w_small, cap, e, n_new), args.runs)
    t_full, ours_f = median_time(
        lambda: solve_capacitated_pmedian(full, w_small, cap, e, n_new), args.runs)
    t_whole, ours_w = median_time(
        lambda: solve_capacitated_pmedian(full, w_small, cap, e, n_new, whole=True), args.runs)
    t_spopt, base_p = median_time(lambda: pmedian_spopt(small, w_small, cap, e, n_new), args.runs)
    print(f"capacitated p-median {len(small)} demand: ours 25 km pairs {t_sparse:.3f} s "
          f"(cost {ours_p.objective:,.0f}), ours all pairs {t_full:.3f} s "
          f"(cost {ours_f.objective:,.0f}); whole villages: ours {t_whole:.3f} s "
          f"(cost {ours_w.objective:,.0f}), spopt+CBC {t_spopt:.3f} s (cost {base_p:,.0f})")
    print(f"ratio CMCLP PuLP+CBC/ours {t_pulp / t_ours:.1f}x; capacitated p-median, whole "
          f"villages, spopt+CBC/ours {t_spopt / t_whole:.1f}x")


if __name__ == "__main__":
    main()
