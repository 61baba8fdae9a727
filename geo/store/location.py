"""Where the store is, and what can be learnt of a store file without opening it as a layer.

Kept free of the data stack (pandas, geopandas, pyogrio): app.py resolves the store and a
new server's first page checks a file's version and users (:mod:`ui.first_view`) before any
of those modules is imported. :mod:`geo.store` re-exports every name.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from geo.errors import StoreError

#: Environment variables naming the store file and the PostGIS server.
STORE_ENV = "VENUEMAP_STORE"
DATABASE_ENV = "VENUEMAP_DATABASE_URL"
_URL_PREFIXES = ("postgresql://", "postgres://")


def is_database_url(text: object) -> bool:
    """Return True when ``text`` names a PostgreSQL server rather than a file."""
    return isinstance(text, str) and text.startswith(_URL_PREFIXES)


def display_location(location: str | os.PathLike[str]) -> str:
    """Return a store location fit to show: a database URL without its password."""
    import re

    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", str(location))


def default_store_path() -> Path:
    """Return the store used when neither ``--store`` nor ``VENUEMAP_STORE`` names one.

    ``$XDG_DATA_HOME/venuemap/store.gpkg``, i.e. ``~/.local/share/venuemap/store.gpkg``.
    """
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "venuemap" / "store.gpkg"


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Return the store file: the argument, else ``$VENUEMAP_STORE``, else the default.

    An empty argument (``--store ''``) is refused rather than silently meaning the default.
    """
    if path is not None:
        if not str(path).strip():
            raise StoreError(
                "--store is empty; give a .gpkg file path, or leave --store out to use "
                f"${STORE_ENV} or the default {default_store_path()}"
            )
        return Path(path).expanduser()
    if os.environ.get(STORE_ENV, "").strip():
        return Path(os.environ[STORE_ENV]).expanduser()
    return default_store_path()


def store_location(path: str | os.PathLike[str] | None = None) -> str:
    """Return what :func:`open_store` would open: a database URL or a file path, as text."""
    if is_database_url(path):
        return str(path)
    if path is None and os.environ.get(DATABASE_ENV, "").strip():
        return os.environ[DATABASE_ENV].strip()
    return str(resolve_store_path(path))


def refuse_store_as_output(out: str | os.PathLike[str], store: str | None = None) -> None:
    """Raise StoreError when ``out`` is the store file itself (``export --out <store>``)."""
    location = store_location(store)
    if is_database_url(location) or not str(out).strip():
        return
    same = Path(out).expanduser().resolve() == Path(location).resolve()
    if same:
        raise StoreError(
            f"--out {out} is the store itself; writing there would overwrite your register. "
            "Choose another output file"
        )


def file_data_version(path: str | os.PathLike[str]) -> str:
    """Return the data version of a GeoPackage store: size and time of the file and its WAL.

    Both change on every commit, so equal versions mean equal data; a cheap ``stat``, no query.
    A missing file has version ``none/none``.
    """
    target = Path(path).resolve()
    parts = []
    for file in (target, Path(f"{target}-wal")):
        try:
            info = file.stat()
            parts.append(f"{info.st_size}-{info.st_mtime_ns}")
        except OSError:
            parts.append("none")
    return "/".join(parts)


def file_store_version(path: str | os.PathLike[str]) -> str:
    """Return the data version of a file store as the dashboard reports it (``none`` if absent)."""
    return file_data_version(path) if Path(path).exists() else "none"


def file_has_users(path: str | os.PathLike[str]) -> bool | None:
    """Return whether the GeoPackage store at ``path`` has accounts (None: cannot tell).

    A missing file has none. The file is opened read-only and only the ``users`` table is
    looked at; anything unexpected (locked, not SQLite) answers None, and the caller then takes
    the ordinary path, which checks properly (:func:`ui.login.login_gate`).
    """
    target = Path(path).resolve()
    if not target.exists():
        return False
    try:
        with sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True, timeout=0.2) as conn:
            tables = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'"
            ).fetchall()
            if not tables:
                return False
            return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return None
