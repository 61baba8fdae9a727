"""The survey parts of the dashboard: links and QR sheet, pending review, and progress.

The Data page's 实测采集 tab and the Overview's progress line call these; every action goes
through ``venuemap.usecases.survey``, the same functions as ``venuemap survey …``.
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import streamlit as st

from ui import loaders
from ui.i18n import fmt_pct, md_escape, t, vocab_label

SURVEY_URL_ENV = "VENUEMAP_SURVEY_URL"


def survey_tab(lang: str, status: loaders.StoreStatus, filters: dict[str, str | None]) -> None:
    """Draw the survey tab: issue links (QR sheet) and review pending surveys."""
    links_section(lang, status, filters)
    st.divider()
    review_section(lang, status)


def _authorized(path: str) -> str | None:
    """Check on the server that the session may edit; return who acts, or None (error shown).

    Issuing links and approving surveys change the store: the planner role and up, as any edit.
    """
    from geo.errors import PermissionDenied
    from geo.store.protocol import current_actor
    from geo.users import open_users
    from ui.login import session_identity
    from venuemap.auth import authorize

    try:
        user = authorize(open_users(path), session_identity(), "edit")
    except PermissionDenied as error:
        st.error(md_escape(str(error)))
        return None
    return user.name if user is not None else current_actor()


def links_section(lang: str, status: loaders.StoreStatus, filters: dict[str, str | None]) -> None:
    """Issue survey links for the venues filtered above, as a printable sheet and a CSV."""
    from venuemap.survey_sheet import sheet_html
    from venuemap.usecases.survey import issue_links, today_iso

    st.subheader(t("survey.links", lang))
    st.caption(t("survey.links_hint", lang))
    base = st.text_input(t("survey.base_url", lang),
                         value=os.environ.get(SURVEY_URL_ENV, "http://localhost:8502"),
                         key="survey_base_url")  # fmt: skip
    confirm = st.checkbox(t("survey.confirm_reissue", lang), key="survey_confirm")
    if st.button(t("survey.issue", lang), disabled=not confirm, key="survey_issue"):
        if _authorized(status.path) is None:
            return
        try:
            links = issue_links(base, store=status.path, county=filters.get("county"),
                                kind=filters.get("kind"))  # fmt: skip
        except Exception as error:  # noqa: BLE001 - shown as one line, never a traceback
            st.error(md_escape(str(error)))
            return
        townships = loaders.area_layer(status.path, status.version, "townships")
        names = dict(zip(townships["township_code"], townships["name"], strict=False))
        st.session_state["survey_sheet"] = sheet_html(
            links, names, title=t("survey.sheet_title", "zh"), date=today_iso())
        st.session_state["survey_links_csv"] = pd.DataFrame(
            [{"id": k.id, "name": k.name, "url": k.url} for k in links]
        ).to_csv(index=False).encode("utf-8-sig")
        st.session_state["survey_count"] = len(links)
    if "survey_sheet" in st.session_state:
        st.success(t("survey.issued", lang, n=st.session_state["survey_count"]))
        left, right = st.columns(2)
        left.download_button(t("survey.download_sheet", lang), st.session_state["survey_sheet"],
                             file_name="venuemap_survey_sheet.html", mime="text/html")  # fmt: skip
        right.download_button(t("survey.download_links", lang),
                              st.session_state["survey_links_csv"],
                              file_name="venuemap_survey_links.csv", mime="text/csv")  # fmt: skip


def review_section(lang: str, status: loaders.StoreStatus) -> None:
    """Show pending surveys (table and map) and approve or reject the ones chosen."""
    from venuemap.usecases.survey import pending_surveys, review_surveys

    st.subheader(t("survey.pending", lang))
    if "survey_outcome" in st.session_state:
        approved, rejected, skipped = st.session_state.pop("survey_outcome")
        st.success(t("survey.reviewed", lang, approved=len(approved), rejected=len(rejected)))
        for ident, why in skipped.items():
            st.warning(f"#{ident}: {md_escape(why)}")
    pending = pending_surveys(store=status.path)
    if pending.empty:
        st.info(t("survey.none_pending", lang))
        return
    st.dataframe(pending_table(pending, lang), hide_index=True, width="stretch")
    pending_map(pending, status, lang)
    ids = [int(i) for i in pending["id"]]
    chosen = st.multiselect(t("survey.choose", lang), ids, key="survey_chosen",
                            placeholder=t("survey.choose_placeholder", lang),
                            format_func=lambda i: _label(pending, i))  # fmt: skip
    confirm = st.checkbox(t("survey.confirm_review", lang), key="survey_review_confirm")
    left, right = st.columns(2)
    approve = left.button(t("survey.approve", lang), disabled=not (chosen and confirm))
    reject = right.button(t("survey.reject", lang), disabled=not (chosen and confirm))
    if approve or reject:
        who = _authorized(status.path)
        if who is None:
            return
        outcome = review_surveys(chosen if approve else [], chosen if reject else [],
                                 who=who, store=status.path)  # fmt: skip
        st.session_state["survey_outcome"] = (outcome.approved, outcome.rejected,
                                              outcome.skipped)  # fmt: skip
        st.rerun()


def pending_table(pending: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Return the pending surveys as the table shows them (key columns first)."""
    return pd.DataFrame({
        t("survey.col_id", lang): pending["id"].astype(int),
        t("survey.col_venue", lang): pending["name"].fillna(pending["venue_id"]),
        t("survey.col_moved", lang): pending["moved_m"].round(0),
        t("survey.col_accuracy", lang): pending["accuracy_m"],
        t("survey.col_check", lang): ["⚠ " + t("survey.flag_other_county", lang) if other
                                      else "⚠ " + t("survey.flag_far", lang) if flag else "✓"
                                      for other, flag in zip(pending["other_county"],
                                                             pending["flagged"], strict=True)],
        t("survey.col_submitted", lang): pending["submitted_at"].str.slice(0, 16),
    })  # fmt: skip


