"""The GeoPackage store as other programs see it: in-place transactions, QGIS, GDAL, the OS.

Another client's WAL table survives our writes; a symlinked store stays a symlink; a read-only
store, a plain SQLite file, ``--store ''`` and ``--out <the store>`` are refused with one line;
a writer killed mid-transaction leaves the store as before and no file behind; a store made by
GDAL (with its R-tree triggers) is written in place and read back by ``ogrinfo``.
"""

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pyogrio
import pytest

from geo.boundaries import load_layer
from geo.errors import StoreError
from geo.store import open_store, resolve_store_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    return load_layer("venues_demo")


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    monkeypatch.setenv("VENUEMAP_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("VENUEMAP_DATABASE_URL", raising=False)
    return tmp_path / "data" / "store.gpkg"


def venuemap(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "venuemap", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, **kwargs)  # fmt: skip


def one_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def test_store_path_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("VENUEMAP_STORE", str(tmp_path / "env.gpkg"))
    assert resolve_store_path() == tmp_path / "env.gpkg"
    assert resolve_store_path(tmp_path / "arg.gpkg") == tmp_path / "arg.gpkg"
    monkeypatch.delenv("VENUEMAP_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert resolve_store_path() == tmp_path / "venuemap" / "store.gpkg"
    with pytest.raises(StoreError, match="--store is empty"):
        resolve_store_path("")


def test_an_empty_store_option_is_refused_not_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home"))
    result = venuemap("history", "--store", "")
    assert result.returncode == 2 and "--store is empty" in one_line(result.stderr)
    assert not (tmp_path / "home").exists()


def test_a_folder_a_damaged_file_and_plain_sqlite_are_refused_clearly(tmp_path, demo):
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(StoreError, match="cannot open the store .*bad.gpkg"):
        open_store(bad).venues()
    plain = tmp_path / "plain.sqlite"
    with sqlite3.connect(plain) as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    before = plain.read_bytes()
    with pytest.raises(StoreError, match="SQLite database but not a GeoPackage"):
        open_store(plain).add_venues(demo.head(1))
    result = venuemap("history", "--store", str(plain))
    assert result.returncode == 2 and "not a GeoPackage" in one_line(result.stderr)
    assert plain.read_bytes() == before


def test_a_read_only_store_is_refused_and_left_alone(store_path, demo):
    store = open_store(store_path)
    store.add_venues(demo.head(2))
    store.write_layer("villages", load_layer("villages").head(3))
    store_path.chmod(0o444)
    before = store_path.read_bytes()
    with pytest.raises(StoreError, match="is read-only"):
        store.add_venues(demo.iloc[2:4])
    result = venuemap("undo", "1", "--store", str(store_path))
    assert result.returncode == 2 and "read-only" in one_line(result.stderr)
    assert store_path.read_bytes() == before
    assert stat.S_IMODE(store_path.stat().st_mode) == 0o444
    assert len(store.layer("villages")) == 3 and len(store.venues()) == 2


def test_a_symlinked_store_is_written_through_the_link(store_path, tmp_path, demo):
    target = store_path
    open_store(target).add_venues(demo.head(1))
    link = tmp_path / "link.gpkg"
    link.symlink_to(target)
    open_store(link).add_venues(demo.iloc[1:3])
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert len(open_store(target).venues()) == 3


def test_another_clients_wal_table_survives_our_writes(store_path, demo):
    store = open_store(store_path)
    store.add_venues(demo.head(1))
    other = sqlite3.connect(store_path, isolation_level=None)
    assert other.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    other.execute("CREATE TABLE qgis_notes (note TEXT)")
    other.execute("INSERT INTO qgis_notes VALUES ('纪要')")
    store.add_venues(demo.iloc[1:4])
    store.edit_venue(demo["id"].iloc[0], {"name": "改"})
    assert other.execute("SELECT note FROM qgis_notes").fetchall() == [("纪要",)]
    assert other.execute("SELECT count(*) FROM venues").fetchone()[0] == 4
    assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    assert len(pyogrio.read_dataframe(store_path, layer="venues")) == 4
    assert len(pyogrio.read_dataframe(store_path, layer="qgis_notes")) == 1


def test_gdal_reads_what_we_write(store_path, demo):
    store = open_store(store_path)
    store.add_venues(demo.head(4))
    store.retire_venues([demo["id"].iloc[0]])
    read = pyogrio.read_dataframe(store_path, layer="venues")
    assert sorted(read["id"]) == sorted(demo["id"].head(4))
    assert read.loc[read["id"] == demo["id"].iloc[0], "version"].iloc[0] == 2
    assert read.geometry.geom_equals_exact(demo.geometry.head(4), tolerance=1e-9).all()
    info = subprocess.run(["ogrinfo", "-so", "-al", str(store_path)], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert "Geometry: Point" in info and "Feature Count: 4" in info and "version:" in info


def test_a_store_made_by_gdal_is_written_in_place(store_path, demo):
    store_path.parent.mkdir(parents=True)
    foreign = demo.head(2).assign(负责人=["卓玛", "才让"])  # a column the register lacks
    pyogrio.write_dataframe(foreign, store_path, layer="venues", driver="GPKG")
    store = open_store(store_path)
    assert len(store.venues()) == 2 and store.venues()["version"].tolist() == [1, 1]
    store.add_venues(demo.iloc[2:5])  # GDAL's R-tree triggers call ST_* functions
    store.edit_venue(demo["id"].iloc[0], {"address": "新地址"})
    kept = pyogrio.read_dataframe(store_path, layer="venues").set_index("id")["负责人"]
    assert kept.loc[demo["id"].iloc[0]] == "卓玛" and kept.loc[demo["id"].iloc[1]] == "才让"
    sql = "SELECT count(*) AS n FROM rtree_venues_geom"
    out = subprocess.run(["ogrinfo", str(store_path), "-sql", sql], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert "n (Integer) = 5" in out
    box = tuple(demo.iloc[[4]].total_bounds)
    bbox = pyogrio.read_dataframe(store_path, layer="venues", bbox=box)
    assert demo["id"].iloc[4] in set(bbox["id"])


def test_out_naming_the_store_is_refused(store_path, demo):
    open_store(store_path).add_venues(demo.head(2))
    before = store_path.read_bytes()
    for command in (["export", "--layer", "venues", "--format", "gpkg"], ["site", "--add", "1"]):
        result = venuemap(*command, "--out", str(store_path), "--store", str(store_path))
        assert result.returncode == 2, result.stderr
        assert "is the store itself" in one_line(result.stderr)
    assert store_path.read_bytes() == before


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from geo.boundaries import load_layer
    from geo.store import gpkgsql, open_store
    original = gpkgsql.insert_venues
    def slow_insert(*args):
        original(*args)
        print("inserted", flush=True)
        time.sleep(120)
    gpkgsql.insert_venues = slow_insert
    open_store(sys.argv[1]).add_venues(load_layer("venues_demo").iloc[3:40], kind="create")
""")


def test_a_killed_write_leaves_the_store_as_before_and_nothing_behind(store_path, demo):
    store = open_store(store_path)
    store.add_venues(demo.head(3))
    before = store.venues()
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(store_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "inserted"  # inside the transaction
        writer.kill()
    finally:
        writer.wait(timeout=60)
    after = open_store(store_path).venues()
    assert after["id"].tolist() == before["id"].tolist()
    assert len(open_store(store_path).changes()) == 1
    assert os.listdir(store_path.parent) == ["store.gpkg"]
