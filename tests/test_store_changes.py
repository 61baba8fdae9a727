"""Change records held column by column (issue 9: a 500,000-row import that writes), both backends.

A bulk import of new venues is inserted and recorded without one dict per venue
(:func:`geo.store.history.insert_new`, :class:`geo.store.changerows.ChangeRows`); the record
must read, list and undo exactly like the per-venue form it replaces, and changes written in
that older form (before migration 2) must still read and undo after the migration.
"""

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon

from geo.boundaries import load_layer
from geo.store import GeoPackageStore, gpkgblob, gpkgsql, open_store
from geo.store.changerows import ROW_FIELDS, ChangeRows, decode_side


@pytest.fixture(scope="module")
def demo():
    return load_layer("venues_demo")


def ids(gdf):
    return gdf["id"].tolist()


def layout_of(store, change_id):
    """Return ``changes.layout`` of one change, read with plain SQL on either backend."""
    if isinstance(store, GeoPackageStore):
        with store._reading() as conn:
            sql = "SELECT layout FROM changes WHERE id = ?"
            return conn.execute(sql, (change_id,)).fetchone()[0]
    with store.cursor() as cur:
        cur.execute("SELECT layout FROM changes WHERE id = %s", (change_id,))
        return cur.fetchone()[0]


def test_a_bulk_import_records_each_venue_at_version_1_column_wise(store_location, demo):
    store = open_store(store_location)
    change = store.add_venues(demo.head(6), who="alice")
    assert layout_of(store, change.id) == "columns"
    stored = store.changes()[0]
    assert stored == change and list(stored.after) == ids(demo.head(6))
    assert all(row is None for row in stored.before.values())
    third = stored.after[demo["id"].iloc[2]]
    assert list(third) == list(ROW_FIELDS)
    assert (third["name"], third["version"], third["retired"]) == (demo["name"].iloc[2], 1, False)
    assert shapely.from_wkt(third["geometry"]).equals_exact(demo.geometry.iloc[2], 1e-9)
    listed = stored.to_json_dict()
    assert json.loads(json.dumps(listed))["after"][demo["id"].iloc[2]] == third


def test_an_import_of_new_venues_takes_the_column_wise_path(store_location, demo, monkeypatch):
    from geo.store import history

    def row_wise(*args, **kwargs):
        raise AssertionError("an import of new venues went row by row")

    monkeypatch.setattr(history, "apply_targets", row_wise)
    monkeypatch.setattr(history, "columns_to_rows", row_wise)
    store = open_store(store_location)
    store.add_venues(demo.head(5))
    store.add_venues(demo.iloc[5:9])  # new ids beside stored ones
    assert ids(store.venues()) == ids(demo.head(9))


def test_undoing_one_bulk_import_retires_exactly_its_venues(store_location, demo):
    store = open_store(store_location)
    first = store.add_venues(demo.head(4))
    second = store.add_venues(demo.iloc[4:9])
    undo = store.undo(first.id, who="bob")
    assert ids(store.venues()) == ids(demo.iloc[4:9])
    assert sorted(undo.venue_ids) == sorted(ids(demo.head(4)))
    assert {row["version"] for row in undo.after.values()} == {2}
    redo = store.undo(undo.id)
    back = store.venues().set_index("id")
    assert sorted(back.index) == sorted(ids(demo.head(9)))
    assert back.loc[ids(demo.head(4)), "version"].tolist() == [3] * 4
    assert back.loc[ids(demo.iloc[4:9]), "version"].tolist() == [1] * 5
    assert [c.id for c in store.changes()] == [redo.id, undo.id, second.id, first.id]


def test_a_retired_id_coming_back_with_new_ones_records_both_and_undoes(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(3))
    gone = demo["id"].iloc[1]
    store.retire_venues([gone])
    change = store.add_venues(demo.iloc[[1, 3, 4]])
    assert change.before[gone]["retired"] is True and change.after[gone]["version"] == 3
    assert change.before[demo["id"].iloc[3]] is None
    assert store.changes()[0] == change
    store.undo(change.id)
    assert ids(store.venues()) == [demo["id"].iloc[0], demo["id"].iloc[2]]
    everything = store.venues(include_retired=True).set_index("id")
    assert everything.loc[gone, "version"] == 4


