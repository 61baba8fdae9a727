"""The GeoPackage store: SQLite transactions on the file itself, never a copy swapped in.

Every write is ``BEGIN IMMEDIATE`` … ``COMMIT`` on the store file (symlinks followed), with a
busy timeout so that concurrent writers — other ``venuemap`` runs, the dashboard, QGIS — are
serialised by SQLite. Other tables and other clients' data are untouched; the file's journal
mode (QGIS uses WAL) is kept. A killed write is rolled back by SQLite on the next open.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.boundaries import normalise_codes
from geo.bulk import cyclic_gc_paused
from geo.errors import StoreBusyError, StoreError, VenuemapError
from geo.schema import STORAGE_CRS
from geo.store import backup as backups
from geo.store import gpkgblob, gpkgsql
from geo.store.changerows import touched_ids
from geo.store.history import Row, VersionedStore, columns_to_frame, dumps, rows_to_frame
from geo.store.location import STORE_ENV, file_data_version
from geo.store.protocol import (
    BUSY_TIMEOUT_S,
    VENUES_LAYER,
    Change,
    UserRecord,
)

_SRS_ID = 4326


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class GeoPackageStore(VersionedStore):
    """A :class:`geo.store.protocol.VenueStore` in one GeoPackage file.

    Parameters
    ----------
    path
        The ``.gpkg`` file (a symlink is followed). It need not exist: the first write
        creates it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    # ------------------------------------------------------------------ opening
    @property
    def target(self) -> Path:
        """The real file behind :attr:`path` (symlinks resolved)."""
        return self.path.resolve()

    def exists(self) -> bool:
        """Return True when the store file exists."""
        return self.path.exists()

    def _connect(self, *, write: bool) -> sqlite3.Connection:
        """Open the file with a busy timeout; check it is a GeoPackage (or a new, empty file)."""
        target = self.target
        if write:
            _check_writable(self.path, target)
        try:
            conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            gpkgblob.register_functions(conn)
            gpkgsql.check_geopackage(conn, self.path)
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"cannot open the store {self.path}: {error}. Is it a GeoPackage? "
                f"Choose another file with --store or {STORE_ENV}."
            ) from error
        except VenuemapError:
            conn.close()
            raise
        return conn

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """Yield a connection for reading, or None when the store does not exist yet."""
        if not self.path.exists():
            yield None
            return
        conn = self._connect(write=False)
        try:
            _clear_stale_journal(conn, self.target)
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[_GpkgTransaction]:
        """Run the block in one ``BEGIN IMMEDIATE`` transaction; roll back on any error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect(write=True)
        try:
            _begin(conn, self.path)
            try:
                gpkgsql.ensure_schema(conn)
                yield _GpkgTransaction(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except VenuemapError:
            raise
        except sqlite3.OperationalError as error:
            raise _busy_or_store_error(error, self.path) from error
        except (sqlite3.Error, ValueError, TypeError) as error:
            message = f"could not write to {self.path}: {error}; nothing was written"
            raise StoreError(message) from error
        finally:
            conn.close()

    # ------------------------------------------------------------------ reading
    def layer_names(self) -> list[str]:
        """Return the feature layers the store holds (none when the file does not exist)."""
        with self._reading() as conn:
            if conn is None:
                return []
            return gpkgsql.feature_tables(conn)

    def _read_rows(self, include_retired: bool) -> Iterator[Row]:
        with self._reading() as conn:
            if conn is None or VENUES_LAYER not in gpkgsql.feature_tables(conn):
                return iter(())
            return iter(gpkgsql.select_venues(conn, None, include_retired))

    @cyclic_gc_paused()
    def venues(self, *, include_retired: bool = False) -> gpd.GeoDataFrame:
        """Return the venues (register columns + ``version``); retired ones only on request.

        Read column by column (:func:`gpkgsql.select_venue_columns`): the same frame as the
        row-wise :meth:`VersionedStore.venues`, without one dict per venue.
        """
        with self._reading() as conn:
            if conn is None or VENUES_LAYER not in gpkgsql.feature_tables(conn):
                return rows_to_frame([])
            columns, geometries = gpkgsql.select_venue_columns(conn, include_retired)
        return columns_to_frame(columns, geometries)

    def _read_changes(self, venue_id: str | None) -> list[Change]:
        with self._reading() as conn:
            if conn is None or not gpkgsql.has_table(conn, "changes"):
                return []
            return gpkgsql.select_changes(conn, venue_id)

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Return layer ``name`` in EPSG:4326, or None when the store has no such layer."""
        if name == VENUES_LAYER:
            venues = self.venues()
            return venues if len(venues) or VENUES_LAYER in self.layer_names() else None
        with self._reading() as conn:
            if conn is None or name not in gpkgsql.feature_tables(conn):
                return None
            gdf = gpkgsql.read_feature_table(conn, name)
        return normalise_codes(gdf.to_crs(STORAGE_CRS) if gdf.crs else gdf.set_crs(STORAGE_CRS))

    def data_version(self) -> str:
        """Return size and time of the file and of its WAL: they change on every commit."""
        return file_data_version(self.path)

    # ------------------------------------------------------------------ writing
    def _write_user_layer(self, name: str, gdf: gpd.GeoDataFrame, who: str) -> None:
        """Replace one user layer (townships, villages) in one transaction; record it."""
        frame = gdf.to_crs(STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(STORAGE_CRS)
        with self._transaction() as tx:
            gpkgsql.replace_feature_table(tx.conn, name, frame, _SRS_ID)
            tx.record(who, "layer", {}, {}, None, layer=name, rows=len(frame))

    # ------------------------------------------------------------------ backups
    def backup(self, dest: str | os.PathLike[str] | None = None) -> Path:
        """Copy the store with SQLite's online backup API; return the backup file.

        Default: a dated file in the backup folder (see :mod:`geo.store.backup`), rotated.
        """
        if not self.path.exists():
            raise StoreError(f"there is no store at {self.path} to back up yet")
        target = Path(dest) if dest else backups.new_backup_path(self.path, ".gpkg")
        partial = target.with_name(f".{target.name}.partial")
        source = self._connect(write=False)
        try:
            copy = sqlite3.connect(partial)
            with copy:
                source.backup(copy)
            copy.close()
            os.replace(partial, target)
        finally:
            source.close()
            partial.unlink(missing_ok=True)
        if not dest:
            backups.rotate(self.path)
        return target

    def _auto_backup(self, reason: str) -> None:
        if self.path.exists() and self.path.stat().st_size > 0:
            self.backup()

    def restore(self, source: str | os.PathLike[str], *, who: str | None = None) -> None:
        """Replace the whole store with the backup ``source`` (the current state is backed up)."""
        source = Path(source)
        try:
            backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            gpkgsql.check_geopackage(backup_conn, source, require_tables=True)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{source} is not a GeoPackage backup: {error}") from error
        if self.path.exists():
            self.backup()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._connect(write=True)
        try:
            backup_conn.backup(conn)
        except sqlite3.OperationalError as error:
            raise _busy_or_store_error(error, self.path) from error
        finally:
            backup_conn.close()
            conn.close()
        from geo.store.protocol import current_actor

        with self._transaction() as tx:
            tx.record(current_actor(who), "restore", {}, {}, None, source=str(source))

    # ------------------------------------------------------------------ users
    def users(self) -> list[UserRecord]:
        """Return every user, sorted by name."""
        with self._reading() as conn:
            if conn is None or not gpkgsql.has_table(conn, "users"):
                return []
            rows = conn.execute(
                "SELECT name, role, password_hash, created_at, updated_at FROM users ORDER BY name"
            ).fetchall()
        return [UserRecord(*row) for row in rows]

    def get_user(self, name: str) -> UserRecord | None:
        """Return user ``name``, or None."""
        return next((user for user in self.users() if user.name == name), None)

    def put_user(self, name: str, role: str, password_hash: str) -> None:
        """Create user ``name`` or update its role and password hash."""
        now = _now()
        with self._transaction() as tx:
            tx.conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash, updated_at = excluded.updated_at",
                (name, role, password_hash, now, now),
            )

    def remove_user(self, name: str) -> bool:
        """Delete user ``name``; return False when there was no such user."""
        with self._transaction() as tx:
            return tx.conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0


