"""The SQL of the GeoPackage store: the GeoPackage skeleton, our tables, rows in and out.

Tables we own besides the feature layers: ``changes`` (the history), ``users`` (accounts for
the auth module) and ``schema_migrations`` (which of :data:`MIGRATIONS` ran). They are plain
SQLite tables, not registered as GeoPackage layers, so QGIS shows only the map layers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import StoreError
from geo.schema import VENUE_COLUMNS, column_type
from geo.store import gpkgblob
from geo.store.changerows import COLUMNS_LAYOUT, ChangeRows
from geo.store.history import Row, dumps
from geo.store.location import STORE_ENV
from geo.store.protocol import VENUES_LAYER, VERSION_COLUMN, Change

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10400
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
_SKELETON = (
    "CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER "
    "NOT NULL PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT "
    "NULL, definition TEXT NOT NULL, description TEXT)",
    "CREATE TABLE IF NOT EXISTS gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type "
    "TEXT NOT NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME "
    "NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, "
    "max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) "
    "REFERENCES gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (table_name TEXT NOT NULL, column_name "
    "TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT "
    "NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), "
    "CONSTRAINT uk_gc_table_name UNIQUE (table_name), CONSTRAINT fk_gc_tn FOREIGN KEY "
    "(table_name) REFERENCES gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY "
    "(srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))",
    "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, "
    "extension_name TEXT NOT NULL, definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT "
    "ge_tce UNIQUE (table_name, column_name, extension_name))",
)
#: Our own tables, by version; each runs once per store (recorded in ``schema_migrations``).
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "history and users", (
        "CREATE TABLE IF NOT EXISTS changes (id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT "
        "NULL, changed_at TEXT NOT NULL, kind TEXT NOT NULL, venue_ids TEXT NOT NULL, "
        '"before" TEXT, "after" TEXT, undoes INTEGER, info TEXT)',
        "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
        "password_hash TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    )),
    # NULL: before/after are {venue id: row}; 'columns': geo.store.changerows.ChangeRows JSON
    (2, "changes.layout: column-wise before/after", (
        "ALTER TABLE changes ADD COLUMN layout TEXT",
    )),
)  # fmt: skip
_RECORD_DDL = {
    "version": "version INTEGER NOT NULL DEFAULT 1",
    "retired": "retired BOOLEAN NOT NULL DEFAULT 0",
    "extra": "extra TEXT",
}
_SQLITE_TYPES = {"integer": "INTEGER", "real": "REAL", "text": "TEXT"}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Return True when the database has a table (or view) called ``name``."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", (name,)
    ).fetchone()
    return row is not None


def check_geopackage(conn: sqlite3.Connection, path: Path, *, require_tables: bool = False) -> None:
    """Refuse a database that is neither empty nor a GeoPackage, with one clear line."""
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if tables == 0 and not require_tables:
        return
    if not has_table(conn, "gpkg_contents"):
        raise StoreError(
            f"the store {path} is an SQLite database but not a GeoPackage (it has no "
            f"gpkg_contents table); choose a .gpkg file or a new path with --store or {STORE_ENV}"
        )


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage skeleton (new file) and run pending migrations of our tables."""
    if not has_table(conn, "gpkg_contents"):
        conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
        for statement in _SKELETON:
            conn.execute(statement)
        conn.executemany(
            "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("Undefined Cartesian SRS", -1, "NONE", -1, "undefined", "undefined Cartesian"),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
                ("WGS 84 geodetic", 4326, "EPSG", 4326, _WGS84_WKT, "WGS 84 longitude/latitude"),
            ],
        )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT "
        "(strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, description, statements in MIGRATIONS:
        if version in done:
            continue
        for statement in statements:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
            (version, description),
        )


def feature_tables(conn: sqlite3.Connection) -> list[str]:
    """Return the GeoPackage feature layers (those registered in ``gpkg_contents``)."""
    if not has_table(conn, "gpkg_contents"):
        return []
    rows = conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")
    return [str(row[0]) for row in rows]


def _geometry_column(conn: sqlite3.Connection, table: str) -> tuple[str, int]:
    row = conn.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if row is None:
        raise StoreError(f"the layer {table!r} of the store has no geometry column")
    return str(row[0]), int(row[1])


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    rows = conn.execute(f"PRAGMA table_info({_quote(table)})")
    return {row[1]: str(row[2]).upper() for row in rows}


