"""Load on one dashboard, run by hand: ``python bench/load.py [--sessions 30] [--planners 2]``.

Starts the dashboard as ``scripts/run`` does (``python -m venuemap.dashboard``) on 127.0.0.1 with
a temporary store holding the demo register (``--backend gpkg``: a GeoPackage file;
``--backend postgis``: a throwaway PostgreSQL 15 + PostGIS cluster started here, as the tests
do, see ``tests/pgserver.py``), then, all at once:

- ``--sessions`` (>= 30) sessions speaking Streamlit's own websocket protocol, as the browser
  does (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg``): each asks for the ``map``
  page and is timed until the finished map (the page's iframe holding the Leaflet document)
  has arrived, then stays connected until every session is done;
- ``--browsers`` real browser sessions, each its own Playwright context in one headless
  Chromium, loading ``/map`` and timed until the map's first Leaflet feature is drawn (they
  prove that what the websocket sessions receive is drawn, at the same time, on the same
  server);
- ``--planners`` planner processes, each importing ``--edits`` one-venue files in turn with
  ``venuemap import`` (the real CLI write path), every venue with its own name: every import
  is a new data version, so sessions arriving after it are served from a fresh computation.

Why websocket sessions: thirty Chromium pages on a 2-core machine measure mostly Chromium
(each draws Streamlit's React app and a Leaflet map); the issue allows either. The server does
the same work for both kinds (``--sessions 0 --browsers 30`` runs browsers only).

Printed: p50/p95 time to the map (all sessions, and per kind), the server's memory per session
(its process tree's RSS with every session open minus its RSS after one warm-up visit, divided
by the sessions), errors (sessions that never got the map or got a Streamlit exception,
imports that failed) and **lost edits**: venues whose import exited 0 but which are not in the
store at the end. Targets (issue 8): 0 errors, 0 lost edits, p95 <= 5 s.

*Baseline "single session"*: the median time to the map of ``--baseline-runs`` visits of each
kind, one after another on the same warm server, measured in the same process just before the
load; the ratio p50 under load / single session is printed last. Everything stays on loopback;
every loop is bounded (timeouts, a fixed number of edits).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.dashboard import start_server, stop  # noqa: E402 - after the path is set
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, MAP_IFRAME  # noqa: E402

FEATURE = ".leaflet-interactive"
NAV_MAP = '[data-testid="stSidebarNav"] a[href$="/map"]'
#: How long one session may take to draw the map before it counts as an error (--timeout-s).
TIMEOUT_S = 180
PAGE_SIZE = {"width": 1400, "height": 1000}
#: How often a planner retries an import told to retry (exit 75, EX_TEMPFAIL).
RETRIES = 3


@dataclass
class LoadResult:
    """What one load run measured (seconds to the map per session kind)."""

    ws_s: list[float] = field(default_factory=list)
    browser_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_open_kib: int = 0

    @property
    def times_s(self) -> list[float]:
        """Every session's time to the map, both kinds."""
        return self.ws_s + self.browser_s


