"""The venue register's vocabulary: kinds, levels, organizations, statuses and columns.

Every other module takes its codes and Chinese labels from here, so that the importer, the
store, the analysis and the dashboard agree on one spelling.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One entry of a controlled vocabulary: a stable code with its Chinese and English labels."""

    code: str
    zh: str
    en: str


KINDS: tuple[Term, ...] = (
    Term("prefecture_centre", "州级党群服务中心", "Prefecture centre"),
    Term("county_centre", "县级群团服务中心", "County centre"),
    Term("township_centre", "乡镇群团服务中心", "Township service centre"),
    Term("village_station", "村群团服务站", "Village station"),
    Term("community_station", "社区群团服务站", "Community station"),
    Term("enterprise_home", "企业职工之家", "Enterprise workers' home"),
    Term("other", "其他阵地", "Other venue"),
)

#: Network level of each kind: 1 prefecture, 2 county, 3 township, 4 village/community/enterprise.
LEVEL_OF_KIND: dict[str, int] = {
    "prefecture_centre": 1,
    "county_centre": 2,
    "township_centre": 3,
    "village_station": 4,
    "community_station": 4,
    "enterprise_home": 4,
    "other": 4,
}

LEVELS: tuple[Term, ...] = (
    Term("1", "州级", "Prefecture"),
    Term("2", "县级", "County"),
    Term("3", "乡镇级", "Township"),
    Term("4", "村（社区）级", "Village / community"),
)

ORGANIZATIONS: tuple[Term, ...] = (
    Term("union", "工会", "Trade union"),
    Term("youth_league", "共青团", "Youth League"),
    Term("women", "妇联", "Women's Federation"),
    Term("science", "科协", "Science and Technology Association"),
    Term("literature_art", "文联", "Federation of Literary and Art Circles"),
    Term("disabled", "残联", "Disabled Persons' Federation"),
    Term("red_cross", "红十字会", "Red Cross"),
    Term("commerce", "工商联", "Federation of Industry and Commerce"),
)

STATUSES: tuple[Term, ...] = (
    Term("in_service", "在用", "In service"),
    Term("planned", "规划", "Planned"),
    Term("closed", "停用", "Closed"),
)

POSITIONS: tuple[Term, ...] = (
    Term("surveyed", "实测", "Surveyed"),
    Term("illustrative", "示意", "Illustrative"),
)

#: Separator used to store a list of organization codes in one text column (GeoPackage, CSV).
LIST_SEPARATOR = ";"

#: Columns of the venue register, in order; geometry (a WGS84 Point) comes last. ``as_of`` is
#: the date the row describes (ISO text: the demo register's year, or the day of the import).
#: ``capacity`` (people a venue can serve) and ``floor_area_m2`` are optional numbers; where
#: missing, analyses use ``analysis.capacity`` defaults and label them ``capacity_source``.
VENUE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "name_en",
    "kind",
    "level",
    "county_code",
    "township_code",
    "village_code",
    "organizations",
    "services",
    "address",
    "status",
    "year_opened",
    "position",
    "as_of",
    "capacity",
    "floor_area_m2",
    "surveyed_at",
    "accuracy_m",
    "name_bo",
)

#: Register columns that are not text, by kind ("integer" or "real"); every store backend and
#: the register's own conformer take their types from here.
NUMERIC_COLUMNS: dict[str, str] = {"level": "integer", "year_opened": "integer",
                                   "capacity": "real", "floor_area_m2": "real",
                                   "accuracy_m": "real"}  # fmt: skip


def column_type(column: str) -> str:
    """Return ``"integer"``, ``"real"`` or ``"text"``: how a register column is stored."""
    return NUMERIC_COLUMNS.get(column, "text")


#: The register's CRS. CGCS2000 (EPSG:4490) and WGS84 agree to well under a metre here.
STORAGE_CRS = "EPSG:4326"


def codes(terms: tuple[Term, ...]) -> list[str]:
    """Return the codes of a vocabulary, in order."""
    return [term.code for term in terms]


def label(terms: tuple[Term, ...], code: str, lang: str = "zh") -> str:
    """Return the label of ``code`` in ``lang`` ('zh' or 'en'); unknown codes are returned as is."""
    for term in terms:
        if term.code == code:
            return term.zh if lang == "zh" else term.en
    return code


def lookup(terms: tuple[Term, ...], text: str) -> str | None:
    """Return the code that ``text`` names (a code, Chinese or English label), or None.

    Matching ignores case and surrounding white space, so that spreadsheet cells such as
    ``' 村群团服务站 '`` or ``'Village_Station'`` are accepted.
    """
    wanted = str(text).strip().casefold()
    for term in terms:
        if wanted in (term.code.casefold(), term.zh.casefold(), term.en.casefold()):
            return term.code
    return None
