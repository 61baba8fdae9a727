"""Shared page furniture: the sidebar (drawn once by app.py), KPI tiles and static maps.

The sidebar holds the language switch, which store is open, the illustrative-data badge, the
as-of date and the service standard; pages read the chosen values through
:func:`ui.session.current_lang` and :func:`current_standard` instead of drawing widgets of
their own.
The static maps here are Vega-Lite (Altair) charts: drawn by the app's own bundled JavaScript,
with no tile server, so they work offline and print well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from ui import assets, loaders
from ui.i18n import LANGS, md_escape, t
from ui.narrow import close_sidebar_after_navigation
from ui.session import init_lang
from ui.widget_text import translate_widgets
from venuemap import usecases

if TYPE_CHECKING:  # altair loads with the first chart, not with every page (~0.2 s)
    import altair as alt

_DEFAULT = usecases.default_standard()
#: Session defaults, set once per session before any widget is drawn: Chinese, and the
#: documented service standard, read from data/standards.toml by the use-case layer (county
#: 40 km, township 15 km, village 2 km, detour 1.4) — the same default the CLI uses.
_SESSION_DEFAULTS: tuple[tuple[str, object], ...] = (
    ("lang", "zh"),
    ("std_county_km", _DEFAULT.radii_km[0]),
    ("std_township_km", _DEFAULT.radii_km[1]),
    ("std_village_km", _DEFAULT.radii_km[2]),
    ("std_detour", _DEFAULT.detour),
)

#: Print-friendly view: hide the sidebar, header and widgets when the browser prints.
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], .stButton, .stDownloadButton, [data-testid="stExpander"] {
    display: none !important;
  }
  [data-testid="stMain"] { margin-left: 0 !important; }
  .block-container { padding: 0.5cm !important; max-width: 100% !important; }
  [data-testid="stMetric"] { break-inside: avoid; }
}
</style>
"""


def init_session() -> None:
    """Set the session defaults (language Chinese, default service standard) once.

    A link may carry ``?lang=en`` to open the dashboard in English.
    """
    init_lang()
    for key, value in _SESSION_DEFAULTS:
        st.session_state.setdefault(key, value)


def current_standard() -> tuple[float, float, float, float]:
    """Return (county km, township km, village km, detour) chosen in the sidebar."""
    defaults = dict(_SESSION_DEFAULTS)
    keys = ("std_county_km", "std_township_km", "std_village_km", "std_detour")
    county, township, village, detour = (
        float(st.session_state.get(key, defaults[key])) for key in keys
    )
    return county, township, village, detour


def render_sidebar(lang: str) -> None:
    """Draw the shared sidebar: title, language, store, badge, as-of date, service standard."""
    status = loaders.store_status()
    with st.sidebar:
        region = loaders.region()
        st.title(t("app.title", lang, region=region.label(lang)))
        full_name = region.name_en or region.name if lang == "en" else region.name
        st.caption(t("chrome.region", lang, name=full_name, code=region.code))
        st.radio(
            t("chrome.language", lang),
            options=list(LANGS),
            format_func=lambda code: "中文" if code == "zh" else "English",
            key="lang",
            horizontal=True,
        )
        _store_block(status, lang)
        _standard_block(lang)
        translate_widgets(lang)
        close_sidebar_after_navigation()
    st.html(PRINT_CSS)
    st.html(assets.tibetan_font_css(st.get_option("server.baseUrlPath") or ""))  # name_bo


def _store_block(status: loaders.StoreStatus, lang: str) -> None:
    st.caption(t("chrome.store", lang))
    # a caption, not st.code: that would make every page load a 1.5 MB syntax highlighter
    st.caption(md_escape(status.shown))
    if not status.exists:
        st.caption(t("chrome.store_missing", lang))
    notes = illustrative_notes(status, lang)
    if notes:
        st.badge(t("chrome.illustrative_badge", lang), color="orange")
        for note in notes:
            st.caption(note)
    basis = loaders.demand_basis(status.path, status.version)
    if basis != "villages":
        st.caption(t(f"chrome.demand_basis.{basis}", lang))
    region = loaders.region()
    if not region.has_demo and loaders.venues(status.path, status.version).empty:
        st.caption(t("chrome.no_demo", lang, region=region.label(lang)))
    st.caption(t("chrome.as_of", lang, date=as_of_text(status, lang)))


