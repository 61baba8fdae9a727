"""Who may use a shared store: the ``users`` table (name, role, salted password hash).

The table lives in the store itself, so one file (or one database) carries its register and its
users together. Code depends only on the small :class:`UserDirectory` protocol (list, get, put,
remove); :class:`GeoPackageUsers` implements it on a GeoPackage with plain ``sqlite3``: every
write is one ``BEGIN IMMEDIATE`` transaction on the file itself, with a busy timeout, so two
admins adding users at once are serialised by SQLite and neither change is lost. Hashing and
the role rules are in :mod:`venuemap.auth`; this module only stores.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from geo.errors import StoreError

USERS_TABLE = "users"
USERS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
    "password_hash TEXT NOT NULL, created_at TEXT NOT NULL)"
)
#: How long a write waits for another writer's transaction before giving up, seconds.
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class User:
    """One row of the users table; ``password_hash`` is an argon2 (or bcrypt) PHC string."""

    name: str
    role: str
    password_hash: str
    created_at: str


class UserDirectory(Protocol):
    """Where users are kept: the storage seam shared by every backend."""

    def users(self) -> list[User]:
        """Return every user, sorted by name (an empty list: single-user mode)."""
        ...

    def get_user(self, name: str) -> User | None:
        """Return the user called ``name``, or None."""
        ...

    def put_user(self, name: str, role: str, password_hash: str) -> None:
        """Create or replace user ``name`` (its ``created_at`` is kept on replace)."""
        ...

    def remove_user(self, name: str) -> bool:
        """Delete user ``name``; return False when there was none."""
        ...


class GeoPackageUsers:
    """A :class:`UserDirectory` in the ``users`` table of a GeoPackage store.

    Parameters
    ----------
    path
        The store file. Reading a missing file gives no users; the first :meth:`put_user`
        creates it as a GeoPackage (with an empty venue register) so GDAL and QGIS still
        open it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def users(self) -> list[User]:
        """Return every user, sorted by name."""
        return self._select("SELECT name, role, password_hash, created_at FROM users ORDER BY 1")

    def get_user(self, name: str) -> User | None:
        """Return the user called ``name``, or None."""
        found = self._select(
            "SELECT name, role, password_hash, created_at FROM users WHERE name = ?", (name,)
        )
        return found[0] if found else None

    def put_user(self, name: str, role: str, password_hash: str) -> None:
        """Create or replace user ``name`` in one transaction."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._write() as db:
            db.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash",
                (name, role, password_hash, now),
            )

    def remove_user(self, name: str) -> bool:
        """Delete user ``name`` in one transaction; return False when there was none."""
        with self._write() as db:
            return db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    # ------------------------------------------------------------------ sqlite plumbing
    def _connect(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the store {self.path}: {error}") from None
        return db

    def _select(self, sql: str, params: tuple[str, ...] = ()) -> list[User]:
        if not self.path.is_file():
            return []
        db = self._connect()
        try:
            has_table = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (USERS_TABLE,)
            ).fetchone()
            return [User(*row) for row in db.execute(sql, params)] if has_table else []
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"cannot read the users of the store {self.path}: {error}; is it a GeoPackage?"
            ) from None
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside ``BEGIN IMMEDIATE``; commit, or roll back on any error."""
        if not self.path.is_file():
            _create_geopackage(self.path)
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute(USERS_SCHEMA)
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreError(f"could not write the users of {self.path}: {error}") from None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()


def _create_geopackage(path: Path) -> None:
    """Create ``path`` as a GeoPackage holding an empty register (the demo is still shown)."""
    from geo.store import empty_register, open_store

    open_store(path).replace_venues(empty_register())


def open_users(path: str | os.PathLike[str] | None = None) -> UserDirectory:
    """Return the user directory of the store at ``path`` (resolved as :func:`open_store` does)."""
    from geo.store import resolve_store_path

    return GeoPackageUsers(resolve_store_path(path))
