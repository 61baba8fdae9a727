"""What the Data page does besides drawing: import checks, table edits, filters and exports.

Kept out of ``pages/data.py`` so the page stays thin and these rules can be tested without a
browser. Nothing here writes to the store except :func:`write_accepted` (and the page's Save,
which calls ``store.replace_venues`` after :func:`validate_edits` found nothing wrong).
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from shapely.geometry import Point

from geo.schema import LEVEL_OF_KIND, LIST_SEPARATOR, STORAGE_CRS
from ui import loaders
from ui.i18n import t, vocab_codes, vocab_label

UPLOAD_TYPES = ("csv", "txt", "xlsx", "geojson", "json", "gpkg", "zip", "kml")
CRS_OPTIONS = ("auto", "wgs84", "cgcs2000", "gcj02", "bd09", "epsg")
FILTER_KEYS = ("county", "township", "kind", "organization")
LAYER_CHOICES = ("venues", "counties", "townships", "villages", "coverage", "gaps")
#: Columns a user may edit in the venue table; the rest are shown read-only.
EDITABLE = (
    "name",
    "name_en",
    "kind",
    "organizations",
    "services",
    "address",
    "status",
    "year_opened",
    "lon",
    "lat",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class CheckedImport:
    """The importer's dry-run report in the shape the page shows (tables, counts)."""

    rows: int
    accepted: gpd.GeoDataFrame
    errors: pd.DataFrame
    warnings: pd.DataFrame
    rejected_count: int

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
        raise ValueError(f"'{epsg_text}' is not an EPSG code; enter digits such as 4490")
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
    from geo.importer import ReferenceIndex

    layers = {
        name: loaders.area_layer(path, version, name)
        for name in ("prefecture", "counties", "townships", "villages")
    }
    return ReferenceIndex.build(layers, region=loaders.region())


def check_upload(upload, crs: str, status: loaders.StoreStatus, lang: str) -> CheckedImport:  # noqa: ANN001
    """Run the importer on an uploaded file without writing anything; return its report."""
    return _check(upload.getvalue(), upload.name, crs, status.path, status.version, lang)


@st.cache_data(max_entries=4, ttl=900, show_spinner=False)
def _check(data: bytes, name: str, crs: str, path: str, version: str, lang: str) -> CheckedImport:
    from geo.importer import import_venues

    safe_name = Path(name).name or "upload.csv"
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / safe_name
        file.write_bytes(data)
        report = import_venues(
            file,
            crs=crs,
            existing=loaders.user_venues(path, version),
            reference=reference_index(path, version),
        )
    return CheckedImport(
        rows=int(report.rows),
        accepted=report.accepted,
        errors=issues_frame(report.errors, lang),
        warnings=issues_frame(report.warnings, lang),
        rejected_count=int(report.rejected),
    )


def write_accepted(report: CheckedImport, path: str) -> None:
    """Append the accepted venues to the user's store, atomically (geo.store)."""
    loaders.open_user_store(path).add_venues(report.accepted)


def apply_filters(gdf: gpd.GeoDataFrame, filters: dict[str, str | None]) -> gpd.GeoDataFrame:
    """Return the rows matching the on-screen filters; filters a layer lacks are skipped."""
    from geo.export import filter_layer

    columns = {
        "county": "county_code",
        "township": "township_code",
        "kind": "kind",
        "organization": "organizations",
    }
    wanted = {key: value for key, value in filters.items() if value and columns[key] in gdf.columns}
    return filter_layer(gdf, **wanted) if wanted else gdf


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
    edited: pd.DataFrame, lang: str, counties: gpd.GeoDataFrame | None = None
) -> list[dict[str, str]]:
    """Return one message per bad cell (id, column, value, message); empty when all is well.

    ``counties`` (real polygons, EPSG:4326): a point outside the prefecture, or outside the
    county its ``county_code`` names, is refused (county boundaries are real, as on import).
    """
    problems: list[dict[str, str]] = []

    def bad(row: pd.Series, column: str, key: str, **values: object) -> None:
        problems.append(
            {
                t("col.id", lang): str(row["id"]),
                t("data.col_column", lang): t(f"col.{column}", lang),
                t("data.col_value", lang): str(row[column]),
                t("data.col_message", lang): t(key, lang, **values),
            }
        )

    kinds, statuses = set(vocab_codes("kinds")), set(vocab_codes("statuses"))
    organizations = set(vocab_codes("organizations"))
    for _, row in edited.iterrows():
        if not str(row["name"] or "").strip() or _missing(row["name"]):
            bad(row, "name", "edit.blank_name")
        if row["kind"] not in kinds:
            bad(row, "kind", "edit.bad_kind")
        if row["status"] not in statuses:
            bad(row, "status", "edit.bad_status")
        for code in _split_list(row["organizations"]):
            if code not in organizations:
                bad(row, "organizations", "edit.bad_organization", value=code)
        _check_point(row, bad, counties, lang)
        year = row["year_opened"]
        if not _missing(year) and not 1949 <= float(year) <= 2100:
            bad(row, "year_opened", "edit.bad_year")
    return problems


def _check_point(row: pd.Series, bad: Callable[..., None], counties, lang: str) -> None:  # noqa: ANN001
    lon, lat = row["lon"], row["lat"]
    lon_ok = not _missing(lon) and -180 <= float(lon) <= 180
    lat_ok = not _missing(lat) and -90 <= float(lat) <= 90
    if not lon_ok:
        bad(row, "lon", "edit.bad_lon")
    if not lat_ok:
        bad(row, "lat", "edit.bad_lat")
    if not (lon_ok and lat_ok) or counties is None or counties.empty:
        return
    point = Point(float(lon), float(lat))
    prefecture = counties.union_all()
    if not prefecture.covers(point):
        region = loaders.region()
        metric = gpd.GeoSeries([prefecture, point], crs=STORAGE_CRS).to_crs(region.metric_crs)
        distance_km = metric.iloc[0].distance(metric.iloc[1]) / 1000
        name = region.name_en or region.name if lang == "en" else region.name
        bad(row, "lon", "edit.outside", km=f"{distance_km:,.1f}", region=name)
        return
    own = counties.loc[counties["county_code"] == row.get("county_code")]
    if len(own) and not own.geometry.iloc[0].covers(point):
        bad(row, "lon", "edit.other_county", county=str(own["name"].iloc[0]))


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def merge_edits(register: gpd.GeoDataFrame, edited: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return ``register`` with the edited rows (matched by id) replaced; level follows kind."""
    out = register.copy()
    by_id = edited.set_index("id")
    positions = out.index[out["id"].isin(by_id.index)]
    for position in positions:
        row = by_id.loc[out.at[position, "id"]]
        for column in EDITABLE:
            if column in ("lon", "lat"):
                continue
            value = row[column]
            if column == "organizations":
                value = LIST_SEPARATOR.join(_split_list(value))
            out.at[position, column] = None if _missing(value) else value
        out.at[position, "level"] = LEVEL_OF_KIND.get(row["kind"], 4)
        out.at[position, out.geometry.name] = Point(float(row["lon"]), float(row["lat"]))
    return out
