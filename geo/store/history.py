"""Versions, retirement, change records and undo — once, for both backends.

A backend supplies a transaction (:class:`Transaction`: read rows, insert, update, record a
change, read a change); :class:`VersionedStore` builds every write on it. Every write goes
through :func:`apply_targets`: compare the wanted rows with the current ones, refuse stale
versions (:class:`geo.errors.ConflictError`), bump versions, write, record one change.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd
import shapely

from geo.boundaries import as_objects
from geo.bulk import cyclic_gc_paused
from geo.errors import ConflictError, StoreError
from geo.schema import STORAGE_CRS, VENUE_COLUMNS, column_type
from geo.store.changerows import ROW_FIELDS, ChangeRows
from geo.store.protocol import (
    VENUES_LAYER,
    VERSION_COLUMN,
    Change,
    conform_register,
    current_actor,
    empty_register,
)

Row = dict[str, Any]  # the same alias as geo.store.changerows.Row
_SKIPPED = {*VENUE_COLUMNS, "version", "retired", "extra", "lon", "lat"}


# ----------------------------------------------------------------------------- rows
def _clean(column: str, value: Any) -> Any:
    """Return ``value`` as a plain JSON scalar (None for every kind of missing)."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                         and pd.isna(value)):  # fmt: skip
        return None
    if column == VERSION_COLUMN or column_type(column) == "integer":
        return int(float(value))
    if column_type(column) == "real":
        return float(value)
    if hasattr(value, "item"):
        value = value.item()
    return value if isinstance(value, str | int | float | bool) else str(value)


