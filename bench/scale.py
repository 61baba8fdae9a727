"""Scale benchmark: import, coverage, gaps, site, export and the store at 1k ... 500k venues.

Run by hand from the repository root, e.g. ``python bench/scale.py --sizes 1000,10000
--demand 30000 --runs 3`` (quick) or ``python bench/scale.py`` (1k/10k/100k/500k venues,
300,000 demand points; long).

Data (deterministic, `bench/synthetic.py`): venues uniform over Huangnan's township areas with
realistic repeated names; demand points likewise, stored as the store's ``villages`` layer.
Every step runs the real CLI (``python -m venuemap ...``) in a child process, so its time
includes start-up and file I/O as a user sees it; peak RSS is that child's maximum resident
set size (GNU ``/usr/bin/time -f %M``). Each step is printed beside a named baseline run the
same way, on the same files, in the same run:

* import   vs *pyogrio read + write*: ``pyogrio.read_dataframe`` of the same CSV and
  ``write_dataframe`` of the points to a new GeoPackage (no checks at all: the I/O floor).
  ``import FILE`` is all or nothing: the synthetic register repeats names within 50 m (as
  offices do), so some rows are rejected and nothing is written — this step is the check;
* import+w (``--steps import_write``) vs the same baseline: ``import --skip-invalid`` into a
  new store, i.e. the check AND the versioned write of every accepted row (history included);
* coverage vs *geopandas sjoin*: read the store's layers, ``sjoin`` of the venues to the
  county polygons and ``sjoin_nearest`` of the demand to the venues (projected, EPSG:4543);
* gaps     vs the same geopandas baseline, plus sorting the uncovered by population;
* site     vs *read only*: reading the store's layers (what any solver must pay first).
  The cover matrix holds only demand not yet covered (`analysis.siting._cover`); in the
  synthetic data every village is covered at 10k venues and more, so the step measures the
  fixed costs (reads, coverage baseline, candidates) and the answer is "nothing to add";
* export   vs *pyogrio read + write* of the venues layer to a new GeoPackage;
* store    (``geo.store``, measured, not changed here): ``venues()`` and ``add_venues`` of
  ONE row at each size, vs raw pyogrio read / write of the same layer.

Medians of ``--runs``; the machine's load (``uptime``) is printed beside each figure because
other processes may share the cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TIME = "/usr/bin/time"  # GNU time (Debian package "time")
STEPS = ("import", "import_write", "coverage", "gaps", "site", "export", "store")

BASELINE_CODE = {
    "pyogrio_rw": """
import sys, pyogrio, geopandas as gpd
src, dst = sys.argv[1], sys.argv[2]
if src.endswith('.csv'):
    df = pyogrio.read_dataframe(src)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df['经度'].astype(float),
                           df['纬度'].astype(float)), crs='EPSG:4326')
else:
    gdf = pyogrio.read_dataframe(src, layer='venues')
pyogrio.write_dataframe(gdf, dst, layer='venues', driver='GPKG')
""",
    "geopandas_sjoin": """
import sys, geopandas as gpd, pyogrio
store = sys.argv[1]
venues = pyogrio.read_dataframe(store, layer='venues')
demand = pyogrio.read_dataframe(store, layer='villages')
counties = gpd.read_file('data/boundaries/counties.geojson')
joined = gpd.sjoin(venues, counties[['county_code', 'geometry']], predicate='intersects')
v, d = venues.to_crs('EPSG:4543'), demand.to_crs('EPSG:4543')
near = gpd.sjoin_nearest(d, v[['geometry']], distance_col='distance_m')
if len(sys.argv) > 2:
    near[near['distance_m'] > 2000].sort_values('population', ascending=False)
""",
    "read_only": """
import sys, pyogrio
for layer in ('venues', 'villages'):
    pyogrio.read_dataframe(sys.argv[1], layer=layer)