def pending_map(pending: gpd.GeoDataFrame, status: loaders.StoreStatus, lang: str) -> None:
    """Draw register point → surveyed point for every pending survey."""
    from geo.layers import survey_layer
    from ui import assets, map_view

    if not assets.vendor_ready():
        return
    register = loaders.venues(status.path, status.version)
    old = register.set_index(register["id"].astype(str)).geometry
    known = pending["venue_id"].isin(old.index)
    shown = pending.loc[known]
    m = assets.offline_map(st.get_option("server.baseUrlPath") or "", tiles=None)
    survey_layer(shown, old.reindex(shown["venue_id"]).set_axis(shown.index), lang=lang).add_to(m)
    bounds = shown.total_bounds
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], max_zoom=14)
    map_view.show(map_view.render(m, st.get_option("server.baseUrlPath") or ""), 360)


def _label(pending: gpd.GeoDataFrame, ident: int) -> str:
    row = pending.loc[pending["id"] == ident].iloc[0]
    return f"#{ident} {row['name'] if pd.notna(row['name']) else row['venue_id']}"


def progress_line(register: gpd.GeoDataFrame, lang: str) -> str:
    """Return 'positions surveyed: 12 / 229 (5.2 %)', the note beside every coverage figure."""
    surveyed = int((register["position"].fillna("") == "surveyed").sum())
    share = surveyed / len(register) if len(register) else None
    return t("survey.progress", lang, n=surveyed, total=len(register), share=fmt_pct(share, lang))


def progress_table(register: gpd.GeoDataFrame, counties: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return surveyed / total venues per county and kind, for the Overview."""
    from venuemap.usecases.survey import survey_progress

    table = survey_progress(register)
    names = dict(zip(counties["county_code"], counties["name"], strict=False))
    return pd.DataFrame({
        t("filter.county", lang): table["county_code"].map(names).fillna(table["county_code"]),
        t("filter.kind", lang): [vocab_label("kinds", k, lang) for k in table["kind"]],
        t("survey.col_surveyed", lang): [f"{s} / {n}" for s, n in
                                         zip(table["surveyed"], table["total"], strict=True)],
    })  # fmt: skip
