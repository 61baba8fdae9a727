"""The rows of one change, column by column: before/after without one dict per venue.

A change records, for every venue it touched, the venue's row before and after
(``{venue id: row or None}``, rows as JSON values with the geometry as WKT). Kept as one
dict per venue, a 500,000-venue import built, serialised and parsed back 500,000 dicts
(about 25 s and over a gigabyte). :class:`ChangeRows` is the same mapping held as one list
per field; it is stored as one JSON object of column arrays (``changes.layout = 'columns'``,
migration 2 of both backends) and makes a row dict only for the venue asked for. Changes
recorded before that migration keep their per-venue form (``layout`` NULL) and still read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import shapely

from geo.schema import VENUE_COLUMNS
from geo.store.protocol import VERSION_COLUMN

Row = dict[str, Any]
#: The fields of a recorded row, in the order a row shows them (``venuemap history --json``).
ROW_FIELDS = (*VENUE_COLUMNS, VERSION_COLUMN, "retired", "extra", "geometry")
#: ``changes.layout`` of a change whose before/after are :class:`ChangeRows` JSON.
COLUMNS_LAYOUT = "columns"


class ChangeRows(Mapping[str, Row | None]):
    """``{venue id: row or None}`` of one side of a change, held as one list per field.

    Parameters
    ----------
    ids
        The venues, in the order the change met them.
    columns
        :data:`ROW_FIELDS` → one JSON value per venue (geometry as WKT); None when no venue
        had a row on this side (the ``before`` of an import of new venues).
    absent
        Positions of venues without a row (created or, on the other side, never existing).
    """

    def __init__(
        self, ids: list[str], columns: dict[str, list[Any]] | None = None,
        absent: Iterable[int] = (),
    ) -> None:  # fmt: skip
        self.ids = list(ids)
        self._columns = columns
        self._absent = frozenset(range(len(self.ids)) if columns is None else absent)
        self._positions: dict[str, int] | None = None

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rows(cls, ids: list[str], rows: list[Row | None]) -> ChangeRows:
        """Return store rows (shapely geometry; None: no row) as column-wise JSON values."""
        absent = [i for i, row in enumerate(rows) if row is None]
        if len(absent) == len(rows):
            return cls(ids)
        columns = {f: [None if row is None else row.get(f) for row in rows] for f in ROW_FIELDS}
        return cls(ids, _with_wkt(columns), absent)

    @classmethod
    def from_columns(cls, columns: dict[str, list[Any]]) -> ChangeRows:
        """Return store columns (:data:`ROW_FIELDS` → lists, shapely geometry) as JSON values.

        The bulk path: an import of new venues records its rows without making one dict each.
        """
        return cls(list(columns["id"]), _with_wkt({f: columns[f] for f in ROW_FIELDS}))

    @classmethod
    def from_json(cls, value: str | dict[str, Any]) -> ChangeRows:
        """Return the rows a :meth:`to_json` text (or its parsed object) describes."""
        data = json.loads(value) if isinstance(value, str | bytes) else value
        columns = data.get("columns")
        if columns is not None:  # in ROW_FIELDS order again (PostgreSQL's jsonb sorts keys)
            columns = {f: columns[f] for f in (*ROW_FIELDS, *columns) if f in columns}
        return cls(data["ids"], columns, data.get("absent") or ())

    def to_json(self) -> str:
        """Return the compact JSON stored in ``changes.before`` / ``changes.after``."""
        return b"".join(self.json_parts()).decode("utf-8")

    def json_parts(self) -> list[bytes]:
        """Return :meth:`to_json` as UTF-8 pieces, one per field, to write one after another.

        Joined, a 500,000-venue side is ~120 MB; as one Python text (two bytes a character
        once it holds Chinese) plus its UTF-8 copy for SQLite it cost ~450 MB at the peak.
        """
        parts = [b'{"ids":', _dumps(self.ids).encode()]
        if self._columns is not None:
            parts.append(b',"columns":{')
            for position, (field, values) in enumerate(self._columns.items()):
                parts.append(b"," if position else b"")
                parts.append(_dumps(field).encode() + b":" + _dumps(values).encode())
            parts.append(b"}")
            if self._absent:
                parts.append(b',"absent":' + _dumps(sorted(self._absent)).encode())
        parts.append(b"}")
        return parts

    # ------------------------------------------------------------------ reading
    def column(self, field: str) -> list[Any]:
        """Return one field of every venue, in :attr:`ids` order (None where no row)."""
        if self._columns is None:
            return [None] * len(self.ids)
        return list(self._columns[field])

    def _row(self, position: int) -> Row | None:
        if position in self._absent:
            return None
        return {field: values[position] for field, values in self._columns.items()}

    def __getitem__(self, venue: str) -> Row | None:
        if self._positions is None:
            self._positions = {v: i for i, v in enumerate(self.ids)}
        return self._row(self._positions[venue])

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"ChangeRows({len(self.ids)} venues)"


def _with_wkt(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Return ``columns`` with the geometries as WKT texts (one vectorised call)."""
    geometries = list(columns["geometry"])
    wkt = shapely.to_wkt(geometries, rounding_precision=-1).tolist() if geometries else []
    return {**columns, "geometry": wkt}


def touched_ids(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the sorted ids of the venues a change touched (``changes.venue_ids``)."""
    if isinstance(before, ChangeRows) and isinstance(after, ChangeRows) and before.ids == after.ids:
        return sorted(after.ids)  # no set of 500,000 ids twice over
    return sorted(set(before) | set(after))


def encode_sides(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[str | None, str, str]:
    """Return ``(layout, before JSON, after JSON)`` for a row of ``changes``.

    :class:`ChangeRows` are written column-wise (layout ``'columns'``); plain dicts (the
    empty sides of a layer or restore record) as they are (layout NULL).
    """
    if isinstance(before, ChangeRows) and isinstance(after, ChangeRows):
        return COLUMNS_LAYOUT, before.to_json(), after.to_json()
    return None, _dumps(dict(before)), _dumps(dict(after))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def decode_side(layout: str | None, value: Any) -> Mapping[str, Any]:
    """Return a stored before/after (JSON text, UTF-8 bytes or parsed) as a mapping."""
    if layout == COLUMNS_LAYOUT:
        return ChangeRows.from_json(value)
    if isinstance(value, str):
        return json.loads(value)
    return value or {}
