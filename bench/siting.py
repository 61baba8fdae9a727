"""Benchmark: sparse MCLP (analysis.siting.site) vs spopt MCLP.from_cost_matrix + HiGHS.

Run by hand: ``python bench/siting.py [--small N_DEMAND N_CAND N_SITES]``;
``python bench/siting.py --lexicographic`` instead times the fewest-sites second stage: the same
instance solved with the objective only (the model before that stage, as the named baseline)
and with both stages, medians and their ratio.

Full size: 20,000 demand x 5,000 candidates x 300 new sites, clustered synthetic settlements
over ~4° x 3° of Qinghai, 300 existing venues, radius 5 km, detour 1.4. Ours is timed end to
end (projection + pairs + presolve + model + HiGHS solve). spopt needs a dense n x m cost
matrix and a dense pulp model, so the baseline runs at a smaller size where it finishes
(default 4,000 x 1,000 x 60); ours runs at that size too, and the LAST line prints the ratio
(target >= 20). Both solve exactly (HiGHS via highspy; pulp.HiGHS is the highspy interface,
pulp.HiGHS_CMD would need a binary). Peak memory: tracemalloc peaks of each phase and the
process's maximum RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import geopandas as gpd
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.metric import choose_frame  # noqa: E402
from analysis.siting import site  # noqa: E402

RADIUS_M = 5_000.0
DETOUR = 1.4


def synthetic(n_demand: int, n_cand: int, n_existing: int, seed: int = 7):
    """Clustered settlements; candidates are a subset of settlement-like points."""
    rng = np.random.default_rng(seed)
    n_towns = max(20, n_demand // 100)
    towns = np.column_stack([rng.uniform(99.5, 103.5, n_towns), rng.uniform(33.5, 36.5, n_towns)])

    def around(n: int, spread: float) -> np.ndarray:
        pick = rng.integers(0, n_towns, n)
        return towns[pick] + rng.normal(0, spread, (n, 2))

    d = around(n_demand, 0.12)
    demand = gpd.GeoDataFrame(
        {"population": rng.integers(50, 3000, n_demand)},
        geometry=gpd.points_from_xy(d[:, 0], d[:, 1]), crs="EPSG:4326",
    )
    c = around(n_cand, 0.12)
    cands = gpd.GeoDataFrame(
        {"id": [f"c{i}" for i in range(n_cand)]},
        geometry=gpd.points_from_xy(c[:, 0], c[:, 1]), crs="EPSG:4326",
    )
    e = around(n_existing, 0.05)
    venues = gpd.GeoDataFrame(
        {"id": [f"e{i}" for i in range(n_existing)], "kind": "township_centre",
         "status": "in_service"},
        geometry=gpd.points_from_xy(e[:, 0], e[:, 1]), crs="EPSG:4326",
    )
    return demand, venues, cands


def ours(demand, venues, cands, p):
    start = time.perf_counter()
    result = site(demand, venues, cands, model="mclp", n_new=p, radius_m=RADIUS_M, detour=DETOUR)
    return time.perf_counter() - start, result


def spopt_baseline(demand, venues, cands, p):
    """spopt on the same question: existing venues as predefined facilities, same radius."""
    import pulp
    from spopt.locate import MCLP

    start = time.perf_counter()
    frame = choose_frame(demand, venues, cands)
    dxy = frame.project(demand)
    sxy = np.vstack([frame.project(venues), frame.project(cands)])
    cost = np.sqrt(((dxy[:, None, :] - sxy[None, :, :]) ** 2).sum(axis=2)) * DETOUR  # dense
    predefined = np.zeros(len(sxy), dtype=int)
    predefined[: len(venues)] = 1
    model = MCLP.from_cost_matrix(
        cost, demand["population"].to_numpy(), RADIUS_M, p + len(venues),
        predefined_facilities_arr=predefined,
    )
    built = time.perf_counter()
    model.solve(pulp.HiGHS(msg=False, gapRel=0.0))
    done = time.perf_counter()
    open_ = np.array([model.fac_vars[j].value() > 0.5 for j in range(len(sxy))])
    chosen = [j - len(venues) for j in np.flatnonzero(open_) if j >= len(venues)]
    reached = (cost[:, open_] <= RADIUS_M).any(axis=1)
    covered = float(demand["population"].to_numpy()[reached].sum())
    return done - start, built - start, covered, chosen


def objective_only():
    """Context: solvers answer with their first stage only (the pre-lexicographic model)."""
    import contextlib

    from analysis import solvers

    @contextlib.contextmanager
    def patched():
        saved = solvers._lexicographic, solvers.prune
        solvers._lexicographic = lambda solved, m, cost, maximise, evaluate, added, limit, \
            columns: solvers._select(solved, columns, m, "")
        solvers.prune = lambda chosen, added: chosen
        try:
            yield
        finally:
            solvers._lexicographic, solvers.prune = saved

    return patched()


def lexicographic(runs: int, sizes: list[tuple[int, int, int]]) -> None:
    """Print objective-only vs two-stage medians (MCLP) on the same instances."""
    for n_d, n_c, p in sizes:
        demand, venues, cands = synthetic(n_d, n_c, max(1, 300 * n_d // 20_000))
        before, after = [], []
        for _ in range(runs):
            with objective_only():
                elapsed, base = ours(demand, venues, cands, p)
            before.append(elapsed)
            elapsed, result = ours(demand, venues, cands, p)
            after.append(elapsed)
        t_before, t_after = float(np.median(before)), float(np.median(after))
        print(f"mclp {n_d}x{n_c} p={p}: objective only (baseline) median {t_before:.3f} s, "
              f"{len(base.selected)} sites, covered {base.covered_population:.0f}; "
              f"+ fewest sites median {t_after:.3f} s, {len(result.selected)} sites, covered "
              f"{result.covered_population:.0f}; ratio {t_after / t_before:.2f}x")


def measure(fn, *args):
    tracemalloc.start()
    out = fn(*args)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", nargs=3, type=int, default=[4000, 1000, 60])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lexicographic", action="store_true",
                        help="time the fewest-sites second stage against the objective only")
    args = parser.parse_args()
    if args.lexicographic:
        lexicographic(args.runs, [(20_000, 5_000, 300), (4_000, 1_000, 60), (4_000, 1_000, 2000)])
        return

    demand, venues, cands = synthetic(20_000, 5_000, 300)
    times = []
    for _ in range(args.runs):
        elapsed, result = ours(demand, venues, cands, 300)
        times.append(elapsed)
    (_, result), peak = measure(ours, demand, venues, cands, 300)
    print(f"ours full 20000x5000 p=300: median {np.median(times):.3f} s over {args.runs} runs "
          f"(HiGHS {result.solve_time_s:.3f} s), optimal={result.optimal}, "
          f"covered_population={result.covered_population:.0f} "
          f"(existing {result.existing_population:.0f}), tracemalloc peak {peak:.1f} MiB")

    n_d, n_c, p = args.small
    demand, venues, cands = synthetic(n_d, n_c, max(1, 300 * n_d // 20_000))
    small = []
    for _ in range(args.runs):
        elapsed, result = ours(demand, venues, cands, p)
        small.append(elapsed)
    t_ours = float(np.median(small))
    print(f"ours small {n_d}x{n_c} p={p}: median {t_ours:.3f} s, optimal={result.optimal}, "
          f"covered_population={result.covered_population:.0f}")
    (t_base, t_build, covered, chosen), peak_b = measure(spopt_baseline, demand, venues, cands, p)
    print(f"spopt MCLP.from_cost_matrix + pulp.HiGHS small {n_d}x{n_c} p={p}: {t_base:.3f} s "
          f"(dense matrix + model build {t_build:.3f} s), covered_population={covered:.0f}, "
          f"tracemalloc peak {peak_b:.1f} MiB")
    same = sorted(chosen) == sorted(int(s[1:]) for s in result.selected)
    print(f"same optimum (covered population): {abs(covered - result.covered_population) < 0.5};"
          f" same sites: {same}{'' if same else ' (alternative optima of equal value)'}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS {rss:.0f} MiB")
    print(f"ratio spopt/ours at {n_d}x{n_c} p={p}: {t_base / t_ours:.1f}x (target >= 20)")


if __name__ == "__main__":
    main()
