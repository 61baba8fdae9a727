"""The Map page's widgets: filters, view controls, the notes above the map, the map's spec.

Drawn by ``pages/map.py`` after its title (and, on a new server, after a saved first map:
:mod:`ui.first_view`); this module imports the data stack, the page itself does not. The
radii come from the sidebar's service standard (one standard for every page). The map's
scripts are served by the app itself (ui.assets); if they are not installed, the page says how
to install them instead of showing a blank box.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import streamlit as st

from geo.errors import VenuemapError
from geo.layers import LAYER_CODES
from geo.layers.basemaps import BASEMAP_CODES, DEFAULT_BASEMAP, basemap_label, get_basemap
from geo.schema import KINDS, ORGANIZATIONS, STATUSES, codes, label
from ui import assets, first_view, loaders, map_view
from ui.chrome import current_standard
from ui.i18n import t
from ui.map_view import DEFAULT_LAYERS
from venuemap.usecases import MARKER_LIMIT, use_cells


def _key(name: str, lang: str, default: object = None) -> str:
    """Return the widget key of ``name`` in ``lang``, carrying the other language's choice over.

    Streamlit keeps showing the option labels of a keyed widget from its first run, so each
    language gets its own widget; the chosen codes (language-free) move across on a switch.
    The value lives in session state (set here once), so widgets take no default of their own.
    """
    key = f"map_{name}_{lang}"
    other = f"map_{name}_{'en' if lang == 'zh' else 'zh'}"
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(other, default)
    st.session_state.pop(other, None)
    return key


def _multiselect(
    container: st.delta_generator.DeltaGenerator,
    name: str,
    lang: str,
    options: list[str],
    format_func: Callable[[str], str],
    label_key: str | None = None,
) -> list[str]:
    """Draw filter ``name`` (empty choice = all), keyed per language; return the chosen codes."""
    return container.multiselect(
        t(label_key or f"map.{name}", lang),
        options,
        format_func=format_func,
        key=_key(name, lang, []),
        placeholder=t("map.all", lang),
    )


def _area_filters(lang: str) -> tuple[list[str], list[str], str]:
    """Draw the county, township and search filters; return (counties, townships, query)."""
    county_names, townships = loaders.area_names(lang)
    cols = st.columns(3)
    chosen_counties = _multiselect(cols[0], "county", lang, list(county_names), county_names.get)
    town_names = {code: name for code, name, county in townships
                  if not chosen_counties or county in chosen_counties}  # fmt: skip
    town_key = _key("township", lang, [])
    # townships of a county no longer chosen would make the widget fail: drop them first
    st.session_state[town_key] = [c for c in st.session_state[town_key] if c in town_names]
    chosen_towns = _multiselect(cols[1], "township", lang, list(town_names), town_names.get)
    query = cols[2].text_input(
        t("map.search", lang), key=_key("query", lang, ""), help=t("map.search_help", lang)
    )
    return chosen_counties, chosen_towns, query


def _filters(venues: gpd.GeoDataFrame, lang: str) -> dict:
    """Draw every filter of the page; return them as keyword arguments of filter_venues."""
    counties, townships, query = _area_filters(lang)
    cols = st.columns(3)
    present = set(venues["kind"].astype(str))
    kinds = _multiselect(
        cols[0],
        "kind",
        lang,
        [k for k in codes(KINDS) if k in present],
        lambda c: label(KINDS, c, lang),
    )
    orgs = _multiselect(
        cols[1],
        "org",
        lang,
        codes(ORGANIZATIONS),
        lambda c: label(ORGANIZATIONS, c, lang),
        label_key="map.organization",
    )
    statuses = _multiselect(
        cols[2], "status", lang, codes(STATUSES), lambda c: label(STATUSES, c, lang)
    )
    return {
        "counties": counties,
        "townships": townships,
        "kinds": kinds,
        "organizations": orgs,
        "statuses": statuses,
        "query": query,
    }


def _view_controls(lang: str, token: str | None) -> tuple[str, frozenset[str], bool]:
    cols = st.columns([1, 2, 1])
    basemap = cols[0].selectbox(
        t("map.basemap", lang),
        BASEMAP_CODES,
        key=_key("basemap", lang, DEFAULT_BASEMAP),
        format_func=lambda c: basemap_label(c, lang, token),
    )
    layers = cols[1].multiselect(
        t("map.layers", lang),
        LAYER_CODES,
        format_func=lambda c: t(f"map.layer.{c}", lang),
        key=_key("layers", lang, list(DEFAULT_LAYERS)),
    )
    cluster = cols[2].toggle(t("map.cluster", lang), key=_key("cluster", lang, False))
    chosen = get_basemap(basemap)
    if chosen.needs_token and not token:
        st.warning(t("map.token_needed", lang))
    elif chosen.online:
        st.caption(t("map.internet_note", lang))
    if chosen.gcj02:
        st.caption(t("map.gcj_note", lang))
    return basemap, frozenset(layers), cluster


def _assets_missing(lang: str) -> None:
    st.error(t("map.assets_missing", lang))
    st.code(assets.SETUP_COMMAND, language="bash")
    st.caption(t("map.assets_missing_files", lang) + " " + ", ".join(assets.missing_files()))


def render(
    lang: str,
    head: st.delta_generator.DeltaGenerator,
    map_box: st.delta_generator.DeltaGenerator,
    height_px: int,
) -> None:
    """Draw the page's filters, view controls and notes in ``head``, the map in ``map_box``.

    ``map_box`` may already hold a saved first map (:mod:`ui.first_view`); it is kept when it
    is exactly this run's view, else replaced (or emptied when no map can be drawn).
    """
    status = loaders.store_status()
    try:
        venues = loaders.venues(status.path, status.version)
    except VenuemapError as error:
        map_box.empty()
        head.error(t("map.data_error", lang) + " " + str(error))
        return
    token = map_view.tianditu_token()
    with head:
        with st.expander(t("map.filters", lang), expanded=False):
            filters = _filters(venues, lang)
        basemap, layers, cluster = _view_controls(lang, token)
        shown = map_view.filter_venues(venues, **filters)
        if not _notes(venues, shown, layers, lang):
            map_box.empty()
            return
    spec = _spec(status, filters, layers, basemap, cluster, token, lang)
    if not first_view.is_current(spec.text()):
        first_view.show(map_box, map_view.map_html(spec), height_px)
        first_view.mark_warm()


def _notes(venues: gpd.GeoDataFrame, shown: gpd.GeoDataFrame, layers: frozenset[str],
           lang: str) -> bool:  # fmt: skip
    """Write the notes above the map; return False when the map's scripts are missing."""
    st.caption(
        t("map.shown", lang, shown=f"{len(shown):,}", total=f"{len(venues):,}")
        + "  ·  "
        + t("map.radius_note", lang)
    )
    if shown.empty:
        st.info(t("map.no_match", lang))
    planned_saved = (venues["status"].astype(str) == "planned").any()
    if "proposed" in layers and not st.session_state.get("site_params") and not planned_saved:
        st.caption(t("map.no_proposal", lang))
    if not assets.vendor_ready():
        _assets_missing(lang)
        return False
    if use_cells(len(shown)):
        st.caption(t("map.cells.note", lang, limit=f"{MARKER_LIMIT:,}"))
    return True


def _spec(
    status: loaders.StoreStatus,
    filters: dict,
    layers: frozenset[str],
    basemap: str,
    cluster: bool,
    token: str | None,
    lang: str,
) -> map_view.MapSpec:
    """Return what this run's map depends on (the key of its cached HTML)."""
    county_km, township_km, village_km, detour = current_standard()
    return map_view.MapSpec(
        path=status.path, version=status.version, radii_km=(county_km, township_km, village_km),
        detour=detour, filters=map_view.frozen_filters(filters), layers=layers, basemap=basemap,
        token=token, cluster=cluster, lang=lang, centre=tuple(loaders.region().centre),
        base_url_path=st.get_option("server.baseUrlPath") or "",
        site_params=st.session_state.get("site_params") if "proposed" in layers else None,
    )  # fmt: skip
