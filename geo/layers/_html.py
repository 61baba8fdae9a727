"""Small helpers shared by the layer modules: escaping, number formats, labels, detail tables.

Everything a layer shows passes through :func:`esc` exactly once, here; the resulting strings
are HTML fragments that Leaflet inserts with ``innerHTML``, so markup in a venue name shows as
text and never runs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

from geo.layers.labels import MAP_STRINGS

#: Shown for a missing value.
DASH = "—"


def tr(key: str, lang: str, **fields: object) -> str:
    """Return the map string ``key`` in ``lang`` ('zh' or 'en'), with ``fields`` filled in.

    An unknown key is returned as is, so a missing translation shows up on screen, not as a
    crash.
    """
    entry = MAP_STRINGS.get(key)
    text = key if entry is None else entry.get(lang, entry["zh"])
    return text.format(**fields) if fields else text


def is_missing(value: object) -> bool:
    """Return True for None, NaN, pandas NA and blank text."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value)  # pandas NA and NaT compare unequal to themselves
    except (TypeError, ValueError):
        return False


def esc(value: object) -> str:
    """Return ``value`` as escaped HTML text; missing values become a dash."""
    return DASH if is_missing(value) else html.escape(str(value), quote=True)


def fmt_int(value: float | int, lang: str) -> str:
    """Format a count with thousands separators (``1,226``), the same in both languages."""
    del lang  # both languages group digits with a comma on official Chinese documents
    return f"{round(float(value)):,}"


def fmt_people(value: object, lang: str) -> str:
    """Format a population: ``1,226 人`` / ``1,226 people``; missing -> dash."""
    if is_missing(value):
        return DASH
    return tr("map.people", lang, n=fmt_int(float(value), lang))  # type: ignore[arg-type]


def fmt_km(metres: float, lang: str) -> str:
    """Format a distance in metres as kilometres (``2 千米``, ``2.5 km``)."""
    km = metres / 1000.0
    text = f"{km:,.0f}" if km == round(km) else f"{km:,.1f}"
    return tr("map.km", lang, n=text)


def detail_table(rows: Iterable[tuple[str, object]], title: object = None) -> str:
    """Return an HTML table of (label, value) rows; labels and values are escaped here.

    Rows whose value is missing are kept with a dash, so that popups of one layer all have the
    same shape.
    """
    body = "".join(f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>" for label, value in rows)
    head = f'<div class="vm-popup-title">{esc(title)}</div>' if title is not None else ""
    return f'{head}<table class="vm-popup">{body}</table>'


def popup_values(rows: Iterable[tuple[str, object]], title: object = None) -> list[str]:
    """Return ``[title, value, ...]`` of a table popup, escaped (the compact form of a popup).

    The labels are left out: a layer whose popups share them sends them once (see
    ``geo.layers._element.StyledGeoJson``), and the browser builds the same table as
    :func:`detail_table`.
    """
    return [esc(title), *(esc(value) for _, value in rows)]


def tip(*parts: object) -> str:
    """Return a one-line tooltip of escaped parts separated by a middle dot."""
    return " · ".join(esc(part) for part in parts if not is_missing(part))
