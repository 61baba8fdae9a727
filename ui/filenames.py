"""File names of downloads: what was exported, under which filter, on which day.

``venuemap_venues_632321-township_centre_2026-12-03.gpkg`` tells a reader weeks later that the
file holds the township centres of one county as exported that day, where ``venuemap_venues.gpkg``
told nothing. Filter values are codes (ASCII); anything else is dropped from the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def _slug(value: object) -> str:
    return _UNSAFE.sub("", str(value)).strip(".-")


def export_name(stem: str, filters: Iterable[object], extension: str, day: date) -> str:
    """Return ``<stem>_<filter values joined by ->_<YYYY-MM-DD>.<extension>``.

    Empty filters (None, "") are left out; with none the name says ``all``.

    Examples
    --------
    >>> export_name("venuemap_venues", ["632321", None], "csv", date(2026, 12, 3))
    'venuemap_venues_632321_2026-12-03.csv'
    >>> export_name("venuemap_overview", [], "html", date(2026, 12, 3))
    'venuemap_overview_all_2026-12-03.html'
    """
    parts = [_slug(v) for v in filters if v not in (None, "")]
    selection = "-".join(p for p in parts if p) or "all"
    return f"{_slug(stem)}_{selection}_{day.isoformat()}.{_slug(extension)}"
