"""Per-row checks of a venues file: each cell against the vocabulary and the real geography.

:class:`RowCheck` runs the checks of one row in order (name, kind, location, county, township,
village, vocabulary, year), collects every error and warning with a message that says what is
wrong and how to fix it, and builds the row's register record. :class:`Context` is what the
checks of one file share: the mapped headers, the converted points and where they lie.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

from geo import crs as crs_mod
from geo.importer.coordinates import RawPoints, convert
from geo.importer.headers import Columns
from geo.importer.readers import RawTable
from geo.importer.reference import Located, ReferenceIndex, locate
from geo.importer.report import Issue, msg
from geo.importer.values import (
    FIRST_PLAUSIBLE_YEAR,
    YEARS_AHEAD,
    parse_amount,
    parse_kind,
    parse_level,
    parse_organizations,
    parse_status,
    parse_year,
)
from geo.schema import KINDS, LEVEL_OF_KIND, ORGANIZATIONS, POSITIONS, STATUSES, Term, lookup


@dataclass
class Context:
    """Everything the row checks share for one file."""

    table: RawTable
    columns: Columns
    raw: RawPoints
    choice: crs_mod.CrsChoice
    index: ReferenceIndex
    lon: np.ndarray
    lat: np.ndarray
    where: Located
    swapped: Located
    this_year: int
    filled_township: list[int] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        table: RawTable,
        columns: Columns,
        raw: RawPoints,
        choice: crs_mod.CrsChoice,
        index: ReferenceIndex,
    ) -> Context:
        """Convert ``raw`` with ``choice`` and locate every point, as given and with x/y swapped.

        The swapped placement lets a row whose point lies outside the prefecture be told that
        its longitude and latitude look exchanged.
        """
        lon, lat = convert(raw, choice)
        swapped_raw = RawPoints(raw.y, raw.x, raw.issues, raw.column, raw.value)
        swapped = locate(index, *convert(swapped_raw, choice))
        return cls(
            table, columns, raw, choice, index, lon, lat, locate(index, lon, lat), swapped,
            pd.Timestamp.now().year,
        )  # fmt: skip

    @cached_property
    def row_numbers(self) -> list[int]:
        """The spreadsheet row number of each position (the frame's index), as a list."""
        return self.table.frame.index.tolist()

    @cached_property
    def _column_cells(self) -> dict[str, list[Any]] | None:
        """Each column's cells as a list, read once (None when two headers are the same)."""
        frame = self.table.frame
        return {c: frame[c].tolist() for c in frame.columns} if frame.columns.is_unique else None

    def cell_text(self, name: str, position: int) -> tuple[str, str]:
        """Return (header, stripped text) of field ``name`` in row ``position``; ('', '') if absent.

        Each asked column is turned into stripped text once for the whole file, so a row's
        check costs no per-cell ``str``/``strip`` nor a header look-up (500,000 rows).
        """
        texts = self._field_texts.get(name)
        if texts is None:
            header = self.columns.get(name)
            if not header:
                texts = self._field_texts[name] = ("", None)
            elif self._column_cells is None:
                texts = self._field_texts[name] = (header, None)
            else:
                column = [str(value).strip() for value in self._column_cells[header]]
                texts = self._field_texts[name] = (header, column)
        header, column = texts
        if not header:
            return "", ""
        if column is None:  # two headers are the same: read the row as before
            return header, str(self.row_cells(position)[header]).strip()
        return header, column[position]

    @cached_property
    def _field_texts(self) -> dict[str, tuple[str, list[str] | None]]:
        return {}

    def row_cells(self, position: int) -> dict[str, Any] | pd.Series:
        """Return the cells of row ``position`` by header (a dict: ``iloc`` per row is slow)."""
        columns = self._column_cells
        if columns is None:
            return self.table.frame.iloc[position]
        return {header: cells[position] for header, cells in columns.items()}


class RowCheck:
    """Checks one row; collects its errors and warnings and builds its register record."""

    def __init__(self, ctx: Context, position: int) -> None:
        self.ctx = ctx
        self.i = position
        self.row = int(ctx.row_numbers[position])
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.record: dict[str, Any] = {}

    def cell(self, name: str) -> tuple[str, str]:
        """Return (header, cell text) of a register field; ('', '') when the column is absent."""
        return self.ctx.cell_text(name, self.i)

    def error(self, name: str, value: str, message: str) -> None:
        """Add an error about field ``name`` (its header names the column)."""
        self.errors.append(Issue(self.row, self.ctx.columns.get(name) or name, value, message))

    def warn(self, name: str, value: str, message: str) -> None:
        """Add a warning about field ``name``."""
        self.warnings.append(Issue(self.row, self.ctx.columns.get(name) or name, value, message))

    def run(self) -> None:
        """Run every check in order; location first, as county and township depend on it."""
        self.check_name()
        self.check_kind()
        located = self.check_location()
        county = self.check_county(located)
        township = self.check_township(county, located)
        self.check_village(township)
        self.check_vocabulary()
        self.check_year()
        self.check_amounts()

    def check_name(self) -> None:
        """Name must not be blank."""
        _, name = self.cell("name")
        if not name:
            self.error("name", name, msg("名称为空", "name is blank: every venue needs a name"))
        self.record["name"] = name
        self.record["name_en"] = self.cell("name_en")[1] or None
        self.record["name_bo"] = self.cell("name_bo")[1] or None  # Tibetan name (issue 10)
        self.record["services"] = self.cell("services")[1] or None
        self.record["address"] = self.cell("address")[1] or None

    def check_kind(self) -> None:
        """Kind must be a code or Chinese label; level follows from it."""
        _, text = self.cell("kind")
        kind = parse_kind(text)
        if kind is None:
            choices = _choices(KINDS)
            what = "类型为空" if not text else f"未知类型“{text}”"
            self.error("kind", text, msg(what, f"unknown kind {text!r}: use one of {choices}"))
            return
        self.record["kind"] = kind
        self.record["level"] = LEVEL_OF_KIND[kind]
        _, level_text = self.cell("level")
        stated = parse_level(level_text) if level_text else LEVEL_OF_KIND[kind]
        if stated != LEVEL_OF_KIND[kind]:
            self.warn("level", level_text, msg(
                f"层级“{level_text}”与类型不符，已按类型取 {LEVEL_OF_KIND[kind]}",
                f"level {level_text!r} contradicts kind {kind} (level {LEVEL_OF_KIND[kind]}); "
                f"level {LEVEL_OF_KIND[kind]} used",
            ))  # fmt: skip

    def check_location(self) -> bool:
        """Coordinates must be numbers inside the prefecture; say when they look swapped."""
        ctx, i = self.ctx, self.i
        if self.row in ctx.raw.issues:
            self.errors.extend(ctx.raw.issues[self.row])
            return False
        value = ctx.raw.value[i]
        if ctx.where.inside[i]:
            self.record["lon"], self.record["lat"] = float(ctx.lon[i]), float(ctx.lat[i])
            return True
        self.errors.append(Issue(self.row, ctx.raw.column, value, location_problem(ctx, i)))
        return False

    def check_county(self, located: bool) -> str | None:
        """Check a stated county exists and contains the point (county polygons are real)."""
        _, text = self.cell("county")
        here = self.ctx.where.county[self.i] if located else None
        if not text:
            self.record["county_code"] = here
            return here
        code = self.ctx.index.county_code(text)
        if code is None:
            self.error("county", text, msg(
                f"未知的县“{text}”",
                f"unknown county {text!r}: use a name or code: {self.ctx.index.county_choices()}",
            ))  # fmt: skip
            return here
        if here is not None and code != here:
            self.error("county", text, msg(
                f"所填县与坐标不符：坐标位于{self.ctx.index.county_name(here)}",
                f"stated county {self.ctx.index.county_name(code)} contradicts the location: "
                f"the point lies in {self.ctx.index.county_name(here)}; correct the county or "
                "the coordinates",
            ))  # fmt: skip
        self.record["county_code"] = code
        return code

    def check_township(self, county: str | None, located: bool) -> str | None:
        """Check a stated township is in the county; the approximate area only warns."""
        _, text = self.cell("township")
        area = self.ctx.where.township[self.i] if located else None
        if not text:
            self.record["township_code"] = area
            if area is not None and not self.cell("village")[1]:
                self.ctx.filled_township.append(self.row)
            return area
        code = self.ctx.index.township_code(text, county)
        index = self.ctx.index
        if not index.has_townships:
            return self.township_without_list(text, county)
        if code is None:
            self.error("township", text, msg(
                f"未知的乡镇“{text}”", f"unknown township {text!r}: expected a name or 9-digit "
                f"code of {index.county_name(county) if county else index.region_name[1]}: "
                f"{index.township_choices(county)}",
            ))  # fmt: skip
            return None
        owner = index.township_county(code)
        if county is not None and owner != county:
            self.error("township", text, msg(
                f"乡镇{index.township_name(code)}不属于{index.county_name(county)}",
                f"township {index.township_name(code)} belongs to {index.county_name(owner)}, "
                f"not {index.county_name(county)}; correct the township, county or coordinates",
            ))  # fmt: skip
        elif area is not None and area != code:
            self.warn("township", text, msg(
                f"坐标位于{index.township_name(area)}的近似范围内，保留所填{index.township_name(code)}",
                f"stated township {index.township_name(code)} but the point lies in the "
                f"APPROXIMATE area of {index.township_name(area)}; kept "
                f"{index.township_name(code)} (township areas are approximate)",
            ))  # fmt: skip
        self.record["township_code"] = code
        return code

    def township_without_list(self, text: str, county: str | None) -> str | None:
        """Keep a stated 9-digit township code of the region; warn that names cannot be checked.

        Used when the region pack has no township list (import one with --layer townships).
        """
        index = self.ctx.index
        code = text.removesuffix(".0")
        if code.isdigit() and len(code) in (9, 12) and index.in_region_code(code):
            code = code[:9]
            if county is not None and not code.startswith(county):
                self.error("township", text, msg(
                    f"乡镇代码{code}不属于{index.county_name(county)}",
                    f"township code {code} is not in {index.county_name(county)}; correct the "
                    "township or the county",
                ))  # fmt: skip
                return None
            self.record["township_code"] = code
            return code
        zh_name, en_name = index.region_name
        self.warn("township", text, msg(
            f"{zh_name}没有乡镇名录，乡镇“{text}”未核对，未记录乡镇代码",
            f"{en_name} has no township list, so township {text!r} was not checked and no "
            "township code was recorded; give the 9-digit code, or import the townships with "
            "`venuemap import --layer townships`",
        ))  # fmt: skip
        self.record["township_code"] = None
        return None

    def check_village(self, township: str | None) -> None:
        """Check a stated village exists and belongs to the stated township."""
        _, text = self.cell("village")
        self.record["village_code"] = None
        if not text:
            return
        index = self.ctx.index
        stated_township = bool(self.cell("township")[1])
        code = index.village_code(text, township if stated_township else None)
        if code is None:
            where = index.township_name(township) if township else index.region_name[1]
            self.error("village", text, msg(
                f"未知的村（社区）“{text}”", f"unknown village/community {text!r} in {where}: use "
                "the NBS name (e.g. 德吉村) or its 12-digit code, or leave the cell empty",
            ))  # fmt: skip
            return
        owner = code[:9]
        if township is not None and owner != township and stated_township:
            self.error("village", text, msg(
                f"村（社区）{text}属于{index.township_name(owner)}",
                f"village {text!r} ({code}) belongs to {index.township_name(owner)}, not "
                f"{index.township_name(township)}; correct the village or the township",
            ))  # fmt: skip
            return
        county = self.record.get("county_code")
        if county is not None and not owner.startswith(county):
            self.error("village", text, msg(
                f"村（社区）{text}不在{index.county_name(county)}",
                f"village {text!r} ({code}) is not in {index.county_name(county)} where the "
                "point lies; correct the village or the coordinates",
            ))  # fmt: skip
            return
        self.record["village_code"] = code
        self.record["township_code"] = owner

    def check_vocabulary(self) -> None:
        """Organizations, status and position must be known terms."""
        self.check_organizations()
        self.check_status()
        self.check_position()

    def check_organizations(self) -> None:
        """Every organization in the cell must be a known code or label (blank: none)."""
        org_text = self.cell("organizations")[1]
        orgs, unknown = parse_organizations(org_text)
        if unknown:
            choices = "、".join(t.zh for t in ORGANIZATIONS)
            self.error("organizations", org_text, msg(
                f"未知的组织：{'、'.join(unknown)}", f"unknown organization(s) "
                f"{', '.join(unknown)}: use {choices} (or their codes), separated by 、 or ;",
            ))  # fmt: skip
        self.record["organizations"] = orgs

    def check_status(self) -> None:
        """Status must be a known code, label or synonym (blank: in service)."""
        status_text = self.cell("status")[1]
        self.record["status"] = parse_status(status_text)
        if self.record["status"] is None:
            self.error("status", status_text, msg(
                f"未知状态“{status_text}”",
                f"unknown status {status_text!r}: use {_choices(STATUSES)}",
            ))  # fmt: skip

    def check_position(self) -> None:
        """Position must be surveyed or illustrative (blank: surveyed)."""
        position_text = self.cell("position")[1]
        self.record["position"] = lookup(POSITIONS, position_text) if position_text else "surveyed"
        if self.record["position"] is None:
            self.error("position", position_text, msg(
                f"未知坐标来源“{position_text}”",
                f"unknown position {position_text!r}: use 实测 (surveyed) or 示意 (illustrative)",
            ))  # fmt: skip

    def check_year(self) -> None:
        """Year opened must be a plausible year (1949 … this year + 5) or blank."""
        text = self.cell("year_opened")[1]
        year, ok = parse_year(text, self.ctx.this_year)
        self.record["year_opened"] = year if ok else None
        if not ok:
            self.error("year_opened", text, msg(
                f"建成年份“{text}”不合理", f"year opened {text!r} is not a plausible year: "
                f"expected a 4-digit year {FIRST_PLAUSIBLE_YEAR}–"
                f"{self.ctx.this_year + YEARS_AHEAD}, e.g. 2019, or leave it empty",
            ))  # fmt: skip

    def check_amounts(self) -> None:
        """Capacity (people) and floor area (m²) must be non-negative numbers, or blank."""
        for name, zh, unit in (("capacity", "容量", "people"), ("floor_area_m2", "面积", "m²")):
            text = self.cell(name)[1]
            value, ok = parse_amount(text)
            self.record[name] = value
            if not ok:
                self.error(name, text, msg(
                    f"{zh}“{text}”不是非负数", f"{name} {text!r} is not a non-negative number "
                    f"({unit}): write e.g. 300, or leave it empty to use the default of its kind",
                ))  # fmt: skip


def _choices(terms: tuple[Term, ...]) -> str:
    """Return ``'中文 (code)、…'`` of a vocabulary of geo.schema, for messages."""
    return "、".join(f"{t.zh} ({t.code})" for t in terms)


def location_problem(ctx: Context, i: int) -> str:
    """Say why row ``i``'s point is unusable: swapped, out of range, or how far outside."""
    code = ctx.choice.code
    projected = code is not None and not CRS.from_epsg(code).is_geographic
    if ctx.swapped.inside[i]:
        county = ctx.index.county_name(ctx.swapped.county[i])
        survey = " (in Chinese survey tables X is the northing, Y the easting)" if projected else ""
        return msg(
            "经度和纬度（或 X 和 Y）似乎填反了，请互换",
            f"latitude and longitude look swapped: exchanged, the point lies in {county}; "
            f"swap the two values{survey}",
        )
    zh_name, en_name = ctx.index.region_name
    if not (np.isfinite(ctx.lon[i]) and np.isfinite(ctx.lat[i])):
        if projected:
            return msg("坐标无法转换", f"coordinate cannot be converted from {ctx.choice.label}: "
                       "check the values and --crs")  # fmt: skip
        return msg(
            "坐标超出范围", f"coordinate out of range for {ctx.choice.label}: longitude must be "
            f"within -180..180 and latitude within -90..90 ({en_name}: {_extent(ctx.index)})",
        )  # fmt: skip
    km = ctx.where.outside_km[i]
    return msg(
        f"坐标位于{zh_name}以外 {km:.1f} 公里", f"point ({ctx.lon[i]:.5f}, {ctx.lat[i]:.5f}) is "
        f"{km:.1f} km outside {en_name}; check the coordinates and --crs (read as "
        f"{ctx.choice.label}), or the active region (`venuemap region use CODE`)",
    )  # fmt: skip


def _extent(index: ReferenceIndex) -> str:
    """Return ``'~100.7–102.5 E, ~34.1–36.2 N'`` for the region's bounds, for messages."""
    lon_min, lat_min, lon_max, lat_max = index.region.bounds
    return f"~{lon_min:.1f}–{lon_max:.1f} E, ~{lat_min:.1f}–{lat_max:.1f} N"
