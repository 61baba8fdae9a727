"""The Map page's map, built once per view and shared by every session that asks for it.

Building the folium map and rendering it to HTML cost about 0.4 s of CPU per page run, and
with thirty sessions on two cores that was most of the server's work, although the map depends
only on hashable inputs: the open store and its version, the service standard, the filters,
the layers, the basemap, the language and the session's siting run (:class:`MapSpec`). So the
page asks :func:`map_html` for the finished HTML, cached with ``st.cache_data`` on exactly those
inputs, and :func:`show` embeds it. The start-up warm-up (:mod:`venuemap.dashboard`) builds a
new session's first view (:func:`default_spec`) before anybody asks.

Every map of the app is embedded by :func:`show` in a plain ``st.iframe`` (its ``srcdoc``):
the maps send nothing back to Python, so streamlit-folium's component (its own frontend bundle,
fetched and started in the browser before the map could be drawn) bought nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import streamlit as st

from geo.errors import VenuemapError
from geo.layers import MapData, MapOptions, VenueStyle, build_map
from geo.layers.shapes import DISPLAY_TOLERANCE_DEG
from ui import assets, first_view, loaders
from ui.planned import planned_sites
from ui.session import tianditu_token
from venuemap.usecases import filter_layer, gap_cells, use_cells

#: Filters in the order the page draws them (keywords of :func:`filter_venues`).
FILTER_NAMES = ("counties", "townships", "kinds", "organizations", "statuses", "query")
#: Layers switched on when the page opens (gap hexagons are one click away; planned sites
#: show when the register has some or a siting run proposed some).
DEFAULT_LAYERS = ("counties", "townships", "coverage", "uncovered", "proposed", "venues")
#: Built maps kept per server: a few dozen views (each entry is the map's HTML, < 1 MB).
_MAP_ENTRIES = 32
_TTL_S = 3600


@dataclass(frozen=True)
class MapSpec:
    """Everything the drawn map depends on, as hashable values (the cache key).

    ``filters`` holds (name, value) pairs in :data:`FILTER_NAMES` order, list values as
    tuples (:func:`frozen_filters`); ``site_params`` is the session's last siting run
    (``loaders.scenario``'s arguments) or None; ``centre`` is (lat, lon).
    """

    path: str
    version: str
    radii_km: tuple[float, float, float]
    detour: float
    filters: tuple[tuple[str, Any], ...]
    layers: frozenset[str]
    basemap: str
    token: str | None
    cluster: bool
    lang: str
    centre: tuple[float, float]
    base_url_path: str = ""
    site_params: tuple | None = None

    def filter_kwargs(self) -> dict[str, Any]:
        """Return the filters as keyword arguments of :func:`filter_venues` (lists again)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.filters}

    def text(self) -> str:
        """Return the spec as canonical text, the same in every process (sets sorted).

        A saved first view (:mod:`ui.first_view`) records it, so that a later server can tell
        whether the map it shows is the one the page asks for.
        """
        plain = {
            name: sorted(value) if isinstance(value, frozenset) else value
            for name, value in vars(self).items()
        }
        return json.dumps(plain, sort_keys=True, ensure_ascii=False, default=repr)


