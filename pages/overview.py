"""总览 Overview: the leaders' page — KPI tiles, per-county figures, township choropleth, checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from geo.layers.shapes import DISPLAY_TOLERANCE_DEG
from ui import loaders, survey_panel
from ui.chrome import (
    as_of_text,
    boundary_chart,
    current_standard,
    illustrative_notes,
    kpi,
    report_html,
)
from ui.filenames import export_name
from ui.i18n import fmt_count, fmt_pct, t, vocab_label
from ui.report_svg import MapSymbol, bar_chart_svg, coverage_map_svg
from ui.session import current_lang, ensure_entrypoint
from ui.tables import PLACEHOLDER


def county_table(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the per-county table (names in ``lang``), without the total row."""
    counties = loaders.reference_layer("counties")
    name_col = "name_en" if lang == "en" else "name"
    names = dict(zip(counties["county_code"], counties[name_col], strict=True))
    rows = summary[summary["county_code"] != "all"]
    return pd.DataFrame(
        {
            t("col.county", lang): rows["county_code"].map(lambda c: names.get(c, c)),
            t("col.villages", lang): rows["demand"],
            t("col.villages_covered", lang): rows["covered"],
            t("col.population", lang): rows["population"].round().astype(int),
            t("col.population_covered", lang): rows["population_covered"].round().astype(int),
            t("col.share", lang): rows["population_share_covered"].map(lambda x: fmt_pct(x, lang)),
        }
    ).reset_index(drop=True)


