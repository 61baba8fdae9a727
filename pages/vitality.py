"""阵地效能 Vitality: hollow venues (有阵地无活动), activity over time, the network's growth.

Widgets -> cached loaders (the vitality and coverage use cases) -> geo.layers -> render.
Illustrative demo activities are labelled so on screen.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from geo.layers.map import MapData, MapOptions, build_map
from geo.schema import ORGANIZATIONS
from ui import assets, loaders, map_view
from ui.chrome import current_standard
from ui.i18n import fmt_pct, t
from ui.session import current_lang, ensure_entrypoint
from ui.tables import PLACEHOLDER
from venuemap.usecases.vitality import activity_by_organization, county_activity


def monthly_chart(data: pd.DataFrame, title: str, legend: str) -> alt.Chart:
    """Return a stacked bar chart of activities per month and group."""
    return (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title=None),
            y=alt.Y("activities:Q", title=None),
            color=alt.Color("group:N", title=legend),
            tooltip=["month:T", "group:N", "activities:Q"],
        )
        .properties(height=260)
    )


def hollow_map(register: pd.DataFrame, hollow_ids: set[str], lang: str) -> None:
    """Show the hollow venues on the offline map (a toggle: Leaflet needs a visible box)."""
    if not st.toggle(t("vit.map", lang), key="vitality_map"):
        return
    if not assets.vendor_ready():
        st.warning(t("map.assets_missing", lang))
        return
    data = MapData(venues=register[register["id"].isin(hollow_ids)],
                   counties=loaders.reference_layer("counties"))  # fmt: skip
    options = MapOptions(show=frozenset({"counties", "venues"}), centre=loaders.region().centre)
    m = build_map(data, options=options, lang=lang)
    map_view.show(map_view.render(m, st.get_option("server.baseUrlPath") or ""), 480)


def growth(register: pd.DataFrame, lang: str) -> None:
    """Draw a year slider: how many venues were open by the chosen year (``year_opened``)."""
    years = pd.to_numeric(register.get("year_opened"), errors="coerce").dropna().astype(int)
    if years.empty or years.min() == years.max():
        return
    year = st.slider(t("vit.year", lang), int(years.min()), int(years.max()), int(years.max()),
                     key="vit_year")  # fmt: skip
    st.metric(t("vit.open_by", lang, year=year), int((years <= year).sum()))
    counts = years.value_counts().sort_index().cumsum().reset_index()
    counts.columns = ["year", "venues"]
    counts["shown"] = counts["year"] <= year
    st.altair_chart(
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title=None),
            y=alt.Y("venues:Q", title=None),
            color=alt.Color(
                "shown:N",
                legend=None,
                scale=alt.Scale(domain=[True, False], range=["#b22222", "#ddd"]),
            ),
        )
        .properties(height=200),  # fmt: skip
        width="stretch",
    )


def organization_table(lang: str) -> pd.DataFrame:
    """Return the eight organizations' coverage (venues hosting each) as a labelled table."""
    status = loaders.store_status()
    county_km, township_km, village_km, detour = current_standard()
    frame = loaders.organization_coverage(
        status.path, status.version, (county_km, township_km, village_km), detour
    )
    names = {term.code: term.zh if lang == "zh" else term.en for term in ORGANIZATIONS}
    return pd.DataFrame({
        t("vit.org", lang): frame["organization"].map(names),
        t("vit.venues", lang): frame["venues"],
        t("vit.share", lang): frame["share"].map(lambda x: fmt_pct(x, lang)),
    })  # fmt: skip


def render(lang: str) -> None:
    """Draw the Vitality page."""
    st.header(t("vit.title", lang))
    status = loaders.store_status()
    months = st.slider(t("vit.months", lang), 1, 24, 6, key="vit_months")
    result, activities = loaders.vitality(status.path, status.version, months)
    table = result.table
    st.caption(t("vit.intro", lang, months=months, as_of=result.as_of.isoformat()))
    if result.illustrative:
        st.warning(t("vit.illustrative", lang))
    if activities.empty:
        st.info(t("vit.none", lang))
    cols = st.columns(3)
    cols[0].metric(t("vit.hollow", lang), f"{int(table['hollow'].sum())} / {len(table)}")
    cols[1].metric(t("vit.activities", lang), int(table["activities"].sum()))
    cols[2].metric(t("vit.participants", lang), int(table["participants"].sum()))
    register = loaders.venues(status.path, status.version)
    hollow_map(register, set(table.loc[table["hollow"], "id"]), lang)
    if not activities.empty:
        st.altair_chart(monthly_chart(county_activity(register, activities),
                        t("vit.by_county", lang), t("col.county", lang)),
                        width="stretch")  # fmt: skip
        st.altair_chart(monthly_chart(activity_by_organization(activities),
                        t("vit.by_org", lang), t("vit.org", lang)),
                        width="stretch")  # fmt: skip
    growth(register, lang)
    st.subheader(t("vit.org_coverage", lang))
    st.dataframe(organization_table(lang), hide_index=True, width="stretch",
                 placeholder=PLACEHOLDER)  # fmt: skip
    st.subheader(t("vit.table", lang))
    shown = table.assign(organizations=table["organizations"].map(";".join))
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=PLACEHOLDER)


ensure_entrypoint(__file__)
render(current_lang())
