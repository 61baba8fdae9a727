"""Turn a planner's file into venues of the register, with a report a planner can act on.

:func:`import_venues` reads any supported file (see :mod:`geo.readers`), maps Chinese or English
headers, converts coordinates to WGS84 (:mod:`geo.crs`) and checks every row against the real
geography: prefecture and county polygons (real: a contradiction rejects the row) and the
township areas (approximate: a contradiction only warns). Nothing is silently dropped:
``accepted + rejected == rows``; a row with several problems is one rejected row listing all of
them. The importer never writes anything — the CLI hands ``report.accepted`` to the store.

Row numbers are those a spreadsheet shows (header = row 1, first data row = row 2); issues
about the file as a whole (unknown columns, the CRS assumption) carry row 0.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Geod

from geo import crs as crs_mod
from geo.errors import InputError
from geo.readers import RawTable, read_table
from geo.schema import (
    KINDS,
    LEVEL_OF_KIND,
    LEVELS,
    LIST_SEPARATOR,
    ORGANIZATIONS,
    POSITIONS,
    STATUSES,
    STORAGE_CRS,
    VENUE_COLUMNS,
    codes,
    lookup,
)

#: Two venues with the same name closer than this are one venue imported twice.
DUPLICATE_RADIUS_M = 50.0
FIRST_PLAUSIBLE_YEAR = 1949
YEARS_AHEAD = 5
GEOD = Geod(ellps="WGS84")

#: Accepted headers per register field, compared after NFKC, case folding and removing spaces,
#: underscores and hyphens (so ``County Code``, ``county_code`` and ``COUNTY-CODE`` agree).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "id", "阵地编号", "venue_id"),
    "name": ("名称", "name", "阵地名称", "站点名称", "服务站名称"),
    "name_en": ("英文名", "name_en", "英文名称", "english_name"),
    "kind": ("类型", "kind", "阵地类型", "type"),
    "level": ("层级", "level", "级别"),
    "lon": ("经度", "lon", "lng", "long", "longitude", "x", "东经"),
    "lat": ("纬度", "lat", "latitude", "y", "北纬"),
    "county": ("所属县", "县", "county", "county_code", "县(市)", "所属县(市)", "县市",
               "county_name", "所属县市", "县级"),
    "township": ("所属乡镇", "乡镇", "township", "township_code", "乡镇(街道)", "township_name",
                 "所属乡镇(街道)"),
    "village": ("村", "社区", "村/社区", "村(社区)", "所属村", "所属村(社区)", "village",
                "village_code", "village_name"),
    "organizations": ("组织", "organizations", "入驻组织", "入驻群团组织", "群团组织"),
    "services": ("服务", "services", "服务内容", "服务项目"),
    "address": ("地址", "address", "详细地址"),
    "status": ("状态", "status", "运行状态"),
    "year_opened": ("建成年份", "year_opened", "建成时间", "year", "建成年"),
    "position": ("坐标来源", "position", "位置来源"),
}  # fmt: skip
REQUIRED_FIELDS = ("name", "kind")
#: Columns a spatial reader adds that are not user data (ignored without a warning).
SILENT_COLUMNS = {"fid", "ogc_fid", "description", "timestamp", "begin", "end", "altitudemode",
                  "tessellate", "extrude", "visibility", "draworder", "icon"}  # fmt: skip
STATUS_SYNONYMS = {"运行": "in_service", "运行中": "in_service", "正常": "in_service",
                   "使用中": "in_service", "在建": "planned", "筹建": "planned",
                   "拟建": "planned", "关闭": "closed", "撤销": "closed",
                   "停止": "closed"}  # fmt: skip
ORG_SPLIT = re.compile(r"[;；、，,/／\s]+")


def norm_header(text: str) -> str:
    """Return a header in the form :data:`HEADER_ALIASES` is compared in."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


_ALIAS_INDEX = {norm_header(a): f for f, names in HEADER_ALIASES.items() for a in names}