def frozen_filters(filters: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Return ``filters`` (the page's dict) as the hashable pairs :class:`MapSpec` keeps."""
    return tuple(
        (name, tuple(filters[name]) if isinstance(filters[name], list) else filters[name])
        for name in FILTER_NAMES
    )


def no_filters() -> dict[str, Any]:
    """Return the filters of a new session: nothing chosen, nothing searched."""
    return {name: "" if name == "query" else [] for name in FILTER_NAMES}


def filter_venues(venues: gpd.GeoDataFrame, **filters: Any) -> gpd.GeoDataFrame:
    """Return the venues matching every non-empty filter (the one filter, usecases.filter_layer)."""
    return filter_layer(
        venues, county=filters["counties"], township=filters["townships"],
        kind=filters["kinds"], organization=filters["organizations"],
        status=filters["statuses"], query=filters["query"],
    )  # fmt: skip


def view_key(filters: Mapping[str, Any]) -> str:
    """Return the selection key of ``filters``: a new one makes the map fit its selection.

    The radius, basemap, layers and language are not part of it, so changing them keeps the
    view the planner left.
    """
    text = json.dumps({k: list(v) if isinstance(v, tuple) else v
                       for k, v in sorted(filters.items())}, ensure_ascii=False)  # fmt: skip
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]  # noqa: S324 - not security


def default_spec(
    status: loaders.StoreStatus, radii_km: tuple[float, float, float], detour: float
) -> MapSpec:
    """Return the view a new session's Map shows first: no filter, default layers, Chinese.

    The start-up warm-up builds it so that the first visitor finds it cached; the page builds
    the same value from its widgets (a test checks the two agree).
    """
    from geo.layers.basemaps import DEFAULT_BASEMAP

    return MapSpec(
        path=status.path, version=status.version, radii_km=radii_km, detour=detour,
        filters=frozen_filters(no_filters()), layers=frozenset(DEFAULT_LAYERS),
        basemap=DEFAULT_BASEMAP, token=tianditu_token(), cluster=False, lang="zh",
        centre=tuple(loaders.region().centre),
        base_url_path=st.get_option("server.baseUrlPath") or "",
    )  # fmt: skip


@st.cache_data(max_entries=_MAP_ENTRIES, ttl=_TTL_S, show_spinner=False)
def map_html(spec: MapSpec) -> str:
    """Return the finished map of ``spec`` as one HTML document (scripts served locally)."""
    filters = spec.filter_kwargs()
    shown = filter_venues(loaders.venues(spec.path, spec.version), **filters)
    options = MapOptions(  # boundaries arrive simplified (loaders.display_boundaries)
        basemap=spec.basemap,
        tianditu_token=spec.token,
        show=spec.layers,
        venue_style=VenueStyle(cluster=spec.cluster),
        simplify_deg=0.0,
        centre=spec.centre,
        view_scope="map",
        view_key=view_key(filters),
    )
    m = build_map(map_data(spec, shown, filters), options=options, lang=spec.lang)
    return render(m, spec.base_url_path)


def render(m: folium.Map, base_url_path: str) -> str:
    """Return ``m`` as one HTML document whose scripts and styles come from ``static/vendor``."""
    return assets.offline(m, base_url_path).get_root().render()


def show(html: str, height_px: int) -> None:
    """Embed a rendered map (:func:`render`) at the page's width and ``height_px`` pixels."""
    first_view.show(st, html, height_px)


def _in_area(gdf: gpd.GeoDataFrame, filters: dict) -> gpd.GeoDataFrame:
    return filter_layer(
        gdf, county=filters["counties"], township=filters["townships"], skip_missing=True
    )


def map_data(spec: MapSpec, shown: gpd.GeoDataFrame, filters: dict) -> MapData:
    """Return the layers of ``spec``'s map, every one from the loaders' caches."""
    path, version, radii_km, detour = spec.path, spec.version, spec.radii_km, spec.detour
    layers = spec.layers
    uncovered = _in_area(loaders.gap_list(path, version, radii_km, detour), filters)
    townships = loaders.display_boundaries(path, version, "townships", DISPLAY_TOLERANCE_DEG)
    counties = loaders.display_boundaries(path, version, "counties", DISPLAY_TOLERANCE_DEG)
    if filters["counties"]:
        counties = counties[counties["county_code"].isin(filters["counties"])]
    rows = tuple(int(i) for i in shown.index)
    coverage = None
    if "coverage" in layers:
        coverage = loaders.coverage_areas(path, version, radii_km, detour, rows)
    proposal, proposal_radius_m = _proposal(spec)
    planned = planned_sites(
        shown, proposal, proposal_radius_m=proposal_radius_m,
        standards=loaders.standards_for(radii_km, detour), detour=detour,
    )  # fmt: skip
    areas = _in_area(townships, filters)
    existing = shown.loc[shown["status"].astype(str) != "planned"]
    return MapData(
        proposed=planned,
        **_venue_view(spec, existing),
        counties=counties,
        townships=areas,
        coverage=coverage,
        uncovered=uncovered,
        gaps=gap_cells(uncovered) if "gaps" in layers else None,
        access=_in_area(loaders.access_points(path, version, radii_km, detour), filters)
        if "access" in layers else None,
        rings=loaders.service_rings(path, version, detour, rows) if "rings" in layers else None,
        focus=_focus(shown, areas, filters),
    )  # fmt: skip


def _venue_view(spec: MapSpec, shown: gpd.GeoDataFrame) -> dict:
    """Markers for up to ``MARKER_LIMIT`` venues; above, counts per hexagon (stays fast)."""
    if not use_cells(len(shown)):
        return {"venues": shown}
    rows = tuple(int(i) for i in shown.index)
    return {"venues": None, "venue_cells": loaders.venue_cells(spec.path, spec.version, rows)}


def _focus(
    shown: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, filters: dict
) -> gpd.GeoDataFrame | None:
    """Return what the view fits: the venues selected, else the townships chosen (None: all)."""
    if not any(filters.values()):
        return None
    if not shown.empty:
        return shown
    return areas if filters["townships"] and not areas.empty else None


def _proposal(spec: MapSpec) -> tuple[gpd.GeoDataFrame | None, float | None]:
    """Return the sites of the session's last siting run (Gaps page) and its radius (m)."""
    params = spec.site_params
    if "proposed" not in spec.layers or not params:
        return None, None
    try:
        proposal = loaders.scenario(*params).proposal.copy()
    except VenuemapError:
        return None, None
    proposal["rank"] = range(1, len(proposal) + 1)
    return proposal, float(params[4]) * 1000.0
