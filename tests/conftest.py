"""Session fixtures shared by the test packages: a throwaway PostgreSQL + PostGIS server.

:func:`postgres_url` starts a private cluster (``initdb`` in a temporary folder, owned by an
unprivileged user when the tests run as root, as in CI), listening only on a unix socket in
that folder, creates the ``postgis`` extension, yields its URL and stops it at the end.
``$VENUEMAP_TEST_DATABASE_URL`` points the tests at an existing server instead.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_PORT = 5432
_ROLE = "venuemap"


def _pg_bin(name: str) -> str:
    """Return the path of a PostgreSQL server program (PATH, else Debian's versioned folder)."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(
            f"PostgreSQL's {name} is not installed: run `scripts/setup test` "
            "(Debian packages postgresql and postgis)"
        )
    return found


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return command if owner is None else ["runuser", "-u", owner, "--", *command]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Yield the URL of a throwaway PostgreSQL 15 + PostGIS server (stopped afterwards)."""
    if os.environ.get("VENUEMAP_TEST_DATABASE_URL"):
        yield os.environ["VENUEMAP_TEST_DATABASE_URL"]
        return
    owner = "nobody" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="venuemap-pg-"))
    data = folder / "data"
    if owner:
        shutil.chown(folder, user=owner)
    run = {"check": True, "capture_output": True, "text": True}
    initdb = [_pg_bin("initdb"), "-D", str(data), "-U", _ROLE, "--auth=trust", "-E", "UTF8"]
    subprocess.run(_as_owner([*initdb, "--no-locale"], owner), **run)
    options = f"-k {folder} -c listen_addresses='' -p {_PORT} -c fsync=off"
    pg_ctl = [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w"]
    subprocess.run(_as_owner([*pg_ctl, "-o", options, "start"], owner), **run)
    url = f"postgresql://{_ROLE}@/postgres?host={folder}&port={_PORT}"
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield url
    finally:
        subprocess.run(_as_owner([*pg_ctl, "-m", "immediate", "stop"], owner), check=False,
                       capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


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
