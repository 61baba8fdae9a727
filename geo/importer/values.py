"""Cell values of an imported file: text -> register value (kind, level, status, year, …).

Each parser takes one cell's text as the reader returned it and gives the register's code or
number, or None (or ``ok=False``) when the text is not one; the row checks in
:mod:`geo.importer.rows` turn that into a message. :func:`stable_id` makes the id of a row that
has none, so that the same venue imported twice is caught as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from functools import lru_cache

from geo.schema import (
    KINDS,
    LEVELS,
    LIST_SEPARATOR,
    ORGANIZATIONS,
    STATUSES,
    codes,
    lookup,
)

#: Distinct cell texts each parser remembers: a register repeats a few hundred words (kinds,
#: statuses, organizations, years) over up to 500,000 rows; the parsers are pure.
CACHED_TEXTS = 4096

#: Plausible years opened: from the founding of the PRC to a few years ahead (planned venues).
FIRST_PLAUSIBLE_YEAR = 1949
YEARS_AHEAD = 5
#: Status words offices use besides the labels of geo.schema.STATUSES.
STATUS_SYNONYMS = {"运行": "in_service", "运行中": "in_service", "正常": "in_service",
                   "使用中": "in_service", "在建": "planned", "筹建": "planned",
                   "拟建": "planned", "关闭": "closed", "撤销": "closed",
                   "停止": "closed"}  # fmt: skip
#: What separates organizations in one cell (ASCII and full-width punctuation, spaces).
ORG_SPLIT = re.compile(r"[;；、，,/／\s]+")


@lru_cache(maxsize=CACHED_TEXTS)
def parse_kind(text: str) -> str | None:
    """Return the kind code for a code or label (see geo.schema.KINDS), or None."""
    return lookup(KINDS, text) if text else None


@lru_cache(maxsize=CACHED_TEXTS)
def parse_level(text: str) -> int | None:
    """Return a level 1..4 from ``'4'``, ``'4.0'`` or a label such as ``'乡镇级'``; else None."""
    code = lookup(LEVELS, text.removesuffix(".0"))
    return int(code) if code else None


@lru_cache(maxsize=CACHED_TEXTS)
def parse_status(text: str) -> str | None:
    """Return a status code; blank means ``in_service``; common synonyms (运行中, 在建) accepted."""
    if not text:
        return "in_service"
    return lookup(STATUSES, text) or STATUS_SYNONYMS.get(text.strip())


def parse_organizations(text: str) -> tuple[str, list[str]]:
    """Split an organizations cell; return (codes joined by ';' in canonical order, unknown)."""
    joined, unknown = _parse_organizations(text)
    return joined, list(unknown)


@lru_cache(maxsize=CACHED_TEXTS)
def _parse_organizations(text: str) -> tuple[str, tuple[str, ...]]:
    found, unknown = set(), []
    for part in filter(None, ORG_SPLIT.split(text or "")):
        code = lookup(ORGANIZATIONS, part)
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    return LIST_SEPARATOR.join(c for c in codes(ORGANIZATIONS) if c in found), tuple(unknown)


#: A year, optionally with month and day (2019, 2019年5月, 2019-05-01, 2019/5/1 08:00:00).
YEAR_DATE = re.compile(
    r"(?P<y>\d{4})(?:\.0|年|[-/.年](?P<m>\d{1,2})(?:[-/.月](?P<d>\d{1,2})[日号]?|月)?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?"
)


@lru_cache(maxsize=CACHED_TEXTS)
def parse_year(text: str, this_year: int) -> tuple[int | None, bool]:
    """Return (year or None, ok). Accepts 2019, 2019.0, 2019年, 2019-05-01, 2019/5.

    A date must be a real calendar date: ``2019-99-99`` is not read as 2019.
    """
    if not text:
        return None, True
    match = YEAR_DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        return None, False
    year = int(match["y"])
    try:
        dt.date(year, int(match["m"] or 1), int(match["d"] or 1))
    except ValueError:
        return None, False
    return year, FIRST_PLAUSIBLE_YEAR <= year <= this_year + YEARS_AHEAD


@lru_cache(maxsize=CACHED_TEXTS)
def parse_amount(text: str) -> tuple[float | None, bool]:
    """Return (number or None, ok) of a capacity or area cell: ``300``, ``1,200``, ``85.5㎡``.

    A trailing unit (人, m2, m², ㎡, 平方米, 平米) is dropped; blank is (None, True).
    """
    if not text:
        return None, True
    clean = re.sub(r"[,，\s]", "", unicodedata.normalize("NFKC", text))
    clean = re.sub(r"(人|m2|m²|平方米|平米)$", "", clean)
    try:
        value = float(clean)
    except ValueError:
        return None, False
    ok = math.isfinite(value) and value >= 0
    return (value if ok else None), ok


def stable_id(name: str, lon: float, lat: float) -> str:
    """Return the id generated for a row without one.

    ``'imp-'`` + the first 12 hex digits of SHA-1 over ``name|lon|lat`` (lon/lat rounded to 6
    decimals, ~0.1 m): the same venue imported again gets the same id, so it is caught as a
    duplicate instead of silently doubling.
    """
    key = f"{name.strip()}|{lon:.6f}|{lat:.6f}".encode()
    return "imp-" + hashlib.sha1(key, usedforsecurity=False).hexdigest()[:12]


def parse_population(text: str) -> int | None:
    """Parse a population cell: ``1234``, ``1,234``, ``1234人``, ``1234.0``; None if not."""
    clean = re.sub(r"[,，\s人]", "", unicodedata.normalize("NFKC", text)).removesuffix(".0")
    return int(clean) if clean.isdigit() else None