def as_of_text(status: loaders.StoreStatus, lang: str) -> str:
    """Return the date the data on screen describe, labelled when the register is illustrative.

    The date is the venues' own (``as_of``: the example register's year, or the day each
    venue was imported), never the store file's modification time, so saving a plan on the
    example register still says 2022 and 示例.
    """
    codes, dates = loaders.data_labels(status.path, status.version)
    date = dates.text or t("chrome.as_of_unknown", lang)
    if "venue_positions" in codes:
        return t("chrome.as_of_illustrative", lang, date=date)
    return date


def illustrative_notes(status: loaders.StoreStatus, lang: str) -> list[str]:
    """Return one sentence per kind of illustrative data on screen (empty when none)."""
    codes = loaders.data_labels(status.path, status.version)[0]
    notes = []
    if "venue_positions" in codes:
        notes.append(t("chrome.illustrative_venues", lang))
    if "village_positions" in codes or "village_population" in codes:
        notes.append(t("chrome.illustrative_villages", lang))
    return notes


def _standard_block(lang: str) -> None:
    with st.expander(t("chrome.standard", lang)):
        st.slider(t("std.county_km", lang), 5.0, 100.0, step=5.0, key="std_county_km")
        st.slider(t("std.township_km", lang), 1.0, 50.0, step=1.0, key="std_township_km")
        st.slider(t("std.village_km", lang), 0.5, 10.0, step=0.5, key="std_village_km")
        st.slider(
            t("std.detour", lang),
            1.0,
            2.0,
            step=0.1,
            key="std_detour",
            help=t("std.detour_help", lang),
        )


def select(
    container: st.delta_generator.DeltaGenerator,
    label: str,
    options: list,
    *,
    key: str,
    lang: str,
    format_func: Callable[[Any], str],
    **kwargs: Any,
) -> Any:
    """Draw a select box whose option labels follow the language; return the chosen option.

    A keyed widget keeps its identity when only its labels change, so the browser would go on
    showing the option in the old language. The widget key therefore carries the language,
    and the choice itself is kept in ``st.session_state[key]`` across a language switch.
    """
    options = list(options)
    current = st.session_state.get(key)
    index = options.index(current) if current in options else 0
    value = container.selectbox(
        label, options, index=index, key=f"{key}__{lang}", format_func=format_func, **kwargs
    )
    st.session_state[key] = value
    return value


def kpi(column: st.delta_generator.DeltaGenerator, label: str, value: str, note: str = "") -> None:
    """Draw one KPI tile (a bordered metric with an optional caption under it)."""
    with column:
        st.metric(label, value, border=True)
        if note:
            st.caption(note)


def boundary_chart(
    areas: gpd.GeoDataFrame,
    *,
    value: str | None,
    title: str,
    legend: str,
    tooltip: list[alt.Tooltip],
    points: pd.DataFrame | None = None,
    colors: dict[str, str] | None = None,
    height: int = 420,
) -> alt.LayerChart:
    """Return a static choropleth (or plain outline) of ``areas`` with optional point marks.

    Parameters
    ----------
    areas
        Polygons in EPSG:4326, with the column ``value`` (a share 0..1) when a choropleth.
    value
        Column to colour by, or None for plain outlines.
    title, legend
        Chart title and legend title, already in the current language.
    tooltip
        Altair tooltips for the areas.
    points
        Optional table with ``lon``, ``lat``, ``group`` (legend text) and ``label`` columns.
    colors
        Colour of each point group (legend text -> CSS colour); a default palette otherwise.
    """
    # d3-geo (Vega) wants exterior rings clockwise, the reverse of RFC 7946; otherwise each
    # polygon is drawn as the whole globe minus itself.
    areas = areas.assign(
        geometry=shapely.orient_polygons(areas.geometry.to_numpy(), exterior_cw=True)
    )
    import altair as alt

    data = alt.Data(values=areas.__geo_interface__["features"])
    base = alt.Chart(data).mark_geoshape(stroke="#555", strokeWidth=0.6)
    if value is None:
        base = base.encode(color=alt.value("#f2efe9"))
    else:
        base = base.encode(
            color=alt.Color(
                f"properties.{value}:Q",
                title=legend,
                scale=alt.Scale(domain=[0, 1], scheme="yellowgreenblue"),
                legend=alt.Legend(format=".0%"),
            )
        )
    layers: list[alt.Chart] = [base.encode(tooltip=tooltip)]
    if points is not None and len(points):
        layers.append(
            alt.Chart(points)
            .mark_circle(opacity=0.85, stroke="white", strokeWidth=0.5)
            .encode(
                longitude="lon:Q",
                size=alt.Size("size:Q", scale=None, legend=None),
                latitude="lat:Q",
                color=alt.Color("group:N", title=None, scale=_group_scale(colors, points["group"])),
                tooltip=[alt.Tooltip("label:N", title=None), alt.Tooltip("group:N", title=None)],
            )
        )
    return (
        alt.layer(*layers)
        .project(type="mercator")
        .properties(title=title, height=height)
        .resolve_scale(color="independent")
    )


