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
from typing import TYPE_CHECKING, Any

from geo.errors import StoreError
from geo.store.location import (
    DATABASE_ENV,
    STORE_ENV,
    default_store_path,
    display_location,
    file_data_version,
    file_has_users,
    is_database_url,
    refuse_store_as_output,
    resolve_store_path,
    store_location,
)

if TYPE_CHECKING:
    from geo.store.protocol import VenueStore

__all__ = [
    "DATABASE_ENV", "STORE_ENV", "USER_ENV", "USER_REFERENCE_LAYERS", "VENUES_LAYER",
    "VERSION_COLUMN", "Change", "GeoPackageStore", "UserRecord", "VenueStore",
    "conform_register", "current_actor", "default_store_path", "display_location", "empty_register",
    "file_data_version", "file_has_users", "is_database_url", "open_store",
    "refuse_store_as_output", "resolve_store_path", "store_location",
]  # fmt: skip
#: Names imported on first use (they need pandas and geopandas; :mod:`geo.store.location`
#: does not, so resolving the store stays cheap).
_LAZY = {
    "GeoPackageStore": "geo.store.gpkg", "USER_ENV": "geo.store.protocol",
    "USER_REFERENCE_LAYERS": "geo.store.protocol", "VENUES_LAYER": "geo.store.protocol",
    "VERSION_COLUMN": "geo.store.protocol", "Change": "geo.store.protocol",
    "UserRecord": "geo.store.protocol", "VenueStore": "geo.store.protocol",
    "conform_register": "geo.store.protocol", "current_actor": "geo.store.protocol",
    "empty_register": "geo.store.protocol",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """Import the data-stack names of :data:`_LAZY` when first asked for (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'geo.store' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)


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
    from geo.store.gpkg import GeoPackageStore

    resolved = Path(location)
    if resolved.exists() and resolved.is_dir():
        raise StoreError(f"the store path {resolved} is a folder; give a .gpkg file path")
    return GeoPackageStore(resolved)