# --------------------------------------------------------------------------- server memory
def tree_rss_kib(pid: int) -> int:
    """Return the resident memory (KiB) of process ``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)  # fmt: skip
    return total


# --------------------------------------------------------------------------- sessions
@dataclass
class Gate:
    """Keeps every session open until all have their result (memory is measured then)."""

    expected: int
    arrived: int = 0
    all_in: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self) -> None:
        """Count this session as done, then wait until the sessions are released."""
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_in.set()
        await self.release.wait()


def _open_gate() -> Gate:
    gate = Gate(expected=1)
    gate.release.set()
    return gate


def _is_map(element) -> bool:
    """Return True if a new page element is the map (an iframe holding a Leaflet document)."""
    return element.WhichOneof("type") == "iframe" and "L.map(" in element.iframe.srcdoc


async def ws_time_to_map(url: str, gate: Gate) -> float:
    """Open a session over the websocket protocol, ask for /map; return seconds to the map.

    The session then stays connected until ``gate`` releases it (so memory is measured with
    every session open). Raises on a Streamlit exception shown in the page or a timeout.
    """
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ask = BackMsg()
    ask.rerun_script.page_name = "map"
    t0 = time.perf_counter()
    stream = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(stream, subprotocols=["streamlit"], origin=url,
                                  max_size=None, ping_interval=None) as ws:  # fmt: skip
        await ws.send(ask.SerializeToString())
        seconds, finished = None, False
        while seconds is None or not finished:
            raw = await asyncio.wait_for(ws.recv(), TIMEOUT_S - (time.perf_counter() - t0))
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            finished = kind == "script_finished"
            if kind != "delta" or not msg.delta.HasField("new_element"):
                continue
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                raise RuntimeError(f"the page shows an exception: {element.exception.message}")
            if seconds is None and _is_map(element):
                seconds = time.perf_counter() - t0
        await gate.wait()
    return seconds


async def one_ws_session(url: str, index: int, gate: Gate):
    """Run one websocket session; return ("ws", seconds or None, error or None)."""
    try:
        return "ws", await ws_time_to_map(url, gate), None
    except Exception as error:  # noqa: BLE001 - every failure is counted and reported
        if not gate.release.is_set():
            await gate.wait()
        return "ws", None, f"ws session {index}: {type(error).__name__}: {str(error)[:120]}"


async def time_to_map(page, url: str) -> float:
    """Open /map in ``page``; return seconds until its first map feature is drawn.

    A server may route a first visit through app.py to the default page; the map is then
    reached by its sidebar link, and that time counts too.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    t0 = time.perf_counter()
    await page.goto(f"{url}/map", wait_until="commit", timeout=TIMEOUT_S * 1000)
    features = page.locator(MAP_IFRAME).last.content_frame.locator(FEATURE)
    while time.perf_counter() - t0 < TIMEOUT_S:
        try:
            await features.first.wait_for(state="attached", timeout=2000)
            return time.perf_counter() - t0
        except PlaywrightTimeout:
            pass
        shown = page.locator('[data-testid="stException"]')
        if await shown.count():
            raise RuntimeError(
                f"the page shows an exception: {(await shown.first.inner_text())[:160]}"
            )
        on_map = page.url.rstrip("/").endswith("/map")
        if not on_map and await page.locator(NAV_MAP).count():
            await page.locator(NAV_MAP).first.click()
    raise TimeoutError(f"the map was not drawn within {TIMEOUT_S} s")


async def one_browser_session(browser, url: str, index: int, gate: Gate):
    """Open one browser session; return ("browser", seconds or None, error or None)."""
    context = await browser.new_context(viewport=PAGE_SIZE)
    page = await context.new_page()
    seconds, error = None, None
    try:
        seconds = await time_to_map(page, url)
        if await page.locator('[data-testid="stException"]').count():
            error = f"browser session {index}: the page shows a Streamlit exception"
    except Exception as failure:  # noqa: BLE001 - every failure is counted and reported
        error = f"browser session {index}: {type(failure).__name__}: {str(failure)[:120]}"
    await gate.wait()
    await context.close()
    return "browser", seconds, error


async def baseline(browser, url: str, runs: int) -> dict[str, list[float]]:
    """Time ``runs`` single visits of each kind, one after another (each a new session)."""
    times: dict[str, list[float]] = {"ws": [], "browser": []}
    for index in range(runs):
        for kind, seconds, error in (await one_ws_session(url, index, _open_gate()),
                                     await one_browser_session(browser, url, index,
                                                               _open_gate())):
            if error:
                raise RuntimeError(f"baseline visit failed: {error}")
            times[kind].append(seconds)
    return times


async def load(browser, url: str, args: argparse.Namespace, server_pid: int) -> LoadResult:
    """Open every session at once; measure RSS with all of them open, then close them."""
    gate = Gate(expected=args.sessions + args.browsers)
    tasks = [asyncio.create_task(one_ws_session(url, i, gate)) for i in range(args.sessions)]
    tasks += [asyncio.create_task(one_browser_session(browser, url, i, gate))
              for i in range(args.browsers)]  # fmt: skip
    await gate.all_in.wait()
    result = LoadResult(rss_open_kib=tree_rss_kib(server_pid))
    gate.release.set()
    for kind, seconds, error in await asyncio.gather(*tasks):
        if seconds is not None:
            (result.ws_s if kind == "ws" else result.browser_s).append(seconds)
        if error:
            result.errors.append(error)
    return result


