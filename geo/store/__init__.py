"""The user's store: where imports, edits and saved proposals go, never the repository's files.

Two backends behind one interface (:class:`geo.store.protocol.VenueStore`): a GeoPackage file
(the default; QGIS opens it as it is) and a PostgreSQL + PostGIS server for shared
deployments (``$VENUEMAP_DATABASE_URL`` or ``--database``). Every write is one database
transaction: a failed or killed write leaves the store as before, concurrent writers are
serialised, and every change of a venue is versioned and recorded (``changes``).
"""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import StoreError
from geo.store.gpkg import GeoPackageStore
from geo.store.protocol import (
    DATABASE_ENV,
    STORE_ENV,
    USER_ENV,
    USER_REFERENCE_LAYERS,
    VENUES_LAYER,
    VERSION_COLUMN,
    Change,
    UserRecord,
    VenueStore,
    conform_register,
    current_actor,
    empty_register,
)

__all__ = [
    "DATABASE_ENV", "STORE_ENV", "USER_ENV", "USER_REFERENCE_LAYERS", "VENUES_LAYER",
    "VERSION_COLUMN", "Change", "GeoPackageStore", "UserRecord", "VenueStore",
    "conform_register", "current_actor", "default_store_path", "display_location", "empty_register",
    "is_database_url", "open_store", "refuse_store_as_output", "resolve_store_path",
    "store_location",
]  # fmt: skip
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


def open_store(path: str | os.PathLike[str] | None = None) -> VenueStore:
    """Open the user's store: a PostGIS server or a GeoPackage file.

    A ``postgresql://`` URL (argument or ``$VENUEMAP_DATABASE_URL``) opens the PostGIS
    backend, anything else the GeoPackage file (:func:`resolve_store_path`).
    An explicit ``--store PATH`` wins over ``$VENUEMAP_DATABASE_URL``.
    """
    location = store_location(path)
    if is_database_url(location):
        from geo.store.postgis import PostgisStore

        return PostgisStore(location)
    resolved = Path(location)
    if resolved.exists() and resolved.is_dir():
        raise StoreError(f"the store path {resolved} is a folder; give a .gpkg file path")
    return GeoPackageStore(resolved)


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
