"""Who may use a shared store: the ``users`` table (name, role, salted password hash).

The table lives in the store itself, so one file (or one database) carries its register and its
users together: both store backends (``geo.store``: GeoPackage, PostGIS) keep it and implement
the small :class:`UserDirectory` protocol (list, get, put, remove), each write one transaction.
Hashing and the role rules are in :mod:`venuemap.auth`; this module only names the seam.
"""

from __future__ import annotations

import os
from typing import Protocol

from geo.store.protocol import UserRecord

#: One row of the users table; ``password_hash`` is an argon2 PHC string.
User = UserRecord


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


def open_users(path: str | os.PathLike[str] | None = None) -> UserDirectory:
    """Return the user directory of the store at ``path`` (as :func:`geo.store.open_store`)."""
    from geo.store import open_store

    return open_store(path)
