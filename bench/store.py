"""Store timings, run by hand: ``python bench/store.py [--runs N] [--database URL]``.

On a GeoPackage holding the 229 demo venues (and on a PostGIS server with ``--database``):

(a) **add one venue**: ``store.add_venues`` of one new venue — one SQLite transaction on the
    file (or one PostgreSQL transaction). *Baseline "copy and replace"*: what the store did
    before issue 8 — copy the file, rewrite the venues layer with pyogrio, ``os.replace`` it.
(b) **edit one venue**: ``store.edit_venue`` (version check, change record), same baseline.
(c) **read the register**: ``store.venues()`` against the *baseline* of the old store: a
    ``pyogrio`` read of the same layer, then ``conform_register``.

Medians of ``--runs`` (default 15); baselines measured in the same process on the same data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402

from geo.boundaries import load_layer  # noqa: E402
from geo.store import conform_register, open_store  # noqa: E402


def median_ms(func: Callable[[int], object], runs: int) -> float:
    """Return the median wall time of ``func(i)`` over ``runs`` calls, in milliseconds."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        func(i)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def copy_and_replace(path: Path, register: pd.DataFrame) -> None:
    """The pre-issue-8 write: copy the file, rewrite the layer in the copy, swap it in."""
    temp = path.with_name(f".{path.name}.tmp.gpkg")
    shutil.copy2(path, temp)
    pyogrio.write_dataframe(register, temp, layer="venues", driver="GPKG",
                            layer_options={"OVERWRITE": "YES"}, promote_to_multi=False)  # fmt: skip
    os.replace(temp, path)


def report(name: str, ours: float, baseline: float, baseline_name: str) -> None:
    """Print one line: our median, the baseline's, and their ratio."""
    print(f"{name:<22} {ours:8.1f} ms   {baseline_name} {baseline:8.1f} ms   "
          f"baseline/ours {baseline / ours:5.2f}")  # fmt: skip


def main() -> None:
    """Measure and print (a), (b), (c) on a fresh GeoPackage (and PostGIS if given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database", help="also measure this postgresql:// server (schema bench)")
    args = parser.parse_args()
    demo = conform_register(load_layer("venues_demo"))
    extra = demo.iloc[[0] * args.runs].copy()
    extra["id"] = [f"BENCH-{i}" for i in range(args.runs)]
    folder = Path(tempfile.mkdtemp(prefix="venuemap-bench-"))
    os.environ["VENUEMAP_BACKUP_DIR"] = str(folder / "backups")
    gpkg = folder / "store.gpkg"
    baseline_file = folder / "baseline.gpkg"
    open_store(gpkg).add_venues(demo, kind="create")
    pyogrio.write_dataframe(demo, baseline_file, layer="venues", driver="GPKG")
    base_copy = median_ms(lambda i: copy_and_replace(baseline_file, demo), args.runs)
    base_read = median_ms(
        lambda i: conform_register(pyogrio.read_dataframe(baseline_file, layer="venues")),
        args.runs,
    )
    first = demo["id"].iloc[0]
    targets = [("GeoPackage", gpkg)]
    if args.database:
        os.environ["VENUEMAP_DATABASE_SCHEMA"] = f"bench_{os.getpid()}"
        open_store(args.database).add_venues(demo, kind="create")
        targets.append(("PostGIS", args.database))
    print(f"{len(demo)} venues, {args.runs} runs, medians")
    for label, location in targets:
        store = open_store(location)
        add = median_ms(lambda i, s=store: s.add_venues(extra.iloc[[i]], kind="create"), args.runs)
        edit = median_ms(lambda i, s=store: s.edit_venue(first, {"address": f"地址 {i}"}),
                         args.runs)  # fmt: skip
        read = median_ms(lambda i, s=store: s.venues(), args.runs)
        report(f"{label} add one", add, base_copy, "copy+replace")
        report(f"{label} edit one", edit, base_copy, "copy+replace")
        report(f"{label} read register", read, base_read, "pyogrio+conform")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