def report_html(
    lang: str,
    as_of: str,
    standard: str,
    kpis: dict[str, str],
    levels: dict[str, str],
    counties: pd.DataFrame,
    checks: pd.DataFrame,
    figures: Sequence[tuple[str, str]] = (),
    notes: list[str] | None = None,
) -> str:
    """Return a self-contained printable HTML report of the overview (no script, no outside URL).

    ``notes`` are the illustrative-data labels (`illustrative_notes`), printed under the title
    so a printed page carries the same label as the screen. Every text is escaped: county and
    township names come from data files. ``figures`` are (heading, inline ``<svg>`` markup
    built by :mod:`ui.report_svg`) pairs, placed after the headline figures; the SVG is trusted
    markup (its own texts are escaped where it is built).
    """

    def tiles(items: dict[str, str]) -> str:
        cells = "".join(
            f"<div class='tile'><div class='label'>{escape(k)}</div>"
            f"<div class='value'>{escape(v)}</div></div>"
            for k, v in items.items()
        )
        return f"<div class='tiles'>{cells}</div>"

    def table(frame: pd.DataFrame) -> str:
        head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
            for row in frame.itertuples(index=False)
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    title = escape(t("ov.report_title", lang, region=loaders.region().label(lang)))
    drawn = "".join(
        f"<h2>{escape(heading)}</h2><div class='fig'>{svg}</div>" for heading, svg in figures
    )
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 1.5cm; color: #222; }}
.tiles {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }}
.tile {{ border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; min-width: 160px; }}
.label {{ font-size: 0.85em; color: #555; }} .value {{ font-size: 1.4em; font-weight: bold; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
.fig svg {{ max-width: 100%; height: auto; font-family: sans-serif; }}
@media print {{ body {{ margin: 0.5cm; }} .tile, table, .fig {{ break-inside: avoid; }} }}
</style></head><body>
<h1>{title}</h1>
<p>{escape(as_of)}<br>{escape(standard)}</p>
{"".join(f"<p class='illustrative'><strong>⚠ {escape(n)}</strong></p>" for n in notes or [])}
{tiles(kpis)}
<h2>{escape(t("ov.by_level", lang))}</h2>
{tiles(levels)}
{drawn}
<h2>{escape(t("ov.by_county", lang))}</h2>
{table(counties)}
<h2>{escape(t("ov.checks", lang))}</h2>
{table(checks)}
<p><small>{escape(t("ov.choropleth_note", lang))}</small></p>
</body></html>
"""


def _group_scale(colors: dict[str, str] | None, present: pd.Series) -> alt.Scale:
    """Return the colour scale of the point groups, listing only groups on the map."""
    import altair as alt

    if not colors:
        return alt.Scale(scheme="set1")
    shown = {group: color for group, color in colors.items() if group in set(present)}
    return alt.Scale(domain=list(shown), range=list(shown.values()))


def points_frame(gdf: gpd.GeoDataFrame, groups: pd.Series, size: float = 36) -> pd.DataFrame:
    """Return ``lon``, ``lat``, ``group``, ``label`` (the name) and ``size`` of points ``gdf``."""
    if gdf.empty:
        return pd.DataFrame(columns=["lon", "lat", "group", "label", "size"])
    points = gdf.geometry.to_crs("EPSG:4326") if gdf.crs is not None else gdf.geometry
    points = points.representative_point()
    names = gdf["name"] if "name" in gdf.columns else pd.Series("", index=gdf.index)
    return pd.DataFrame(
        {
            "lon": points.x.to_numpy(),
            "lat": points.y.to_numpy(),
            "group": groups.reindex(gdf.index).astype(str).to_numpy(),
            "label": names.astype(str).to_numpy(),
            "size": size,
        }
    )