def ensure_venues_table(conn: sqlite3.Connection, srs_id: int) -> str:
    """Create the venues layer, or add the columns a foreign/older one lacks; return geometry."""
    if VENUES_LAYER not in feature_tables(conn):
        columns = ", ".join(
            f"{_quote(c)} {_SQLITE_TYPES[column_type(c)]}" for c in VENUE_COLUMNS
        )
        conn.execute(
            f"CREATE TABLE {VENUES_LAYER} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
            f"geom POINT, {columns}, {', '.join(_RECORD_DDL.values())})"
        )
        conn.execute(f"CREATE INDEX IF NOT EXISTS {VENUES_LAYER}_id ON {VENUES_LAYER}(id)")
        _register_layer(conn, VENUES_LAYER, "geom", "POINT", srs_id)
        return "geom"
    geometry, _ = _geometry_column(conn, VENUES_LAYER)
    present = _columns(conn, VENUES_LAYER)
    for column in VENUE_COLUMNS:
        if column not in present:
            kind = _SQLITE_TYPES[column_type(column)]
            conn.execute(f"ALTER TABLE {VENUES_LAYER} ADD COLUMN {_quote(column)} {kind}")
    for column, ddl in _RECORD_DDL.items():
        if column not in present:
            conn.execute(f"ALTER TABLE {VENUES_LAYER} ADD COLUMN {ddl}")
    return geometry


def _register_layer(
    conn: sqlite3.Connection, table: str, geometry: str, geometry_type: str, srs_id: int
) -> None:
    conn.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
        "VALUES (?, 'features', ?, ?)",
        (table, table, srs_id),
    )
    conn.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
        (table, geometry, geometry_type, srs_id),
    )


def touch_contents(
    conn: sqlite3.Connection, table: str, geometry: str, *,
    inserted: tuple[int, tuple[float, float, float, float] | None] | None = None,
) -> None:  # fmt: skip
    """Update the layer's ``last_change`` and extent in ``gpkg_contents`` (GDAL reads them).

    ``inserted``: when the transaction only inserted rows, their count and bounds (None: no
    geometry). The extent then grows to cover them — or is theirs, when they are the whole
    table — instead of a scan calling ``ST_MinX``... four times per row (3 s at 500,000).
    """
    if inserted is not None and _grow_extent(conn, table, *inserted):
        return
    g = _quote(geometry)
    conn.execute(
        f"UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
        f"min_x = (SELECT min(ST_MinX({g})) FROM {_quote(table)}), "
        f"min_y = (SELECT min(ST_MinY({g})) FROM {_quote(table)}), "
        f"max_x = (SELECT max(ST_MaxX({g})) FROM {_quote(table)}), "
        f"max_y = (SELECT max(ST_MaxY({g})) FROM {_quote(table)}) WHERE table_name = ?",
        (table,),
    )


def _grow_extent(
    conn: sqlite3.Connection, table: str, count: int,
    bounds: tuple[float, float, float, float] | None,
) -> bool:  # fmt: skip
    """Extend the stored extent by ``bounds`` of ``count`` new rows; False if a scan is needed.

    A stored extent covers the older rows; with none stored, the new rows must be all rows.
    """
    stored = conn.execute(
        "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = ?", (table,)
    ).fetchone()
    if stored is None:
        return False
    if None in stored:
        total = conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
        if total != count:
            return False
        extent = bounds
    elif bounds is None:
        extent = stored
    else:
        extent = (min(stored[0], bounds[0]), min(stored[1], bounds[1]),
                  max(stored[2], bounds[2]), max(stored[3], bounds[3]))  # fmt: skip
    conn.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
        "min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
        (*(extent or (None,) * 4), table),
    )
    return True


