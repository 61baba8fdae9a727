"""Serve the map's browser assets from the app itself: Leaflet and its plugins, never a CDN.

folium writes ``<script src=...>`` tags pointing at a public CDN for Leaflet, jQuery, Bootstrap,
Font Awesome and every plugin; on a government intranet without internet that is a blank box.
Here the same files come from the npm registry at setup time (``npm ci`` reads the repository's
``package.json`` and ``package-lock.json``) and ``python -m ui.assets`` copies just the files the
map needs from ``node_modules/`` into ``static/vendor/``. Streamlit serves that folder at
``/app/static/vendor/...`` (``[server] enableStaticServing = true`` in ``.streamlit/config.toml``)
with JavaScript/CSS content types.

:func:`offline` then rewrites every folium element of a map so that each script and stylesheet
it asks for (``default_js``/``default_css``, the tags of the rendered map document) points to
that folder; assets the map does not need (jQuery, Bootstrap, Font Awesome, awesome-markers) are
dropped, and an asset this module does not know raises instead of silently going to a CDN.
"""

from __future__ import annotations

import json
import mimetypes
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element

from geo.errors import VenuemapError

#: Repository root: ``app.py`` lives here, so Streamlit's static folder is ``ROOT / "static"``.
ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = ROOT / "static" / "vendor"
#: URL path at which Streamlit serves ``static/vendor`` (without server.baseUrlPath).
VENDOR_URL = "/app/static/vendor"
#: The command that installs the assets; quoted in every message about missing assets.
SETUP_COMMAND = "npm ci --no-audit --no-fund && python -m ui.assets"

# A Windows registry or a bare container can map .js to text/plain; Streamlit sends nosniff,
# so the browser would then refuse the script. The app runs in this process: fix the table.
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")


@dataclass(frozen=True)
class VendorFile:
    """One file copied from ``node_modules/<package>/<source>`` to ``static/vendor/<target>``."""

    package: str
    source: str
    target: str


VENDOR_FILES: tuple[VendorFile, ...] = (
    VendorFile("leaflet", "dist/leaflet.js", "leaflet/leaflet.js"),
    VendorFile("leaflet", "dist/leaflet.css", "leaflet/leaflet.css"),
    VendorFile("leaflet", "dist/images/layers.png", "leaflet/images/layers.png"),
    VendorFile("leaflet", "dist/images/layers-2x.png", "leaflet/images/layers-2x.png"),
    VendorFile("leaflet", "dist/images/marker-icon.png", "leaflet/images/marker-icon.png"),
    VendorFile("leaflet", "dist/images/marker-icon-2x.png", "leaflet/images/marker-icon-2x.png"),
    VendorFile("leaflet", "dist/images/marker-shadow.png", "leaflet/images/marker-shadow.png"),
    VendorFile("leaflet", "LICENSE", "leaflet/LICENSE"),
    VendorFile(
        "leaflet.markercluster",
        "dist/leaflet.markercluster.js",
        "leaflet.markercluster/leaflet.markercluster.js",
    ),
    VendorFile(
        "leaflet.markercluster", "dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"
    ),
    VendorFile(
        "leaflet.markercluster",
        "dist/MarkerCluster.Default.css",
        "leaflet.markercluster/MarkerCluster.Default.css",
    ),
    VendorFile("leaflet.markercluster", "MIT-LICENCE.txt", "leaflet.markercluster/LICENSE"),
    VendorFile(
        "leaflet.fullscreen", "Control.FullScreen.js", "leaflet.fullscreen/Control.FullScreen.js"
    ),
    VendorFile(
        "leaflet.fullscreen", "Control.FullScreen.css", "leaflet.fullscreen/Control.FullScreen.css"
    ),
    VendorFile(
        "leaflet.fullscreen", "icon-fullscreen.svg", "leaflet.fullscreen/icon-fullscreen.svg"
    ),
    VendorFile("leaflet.fullscreen", "LICENSE", "leaflet.fullscreen/LICENSE"),
    VendorFile(
        "leaflet.polylinemeasure",
        "Leaflet.PolylineMeasure.js",
        "leaflet.polylinemeasure/Leaflet.PolylineMeasure.js",
    ),
    VendorFile(
        "leaflet.polylinemeasure",
        "Leaflet.PolylineMeasure.css",
        "leaflet.polylinemeasure/Leaflet.PolylineMeasure.css",
    ),
    VendorFile("leaflet.polylinemeasure", "LICENSE.txt", "leaflet.polylinemeasure/LICENSE"),
    # Tibetan names (name_bo, issue 10): Noto Serif Tibetan, SIL OFL 1.1, Tibetan subset
    VendorFile("@fontsource/noto-serif-tibetan",
               "files/noto-serif-tibetan-tibetan-400-normal.woff2",
               "fonts/noto-serif-tibetan-400.woff2"),  # fmt: skip
    VendorFile("@fontsource/noto-serif-tibetan", "LICENSE", "fonts/LICENSE-noto-serif-tibetan"),
)
#: The bundled Tibetan font, under static/vendor (served at VENDOR_URL).
TIBETAN_FONT = "fonts/noto-serif-tibetan-400.woff2"


