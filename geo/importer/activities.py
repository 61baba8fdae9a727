"""``import --layer activities``: the activities register (有阵地无活动 — which venues are alive).

Each row is one activity: the venue (阵地: its id first, else its exact name), the date
(日期), a title (活动名称), the organizations that held it (组织; the eight organizations'
names or codes) and the participants (参与人数, optional). Every bad row is reported with its
row, column, value, what was expected and how to fix it. The report's ``merged`` layer is what
to store: the activities already stored plus the file's (a row with the same venue, date and
title as a stored one replaces it, so importing a file twice adds nothing).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.importer.headers import Columns, map_headers, norm_header
from geo.importer.readers import RawTable
from geo.importer.report import ImportReport, Issue, msg
from geo.importer.values import parse_organizations, parse_population
from geo.schema import STORAGE_CRS

#: Accepted headers of an activities file (compared like the register's, see norm_header).
ACTIVITY_ALIASES: dict[str, tuple[str, ...]] = {
    "venue_id": ("阵地编号", "venue_id", "id", "编号"),
    "venue": ("阵地", "venue", "阵地名称", "venue_name", "场所"),
    "date": ("日期", "date", "活动日期", "活动时间"),
    "title": ("活动名称", "title", "活动", "活动主题", "名称"),
    "organizations": ("组织", "organizations", "主办组织", "参与组织", "承办组织"),
    "participants": ("参与人数", "participants", "人数", "参加人数"),
}  # fmt: skip
ACTIVITY_INDEX = {norm_header(a): f for f, names in ACTIVITY_ALIASES.items() for a in names}
#: Columns of the stored ``activities`` layer (besides the venue's point as geometry).
STORED_COLUMNS = ["venue_id", "date", "title", "organizations", "participants", "source"]
#: A date as 2025-03-08, 2025/3/8, 2025.3.8 or 2025年3月8日 (a time after it is ignored).
DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(?:[ T].*)?$")


def activity_columns(table: RawTable) -> Columns:
    """Map the headers; refuse a file without a venue or a date column (one clear line)."""
    columns = map_headers(list(table.frame.columns), ACTIVITY_INDEX)
    if columns.get("venue_id") is None and columns.get("venue") is None:
        raise InputError(msg(f"{table.path.name}: 缺少“阵地”列（阵地名称或编号）",
                             f"{table.path.name}: no venue column: add 阵地/venue (name) or "
                             "阵地编号/venue_id"))  # fmt: skip
    if columns.get("date") is None:
        raise InputError(msg(f"{table.path.name}: 缺少“日期”列",
                             f"{table.path.name}: no date column: add 日期/date "
                             "(e.g. 2025-03-08)"))  # fmt: skip
    return columns


def parse_date(text: str) -> dt.date | None:
    """Return the date of a cell (see :data:`DATE`), or None when it is not a real date."""
    found = DATE.match(unicodedata.normalize("NFKC", text).strip())
    if not found:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def import_activities(
    table: RawTable,
    venues: gpd.GeoDataFrame,
    stored: pd.DataFrame | None,
    today: dt.date | None = None,
) -> ImportReport:
    """Check every activity row against the register ``venues``; return the report.

    ``stored`` is the activities layer already in the store (or None); ``report.merged`` is
    the complete layer to write. Writes nothing.
    """
    columns = activity_columns(table)
    warnings = [*table.issues, *(Issue(0, h, "", msg("未识别的列，已忽略", "unknown column, "
                "ignored")) for h in columns.unknown)]  # fmt: skip
    lookup = _VenueLookup(venues)
    errors, records, seen = [], [], {}
    for position, row in enumerate(table.frame.index):
        cells = table.frame.iloc[position]
        cell = {f: (h, str(cells[h]).strip()) for f, h in columns.by_field.items()}
        problems, record = _activity_row(cell, lookup, today or dt.date.today())
        if record is not None:
            key = (record["venue_id"], record["date"], record["title"])
            if key in seen:
                problems = [(cell["date"][0], record["date"], msg(
                    f"与第 {seen[key]} 行重复", f"the same venue, date and title as row "
                    f"{seen[key]}: remove one of them"))]  # fmt: skip
            seen.setdefault(key, int(row))
        errors.extend(Issue(int(row), c, v, text) for c, v, text in problems)
        if not problems:
            records.append(record)
    accepted = _frame(records, lookup)
    report = ImportReport(len(table.frame), accepted, errors, warnings,
                          merged=merge_activities(stored, accepted))  # fmt: skip
    report.notes = list(table.notes)
    return report


class _VenueLookup:
    """Find a venue by id first, else by its exact name (a name shared by several is refused)."""

    def __init__(self, venues: gpd.GeoDataFrame) -> None:
        self.points = dict(zip(venues["id"].astype(str), venues.geometry, strict=True))
        names = venues["name"].astype(str).str.strip()
        self.by_name = names.groupby(names).size()
        self.id_of_name = dict(zip(names, venues["id"].astype(str), strict=True))

    def find(self, text: str) -> tuple[str | None, str]:
        """Return (venue id or None, the reason when None)."""
        if text in self.points:
            return text, ""
        count = int(self.by_name.get(text, 0))
        if count == 1:
            return self.id_of_name[text], ""
        if count > 1:
            return None, msg(
                f"有 {count} 个阵地同名“{text}”，请改填阵地编号",
                f"{count} venues are named {text!r}: give the venue id instead",
            )
        return None, msg(f"登记表中没有编号或名称为“{text}”的阵地",
                         f"no venue with id or exact name {text!r} in the register: use the "
                         "register's id (编号) or its exact name")  # fmt: skip


def _activity_row(
    cell: dict[str, tuple[str, str]], lookup: _VenueLookup, today: dt.date
) -> tuple[list[tuple[str, str, str]], dict[str, Any] | None]:
    """Check one row; return (problems as (column, value, message), record)."""
    problems = []
    header, text = cell.get("venue_id", ("", ""))
    if not text:
        header, text = cell.get("venue", cell.get("venue_id", ("venue", "")))
    venue, why = lookup.find(text) if text else (None, msg(
        "阵地为空", "the venue is empty: give its id (编号) or exact name"))  # fmt: skip
    if venue is None:
        problems.append((header, text, why))
    date_header, date_text = cell["date"]
    date = parse_date(date_text)
    if date is None:
        problems.append((date_header, date_text, msg("日期无法识别", "not a date: write it as "
                         "2025-03-08 (or 2025/3/8, 2025年3月8日)")))  # fmt: skip
    elif date > today:
        problems.append(
            (
                date_header,
                date_text,
                msg(
                    "日期晚于今天",
                    f"the date is after today "
                    f"({today}): the register records activities already held",
                ),
            )
        )
    orgs_header, orgs_text = cell.get("organizations", ("organizations", ""))
    orgs, unknown = parse_organizations(orgs_text)
    if unknown:
        problems.append((orgs_header, orgs_text, msg(
            f"未知组织：{'、'.join(unknown)}", f"unknown organizations {', '.join(unknown)}: use "
            "the eight organizations' names or codes, separated by ; or 、")))  # fmt: skip
    people_header, people_text = cell.get("participants", ("participants", ""))
    people = parse_population(people_text) if people_text else None
    if people_text and people is None:
        problems.append(
            (
                people_header,
                people_text,
                msg("参与人数不是整数", "participants must be a whole number >= 0, or empty"),
            )
        )
    if problems:
        return problems, None
    return [], {"venue_id": venue, "date": date.isoformat(),
                "title": cell.get("title", ("", ""))[1], "organizations": orgs,
                "participants": people, "source": "user"}  # fmt: skip


def _frame(records: list[dict[str, Any]], lookup: _VenueLookup) -> gpd.GeoDataFrame:
    """Build the accepted activities with their venue's point."""
    frame = pd.DataFrame(records, columns=STORED_COLUMNS)
    frame["participants"] = pd.array(frame["participants"], dtype="Int64")
    points = [lookup.points[venue] for venue in frame["venue_id"]]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, crs=STORAGE_CRS),
                            crs=STORAGE_CRS)  # fmt: skip


def merge_activities(stored: pd.DataFrame | None, accepted: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the stored activities plus ``accepted`` (same venue, date, title: the new one)."""
    if stored is None or len(stored) == 0:
        return accepted.copy()
    if len(accepted) == 0:
        return gpd.GeoDataFrame(stored, geometry=stored.geometry.name, crs=STORAGE_CRS)
    key = ["venue_id", "date", "title"]
    old = stored[["venue_id", "date", "title"]].astype(str).apply(tuple, axis=1)
    new = set(accepted[key].astype(str).apply(tuple, axis=1))
    kept = stored[~old.isin(new)]
    merged = pd.concat([kept, accepted], ignore_index=True)
    merged["participants"] = pd.array(pd.to_numeric(merged["participants"]), dtype="Int64")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=STORAGE_CRS)
