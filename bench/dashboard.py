"""Dashboard timings in headless Chromium, run by hand: ``python bench/dashboard.py [--runs N]``.

Measures, against ``streamlit run app.py`` on localhost with the demo register:

* cold start: a fresh server process, first visit of ``/map`` until every venue marker is drawn
  (target <= 3 s; also printed from process start);
* radius change: move the village-station radius slider one step until the map shows the new
  coverage (target <= 1 s);

and prints each against a named baseline measured in the same process:

* baseline for the radius change: reloading the whole map page in a new browser session on the
  same warm server (what a change would cost if it reloaded everything);
* baseline for the payload: the same demo map's HTML with boundaries not simplified.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402 - after the path is set
    CHROMIUM,
    CHROMIUM_ARGS,
    _free_port,
    _wait_healthy,
    map_frame,
    wait_for_app,
)

VILLAGE_SLIDER = 2  # index of the village-station radius among the sidebar's sliders


def start_server(store: Path, log: Path) -> tuple[subprocess.Popen, str, float]:
    """Start streamlit on a free port; return (process, url, start time)."""
    port = _free_port()
    env = {**os.environ, "VENUEMAP_STORE": str(store), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc, log)
    return proc, url, started


def stop(proc: subprocess.Popen) -> None:
    """Stop the server process started by this script."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def open_map(browser, url: str) -> tuple[object, float]:
    """Open /map in a new session; return (page, seconds until every marker is drawn).

    On a server's very first session Streamlit may route the bookmark through app.py to the
    default page; then the map is reached by its link in the sidebar, and that time counts too.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    t0 = time.perf_counter()
    page.goto(f"{url}/map")
    markers = map_frame(page).locator("path.vm-venue")
    while markers.count() == 0:
        if time.perf_counter() - t0 > 120:
            raise TimeoutError("the map was not drawn within 120 s")
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        no_map = page.locator('iframe[title="streamlit_folium.st_folium"]').count() == 0
        if state == "notRunning" and no_map and not page.url.rstrip("/").endswith("/map"):
            page.locator('[data-testid="stSidebarNav"] a[href$="/map"]').click()
        time.sleep(0.02)
    return page, time.perf_counter() - t0


def legend_text(page) -> str:
    """Return the map legend's text ('' while the map is being replaced)."""
    try:
        return map_frame(page).locator(".vm-legend").inner_text(timeout=200)
    except Exception:  # noqa: BLE001 - the iframe may be mid-replacement
        return ""


def change_radius(page) -> float:
    """Move the village radius slider one step; return seconds until the map shows it."""
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
            break
        if time.perf_counter() - t0 > 60:
            raise TimeoutError("the map did not change after the radius changed")
        time.sleep(0.02)
    return time.perf_counter() - t0


def payload_ratio() -> tuple[float, float]:
    """Return (simplified MB, unsimplified MB) of the demo map with every layer on."""
    from tests.layers.test_demo_map_size import demo_map_html

    return len(demo_map_html(0.0005).encode()) / 1e6, len(demo_map_html(0.0).encode()) / 1e6


def main() -> int:
    """Run the measurements and print medians, targets and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="venuemap-bench-"))
    cold, cold_total, radius, reload_ = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for run in range(args.runs):
            proc, url, started = start_server(tmp / f"store{run}.gpkg", tmp / f"log{run}.txt")
            try:
                page, seconds = open_map(browser, url)
                cold.append(seconds)
                cold_total.append(time.perf_counter() - started)
                page.context.close()
            finally:
                stop(proc)
        proc, url, _ = start_server(tmp / "warm.gpkg", tmp / "warm.txt")
        try:
            open_map(browser, url)[0].context.close()  # warm the caches
            page, _ = open_map(browser, url)
            for _ in range(args.runs + 2):
                radius.append(change_radius(page))
            page.context.close()
            for _ in range(args.runs):
                page, seconds = open_map(browser, url)
                reload_.append(seconds)
                page.context.close()
        finally:
            stop(proc)
        browser.close()
    _report(cold, cold_total, radius, reload_)
    return 0


def _report(cold: list[float], cold_total: list[float], radius: list[float],
            reload_: list[float]) -> None:  # fmt: skip
    med = statistics.median
    simplified_mb, raw_mb = payload_ratio()
    print(f"cold start, first visit of /map -> map drawn: median {med(cold):.2f} s "
          f"(runs {', '.join(f'{x:.2f}' for x in cold)}; target <= 3 s)")
    print(f"  from server process start:                  median {med(cold_total):.2f} s")
    print(f"radius change -> map redrawn:                 median {med(radius):.2f} s "
          f"(runs {', '.join(f'{x:.2f}' for x in radius)}; target <= 1 s)")
    print(f"  baseline, full page reload on a warm server: median {med(reload_):.2f} s; "
          f"ratio change/reload = {med(radius) / med(reload_):.2f}")
    print(f"map HTML, all layers on: {simplified_mb:.2f} MB simplified vs {raw_mb:.2f} MB "
          f"unsimplified (baseline); ratio = {simplified_mb / raw_mb:.2f} (budget 1.5 MB)")


if __name__ == "__main__":
    sys.exit(main())