async def browse(url: str, args: argparse.Namespace, server_pid: int, start_planners):
    """Warm up, measure the baseline, then the load while the planners edit."""
    from playwright.async_api import async_playwright

    flags = [*CHROMIUM_ARGS, f"--renderer-process-limit={args.renderer_limit}"]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=flags)
        try:
            await baseline(browser, url, 1)  # warm-up: imports done, caches filled
            rss_warm = tree_rss_kib(server_pid)
            single = await baseline(browser, url, args.baseline_runs)
            planners = start_planners()
            result = await load(browser, url, args, server_pid)
        finally:
            await browser.close()
    return rss_warm, single, result, planners


# --------------------------------------------------------------------------- planners
def planner_worker(index: int, store: str, edits: int, out: str) -> int:
    """Import ``edits`` one-venue files one after another; write the names imported (exit 0)."""
    from tests.fixtures_import import LONGWU, point_in_township, write_csv
    from venuemap.cli import main

    lon, lat = point_in_township(LONGWU)
    folder = Path(tempfile.mkdtemp(prefix=f"venuemap-planner{index}-"))
    written, failed = [], []
    for k in range(edits):
        name = f"负载测试站-{index}-{k}"
        path = write_csv(folder / f"{k}.csv", ["名称", "类型", "经度", "纬度"],
                         [[name, "村群团服务站", lon, lat]])  # fmt: skip
        for _ in range(RETRIES):
            code = main(_import_argv(path, store))
            if code != 75:
                break
            time.sleep(0.5)
        (written if code == 0 else failed).append(name if code == 0 else f"{name}: exit {code}")
    Path(out).write_text(json.dumps({"written": written, "failed": failed}, ensure_ascii=False))
    return 0


def _import_argv(path: Path, store: str) -> list[str]:
    """Return ``venuemap import`` of ``path`` into ``store`` (``--database URL`` goes first)."""
    if store.startswith("postgresql://"):
        return ["--database", store, "import", str(path), "--json"]
    return ["import", str(path), "--store", store, "--json"]


def spawn_planners(store: str, count: int, edits: int, folder: Path) -> list[tuple]:
    """Start ``count`` planner processes; return (process, result file) pairs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = []
    for index in range(count):
        out = folder / f"planner{index}.json"
        argv = [sys.executable, str(Path(__file__).resolve()), "--planner", str(index),
                "--store", str(store), "--edits", str(edits), "--result", str(out)]  # fmt: skip
        log = (folder / f"planner{index}.log").open("w")
        started.append((subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log), out))
    return started


def collect_planners(started: list[tuple], store: str) -> tuple[int, list[str], list[str]]:
    """Wait for the planners; return (edits claimed, lost edit names, planner errors)."""
    from geo.store import open_store

    claimed, errors = [], []
    for proc, out in started:
        try:
            proc.wait(timeout=TIMEOUT_S * 5)
        except subprocess.TimeoutExpired:
            proc.kill()
            errors.append(f"planner {out.stem} did not finish")
            continue
        if not out.exists():
            errors.append(f"{out.stem} exited {proc.returncode} without a result")
            continue
        result = json.loads(out.read_text())
        claimed += result["written"]
        errors += [f"{out.stem}: {failure}" for failure in result["failed"]]
    names = set(open_store(store).venues()["name"])
    return len(claimed), [name for name in claimed if name not in names], errors


# --------------------------------------------------------------------------- main
def write_demo_store(path: str) -> None:
    """Write the demo register into a fresh store (what the map draws)."""
    from geo.boundaries import load_layer
    from geo.store import conform_register, open_store

    open_store(path).replace_venues(conform_register(load_layer("venues_demo")))


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile (inclusive method) of ``values`` (NaN when empty)."""
    if len(values) <= 1:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _times_line(label: str, times: list[float], count: int) -> str:
    times = sorted(times)
    return (f"{label}: p50 {percentile(times, 0.5):.2f} s, p95 {percentile(times, 0.95):.2f} s, "
            f"max {max(times, default=float('nan')):.2f} s ({len(times)} of {count} got the map)")