@dataclass(frozen=True)
class Issue:
    """One problem with one cell: spreadsheet row (0 = whole file), column header, value, text."""

    row: int
    column: str
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{"row", "column", "value", "message"}``."""
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class ImportReport:
    """What an import found: rows read, venues accepted, and every error and warning.

    Attributes
    ----------
    rows
        Data rows read (blank lines are not rows).
    accepted
        Accepted venues in the register schema (EPSG:4326), ready for ``store.add_venues``.
    errors, warnings
        Issues; each rejected row has at least one error.
    notes
        What the reader and the CRS rule decided (encoding, sheet, CRS used).
    layer
        ``"venues"``, ``"townships"`` or ``"villages"`` (see :func:`import_layer`).
    merged
        For reference layers: the complete layer to store (the file's rows plus the bundled
        rows it does not cover); None for venues.
    """

    rows: int
    accepted: gpd.GeoDataFrame
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    path: str = ""
    layer: str = "venues"
    merged: gpd.GeoDataFrame | None = None

    @property
    def rejected(self) -> int:
        """Number of rows with at least one error."""
        return len({issue.row for issue in self.errors if issue.row > 0})

    def to_json_dict(self) -> dict[str, Any]:
        """Return ``{"rows", "accepted", "rejected", "errors", "warnings"}`` for ``--json``."""
        return {
            "rows": self.rows,
            "accepted": len(self.accepted),
            "rejected": self.rejected,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }


def msg(zh: str, en: str) -> str:
    """Return a bilingual message: Chinese first, then English."""
    return f"{zh} / {en}"


# --------------------------------------------------------------------------- headers
@dataclass
class Columns:
    """Which header of the file holds each register field (None when absent)."""

    by_field: dict[str, str]
    unknown: list[str]
    duplicates: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        """Return the header holding ``name``, or None."""
        return self.by_field.get(name)


def map_headers(headers: list[str], aliases: dict[str, str] | None = None) -> Columns:
    """Map the file's headers to register fields (first match wins; see HEADER_ALIASES).

    Besides exact aliases, a header containing 经度/纬度 (e.g. ``高德经度``) or ending in
    ``lon``/``lng``/``lat`` (e.g. ``amap_lon``, ``bd_lat``) is a coordinate column.
    """
    by_field: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[tuple[str, str]] = []
    for header in headers:
        key = norm_header(header)
        name = (aliases or _ALIAS_INDEX).get(key) or _coordinate_field(key)
        if name is None:
            if key not in SILENT_COLUMNS:
                unknown.append(header)
        elif name in by_field:
            duplicates.append((header, by_field[name]))
        else:
            by_field[name] = header
    return Columns(by_field, unknown, duplicates)


def _coordinate_field(key: str) -> str | None:
    if "经度" in key or key.endswith(("lon", "lng", "longitude")):
        return "lon"
    if "纬度" in key or key.endswith(("lat", "latitude")):
        return "lat"
    return None


def header_issues(columns: Columns, has_geometry: bool) -> tuple[list[Issue], InputError | None]:
    """Return header warnings and, when required columns are missing, the error to raise."""
    warnings = header_warnings(columns)
    missing = [f for f in REQUIRED_FIELDS if columns.get(f) is None]
    if not has_geometry and (columns.get("lon") is None or columns.get("lat") is None):
        missing.append("lon/lat")
    if not missing:
        return warnings, None
    wanted = "; ".join(f"{f}: {'/'.join(HEADER_ALIASES.get(f, ('经度/lon', '纬度/lat'))[:3])}"
                       for f in missing)  # fmt: skip
    return warnings, InputError(
        f"missing required column(s) — {wanted}. Add them to the header row (row 1)"
    )


def header_warnings(columns: Columns) -> list[Issue]:
    """Return one warning for the unknown columns and one per duplicated column."""
    warnings = []
    if columns.unknown:
        names = ", ".join(columns.unknown)
        warnings.append(Issue(1, names, names, msg(
            f"未识别的列已忽略：{names}",
            f"unknown columns ignored: {names}; rename them to a known header if they matter",
        )))  # fmt: skip
    for header, kept in columns.duplicates:
        warnings.append(Issue(1, header, header, msg(
            f"列“{header}”与“{kept}”含义相同，已忽略",
            f"column {header!r} duplicates {kept!r}; ignored",
        )))  # fmt: skip
    return warnings


# --------------------------------------------------------------------------- coordinates
_DMS = re.compile(
    r"^(?P<d>\d+(?:\.\d+)?)\s*[°度]\s*(?:(?P<m>\d+(?:\.\d+)?)\s*['′分])?\s*"
    r"(?:(?P<s>\d+(?:\.\d+)?)\s*(?:\"|″|''|秒))?\s*(?P<h>[NSEW东西南北])?$",
    re.IGNORECASE,
)


def parse_number(text: str) -> float | None:
    """Parse a coordinate cell: decimal (full-width digits accepted) or degrees-minutes-seconds.

    ``'102.0153'``, ``'１０２．０１５３'``, ``'102.0153°E'``, ``'102°0′55″'`` all parse;
    returns None for anything else.
    """
    text = unicodedata.normalize("NFKC", text).strip().replace("，", ".")
    try:
        value = float(text)
    except ValueError:
        match = _DMS.match(text)
        if match is None:
            return None
        value = float(match["d"]) + float(match["m"] or 0) / 60 + float(match["s"] or 0) / 3600
        if (match["h"] or "").upper() in ("S", "W", "南", "西"):
            value = -value
    return value if math.isfinite(value) else None


@dataclass
class RawPoints:
    """Per-row source coordinates (NaN where unusable) and the problems found reading them."""

    x: np.ndarray
    y: np.ndarray
    issues: dict[int, list[Issue]]
    column: str
    value: list[str]


def points_from_columns(table: RawTable, columns: Columns) -> RawPoints:
    """Read lon/lat cells; blank and non-numeric cells become issues."""
    frame = table.frame
    lon_col, lat_col = columns.get("lon"), columns.get("lat")
    xs, ys, issues, values = [], [], {}, []
    for row, lon_text, lat_text in zip(frame.index, frame[lon_col], frame[lat_col], strict=True):
        found = []
        parsed = []
        for col, text, what in ((lon_col, lon_text, "经度 longitude"), (lat_col, lat_text, "纬度 latitude")):  # noqa: E501
            value = parse_number(text)
            if value is None:
                found.append(Issue(row, col, text, _bad_number(text, what)))
            parsed.append(np.nan if value is None else value)
        xs.append(parsed[0])
        ys.append(parsed[1])
        values.append(f"{lon_text}, {lat_text}")
        if found:
            issues[row] = found
    column = f"{lon_col}/{lat_col}"
    return RawPoints(np.array(xs, float), np.array(ys, float), issues, column, values)


def _bad_number(text: str, what: str) -> str:
    zh, en = what.split(" ")
    if not text:
        return msg(f"{zh}为空", f"{en} is empty: enter decimal degrees, e.g. 102.0153")
    return msg(
        f"{zh}“{text}”不是数字",
        f"{en} {text!r} is not a number: expected decimal degrees such as 102.0153 "
        "(or 102°0′55″)",
    )


def points_from_geometry(table: RawTable) -> RawPoints:
    """Read point geometries; non-point, empty or NaN geometries become issues."""
    xs, ys, issues, values = [], [], {}, []
    for row, geom in table.geometry.items():
        point, problem = _single_point(geom)
        values.append("" if geom is None else geom.wkt[:80])
        if problem:
            issues[row] = [Issue(row, "geometry", values[-1], problem)]
        xs.append(point[0])
        ys.append(point[1])
    return RawPoints(np.array(xs, float), np.array(ys, float), issues, "geometry", values)


def _single_point(geom: Any) -> tuple[tuple[float, float], str | None]:
    nan = (np.nan, np.nan)
    if geom is None or geom.is_empty:
        return nan, msg("几何为空", "geometry is empty: give the venue a point location")
    if geom.geom_type == "MultiPoint" and len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if geom.geom_type != "Point":
        return nan, msg(
            f"几何类型为 {geom.geom_type}，应为点",
            f"geometry is a {geom.geom_type}: a venue must be a single Point; "
            "replace it with the venue's location",
        )
    if not (math.isfinite(geom.x) and math.isfinite(geom.y)):
        return nan, msg("坐标含 NaN", "geometry has NaN/infinite coordinates")
    return (geom.x, geom.y), None


def resolve_choice(
    choice: crs_mod.CrsChoice, table: RawTable, raw: RawPoints, columns: Columns
) -> tuple[crs_mod.CrsChoice, str | None]:
    """Return the CRS to use and the warning the auto rule gives (None when nothing to say)."""
    if choice.kind != "auto":
        return choice, None
    headers = [c for c in (columns.get("lon"), columns.get("lat")) if c]
    ok = np.isfinite(raw.x) & np.isfinite(raw.y)
    return crs_mod.resolve_auto(raw.x[ok], raw.y[ok], file_crs=table.crs, columns=headers)


def convert(raw: RawPoints, choice: crs_mod.CrsChoice) -> tuple[np.ndarray, np.ndarray]:
    """Convert the raw points to WGS84 lon/lat; degree values out of range become NaN."""
    x, y = raw.x.copy(), raw.y.copy()
    if choice.kind in ("wgs84", "gcj02", "bd09") or (
        choice.code is not None and CRS.from_epsg(choice.code).is_geographic
    ):
        bad = ~((np.abs(x) <= 180) & (np.abs(y) <= 90))
        x[bad], y[bad] = np.nan, np.nan
    ok = np.isfinite(x) & np.isfinite(y)
    lon, lat = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if ok.any():
        lon[ok], lat[ok] = crs_mod.to_wgs84(x[ok], y[ok], choice)
    return lon, lat


# --------------------------------------------------------------------------- vocabulary
def parse_kind(text: str) -> str | None:
    """Return the kind code for a code or label (see geo.schema.KINDS), or None."""
    return lookup(KINDS, text) if text else None


def parse_level(text: str) -> int | None:
    """Return a level 1..4 from ``'4'``, ``'4.0'`` or a label such as ``'乡镇级'``; else None."""
    code = lookup(LEVELS, text.removesuffix(".0"))
    return int(code) if code else None


def parse_status(text: str) -> str | None:
    """Return a status code; blank means ``in_service``; common synonyms (运行中, 在建) accepted."""
    if not text:
        return "in_service"
    return lookup(STATUSES, text) or STATUS_SYNONYMS.get(text.strip())


def parse_organizations(text: str) -> tuple[str, list[str]]:
    """Split an organizations cell; return (codes joined by ';' in canonical order, unknown)."""
    found, unknown = set(), []
    for part in filter(None, ORG_SPLIT.split(text or "")):
        code = lookup(ORGANIZATIONS, part)
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    return LIST_SEPARATOR.join(c for c in codes(ORGANIZATIONS) if c in found), unknown


def parse_year(text: str, this_year: int) -> tuple[int | None, bool]:
    """Return (year or None, ok). Accepts 2019, 2019.0, 2019年, 2019-05-01, 2019/5."""
    if not text:
        return None, True
    match = re.fullmatch(r"(\d{4})(?:\.0|年|[-/.年]\d{1,2}(?:[-/.月]\d{1,2}日?)?(?:.*)?)?",
                         unicodedata.normalize("NFKC", text).strip())  # fmt: skip
    if match is None:
        return None, False
    year = int(match.group(1))
    return year, FIRST_PLAUSIBLE_YEAR <= year <= this_year + YEARS_AHEAD


def stable_id(name: str, lon: float, lat: float) -> str:
    """Return the id generated for a row without one.

    ``'imp-'`` + the first 12 hex digits of SHA-1 over ``name|lon|lat`` (lon/lat rounded to 6
    decimals, ~0.1 m): the same venue imported again gets the same id, so it is caught as a
    duplicate instead of silently doubling.
    """
    key = f"{name.strip()}|{lon:.6f}|{lat:.6f}".encode()
    return "imp-" + hashlib.sha1(key, usedforsecurity=False).hexdigest()[:12]


# --------------------------------------------------------------------------- the import
def import_venues(
    path: str | Path,
    *,
    crs: str | crs_mod.CrsChoice = "auto",
    existing: gpd.GeoDataFrame | None = None,
    reference: dict[str, pd.DataFrame] | ReferenceIndex | None = None,
) -> ImportReport:
    """Read ``path`` and check every row; return what would be imported. Writes nothing.

    Parameters
    ----------
    path
        Any file :func:`geo.readers.read_table` reads.
    crs
        ``--crs`` text or a parsed choice; ``"auto"`` follows :func:`geo.crs.resolve_auto`.
    existing
        The register already stored (ids and same-name-within-50-m checks), or None.
    reference
        Reference layers by name (``prefecture``, ``counties``, ``townships``, optional
        ``villages``) or a prepared :class:`ReferenceIndex`; default: the bundled layers.

    Raises
    ------
    InputError, CRSError
        When the file as a whole is unusable (unreadable, no data rows, required columns
        missing, projected coordinates without a CRS).
    """
    choice = crs if isinstance(crs, crs_mod.CrsChoice) else crs_mod.parse_crs_option(crs)
    index = reference if isinstance(reference, ReferenceIndex) else ReferenceIndex.build(reference)
    table = read_table(path)
    if table.frame.empty:
        raise InputError(f"{Path(path).name}: no data rows below the header (row 1)")
    columns = map_headers(list(table.frame.columns))
    warnings, error = header_issues(columns, table.geometry is not None)
    if error is not None:
        raise InputError(f"{Path(path).name}: {error}")
    use_geometry = table.geometry is not None
    raw = points_from_geometry(table) if use_geometry else points_from_columns(table, columns)
    choice, crs_warning = resolve_choice(choice, table, raw, columns)
    if crs_warning:
        warnings.append(Issue(0, raw.column, "auto", crs_warning))
    return check_rows(table, columns, raw, choice, index, existing, warnings)


# --------------------------------------------------------------------------- reference data
COUNTY_SUFFIXES = ("蒙古族自治县", "藏族自治县", "自治县", "市", "县")
#: Old codes still found in spreadsheets: 同仁县 632321 became 同仁市 632301 (2020).
OLD_COUNTY_CODES = {"632321": "632301"}
#: Township name variants between sources -> the NBS 2023 spelling (without 镇/乡).
TOWNSHIP_VARIANTS = {"马克唐": "马克堂", "王家": "王加"}
VILLAGE_SUFFIXES = (
    "村民委员会", "居民委员会", "村委会", "牧委会", "居委会", "委员会", "社区", "村", "牧",
)  # fmt: skip
#: Metric CRS for distances in Huangnan: CGCS2000 / 3-degree Gauss-Krüger CM 102E.
METRIC_CRS = "EPSG:4543"


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def _strip(text: str, suffixes: tuple[str, ...]) -> str:
    """Remove any of ``suffixes`` from the end, repeatedly (德吉村村民委员会 -> 德吉)."""
    changed = True
    while changed:
        changed = False
        for suffix in suffixes:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[: -len(suffix)], True
                break
    return text


def _new_code(code: str) -> str:
    """Map a code with an old county prefix (632321…) to the current one (632301…)."""
    for old, new in OLD_COUNTY_CODES.items():
        if code.startswith(old):
            return new + code[len(old) :]
    return code


@dataclass
class ReferenceIndex:
    """The reference geography prepared once for many rows: name/code look-ups and polygons."""

    prefecture: Any
    prefecture_m: Any
    counties: gpd.GeoDataFrame
    townships: gpd.GeoDataFrame
    villages: pd.DataFrame | None
    county_keys: dict[str, str]
    township_keys: dict[str, list[str]]
    village_keys: dict[str, list[str]]

    @classmethod
    def build(cls, layers: dict[str, pd.DataFrame] | None = None) -> ReferenceIndex:
        """Prepare ``layers`` (default: the bundled ones via :func:`geo.boundaries.load_layer`)."""
        layers = dict(layers or {})
        for name in ("counties", "townships"):
            if name not in layers:
                from geo.boundaries import load_layer

                layers[name] = load_layer(name)
        counties = layers["counties"].to_crs(STORAGE_CRS).reset_index(drop=True)
        townships = layers["townships"].to_crs(STORAGE_CRS).reset_index(drop=True)
        prefecture = (
            layers["prefecture"].to_crs(STORAGE_CRS).union_all()
            if "prefecture" in layers
            else counties.union_all()
        )
        villages = layers.get("villages")
        prefecture_m = gpd.GeoSeries([prefecture], crs=STORAGE_CRS).to_crs(METRIC_CRS).iloc[0]
        for geom in (prefecture, *counties.geometry, *townships.geometry):
            shapely.prepare(geom)
        return cls(
            prefecture, prefecture_m, counties, townships, villages,
            _county_keys(counties), _township_keys(townships), _village_keys(villages),
        )  # fmt: skip

    def county_name(self, code: str | None) -> str:
        """Return ``'同仁市 632301'`` for a code (the code alone when unknown)."""
        match = self.counties.loc[self.counties["county_code"] == code, "name"]
        return f"{match.iloc[0]} {code}" if len(match) else str(code)

    def township_name(self, code: str | None) -> str:
        """Return ``'隆务镇 632301100'`` for a code (the code alone when unknown)."""
        match = self.townships.loc[self.townships["township_code"] == code, "name"]
        return f"{match.iloc[0]} {code}" if len(match) else str(code)

    def township_county(self, code: str) -> str | None:
        """Return the county code a township belongs to."""
        match = self.townships.loc[self.townships["township_code"] == code, "county_code"]
        return match.iloc[0] if len(match) else None

    def county_code(self, text: str) -> str | None:
        """Return the county code for a code (also the old 632321) or a name, or None."""
        key = _clean(text).removesuffix(".0")
        return self.county_keys.get(key) or self.county_keys.get(_strip(key, COUNTY_SUFFIXES))

    def township_code(self, text: str, county: str | None) -> str | None:
        """Return the township code for a 9/12-digit code or a name (variants accepted)."""
        key = _clean(text).removesuffix(".0")
        if key.isdigit():
            key = _new_code(key)[:9] if len(key) in (9, 12) else key
        short = _strip(key, ("镇", "乡", "街道"))
        candidates = self.township_keys.get(key) or self.township_keys.get(
            TOWNSHIP_VARIANTS.get(short, short), []
        )
        inside = [c for c in candidates if county is None or c.startswith(county)]
        return (inside or candidates or [None])[0]

    def village_code(self, text: str, township: str | None) -> str | None:
        """Return the 12-digit village code for a code or a name (within ``township``)."""
        key = _clean(text).removesuffix(".0")
        if key.isdigit() and len(key) == 12:
            key = _new_code(key)
            known = self.village_keys.get(key)
            return key if known or self.villages is None else None
        candidates = self.village_keys.get(_strip(key, VILLAGE_SUFFIXES), [])
        inside = [c for c in candidates if township is None or c.startswith(township)]
        return inside[0] if len(inside) == 1 else None

    def township_choices(self, county: str | None) -> str:
        """Return the township names of ``county`` (all when None), for messages."""
        rows = self.townships
        if county:
            rows = rows[rows["county_code"] == county]
        return "、".join(rows["name"])

    def county_choices(self) -> str:
        """Return ``'同仁市 632301、尖扎县 632322…'`` for messages."""
        return "、".join(f"{n} {c}" for n, c in zip(self.counties["name"], self.counties["county_code"], strict=True))  # noqa: E501


def _county_keys(counties: gpd.GeoDataFrame) -> dict[str, str]:
    keys = {old: new for old, new in OLD_COUNTY_CODES.items()}
    for code, name in zip(counties["county_code"], counties["name"], strict=True):
        short = _strip(_clean(name), COUNTY_SUFFIXES)
        for key in (code, _clean(name), short, short + "县", short + "市"):
            keys.setdefault(key, code)
        if "name_en" in counties:
            en = counties.loc[counties["county_code"] == code, "name_en"].iloc[0]
            for token in re.findall(r"[a-z]+", _clean(en or "")):
                if token not in ("mongol", "ac", "county"):
                    keys.setdefault(token, code)
    return keys


def _township_keys(townships: gpd.GeoDataFrame) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for code, name in zip(townships["township_code"], townships["name"], strict=True):
        for key in {code, _clean(name), _strip(_clean(name), ("镇", "乡", "街道"))}:
            keys.setdefault(key, []).append(code)
    return keys


def _village_keys(villages: pd.DataFrame | None) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    if villages is None:
        return keys
    for code, name in zip(villages["village_code"], villages["name"], strict=True):
        keys.setdefault(str(code), []).append(str(code))
        short = _strip(_clean(name), VILLAGE_SUFFIXES)
        keys.setdefault(short, []).append(str(code))
    return keys


@dataclass
class Located:
    """Where each converted point lies: inside the prefecture, its county and township area."""

    inside: np.ndarray
    county: list[str | None]
    township: list[str | None]
    outside_km: np.ndarray


def locate(index: ReferenceIndex, lon: np.ndarray, lat: np.ndarray) -> Located:
    """Point-in-polygon for all rows at once (NaN points are nowhere)."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    safe_lon, safe_lat = np.where(ok, lon, 0.0), np.where(ok, lat, 0.0)
    inside = ok & shapely.contains_xy(index.prefecture, safe_lon, safe_lat)
    county = _which(index.counties, "county_code", safe_lon, safe_lat, inside)
    township = _which(index.townships, "township_code", safe_lon, safe_lat, inside)
    outside_km = np.full(len(lon), np.nan)
    far = ok & ~inside
    if far.any():
        pts = gpd.GeoSeries(gpd.points_from_xy(lon[far], lat[far]), crs=STORAGE_CRS)
        metric = pts.to_crs(METRIC_CRS)
        outside_km[far] = shapely.distance(metric.values, index.prefecture_m) / 1000.0
    return Located(inside, county, township, outside_km)


