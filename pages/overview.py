"""总览 Overview: the leaders' page — KPI tiles, per-county figures, township choropleth, checks."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.layers.shapes import DISPLAY_TOLERANCE_DEG
from ui import loaders
from ui.chrome import (
    as_of_text,
    boundary_chart,
    current_lang,
    current_standard,
    ensure_entrypoint,
    illustrative_notes,
    kpi,
    report_html,
)
from ui.i18n import fmt_count, fmt_pct, t, vocab_label


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
    st.caption(f"{t('ov.subtitle', lang)} · {as_of} · {standard_text}")
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
    left.dataframe(table, hide_index=True, width="stretch", column_config=thousands)
    right.altair_chart(county_chart(summary, lang), width="stretch")
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(township_choropleth(status, radii, detour, lang), width="stretch")
        st.caption(t("ov.choropleth_note", lang))
    with right:
        st.subheader(t("ov.checks", lang))
        checks = checks_table(status, radii, detour, lang)
        st.dataframe(checks, hide_index=True, width="stretch")
    with st.expander(t("ov.print", lang)):
        st.caption(t("ov.print_hint", lang))
        st.download_button(
            t("ov.download_report", lang),
            data=lambda: report_html(
                lang, as_of, standard_text, kpis, levels, table, checks,
                notes=illustrative_notes(status, lang),
            ),  # fmt: skip
            file_name="venuemap_overview.html",
            mime="text/html",
            on_click="ignore",
            key="overview_report",
        )


ensure_entrypoint(__file__)
render(current_lang())
