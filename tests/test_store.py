"""The store suite, run on both backends (GeoPackage file and PostGIS server).

Round trips, versions, retirement, the change history, undo and conflicts, users, backups:
the same assertions for ``store_location`` = a .gpkg path and a postgresql:// URL.
"""

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import Point

from geo.boundaries import load_layer
from geo.errors import ConflictError, StoreError
from geo.register import load_reference, load_venues, uses_demo_venues
from geo.schema import VENUE_COLUMNS
from geo.store import backup as backups
from geo.store import open_store


@pytest.fixture(scope="module")
def demo():
    return load_layer("venues_demo")


def ids(gdf):
    return gdf["id"].tolist()


def test_missing_store_is_empty_and_falls_back_to_demo(store_location):
    store = open_store(store_location)
    assert len(store.venues()) == 0 and store.changes() == []
    assert uses_demo_venues(store_location) and len(load_venues(store_location)) == 229
    assert not store.exists()


def test_round_trip_keeps_schema_types_and_chinese(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(5), who="alice")
    back = store.venues()
    assert list(back.columns) == [*VENUE_COLUMNS, "version", "geometry"]
    assert back["name"].tolist() == demo["name"].head(5).tolist()
    assert back["county_code"].iloc[0] == "632301"
    assert str(back["year_opened"].dtype) == "Int64" and back["version"].tolist() == [1] * 5
    assert back.geometry.geom_equals_exact(demo.geometry.head(5), tolerance=1e-9).all()


def test_an_import_is_one_change_with_who_and_kind(store_location, demo):
    store = open_store(store_location)
    change = store.add_venues(demo.head(3), who="alice")
    assert (change.who, change.kind) == ("alice", "import")
    assert set(change.venue_ids) == set(demo["id"].head(3))
    assert all(before is None for before in change.before.values())
    assert store.changes() == [change]