def _which(
    areas: gpd.GeoDataFrame, code: str, lon: np.ndarray, lat: np.ndarray, inside: np.ndarray
) -> list[str | None]:
    """Return the code of the area containing each point (nearest area for boundary slivers)."""
    found: list[str | None] = [None] * len(lon)
    for area_code, geom in zip(areas[code], areas.geometry, strict=True):
        for i in np.flatnonzero(inside & shapely.contains_xy(geom, lon, lat)):
            found[i] = found[i] or area_code
    for i in np.flatnonzero(inside):
        if found[i] is None:
            distances = shapely.distance(areas.geometry.values, shapely.Point(lon[i], lat[i]))
            found[i] = areas[code].iloc[int(np.argmin(distances))]
    return found


# --------------------------------------------------------------------------- row checks
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


class RowCheck:
    """Checks one row; collects its errors and warnings and builds its register record."""

    def __init__(self, ctx: Context, position: int) -> None:
        self.ctx = ctx
        self.i = position
        self.row = int(ctx.table.frame.index[position])
        self.cells = ctx.table.frame.iloc[position]
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.record: dict[str, Any] = {}

    def cell(self, name: str) -> tuple[str, str]:
        """Return (header, cell text) of a register field; ('', '') when the column is absent."""
        header = self.ctx.columns.get(name)
        return (header, str(self.cells[header]).strip()) if header else ("", "")

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

    def check_name(self) -> None:
        """Name must not be blank."""
        _, name = self.cell("name")
        if not name:
            self.error("name", name, msg("名称为空", "name is blank: every venue needs a name"))
        self.record["name"] = name
        self.record["name_en"] = self.cell("name_en")[1] or None
        self.record["services"] = self.cell("services")[1] or None
        self.record["address"] = self.cell("address")[1] or None

    def check_kind(self) -> None:
        """Kind must be a code or Chinese label; level follows from it."""
        _, text = self.cell("kind")
        kind = parse_kind(text)
        if kind is None:
            choices = "、".join(f"{t.zh} ({t.code})" for t in KINDS)
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
        if code is None:
            self.error("township", text, msg(
                f"未知的乡镇“{text}”", f"unknown township {text!r}: expected a name or 9-digit "
                f"code of {index.county_name(county) if county else 'Huangnan'}: "
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
            where = index.township_name(township) if township else "Huangnan"
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
        org_text = self.cell("organizations")[1]
        orgs, unknown = parse_organizations(org_text)
        if unknown:
            choices = "、".join(t.zh for t in ORGANIZATIONS)
            self.error("organizations", org_text, msg(
                f"未知的组织：{'、'.join(unknown)}", f"unknown organization(s) "
                f"{', '.join(unknown)}: use {choices} (or their codes), separated by 、 or ;",
            ))  # fmt: skip
        self.record["organizations"] = orgs
        status_text = self.cell("status")[1]
        self.record["status"] = parse_status(status_text)
        if self.record["status"] is None:
            choices = "、".join(f"{t.zh} ({t.code})" for t in STATUSES)
            self.error("status", status_text, msg(
                f"未知状态“{status_text}”", f"unknown status {status_text!r}: use {choices}",
            ))  # fmt: skip
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
    if not (np.isfinite(ctx.lon[i]) and np.isfinite(ctx.lat[i])):
        if projected:
            return msg("坐标无法转换", f"coordinate cannot be converted from {ctx.choice.label}: "
                       "check the values and --crs")  # fmt: skip
        return msg(
            "坐标超出范围", f"coordinate out of range for {ctx.choice.label}: longitude must be "
            "within -180..180 and latitude within -90..90 (Huangnan: ~100.7–102.5 E, "
            "~34.1–36.2 N)",
        )  # fmt: skip
    km = ctx.where.outside_km[i]
    return msg(
        f"坐标位于黄南州以外 {km:.1f} 公里", f"point ({ctx.lon[i]:.5f}, {ctx.lat[i]:.5f}) is "
        f"{km:.1f} km outside Huangnan prefecture; check the coordinates and --crs (read as "
        f"{ctx.choice.label})",
    )  # fmt: skip


# --------------------------------------------------------------------------- duplicates
@dataclass
class Seen:
    """Ids and named points already taken: the store's, then each earlier row's."""

    ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    names: dict[str, list[tuple[float, float, tuple[str, str]]]] = field(default_factory=dict)

    @classmethod
    def from_existing(cls, existing: gpd.GeoDataFrame | None) -> Seen:
        """Index the stored register (EPSG:4326) by id and by name."""
        seen = cls()
        if existing is None or existing.empty:
            return seen
        existing = existing.to_crs(STORAGE_CRS) if existing.crs else existing
        rows = zip(existing["id"], existing["name"], existing.geometry, strict=True)
        for vid, name, geom in rows:
            label = (f"库中已有阵地（编号 {vid}）", f"the store (id {vid})")
            if vid is not None and not pd.isna(vid):
                seen.ids[str(vid)] = label
            if name and geom is not None and not geom.is_empty:
                seen.names.setdefault(_clean(name), []).append((geom.x, geom.y, label))
        return seen


def check_duplicates(check: RowCheck, seen: Seen) -> None:
    """Reject a repeated id and the same name within 50 m; then remember this row."""
    header, stated = check.cell("id")
    rec = check.record
    located = "lon" in rec
    vid = stated or (stable_id(rec["name"], rec["lon"], rec["lat"]) if located else "")
    rec["id"] = vid
    if vid and vid in seen.ids:
        zh, where = seen.ids[vid]
        check.error("id", vid, msg(
            f"编号“{vid}”重复（已见于{zh}）", f"duplicate id {vid!r}: already used by {where}; "
            "give a new id or leave the cell empty to generate one",
        ))  # fmt: skip
    if located and rec["name"]:
        for lon, lat, (zh, where) in seen.names.get(_clean(rec["name"]), []):
            distance_m = float(GEOD.inv(lon, lat, rec["lon"], rec["lat"])[2])
            if distance_m <= DUPLICATE_RADIUS_M:
                check.error("name", rec["name"], msg(
                    f"与{zh}同名且相距 {distance_m:.0f} 米，疑似重复",
                    f"duplicate: {rec['name']!r} is {distance_m:.0f} m from the same name in "
                    f"{where} (within {DUPLICATE_RADIUS_M:.0f} m); remove this row or correct it",
                ))  # fmt: skip
                break
        seen.names.setdefault(_clean(rec["name"]), []).append(
            (rec["lon"], rec["lat"], (f"第 {check.row} 行", f"row {check.row}"))
        )
    if vid:
        seen.ids.setdefault(vid, (f"第 {check.row} 行", f"row {check.row}"))


# --------------------------------------------------------------------------- assembly
def check_rows(
    table: RawTable,
    columns: Columns,
    raw: RawPoints,
    choice: crs_mod.CrsChoice,
    index: ReferenceIndex,
    existing: gpd.GeoDataFrame | None,
    warnings: list[Issue],
) -> ImportReport:
    """Check every row and assemble the report (see :func:`import_venues`)."""
    lon, lat = convert(raw, choice)
    swapped_raw = RawPoints(raw.y, raw.x, raw.issues, raw.column, raw.value)
    swapped = locate(index, *convert(swapped_raw, choice))
    ctx = Context(
        table, columns, raw, choice, index, lon, lat, locate(index, lon, lat), swapped,
        pd.Timestamp.now().year,
    )  # fmt: skip
    seen = Seen.from_existing(existing)
    errors, records = [], []
    for position in range(len(table.frame)):
        check = RowCheck(ctx, position)
        check.run()
        check_duplicates(check, seen)
        errors.extend(check.errors)
        warnings.extend(check.warnings)
        if not check.errors:
            records.append(check.record)
    rejected = {issue.row for issue in errors}
    ctx.filled_township = [row for row in ctx.filled_township if row not in rejected]
    warnings.extend(_file_warnings(ctx))
    report = ImportReport(len(table.frame), register_frame(records), errors, warnings)
    report.notes = [*table.notes, f"coordinates read as {choice.label}"]
    report.path = str(table.path)
    return report


def _file_warnings(ctx: Context) -> list[Issue]:
    out = []
    if ctx.filled_township:
        rows = ", ".join(map(str, ctx.filled_township))
        out.append(Issue(0, ctx.columns.get("township") or "township", "", msg(
            f"第 {rows} 行未填乡镇，已按近似乡镇范围补填，请核对",
            f"rows {rows}: township filled from the APPROXIMATE township areas; check them",
        )))  # fmt: skip
    overflow = ctx.table.frame.attrs.get("overflow_rows", [])
    for row in overflow:
        out.append(Issue(int(row), "", "", msg(
            "该行单元格多于表头列数，多出部分已忽略",
            "this row has more cells than the header has columns; the extra cells were ignored",
        )))  # fmt: skip
    return out


def register_frame(records: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Build the accepted venues as a register GeoDataFrame (EPSG:4326, VENUE_COLUMNS order)."""
    frame = pd.DataFrame(records, columns=[*VENUE_COLUMNS, "lon", "lat"]).astype(object)
    geometry = gpd.points_from_xy(
        frame["lon"].astype(float), frame["lat"].astype(float), crs=STORAGE_CRS
    )
    frame = frame.drop(columns=["lon", "lat"])
    frame["level"] = pd.array(frame["level"], dtype="Int64")
    frame["year_opened"] = pd.array(frame["year_opened"], dtype="Int64")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)


# --------------------------------------------------------------------------- reference layers
IMPORTABLE_LAYERS = ("venues", "townships", "villages")
LAYER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "代码", "区划代码", "统计用区划代码", "code", "adcode"),
    "population": ("人口", "population", "常住人口", "户籍人口", "总人口", "人口数"),
}
_LAYER_INDEX = {
    **_ALIAS_INDEX,
    **{norm_header(a): f for f, names in LAYER_ALIASES.items() for a in names},
}
#: China Albers equal-area, for areas in km².
EQUAL_AREA_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +ellps=WGS84 +units=m"
#: A user's township polygon must lie at least this much inside its (real) county.
MIN_COUNTY_SHARE = 0.5


def import_layer(
    path: str | Path,
    layer: str,
    *,
    crs: str | crs_mod.CrsChoice = "auto",
    existing: gpd.GeoDataFrame | None = None,
    reference: dict[str, pd.DataFrame] | ReferenceIndex | None = None,
) -> ImportReport:
    """Import ``layer`` from ``path``: venues, or a user's official townships or villages.

    ``townships``: a spatial file of polygons naming each township (code or NBS name); they
    replace the approximate areas (``approximate=False``). ``villages``: rows naming villages
    (12-digit code, or name with the township) with a population and/or a location; they
    replace the illustrative values. ``report.merged`` is the complete layer to store: the
    file's rows plus the bundled rows it does not cover (a warning lists how many). A polygon
    or point that contradicts its real county is rejected. Writes nothing.
    """
    if layer == "venues":
        return import_venues(path, crs=crs, existing=existing, reference=reference)
    if layer not in IMPORTABLE_LAYERS:
        raise InputError(f"unknown layer {layer!r}; importable: {', '.join(IMPORTABLE_LAYERS)}")
    choice = crs if isinstance(crs, crs_mod.CrsChoice) else crs_mod.parse_crs_option(crs)
    index = reference if isinstance(reference, ReferenceIndex) else ReferenceIndex.build(reference)
    table = read_table(path)
    if table.frame.empty:
        raise InputError(f"{Path(path).name}: no data rows below the header (row 1)")
    columns = map_headers(list(table.frame.columns), _LAYER_INDEX)
    importer = _import_townships if layer == "townships" else _import_villages
    report = importer(table, columns, choice, index, header_warnings(columns))
    report.path, report.layer = str(table.path), layer
    return report


def _cell(table: RawTable, columns: Columns, position: int, name: str) -> tuple[str, str]:
    header = columns.get(name)
    return (header, str(table.frame.iloc[position][header]).strip()) if header else (name, "")


def _identify(
    table: RawTable, columns: Columns, position: int, fields: tuple[str, ...]
) -> tuple[str, str]:
    """Return (header, text) of the first filled identifying cell among ``fields``."""
    for name in fields:
        header, text = _cell(table, columns, position, name)
        if text:
            return header, text
    return columns.get(fields[0]) or fields[0], ""


def _geometry_to_wgs84(
    table: RawTable, choice: crs_mod.CrsChoice
) -> tuple[np.ndarray, crs_mod.CrsChoice, str | None]:
    """Convert every vertex of the file's geometries to WGS84 (GCJ-02/BD-09 included)."""
    values = table.geometry.values
    warning = None
    if choice.kind == "auto":
        xy = shapely.get_coordinates(values)
        choice, warning = crs_mod.resolve_auto(xy[:, 0], xy[:, 1], file_crs=table.crs)

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        lon, lat = crs_mod.to_wgs84(xy[:, 0], xy[:, 1], choice)
        return np.column_stack([lon, lat])

    return shapely.transform(values, to_wgs84), choice, warning


def _polygon_problem(geom: Any, county_geom: Any, county: str) -> str | None:
    """Say what is wrong with a township polygon (None when it is usable)."""
    if geom is None or geom.is_empty:
        return msg("几何为空", "geometry is empty: a township needs its boundary polygon")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return msg(f"几何类型为 {geom.geom_type}，应为面", f"geometry is a {geom.geom_type}: a "
                   "township boundary must be a Polygon or MultiPolygon")  # fmt: skip
    xy = shapely.get_coordinates(geom)
    if not (np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all()):
        return msg("坐标无法转换", "coordinates cannot be converted to lon/lat: check --crs")
    if not geom.is_valid:
        return msg("面无效", f"invalid polygon ({shapely.is_valid_reason(geom)}): repair it, "
                   "e.g. QGIS Vector ▸ Geometry Tools ▸ Fix Geometries")  # fmt: skip
    share = geom.intersection(county_geom).area / geom.area
    if share < MIN_COUNTY_SHARE:
        return msg(f"面只有 {share:.0%} 位于{county}内", f"only {share:.0%} of the polygon lies "
                   f"in its county {county}: check the township or the CRS")  # fmt: skip
    return None


def _import_townships(
    table: RawTable,
    columns: Columns,
    choice: crs_mod.CrsChoice,
    index: ReferenceIndex,
    warnings: list[Issue],
) -> ImportReport:
    if table.geometry is None:
        raise InputError(
            f"{table.path.name}: township boundaries need a spatial file with polygons "
            "(GeoPackage, GeoJSON, zipped Shapefile or KML)"
        )
    geoms, choice, crs_warning = _geometry_to_wgs84(table, choice)
    if crs_warning:
        warnings.append(Issue(0, "geometry", "auto", crs_warning))
    errors, records, seen = [], [], {}
    for position, row in enumerate(table.frame.index):
        problem, record = _township_row(table, columns, index, geoms, position, seen)
        if problem:
            errors.append(Issue(int(row), *problem))
        else:
            records.append(record)
    accepted = _area_frame(records, index.townships.columns)
    merged = _merge_layer(accepted, index.townships, "township_code", warnings, "township")
    report = ImportReport(len(table.frame), accepted, errors, warnings, merged=merged)
    report.notes = [*table.notes, f"coordinates read as {choice.label}"]
    return report


def _township_row(
    table: RawTable,
    columns: Columns,
    index: ReferenceIndex,
    geoms: np.ndarray,
    position: int,
    seen: dict[str, int],
) -> tuple[tuple[str, str, str] | None, dict[str, Any] | None]:
    """Check one township row; return (problem as (column, value, message), record)."""
    header, text = _identify(table, columns, position, ("township", "code", "id", "name"))
    code = index.township_code(text, None) if text else None
    if code is None:
        return (header, text, msg(f"未知的乡镇“{text}”", f"unknown township {text!r}: give its "
                "NBS name or 9-digit code")), None  # fmt: skip
    if code in seen:
        return (header, text, msg(
            f"乡镇重复（第 {seen[code]} 行）",
            f"township {index.township_name(code)} already given on row {seen[code]}",
        )), None  # fmt: skip
    seen[code] = int(table.frame.index[position])
    bundled = index.townships.set_index("township_code").loc[code]
    county = bundled["county_code"]
    county_geom = index.counties.set_index("county_code").geometry[county]
    why = _polygon_problem(geoms[position], county_geom, index.county_name(county))
    if why:
        return ("geometry", "", why), None
    record = {**bundled.drop("geometry").to_dict(), "township_code": code, "approximate": False}
    return None, {**record, "geometry": geoms[position]}


def _area_frame(records: list[dict[str, Any]], columns: pd.Index) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(records, columns=list(columns), geometry="geometry", crs=STORAGE_CRS)
    if len(frame):
        frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6).round(1)
    return frame


def _merge_layer(
    accepted: gpd.GeoDataFrame,
    bundled: gpd.GeoDataFrame,
    key: str,
    warnings: list[Issue],
    what: str,
) -> gpd.GeoDataFrame:
    """Return the file's rows plus the bundled rows they do not cover; warn about the latter."""
    kept = bundled[~bundled[key].isin(accepted[key])]
    if len(kept):
        warnings.append(Issue(0, key, "", msg(
            f"文件未包含 {len(kept)} 个{what}，它们保留内置数据",
            f"{len(kept)} of {len(bundled)} {what}s are not in the file and keep the bundled "
            f"(approximate/illustrative) data",
        )))  # fmt: skip
    merged = pd.concat([accepted, kept], ignore_index=True) if len(accepted) else bundled.copy()
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=STORAGE_CRS)


def parse_population(text: str) -> int | None:
    """Parse a population cell: ``1234``, ``1,234``, ``1234人``, ``1234.0``; None if not."""
    clean = re.sub(r"[,，\s人]", "", unicodedata.normalize("NFKC", text)).removesuffix(".0")
    return int(clean) if clean.isdigit() else None


def _village_context(
    table: RawTable, columns: Columns, choice: crs_mod.CrsChoice, index: ReferenceIndex
) -> tuple[Context | None, str | None]:
    """Locate the villages' points when the file has any (geometry or lon/lat columns)."""
    has_columns = columns.get("lon") is not None and columns.get("lat") is not None
    if table.geometry is None and not has_columns:
        return None, None
    raw = points_from_geometry(table) if table.geometry is not None else points_from_columns(
        table, columns
    )
    choice, warning = resolve_choice(choice, table, raw, columns)
    lon, lat = convert(raw, choice)
    swapped = locate(index, *convert(RawPoints(raw.y, raw.x, {}, raw.column, raw.value), choice))
    ctx = Context(table, columns, raw, choice, index, lon, lat, locate(index, lon, lat), swapped,
                  pd.Timestamp.now().year)  # fmt: skip
    return ctx, warning


def _no_location(ctx: Context, position: int) -> bool:
    """Return True when a village row gives no location at all (it keeps the bundled point)."""
    if ctx.table.geometry is not None:
        return ctx.table.geometry.iloc[position] is None
    cells = ctx.table.frame.iloc[position]
    return not (cells[ctx.columns.get("lon")] or cells[ctx.columns.get("lat")])


def _village_point(ctx: Context | None, position: int, county: str) -> tuple[Any, str | None]:
    """Return (WGS84 point or None, problem) for one village row."""
    if ctx is None:
        return None, None
    row = int(ctx.table.frame.index[position])
    if _no_location(ctx, position):
        return None, None
    if row in ctx.raw.issues:
        return None, ctx.raw.issues[row][0].message
    if not ctx.where.inside[position]:
        return None, location_problem(ctx, position)
    here = ctx.where.county[position]
    if here != county:
        return None, msg(
            f"坐标位于{ctx.index.county_name(here)}，与该村所属县不符",
            f"the point lies in {ctx.index.county_name(here)} but the village belongs to "
            f"{ctx.index.county_name(county)}; correct the village or the coordinates",
        )
    return shapely.Point(ctx.lon[position], ctx.lat[position]), None


def _import_villages(
    table: RawTable,
    columns: Columns,
    choice: crs_mod.CrsChoice,
    index: ReferenceIndex,
    warnings: list[Issue],
) -> ImportReport:
    if index.villages is None:
        raise InputError("no villages reference layer to update; pass reference['villages']")
    ctx, crs_warning = _village_context(table, columns, choice, index)
    if ctx is None and columns.get("population") is None:
        raise InputError(
            f"{table.path.name}: a villages file needs a population column (人口/population) "
            "and/or coordinates (经度/纬度 or point geometry)"
        )
    if crs_warning:
        warnings.append(Issue(0, ctx.raw.column, "auto", crs_warning))
    bundled = index.villages.set_index("village_code")
    errors, records, seen = [], [], {}
    for position, row in enumerate(table.frame.index):
        row_errors, record = _village_row(table, columns, ctx, index, bundled, position, seen)
        errors.extend(Issue(int(row), col, value, text) for col, value, text in row_errors)
        if record is not None:
            records.append(record)
    accepted = gpd.GeoDataFrame(
        records, columns=list(index.villages.columns), geometry="geometry", crs=STORAGE_CRS
    )
    merged = _merge_layer(accepted, index.villages, "village_code", warnings, "village")
    report = ImportReport(len(table.frame), accepted, errors, warnings, merged=merged)
    used = ctx.choice.label if ctx is not None else "no coordinates"
    report.notes = [*table.notes, f"coordinates read as {used}"]
    return report


def _village_row(
    table: RawTable,
    columns: Columns,
    ctx: Context | None,
    index: ReferenceIndex,
    bundled: pd.DataFrame,
    position: int,
    seen: dict[str, int],
) -> tuple[list[tuple[str, str, str]], dict[str, Any] | None]:
    """Check one village row; return (errors as (column, value, message), record or None)."""
    header, text = _identify(table, columns, position, ("village", "code", "id", "name"))
    township_text = _cell(table, columns, position, "township")[1]
    township = index.township_code(township_text, None) if township_text else None
    code = index.village_code(text, township) if text else None
    if code is None or code not in bundled.index:
        return [(header, text, msg(f"未知的村（社区）“{text}”", f"unknown village/community "
                 f"{text!r}: give its 12-digit NBS code, or its name with the township "
                 "column (乡镇)"))], None  # fmt: skip
    if code in seen:
        return [(header, text, msg(f"村（社区）重复（第 {seen[code]} 行）",
                 f"village {code} already given on row {seen[code]}"))], None  # fmt: skip
    seen[code] = int(table.frame.index[position])
    record = {**bundled.loc[code].to_dict(), "village_code": code}
    problems = []
    pop_header, pop_text = _cell(table, columns, position, "population")
    if pop_text:
        population = parse_population(pop_text)
        if population is None:
            problems.append((pop_header, pop_text, msg(f"人口“{pop_text}”不是整数",
                             f"population {pop_text!r} is not a whole number ≥ 0")))  # fmt: skip
        record.update(population=population, population_source="user")
    point, problem = _village_point(ctx, position, record["county_code"])
    if problem:
        problems.append((ctx.raw.column, ctx.raw.value[position], problem))
    elif point is not None:
        record.update(geometry=point, position="surveyed")
    return problems, None if problems else record
