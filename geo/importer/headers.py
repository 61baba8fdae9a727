"""Header mapping: which column of a planner's file holds which register field.

Offices name their columns in Chinese or English, with spaces, underscores or full-width
characters; :data:`HEADER_ALIASES` lists the accepted names per field and :func:`map_headers`
maps a file's header row onto them. Reference-layer imports add :data:`LAYER_ALIASES`
(codes and population).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from geo.errors import InputError
from geo.importer.report import Issue, msg

#: Accepted headers per register field, compared after NFKC, case folding and removing spaces,
#: underscores and hyphens (so ``County Code``, ``county_code`` and ``COUNTY-CODE`` agree).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("编号", "id", "阵地编号", "venue_id"),
    "name": ("名称", "name", "阵地名称", "站点名称", "服务站名称"),
    "name_en": ("英文名", "name_en", "英文名称", "english_name"),
    "name_bo": ("藏文名称", "name_bo", "藏文名", "藏文"),
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
    "capacity": ("容量", "服务人数", "capacity", "服务容量", "可服务人数", "容纳人数"),
    "floor_area_m2": ("面积", "floor_area_m2", "建筑面积", "使用面积", "阵地面积", "服务面积",
                      "面积(m2)", "面积(平方米)", "面积(㎡)", "floor_area"),
}  # fmt: skip
REQUIRED_FIELDS = ("name", "kind")
#: Columns a spatial reader adds that are not user data (ignored without a warning).
SILENT_COLUMNS = {"fid", "ogc_fid", "description", "timestamp", "begin", "end", "altitudemode",
                  "tessellate", "extrude", "visibility", "draworder", "icon"}  # fmt: skip


def norm_header(text: str) -> str:
    """Return a header in the form :data:`HEADER_ALIASES` is compared in."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", str(text)).casefold())


#: Register field per normalized alias (what :func:`map_headers` looks headers up in).
ALIAS_INDEX = {norm_header(a): f for f, names in HEADER_ALIASES.items() for a in names}
#: Extra headers of a townships/villages file (``--layer``): its code and population.
LAYER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "代码", "区划代码", "统计用区划代码", "code", "adcode"),
    "population": ("人口", "population", "常住人口", "户籍人口", "总人口", "人口数"),
}
#: Headers of a townships/villages file: the venue aliases plus :data:`LAYER_ALIASES`.
LAYER_INDEX = {
    **ALIAS_INDEX,
    **{norm_header(a): f for f, names in LAYER_ALIASES.items() for a in names},
}


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
        name = (aliases or ALIAS_INDEX).get(key) or _coordinate_field(key)
        if name is None:
            if key not in SILENT_COLUMNS:
                unknown.append(header)
        elif name in by_field:
            duplicates.append((header, by_field[name]))
        else:
            by_field[name] = header
    return Columns(by_field, unknown, duplicates)


def _coordinate_field(key: str) -> str | None:
    """Recognize coordinate headers the aliases miss (``高德经度``, ``amap_lon``, ``bd_lat``)."""
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