# ----------------------------------------------------------------------------- venue rows
def select_venues(
    conn: sqlite3.Connection, ids: list[str] | None, include_retired: bool
) -> list[Row]:
    """Return venue rows (dicts with ``geometry`` decoded), in table order."""
    geometry, srs_id = _geometry_column(conn, VENUES_LAYER)
    present = _columns(conn, VENUES_LAYER)
    wanted = [c for c in (*VENUE_COLUMNS, "version", "retired", "extra") if c in present]
    sql = f"SELECT {_quote(geometry)}, {', '.join(map(_quote, wanted))} FROM {VENUES_LAYER}"
    where, params = [], []
    if not include_retired and "retired" in present:
        where.append("NOT coalesce(retired, 0)")
    if ids is not None:
        if not ids or _is_empty(conn, VENUES_LAYER):  # a first import: no id list to stage
            return []
        where.append(_ids_filter(conn, [str(i) for i in ids], params))
    sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY fid"
    rows, blobs = [], []
    for record in conn.execute(sql, params):
        blobs.append(record[0])
        row: Row = {c: None for c in VENUE_COLUMNS}
        row.update(zip(wanted, record[1:], strict=True))
        row["id"] = None if row["id"] is None else str(row["id"])
        row["version"] = int(row.get("version") or 1)
        row["retired"] = bool(row.get("retired") or 0)
        row["extra"] = json.loads(row["extra"]) if row.get("extra") else None
        rows.append(row)
    for row, geometry in zip(rows, gpkgblob.decode_many(blobs), strict=True):
        row["geometry"] = _to_wgs84(geometry, srs_id)
    return rows


def _is_empty(conn: sqlite3.Connection, table: str) -> bool:
    """Return True when ``table`` has no rows."""
    return conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {_quote(table)})").fetchone()[0] == 1


#: Rows fetched at a time when a whole layer is read column by column (bounds the memory of
#: the raw SQLite rows, which otherwise exist beside the columns built from them).
_CHUNK_ROWS = 50_000

#: Above this many ids a selection goes through a temporary table: SQLite caps the number of
#: ``?`` parameters of one statement (250,000 in 3.40; 32,766 in older builds).
_MAX_INLINE_IDS = 10_000


def _ids_filter(conn: sqlite3.Connection, ids: list[str], params: list[Any]) -> str:
    """Return the SQL condition ``id is one of ids``, appending its parameters to ``params``.

    A short list is inlined (``id IN (?, ...)``); a long one (a 500,000-row import) is put in
    a temporary table of this connection, emptied first, so any number of ids works.
    """
    if len(ids) <= _MAX_INLINE_IDS:
        params.extend(ids)
        return f"id IN ({', '.join('?' * len(ids))})"
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.wanted_ids")
    conn.executemany("INSERT OR IGNORE INTO temp.wanted_ids VALUES (?)", ((i,) for i in ids))
    return "id IN (SELECT id FROM temp.wanted_ids)"


def select_venue_columns(
    conn: sqlite3.Connection, include_retired: bool
) -> tuple[dict[str, list[Any]], list[Any]]:
    """Return every venue as columns (VENUE_COLUMNS and ``version``) and geometries.

    The same values as :func:`select_venues` (ids as text, a missing version read as 1), column
    by column: reading a 500,000-venue register this way costs no dict per row.
    """
    geometry, srs_id = _geometry_column(conn, VENUES_LAYER)
    present = _columns(conn, VENUES_LAYER)
    wanted = [c for c in (*VENUE_COLUMNS, VERSION_COLUMN) if c in present]
    sql = f"SELECT {_quote(geometry)}, {', '.join(map(_quote, wanted))} FROM {VENUES_LAYER}"
    if not include_retired and "retired" in present:
        sql += " WHERE NOT coalesce(retired, 0)"
    read: list[list[Any]] = [[] for _ in range(len(wanted) + 1)]
    shared: list[dict[Any, Any]] = [{} for _ in read]
    cursor = conn.execute(sql + " ORDER BY fid")
    while chunk := cursor.fetchmany(_CHUNK_ROWS):
        read[0].extend(gpkgblob.decode_many([record[0] for record in chunk]))
        for position, values in enumerate(zip(*chunk, strict=True)):
            if position and set(map(type, values)) <= {str, type(None)}:
                # one str per distinct text: 500,000 rows share a few hundred words
                read[position].extend(map(shared[position].setdefault, values, values))
            elif position:
                read[position].extend(values)
    n_rows = len(read[0])
    columns = {c: [None] * n_rows for c in (*VENUE_COLUMNS, VERSION_COLUMN)}
    columns.update(zip(wanted, read[1:], strict=True))
    columns["id"] = [None if v is None else str(v) for v in columns["id"]]
    columns[VERSION_COLUMN] = [int(v or 1) for v in columns[VERSION_COLUMN]]
    geometries = read[0]
    if srs_id not in (4326, 0, -1):
        geometries = [_to_wgs84(g, srs_id) for g in geometries]
    return columns, geometries


