"""What every store offers: the register's shape, change records, user records, the interface.

Two implementations exist: :class:`geo.store.gpkg.GeoPackageStore` (one GeoPackage file, the
default) and :class:`geo.store.postgis.PostgisStore` (a shared PostgreSQL + PostGIS server).
Both keep venues *retired*, never deleted, give every venue a ``version`` that grows by one on
each change, and record each change (who, when, kind, venue ids, before, after) in ``changes``.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd

from geo.boundaries import normalise_codes
from geo.schema import NUMERIC_COLUMNS, STORAGE_CRS, VENUE_COLUMNS

VENUES_LAYER = "venues"
#: Layers a user may replace ours with (their official township polygons, surveyed villages).
USER_REFERENCE_LAYERS = ("townships", "villages")
USER_ENV = "VENUEMAP_USER"
#: Seconds a writer waits for another writer before giving up with exit 75 (EX_TEMPFAIL).
BUSY_TIMEOUT_S = float(os.environ.get("VENUEMAP_BUSY_TIMEOUT_S", "60"))
#: Record columns the store adds to every venue: its version (1 on creation, +1 per change).
VERSION_COLUMN = "version"
#: Columns a venue row carries inside the store besides the register's own.
RECORD_COLUMNS = (VERSION_COLUMN, "retired", "extra")
#: Kinds of change, as written in ``changes.kind``.
CHANGE_KINDS = ("create", "edit", "retire", "import", "proposal", "undo", "layer", "restore")


def current_actor(explicit: str | None = None) -> str:
    """Return who is acting: ``explicit``, else ``$VENUEMAP_USER``, else the OS user."""
    if explicit and explicit.strip():
        return explicit.strip()
    if os.environ.get(USER_ENV, "").strip():
        return os.environ[USER_ENV].strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return f"uid{os.getuid()}"


@dataclass(frozen=True)
class Change:
    """One recorded change of the register.

    Attributes
    ----------
    id
        Increasing number of the change (``venuemap undo ID`` takes it).
    who, when, kind
        The actor, the UTC time (ISO 8601) and one of :data:`CHANGE_KINDS`.
    venue_ids
        The venues the change touched.
    before, after
        ``{venue id: row or None}``: each venue's row before and after (None = did not exist).
        Rows are plain JSON values (geometry as WKT). A mapping: a plain dict, or
        :class:`geo.store.changerows.ChangeRows` (the same, held column by column).
    undoes
        For an undo, the id of the change it reverts.
    """

    id: int
    who: str
    when: str
    kind: str
    venue_ids: tuple[str, ...]
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    undoes: int | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """Return the change as a JSON-ready dict (``venuemap history --json``)."""
        return {
            "id": self.id,
            "who": self.who,
            "when": self.when,
            "kind": self.kind,
            "venue_ids": list(self.venue_ids),
            "before": dict(self.before),
            "after": dict(self.after),
            "undoes": self.undoes,
        }

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Change:
        """Build a change from a stored row (JSON texts or parsed values).

        ``row`` is ``(id, who, when, kind, venue_ids, before, after, undoes, layout)``;
        ``layout`` tells how before/after are held (:mod:`geo.store.changerows`).
        """
        from geo.store.changerows import decode_side

        ident, who, when, kind, ids, before, after, undoes, layout = row
        ids = json.loads(ids) if isinstance(ids, str) else ids
        return cls(int(ident), who, str(when), kind, tuple(ids or ()),
                   decode_side(layout, before), decode_side(layout, after),
                   None if undoes is None else int(undoes))  # fmt: skip


@dataclass(frozen=True)
class UserRecord:
    """One row of the ``users`` table (the hash is made and checked by the auth module)."""

    name: str
    role: str
    password_hash: str
    created_at: str
    updated_at: str


def empty_register() -> gpd.GeoDataFrame:
    """Return a register with the venue columns and no rows."""
    frame = pd.DataFrame({column: pd.Series(dtype=object) for column in VENUE_COLUMNS})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def conform_register(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` with exactly the register's columns, types and CRS.

    A ``version`` column, when present (venues read from a store), is kept after the register's
    columns so that it travels into every export.
    """
    out = gdf.to_crs(STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(STORAGE_CRS)
    for column in VENUE_COLUMNS:
        if column not in out.columns:
            out[column] = None
    kept = list(VENUE_COLUMNS) + ([VERSION_COLUMN] if VERSION_COLUMN in out.columns else [])
    out = gpd.GeoDataFrame(out[kept + [out.geometry.name]], crs=STORAGE_CRS)
    out = out.rename_geometry("geometry") if out.geometry.name != "geometry" else out
    for column, kind in NUMERIC_COLUMNS.items():
        numbers = pd.to_numeric(out[column], errors="coerce")
        out[column] = numbers.astype("Int64" if kind == "integer" else float)
    if VERSION_COLUMN in out.columns:
        out[VERSION_COLUMN] = pd.to_numeric(out[VERSION_COLUMN], errors="coerce").astype("Int64")
    return normalise_codes(out)


class VenueStore(Protocol):
    """What pages, the CLI and the use-case layer may ask of a store (both backends)."""

    path: Any

    def exists(self) -> bool:
        """Return True when the store holds anything (file exists / schema created)."""

    def venues(self, *, include_retired: bool = False) -> gpd.GeoDataFrame:
        """Return the venues (register columns + ``version``), retired ones only on request."""

    def add_venues(
        self, gdf: gpd.GeoDataFrame, *, who: str | None = None, kind: str = "import"
    ) -> Change | None:
        """Append venues in one transaction; ids already active are refused."""

    def replace_venues(
        self,
        gdf: gpd.GeoDataFrame,
        *,
        who: str | None = None,
        kind: str = "edit",
        base: gpd.GeoDataFrame | None = None,
    ) -> Change | None:
        """Make the register equal ``gdf`` (or apply the edits ``base`` → ``gdf``), versioned."""

    def edit_venue(
        self,
        venue_id: str,
        values: dict[str, Any],
        *,
        who: str | None = None,
        expect_version: int | None = None,
    ) -> Change:
        """Change fields of one venue; a stale ``expect_version`` raises ConflictError."""

    def retire_venues(
        self,
        ids: list[str],
        *,
        who: str | None = None,
        expect_versions: dict[str, int] | None = None,
    ) -> Change | None:
        """Retire venues (they stay in the store, hidden from the register)."""

    def changes(self, venue_id: str | None = None) -> list[Change]:
        """Return the recorded changes, newest first (only those touching ``venue_id``)."""

    def undo(self, change_id: int, *, who: str | None = None) -> Change:
        """Revert one change (itself recorded as a change of kind ``undo``)."""

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Return a user layer, or None when the store has none of that name."""

    def write_layer(self, name: str, gdf: gpd.GeoDataFrame, *, who: str | None = None) -> None:
        """Write (replace) one user layer in one transaction."""

    def data_version(self) -> str:
        """Return a token that changes whenever the store's data changes (cache keys)."""

    def backup(self, dest: Any = None) -> Any:
        """Write a backup (default: a dated file in the backup folder, rotated); return it."""

    def restore(self, source: Any, *, who: str | None = None) -> None:
        """Replace the store's content with a backup (after backing up the current state)."""

    def users(self) -> list[UserRecord]:
        """Return every user, sorted by name."""

    def get_user(self, name: str) -> UserRecord | None:
        """Return one user, or None."""

    def put_user(self, name: str, role: str, password_hash: str) -> None:
        """Create or update a user."""

    def remove_user(self, name: str) -> bool:
        """Delete a user; return False when there was none."""
