"""数据 Data: import with a per-row report before any write, edit the register, download layers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from geo.errors import ConflictError, VenuemapError
from ui import loaders, survey_panel
from ui.chrome import current_standard, select
from ui.data_ops import (
    CRS_OPTIONS,
    EDITABLE,
    FILTER_KEYS,
    LAYER_CHOICES,
    UPLOAD_TYPES,
    apply_filters,
    check_upload,
    crs_argument,
    editor_frame,
    pick_language,
    save_edits,
    write_accepted,
)
from ui.filenames import export_name
from ui.i18n import md_escape, t, vocab_codes, vocab_label
from ui.login import role_of_session, session_can
from ui.session import current_lang, ensure_entrypoint
from ui.tables import PLACEHOLDER

FORMATS = (
    ("geojson", "application/geo+json"),
    ("gpkg", "application/geopackage+sqlite3"),
    ("csv", "text/csv"),
)


def filters_row(lang: str, status: loaders.StoreStatus) -> dict[str, str | None]:
    """Draw the county / township / kind / organization filters and return their values."""
    counties = loaders.reference_layer("counties")
    townships = loaders.area_layer(status.path, status.version, "townships")
    cols = st.columns(4)
    county = select(
        cols[0],
        t("filter.county", lang),
        [None, *counties["county_code"]],
        key="data_county",
        lang=lang,
        format_func=lambda c: (
            t("filter.all", lang) if c is None else _name(counties, "county_code", c, lang)
        ),
    )
    towns = townships if county is None else townships[townships["county_code"] == county]
    township = select(
        cols[1],
        t("filter.township", lang),
        [None, *towns["township_code"]],
        key="data_township",
        lang=lang,
        format_func=lambda c: (
            t("filter.all", lang) if c is None else _name(towns, "township_code", c, lang)
        ),
    )
    kind = select(
        cols[2],
        t("filter.kind", lang),
        [None, *vocab_codes("kinds")],
        key="data_kind",
        lang=lang,
        format_func=lambda c: t("filter.all", lang) if c is None else vocab_label("kinds", c, lang),
    )
    organization = select(
        cols[3],
        t("filter.organization", lang),
        [None, *vocab_codes("organizations")],
        key="data_org",
        lang=lang,
        format_func=lambda c: (
            t("filter.all", lang) if c is None else vocab_label("organizations", c, lang)
        ),
    )
    return dict(zip(FILTER_KEYS, (county, township, kind, organization), strict=True))


def _name(frame: pd.DataFrame, column: str, code: str, lang: str) -> str:
    row = frame[frame[column] == code]
    if row.empty:
        return code
    if lang == "en" and "name_en" in row.columns and isinstance(row["name_en"].iloc[0], str):
        return f"{row['name_en'].iloc[0]} ({code})"
    return f"{row['name'].iloc[0]} ({code})"


def import_section(lang: str, status: loaders.StoreStatus) -> None:
    """Upload -> importer (dry run) -> per-row report -> policy -> Write -> confirm -> append."""
    st.subheader(t("data.import", lang))
    upload = st.file_uploader(t("data.upload", lang), type=list(UPLOAD_TYPES), key="upload")
    cols = st.columns([2, 1])
    choice = select(
        cols[0],
        t("data.crs", lang),
        list(CRS_OPTIONS),
        key="import_crs",
        lang=lang,
        format_func=lambda c: t(f"crs.{c}", lang),
    )
    epsg = cols[1].text_input(t("data.epsg", lang), key="import_epsg", disabled=choice != "epsg")
    if upload is None:
        st.caption(t("data.upload_hint", lang))
        return
    try:
        crs = crs_argument(choice, epsg)
    except ValueError:
        epsg_code = loaders.region().metric_crs.removeprefix("EPSG:")
        st.warning(t("data.epsg_missing", lang, epsg=epsg_code))
        return
    written = st.session_state.get("import_written")
    if written is not None and written[:2] == (upload.file_id, crs):
        st.success(t("data.written", lang, n=written[2], path=status.shown))
        return
    try:
        report = check_upload(upload, crs, status, lang)
    except Exception as error:  # noqa: BLE001 - every failure is shown as a message, never raised
        message = pick_language(str(error), lang)
        st.error(t("data.unusable", lang, message=md_escape(message)))
        return
    _show_report(report, lang)
    if report.accepted_count == 0:
        st.warning(t("data.nothing_to_write", lang))
        return
    write_section(lang, status, report, (upload.file_id, crs))


#: The import policy, as in the CLI: all or nothing (default), or ``--skip-invalid``.
POLICIES = ("all_or_nothing", "skip_invalid")


def write_section(lang: str, status: loaders.StoreStatus, report, upload_key: tuple) -> None:  # noqa: ANN001
    """Offer the two import policies explicitly, then write after a confirmation."""
    policy = select(
        st,
        t("data.policy", lang),
        list(POLICIES),
        key="import_policy",
        lang=lang,
        format_func=lambda p: t(f"data.policy_{p}", lang),
    )
    skip = policy == "skip_invalid"
    if report.rejected_count and not skip:
        st.warning(t("data.all_or_nothing_blocked", lang, rejected=report.rejected_count))
        return
    if loaders.user_venues(status.path, status.version).empty:
        st.info(t("data.replaces_demo", lang))
    n, skipped = report.accepted_count, report.rejected_count if skip else 0
    if st.button(t("data.write", lang, n=n), type="primary", key="import_write"):
        st.session_state["import_confirm"] = (*upload_key, policy)
    if st.session_state.get("import_confirm") != (*upload_key, policy):
        return
    st.warning(t("data.import_confirm", lang, n=n, skipped=skipped, path=status.path))
    ok, cancel = st.columns(2)
    if cancel.button(t("gaps.cancel", lang), key="import_cancel"):
        st.session_state.pop("import_confirm", None)
        st.rerun()
    if ok.button(t("gaps.confirm", lang), type="primary", key="import_confirm_write"):
        st.session_state.pop("import_confirm", None)
        try:
            written = write_accepted(report, status.path, skip_invalid=skip)
        except Exception as error:  # noqa: BLE001
            st.error(t("data.write_failed", lang, message=md_escape(str(error))))
            return
        st.session_state["import_written"] = (*upload_key, written)
        st.rerun()


def _show_report(report, lang: str) -> None:  # noqa: ANN001 - ui.importing.CheckedImport
    cols = st.columns(3)
    cols[0].metric(t("data.rows", lang), f"{report.rows:,}")
    cols[1].metric(t("data.accepted", lang), f"{report.accepted_count:,}")
    cols[2].metric(t("data.rejected", lang), f"{report.rejected_count:,}")
    headers = {key: t(f"data.col_{key}", lang) for key in ("row", "column", "value", "message")}
    if len(report.errors):
        st.markdown(f"**{t('data.errors', lang)}**")
        st.dataframe(
            report.errors.rename(columns=headers),
            hide_index=True,
            width="stretch",
            placeholder=PLACEHOLDER,
        )
    if len(report.warnings):
        st.markdown(f"**{t('data.warnings', lang)}**")
        st.dataframe(
            report.warnings.rename(columns=headers),
            hide_index=True,
            width="stretch",
            placeholder=PLACEHOLDER,
        )


def table_section(lang: str, status: loaders.StoreStatus, filters: dict[str, str | None]) -> None:
    """Show the register as an editable table; Save validates, then replaces the store's venues."""
    st.subheader(t("data.table", lang))
    register = loaders.venues(status.path, status.version)
    shown = apply_filters(register, filters)
    st.caption(t("data.table_hint", lang, n=len(shown), total=len(register)))
    frame, config = editor_frame(shown, lang)
    # the name stays in view while the other columns scroll (a phone shows two or three)
    config["name"] = st.column_config.TextColumn(t("col.name", lang), pinned=True)
    edited = st.data_editor(
        frame,
        key=f"venue_editor_{status.version}_{lang}",
        hide_index=True,
        width="stretch",
        column_config=config,
        disabled=[column for column in frame.columns if column not in EDITABLE],
        num_rows="fixed",
        placeholder=PLACEHOLDER,
    )
    if st.button(t("data.save", lang), key="save_edits"):
        try:
            problems = save_edits(status, edited, lang)
        except ConflictError as error:
            st.error(t("data.conflict", lang, message=md_escape(str(error))))
            return
        except Exception as error:  # noqa: BLE001
            st.error(t("data.write_failed", lang, message=md_escape(str(error))))
            return
        if problems:
            st.error(t("data.edit_invalid", lang))
            st.dataframe(
                pd.DataFrame(problems), hide_index=True, width="stretch", placeholder=PLACEHOLDER
            )
            return
        st.session_state["edits_saved"] = True
        st.rerun()
    if st.session_state.pop("edits_saved", False):
        st.success(t("data.saved", lang, path=status.shown))


