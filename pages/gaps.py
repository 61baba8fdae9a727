"""缺口与选址 Gaps & siting: ranked gaps beside their map, a siting run, baseline vs scenario."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.layers import MapData, MapOptions, build_map
from ui import assets, loaders, map_view
from ui.chrome import (
    boundary_chart,
    current_standard,
    points_frame,
    select,
)
from ui.i18n import fmt_count, fmt_km, fmt_pct, md_escape, t, vocab_label
from ui.session import current_lang, ensure_entrypoint
from ui.tables import PLACEHOLDER

MODELS = ("mclp", "lscp", "pmedian")
#: Point colours: uncovered red, covered grey, newly covered green, proposed sites purple.
GROUP_COLORS = (
    ("gaps.legend_uncovered", "#d62728"),
    ("gaps.legend_covered", "#a0a0a0"),
    ("gaps.legend_newly", "#2ca02c"),
    ("gaps.legend_site", "#6a3d9a"),
)


def group_colors(lang: str) -> dict[str, str]:
    """Return the legend text -> colour mapping of the gap and scenario maps in ``lang``."""
    return {t(key, lang): color for key, color in GROUP_COLORS}


def township_names(status: loaders.StoreStatus) -> dict[str, str]:
    """Return township code -> name (the user's township layer if they supplied one)."""
    townships = loaders.area_layer(status.path, status.version, "townships")
    return dict(zip(townships["township_code"], townships["name"], strict=True))


def gap_table(gaps: gpd.GeoDataFrame, status: loaders.StoreStatus, lang: str) -> pd.DataFrame:
    """Return the ranked gap list with headers in ``lang`` (names are shown as plain text)."""
    town_names = township_names(status)
    return pd.DataFrame(
        {
            t("col.rank", lang): gaps["rank"].to_numpy(),
            t("col.village", lang): gaps["name"].to_numpy(),
            t("col.township", lang): gaps["township_code"]
            .map(lambda c: town_names.get(c, c))
            .to_numpy(),
            t("col.population", lang): gaps["population"].round().astype(int).to_numpy(),
            t("col.distance_km", lang): [fmt_km(d, lang) for d in gaps["nearest_distance_m"]],
        }
    )


def gap_columns(lang: str) -> dict:
    """Column config of the ranked gaps: village pinned, then the figures, township last.

    Narrow widths keep the distance column in view in the page's left column at 1440 px and
    on a phone, where the village stays pinned while the rest scrolls.
    """
    column = st.column_config
    return {
        t("col.rank", lang): column.NumberColumn(width=40),
        t("col.village", lang): column.TextColumn(width="small", pinned=True),
        t("col.population", lang): column.NumberColumn(width=70, format="localized"),
        t("col.distance_km", lang): column.TextColumn(width=80),
        t("col.township", lang): column.TextColumn(width="small"),
    }


def gaps_section(status: loaders.StoreStatus, lang: str) -> None:
    """Ranked uncovered villages beside their map (at the sidebar's service standard)."""
    county_km, township_km, village_km, detour = current_standard()
    radii = (county_km, township_km, village_km)
    gaps = loaders.gap_list(status.path, status.version, radii, detour)
    result = loaders.coverage(status.path, status.version, radii, detour)
    totals = loaders.coverage_totals(status.path, status.version, radii, detour)
    st.caption(
        t(
            "ov.standard_used",
            lang,
            county=county_km,
            township=township_km,
            village=village_km,
            detour=detour,
        )
    )
    baseline_kpi(totals, lang)
    left, right = st.columns([2, 3])
    with left:
        st.subheader(t("gaps.list", lang))
        if gaps.empty:
            st.success(t("gaps.none", lang))
        else:
            table = gap_table(gaps, status, lang)
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                height=420,
                column_config=gap_columns(lang),
                column_order=list(gap_columns(lang)),
                placeholder=PLACEHOLDER,
            )
    with right:
        groups = (
            result["covered"]
            .astype(bool)
            .map({True: t("gaps.legend_covered", lang), False: t("gaps.legend_uncovered", lang)})
        )
        chart = boundary_chart(
            loaders.area_layer(status.path, status.version, "townships"),
            value=None,
            title=t("gaps.map", lang) + t("common.approximate", lang),
            legend="",
            tooltip=[],
            points=points_frame(result, groups),
            colors=group_colors(lang),
        )
        st.altair_chart(chart, width="stretch")