""",
}


def load() -> str:
    """Return the 1-minute load average as text."""
    return f"load {os.getloadavg()[0]:.2f}"


def run_child(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv`` from the repository root; return (seconds, peak RSS MiB, exit code).

    The child is started by GNU time (``/usr/bin/time -f %M``), a small process: a child
    forked straight from this one would inherit this process's RSS high-water mark (the
    kernel keeps it across fork and exec), so small steps would report the bench's own size.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        child = subprocess.run([TIME, "-f", "%M", "-o", rss.name, *argv], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        seconds = time.perf_counter() - start
        lines = [line for line in rss.read().splitlines() if line.strip().isdigit()]
    if child.returncode not in (0, 1):
        err = child.stderr.decode(errors="replace")
        print(f"    ! exit {child.returncode}: {err.strip()[-300:]}")
    peak_mib = int(lines[-1]) / 1024 if lines else float("nan")
    return seconds, peak_mib, child.returncode


def measure(argv: list[str], runs: int, before=None) -> tuple[float, float, int, list[float]]:
    """Median seconds and max peak RSS of ``runs`` runs (``before()`` runs untimed first)."""
    times, peak, code = [], 0.0, 0
    for _ in range(runs):
        if before:
            before()
        seconds, rss, code = run_child(argv)
        times.append(seconds)
        peak = max(peak, rss)
    return statistics.median(times), peak, code, times


def cli(*args: str) -> list[str]:
    """The command line of ``python -m venuemap ARGS``."""
    return [sys.executable, "-m", "venuemap", *args]


def baseline(name: str, *args: str) -> list[str]:
    """The command line of a baseline script."""
    return [sys.executable, "-c", BASELINE_CODE[name], *args]


def build(work: Path, n_venues: int, n_demand: int) -> tuple[Path, Path]:
    """Write the register CSV and a store (venues + villages layers); return their paths."""
    from synthetic import register_csv, synthetic_demand, synthetic_venues

    from geo.store import GeoPackageStore

    venues = synthetic_venues(n_venues)
    csv = work / "register.csv"
    register_csv(venues).to_csv(csv, index=False)
    store = GeoPackageStore(work / "store.gpkg")
    store.replace_venues(venues)
    store.write_layer("villages", synthetic_demand(n_demand))
    return csv, store.path


def report(step: str, ours, base, base_name: str) -> None:
    """Print one step: ours, the baseline, the ratio, the load."""
    t, rss, code, times = ours
    tb, rssb, _, _ = base
    print(f"  {step:8s} ours {t:8.2f} s  peak RSS {rss:7.0f} MiB  (exit {code}, runs "
          f"{[round(x, 2) for x in times]})  | {base_name}: {tb:7.2f} s  {rssb:6.0f} MiB  | "
          f"ours/baseline {t / tb:5.2f}x  [{load()}]", flush=True)  # fmt: skip


def bench_size(n: int, args: argparse.Namespace) -> None:
    """Build the data for ``n`` venues and time every asked step."""
    n_demand = args.demand or min(max(n, 1000), 300_000)
    work = Path(tempfile.mkdtemp(prefix=f"venuemap-scale-{n}-"))
    try:
        start = time.perf_counter()
        csv, store = build(work, n, n_demand)
        print(f"{n:,} venues x {n_demand:,} demand points (built in "
              f"{time.perf_counter() - start:.0f} s) [{load()}]", flush=True)  # fmt: skip
        for step in args.steps:
            STEP_RUNNERS[step](work, csv, store, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def step_import(work: Path, csv: Path, store: Path, runs: int) -> None:
    fresh = work / "fresh.gpkg"
    out = work / "baseline.gpkg"
    ours = measure(cli("import", str(csv), "--store", str(fresh), "--json"), runs,
                   lambda: fresh.unlink(missing_ok=True))  # fmt: skip
    base = measure(baseline("pyogrio_rw", str(csv), str(out)), runs,
                   lambda: out.unlink(missing_ok=True))  # fmt: skip
    report("import", ours, base, "pyogrio read+write")


def step_import_write(work: Path, csv: Path, store: Path, runs: int) -> None:
    fresh = work / "fresh-write.gpkg"
    out = work / "baseline.gpkg"

    def clean() -> None:
        fresh.unlink(missing_ok=True)
        shutil.rmtree(work / "fresh-write.gpkg.backups", ignore_errors=True)

    ours = measure(cli("import", str(csv), "--store", str(fresh), "--json", "--skip-invalid"),
                   runs, clean)  # fmt: skip
    base = measure(baseline("pyogrio_rw", str(csv), str(out)), runs,
                   lambda: out.unlink(missing_ok=True))  # fmt: skip
    report("import+w", ours, base, "pyogrio read+write")


def step_coverage(work: Path, csv: Path, store: Path, runs: int) -> None:
    ours = measure(cli("coverage", "--json", "--store", str(store)), runs)
    base = measure(baseline("geopandas_sjoin", str(store)), runs)
    report("coverage", ours, base, "geopandas sjoin+sjoin_nearest")


def step_gaps(work: Path, csv: Path, store: Path, runs: int) -> None:
    ours = measure(cli("gaps", "--json", "--store", str(store)), runs)
    base = measure(baseline("geopandas_sjoin", str(store), "gaps"), runs)
    report("gaps", ours, base, "geopandas sjoin+sjoin_nearest+sort")


def step_site(work: Path, csv: Path, store: Path, runs: int) -> None:
    ours = measure(cli("site", "--json", "--add", "5", "--store", str(store)), runs)
    base = measure(baseline("read_only", str(store)), runs)
    report("site", ours, base, "read the layers only")


def step_export(work: Path, csv: Path, store: Path, runs: int) -> None:
    out, raw = work / "export.gpkg", work / "raw.gpkg"
    ours = measure(cli("export", "--layer", "venues", "--store", str(store), "--out", str(out)),
                   runs, lambda: out.unlink(missing_ok=True))  # fmt: skip
    base = measure(baseline("pyogrio_rw", str(store), str(raw)), runs,
                   lambda: raw.unlink(missing_ok=True))  # fmt: skip
    report("export", ours, base, "pyogrio read+write")


STORE_CODE = """
import sys, time, shutil, pyogrio
from geo.store import GeoPackageStore
src, work, what = sys.argv[1], sys.argv[2], sys.argv[3]
copy = work + '/store-copy.gpkg'
shutil.copy(src, copy)
store = GeoPackageStore(copy)
if what == 'read':
    store.venues()