def download_section(
    lang: str, status: loaders.StoreStatus, filters: dict[str, str | None]
) -> None:
    """Offer downloads of any layer or result, filtered as on screen, in three formats."""
    st.subheader(t("data.download", lang))
    if not session_can("export", status.path):  # viewers: no file leaves the server
        st.info(t("auth.no_export", lang, role=role_of_session(status.path)))
        return
    layer = select(
        st,
        t("data.layer", lang),
        list(LAYER_CHOICES),
        key="download_layer",
        lang=lang,
        format_func=lambda name: t(f"layer.{name}", lang),
    )
    county_km, township_km, village_km, detour = current_standard()
    gdf = loaders.download_layer(
        status.path, status.version, layer, (county_km, township_km, village_km), detour
    )
    shown = apply_filters(gdf, filters)
    st.caption(t("data.download_hint", lang, n=len(shown), total=len(gdf)))
    cols = st.columns(len(FORMATS))
    for col, (fmt, mime) in zip(cols, FORMATS, strict=True):
        col.download_button(
            t(f"data.fmt_{fmt}", lang),
            data=lambda fmt=fmt: loaders.export_bytes(shown, fmt, layer),
            file_name=export_name(f"venuemap_{layer}", filters.values(), fmt, date.today()),
            mime=mime,
            key=f"download_{fmt}",
            on_click="ignore",
        )