def baseline_kpi(totals: dict, lang: str) -> None:
    """Show today's population covered: the Overview's figure, from the same use case."""
    population = totals["population"]
    share = totals["population_covered"] / population if population else None
    st.metric(
        t("gaps.baseline", lang) + " · " + t("col.population_covered", lang),
        f"{fmt_count(totals['population_covered'], 'people', lang)} ({fmt_pct(share, lang)})",
    )


def scenario_controls(lang: str) -> tuple[str, int, float, bool]:
    """Draw model, N, radius and the Run button; return their values."""
    cols = st.columns([3, 1, 2, 1])
    model = select(
        cols[0],
        t("gaps.model", lang),
        list(MODELS),
        key="site_model",
        lang=lang,
        format_func=lambda m: t(f"gaps.model_{m}", lang),
    )
    n_new = int(
        cols[1].number_input(
            t("gaps.n", lang),
            min_value=0,
            max_value=100,
            value=5,
            step=1,
            key="site_n",
            disabled=model == "lscp",
        )
    )
    radius_km = float(
        cols[2].slider(
            t("gaps.radius", lang), 1.0, 30.0, value=10.0, step=0.5, key="site_radius_km"
        )
    )
    cols[3].write("")
    run = cols[3].button(t("gaps.run", lang), type="primary", key="site_run", width="stretch")
    return model, n_new, radius_km, run


def scenario_section(status: loaders.StoreStatus, lang: str) -> None:
    """Run a siting model on request and show baseline vs scenario side by side."""
    st.subheader(t("gaps.scenario", lang))
    model, n_new, radius_km, run = scenario_controls(lang)
    county_km, township_km, village_km, detour = current_standard()
    radii = (county_km, township_km, village_km)
    params = (status.path, status.version, model, n_new, radius_km, radii, detour)
    if run:
        with st.status(t("gaps.running", lang), expanded=False) as progress:
            try:
                loaders.scenario(*params)
            except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
                progress.update(label=t("gaps.failed", lang), state="error")
                st.error(t("common.error", lang, message=md_escape(str(error))))
                return
            progress.update(label=t("gaps.done", lang), state="complete")
        st.session_state["site_params"] = params
    if saved := st.session_state.pop("site_saved", None):
        st.success(t("gaps.saved", lang, n=saved, path=status.shown))
    last = st.session_state.get("site_params")
    if last is None or last[:2] != params[:2]:
        st.info(t("gaps.not_run", lang))
        return
    if last != params:
        st.caption(t("gaps.stale", lang))
    compare(status, loaders.scenario(*last), lang)


def compare(status: loaders.StoreStatus, scenario: loaders.Scenario, lang: str) -> None:
    """Baseline and scenario KPIs and maps side by side, then the save-as-planned action."""
    scenario_kpis(scenario, lang)
    optimal = t("gaps.optimal", lang) if scenario.result.optimal else t("gaps.not_optimal", lang)
    count = fmt_count(len(scenario.proposal), "sites", lang)
    st.caption(f"{t('gaps.sites_count', lang, n=count)} · {optimal}")
    scenario_maps(status, scenario, lang)
    if len(scenario.proposal):
        st.markdown(f"**{t('gaps.sites', lang)}**")
        table = proposal_table(status, scenario.proposal, lang)
        st.dataframe(table, hide_index=True, width="stretch", placeholder=PLACEHOLDER)
        interactive_map(status, scenario, lang)
        save_section(status, scenario.proposal, lang)


def scenario_kpis(scenario: loaders.Scenario, lang: str) -> None:
    """Show population covered and its share, baseline beside proposal (with the change)."""
    for col, name, figures in zip(
        st.columns(2),
        ("gaps.baseline", "gaps.proposal"),
        (scenario.baseline, scenario.proposed),
        strict=True,
    ):
        population = figures["population"]
        share = figures["population_covered"] / population if population else None
        delta = scenario.delta["population_covered"] if name == "gaps.proposal" else None
        with col:
            st.markdown(f"**{t(name, lang)}**")
            st.metric(
                t("col.population_covered", lang),
                fmt_count(figures["population_covered"], "people", lang),
                delta=None if delta is None else fmt_count(delta, "people", lang),
                border=True,
            )
            st.metric(t("col.share", lang), fmt_pct(share, lang), border=True)


