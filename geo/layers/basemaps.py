"""Basemaps: none (the default), OpenStreetMap, Tianditu 天地图 and Amap 高德.

"none" draws no tile layer at all, so the map makes zero outside requests and works on an
intranet; every other basemap fetches tiles from the internet and says so on the page.
Amap tiles are in GCJ-02, the shifted datum required for Chinese web maps: with it, every
overlay is moved WGS84 -> GCJ-02 by :func:`to_display` (about 170 m east and 45 m south in
Huangnan), otherwise venues would sit beside their buildings.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.crs import wgs84_to_gcj02
from geo.errors import InputError
from geo.layers._html import tr

_TIANDITU = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}"
)
_TIANDITU_ATTR = '&copy; <a href="https://www.tianditu.gov.cn/">{name}</a>'
_AMAP = (
    "https://webrd0{{s}}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8"
    "&x={{x}}&y={{y}}&z={{z}}"
)
_AMAP_ATTR = '&copy; <a href="https://www.amap.com/">{name}</a>'
_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


@dataclass(frozen=True)
class Basemap:
    """One basemap choice.

    Attributes
    ----------
    code
        Stable code used by widgets and :func:`add_basemap`.
    gcj02
        True if its tiles are in GCJ-02, so overlays must be shifted to line up.
    needs_token
        True if it cannot be shown without a key (Tianditu).
    online
        True if it fetches tiles from the internet.
    """

    code: str
    gcj02: bool = False
    needs_token: bool = False
    online: bool = True


BASEMAPS: tuple[Basemap, ...] = (
    Basemap("none", online=False),
    Basemap("osm"),
    Basemap("tianditu_vec", needs_token=True),
    Basemap("tianditu_img", needs_token=True),
    Basemap("amap", gcj02=True),
)
BASEMAP_CODES: tuple[str, ...] = tuple(b.code for b in BASEMAPS)
DEFAULT_BASEMAP = "none"


def get_basemap(code: str) -> Basemap:
    """Return the basemap ``code``; an unknown code raises InputError naming the valid ones."""
    for basemap in BASEMAPS:
        if basemap.code == code:
            return basemap
    raise InputError(f"unknown basemap {code!r}; valid basemaps are: {', '.join(BASEMAP_CODES)}")


def basemap_label(code: str, lang: str, token: str | None = None) -> str:
    """Return the selector label of basemap ``code``, noting the internet and a missing key.

    A planner on an intranet should see before choosing that a basemap fetches tiles from the
    internet ("OpenStreetMap（需联网）"), not only after the map stays blank.
    """
    basemap = get_basemap(code)
    label = tr(f"map.basemap.{code}", lang)
    if basemap.online:
        label += tr("map.basemap.needs_internet", lang)
    if basemap.needs_token and not token:
        label += tr("map.basemap.needs_token", lang)
    return label


def tile_layers(code: str, *, lang: str = "zh", token: str | None = None) -> list[folium.TileLayer]:
    """Return the tile layers of basemap ``code`` (base first, then any annotation layer).

    Tianditu without a token returns no layer (the page tells the user it needs one); its
    annotation layer is in the interface language (``cva``/``cia`` Chinese, ``eva``/``eia``
    English) so that the screen never mixes languages.
    """
    basemap = get_basemap(code)
    if code == "none" or (basemap.needs_token and not token):
        return []
    if code == "osm":
        return [_tiles(_OSM, _OSM_ATTR, tr("map.basemap.osm", lang), max_zoom=19)]
    if code == "amap":
        url = _AMAP.format(lang="zh_cn" if lang == "zh" else "en")
        name = tr("map.basemap.amap", lang)
        return [_tiles(url, _AMAP_ATTR.format(name=name), name, subdomains="1234")]
    image, note = ("img", "cia") if code == "tianditu_img" else ("vec", "cva")
    if lang != "zh":
        note = "e" + note[1:]
    key = quote(str(token), safe="")
    base = _TIANDITU.format(layer=image, token=key)
    labels = _TIANDITU.format(layer=note, token=key)
    attr = _TIANDITU_ATTR.format(name=tr("map.basemap.tianditu", lang))
    return [
        _tiles(base, attr, tr(f"map.basemap.{code}", lang), subdomains="01234567"),
        _tiles(
            labels, attr, tr("map.basemap.annotation", lang), subdomains="01234567", overlay=True
        ),
    ]


def _tiles(url: str, attr: str, name: str, *, overlay: bool = False, **options: object):
    return folium.TileLayer(
        tiles=url, attr=attr, name=name, overlay=overlay, control=overlay, **options
    )


def add_basemap(m: folium.Map, code: str, *, lang: str = "zh", token: str | None = None) -> None:
    """Add the tile layers of basemap ``code`` to ``m`` (nothing for ``"none"``)."""
    for layer in tile_layers(code, lang=lang, token=token):
        layer.add_to(m)


def to_display(gdf: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the coordinates of basemap ``code``: shifted to GCJ-02 for Amap.

    ``gdf`` must be in WGS84 lon/lat (EPSG:4326), as every layer of the app is. Other basemaps
    get ``gdf`` unchanged. Every vertex is shifted (points, lines, polygons), vectorised.
    """
    if not get_basemap(code).gcj02 or gdf.empty:
        return gdf
    shifted = gdf.copy()
    shifted.geometry = shapely.transform(np.asarray(gdf.geometry), _gcj_xy)
    return shifted


def _gcj_xy(xy: np.ndarray) -> np.ndarray:
    lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])