class _GpkgTransaction:
    """The :class:`geo.store.history.Transaction` of one open SQLite transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.geometry_column = gpkgsql.ensure_venues_table(conn, _SRS_ID)
        # rows inserted and their bounds, while nothing was updated: the layer's extent
        # then grows by those bounds instead of a scan of the table (see touch_contents)
        self._inserted: tuple[int, tuple[float, float, float, float] | None] | None = (0, None)

    def rows(self, ids: Iterable[str] | None) -> dict[str, Row]:
        found = gpkgsql.select_venues(self.conn, None if ids is None else list(ids), True)
        return {row["id"]: row for row in found}

    def insert(self, columns: dict[str, list[Any]]) -> None:
        gpkgsql.insert_venues(self.conn, columns, self.geometry_column, _SRS_ID)
        if self._inserted is not None:
            count, bounds = self._inserted
            self._inserted = count + len(columns["id"]), _union(bounds, columns["geometry"])

    def update(self, rows: list[Row]) -> None:
        gpkgsql.update_venues(self.conn, rows, self.geometry_column, _SRS_ID)
        if rows:
            self._inserted = None

    def record(
        self, who: str, kind: str, before: Mapping, after: Mapping, undoes: int | None,
        **info: Any,
    ) -> Change:  # fmt: skip
        """Append one row to ``changes``; return it as recorded (not read back and parsed)."""
        ids = touched_ids(before, after)
        when = _now()
        fields = {"who": who, "changed_at": when, "kind": kind, "venue_ids": dumps(ids),
                  "undoes": undoes, "info": dumps(info) if info else None}  # fmt: skip
        change_id = gpkgsql.insert_change(self.conn, fields, before, after)
        if ids:
            gpkgsql.touch_contents(self.conn, VENUES_LAYER, self.geometry_column,
                                   inserted=self._inserted)  # fmt: skip
        return Change(change_id, who, when, kind, tuple(ids), before, after, undoes)

    def change(self, change_id: int) -> Change | None:
        return gpkgsql.select_change(self.conn, change_id)


def _union(
    bounds: tuple[float, float, float, float] | None, geometries: list[Any]
) -> tuple[float, float, float, float] | None:
    """Return ``bounds`` grown to cover ``geometries`` (None: nothing with coordinates yet)."""
    found = shapely.total_bounds(np.asarray(geometries, dtype=object)) if geometries else None
    if found is None or np.isnan(found).any():
        return bounds
    min_x, min_y, max_x, max_y = map(float, found)
    if bounds is not None:
        min_x, min_y = min(min_x, bounds[0]), min(min_y, bounds[1])
        max_x, max_y = max(max_x, bounds[2]), max(max_y, bounds[3])
    return min_x, min_y, max_x, max_y


def _check_writable(path: Path, target: Path) -> None:
    """Refuse a read-only store (mode bits, even for root) or a folder we cannot write in."""
    if target.exists():
        mode = target.stat().st_mode
        writable_bits = mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        if not writable_bits or not os.access(target, os.W_OK):
            raise StoreError(
                f"the store {path} is read-only (mode {stat.filemode(mode)}); nothing was written."
                f" Make it writable (chmod u+w) or choose another store with --store"
            )
    folder = target.parent
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"cannot write in the folder {folder} (SQLite needs it for its journal); "
            "nothing was written. Choose another store with --store"
        )


def _clear_stale_journal(conn: sqlite3.Connection, target: Path) -> None:
    """Delete the rollback journal a killed writer left, when no one else is using the store.

    SQLite replays a *hot* journal itself on open; a writer killed before its journal header
    was synced leaves a journal that is not hot, which SQLite ignores but keeps on disk. Under
    an EXCLUSIVE lock (no other reader or writer) that file is nobody's and is removed.
    """
    journal = Path(f"{target}-journal")
    if not journal.exists() or not os.access(target.parent, os.W_OK):
        return
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        conn.execute("BEGIN EXCLUSIVE")
    except sqlite3.OperationalError:
        return  # in use: the journal belongs to a live writer
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    try:
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            journal.unlink(missing_ok=True)
    finally:
        conn.execute("COMMIT")


def _begin(conn: sqlite3.Connection, path: Path) -> None:
    """Start a write transaction, waiting up to the busy timeout for other writers."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise _busy_or_store_error(error, path) from error


def _busy_or_store_error(error: sqlite3.OperationalError, path: Path) -> StoreError:
    text = str(error)
    if "locked" in text or "busy" in text:
        return StoreBusyError(
            f"the store {path} is busy (another writer held it for over {BUSY_TIMEOUT_S:.0f} s); "
            "nothing was written — try again in a moment"
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(f"the store {path} is read-only; nothing was written")
    return StoreError(f"could not write to {path}: {text}; nothing was written")
