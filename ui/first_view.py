"""A new server's first map, kept on disk, so its first visitor sees it before the data stack loads.

Started afresh, the server needs about two seconds of one core before it can draw the Map:
importing geopandas, folium and scipy, reading the store, computing coverage, building the
map. Yet the first view of a session (no filter, the default standard and layers) depends only
on the code, the data and a few settings, so the map built for it is saved here
(:func:`save`, by the start-up warm-up, :mod:`venuemap.dashboard`) and a later server, while
it is still warming up, shows that saved map first (:func:`claim`), then draws the filters and
the sidebar as usual. The page then compares the view it built with the saved one and
replaces the map if they differ (:func:`is_current`), so what stays on screen is always what
the page computes. The saved map carries Leaflet and tells the server once it is painted
(:data:`DRAWN_PATH`); the server's heavy start-up work waits for that (:func:`wait_until_drawn`).

The saved map is used only when every input it was built from is unchanged, all checked
without the data stack: the same code and data files (sizes and times, :func:`fingerprint`),
the same store file and version (a ``stat``), language, base URL, region and basemap token. It
is never used for a PostGIS store or a store with accounts (nobody is signed in on a first
run, so nothing may be shown before the login form). This module imports only the standard
library, Streamlit and :mod:`geo.store.location`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import streamlit as st

from geo.store.location import file_has_users, file_store_version, is_database_url
from ui.session import tianditu_token

#: Where saved first views go (default ``$XDG_CACHE_HOME/venuemap/first-view``).
CACHE_ENV = "VENUEMAP_CACHE_DIR"
#: The language of a new session's first view (the one the warm-up builds and saves).
DEFAULT_LANG = "zh"
#: Saved views kept (one per store, language and setting combination; each < 1 MB).
KEEP = 8
#: A saved view's file: one line of JSON (key, title, spec), then the map document as it is
#: (not a JSON string: reading it back costs no unescaping of 0.6 MB).
SUFFIX = ".view"
#: Environment read by the map besides the basemap token: the region override.
_ENV_INPUTS = ("VENUEMAP_REGION",)
#: What the map is built from besides the store: code, data, settings (below the repository).
_SOURCES = ("app.py", "pages", "ui", "geo", "analysis", "venuemap", "data", ".streamlit")
_SOURCE_SUFFIXES = {".py", ".toml", ".json", ".geojson", ".gpkg", ".csv", ".parquet", ".txt"}
#: Installed packages whose output is in the map document.
_PACKAGES = ("streamlit", "folium", "branca", "geopandas", "shapely", "pyproj", "h3")
#: Session key: this session's first run of the Map has happened.
_SEEN_KEY = "_first_view_seen"
#: Session key: the saved view shown in the current run (a :class:`FirstView`).
_SHOWN_KEY = "_first_view_shown"

_ROOT = Path(__file__).resolve().parent.parent
_LOGGER = logging.getLogger("venuemap.first_view")
#: Set once the server can build maps quickly (warm-up done, or a page built one itself).
_warm = threading.Event()
#: The saved view of the open store, read ahead at start-up (:func:`saved_default`).
_read_ahead: FirstView | None = None
#: Set once a saved view has been sent (the warm-up waits for it, so as not to slow it down).
early_sent = threading.Event()
#: Set when a browser says it has drawn a saved view (its document asks :data:`DRAWN_PATH`).
drawn = threading.Event()
#: Set by the launcher, whose server answers :data:`DRAWN_PATH` (plain ``streamlit run``
#: does not: there nothing waits for the browser).
drawn_signal_served = threading.Event()
#: Address (below the app's root) a saved view's document asks once it is on screen.
DRAWN_PATH = "_venuemap/first-view-drawn"
#: Longest wait for that signal before the server goes on with its start-up work.
DRAWN_WAIT_S = 1.0
#: Appended to a saved view: once the map is painted (the frame after it was built), tell
#: the server; ``"URL"`` becomes the signal's absolute path (a JSON string).
_DRAWN_SCRIPT = """<script>
requestAnimationFrame(function () {
  setTimeout(function () { try { fetch("URL", {cache: "no-store"}); } catch (e) {} }, 0);
});
</script>"""


@dataclass(frozen=True)
class FirstView:
    """A saved map: the key of its inputs, the page title, the spec it was built for, the HTML."""

    key: str
    title: str
    spec: str
    html: str


def cache_dir() -> Path:
    """Return the folder of saved first views (``$VENUEMAP_CACHE_DIR`` or the user's cache)."""
    if os.environ.get(CACHE_ENV, "").strip():
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "venuemap" / "first-view"


@functools.cache
def fingerprint() -> str:
    """Return a digest of the code, data and package versions the map is built from.

    Sizes and modification times of the repository's source and data files (an edit, a
    checkout or a new data file changes it) and the versions of the packages that write the
    map. Computed once per process: the server does not reload code (fileWatcherType none).
    """
    digest = hashlib.sha256()
    for name, info in _source_files():
        digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none;".encode())
    return digest.hexdigest()


def _source_files() -> list[tuple[str, os.stat_result]]:
    """Return (path below the repository, stat) of every source and data file, sorted."""
    found = []
    for top in _SOURCES:
        root = os.path.join(_ROOT, top)
        if os.path.isfile(root):
            found.append((top, os.stat(root)))
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = [name for name in subfolders if name != "__pycache__"]
            for name in files:
                if os.path.splitext(name)[1] in _SOURCE_SUFFIXES:
                    path = os.path.join(folder, name)
                    found.append((os.path.relpath(path, _ROOT), os.stat(path)))
    return sorted(found, key=lambda item: item[0])


def view_key(path: str, version: str, lang: str, base_url_path: str) -> str:
    """Return the key of a first view: a digest of everything its map is built from."""
    env = [os.environ.get(name, "") for name in _ENV_INPUTS]
    parts = [fingerprint(), path, version, lang, base_url_path, tianditu_token() or "", *env]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _current_key(store: str, lang: str, version: str | None = None) -> str:
    """Return the key of ``store``'s first view in ``lang`` under this server's settings."""
    version = file_store_version(store) if version is None else version
    return view_key(store, version, lang, st.get_option("server.baseUrlPath") or "")


def save(key: str, title: str, spec: str, html: str) -> None:
    """Save a first view (atomically; the oldest beyond :data:`KEEP` are removed).

    Saving is an optimisation: a folder that cannot be written is logged and ignored.
    """
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"key": key, "title": title, "spec": spec}, ensure_ascii=False)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False,
                                         encoding="utf-8") as handle:  # fmt: skip
            handle.write(f"{meta}\n{html}")
        os.replace(handle.name, folder / f"{key}{SUFFIX}")
        saved = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [*saved[KEEP:], *folder.glob("*.json")]:  # .json: the earlier format
            old.unlink(missing_ok=True)
    except OSError:
        _LOGGER.debug("could not save the first view in %s", folder, exc_info=True)


