"""A throwaway PostgreSQL + PostGIS server, for the tests and the load bench.

``initdb`` in a temporary folder, owned by an unprivileged user when run as root (as in CI:
PostgreSQL refuses to run as root), listening only on a unix socket in that folder, never on
the network; the ``postgis`` extension created; stopped and deleted on exit.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


@contextmanager
def throwaway_postgis() -> Iterator[str]:
    """Start a private PostgreSQL + PostGIS cluster; yield its URL; stop and delete it."""
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