def report(args, rss_warm: int, single: dict, result: LoadResult, edits) -> None:
    """Print the figures, the targets and the ratio to the baseline."""
    claimed, lost, planner_errors = edits
    errors = result.errors + planner_errors
    total = args.sessions + args.browsers
    p95 = percentile(sorted(result.times_s), 0.95)
    per_session_mib = (result.rss_open_kib - rss_warm) / max(total, 1) / 1024
    print(f"backend: {args.backend} · {args.sessions} websocket + {args.browsers} browser "
          f"sessions · {args.planners} planners × {args.edits} imports")  # fmt: skip
    print(_times_line("time to the map under load, all sessions", result.times_s, total))
    print("  " + _times_line("websocket sessions (map received)", result.ws_s, args.sessions))
    print("  " + _times_line("browser sessions (map drawn)", result.browser_s, args.browsers))
    print(f"server RSS: {rss_warm / 1024:.0f} MiB after warm-up, "
          f"{result.rss_open_kib / 1024:.0f} MiB with all sessions open -> "
          f"{per_session_mib:.1f} MiB per session")  # fmt: skip
    print(f"errors: {len(errors)}")
    for line in errors[:10]:
        print(f"  {line}")
    print(f"lost edits: {len(lost)} of {claimed} imports that exited 0")
    for name in lost[:10]:
        print(f"  lost: {name}")
    met = not errors and not lost and p95 <= 5.0
    print(f"targets (0 errors, 0 lost edits, p95 <= 5 s): {'met' if met else 'NOT met'}")
    for kind, under_load in (("ws", result.ws_s), ("browser", result.browser_s)):
        if single[kind] and under_load:
            base = statistics.median(single[kind])
            ratio = percentile(sorted(under_load), 0.5) / base
            print(f"baseline 'single session' ({kind}, median of {len(single[kind])} visits "
                  f"alone): {base:.2f} s; ratio p50 under load / single = {ratio:.1f}x")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the bench's options (``--planner`` runs one planner process instead)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30,
                        help="websocket-protocol sessions (with --browsers: >= 30 in all)")
    parser.add_argument("--browsers", type=int, default=2,
                        help="real browser sessions at the same time (drawing the map)")
    parser.add_argument("--backend", choices=("gpkg", "postgis"), default="gpkg",
                        help="GeoPackage file, or a throwaway PostgreSQL + PostGIS cluster")
    parser.add_argument("--planners", type=int, default=2, help="planner processes")
    parser.add_argument("--edits", type=int, default=5, help="imports per planner")
    parser.add_argument("--baseline-runs", type=int, default=3)
    parser.add_argument("--timeout-s", type=float, default=TIMEOUT_S,
                        help="a session not showing the map by then is an error")  # fmt: skip
    parser.add_argument(
        "--renderer-limit", type=int, default=8, help="Chromium renderer processes for all pages"
    )
    parser.add_argument("--planner", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the bench (or, with ``--planner``, one planner process)."""
    args = parse_args(argv)
    global TIMEOUT_S  # noqa: PLW0603 - one option read by every session coroutine
    TIMEOUT_S = args.timeout_s
    if args.planner is not None:
        return planner_worker(args.planner, args.store, args.edits, args.result)
    with tempfile.TemporaryDirectory(prefix="venuemap-load-") as tmp, _backend(args, tmp) as store:
        run_load(args, Path(tmp), store)
    return 0


@contextmanager
def _backend(args: argparse.Namespace, tmp: str) -> Iterator[str]:
    """Yield the store to load: a GeoPackage path, or a throwaway PostGIS server's URL."""
    if args.backend == "gpkg":
        yield str(Path(tmp) / "store.gpkg")
        return
    from tests.pgserver import throwaway_postgis

    with throwaway_postgis() as url:
        os.environ["VENUEMAP_DATABASE_URL"] = url  # the server and the planners inherit it
        yield url


def run_load(args: argparse.Namespace, folder: Path, store: str) -> None:
    """Write the demo store, start the server, run the load and print the report."""
    write_demo_store(store)
    proc, url, _, up_s = start_server(Path(store), folder / "server.log")
    print(f"server healthy after {up_s:.1f} s at {url}")
    try:
        rss_warm, single, result, planners = asyncio.run(browse(
            url, args, proc.pid, lambda: spawn_planners(store, args.planners, args.edits,
                                                        folder)))  # fmt: skip
        edits = collect_planners(planners, store)
    finally:
        stop(proc)
    report(args, rss_warm, single, result, edits)
    errors = [line for line in (folder / "server.log").read_text(errors="replace").splitlines()
              if "Error" in line or "Traceback" in line]  # fmt: skip
    shown = "".join(f"\n  {e[:160]}" for e in errors[:5])
    print(f"server log: {len(errors)} error line(s){shown}")


if __name__ == "__main__":
    sys.exit(main())