def load(key: str) -> FirstView | None:
    """Return the first view saved under ``key``, or None (none saved, unreadable, other key).

    A view read ahead by :func:`saved_default` is returned without reading the file again.
    """
    ahead = _read_ahead
    if ahead is not None and ahead.key == key:
        return ahead
    try:
        text = (cache_dir() / f"{key}{SUFFIX}").read_text(encoding="utf-8")
        meta, _, html = text.partition("\n")
        view = FirstView(**json.loads(meta), html=html)
    except (OSError, ValueError, TypeError):
        return None
    return view if view.key == key else None


def save_default(path: str, version: str, spec_text: str, title: str, html: str) -> None:
    """Save the map of a new session's first view (the warm-up calls it once it is built).

    Nothing is saved for a PostGIS store or a store with accounts: :func:`claim` would never
    show it, and the map's data need not sit in a cache file.
    """
    if is_database_url(path) or file_has_users(path) is not False:
        return
    from ui.assets import inline_vendor_assets  # the warm-up has the data stack by now

    base = st.get_option("server.baseUrlPath") or ""
    html = inline_vendor_assets(html, base)  # the first visitor's browser has none cached
    html = with_drawn_signal(html, base)
    save(_current_key(path, DEFAULT_LANG, version), title, spec_text, html)