def scenario_maps(status: loaders.StoreStatus, scenario: loaders.Scenario, lang: str) -> None:
    """Two static maps: who is covered today, and who the proposal covers (sites in purple)."""
    towns = loaders.area_layer(status.path, status.version, "townships")
    before = scenario.before["covered"].astype(bool)
    base_groups = before.map(
        {True: t("gaps.legend_covered", lang), False: t("gaps.legend_uncovered", lang)}
    )
    after_groups = base_groups.copy()
    after_groups[scenario.newly_covered.index] = t("gaps.legend_newly", lang)
    site_groups = pd.Series(t("gaps.legend_site", lang), index=scenario.proposal.index)
    sites = points_frame(scenario.proposal, site_groups, size=160)
    panels = (
        ("gaps.baseline", points_frame(scenario.before, base_groups)),
        ("gaps.proposal", pd.concat([points_frame(scenario.before, after_groups), sites])),
    )
    for col, (title, points) in zip(st.columns(2), panels, strict=True):
        chart = boundary_chart(
            towns, value=None, title=t(title, lang), legend="", tooltip=[],
            points=points.reset_index(drop=True), colors=group_colors(lang),
        )  # fmt: skip
        col.altair_chart(chart, width="stretch")


def proposal_table(
    status: loaders.StoreStatus, proposal: gpd.GeoDataFrame, lang: str
) -> pd.DataFrame:
    """Return the proposed sites as a table with headers in ``lang``."""
    return pd.DataFrame(
        {
            t("col.name", lang): proposal["name"].to_numpy(),
            t("col.township", lang): proposal["township_code"]
            .map(township_names(status))
            .to_numpy(),
            t("col.kind", lang): [vocab_label("kinds", k, lang) for k in proposal["kind"]],
        }
    )


def interactive_map(status: loaders.StoreStatus, scenario: loaders.Scenario, lang: str) -> None:
    """Show the scenario on the offline Leaflet map (popups, zoom) built by geo.layers."""
    # A toggle, not an expander: Leaflet drawn inside a hidden box cannot fit its view.
    if not st.toggle(t("gaps.interactive", lang), key="site_interactive"):
        return
    if not assets.vendor_ready():
        st.warning(t("map.assets_missing", lang))
        st.code(assets.SETUP_COMMAND, language="bash")
        return
    before = scenario.before
    still_uncovered = before.loc[
        ~before["covered"].astype(bool) & ~before.index.isin(scenario.newly_covered.index)
    ]
    data = MapData(
        venues=loaders.venues(status.path, status.version),
        counties=loaders.reference_layer("counties"),
        townships=loaders.area_layer(status.path, status.version, "townships"),
        uncovered=still_uncovered,
        proposed=scenario.proposal,
    )
    shown = frozenset({"counties", "townships", "uncovered", "proposed", "venues"})
    m = build_map(data, options=MapOptions(show=shown, centre=loaders.region().centre), lang=lang)
    map_view.show(map_view.render(m, st.get_option("server.baseUrlPath") or ""), 520)


def save_section(status: loaders.StoreStatus, proposal: gpd.GeoDataFrame, lang: str) -> None:
    """Save the proposal as planned venues in the user's store, after a confirmation."""
    if st.button(t("gaps.save", lang), key="site_save"):
        st.session_state["site_confirm"] = True
    if not st.session_state.get("site_confirm"):
        return
    st.warning(t("gaps.save_confirm", lang, n=len(proposal), path=status.shown))
    ok, cancel = st.columns(2)
    if cancel.button(t("gaps.cancel", lang), key="site_cancel"):
        st.session_state["site_confirm"] = False
        st.rerun()
    if ok.button(t("gaps.confirm", lang), type="primary", key="site_confirm_write"):
        try:
            loaders.save_planned(status, proposal)
        except Exception as error:  # noqa: BLE001
            st.error(t("gaps.save_failed", lang, message=md_escape(str(error))))
            return
        st.session_state["site_confirm"] = False
        st.session_state["site_saved"] = len(proposal)
        st.rerun()


def render(lang: str) -> None:
    """Draw the Gaps & siting page."""
    status = loaders.store_status()
    st.header(t("gaps.title", lang))
    gaps_section(status, lang)
    st.divider()
    scenario_section(status, lang)


ensure_entrypoint(__file__)
render(current_lang())