def tibetan_font_css(base_url_path: str = "") -> str:
    """Return the ``@font-face`` of the bundled Tibetan font (offline; only Tibetan code points).

    The unicode-range limits it to the Tibetan block, so Chinese and Latin text keep their
    fonts while a ``name_bo`` beside them renders in Noto Serif Tibetan.
    """
    url = f"{base_url_path.rstrip('/')}{VENDOR_URL}/{TIBETAN_FONT}"
    return ("<style>@font-face { font-family: 'Noto Serif Tibetan'; font-style: normal; "
            f"font-weight: 400; font-display: swap; src: url('{url}') format('woff2'); "
            "unicode-range: U+0F00-0FFF; }\n"
            "body, .stApp, [data-testid='stDataFrame'] { font-family: 'Source Sans Pro', "
            "sans-serif, 'Noto Serif Tibetan'; }</style>")  # fmt: skip

#: folium asset name -> file under static/vendor. Names are those of folium 0.20's
#: ``default_js``/``default_css`` (and of :class:`geo.layers.controls.DistanceMeasure`).
LOCAL_ASSETS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "polylinemeasure_js": "leaflet.polylinemeasure/Leaflet.PolylineMeasure.js",
    "polylinemeasure_css": "leaflet.polylinemeasure/Leaflet.PolylineMeasure.css",
}

#: folium assets the map never uses: plain CircleMarkers, GeoJSON and controls need no jQuery,
#: Bootstrap or icon fonts (our popups are set with plain DOM calls, see geo.layers).
DROPPED_ASSETS: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
        "glyphicons_css",
    }
)


class AssetError(VenuemapError):
    """The map's offline assets are missing, or an element asks for an asset we do not serve."""


def vendor_url(base_url_path: str = "") -> str:
    """Return the URL path of ``static/vendor`` for a server mounted at ``base_url_path``.

    Parameters
    ----------
    base_url_path
        Streamlit's ``server.baseUrlPath`` (e.g. ``"venuemap"`` behind a reverse proxy).
    """
    prefix = base_url_path.strip("/")
    return f"/{prefix}{VENDOR_URL}" if prefix else VENDOR_URL


#: A relative ``url(...)`` in a vendor stylesheet (not data:, #fragment, /absolute or http).
_RELATIVE_CSS_URL = re.compile(r"""url\((['"]?)(?!data:|#|/|[a-z]+://)([^)'"]+)\1\)""")


def inline_vendor_assets(
    html: str, base_url_path: str = "", vendor_dir: Path = VENDOR_DIR
) -> str:
    """Return the map document ``html`` with its vendor scripts and stylesheets written in.

    For a document shown once to a browser that has none of them cached (the saved first map,
    :mod:`ui.first_view`): it then needs no request to a server that is still busy starting.
    Relative ``url(...)`` in the stylesheets (Leaflet's control icons) are made absolute, as
    the document's own address is not the stylesheet's folder.
    """
    base = vendor_url(base_url_path)

    def script(match: re.Match) -> str:
        code = (vendor_dir / match.group(1)).read_text(encoding="utf-8")
        return "<script>" + re.sub(r"(?i)</script", r"<\\/script", code) + "</script>"

    def stylesheet(match: re.Match) -> str:
        folder = Path(match.group(1)).parent.as_posix()
        css = (vendor_dir / match.group(1)).read_text(encoding="utf-8")
        css = _RELATIVE_CSS_URL.sub(lambda url: f"url({base}/{folder}/{url.group(2)})", css)
        return "<style>" + re.sub(r"(?i)</style", r"<\\/style", css) + "</style>"

    prefix = re.escape(base)
    html = re.sub(rf'<script src="{prefix}/([^"]+\.js)"></script>', script, html)
    return re.sub(rf'<link rel="stylesheet" href="{prefix}/([^"]+\.css)"/>', stylesheet, html)


