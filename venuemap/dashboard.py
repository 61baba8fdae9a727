"""Start the dashboard: ``python -m venuemap.dashboard [streamlit run options]``.

The same server as ``streamlit run app.py`` (which keeps working), with a few additions. A new
server's first page run used to do all of its start-up work on the first visitor's clock: the
heavy imports (geopandas, folium, scipy, pyproj: about 1 s), reading the bundled layers and
computing coverage (about 0.6 s). Meanwhile the process sat idle for about a second while the
browser downloaded and started Streamlit's frontend. Here a background thread does that work
as soon as the server is up: it imports the modules the pages import and fills the loaders'
caches (:mod:`ui.loaders`) for what a new session shows first, with the default service
standard: the sidebar, the Overview and the Map with no filter. A page run asking for a value
still being computed waits for it (Streamlit's cache lock) instead of computing it twice.
The server's very first request no longer takes a detour through Streamlit's legacy
routing (:func:`use_navigation_from_the_start`), and a bookmarked page such as ``/map`` is
told where the server's root is instead of probing ``/map/_stcore`` first, which cost every
such visit 0.1 s, and gets the code of the map's frame with the page
(:func:`answer_pages_for_this_app`).

The warm-up also saves the first view's finished map to disk (:mod:`ui.first_view`): the next
server started on the same code, data and store shows it to its first visitor before the data
stack is even imported, and the warm-up waits until it went out before competing for the CPU.

Nothing else changes: the values cached are those the pages would compute, under the same
keys (store path, data version, standard), in the same bounded caches; a store changed in the
meantime has a new version, so the page reads it afresh. If the warm-up fails, the page run
imports and computes as usual and reports any error itself.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

#: Repository root, where ``app.py`` lives.
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
#: Modules the page runs import, heaviest first (the ``ui`` ones declare the ``st.cache_*``
#: functions; imported once the server runs, so the caches bind to its cache storage).
WARM_MODULES: tuple[str, ...] = (
    "geopandas",
    "pyogrio",
    "pyproj",
    "folium",
    "folium.plugins",
    "scipy.spatial",
    "scipy.sparse",
    "h3",
    "geo.store",
    "geo.register",
    "geo.layers.map",
    "geo.layers.gaps",
    "analysis.coverage",
    "analysis.gaps",
    "analysis.areas",
    "analysis.network",
    "ui.loaders",
    "ui.chrome",
    "ui.assets",
    "ui.map_view",
)
#: Longest wait for the server to start before the warm-up gives up (the server is then
#: broken or very slow, and the page runs do the work themselves).
SERVER_WAIT_S = 60.0

#: Longest wait for the first visitor to take a saved first map before warming up anyway.
SAVED_MAP_WAIT_S = 10.0

_LOGGER = logging.getLogger("venuemap.dashboard")


def warm_up(server_wait_s: float = SERVER_WAIT_S) -> None:
    """Import what the pages import, then fill the caches of a new session's first views.

    Runs on a daemon thread once the server has started (earlier, it would only slow
    Streamlit's own start-up: both would compete for the interpreter and its import locks).
    Every failure is logged at debug level and left to the page run, which repeats the same
    import or computation and reports it properly.
    """
    try:
        if not _wait_for_server(server_wait_s):
            return
        _let_a_saved_map_go_first()
        for name in WARM_MODULES:
            importlib.import_module(name)
        warm_default_views()
    except Exception:  # noqa: BLE001 - an optimisation must never stop the server
        _LOGGER.debug("dashboard warm-up stopped early", exc_info=True)


def warm_default_views() -> None:
    """Compute, through the loaders' caches, what a new session's first views ask for.

    That is the open store's data at the default service standard: the sidebar's badge, the
    data every page shares (register, coverage, gaps, display boundaries), the Map with no
    filter (service areas of every venue, then the finished map itself) and the Overview's
    summaries.
    """
    from geo.layers.shapes import DISPLAY_TOLERANCE_DEG
    from ui import first_view, loaders, map_view

    status = loaders.store_status()
    path, version = status.path, status.version
    radii_km, detour = default_standard()
    loaders.illustrative_flags(path, version)
    venues = loaders.venues(path, version)
    loaders.gap_list(path, version, radii_km, detour)
    for name in ("counties", "townships"):
        loaders.display_boundaries(path, version, name, DISPLAY_TOLERANCE_DEG)
    loaders.coverage_areas(path, version, radii_km, detour, tuple(int(i) for i in venues.index))
    spec = map_view.default_spec(status, radii_km, detour)
    html = map_view.map_html(spec)
    first_view.save_default(path, version, spec.text(), loaders.region().title("zh"), html)
    first_view.mark_warm()
    for by in ("county_code", "township_code"):
        loaders.coverage_summary(path, version, radii_km, detour, by)
    loaders.coverage_totals(path, version, radii_km, detour)
    loaders.network_counts(path, version, radii_km, detour)


def _let_a_saved_map_go_first() -> None:
    """Wait (at most :data:`SAVED_MAP_WAIT_S`) while a saved first map may be on its way.

    When a first view is saved for the store as it is (:mod:`ui.first_view`), the first
    visitor's run sends it without the data stack; importing that stack here at the same time
    would only slow the run down (one interpreter lock). The warm-up starts once it went out.
    """
    from geo.store.location import store_location
    from ui import first_view

    if _DRAWN_SIGNAL_SERVED:
        first_view.drawn_signal_served.set()
    if first_view.saved_default(store_location()):
        first_view.early_sent.wait(SAVED_MAP_WAIT_S)
        first_view.wait_until_drawn()


def default_standard() -> tuple[tuple[float, float, float], float]:
    """Return ((county, township, village) radius in km, detour) of a new session.

    The documented default standard, as ``ui.chrome`` sets it in every new session (should
    the two ever differ, the warm-up merely fills a cache entry no page asks for).
    """
    from analysis.standards import default_standards

    standards = default_standards()
    radii_km = tuple(
        standards.get(kind).radius_m / 1000
        for kind in ("county_centre", "township_centre", "village_station")
    )
    return (radii_km[0], radii_km[1], radii_km[2]), standards.detour


def _wait_for_server(timeout_s: float) -> bool:
    """Return True once Streamlit's runtime has started, False after ``timeout_s`` seconds."""
    from streamlit import runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.monotonic() + timeout_s
    while not (runtime.exists() and runtime.get_instance().state is not RuntimeState.INITIAL):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def skip_the_repl_check() -> None:
    """Spare the first visitor Streamlit's check for being run outside ``streamlit run``.

    Before a process's first page element Streamlit asks whether it runs in a REPL, to print
    a usage warning: ``inspect.stack()``, which resolves the file of every loaded module,
    about 40 ms of the first visitor's run with this app's modules. This launcher is
    ``streamlit run``: the warning could never apply, so it is marked as already given.
    (Should a Streamlit release drop that flag, nothing changes.)
    """
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


def use_navigation_from_the_start() -> None:
    """Route a new server's very first run through app.py's ``st.navigation`` too.

    Streamlit treats an app with a ``pages/`` folder as a legacy multipage app until the first
    ``st.navigation`` call; so the first request for ``/map`` ran ``pages/map.py`` alone, which
    sends itself through app.py (``ui.session.ensure_entrypoint``), which switches back: three
    runs for one page. This app always navigates with ``st.navigation``, so set the flag that
    call sets. (Should a Streamlit release move or drop that flag, nothing breaks: the
    entry-point guard then does the routing, as under ``streamlit run app.py``.)
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return
    PagesManager.uses_pages_directory = False


#: Set in the page Streamlit serves for a bookmark: where the server is, relative to the page.
#: ``DEPTH`` is how many path segments the page's address has below the app's root.
BACKEND_BASE_SCRIPT = """<script>
(function () {
  var parts = location.pathname.replace(/\\/+$/, "").split("/");
  parts.splice(parts.length - DEPTH, DEPTH);
  window.__streamlit = {BACKEND_BASE_URL: location.origin + parts.join("/") + "/"};
})();
</script>"""


def answer_pages_for_this_app() -> None:
    """Serve Streamlit's page with what this app's pages need first, and the drawn signal.

    A bookmarked page (``/map``) finds the server without probing ``/map/_stcore``, and the
    code of the map's frame comes with the page instead of after the map (each was 0.05 to
    0.1 s of a first visit of the Map).

    Streamlit's frontend does not know the app's root: opened at ``/map`` it first asks
    ``/map/_stcore/health``, gets a 404, waits 100 ms and then asks ``/_stcore/health``. The
    server does know: the page it answers is ``depth`` path segments below the root. So the
    HTML it serves for a page says so, through the ``window.__streamlit.BACKEND_BASE_URL``
    setting Streamlit's frontend reads (made for hosts that embed Streamlit), computed in the
    browser from the page's own address. That keeps working behind a proxy that serves the
    app under a prefix the server is not told about. Streamlit's frontend loads the code of
    ``st.iframe`` only when the first map arrives; the page preloads it
    (``<link rel="modulepreload">``, as Streamlit's page does for its own first code). Should a
    Streamlit release move the static handler or rename that code, nothing breaks: pages
    probe and load as before.

    The same handler answers a saved first map's signal that it is on screen
    (:data:`ui.first_view.DRAWN_PATH`, 204 No Content): the start-up work waits for it.
    """
    global _DRAWN_SIGNAL_SERVED  # noqa: PLW0603 - set once, before the server starts
    try:
        from starlette.responses import FileResponse, HTMLResponse, Response
        from streamlit.web.server.starlette import starlette_static_routes as routes
    except ImportError:
        return
    create = routes.create_streamlit_static_handler

    def create_with_base(directory: str, base_url: str | None):  # noqa: ANN202 - Streamlit's
        handler = create(directory, base_url)
        index = Path(directory, "index.html").resolve()
        answer = handler.get_response

        async def get_response(path: str, scope):  # noqa: ANN001, ANN202 - Starlette's
            if path == DRAWN_PATH:
                from ui import first_view  # imported by the page runs by now

                first_view.drawn.set()
                return Response(status_code=204, headers=NO_CACHE)
            response = await answer(path, scope)
            if isinstance(response, FileResponse) and Path(response.path).resolve() == index:
                return HTMLResponse(page_html(index, page_depth(path)), headers=NO_CACHE)
            return response

        handler.get_response = get_response
        return handler

    routes.create_streamlit_static_handler = create_with_base
    _DRAWN_SIGNAL_SERVED = True


#: ``ui.first_view.DRAWN_PATH``, written out: that module is not imported before the server
#: is up (it is on the way to the first health answer). A test checks that the two agree.
DRAWN_PATH = "_venuemap/first-view-drawn"
#: Whether this server answers the drawn signal (:func:`answer_pages_for_this_app`).
_DRAWN_SIGNAL_SERVED = False

#: Streamlit's own caching rule for its HTML (revalidated on every visit).
NO_CACHE = {"Cache-Control": "no-cache"}


def page_depth(path: str) -> int:
    """Return how many path segments ``path`` (relative to the app's root) has."""
    return len([part for part in path.replace("\\", "/").split("/") if part not in ("", ".")])


#: Streamlit's code for ``st.iframe`` (the maps), loaded by its frontend only once a map
#: arrives; the hash in the names changes with each Streamlit release.
FRAME_CHUNKS = ("IFrame.*.js", "IFrameUtil.*.js")


def frame_chunks(static_dir: Path) -> list[str]:
    """Return the file names of Streamlit's iframe code in its ``static/js`` (none if moved)."""
    folder = static_dir / "static" / "js"
    return sorted({path.name for pattern in FRAME_CHUNKS for path in folder.glob(pattern)})


@functools.lru_cache(maxsize=16)  # bounded: the depth comes from the address asked for
def page_html(index: Path, depth: int) -> str:
    """Return Streamlit's ``index.html`` telling a page ``depth`` segments deep its root.

    The page also preloads Streamlit's iframe code (:func:`frame_chunks`).
    """
    html = index.read_text(encoding="utf-8")
    script = BACKEND_BASE_SCRIPT.replace("DEPTH", str(depth))
    script += "".join(
        f'\n    <link rel="modulepreload" crossorigin href="./static/js/{chunk}">'
        for chunk in frame_chunks(index.parent)
    )
    first = html.find("<script")  # before the frontend's own scripts read it
    return html if first < 0 else f"{html[:first]}{script}\n    {html[first:]}"


def main(argv: Sequence[str] | None = None) -> int:
    """Start the warm-up thread, then run ``streamlit run app.py`` with ``argv`` as options.

    Parameters
    ----------
    argv
        Options for ``streamlit run`` (e.g. ``["--server.port", "8502"]``); default
        ``sys.argv[1:]``. Arguments for the app itself follow ``--`` as with streamlit.

    Returns
    -------
    int
        The exit code of the server.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from streamlit.web import cli  # imported before the thread starts: it waits for the server

    use_navigation_from_the_start()
    skip_the_repl_check()
    answer_pages_for_this_app()
    threading.Thread(target=warm_up, name="venuemap-warm-up", daemon=True).start()
    try:
        cli.main.main(args=["run", str(APP), *args], prog_name="streamlit")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
