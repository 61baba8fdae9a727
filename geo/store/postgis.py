"""The PostGIS store: the same register, history and users on a shared PostgreSQL server.

Everything lives in one schema (``venuemap``, or ``$VENUEMAP_DATABASE_SCHEMA``), created on
first use, its tables versioned by :data:`MIGRATIONS` (recorded in ``schema_migrations``).
Writers are serialised by a transaction-scoped advisory lock (the equivalent of SQLite's
``BEGIN IMMEDIATE``), waiting at most the busy timeout; several dashboard instances and CLI
runs can share one database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import normalise_codes
from geo.errors import StoreBusyError, StoreError, VenuemapError
from geo.schema import STORAGE_CRS, VENUE_COLUMNS, column_type
from geo.store import backup as backups
from geo.store.changerows import encode_sides, touched_ids
from geo.store.history import Row, VersionedStore, dumps
from geo.store.location import DATABASE_ENV
from geo.store.protocol import BUSY_TIMEOUT_S, VENUES_LAYER, Change, UserRecord

SCHEMA_ENV = "VENUEMAP_DATABASE_SCHEMA"
_LOCK_KEY = 0x76656E75  # "venu": one advisory lock per database for our writers
_PG_TYPES = {"integer": "integer", "real": "double precision", "text": "text"}
_VENUE_DDL = ", ".join(f"{c} {_PG_TYPES[column_type(c)]}" for c in VENUE_COLUMNS if c != "id")
#: Our schema, by version; each runs once per database (recorded in ``schema_migrations``).
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "venues, history, users, user layers", (
        f"CREATE TABLE venues (fid bigserial PRIMARY KEY, id text NOT NULL UNIQUE, {_VENUE_DDL}, "
        "version integer NOT NULL DEFAULT 1, retired boolean NOT NULL DEFAULT false, "
        "extra jsonb, geom geometry(Point, 4326))",
        "CREATE INDEX venues_geom ON venues USING gist (geom)",
        "CREATE TABLE changes (id bigserial PRIMARY KEY, who text NOT NULL, changed_at "
        "timestamptz NOT NULL DEFAULT now(), kind text NOT NULL, venue_ids jsonb NOT NULL, "
        '"before" jsonb, "after" jsonb, undoes bigint, info jsonb)',
        "CREATE INDEX changes_venues ON changes USING gin (venue_ids)",
        "CREATE TABLE users (name text PRIMARY KEY, role text NOT NULL, password_hash text NOT "
        "NULL, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL "
        "DEFAULT now())",
        "CREATE TABLE user_layers (name text NOT NULL, row_no integer NOT NULL, properties "
        "jsonb NOT NULL, geom geometry(Geometry, 4326), PRIMARY KEY (name, row_no))",
    )),
    # NULL: before/after are {venue id: row}; 'columns': geo.store.changerows.ChangeRows JSON
    (2, "changes.layout: column-wise before/after", (
        "ALTER TABLE changes ADD COLUMN layout text",
    )),
)  # fmt: skip
_DUMP_TABLES = ("venues", "changes", "users", "user_layers")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as error:  # pragma: no cover - psycopg is a dependency
        message = "the PostGIS store needs psycopg: pip install 'psycopg[binary]'"
        raise StoreError(message) from error
    return psycopg


def _one_line(error: Exception) -> str:
    """Return an error's text on one line (libpq adds indented hint lines)."""
    return " ".join(str(error).split())


def redact(url: str) -> str:
    """Return ``url`` without its password (for messages)."""
    from geo.store import display_location

    return display_location(url)