def frame_to_columns(gdf: gpd.GeoDataFrame) -> dict[str, list[Any]]:
    """Return the venues of ``gdf`` as store columns: each of ROW_FIELDS → one list.

    Column by column (a row-wise ``iloc`` cost 0.4 ms a venue: 200 s for 500,000). Columns
    the register lacks go to ``extra``: their non-empty values are kept, by name, in the
    row's ``extra`` (a JSON object in the store), never dropped silently. Geometries are
    shapely objects in EPSG:4326; ``version`` is None unless ``gdf`` was read from a store.
    """
    frame = gdf.to_crs(STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(STORAGE_CRS)
    geometry_name = frame.geometry.name
    unknown = [c for c in frame.columns if c not in _SKIPPED and c != geometry_name]
    conformed = conform_register(frame)
    n_rows = len(conformed)
    columns = {c: _clean_column(c, conformed[c].tolist()) for c in VENUE_COLUMNS}
    missing = next((i for i, venue in enumerate(columns["id"]) if venue is None), None)
    if missing is not None:
        raise StoreError(f"row {missing + 1}: a venue without an id cannot be stored")
    columns["id"] = [venue if type(venue) is str else str(venue) for venue in columns["id"]]
    if VERSION_COLUMN in conformed.columns:
        columns[VERSION_COLUMN] = _clean_column(VERSION_COLUMN, conformed[VERSION_COLUMN].tolist())
    else:
        columns[VERSION_COLUMN] = [None] * n_rows
    columns["retired"] = [False] * n_rows
    columns["extra"] = _extras({c: _clean_column(c, frame[c].tolist()) for c in unknown}, n_rows)
    columns["geometry"] = conformed.geometry.tolist()
    return columns


def _extras(values: dict[str, list[Any]], n_rows: int) -> list[dict[str, Any] | None]:
    """Return each row's ``extra``: its non-empty values of the unknown columns, or None."""
    if not values:
        return [None] * n_rows
    extras = []
    for position in range(n_rows):
        extra = {c: column[position] for c, column in values.items()}
        extras.append({k: v for k, v in extra.items() if v is not None} or None)
    return extras


def columns_to_rows(columns: dict[str, list[Any]]) -> list[Row]:
    """Return store columns (:func:`frame_to_columns`) as one row dict per venue."""
    fields = list(columns)
    rows = zip(*columns.values(), strict=True)
    return [dict(zip(fields, values, strict=True)) for values in rows]


def rows_to_columns(rows: list[Row]) -> dict[str, list[Any]]:
    """Return store rows as columns (:data:`ROW_FIELDS` → lists), the inverse of the above."""
    return {field: [row.get(field) for row in rows] for field in ROW_FIELDS}


def frame_to_rows(gdf: gpd.GeoDataFrame) -> list[Row]:
    """Return the venues of ``gdf`` as store rows (see :func:`frame_to_columns`)."""
    return columns_to_rows(frame_to_columns(gdf))


def _clean_column(column: str, values: list[Any]) -> list[Any]:
    """Return :func:`_clean` of each value of one column, without a call per value if it can.

    :func:`_clean` returns a ``str`` unchanged, so an all-text column (names, codes: most of a
    500,000-venue register) is kept as is; so is a text column of texts and None. Numbers
    read by pandas (``Int64`` gives int and NA, floats NaN for missing) are mapped inline to
    what :func:`_clean` gives; any other mix goes value by value.
    """
    kinds = set(map(type, values))
    kind = "integer" if column == VERSION_COLUMN else column_type(column)
    if kinds <= {str} or (kind == "text" and kinds <= {str, type(None)}):
        return list(values)
    if kind == "integer" and kinds <= {int, type(pd.NA), type(None)}:
        return [None if v is None or v is pd.NA else int(float(v)) for v in values]
    if kind == "real" and kinds <= {float, type(None)}:
        return [None if v is None or math.isnan(v) else v for v in values]
    return [_clean(column, value) for value in values]


def rows_to_frame(rows: Iterable[Row]) -> gpd.GeoDataFrame:
    """Return store rows as a register (VENUE_COLUMNS, ``version``, geometry in EPSG:4326)."""
    rows = list(rows)
    columns = {c: [row.get(c) for row in rows] for c in (*VENUE_COLUMNS, VERSION_COLUMN)}
    return columns_to_frame(columns, [row["geometry"] for row in rows])


def columns_to_frame(columns: dict[str, list[Any]], geometries: list[Any]) -> gpd.GeoDataFrame:
    """Return venue columns (lists of row values) as a register, like :func:`rows_to_frame`.

    The column-wise form lets a backend read a large register without building one dict per
    venue (500,000 venues); ``columns`` maps VENUE_COLUMNS and ``version`` to equal-length lists.
    """
    if not geometries:
        empty = empty_register()
        empty.insert(len(VENUE_COLUMNS), VERSION_COLUMN, pd.array([], dtype="Int64"))
        return empty
    names = (*VENUE_COLUMNS, VERSION_COLUMN)
    frame = pd.DataFrame({c: as_objects(columns[c]) for c in names}, columns=list(names),
                         dtype=object)  # fmt: skip
    geometry = gpd.GeoSeries(geometries, crs=STORAGE_CRS)
    return conform_register(gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS))


def row_from_json(data: dict[str, Any]) -> Row:
    """Return the store row a recorded row (JSON values, geometry as WKT) describes."""
    row = dict(data)
    row["geometry"] = None if data.get("geometry") is None else shapely.from_wkt(data["geometry"])
    return row


def same_row(old: Row, new: Row) -> bool:
    """Return True when two rows hold the same venue data (versions aside)."""
    for column in (*VENUE_COLUMNS, "retired"):
        a, b = old.get(column), new.get(column)
        if (a is b and (a is None or type(a) is str)) or (type(a) is type(b) is str and a == b):
            continue  # the same text (most cells): no need to clean it
        if _clean(column, a) != _clean(column, b):
            return False
    if (old.get("extra") or None) != (new.get("extra") or None):
        return False
    a, b = old.get("geometry"), new.get("geometry")
    if a is None or b is None:
        return a is b
    return bool(a.equals_exact(b, 1e-9)) or (a.is_empty and b.is_empty)


# ----------------------------------------------------------------------------- transactions
class Transaction(Protocol):
    """What a backend's write transaction offers to :class:`VersionedStore`."""

    def rows(self, ids: Iterable[str] | None) -> dict[str, Row]:
        """Return the current rows (retired ones included) of ``ids`` (None: all)."""

    def insert(self, columns: dict[str, list[Any]]) -> None:
        """Insert new venues given column-wise (:data:`ROW_FIELDS` → one list each)."""

    def update(self, rows: list[Row]) -> None:
        """Overwrite existing venue rows, matched by ``id``."""

    def record(
        self, who: str, kind: str, before: Mapping, after: Mapping, undoes: int | None
    ) -> Change:
        """Append one row to ``changes`` (:class:`ChangeRows` sides: column-wise); return it."""

    def change(self, change_id: int) -> Change | None:
        """Return one recorded change, or None."""