def _to_wgs84(geometry: Any, srs_id: int) -> Any:
    if geometry is None or srs_id in (4326, 0, -1):
        return geometry
    return gpd.GeoSeries([geometry], crs=srs_id).to_crs(4326).iloc[0]


_RECORD_NAMES = (*VENUE_COLUMNS, "version", "retired", "extra")


def _record_values(row: Row) -> list[Any]:
    """Return the non-geometry values of a row in :data:`_RECORD_NAMES` order."""
    extra = row.get("extra")
    return [*(row.get(c) for c in VENUE_COLUMNS), int(row["version"]),
            int(bool(row.get("retired"))),
            json.dumps(extra, ensure_ascii=False) if extra else None]  # fmt: skip


def insert_venues(
    conn: sqlite3.Connection, columns: dict[str, list[Any]], geometry: str, srs_id: int
) -> None:
    """Insert new venues given column-wise (one prepared statement, tuples in chunks).

    ``columns`` maps the register's columns, ``version``, ``retired``, ``extra`` and
    ``geometry`` (shapely) to equal-length lists: an import adds 500,000 venues without a
    dict per venue; geometries are encoded in one vectorised call per chunk.
    """
    n_rows = len(columns["id"])
    if not n_rows:
        return
    names = ", ".join(map(_quote, (geometry, *_RECORD_NAMES)))
    marks = ", ".join("?" * (len(_RECORD_NAMES) + 1))
    sql = f"INSERT INTO {VENUES_LAYER} ({names}) VALUES ({marks})"
    plain = [columns[c] for c in VENUE_COLUMNS]
    versions = [int(v) for v in columns["version"]]
    retired = [int(bool(v)) for v in columns["retired"]]
    extras = [json.dumps(e, ensure_ascii=False) if e else None for e in columns["extra"]]
    for start in range(0, n_rows, _CHUNK_ROWS):
        part = slice(start, start + _CHUNK_ROWS)
        blobs = gpkgblob.encode_many(columns["geometry"][part], srs_id)
        conn.executemany(sql, zip(blobs, *(values[part] for values in plain), versions[part],
                                  retired[part], extras[part], strict=True))  # fmt: skip


def update_venues(conn: sqlite3.Connection, rows: list[Row], geometry: str, srs_id: int) -> None:
    """Overwrite venue rows matched by id (other columns of a foreign table are kept)."""
    assignments = ", ".join(f"{_quote(n)} = ?" for n in (geometry, *_RECORD_NAMES))
    conn.executemany(
        f"UPDATE {VENUES_LAYER} SET {assignments} WHERE id = ?",
        ([gpkgblob.encode(row.get("geometry"), srs_id), *_record_values(row), row["id"]]
         for row in rows),
    )  # fmt: skip


# ----------------------------------------------------------------------------- changes
def _change_select(conn: sqlite3.Connection) -> str:
    """Return the SELECT of changes; ``layout`` is NULL in a store not migrated to 2 yet.

    Readers never migrate a store: an older store is read as it is.
    """
    layout = "layout" if "layout" in _columns(conn, "changes") else "NULL AS layout"
    fields = f'id, who, changed_at, kind, venue_ids, "before", "after", undoes, {layout}'
    return f"SELECT {fields} FROM changes"


def insert_change(
    conn: sqlite3.Connection, fields: dict[str, Any], before: Mapping, after: Mapping
) -> int:
    """Append one row to ``changes`` (``fields``: its plain columns); return its id.

    Column-wise sides (:class:`ChangeRows`) are streamed into the row as UTF-8 BLOBs with
    SQLite's incremental BLOB I/O, one field at a time, so a 500,000-venue change never
    exists as one Python text beside its SQLite copy; other sides are written as JSON text.
    """
    names = [*fields, "layout", "before", "after"]
    if isinstance(before, ChangeRows) and isinstance(after, ChangeRows):
        sides = {"before": before.json_parts(), "after": after.json_parts()}
        values = [*fields.values(), COLUMNS_LAYOUT, *(sum(map(len, p)) for p in sides.values())]
        marks = ", ".join(["?"] * (len(fields) + 1) + ["zeroblob(?)"] * 2)
    else:
        sides = {}
        values = [*fields.values(), None, *(dumps(dict(side)) for side in (before, after))]
        marks = ", ".join("?" * len(names))
    cursor = conn.execute(
        f"INSERT INTO changes ({', '.join(map(_quote, names))}) VALUES ({marks})", values
    )
    change_id = int(cursor.lastrowid)
    for column, parts in sides.items():
        with conn.blobopen("changes", column, change_id) as blob:
            for part in parts:
                blob.write(part)
    return change_id