def county_chart(summary: pd.DataFrame, lang: str) -> alt.Chart:
    """Return a bar chart of the population share covered per county, labelled in ``lang``."""
    counties = loaders.reference_layer("counties")
    name_col = "name_en" if lang == "en" else "name"
    names = dict(zip(counties["county_code"], counties[name_col], strict=True))
    rows = summary[summary["county_code"] != "all"]
    data = pd.DataFrame(
        {
            "county": rows["county_code"].map(lambda c: names.get(c, c)),
            "share": rows["population_share_covered"].astype(float),
        }
    )
    return (
        alt.Chart(data, title=t("ov.chart_title", lang))
        .mark_bar(color="#b22222")
        .encode(
            x=alt.X(
                "county:N", title=t("col.county", lang), sort=None, axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y(
                "share:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format=".0%")
            ),
            tooltip=[
                alt.Tooltip("county:N", title=t("col.county", lang)),
                alt.Tooltip("share:Q", title=t("col.share", lang), format=".1%"),
            ],
        )
        .properties(height=300)
    )


def township_choropleth(status: loaders.StoreStatus, radii, detour, lang: str) -> alt.LayerChart:  # noqa: ANN001
    """Return the township choropleth of the population share covered (areas approximate).

    The shapes are the display-simplified ones (cached once per data version): a third of the
    vertices, the same picture at this scale, and a chart spec a third the size on every run.
    """
    townships = loaders.display_boundaries(
        status.path, status.version, "townships", DISPLAY_TOLERANCE_DEG
    )
    summary = loaders.coverage_summary(status.path, status.version, radii, detour, "township_code")
    shares = summary.set_index("township_code")["population_share_covered"]
    areas = townships[["township_code", "name", "geometry"]].copy()
    areas["share"] = areas["township_code"].map(shares).astype(float).fillna(0.0)
    areas["share_text"] = areas["share"].map(lambda x: fmt_pct(x, lang))
    approximate = bool(townships.get("approximate", pd.Series([False])).any())
    title = t("ov.choropleth", lang) + (t("common.approximate", lang) if approximate else "")
    tooltip = [
        alt.Tooltip("properties.name:N", title=t("col.township", lang)),
        alt.Tooltip("properties.share_text:N", title=t("col.share", lang)),
    ]
    return boundary_chart(
        areas, value="share", title=title, legend=t("col.share", lang), tooltip=tooltip
    )


def kpi_row(status: loaders.StoreStatus, radii, detour, lang: str) -> dict[str, str]:  # noqa: ANN001
    """Draw the headline KPI tiles; return their texts for the printable report."""
    network = loaders.network_counts(status.path, status.version, radii, detour)
    totals = loaders.coverage_totals(status.path, status.version, radii, detour)
    share = totals["population_covered"] / totals["population"] if totals["population"] else None
    texts = {
        t("ov.kpi_townships", lang): f"{network['townships_with_centre']} / {network['townships']}",
        t("ov.kpi_villages", lang): f"{network['villages_with_station']} / {network['villages']}",
        t("ov.kpi_enterprise", lang): fmt_count(network["enterprise_homes"], "venues", lang),
        t("ov.kpi_population", lang): fmt_pct(share, lang),
    }
    people = t(
        "ov.people_of",
        lang,
        covered=fmt_count(totals["population_covered"], "people", lang),
        total=fmt_count(totals["population"], "people", lang),
    )
    if loaders.illustrative_flags(status.path, status.version)[1]:
        people += " · " + t("ov.population_illustrative", lang)
    cols = st.columns(4)
    notes = ["", "", "", people]
    for col, (label, value), note in zip(cols, texts.items(), notes, strict=True):
        kpi(col, label, value, note)
    return texts


def level_row(status: loaders.StoreStatus, radii, detour, lang: str) -> dict[str, str]:  # noqa: ANN001
    """Draw the population share covered at each level and overall."""
    summary = loaders.coverage_summary(status.path, status.version, radii, detour, "county_code")
    total = summary[summary["county_code"] == "all"].iloc[0]
    texts = {
        vocab_label("levels", str(level), lang): fmt_pct(
            total.get(f"level{level}_population_share"), lang
        )
        for level in (1, 2, 3, 4)
    }
    texts[t("level.headline", lang)] = fmt_pct(total["population_share_covered"], lang)
    st.subheader(t("ov.by_level", lang))
    for col, (label, value) in zip(st.columns(len(texts)), texts.items(), strict=True):
        col.metric(label, value)
    return texts


def checks_table(status: loaders.StoreStatus, radii, detour, lang: str) -> pd.DataFrame:  # noqa: ANN001
    """Return the four-level check status in ``lang``."""
    checks = loaders.network_checks(status.path, status.version, radii, detour)
    return pd.DataFrame(
        {
            t("col.check", lang): [t(f"check.{row.check}", lang) for row in checks.itertuples()],
            t("col.result", lang): [f"{row.passed} / {row.total}" for row in checks.itertuples()],
            t("col.status", lang): [
                "✓" if row.passed == row.total else "⚠" for row in checks.itertuples()
            ],
        }
    )


def equity_table(coverage: dict, access: dict, lang: str) -> pd.DataFrame:
    """Return Gini, Palma and concentration index of coverage and access, one row per measure."""

    def cell(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    return pd.DataFrame(
        {
            "": [t("ov.coverage", lang), t("ov.access", lang)],
            t("ov.gini", lang): [cell(coverage["gini"]), cell(access["gini"])],
            t("ov.palma", lang): [cell(coverage["palma"]), cell(access["palma"])],
            t("ov.ci", lang): [cell(coverage["concentration_index"]),
                               cell(access["concentration_index"])],
        }
    )  # fmt: skip


def lorenz_chart(curves: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Return the Lorenz curves of coverage and access with the line of equality."""
    data = curves.assign(measure=curves["measure"].map(lambda m: t(f"ov.{m}", lang)))
    x = alt.X("population_share:Q", title=t("ov.population_share", lang))
    y = alt.Y("value_share:Q", title=t("ov.value_share", lang))
    lines = alt.Chart(data).mark_line().encode(x=x, y=y, color=alt.Color("measure:N", title=""))
    diagonal = alt.Chart(pd.DataFrame({"population_share": [0, 1], "value_share": [0, 1]}))
    return diagonal.mark_line(strokeDash=[4, 4], color="#999999").encode(x=x, y=y) + lines


def equity_section(status: loaders.StoreStatus, radii, detour, lang: str) -> None:  # noqa: ANN001
    """Draw the equity figures and the Lorenz curves (issue 10)."""
    coverage, access, curves = loaders.equity(status.path, status.version, radii, detour)
    st.subheader(t("ov.equity", lang))
    left, right = st.columns([3, 2])
    left.dataframe(equity_table(coverage, access, lang), hide_index=True, width="stretch")
    left.caption(t("ov.equity_note", lang))
    right.altair_chart(lorenz_chart(curves, lang), width="stretch")
def report_figures(
    status: loaders.StoreStatus, radii, detour, summary: pd.DataFrame, lang: str  # noqa: ANN001
) -> Callable[[], list[tuple[str, str]]]:
    """Return a function drawing the report's coverage map and per-county chart (as SVG).

    The data are gathered now from the cached loaders (cheap); the drawing waits until the
    report is downloaded.
    """
    villages = loaders.coverage(status.path, status.version, radii, detour)
    venues = loaders.venues(status.path, status.version)
    counties = loaders.reference_layer("counties")
    townships = loaders.display_boundaries(
        status.path, status.version, "townships", DISPLAY_TOLERANCE_DEG
    )
    rows = summary[summary["county_code"] != "all"]
    names = dict(zip(counties["county_code"], counties["name_en" if lang == "en" else "name"],
                     strict=True))  # fmt: skip
    shares = rows["population_share_covered"].astype(float).tolist()

    def draw() -> list[tuple[str, str]]:
        covered = villages["covered"].astype(bool)
        layers = [
            (villages.loc[covered], MapSymbol("#c7c7c7", "#8a8a8a", 2.5,
                                              t("gaps.legend_covered", lang))),
            (villages.loc[~covered], MapSymbol("#ffffff", "#d62728", 3.5,
                                               t("gaps.legend_uncovered", lang))),
            (venues, MapSymbol("#1b9e77", "#ffffff", 3.0, t("map.layer.venues", lang))),
        ]  # fmt: skip
        title = t("ov.report_map", lang)
        chart = bar_chart_svg(
            [names.get(c, c) for c in rows["county_code"]],
            shares,
            title=t("ov.chart_title", lang),
            value_labels=[fmt_pct(s, lang) for s in shares],
        )
        return [
            (title, coverage_map_svg(counties, townships, layers, title=title)),
            (t("ov.chart_title", lang), chart),
        ]

    return draw


def checks_columns(lang: str) -> dict:
    """Column config of the checks table: the status stays pinned in view on any screen."""
    column = st.column_config
    return {
        t("col.status", lang): column.TextColumn(width="small", pinned=True),
        t("col.check", lang): column.TextColumn(width="medium"),
        t("col.result", lang): column.TextColumn(width="small"),
    }


def render(lang: str) -> None:
    """Draw the Overview page."""
    status = loaders.store_status()
    county_km, township_km, village_km, detour = current_standard()
    radii = (county_km, township_km, village_km)
    st.header(t("ov.title", lang))
    standard_text = t(
        "ov.standard_used",
        lang,
        county=county_km,
        township=township_km,
        village=village_km,
        detour=detour,
    )
    as_of = t("chrome.as_of", lang, date=as_of_text(status, lang))
    region = loaders.region().label(lang)
    register = loaders.venues(status.path, status.version)
    surveyed = survey_panel.progress_line(register, lang)
    subtitle = t("ov.subtitle", lang, region=region)
    st.caption(f"{subtitle} · {as_of} · {standard_text} · {surveyed}")
    kpis = kpi_row(status, radii, detour, lang)
    levels = level_row(status, radii, detour, lang)
    summary = loaders.coverage_summary(status.path, status.version, radii, detour, "county_code")
    st.subheader(t("ov.by_county", lang))
    left, right = st.columns([3, 2])
    table = county_table(summary, lang)
    thousands = {
        t(key, lang): st.column_config.NumberColumn(format="localized")
        for key in ("col.population", "col.population_covered")
    }  # 101,519 rather than 101519
    thousands[t("col.county", lang)] = st.column_config.TextColumn(pinned=True)
    left.dataframe(
        table, hide_index=True, width="stretch", column_config=thousands, placeholder=PLACEHOLDER
    )
    right.altair_chart(county_chart(summary, lang), width="stretch")
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(township_choropleth(status, radii, detour, lang), width="stretch")
        st.caption(t("ov.choropleth_note", lang))
    with right:
        st.subheader(t("ov.checks", lang))
        checks = checks_table(status, radii, detour, lang)
        st.dataframe(
            checks,
            hide_index=True,
            width="stretch",
            column_config=checks_columns(lang),
            placeholder=PLACEHOLDER,
        )
    equity_section(status, radii, detour, lang)
    with st.expander(t("survey.by_county_kind", lang)):
        counties = loaders.reference_layer("counties")
        st.dataframe(survey_panel.progress_table(register, counties, lang), hide_index=True,
                     width="stretch")
    figures = report_figures(status, radii, detour, summary, lang)
    with st.expander(t("ov.print", lang)):
        st.caption(t("ov.print_hint", lang))
        st.download_button(
            t("ov.download_report", lang),
            data=lambda: report_html(
                lang, as_of, f"{standard_text} · {surveyed}", kpis, levels, table, checks,
                figures(), notes=illustrative_notes(status, lang),
            ),  # fmt: skip
            file_name=export_name("venuemap_overview", [], "html", date.today()),
            mime="text/html",
            on_click="ignore",
            key="overview_report",
        )


ensure_entrypoint(__file__)
render(current_lang())
