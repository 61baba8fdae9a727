"""Browser fixtures: a real ``streamlit run app.py`` on localhost and headless Debian Chromium.

The server gets its own store (env ``VENUEMAP_STORE`` -> a temporary GeoPackage) holding the
demo register with one venue renamed ``<img src=x onerror=alert(1)>``, so the escaping test
has something to open. Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
XSS_NAME = "<img src=x onerror=alert(1)>"
#: Page url paths of app.py's st.navigation ("" is the default page, the overview).
PAGES = ("", "map", "gaps", "data", "about")
STARTUP_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_store(path: Path) -> int:
    """Write the demo register, one venue renamed to markup, into a fresh store; return count."""
    from geo.boundaries import load_layer
    from geo.store import conform_register, open_store

    register = conform_register(load_layer("venues_demo"))
    target = register.index[register["kind"] == "township_centre"][0]
    register.loc[target, "name"] = XSS_NAME
    register.loc[target, "name_en"] = XSS_NAME
    store = open_store(path)
    store.replace_venues(register)
    return len(store.venues())


def _ensure_assets() -> None:
    from ui import assets

    if assets.vendor_ready():
        return
    if not (assets.NODE_MODULES / "leaflet").is_dir():
        pytest.fail(f"map assets not installed: run `{assets.SETUP_COMMAND}`")
    assets.install()


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, poll_s: float = 0.3) -> None:
    """Return once the server answers its health check (asked every ``poll_s`` seconds)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        time.sleep(poll_s)
    raise RuntimeError(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def venue_count(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    store = tmp_path_factory.mktemp("store") / "venuemap.gpkg"
    return store, _write_store(store)


@contextlib.contextmanager
def streamlit_server(
    store: Path, log: Path, launcher: bool = False, base_path: str = ""
) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port with ``store``; yield its base URL; stop it.

    ``launcher``: start it as ``scripts/run`` does (``python -m venuemap.dashboard``, with the
    start-up warm-up). Saved first maps (``ui.first_view``) go to a folder beside ``log``.
    ``base_path``: serve the app below that path (``server.baseUrlPath``, as behind a proxy).
    """
    _ensure_assets()
    port = _free_port()
    env = {**os.environ, "VENUEMAP_STORE": str(store), "PYTHONPATH": str(ROOT),
           "VENUEMAP_CACHE_DIR": str(log.parent / "first-view")}  # fmt: skip
    head = ["-m", "venuemap.dashboard"] if launcher else ["-m", "streamlit", "run", "app.py"]
    command = [sys.executable, *head, "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false",
               "--server.baseUrlPath", base_path]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}" + (f"/{base_path}" if base_path else "")
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server(
    venue_count: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free port; yield its base URL; stop it."""
    store, _ = venue_count
    with streamlit_server(store, tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright's sync API."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `scripts/setup test` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_url(server: str, browser) -> str:
    """The server's URL after one warm-up visit of ``/``.

    Until app.py has run once, Streamlit routes with its legacy ``pages/`` folder and may run a
    page file alone; one visit of the entry point registers ``st.navigation``'s pages.
    """
    page = browser.new_page()
    page.goto(server)
    wait_for_app(page, timeout_ms=120_000)
    page.close()
    return server


@pytest.fixture
def context(browser):
    """A fresh browser context (own cookies/session) at a desktop size."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield ctx
    ctx.close()


def wait_for_app(page, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has drawn the page and its script run has finished.

    Streamlit marks its root element with ``data-test-script-state`` (``initial``, ``running``,
    ``notRunning``...): the run is over when it says ``notRunning`` and no widget is a skeleton.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


#: The maps' iframes (``ui.map_view.show``: ``st.iframe`` with the map as ``srcdoc``).
MAP_IFRAME = 'iframe[data-testid="stIFrame"]'


def map_frame(page):
    """Return the map iframe's FrameLocator (the newest, while a redraw replaces it)."""
    return page.locator(MAP_IFRAME).last.content_frame


def map_frames(page) -> list:
    """Return the Frames of the page's maps (``srcdoc`` iframes), oldest first."""
    return [f for f in page.frames if f.url == "about:srcdoc"]


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
