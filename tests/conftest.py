"""Session fixtures shared by the test packages: a throwaway PostgreSQL + PostGIS server.

:func:`postgres_url` starts a private cluster (:func:`tests.pgserver.throwaway_postgis`: ``initdb``
in a temporary folder, owned by an unprivileged user when the tests run as root, as in CI,
listening only on a unix socket in that folder, with the ``postgis`` extension), yields its URL
and stops it at the end.
``$VENUEMAP_TEST_DATABASE_URL`` points the tests at an existing server instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pgserver import throwaway_postgis


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Yield the URL of a throwaway PostgreSQL 15 + PostGIS server (stopped afterwards)."""
    if os.environ.get("VENUEMAP_TEST_DATABASE_URL"):
        yield os.environ["VENUEMAP_TEST_DATABASE_URL"]
        return
    with throwaway_postgis() as url:
        yield url


@pytest.fixture(params=["gpkg", "postgis"])
def store_location(request, tmp_path, monkeypatch) -> str:
    """Return a fresh, empty store on each backend: a GeoPackage path, then a PostGIS URL.

    The PostGIS store gets its own schema (``$VENUEMAP_DATABASE_SCHEMA``) on the session's
    server; backups go to ``tmp_path/backups`` on both. The environment is set so that CLI
    subprocesses started by the test use the same store.
    """
    import uuid

    monkeypatch.setenv("VENUEMAP_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("VENUEMAP_STORE", raising=False)
    monkeypatch.delenv("VENUEMAP_DATABASE_URL", raising=False)
    if request.param == "gpkg":
        return str(tmp_path / "store.gpkg")
    monkeypatch.setenv("VENUEMAP_DATABASE_SCHEMA", f"t_{uuid.uuid4().hex[:12]}")
    return request.getfixturevalue("postgres_url")
