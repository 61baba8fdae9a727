"""Dashboard timings in headless Chromium, run by hand: ``python bench/dashboard.py [--runs N]``.

Measures the dashboard as ``scripts/run`` starts it (``python -m venuemap.dashboard``: ``streamlit
run app.py`` plus a start-up warm-up, see venuemap/dashboard.py) on localhost with the demo
register, in Debian's Chromium; ``--command streamlit`` measures plain ``streamlit run app.py``:

(a) **cold start**: spawn a new server process, open ``/map`` in a new browser context as soon
    as the server answers its health check, and stop the clock when the map's first Leaflet
    feature (``.leaflet-interactive``) is drawn. Timed from the process spawn, so work moved to
    server start-up is counted too (target <= 3 s). Median of ``--runs`` servers (>= 3), all
    opening the same store, as a restarted installation does: first ``--runs`` starts with
    nothing saved, then ``--runs`` starts that find the first map the previous start saved
    (``ui.first_view``, in a cache folder of the bench's own); the target is on the latter.
    *Baseline "warm visit"*: the same first visit of ``/map`` in a new browser context on a
    server that has already served it (imports done, caches filled), median of ``--runs``.
(b) **radius change**: on an open map, move the village-station radius slider one step (always
    to a value not seen before, so coverage is really recomputed) until the redrawn map's legend
    shows the new radius (target <= 1 s). Median of ``--radius-runs`` (>= 5).
    *Baseline "full reload"*: the warm visit of (a), i.e. what the change would cost if it
    reloaded the whole page.
    *Baseline "bare Streamlit"*: a one-line app (``st.title``) started the same way (same
    interpreter, options and browser), timed from its process spawn until its title is drawn,
    median of ``--runs``, each started right after one of the cold starts it is compared with:
    Streamlit's own floor. Target: cold start <= 1.3 x bare. Every server, of either app, is
    spawned once the machine is quiet again (:func:`wait_until_quiet`).
(c) **payload**: the demo map's HTML with every layer on, simplified for display, against the
    *baseline "unsimplified"* (same map, boundaries and coverage drawn as computed).

Both baselines are measured in the same process, on the same machine, right after the figures
they are compared with; the ratios are printed next to them.

``--large N`` (e.g. 100000) measures instead a store of N synthetic venues (`bench/synthetic.py`,
written through ``geo.store``; ``VENUEMAP_STORE`` points the server at it; ``--store PATH`` reuses
one written before with the same N) against the demo register on another server started the
same way, both warm: (d) first venue drawn (a venue marker's SVG path for the demo; for the
large store, the venue cells painted on the map's canvas, which ``geo.layers._cellgrid`` marks
with ``data-vm-cells`` two animation frames after adding them; target <= 2 x the demo's time),
the bytes the browser receives over the websocket for that visit (target <= 2 MB), view changes
of the drawn map until two frames are painted: one zoom step in, a pan, one step out, then three
steps in and out, which swaps the coarser cells for the finer ones (target <= 150 ms each), and
the server's peak RSS (``VmHWM`` of the server process over the whole run, including the first,
cache-filling visit; target <= 1.5 GB). Medians of ``--runs`` new-session visits.
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402 - after the path is set
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_IFRAME,
    _free_port,
    _wait_healthy,
    map_frame,
    wait_for_app,
)

VILLAGE_SLIDER = 2  # index of the village-station radius among the sidebar's sliders
FEATURE = ".leaflet-interactive"  # any drawn Leaflet vector feature
#: The venue cells of a large register are painted (they are drawn on a canvas, with no
#: element each; geo.layers._cellgrid marks the map once two frames have been painted).
CELLS_DRAWN = ".leaflet-container[data-vm-cells]"
TIMEOUT_S = 120
#: How often a starting server is asked whether it is up. Both servers are up after ~0.6 s:
#: a coarse poll (0.3 s) added 0 or 0.3 s to a start depending on which side of a poll it fell.
HEALTH_POLL_S = 0.01
#: The servers' first-view cache (``ui.first_view``): a folder of the bench's own.
FIRST_VIEW_ENV = "VENUEMAP_CACHE_DIR"


#: The bare baseline app: one title, nothing imported but Streamlit.
BARE_APP = 'import streamlit as st\n\nst.title("venuemap bare baseline")\n'
BARE_TEXT = "venuemap bare baseline"


@dataclass
class Timings:
    """Seconds measured by one bench run (lists of runs)."""

    cold: list[float] = field(default_factory=list)
    cold_unsaved: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    bare_up: list[float] = field(default_factory=list)
    server_up: list[float] = field(default_factory=list)
    first_visit: list[float] = field(default_factory=list)
    warm_visit: list[float] = field(default_factory=list)
    radius: list[float] = field(default_factory=list)


#: How each ``--command`` starts the server (options for ``streamlit run`` follow).
COMMANDS = {
    "launcher": ["-m", "venuemap.dashboard"],
    "streamlit": ["-m", "streamlit", "run", "app.py"],
}


#: A machine is quiet when its cores were this idle over :data:`QUIET_WINDOW_S`.
QUIET_IDLE = 0.9
QUIET_WINDOW_S = 0.2
#: Longest wait for a quiet machine (a busy one is measured anyway, and the load printed).
QUIET_MAX_S = 10.0


def _cpu_times() -> tuple[int, int]:
    """Return (idle, total) jiffies of all cores since boot (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait


def wait_until_quiet() -> None:
    """Wait until the cores are idle: the previous run's browser page and server are gone.

    A closed browser context and a stopped server still cost CPU for a moment; the next
    server spawned meanwhile started slower by ~0.1 s, more after a heavy page (the map) than
    after a light one (the bare app). So every start, of either app, begins on a quiet machine.
    """
    if not Path("/proc/stat").exists():
        time.sleep(1.0)
        return
    deadline = time.perf_counter() + QUIET_MAX_S
    while time.perf_counter() < deadline:
        idle0, total0 = _cpu_times()
        time.sleep(QUIET_WINDOW_S)
        idle1, total1 = _cpu_times()
        if total1 > total0 and (idle1 - idle0) / (total1 - total0) >= QUIET_IDLE:
            return


def start_server(
    store: Path, log: Path, command: str = "launcher", app: Path | None = None
) -> tuple[subprocess.Popen, str, float, float]:
    """Start the dashboard (or ``app`` with plain ``streamlit run``) on a free port.

    Starts once the machine is quiet (:func:`wait_until_quiet`). Returns (process, url,
    spawn time, seconds until healthy).
    """
    wait_until_quiet()
    port = _free_port()
    env = {**os.environ, "VENUEMAP_STORE": str(store), "PYTHONPATH": str(ROOT)}
    head = COMMANDS[command] if app is None else ["-m", "streamlit", "run", str(app)]
    argv = [sys.executable, *head, "--server.headless", "true",
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false"]  # fmt: skip
    spawned = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc, log, poll_s=HEALTH_POLL_S)
    return proc, url, spawned, time.perf_counter() - spawned


def stop(proc: subprocess.Popen) -> None:
    """Stop the server process started by this script."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def new_page(browser) -> object:
    """Return a page in a new browser context (own cookies and cache) at a desktop size."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


def visit_map(page, url: str, feature: str = FEATURE, timeout_s: float = TIMEOUT_S) -> float:
    """Open /map in ``page``; return the seconds until its first map feature is drawn.

    On a server's very first session Streamlit may route the bookmark through app.py to the
    default page; then the map is reached by its link in the sidebar, and that time counts too.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    t0 = time.perf_counter()
    page.goto(f"{url}/map")
    features = map_frame(page).locator(feature)
    while True:
        try:  # Playwright waits in the page: no polling from here while the map is drawn
            features.first.wait_for(state="attached", timeout=2000)
            return time.perf_counter() - t0
        except PlaywrightTimeout:
            pass
        if time.perf_counter() - t0 > timeout_s:
            raise TimeoutError(f"the map was not drawn within {timeout_s} s")
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        no_map = page.locator(MAP_IFRAME).count() == 0
        if state == "notRunning" and no_map and not page.url.rstrip("/").endswith("/map"):
            page.locator('[data-testid="stSidebarNav"] a[href$="/map"]').click()


def legend_text(page) -> str:
    """Return the map legend's text ('' while the map is being replaced)."""
    try:
        return map_frame(page).locator(".vm-legend").inner_text(timeout=200)
    except Exception:  # noqa: BLE001 - the iframe may be mid-replacement
        return ""


def change_radius(page) -> float:
    """Move the village radius slider one step up; return seconds until the map shows it."""
    wait_for_app(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sliders = sidebar.locator('[data-testid="stSlider"]')
    if not sliders.nth(VILLAGE_SLIDER).is_visible():
        sidebar.locator('[data-testid="stExpander"] summary').last.click()
        sliders.nth(VILLAGE_SLIDER).wait_for()
    before = legend_text(page)
    slider = sliders.nth(VILLAGE_SLIDER).locator('input[type="range"]')
    slider.focus()
    t0 = time.perf_counter()
    slider.press("ArrowRight")
    while True:
        text = legend_text(page)
        if text and text != before:
            return time.perf_counter() - t0
        if time.perf_counter() - t0 > TIMEOUT_S:
            raise TimeoutError("the map did not change after the radius changed")
        time.sleep(0.01)


def measure_cold(browser, tmp: Path, runs: int, timings: Timings, command: str) -> None:
    """(a) One new server per run, first visit of /map, timed from the process spawn.

    Every server opens the same (not yet created) store, as a restarted installation does.
    First ``runs`` starts with nothing saved (the first-view cache emptied before each), then
    ``runs`` starts finding the first map the previous start saved (``ui.first_view``), each
    followed by a start of the bare baseline (:func:`bare_start`): a pair meets the machine in
    the same state, so a machine growing slower or faster during the bench moves both.
    """
    cache = Path(os.environ[FIRST_VIEW_ENV])
    app = tmp / "bare_app.py"
    app.write_text(BARE_APP, encoding="utf-8")
    for saved in (False, True):
        if saved:
            _wait_for_saved_view(cache)
        for run in range(runs):
            if not saved:
                shutil.rmtree(cache, ignore_errors=True)
            up, visit, total = cold_start(browser, tmp, f"{run}-{saved}", command)
            (timings.cold if saved else timings.cold_unsaved).append(total)
            if saved:
                timings.server_up.append(up)
                timings.first_visit.append(visit)
                bare_up, bare_total = bare_start(browser, tmp, app, run)
                timings.bare_up.append(bare_up)
                timings.bare.append(bare_total)


def cold_start(browser, tmp: Path, name: str, command: str) -> tuple[float, float, float]:
    """Start a server, open /map; return (seconds to healthy, visit, spawn -> map drawn)."""
    page = new_page(browser)  # the browser's own start-up is not the app's
    proc, url, spawned, up = start_server(tmp / "store.gpkg", tmp / f"log{name}.txt", command)
    try:
        visit = visit_map(page, url)
        return up, visit, time.perf_counter() - spawned
    finally:
        page.context.close()
        stop(proc)


def _wait_for_saved_view(cache: Path, timeout_s: float = 30.0) -> None:
    """Wait until a start has saved its first map (a start stopped early may not have)."""
    deadline = time.perf_counter() + timeout_s
    while not any(cache.glob("*.view")):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no first view was saved in {cache}")
        time.sleep(0.1)


def bare_start(browser, tmp: Path, app: Path, run: int) -> tuple[float, float]:
    """Baseline: spawn the one-title app, open it; return (seconds to healthy, to its title)."""
    page = new_page(browser)
    proc, url, spawned, up = start_server(tmp / f"bare{run}.gpkg", tmp / f"bare{run}.txt", app=app)
    try:
        page.goto(url)
        page.get_by_text(BARE_TEXT).first.wait_for(timeout=TIMEOUT_S * 1000)
        return up, time.perf_counter() - spawned
    finally:
        page.context.close()
        stop(proc)


def measure_warm(
    browser, tmp: Path, runs: int, radius_runs: int, timings: Timings, command: str
) -> None:
    """(b) radius changes and the warm-visit baseline, on one warm server."""
    proc, url, _, _ = start_server(tmp / "warm.gpkg", tmp / "warm.txt", command)
    try:
        page = new_page(browser)
        visit_map(page, url)  # the server's first visit warms it
        page.context.close()
        page = new_page(browser)
        visit_map(page, url)
        for _ in range(radius_runs):
            timings.radius.append(change_radius(page))
        page.context.close()
        for _ in range(runs):
            page = new_page(browser)
            timings.warm_visit.append(visit_map(page, url))
            page.context.close()
    finally:
        stop(proc)


#: Time a view change of the drawn Leaflet map until two animation frames have been painted.
VIEW_CHANGE_JS = """async (how) => {
    const map = Object.values(window).find((v) => v instanceof L.Map);
    const painted = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const t0 = performance.now();
    if (how === "zoom_in") map.setZoom(map.getZoom() + 1, {animate: false});
    if (how === "zoom_out") map.setZoom(map.getZoom() - 1, {animate: false});
    if (how === "pan") map.panBy([300, 200], {animate: false});
    if (how === "zoom_in_3") map.setZoom(map.getZoom() + 3, {animate: false});
    if (how === "zoom_out_3") map.setZoom(map.getZoom() - 3, {animate: false});
    await painted();
    return performance.now() - t0;
}"""


#: View changes timed, in this order: one zoom step in, a pan, one step out (the large
#: register's coarser cells stay), then three steps in and out (the finer cells replace them:
#: the prefecture's fitted zoom 8 -> 11 crosses the switch at 10).
VIEW_CHANGES = ("zoom_in", "pan", "zoom_out", "zoom_in_3", "zoom_out_3")


def leaflet_frame(page):
    """Return the (newest) frame that holds the Leaflet map."""
    for frame in reversed(page.frames):
        try:
            if frame.evaluate(
                "typeof L !== 'undefined' && Object.values(window).some((v) => v instanceof L.Map)"
            ):
                return frame
        except Exception:  # noqa: BLE001, S112 - a frame being replaced
            continue
    raise RuntimeError("no Leaflet map found in the page's frames")


def peak_rss_mib(pid: int) -> float:
    """Return the peak RSS (VmHWM) of process ``pid`` and its children, MiB."""
    total = 0.0
    for proc in [pid, *_children(pid)]:
        status = Path(f"/proc/{proc}/status")
        for line in status.read_text().splitlines() if status.exists() else []:
            if line.startswith("VmHWM:"):
                total = max(total, int(line.split()[1]) / 1024)
    return total


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def large_store(tmp: Path, n: int) -> Path:
    """Write a store of ``n`` synthetic venues through ``geo.store``; return its path."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import synthetic_venues

    from geo.store import GeoPackageStore

    store = GeoPackageStore(tmp / f"large-{n}.gpkg")
    store.replace_venues(synthetic_venues(n))
    return store.path


def measure_view(browser, store: Path, log: Path, feature: str, runs: int) -> dict:
    """Warm server on ``store``: first ``feature`` drawn, websocket bytes, view changes, RSS."""
    proc, url, _, _ = start_server(store, log)
    out: dict[str, list[float]] = {key: [] for key in ("first", "ws_mb", *VIEW_CHANGES)}
    try:
        page = new_page(browser)
        out["cold_visit"] = [visit_map(page, url, feature, 15 * TIMEOUT_S)]  # fills the caches
        page.context.close()
        for _ in range(runs):
            page = new_page(browser)
            received = [0]
            page.on(
                "websocket",
                lambda ws, r=received: ws.on(
                    "framereceived", lambda data, r=r: r.__setitem__(0, r[0] + len(data))
                ),
            )
            out["first"].append(visit_map(page, url, feature))
            page.wait_for_timeout(500)  # the rest of the run's messages
            out["ws_mb"].append(received[0] / 1e6)
            frame = leaflet_frame(page)
            for how in VIEW_CHANGES:
                out[how].append(frame.evaluate(VIEW_CHANGE_JS, how) / 1000.0)
            page.context.close()
        out["rss_mib"] = [peak_rss_mib(proc.pid)]
    finally:
        stop(proc)
    return out


def report_large(n: int, large: dict, demo: dict) -> None:
    """Print (d): the large store against the demo register."""
    med = statistics.median
    print(
        f"(d) {n:,} venues (cells) vs the demo register (markers), warm servers, "
        f"medians of {len(large['first'])} visits:"
    )
    rows = [
        ("first venue drawn, s", "first", "<= 2 x demo"),
        ("websocket MB", "ws_mb", "<= 2"),
        ("zoom in, s", "zoom_in", "<= 0.15"),
        ("pan, s", "pan", "<= 0.15"),
        ("zoom out, s", "zoom_out", "<= 0.15"),
        ("zoom in x3, s", "zoom_in_3", "<= 0.15"),
        ("zoom out x3, s", "zoom_out_3", "<= 0.15"),
        ("server peak RSS MiB", "rss_mib", "<= 1536"),
    ]
    for title, key, target in rows:
        big, small = med(large[key]), med(demo[key])
        print(f"    {title:22s} large {big:9.3f}  demo {small:9.3f}  ratio {big / small:6.2f}"
              f"  (target {target}; runs {_runs(large[key])})")  # fmt: skip


def run_large(n: int, runs: int, reuse: Path | None = None) -> int:
    """Build the large store (or reuse one) and measure it against the demo register."""
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="venuemap-bench-large-"))
    start = time.perf_counter()
    store = reuse if reuse is not None else large_store(tmp, n)
    print(
        f"store of {n:,} venues {'reused' if reuse else 'written'} in "
        f"{time.perf_counter() - start:.0f} s; load {os.getloadavg()[0]:.2f}"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            large = measure_view(browser, store, tmp / "large.txt", CELLS_DRAWN, runs)
            demo = measure_view(browser, tmp / "demo.gpkg", tmp / "demo.txt", "path.vm-venue",
                                runs)  # fmt: skip
        finally:
            browser.close()
    report_large(n, large, demo)
    print(
        f"    first visit of each server (caches empty: coverage areas, cells computed): "
        f"large {large['cold_visit'][0]:.1f} s, demo {demo['cold_visit'][0]:.1f} s"
    )
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


def payload_mb() -> tuple[float, float]:
    """Return (simplified MB, unsimplified MB) of the demo map with every layer on."""
    from tests.layers.test_demo_map_size import demo_map_html

    return len(demo_map_html(0.0005).encode()) / 1e6, len(demo_map_html(0.0).encode()) / 1e6


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in values)


def report(t: Timings) -> None:
    """Print medians, targets, baselines and ratios."""
    med = statistics.median
    cold, bare, unsaved = med(t.cold), med(t.bare), med(t.cold_unsaved)
    load = os.getloadavg()
    lines = [
        f"machine load average (1/5/15 min) at the end: {load[0]:.2f} / {load[1]:.2f} / "
        f"{load[2]:.2f} on {os.cpu_count()} cores",
        f"(a) cold start, server spawn -> first map feature drawn: median {cold:.2f} s "
        f"(runs {_runs(t.cold)}; target <= 3 s), the first map saved by the previous start",
        f"    first start with nothing saved: median {unsaved:.2f} s "
        f"(runs {_runs(t.cold_unsaved)}); ratio to bare {unsaved / med(t.bare):.2f}",
        f"    of which server healthy {med(t.server_up):.2f} s, then first visit of /map "
        f"{med(t.first_visit):.2f} s",
        f"    baseline 'bare Streamlit' (one st.title, spawn -> title drawn): median "
        f"{bare:.2f} s (runs {_runs(t.bare)}); ratio cold/bare = {cold / bare:.2f} "
        f"(target <= 1.30)",
        f"    of which server healthy {med(t.bare_up):.2f} s, then visit of / "
        f"{bare - med(t.bare_up):.2f} s",
    ]
    if t.warm_visit:
        lines += _warm_lines(t, cold)
    print("\n".join(lines))


def _warm_lines(t: Timings, cold: float) -> list[str]:
    med = statistics.median
    warm, radius = med(t.warm_visit), med(t.radius)
    simplified, raw = payload_mb()
    return [
        f"    baseline 'warm visit' (new browser session, /map on a warm server): median "
        f"{warm:.2f} s (runs {_runs(t.warm_visit)}); ratio cold/warm = {cold / warm:.2f}",
        f"(b) radius change -> map redrawn: median {radius:.2f} s "
        f"(runs {_runs(t.radius)}; target <= 1 s)",
        f"    baseline 'full reload' (= warm visit): {warm:.2f} s; "
        f"ratio change/reload = {radius / warm:.2f}",
        f"(c) map HTML, all layers on: {simplified:.2f} MB simplified; baseline "
        f"'unsimplified' {raw:.2f} MB; ratio = {simplified / raw:.2f} (budget 1.5 MB)",
    ]


def main() -> int:
    """Run the measurements and print medians, targets and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=5, help="cold starts, bare starts and warm visits (>= 3)"
    )
    parser.add_argument("--radius-runs", type=int, default=5, help="radius changes (>= 5)")
    parser.add_argument(
        "--cold-only",
        action="store_true",
        help="measure only (a) and its bare baseline (skip the radius change and warm visits)",
    )
    parser.add_argument(
        "--command",
        choices=tuple(COMMANDS),
        default="launcher",
        help="launcher: python -m venuemap.dashboard, as scripts/run (default); "
        "streamlit: plain `streamlit run app.py`",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=0,
        metavar="N",
        help="measure a store of N synthetic venues against the demo (d)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="PATH",
        help="with --large: measure this store (written by large_store with the same N) "
        "instead of writing a new one",
    )
    args = parser.parse_args()
    if args.large:
        return run_large(args.large, args.runs, args.store)
    if args.runs < 3 or args.radius_runs < 5:
        parser.error("use --runs >= 3 and --radius-runs >= 5: medians of fewer runs mislead")
    from playwright.sync_api import sync_playwright

    print(f"server: python {' '.join(COMMANDS[args.command])}")
    tmp = Path(tempfile.mkdtemp(prefix="venuemap-bench-"))
    os.environ[FIRST_VIEW_ENV] = str(tmp / "first-view")  # the servers inherit it
    timings = Timings()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            measure_cold(browser, tmp, args.runs, timings, args.command)
            if not args.cold_only:
                measure_warm(browser, tmp, args.runs, args.radius_runs, timings, args.command)
        finally:
            browser.close()
    report(timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