def history_section(lang: str, status: loaders.StoreStatus) -> None:
    """List the recorded changes (of one venue, if chosen), with undo of one change."""
    from venuemap.usecases import edits

    st.subheader(t("data.history", lang))
    venue = st.text_input(t("data.history_venue", lang), key="history_venue").strip()
    store = loaders.open_user_store(status.path)
    rows = edits.history_rows(edits.history(store, venue or None))
    if not rows:
        st.caption(t("data.history_empty", lang))
        return
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    change_id = st.selectbox(t("data.undo_id", lang), [row["id"] for row in rows], key="undo_id")
    if st.button(t("data.undo", lang), key="undo_button"):
        try:
            undone = edits.undo(store, int(change_id))
        except VenuemapError as error:
            st.error(md_escape(str(error)))
            return
        st.success(t("data.undone", lang, id=change_id, new=undone.id))


def render(lang: str) -> None:
    """Draw the Data page."""
    status = loaders.store_status()
    st.header(t("data.title", lang))
    filters = filters_row(lang, status)
    st.caption(t("data.filters_note", lang))
    table_tab, download_tab, import_tab, history_tab, survey_tab = st.tabs(
        [t("data.table", lang), t("data.download", lang), t("data.import", lang),
         t("data.history", lang), t("data.survey", lang)]
    )  # fmt: skip
    with table_tab:
        table_section(lang, status, filters)
    with download_tab:
        download_section(lang, status, filters)
    with import_tab:
        import_section(lang, status)
    with history_tab:
        history_section(lang, status)
    with survey_tab:
        survey_panel.survey_tab(lang, status, filters)


ensure_entrypoint(__file__)
render(current_lang())
