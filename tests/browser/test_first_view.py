"""A restarted server shows the map its previous start saved, then carries on as usual.

The first start (``python -m venuemap.dashboard``, as ``scripts/run``) saves its first map
(``ui.first_view``); the second shows it on the first visit of /map, keeps it once the page's
own run finds the same view, draws the filters and sidebar, and redraws on a radius change.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from ui.first_view import DRAWN_PATH

from .conftest import map_frame, map_frames, streamlit_server, wait_for_app

VILLAGE_SLIDER = 2  # the village-station radius among the sidebar's sliders


#: Records which came first in the page's main area: the map's iframe or the filters.
ORDER_WATCH = """
window.__vmOrder = [];
new MutationObserver(() => {
    const order = window.__vmOrder;
    const filters = document.querySelector('[data-testid="stMain"] [data-testid="stExpander"]');
    if (filters && !order.includes("filters")) order.push("filters");
    const map = document.querySelector('iframe[data-testid="stIFrame"]');
    if (map && !order.includes("map")) order.push("map");
}).observe(document, {childList: true, subtree: true});
"""


def _new_page(browser):  # noqa: ANN001
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.add_init_script(ORDER_WATCH)
    return page


def _map_drawn(page):
    """Return the map's Frame once its venues are drawn."""
    map_frame(page).locator("path.vm-venue").first.wait_for(timeout=60_000)
    return map_frames(page)[-1]


def _legend(page) -> str:
    """Return the map legend's text ('' while the map is being replaced)."""
    try:
        return map_frame(page).locator(".vm-legend").inner_text(timeout=500)
    except Exception:  # noqa: BLE001 - the iframe may be mid-replacement
        return ""


def _requested_paths(page) -> list[str]:  # noqa: ANN001
    """Record the path of every request ``page`` makes from now on."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    return asked


def _wait_for_saved_map(folder: Path, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not any(folder.glob("*.view")):
        assert time.monotonic() < deadline, f"the first start saved no map in {folder}"
        time.sleep(0.2)


def test_a_restarted_server_shows_the_saved_first_map(venue_count, browser, tmp_path) -> None:  # noqa: ANN001
    store, _ = venue_count
    log = tmp_path / "first.log"
    with streamlit_server(store, log, launcher=True) as url:
        page = _new_page(browser)
        page.goto(f"{url}/map")
        _map_drawn(page)
        assert page.evaluate("window.__vmOrder") == ["filters", "map"], "nothing saved yet"
        _wait_for_saved_map(tmp_path / "first-view")
        page.context.close()
    with streamlit_server(store, tmp_path / "second.log", launcher=True) as url:
        page = _new_page(browser)
        asked = _requested_paths(page)
        answered: list[tuple[str, int]] = []
        page.on("response", lambda r: answered.append((urlsplit(r.url).path, r.status)))
        page.goto(f"{url}/map")
        frame = _map_drawn(page)
        assert page.evaluate("window.__vmOrder")[0] == "map", "the saved map went out first"
        assert "/_stcore/health" in asked
        assert "/map/_stcore/health" not in asked, "the launcher told /map where the server is"
        deadline = time.monotonic() + 30
        while (f"/{DRAWN_PATH}", 204) not in answered:
            assert time.monotonic() < deadline, "the saved map did not say it was drawn"
            page.wait_for_timeout(100)
        frame.evaluate("() => { window.__vmSeen = true; }")
        wait_for_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sliders = sidebar.locator('[data-testid="stSlider"]')
        assert sliders.count() >= 3, "the sidebar's service standard is drawn"
        assert page.get_by_text("筛选").count() >= 1, "the filters are drawn"
        assert len(map_frames(page)) == 1
        assert map_frames(page)[0].evaluate("() => window.__vmSeen === true"), (
            "the saved map was the page's own view: it must not be drawn twice"
        )
        legend = map_frame(page).locator(".vm-legend").inner_text()
        if not sliders.nth(VILLAGE_SLIDER).is_visible():
            sidebar.locator('[data-testid="stExpander"] summary').last.click()
        sliders.nth(VILLAGE_SLIDER).locator('input[type="range"]').press("ArrowRight")
        deadline = time.monotonic() + 60
        while _legend(page) in ("", legend):
            assert time.monotonic() < deadline, "the map was not redrawn for the new radius"
            time.sleep(0.1)
        page.context.close()


def test_below_a_base_path_pages_find_the_server_and_navigate(  # noqa: ANN001
    venue_count, browser, tmp_path
) -> None:
    """``server.baseUrlPath`` (an intranet proxy's prefix): a bookmark connects and navigates."""
    store, _ = venue_count
    with streamlit_server(store, tmp_path / "base.log", launcher=True, base_path="vm") as url:
        page = _new_page(browser)
        asked = _requested_paths(page)
        page.goto(f"{url}/map")
        _map_drawn(page)
        assert "/vm/_stcore/health" in asked
        assert "/vm/map/_stcore/health" not in asked
        wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"] a[href$="/vm/gaps"]').click()
        page.wait_for_url("**/vm/gaps")
        wait_for_app(page)
        assert page.get_by_role("heading", name="缺口与选址").count() == 1
        page.context.close()


#: Any path: a page that only runs the launcher's root script (``DEPTH`` filled per request).
def _root_script_server(depths: dict[str, int]):  # noqa: ANN202
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from venuemap.dashboard import BACKEND_BASE_SCRIPT

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            script = BACKEND_BASE_SCRIPT.replace("DEPTH", str(depths[self.path]))
            body = f"<html><head>{script}</head><body></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # noqa: ANN002
            return

    return ThreadingHTTPServer(("127.0.0.1", 0), Pages)


def test_the_root_script_finds_the_root_behind_a_prefix_the_server_does_not_know(browser) -> None:  # noqa: ANN001
    """A proxy may serve the app at /prefix/ and strip it: the root is taken off the address."""
    import threading

    depths = {"/map": 1, "/": 0, "/prefix/map": 1, "/prefix/": 0, "/prefix/a/b": 2}
    server = _root_script_server(depths)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    page = browser.new_page()
    try:
        found = {}
        for path in depths:
            page.goto(origin + path)
            found[path] = page.evaluate("window.__streamlit.BACKEND_BASE_URL")
    finally:
        page.close()
        server.shutdown()
    assert found == {
        "/map": f"{origin}/",
        "/": f"{origin}/",
        "/prefix/map": f"{origin}/prefix/",
        "/prefix/": f"{origin}/prefix/",
        "/prefix/a/b": f"{origin}/prefix/",
    }