elif what == 'add1':
    store.add_venues(store.venues().iloc[:1].assign(id='NEW-1'))
elif what == 'raw_read':
    pyogrio.read_dataframe(copy, layer='venues')
elif what == 'raw_write':
    gdf = pyogrio.read_dataframe(copy, layer='venues')
    pyogrio.write_dataframe(gdf, work + '/raw-write.gpkg', layer='venues', driver='GPKG')
"""


def step_store(work: Path, csv: Path, store: Path, runs: int) -> None:
    def run(what: str):
        return measure([sys.executable, "-c", STORE_CODE, str(store), str(work), what], runs,
                       lambda: (work / "raw-write.gpkg").unlink(missing_ok=True))  # fmt: skip

    copy = measure([sys.executable, "-c", "import shutil,sys; shutil.copy(*sys.argv[1:])",
                    str(store), str(work / "store-copy.gpkg")], runs)  # fmt: skip
    print(f"  (store steps include a child start and a file copy: {copy[0]:.2f} s alone)")
    report("store rd", run("read"), run("raw_read"), "pyogrio read")
    report("store +1", run("add1"), run("raw_write"), "pyogrio read+write all")


STEP_RUNNERS = {"import": step_import, "import_write": step_import_write,
                "coverage": step_coverage, "gaps": step_gaps,
                "site": step_site, "export": step_export, "store": step_store}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000,500000",
                        help="venue counts, comma-separated")  # fmt: skip
    parser.add_argument("--demand", type=int, default=300_000,
                        help="demand points (0: as many as venues, at most 300,000)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.steps = [s for s in args.steps.split(",") if s]
    unknown = set(args.steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; choose from {', '.join(STEPS)}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, [{load()}]")
    for n in (int(text) for text in args.sizes.split(",")):
        bench_size(n, args)


if __name__ == "__main__":
    main()
