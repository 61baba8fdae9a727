"""Use cases of the register's history: list changes, edit one venue, undo a change.

The CLI (``venuemap history|edit|undo``) and the Data page call these; they take a store
(:func:`geo.store.open_store`) and plain values, and return plain results. An edit is checked
by the importer's own row rules (the same as ``venuemap import``), so a value the importer
would refuse can never enter the register by the edit path.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from geo.errors import InputError, StoreError
from geo.schema import VENUE_COLUMNS
from geo.store import Change, VenueStore
from geo.store.history import change_summary

#: Fields ``venuemap edit --set`` accepts: the register's columns but ``id``, plus lon/lat.
EDITABLE_FIELDS = (*[c for c in VENUE_COLUMNS if c != "id"], "lon", "lat")


def history(store: VenueStore, venue_id: str | None = None) -> list[Change]:
    """Return the changes of the store (of one venue), newest first."""
    return store.changes(venue_id)


def history_rows(changes: list[Change]) -> list[dict[str, Any]]:
    """Return one short dict per change (id, who, when, kind, venues, undoes) for tables."""
    return [{**change_summary(c), "venue_ids": ", ".join(c.venue_ids[:5])
             + (" …" if len(c.venue_ids) > 5 else "")} for c in changes]  # fmt: skip


def undo(store: VenueStore, change_id: int, who: str | None = None) -> Change:
    """Revert one change (a backup is written first); return the undo's own change."""
    return store.undo(change_id, who=who)


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """Return ``{field: value}`` from ``FIELD=VALUE`` texts; refuse unknown fields by name."""
    values: dict[str, str] = {}
    for text in assignments:
        field, sep, value = text.partition("=")
        field = field.strip()
        if not sep or field not in EDITABLE_FIELDS:
            raise InputError(
                f"--set {text!r}: expected FIELD=VALUE with FIELD one of "
                f"{', '.join(EDITABLE_FIELDS)} / 字段名无效"
            )
        values[field] = value.strip()
    return values


def edit(
    store: VenueStore,
    venue_id: str,
    assignments: dict[str, str],
    *,
    who: str | None = None,
    expect_version: int | None = None,
    reference: dict[str, Any] | None = None,
) -> Change | None:
    """Set fields of one venue after checking the result by the importer's row rules.

    Returns the change (None when the values equal the current ones). A stale
    ``expect_version`` raises :class:`geo.errors.ConflictError` and writes nothing.
    """
    current = store.venues()
    found = current.loc[current["id"] == venue_id]
    if found.empty:
        raise StoreError(f"no active venue with id {venue_id!r} in the store / 无此阵地")
    row = found.iloc[0]
    if expect_version is not None and int(row["version"]) != int(expect_version):
        from geo.errors import ConflictError

        raise ConflictError(
            f"冲突 conflict: venue {venue_id} is at version {int(row['version'])}, not "
            f"{expect_version}; nothing was written — reload it and redo your change"
        )
    cells = {c: "" if _missing(row[c]) else str(row[c]) for c in VENUE_COLUMNS}
    cells["lon"], cells["lat"] = repr(row.geometry.x), repr(row.geometry.y)
    cells.update(assignments)
    checked = _check_with_importer(cells, reference)
    values = {c: checked[c] for c in VENUE_COLUMNS if c != "id"}
    values["geometry"] = checked.geometry
    return store.edit_venue(venue_id, values, who=who, expect_version=expect_version)


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _check_with_importer(cells: dict[str, str], reference: dict[str, Any] | None) -> Any:
    """Run one row through the importer; return the accepted row or raise its first error."""
    from geo.importer import import_layer

    with tempfile.TemporaryDirectory(prefix="venuemap-edit-") as folder:
        path = Path(folder) / "edit.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(cells))
            writer.writerow(list(cells.values()))
        report = import_layer(path, "venues", crs="wgs84", existing=None, reference=reference)
    if report.errors:
        issue = report.errors[0]
        raise InputError(f"[{issue.column}] “{issue.value}”: {issue.message}")
    return report.accepted.iloc[0]