def _iso(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(value)


class PostgisStore(VersionedStore):
    """A :class:`geo.store.protocol.VenueStore` on PostgreSQL + PostGIS.

    Parameters
    ----------
    url
        ``postgresql://user:password@host:port/database`` (libpq syntax, ``?host=/socket/dir``
        for a unix socket).
    schema
        Schema holding our tables (default ``$VENUEMAP_DATABASE_SCHEMA`` or ``venuemap``).
    """

    def __init__(self, url: str, schema: str | None = None) -> None:
        self.path = url
        self.url = url
        self.schema = schema or os.environ.get(SCHEMA_ENV, "venuemap")
        if not self.schema.isidentifier():
            raise StoreError(f"invalid schema name {self.schema!r} in {SCHEMA_ENV}")
        self._ready = False
        self._schema_seen = False
        self._has_layout = False  # changes.layout (migration 2) seen

    @property
    def _backup_name(self) -> str:
        return f"postgis-{self.schema}"

    def __repr__(self) -> str:
        return f"PostgisStore({redact(self.url)!r})"

    # ------------------------------------------------------------------ connections
    @contextmanager
    def _connection(self) -> Iterator[Any]:
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, connect_timeout=10, autocommit=True)
        except psycopg.Error as error:
            raise StoreError(
                f"cannot connect to the database {redact(self.url)}: {_one_line(error)}; "
                f"check --database / {DATABASE_ENV}"
            ) from error
        try:
            with conn.cursor() as cur:
                cur.execute(f"SET search_path TO {self.schema}, public")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[_PgTransaction]:
        """Run the block in one transaction holding our writers' advisory lock."""
        psycopg = _psycopg()
        with self._connection() as conn:
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(f"SET LOCAL lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                    self._migrate(cur)
                    yield _PgTransaction(cur)
            except VenuemapError:
                raise
            except psycopg.errors.LockNotAvailable as error:
                raise StoreBusyError(
                    f"the database {redact(self.url)} is busy (another writer held it for over "
                    f"{BUSY_TIMEOUT_S:.0f} s); nothing was written — try again in a moment"
                ) from error
            except psycopg.Error as error:
                raise StoreError(
                    f"could not write to {redact(self.url)}: {_one_line(error)}; "
                    "nothing was written"
                ) from error

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """Yield a cursor inside one locked transaction, for tables beside the register.

        The survey book (``geo.survey``) keeps its tokens and submissions this way.
        """
        with self._transaction() as tx:
            yield tx.cur

    def _migrate(self, cur: Any) -> None:
        """Create the schema and run pending migrations (inside the locked transaction)."""
        if self._ready:
            return
        cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
        if cur.fetchone() is None:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
            "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        cur.execute("SELECT version FROM schema_migrations")
        done = {row[0] for row in cur.fetchall()}
        for version, description, statements in MIGRATIONS:
            if version in done:
                continue
            for statement in statements:
                cur.execute(statement)
            cur.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (%s, %s)",
                (version, description),
            )
        self._ready = self._has_layout = True

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run a read query; an absent schema reads as empty.

        Until our schema exists nothing is read at all, so that a same-named table in
        ``public`` (another application's ``venues``) is never taken for ours.
        """
        psycopg = _psycopg()
        with self._connection() as conn, conn.cursor() as cur:
            try:
                if not self._schema_seen:
                    cur.execute("SELECT to_regclass(%s)", (f"{self.schema}.schema_migrations",))
                    if cur.fetchone()[0] is None:
                        return []
                    self._schema_seen = True
                cur.execute(sql, params)
                return cur.fetchall()
            except psycopg.errors.UndefinedTable:
                return []
            except psycopg.Error as error:
                raise StoreError(f"cannot read {redact(self.url)}: {_one_line(error)}") from error

    # ------------------------------------------------------------------ reading
    def exists(self) -> bool:
        """Return True when our schema has been created in the database."""
        return bool(self._query("SELECT 1 FROM schema_migrations LIMIT 1"))

    def layer_names(self) -> list[str]:
        """Return the layers held: ``venues`` (when any) and the user layers."""
        names = [VENUES_LAYER] if self._query("SELECT 1 FROM venues LIMIT 1") else []
        return names + [r[0] for r in self._query("SELECT DISTINCT name FROM user_layers")]

    def _read_rows(self, include_retired: bool) -> Iterator[Row]:
        where = "" if include_retired else " WHERE NOT retired"
        return iter(_venue_rows(self._query(f"{_VENUE_SELECT}{where} ORDER BY fid")))

    def _changes_from(self, sql: str) -> str:
        """Return ``sql`` reading ``changes.layout`` as NULL until migration 2 has run.

        Readers (and the backup before a write) never migrate: an older schema reads as is.
        """
        if not self._has_layout:
            self._has_layout = bool(self._query("SELECT 1 FROM schema_migrations WHERE "
                                                "version = 2"))  # fmt: skip
        return sql.format(layout="layout" if self._has_layout else "NULL AS layout")

    def _read_changes(self, venue_id: str | None) -> list[Change]:
        select = self._changes_from(_CHANGE_SELECT)
        if venue_id is None:
            rows = self._query(f"{select} ORDER BY id DESC")
        else:
            rows = self._query(f"{select} WHERE venue_ids ? %s ORDER BY id DESC", (str(venue_id),))
        return [_change(row) for row in rows]

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """Return a user layer in EPSG:4326, or None when the database has none of that name."""
        if name == VENUES_LAYER:
            venues = self.venues()
            return venues if len(venues) else None
        rows = self._query(
            "SELECT properties, ST_AsBinary(geom) FROM user_layers WHERE name = %s "
            "ORDER BY row_no",
            (name,),
        )
        if not rows:
            return None
        frame = pd.DataFrame([row[0] for row in rows])
        geoms = [None if row[1] is None else shapely.from_wkb(bytes(row[1])) for row in rows]
        return normalise_codes(gpd.GeoDataFrame(frame, geometry=geoms, crs=STORAGE_CRS))

    def data_version(self) -> str:
        """Return the newest change id and the count of changes (every write records one)."""
        rows = self._query("SELECT coalesce(max(id), 0), count(*) FROM changes")
        return "none" if not rows else f"pg-{rows[0][0]}-{rows[0][1]}"

    # ------------------------------------------------------------------ writing
    def _write_user_layer(self, name: str, gdf: gpd.GeoDataFrame, who: str) -> None:
        frame = gdf.to_crs(STORAGE_CRS) if gdf.crs is not None else gdf.set_crs(STORAGE_CRS)
        properties = json.loads(frame.drop(columns=frame.geometry.name).to_json(orient="records"))
        with self._transaction() as tx:
            tx.cur.execute("DELETE FROM user_layers WHERE name = %s", (name,))
            tx.cur.executemany(
                "INSERT INTO user_layers VALUES (%s, %s, %s, ST_GeomFromWKB(%s, 4326))",
                [
                    (name, i, dumps(props), None if g is None else shapely.to_wkb(g))
                    for i, (props, g) in enumerate(zip(properties, frame.geometry, strict=True))
                ],
            )
            tx.record(who, "layer", {}, {}, None, layer=name, rows=len(frame))

    # ------------------------------------------------------------------ backups
    def backup(self, dest: str | os.PathLike[str] | None = None) -> Path:
        """Dump our tables to a JSON file (restorable by :meth:`restore`); return it."""
        target = Path(dest) if dest else backups.new_backup_path(self._backup_name, ".json")
        dump: dict[str, Any] = {"format": "venuemap-postgis-dump", "version": 1}
        for table in _DUMP_TABLES:
            dump[table] = _dump_rows(self._query(self._changes_from(_DUMP_SELECT[table])))
        partial = target.with_name(f".{target.name}.partial")
        partial.write_text(json.dumps(dump, ensure_ascii=False, default=_iso), encoding="utf-8")
        os.replace(partial, target)
        if not dest:
            backups.rotate(self._backup_name)
        return target

    def _auto_backup(self, reason: str) -> None:
        if self.exists():
            self.backup()

    def restore(self, source: str | os.PathLike[str], *, who: str | None = None) -> None:
        """Replace our tables' content with a dump made by :meth:`backup` (one transaction)."""
        try:
            dump = json.loads(Path(source).read_text(encoding="utf-8"))
            assert dump.get("format") == "venuemap-postgis-dump"
        except (OSError, ValueError, AssertionError, AttributeError) as error:
            raise StoreError(f"{source} is not a venuemap PostGIS backup (JSON dump)") from error
        if self.exists():
            self.backup()
        from geo.store.protocol import current_actor

        with self._transaction() as tx:
            _load_dump(tx.cur, dump)
            tx.record(current_actor(who), "restore", {}, {}, None, source=str(source))

    # ------------------------------------------------------------------ users
    def users(self) -> list[UserRecord]:
        """Return every user, sorted by name."""
        rows = self._query(
            "SELECT name, role, password_hash, created_at, updated_at FROM users ORDER BY name"
        )
        return [UserRecord(r[0], r[1], r[2], _iso(r[3]), _iso(r[4])) for r in rows]

    def get_user(self, name: str) -> UserRecord | None:
        """Return user ``name``, or None."""
        return next((user for user in self.users() if user.name == name), None)

    def put_user(self, name: str, role: str, password_hash: str) -> None:
        """Create user ``name`` or update its role and password hash."""
        with self._transaction() as tx:
            tx.cur.execute(
                "INSERT INTO users (name, role, password_hash) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET role = excluded.role, "
                "password_hash = excluded.password_hash, updated_at = now()",
                (name, role, password_hash),
            )

    def remove_user(self, name: str) -> bool:
        """Delete user ``name``; return False when there was no such user."""
        with self._transaction() as tx:
            tx.cur.execute("DELETE FROM users WHERE name = %s", (name,))
            return tx.cur.rowcount > 0


_COLUMNS = ", ".join(VENUE_COLUMNS)
_VENUE_SELECT = f"SELECT {_COLUMNS}, version, retired, extra, ST_AsBinary(geom) FROM venues"
_CHANGE_FIELDS = 'id, who, changed_at, kind, venue_ids, "before", "after", undoes, {layout}'
#: ``{layout}``: ``layout``, or NULL before migration 2 (see PostgisStore._changes_from)
_CHANGE_SELECT = f"SELECT {_CHANGE_FIELDS} FROM changes"
_DUMP_SELECT = {
    "venues": f"SELECT {_COLUMNS}, version, retired, extra, ST_AsText(geom) AS geom FROM venues "
    "ORDER BY fid",
    "changes": 'SELECT id, who, changed_at, kind, venue_ids, "before", "after", undoes, info, '
    "{layout} FROM changes ORDER BY id",
    "users": "SELECT name, role, password_hash, created_at, updated_at FROM users ORDER BY name",
    "user_layers": "SELECT name, row_no, properties, ST_AsText(geom) AS geom FROM user_layers "
    "ORDER BY name, row_no",
}
_DUMP_COLUMNS = {
    "venues": [*VENUE_COLUMNS, "version", "retired", "extra", "geom"],
    "changes": [
        "id", "who", "changed_at", "kind", "venue_ids", "before", "after", "undoes", "info",
        "layout",  # absent from dumps written before migration 2: read as NULL
    ],
    "users": ["name", "role", "password_hash", "created_at", "updated_at"],
    "user_layers": ["name", "row_no", "properties", "geom"],
}


def _dump_rows(rows: list[tuple]) -> list[list[Any]]:
    return [list(row) for row in rows]


def _load_dump(cur: Any, dump: dict[str, Any]) -> None:
    """Replace our tables' rows with those of a dump (inside the caller's transaction)."""
    from psycopg.types.json import Jsonb

    cur.execute("TRUNCATE venues, changes, users, user_layers RESTART IDENTITY")
    for table in _DUMP_TABLES:
        names = _DUMP_COLUMNS[table]
        marks = ", ".join(
            "ST_GeomFromText(%s, 4326)" if n == "geom" else "%s" for n in names
        )
        quoted = ", ".join(f'"{n}"' for n in names)
        rows = [
            [Jsonb(v) if isinstance(v, dict | list) else v for v in row]
            + [None] * (len(names) - len(row))  # columns a dump of an older schema lacks
            for row in dump.get(table, [])
        ]
        if rows:
            cur.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)
    cur.execute(
        "SELECT setval(pg_get_serial_sequence('changes', 'id'), "
        "greatest(coalesce(max(id), 0), 1)) FROM changes"
    )


