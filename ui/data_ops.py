"""What the Data page does besides drawing: import checks, table edits, filters and exports.

Kept out of ``pages/data.py`` so the page stays thin and these rules can be tested without a
browser. The rules themselves are the use-case layer's (`venuemap.usecases`): the import
policy (all or nothing, or skip the invalid rows), the importer's row checks for table edits,
the one filter. Nothing here writes except :func:`write_accepted` and :func:`save_edits`.
"""

from __future__ import annotations

import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.schema import LIST_SEPARATOR
from ui import loaders
from ui.i18n import t, vocab_codes, vocab_label
from venuemap import usecases
from venuemap.usecases import EDITABLE, ImportReport, merge_edits

__all__ = ["EDITABLE", "merge_edits"]

UPLOAD_TYPES = ("csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip", "kml")
CRS_OPTIONS = ("auto", "wgs84", "cgcs2000", "gcj02", "bd09", "epsg")
FILTER_KEYS = ("county", "township", "kind", "organization")
LAYER_CHOICES = ("venues", "counties", "townships", "villages", "coverage", "gaps")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class CheckedImport:
    """The importer's dry-run report in the shape the page shows (tables, counts)."""

    rows: int
    accepted: gpd.GeoDataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    rejected_count: int
    report: ImportReport | None = None

    @property
    def accepted_count(self) -> int:
        """Number of venues that a Write would add."""
        return len(self.accepted)


def crs_argument(choice: str, epsg_text: str) -> str:
    """Return the importer's ``crs`` text for the select box choice (and EPSG field)."""
    if choice != "epsg":
        return choice
    digits = epsg_text.strip().upper().removeprefix("EPSG:").strip()
    if not digits.isdigit():
        raise ValueError(f"'{epsg_text}' is not an EPSG code; enter digits such as 4543")
    return f"EPSG:{digits}"


def pick_language(message: str, lang: str) -> str:
    """Return the ``lang`` half of a bilingual importer message ``'中文 / English'``."""
    if " / " not in message:
        return message
    zh, en = message.split(" / ", 1)
    if not _CJK.search(zh):
        return message
    return zh if lang == "zh" else en


def issues_frame(issues: list, lang: str) -> pd.DataFrame:
    """Return issues as a table: row, column, value, message (in ``lang``)."""
    rows = [issue.to_dict() for issue in issues]
    frame = pd.DataFrame(rows, columns=["row", "column", "value", "message"])
    frame["message"] = frame["message"].map(lambda m: pick_language(str(m), lang))
    frame["value"] = frame["value"].astype(str)
    return frame


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)
def reference_index(path: str, version: str):  # noqa: ANN201 - geo.importer.ReferenceIndex
    """Return the importer's prepared reference geography (shared, read-only)."""
    return usecases.prepare_reference(reference_layers(path, version))


def reference_layers(path: str, version: str) -> dict[str, gpd.GeoDataFrame]:
    """Return the reference layers the importer checks rows against (cached layers)."""
    names = ("prefecture", "counties", "townships", "villages")
    return {name: loaders.area_layer(path, version, name) for name in names}


def check_upload(upload, crs: str, status: loaders.StoreStatus, lang: str) -> CheckedImport:  # noqa: ANN001
    """Run the importer on an uploaded file without writing anything; return its report."""
    return _check(upload.getvalue(), upload.name, crs, status.path, status.version, lang)


@st.cache_data(max_entries=4, ttl=900, show_spinner=False)
def _check(data: bytes, name: str, crs: str, path: str, version: str, lang: str) -> CheckedImport:
    safe_name = Path(name).name or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / safe_name
        file.write_bytes(data)
        report = usecases.check_import(
            file, _ShownStore(path, loaders.user_venues(path, version)), crs=crs,
            reference=reference_index(path, version),
        )  # fmt: skip
    return CheckedImport(
        rows=int(report.rows),
        accepted=report.accepted,
        errors=issues_frame(report.errors, lang),
        warnings=issues_frame(report.warnings, lang),
        rejected_count=int(report.rejected),
        report=report,
    )


@dataclass(frozen=True)
class _ShownStore:
    """The store as the import check sees it: its path and its (cached) venues."""

    path: str
    stored: gpd.GeoDataFrame

    def venues(self) -> gpd.GeoDataFrame:
        """Return the venues already stored."""
        return self.stored


def write_accepted(report: CheckedImport, path: str, *, skip_invalid: bool = False) -> int:
    """Write a checked import under the import policy (`usecases.write_import`).

    All or nothing by default: with any rejected row nothing is written (0 is returned);
    ``skip_invalid`` writes the accepted rows. Returns the number of venues written.
    """
    outcome = usecases.write_import(
        report.report, loaders.open_user_store(path), skip_invalid=skip_invalid
    )
    return outcome.written