def _to_old_layout(store):
    """Rewrite the store as it was before migration 2: per-venue JSON, no ``layout`` column."""
    changes = store.changes()
    gpkg = isinstance(store, GeoPackageStore)
    mark = "?" if gpkg else "%s"
    statements = [
        (f'UPDATE changes SET "before" = {mark}, "after" = {mark} WHERE id = {mark}',
         (json.dumps(dict(c.before)), json.dumps(dict(c.after)), c.id))
        for c in changes
    ] + [("ALTER TABLE changes DROP COLUMN layout", ()),
         ("DELETE FROM schema_migrations WHERE version = 2", ())]  # fmt: skip
    if gpkg:
        with store._transaction() as tx:
            for sql, params in statements:
                tx.conn.execute(sql, params)
    else:
        with store.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)


def test_changes_written_before_migration_2_still_read_and_undo(store_location, demo):
    store = open_store(store_location)
    imported = store.add_venues(demo.head(3))
    store.edit_venue(demo["id"].iloc[0], {"status": "closed"})
    listed = [c.to_json_dict() for c in store.changes()]
    _to_old_layout(store)
    old = open_store(store_location)  # a new handle: reads as is, migrates on its first write
    assert [c.to_json_dict() for c in old.changes()] == listed  # read before migrating
    assert isinstance(old.changes()[-1].after, dict)  # the per-venue form, as stored
    old.undo(old.changes()[0].id)
    assert old.venues().set_index("id").loc[demo["id"].iloc[0], "status"] == demo["status"][0]
    old.undo(old.changes()[0].id)  # the undo itself, recorded column-wise
    assert old.venues().set_index("id").loc[demo["id"].iloc[0], "status"] == "closed"
    assert layout_of(old, imported.id) is None and layout_of(old, 4) == "columns"
    assert [c.to_json_dict() for c in old.changes()][2:] == listed


def test_a_postgis_dump_made_before_migration_2_restores(postgres_url, demo, tmp_path,
                                                         monkeypatch):  # fmt: skip
    import uuid

    from geo.store.postgis import PostgisStore

    monkeypatch.setenv("VENUEMAP_BACKUP_DIR", str(tmp_path / "backups"))
    store = PostgisStore(postgres_url, schema=f"t_{uuid.uuid4().hex[:12]}")
    store.add_venues(demo.head(2))
    listed = [c.to_json_dict() for c in store.changes()]
    dump_path = store.backup(tmp_path / "dump.json")
    dump = json.loads(dump_path.read_text(encoding="utf-8"))
    for row in dump["changes"]:  # as written before the layout column existed
        layout = row.pop()
        row[5], row[6] = (dict(decode_side(layout, row[5])), dict(decode_side(layout, row[6])))
    dump_path.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    store.add_venues(demo.iloc[2:4])
    store.restore(dump_path)
    assert [c.to_json_dict() for c in store.changes()[1:]] == listed
    store.undo(store.changes()[1].id)
    assert len(store.venues()) == 0


def test_change_rows_round_trip_with_absent_rows():
    rows = [None, {f: None for f in ROW_FIELDS} | {"id": "b", "version": 2,
                                                    "geometry": Point(101.5, 35.25)}]
    side = ChangeRows.from_rows(["a", "b"], rows)
    again = ChangeRows.from_json(side.to_json())
    assert again == side and again["a"] is None and again["b"]["geometry"] == "POINT (101.5 35.25)"
    assert dict(ChangeRows(["x", "y"])) == {"x": None, "y": None}
    assert again.column("version") == [None, 2]


def test_the_layer_extent_grows_with_imports_as_a_scan_would_give(tmp_path, demo):
    store = open_store(tmp_path / "store.gpkg")
    store.add_venues(demo.head(5))
    store.add_venues(demo.iloc[5:40])
    store.edit_venue(demo["id"].iloc[0], {"geometry": Point(100.2, 33.9)})
    store.add_venues(demo.iloc[40:60])
    sql = "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'venues'"
    with store._reading() as conn:
        grown = conn.execute(sql).fetchone()
    with store._transaction() as tx:
        gpkgsql.touch_contents(tx.conn, "venues", "geom")  # the full scan
        scanned = tx.conn.execute(sql).fetchone()
    assert grown == scanned
    assert grown[:2] == (100.2, 33.9)  # the moved venue counts
    assert np.allclose(grown, store.venues().total_bounds)


def test_blobs_encoded_together_equal_those_encoded_one_by_one():
    geometries = [Point(101, 35), None, Point(), Polygon([(0, 0), (1, 0), (1, 1)]),
                  Point(102.125, 36.5)]  # fmt: skip
    assert gpkgblob.encode_many(geometries) == [gpkgblob.encode(g) for g in geometries]
    assert gpkgblob.encode_many([]) == []