def missing_files(vendor_dir: Path | None = None) -> list[str]:
    """Return the vendor files (relative paths) not in ``vendor_dir`` (default ``VENDOR_DIR``)."""
    folder = VENDOR_DIR if vendor_dir is None else vendor_dir
    return [f.target for f in VENDOR_FILES if not (folder / f.target).is_file()]


def vendor_ready(vendor_dir: Path | None = None) -> bool:
    """Return True if every file the map loads is in ``vendor_dir`` (default ``VENDOR_DIR``)."""
    return not missing_files(vendor_dir)


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _localise(links: list[tuple[str, str]], base: str, owner: str) -> list[tuple[str, str]]:
    kept = []
    for name, url in links:
        if name in DROPPED_ASSETS:
            continue
        if name not in LOCAL_ASSETS:
            raise AssetError(
                f"map element {owner} asks for asset {name!r} ({url}), which is not served "
                f"offline. Add its npm package to package.json, its files to ui.assets."
                f"VENDOR_FILES and its name to LOCAL_ASSETS, then run `{SETUP_COMMAND}`."
            )
        kept.append((name, f"{base}/{LOCAL_ASSETS[name]}"))
    return kept


def offline(m: folium.Map, base_url_path: str = "") -> folium.Map:
    """Point every script and stylesheet of ``m`` (and its children) at ``static/vendor``.

    Call it on the finished map, just before ``get_root().render()`` (``ui.map_view.render``
    does): it sets ``default_js``/``default_css`` on each element instance, which is what
    folium's renderer reads.

    Parameters
    ----------
    m
        The map, with all its layers and controls added.
    base_url_path
        Streamlit's ``server.baseUrlPath``, if the app is not served at ``/``.

    Returns
    -------
    folium.Map
        ``m`` itself, changed in place.

    Raises
    ------
    AssetError
        If an element asks for an asset that is neither served locally nor known to be unneeded.
    """
    base = vendor_url(base_url_path)
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if links:
                setattr(element, attr, _localise(list(links), base, type(element).__name__))
    return m


def offline_map(base_url_path: str = "", **kwargs: object) -> folium.Map:
    """Return ``folium.Map(**kwargs)`` whose own assets are served from ``static/vendor``.

    Elements added later must still pass through :func:`offline`.
    """
    return offline(folium.Map(**kwargs), base_url_path)


def asset_links(m: folium.Map) -> list[str]:
    """Return every js/css URL that the rendered map document loads for ``m``, in its order."""
    links: list[str] = []
    for element in _walk(m):
        links += [url for _, url in getattr(element, "default_js", []) or []]
        links += [url for _, url in getattr(element, "default_css", []) or []]
    return list(dict.fromkeys(links))


def install(node_modules: Path = NODE_MODULES, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy the map's files from ``node_modules`` into ``vendor_dir``; return the files written.

    Raises
    ------
    AssetError
        If ``node_modules`` lacks a package or file (``npm ci`` has not been run, or
        ``package.json`` and :data:`VENDOR_FILES` disagree).
    """
    absent = [
        f"{f.package}/{f.source}"
        for f in VENDOR_FILES
        if not (node_modules / f.package / f.source).is_file()
    ]
    if absent:
        raise AssetError(
            f"{len(absent)} file(s) missing under {node_modules}: {', '.join(absent[:4])}... "
            f"Run `npm ci --no-audit --no-fund` in {ROOT} first (it installs the versions pinned "
            "in package-lock.json from the npm registry), then `python -m ui.assets`."
        )
    written = []
    for item in VENDOR_FILES:
        target = vendor_dir / item.target
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / item.package / item.source, target)
        written.append(target)
    versions = {p: _package_version(node_modules / p) for p in {f.package for f in VENDOR_FILES}}
    manifest = vendor_dir / "manifest.json"
    manifest.write_text(json.dumps(versions, indent=1, sort_keys=True), encoding="utf-8")
    return [*written, manifest]


def _package_version(package_dir: Path) -> str:
    data = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    return str(data.get("version", "?"))


def main() -> int:
    """Copy the assets (``python -m ui.assets``); print one line per outcome, exit 0 or 2."""
    try:
        written = install()
    except AssetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size_kb = sum(path.stat().st_size for path in written) / 1024
    print(f"copied {len(written)} files ({size_kb:.0f} KiB) into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