def apply_filters(gdf: gpd.GeoDataFrame, filters: dict[str, str | None]) -> gpd.GeoDataFrame:
    """Return the rows matching the on-screen filters; filters a layer lacks are skipped."""
    columns = {
        "county": "county_code",
        "township": "township_code",
        "kind": "kind",
        "organization": "organizations",
    }
    wanted = {key: value for key, value in filters.items() if value and columns[key] in gdf.columns}
    return usecases.filter_layer(gdf, **wanted) if wanted else gdf


def editor_frame(gdf: gpd.GeoDataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
    """Return the register as an editable table (lon/lat columns) and its column config."""
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    points = gdf.geometry
    frame["lon"] = [p.x if p is not None and not p.is_empty else math.nan for p in points]
    frame["lat"] = [p.y if p is not None and not p.is_empty else math.nan for p in points]
    frame["organizations"] = frame["organizations"].map(_split_list)
    frame["year_opened"] = pd.to_numeric(frame["year_opened"], errors="coerce").astype("Int64")
    column = st.column_config
    config = {
        name: column.TextColumn(t(f"col.{name}", lang))
        for name in (
            "id",
            "name",
            "name_en",
            "county_code",
            "township_code",
            "village_code",
            "services",
            "address",
            "as_of",
        )
    }
    config.update(
        kind=column.SelectboxColumn(
            t("col.kind", lang),
            options=vocab_codes("kinds"),
            format_func=lambda c: vocab_label("kinds", c, lang),
            required=True,
        ),
        status=column.SelectboxColumn(
            t("col.status", lang),
            options=vocab_codes("statuses"),
            format_func=lambda c: vocab_label("statuses", c, lang),
            required=True,
        ),
        position=column.SelectboxColumn(
            t("col.position", lang),
            options=vocab_codes("positions"),
            format_func=lambda c: vocab_label("positions", c, lang),
        ),
        organizations=column.MultiselectColumn(
            t("col.organizations", lang),
            options=vocab_codes("organizations"),
            format_func=lambda c: vocab_label("organizations", c, lang),
        ),
        level=column.NumberColumn(t("col.level", lang), format="%d"),
        year_opened=column.NumberColumn(t("col.year_opened", lang), format="%d", step=1),
        lon=column.NumberColumn(t("col.lon", lang), format="%.6f"),
        lat=column.NumberColumn(t("col.lat", lang), format="%.6f"),
    )
    return frame.reset_index(drop=True), config


def _split_list(value: object) -> list[str]:
    if isinstance(value, list):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [part.strip() for part in str(value).split(LIST_SEPARATOR) if part.strip()]


def validate_edits(
    edited: pd.DataFrame, lang: str, reference: dict | None = None
) -> list[dict[str, str]]:
    """Return one message per bad cell (id, column, value, message); empty when all is well.

    The rules are the importer's own (`venuemap.usecases.validate_rows`): a row refused on
    import is refused in the table too. ``reference`` holds the layers rows are checked against
    (prefecture, counties, townships; default the bundled ones).
    """
    return _problem_rows(usecases.validate_rows(edited, reference), lang)


def _problem_rows(issues: list, lang: str) -> list[dict[str, str]]:
    """Return (venue id, importer issue) pairs as the table of problems shown in ``lang``."""
    problems = []
    for venue_id, issue in issues:
        parts = str(issue.column).split("/")  # the point's issues name "lon/lat"
        header = "/".join(t(f"col.{c}", lang) if c in _COLUMN_KEYS else c for c in parts)
        problems.append({
            t("col.id", lang): str(venue_id),
            t("data.col_column", lang): header,
            t("data.col_value", lang): str(issue.value),
            t("data.col_message", lang): pick_language(str(issue.message), lang),
        })  # fmt: skip
    return problems


#: Register columns with a translated header (``col.<name>`` in ui.i18n).
_COLUMN_KEYS = frozenset({*EDITABLE, "id", "county_code", "township_code", "village_code",
                          "position"})  # fmt: skip


def save_edits(status: loaders.StoreStatus, edited: pd.DataFrame, lang: str) -> list[dict]:
    """Validate the edited rows and, when all pass, write them (`usecases.apply_edits`).

    Returns the problems in the table's shape (:func:`validate_edits`); nothing is written
    when there is any.
    """
    issues = usecases.apply_edits(
        loaders.open_user_store(status.path), loaders.venues(status.path, status.version),
        edited, reference_layers(status.path, status.version),
    )  # fmt: skip
    return _problem_rows(issues, lang)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