def select_changes(conn: sqlite3.Connection, venue_id: str | None) -> list[Change]:
    """Return the changes, newest first; only those touching ``venue_id`` when given."""
    select = _change_select(conn)
    if venue_id is None:
        rows = conn.execute(f"{select} ORDER BY id DESC").fetchall()
    else:
        rows = conn.execute(
            f"{select} WHERE EXISTS (SELECT 1 FROM json_each(changes.venue_ids) "
            "WHERE json_each.value = ?) ORDER BY id DESC",
            (str(venue_id),),
        ).fetchall()
    return [Change.from_row(row) for row in rows]


def select_change(conn: sqlite3.Connection, change_id: int) -> Change | None:
    """Return change ``change_id``, or None."""
    row = conn.execute(f"{_change_select(conn)} WHERE id = ?", (int(change_id),)).fetchone()
    return None if row is None else Change.from_row(row)


# ----------------------------------------------------------------------------- other layers
_TYPES = {"b": "BOOLEAN", "i": "INTEGER", "u": "INTEGER", "f": "REAL"}


def replace_feature_table(
    conn: sqlite3.Connection, table: str, gdf: gpd.GeoDataFrame, srs_id: int
) -> None:
    """Drop layer ``table`` (with its spatial index and metadata) and write ``gdf`` as it."""
    if not table.isidentifier():
        raise StoreError(f"invalid layer name {table!r}")
    if has_table(conn, table):
        for (index,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?",
            (f"rtree_{table}_%",),
        ).fetchall():
            if has_table(conn, index):
                conn.execute(f"DROP TABLE IF EXISTS {_quote(index)}")
        conn.execute(f"DROP TABLE {_quote(table)}")
    for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
        conn.execute(f"DELETE FROM {meta} WHERE table_name = ?", (table,))
    if has_table(conn, "gpkg_ogr_contents"):
        conn.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = ?", (table,))
    geometry_name = gdf.geometry.name
    columns = [c for c in gdf.columns if c != geometry_name]
    ddl = ", ".join(f"{_quote(c)} {_TYPES.get(gdf[c].dtype.kind, 'TEXT')}" for c in columns)
    conn.execute(
        f"CREATE TABLE {_quote(table)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
        f"geom GEOMETRY{', ' + ddl if ddl else ''})"
    )
    _register_layer(conn, table, "geom", "GEOMETRY", srs_id)
    names = ", ".join(["geom", *map(_quote, columns)])
    marks = ", ".join("?" * (len(columns) + 1))
    records = [
        [gpkgblob.encode(geom, srs_id), *(_plain(v) for v in values)]
        for geom, values in zip(gdf.geometry, gdf[columns].itertuples(index=False), strict=True)
    ]
    conn.executemany(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", records)
    touch_contents(conn, table, "geom")


def _plain(value: Any) -> Any:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, str | int | float | bool) else str(value)


def read_feature_table(conn: sqlite3.Connection, table: str) -> gpd.GeoDataFrame:
    """Return any feature layer of the store as a GeoDataFrame in its own CRS."""
    geometry, srs_id = _geometry_column(conn, table)
    types = _columns(conn, table)
    columns = [c for c in types if c not in (geometry, "fid")]
    select = ", ".join(map(_quote, [geometry, *columns]))
    rows = conn.execute(f"SELECT {select} FROM {_quote(table)} ORDER BY fid").fetchall()
    frame = pd.DataFrame([row[1:] for row in rows], columns=columns)
    for column in columns:
        if types[column] == "BOOLEAN":
            frame[column] = frame[column].astype("boolean")
    crs = None if srs_id in (0, -1) else f"EPSG:{srs_id}"
    geoms = gpd.GeoSeries(gpkgblob.decode_many([row[0] for row in rows]), crs=crs)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)