def apply_targets(
    tx: Transaction,
    targets: dict[str, Row],
    current: dict[str, Row],
    *,
    who: str,
    kind: str,
    expect: dict[str, int] | None = None,
    undoes: int | None = None,
) -> Change | None:
    """Write each venue of ``targets`` as given; return the change (None when nothing differs).

    ``current`` holds the stored rows of (at least) the venues of ``targets`` that exist, as
    the caller read them in this transaction (read once: 500,000 rows are ~0.8 GB of dicts).
    ``expect`` maps venue ids to the version the caller based its edit on; any other current
    version raises :class:`ConflictError` and nothing is written. The rows of ``targets``
    become the written rows (their ``id`` and ``version`` set in place: no copy of 500,000
    rows), so callers pass rows made for this write.
    """
    stale = {
        venue: (version, (current.get(venue) or {}).get(VERSION_COLUMN))
        for venue, version in (expect or {}).items()
        if (current.get(venue) or {}).get(VERSION_COLUMN) != version
    }
    if stale:
        venue, (wanted, actual) = next(iter(sorted(stale.items())))
        raise ConflictError(
            f"冲突 conflict: venue {venue} is at version {actual}, not {wanted} "
            f"({len(stale)} venue(s) changed by someone else meanwhile); nothing was written — "
            f"reload it (venuemap history --venue {venue}) and redo your change"
        )
    inserts, updates, changed, before, after = [], [], [], [], []
    for venue, target in targets.items():
        old = current.get(venue)
        if old is not None and same_row(old, target):
            continue
        new = target  # taken over, not copied: callers pass rows made for this write
        new.update({"id": venue, VERSION_COLUMN: (old[VERSION_COLUMN] + 1) if old else 1})
        (inserts if old is None else updates).append(new)
        changed.append(venue)
        before.append(old)
        after.append(new)
    if not changed:
        return None
    if inserts:
        tx.insert(rows_to_columns(inserts))
    tx.update(updates)
    sides = ChangeRows.from_rows(changed, before), ChangeRows.from_rows(changed, after)
    return tx.record(who, kind, *sides, undoes)


def insert_new(tx: Transaction, columns: dict[str, list[Any]], *, who: str, kind: str) -> Change:
    """Insert venues none of which the store holds (version 1) and record one change.

    What :func:`apply_targets` does for such venues, column by column: no current rows to
    compare, no dict per venue (a 500,000-row import).
    """
    columns = {**columns, VERSION_COLUMN: [1] * len(columns["id"])}
    tx.insert(columns)
    before = ChangeRows(columns["id"])  # none existed
    return tx.record(who, kind, before, ChangeRows.from_columns(columns), None)


