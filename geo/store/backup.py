"""Where backups go and how many are kept.

Backups are written to the folder ``$VENUEMAP_BACKUP_DIR``, else ``<store>.backups/`` beside a
GeoPackage store (``~/.local/share/venuemap/backups/`` for a database server), one dated file
each: ``<name>-YYYYMMDDTHHMMSSffffffZ.<ext>``. Rotation keeps the newest :data:`KEEP` files
(``$VENUEMAP_BACKUP_KEEP``, default 10); older ones are deleted after each new backup.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

BACKUP_DIR_ENV = "VENUEMAP_BACKUP_DIR"
KEEP_ENV = "VENUEMAP_BACKUP_KEEP"
KEEP = 10


def backup_dir(store: Path | str) -> Path:
    """Return the folder that holds the backups of ``store`` (a file path or a name)."""
    if os.environ.get(BACKUP_DIR_ENV):
        return Path(os.environ[BACKUP_DIR_ENV]).expanduser()
    if isinstance(store, Path):
        target = store.resolve()
        return target.with_name(f"{target.name}.backups")
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "venuemap" / "backups"


def _stem(store: Path | str) -> str:
    return store.resolve().stem if isinstance(store, Path) else str(store)


def new_backup_path(store: Path | str, suffix: str) -> Path:
    """Return a new dated backup file path for ``store`` (its folder is created)."""
    folder = backup_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return folder / f"{_stem(store)}-{stamp}{suffix}"


def list_backups(store: Path | str) -> list[Path]:
    """Return the backups of ``store``, oldest first."""
    folder = backup_dir(store)
    if not folder.is_dir():
        return []
    prefix = f"{_stem(store)}-"
    return sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p.is_file())


def keep_count() -> int:
    """Return how many backups rotation keeps (``$VENUEMAP_BACKUP_KEEP``, default 10)."""
    try:
        return max(1, int(os.environ.get(KEEP_ENV, KEEP)))
    except ValueError:
        return KEEP


def rotate(store: Path | str) -> list[Path]:
    """Delete all but the newest :func:`keep_count` backups; return those deleted."""
    old = list_backups(store)[: -keep_count()]
    for path in old:
        path.unlink(missing_ok=True)
    return old