def drawn_url(base_url_path: str) -> str:
    """Return the absolute path of the drawn signal for a server at ``base_url_path``."""
    prefix = base_url_path.strip("/")
    return f"/{prefix}/{DRAWN_PATH}" if prefix else f"/{DRAWN_PATH}"


def with_drawn_signal(html: str, base_url_path: str) -> str:
    """Return a saved view's document that tells the server once it is painted."""
    script = _DRAWN_SCRIPT.replace('"URL"', json.dumps(drawn_url(base_url_path)))
    end = html.rfind("</html>")
    return html + script if end < 0 else html[:end] + script + html[end:]


def wait_until_drawn() -> None:
    """Let the browser draw the saved view before this server competes for the CPU.

    On the machine the dashboard usually runs on, the planner's browser shares the cores with
    the server: the start-up work (the data stack's imports, about a second of one core)
    slowed the drawing of the first map by about 0.1 s. Waits only where the launcher serves
    the signal, at most :data:`DRAWN_WAIT_S` (a browser elsewhere, or behind a proxy that
    moves the app, may never send it).
    """
    if drawn_signal_served.is_set() and early_sent.is_set():
        drawn.wait(DRAWN_WAIT_S)


def saved_default(store: str) -> bool:
    """Return True when a first view is saved for ``store`` as it is now (default language).

    The view is read ahead, in memory until the server is warm (:func:`mark_warm`): the first
    visitor's run then does not parse the document on its way to the screen.
    """
    global _read_ahead  # noqa: PLW0603 - one view, dropped once the server is warm
    if is_database_url(store):
        return False
    _read_ahead = load(_current_key(store, DEFAULT_LANG))
    return _read_ahead is not None


def claim(lang: str, store: str) -> FirstView | None:
    """Return a saved first view this run may show, or None to take the ordinary path.

    Only on a session's first run, while the server is still warming up, for a GeoPackage
    (or not yet created) store without accounts, and only when a view was saved for exactly
    the current inputs. Whether the run is the Map's is known later: :func:`use`.
    """
    st.session_state.pop(_SHOWN_KEY, None)
    if st.session_state.get(_SEEN_KEY) or _warm.is_set():
        return None
    st.session_state[_SEEN_KEY] = True
    if is_database_url(store) or file_has_users(store) is not False:
        return None
    return load(_current_key(store, lang))


def use(view: FirstView, page_path: str) -> bool:
    """Keep ``view`` for this run's page if it is the Map (:func:`shown`); return whether."""
    if page_path != "map":
        return False
    st.session_state[_SHOWN_KEY] = view
    return True


def shown() -> FirstView | None:
    """Return the saved view :func:`claim` chose for this run (None on the ordinary path)."""
    return st.session_state.get(_SHOWN_KEY)


def show(box: st.delta_generator.DeltaGenerator, html: str, height_px: int) -> None:
    """Embed a map document in ``box`` (a plain ``st.iframe`` with the map as ``srcdoc``)."""
    box.iframe(html, height=height_px)


def mark_sent() -> None:
    """Note that a saved view went out (the warm-up then waits for it to be painted)."""
    early_sent.set()


def mark_warm() -> None:
    """Note that the server builds maps itself now: no saved view is needed any more."""
    global _read_ahead  # noqa: PLW0603
    _warm.set()
    _read_ahead = None


def is_current(spec: str) -> bool:
    """Return True when this run showed a saved view built for exactly ``spec``.

    The page asks once, at the end of its run; the saved view (its whole map) is then let go
    rather than kept in the session until the next run.
    """
    view = st.session_state.pop(_SHOWN_KEY, None)
    return view is not None and view.spec == spec