class VersionedStore:
    """The register's write semantics over a backend's :meth:`_transaction` and readers.

    Subclasses implement ``_transaction()`` (a context manager yielding a
    :class:`Transaction` inside one database transaction), ``_read_rows(include_retired)``,
    ``_read_changes(venue_id)`` and ``_auto_backup(reason)``.
    """

    def _transaction(self) -> AbstractContextManager[Transaction]:
        raise NotImplementedError

    def _read_rows(self, include_retired: bool) -> Iterator[Row]:
        raise NotImplementedError

    def _read_changes(self, venue_id: str | None) -> list[Change]:
        raise NotImplementedError

    def _auto_backup(self, reason: str) -> None:
        raise NotImplementedError

    def exists(self) -> bool:
        """Return True when the store has been created (file / schema)."""
        raise NotImplementedError

    def _require_existing(self) -> None:
        """Refuse an edit or undo on a store not created yet (and do not create it)."""
        if not self.exists():
            from geo.store import display_location

            raise StoreError(
                f"the store {display_location(getattr(self, 'path', ''))} does not exist yet: "
                "nothing to change (import venues first)"
            )

    @cyclic_gc_paused()
    def venues(self, *, include_retired: bool = False) -> gpd.GeoDataFrame:
        """Return the venues (register columns + ``version``); retired ones only on request."""
        return rows_to_frame(self._read_rows(include_retired))

    def changes(self, venue_id: str | None = None) -> list[Change]:
        """Return the recorded changes, newest first (only those touching ``venue_id``)."""
        return self._read_changes(venue_id)

    @cyclic_gc_paused()
    def add_venues(
        self, gdf: gpd.GeoDataFrame, *, who: str | None = None, kind: str = "import"
    ) -> Change | None:
        """Append the venues of ``gdf`` in one transaction and record one change.

        An id already active in the store is refused (nothing written): two imports of the
        same venue never make two rows. A retired id comes back as a new version. A bulk
        import is preceded by an automatic backup.
        """
        if gdf.empty:
            return None
        columns = frame_to_columns(gdf)
        counts = Counter(columns["id"])  # not a scan of all rows per row: 500,000
        doubled = sorted(venue for venue, count in counts.items() if count > 1)
        if doubled:
            raise StoreError(f"venue id(s) given twice: {', '.join(doubled[:5])}; make ids unique")
        if kind == "import":
            self._auto_backup("import")
        with self._transaction() as tx:
            current = tx.rows(columns["id"])
            active = sorted(v for v, row in current.items() if not row["retired"])
            if active:
                raise StoreError(
                    f"{len(active)} venue id(s) already in the store: {', '.join(active[:5])}; "
                    "nothing was written — give new ids, or edit those venues instead"
                )
            if not current:
                return insert_new(tx, columns, who=current_actor(who), kind=kind)
            targets = {row["id"]: row for row in columns_to_rows(columns)}
            return apply_targets(tx, targets, current, who=current_actor(who), kind=kind)

    @cyclic_gc_paused()
    def replace_venues(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        who: str | None = None,
        kind: str = "edit",
        base: gpd.GeoDataFrame | None = None,
    ) -> Change | None:
        """Make the register equal ``gdf``, versioned; venues left out are retired.

        Rows carrying a ``version`` (read from the store) must still be at that version when
        they differ from the store, else :class:`ConflictError`. With ``base`` (the register
        the user started from) only the differences ``base`` → ``gdf`` are applied, so that
        venues others added or changed meanwhile are kept.
        """
        rows = {row["id"]: row for row in frame_to_rows(gdf)}
        base_rows = None if base is None else {r["id"]: r for r in frame_to_rows(base)}
        with self._transaction() as tx:
            if base_rows is None:
                current = tx.rows(None)
                gone = [v for v, row in current.items() if v not in rows and not row["retired"]]
                edited = {v: r for v, r in rows.items() if v not in current
                          or not same_row(current[v], r)}  # fmt: skip
            else:
                gone = [v for v in base_rows if v not in rows]
                edited = {v: r for v, r in rows.items() if v not in base_rows
                          or not same_row(base_rows[v], r)}  # fmt: skip
                current = tx.rows([*gone, *edited])
            expect = _expectations(edited, base_rows)
            targets = {**edited}
            for venue in gone:
                if venue in current:
                    targets[venue] = {**current[venue], "retired": True}
                    if base_rows is not None and base_rows[venue][VERSION_COLUMN] is not None:
                        expect[venue] = base_rows[venue][VERSION_COLUMN]
            return apply_targets(tx, targets, current, who=current_actor(who), kind=kind,
                                 expect=expect)  # fmt: skip

    def edit_venue(
        self,
        venue_id: str,
        values: dict[str, Any],
        *,
        who: str | None = None,
        expect_version: int | None = None,
    ) -> Change | None:
        """Change fields of one active venue (``geometry`` included); None when nothing differs.

        ``expect_version``: the version the edit is based on; any other raises ConflictError.
        """
        self._require_existing()
        unknown = sorted(set(values) - {*VENUE_COLUMNS, "geometry"} - {"id"})
        if unknown or "id" in values:
            raise StoreError(f"cannot set {', '.join(unknown or ['id'])}: not an editable field")
        with self._transaction() as tx:
            row = tx.rows([venue_id]).get(venue_id)
            if row is None or row["retired"]:
                raise StoreError(f"no active venue with id {venue_id!r} in the store")
            target = {**row, **{k: _clean(k, v) if k != "geometry" else v
                                for k, v in values.items()}}  # fmt: skip
            expect = None if expect_version is None else {venue_id: int(expect_version)}
            return apply_targets(tx, {venue_id: target}, {venue_id: row},
                                 who=current_actor(who), kind="edit", expect=expect)  # fmt: skip

    def retire_venues(
        self,
        ids: list[str],
        *,
        who: str | None = None,
        expect_versions: dict[str, int] | None = None,
    ) -> Change | None:
        """Retire venues: they leave the register but stay in the store and its history."""
        self._require_existing()
        with self._transaction() as tx:
            current = tx.rows(ids)
            missing = sorted(set(ids) - set(current))
            if missing:
                raise StoreError(f"no venue with id(s) {', '.join(missing[:5])} in the store")
            targets = {v: {**current[v], "retired": True} for v in ids}
            return apply_targets(tx, targets, current, who=current_actor(who), kind="retire",
                                 expect=expect_versions)  # fmt: skip

    @cyclic_gc_paused()
    def undo(self, change_id: int, *, who: str | None = None) -> Change:
        """Revert change ``change_id`` (recorded as a change of kind ``undo``).

        Refused with ConflictError when a venue it touched was changed again since: undo the
        later change first. A backup is written before.
        """
        self._require_existing()
        self._auto_backup("undo")
        with self._transaction() as tx:
            change = tx.change(int(change_id))
            if change is None:
                raise StoreError(f"no change {change_id} in the store; see `venuemap history`")
            if change.kind in ("layer", "restore") or not change.after:
                raise StoreError(f"change {change_id} ({change.kind}) cannot be undone")
            undone_id, expect, before = change.id, _versions(change.after), change.before
            del change  # a 500,000-venue change's parsed rows: freed before the write
            current = tx.rows(list(expect))
            targets = {}
            for venue, old in before.items():
                targets[venue] = (
                    {**current[venue], "retired": True} if old is None else row_from_json(old)
                )
            del before
            undone = apply_targets(tx, targets, current, who=current_actor(who), kind="undo",
                                   expect=expect, undoes=undone_id)  # fmt: skip
            if undone is None:
                raise StoreError(f"change {change_id} changed nothing that could be reverted")
            return undone

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame, *, who: str | None = None) -> None:
        """Write (replace) one user layer after a backup (``venues``: :meth:`replace_venues`)."""
        if name == VENUES_LAYER:
            self.replace_venues(gdf, who=who)
            return
        self._auto_backup("layer import")
        self._write_user_layer(name, gdf, current_actor(who))

    def _write_user_layer(self, name: str, gdf: gpd.GeoDataFrame, who: str) -> None:
        raise NotImplementedError


def _expectations(edited: dict[str, Row], base_rows: dict[str, Row] | None) -> dict[str, int]:
    """Return the versions the edited rows were read at (from ``base`` or the rows themselves)."""
    expect = {}
    for venue, row in edited.items():
        source = base_rows.get(venue) if base_rows is not None else row
        version = None if source is None else source.get(VERSION_COLUMN)
        if version is not None and not (isinstance(version, float) and math.isnan(version)):
            expect[venue] = int(version)
    return expect


def _versions(rows: Mapping[str, Row | None]) -> dict[str, Any]:
    """Return ``{venue id: version}`` of one side of a change (column-wise when it is so)."""
    if isinstance(rows, ChangeRows):
        return dict(zip(rows.ids, rows.column(VERSION_COLUMN), strict=True))
    return {venue: row[VERSION_COLUMN] for venue, row in rows.items()}


def change_summary(change: Change) -> dict[str, Any]:
    """Return a short, printable summary of a change (for ``venuemap history``)."""
    return {"id": change.id, "who": change.who, "when": change.when, "kind": change.kind,
            "venues": len(change.venue_ids), "undoes": change.undoes}  # fmt: skip


def dumps(value: Any) -> str:
    """Return compact JSON keeping Chinese readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