def test_replace_retires_instead_of_deleting(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    store.add_venues(demo.iloc[2:5])
    assert ids(store.venues()) == ids(demo.head(5))
    change = store.replace_venues(demo.iloc[[1, 7]], who="bob")
    assert sorted(ids(store.venues())) == sorted(ids(demo.iloc[[1, 7]]))
    everything = store.venues(include_retired=True)
    assert len(everything) == 6
    retired = {v: row for v, row in change.after.items() if row["retired"]}
    assert sorted(retired) == sorted(ids(demo.iloc[[0, 2, 3, 4]]))
    assert {row["version"] for row in retired.values()} == {2}


def test_an_active_id_cannot_be_added_twice(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    with pytest.raises(StoreError, match=f"already in the store: {demo['id'].iloc[1]}"):
        store.add_venues(demo.iloc[1:4])
    assert ids(store.venues()) == ids(demo.head(2)) and len(store.changes()) == 1


def test_unknown_columns_are_kept_in_extra(store_location, demo):
    store = open_store(store_location)
    change = store.add_venues(demo.head(1).assign(负责人="卓玛", phone=""))
    row = change.after[demo["id"].iloc[0]]
    assert row["extra"] == {"负责人": "卓玛", "phone": ""}


def test_a_failed_write_leaves_the_store_unchanged(store_location, demo, monkeypatch):
    store = open_store(store_location)
    store.add_venues(demo.head(3))
    before = store.venues()
    from geo.store import gpkg, postgis

    def explode(*args, **kwargs):
        raise StoreError("disk full")

    monkeypatch.setattr(gpkg._GpkgTransaction, "record", explode)
    monkeypatch.setattr(postgis._PgTransaction, "record", explode)
    with pytest.raises(StoreError, match="disk full"):
        store.add_venues(demo.iloc[3:6])
    with pytest.raises(StoreError, match="disk full"):
        store.edit_venue(demo["id"].iloc[0], {"name": "改名"})
    assert_geodataframe_equal(store.venues(), before)


def test_edit_bumps_the_version_and_a_stale_version_conflicts(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    venue = demo["id"].iloc[0]
    change = store.edit_venue(venue, {"name": "新名称"}, who="carol", expect_version=1)
    assert change.before[venue]["name"] == demo["name"].iloc[0]
    assert change.after[venue]["name"] == "新名称" and change.after[venue]["version"] == 2
    with pytest.raises(ConflictError, match=f"venue {venue} is at version 2, not 1"):
        store.edit_venue(venue, {"name": "另一个名称"}, who="dave", expect_version=1)
    assert store.venues()["name"].iloc[0] == "新名称" and len(store.changes()) == 2


def test_replace_with_stale_versions_conflicts(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    mine = store.venues()
    theirs = mine.copy()
    theirs.loc[0, "name"] = "他们改的"
    store.replace_venues(theirs, who="them")
    mine.loc[0, "name"] = "我改的"
    with pytest.raises(ConflictError, match="conflict"):
        store.replace_venues(mine, who="me")
    assert store.venues()["name"].iloc[0] == "他们改的"


def test_edits_from_a_base_keep_what_others_added_meanwhile(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    base = store.venues()
    store.add_venues(demo.iloc[[5]], who="other")  # added after we read the register
    edited = base.copy()
    edited.loc[1, "address"] = "新地址"
    change = store.replace_venues(edited, who="me", base=base)
    assert change.venue_ids == (demo["id"].iloc[1],)
    assert sorted(ids(store.venues())) == sorted(ids(demo.iloc[[0, 1, 5]]))


def test_history_per_venue_and_undo(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(2), who="a")
    venue = demo["id"].iloc[1]
    edit = store.edit_venue(venue, {"status": "closed"}, who="b")
    assert [c.kind for c in store.changes(venue)] == ["edit", "import"]
    assert store.changes(demo["id"].iloc[0])[0].kind == "import"
    undo = store.undo(edit.id, who="c")
    assert (undo.kind, undo.undoes, undo.who) == ("undo", edit.id, "c")
    back = store.venues().set_index("id")
    assert back.loc[venue, "status"] == demo["status"].iloc[1] and back.loc[venue, "version"] == 3
    first = store.changes()[-1]
    with pytest.raises(ConflictError, match=f"venue {venue} is at version 3, not 1"):
        store.undo(first.id)  # the import's venue changed since: undo the later change first


def test_undoing_an_import_retires_its_venues_and_undo_can_be_undone(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(1))
    imported = store.add_venues(demo.iloc[1:3])
    undo = store.undo(imported.id)
    assert ids(store.venues()) == ids(demo.head(1))
    store.undo(undo.id)
    assert ids(store.venues()) == ids(demo.head(3))
    with pytest.raises(StoreError, match="no change 999"):
        store.undo(999)


def test_user_township_layer_replaces_the_approximate_one(store_location):
    official = load_layer("townships").head(3).assign(approximate=False)
    open_store(store_location).write_layer("townships", official)
    assert len(load_reference("townships", store_location)) == 3
    assert not load_reference("townships", store_location)["approximate"].any()
    assert len(load_reference("counties", store_location)) == 4


def test_data_version_changes_on_every_write(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(1))
    first = store.data_version()
    store.edit_venue(demo["id"].iloc[0], {"name": "乙"})
    assert store.data_version() != first


def test_users_table(store_location):
    store = open_store(store_location)
    assert store.users() == [] and store.get_user("zhuoma") is None
    store.put_user("zhuoma", "planner", "$argon2id$hash1")
    store.put_user("anwar", "viewer", "$argon2id$hash2")
    store.put_user("zhuoma", "admin", "$argon2id$hash3")
    assert [(u.name, u.role) for u in store.users()] == [("anwar", "viewer"), ("zhuoma", "admin")]
    assert store.get_user("zhuoma").password_hash == "$argon2id$hash3"
    assert store.remove_user("anwar") and not store.remove_user("anwar")
    assert [u.name for u in store.users()] == ["zhuoma"]


def test_backup_restore_and_rotation(store_location, demo, monkeypatch):
    store = open_store(store_location)
    store.add_venues(demo.head(2))
    saved = store.backup()
    store.add_venues(demo.iloc[2:4])
    store.put_user("x", "viewer", "h")
    store.restore(saved, who="admin")
    assert ids(store.venues()) == ids(demo.head(2)) and store.users() == []
    assert store.changes()[0].kind == "restore"
    monkeypatch.setenv("VENUEMAP_BACKUP_KEEP", "2")
    for _ in range(3):
        store.backup()
    name = store.path if isinstance(store.path, str) else None
    kept = backups.list_backups(store._backup_name if name else store.path)
    assert len(kept) == 2


def test_an_import_and_an_undo_make_backups_first(store_location, demo):
    store = open_store(store_location)
    store.add_venues(demo.head(1))  # nothing to back up yet
    key = store._backup_name if isinstance(store.path, str) else store.path
    assert backups.list_backups(key) == []
    change = store.add_venues(demo.iloc[1:3])
    store.undo(change.id)
    assert len(backups.list_backups(key)) == 2


def test_undo_or_edit_on_a_missing_store_creates_nothing(store_location):
    store = open_store(store_location)
    with pytest.raises(StoreError, match="does not exist yet"):
        store.undo(1)
    with pytest.raises(StoreError, match="does not exist yet"):
        store.edit_venue("X", {"name": "y"})
    assert not store.exists()


def test_adding_nothing_creates_nothing(store_location):
    store = open_store(store_location)
    store.add_venues(gpd.GeoDataFrame(geometry=[Point(102, 35)]).iloc[:0])
    assert not store.exists()


def test_postgis_ignores_another_applications_public_tables(postgres_url):
    import uuid

    import psycopg

    from geo.store.postgis import PostgisStore

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.venues (id text)")
        conn.execute("INSERT INTO public.venues VALUES ('theirs')")
        try:
            store = PostgisStore(postgres_url, schema=f"t_{uuid.uuid4().hex[:12]}")
            assert len(store.venues()) == 0 and not store.exists()
            store.add_venues(load_layer("venues_demo").head(1))
            assert len(store.venues()) == 1
            assert conn.execute("SELECT id FROM public.venues").fetchall() == [("theirs",)]
        finally:
            conn.execute("DROP TABLE public.venues")