def _venue_rows(records: Iterable[tuple]) -> list[Row]:
    rows = []
    width = len(VENUE_COLUMNS)
    for record in records:
        row: Row = dict(zip(VENUE_COLUMNS, record[:width], strict=True))
        version, retired, extra, wkb = record[width:]
        row.update(version=int(version), retired=bool(retired), extra=extra or None)
        row["geometry"] = None if wkb is None else shapely.from_wkb(bytes(wkb))
        rows.append(row)
    return rows


def _change(row: tuple) -> Change:
    ident, who, when, kind, ids, before, after, undoes, layout = row
    return Change.from_row((ident, who, _iso(when), kind, ids, before, after, undoes, layout))


class _PgTransaction:
    """The :class:`geo.store.history.Transaction` of one open PostgreSQL transaction."""

    def __init__(self, cur: Any) -> None:
        self.cur = cur

    def rows(self, ids: Iterable[str] | None) -> dict[str, Row]:
        if ids is None:
            self.cur.execute(f"{_VENUE_SELECT} ORDER BY fid")
        else:
            self.cur.execute(f"{_VENUE_SELECT} WHERE id = ANY(%s) ORDER BY fid", (list(ids),))
        return {row["id"]: row for row in _venue_rows(self.cur.fetchall())}

    def _values(self, row: Row) -> list[Any]:
        from psycopg.types.json import Jsonb

        geometry = row.get("geometry")
        return [
            *(row.get(c) for c in VENUE_COLUMNS),
            int(row["version"]),
            bool(row.get("retired")),
            Jsonb(row["extra"]) if row.get("extra") else None,
            None if geometry is None else shapely.to_wkb(geometry),
        ]

    def insert(self, columns: dict[str, list[Any]]) -> None:
        """Insert new venues given column-wise, with ``COPY`` (an import adds 500,000)."""
        from psycopg.types.json import Jsonb

        if not columns["id"]:
            return
        geometries = shapely.set_srid(np.asarray(columns["geometry"], dtype=object), 4326)
        wkbs = shapely.to_wkb(geometries, hex=True, include_srid=True, output_dimension=2)
        plain = [columns[c] for c in VENUE_COLUMNS]
        extras = [Jsonb(e) if e else None for e in columns["extra"]]
        copy_sql = f"COPY venues ({_COLUMNS}, version, retired, extra, geom) FROM STDIN"
        with self.cur.copy(copy_sql) as copy:
            for values in zip(*plain, columns["version"], columns["retired"], extras,
                              wkbs.tolist(), strict=True):  # fmt: skip
                copy.write_row(values)

    def update(self, rows: list[Row]) -> None:
        if rows:
            sets = ", ".join(f"{c} = %s" for c in (*VENUE_COLUMNS, "version", "retired", "extra"))
            self.cur.executemany(
                f"UPDATE venues SET {sets}, geom = ST_GeomFromWKB(%s, 4326) WHERE id = %s",
                [[*self._values(row), row["id"]] for row in rows],
            )

    def record(
        self, who: str, kind: str, before: Mapping, after: Mapping, undoes: int | None,
        **info: Any,
    ) -> Change:  # fmt: skip
        """Append one row to ``changes``; return it as recorded (not read back and parsed)."""
        ids = touched_ids(before, after)
        layout, before_json, after_json = encode_sides(before, after)
        self.cur.execute(
            'INSERT INTO changes (who, kind, venue_ids, "before", "after", undoes, info, layout) '
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, changed_at",
            (who, kind, dumps(ids), before_json, after_json, undoes,
             dumps(info) if info else None, layout),
        )  # fmt: skip
        ident, when = self.cur.fetchone()
        return Change(int(ident), who, _iso(when), kind, tuple(ids), before, after, undoes)

    def change(self, change_id: int) -> Change | None:
        select = _CHANGE_SELECT.format(layout="layout")  # migrated: inside a write
        self.cur.execute(f"{select} WHERE id = %s", (int(change_id),))
        row = self.cur.fetchone()
        return None if row is None else _change(row)
