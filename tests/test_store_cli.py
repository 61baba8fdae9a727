"""``venuemap import|history|edit|undo|backup|restore`` as separate processes, on both backends.

Several imports started at once lose nothing; a stale ``--expect-version`` exits 3 and writes
nothing; a value the importer refuses exits 2; history, undo, backup and restore round-trip.
"""

import json
import subprocess
import sys
from pathlib import Path

from geo.store import is_database_url, open_store
from tests.fixtures_import import LONGWU, point_in_township, write_csv

ROOT = Path(__file__).resolve().parents[1]
PLACE = point_in_township(LONGWU)


def store_args(location):
    return ["--database", location] if is_database_url(location) else ["--store", location]


def venuemap(location, command, *args, user="tester"):
    options = ["--database", location] if is_database_url(location) else []
    store = [] if options else ["--store", location]
    return subprocess.Popen(
        [sys.executable, "-m", "venuemap", *options, "--user", user, command, *args, *store],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run(location, command, *args, user="tester"):
    process = venuemap(location, command, *args, user=user)
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def stations_csv(path, prefix, count):
    rows = [[f"{prefix}-{i}", f"{prefix}服务站{i}", "村群团服务站", *PLACE] for i in range(count)]
    return write_csv(path, ["编号", "名称", "类型", "经度", "纬度"], rows)


def test_concurrent_imports_lose_nothing(store_location, tmp_path):
    files = [stations_csv(tmp_path / f"f{n}.csv", f"P{n}", 5) for n in range(4)]
    processes = [venuemap(store_location, "import", str(f), "--crs", "wgs84") for f in files]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in processes]
    assert [code for code, _ in results] == [0, 0, 0, 0], results
    stored = open_store(store_location).venues()
    assert sorted(stored["id"]) == sorted(f"P{n}-{i}" for n in range(4) for i in range(5))
    changes = open_store(store_location).changes()
    assert sorted(c.kind for c in changes) == ["import"] * 4 and {c.who for c in changes} == {
        "tester"}


def test_edit_history_conflict_and_undo(store_location, tmp_path):
    code, _, err = run(store_location, "import", str(stations_csv(tmp_path / "a.csv", "E", 2)))
    assert code == 0, err
    code, out, err = run(store_location, "edit", "E-0", "--set", "status=停用", "--set",
                         "address=隆务镇 1 号", "--expect-version", "1", user="zhuoma")  # fmt: skip
    assert code == 0 and "version 2" in out, err
    venue = open_store(store_location).venues().set_index("id").loc["E-0"]
    assert (venue["status"], venue["address"], venue["version"]) == ("closed", "隆务镇 1 号", 2)
    code, out, err = run(store_location, "edit", "E-0", "--set", "name=别的名称",
                         "--expect-version", "1")  # fmt: skip
    assert code == 3 and out == "" and "conflict" in err and len(err.strip().splitlines()) == 1
    assert open_store(store_location).venues().set_index("id").loc["E-0", "name"] == "E服务站0"
    code, out, _ = run(store_location, "history", "--venue", "E-0", "--json")
    history = json.loads(out)
    assert [h["kind"] for h in history] == ["edit", "import"] and history[0]["who"] == "zhuoma"
    assert history[0]["before"]["E-0"]["status"] == "in_service"
    code, out, err = run(store_location, "undo", str(history[0]["id"]))
    assert code == 0, err
    venue = open_store(store_location).venues().set_index("id").loc["E-0"]
    assert (venue["status"], venue["version"]) == ("in_service", 3)


def test_an_edit_the_importer_refuses_exits_2_and_writes_nothing(store_location, tmp_path):
    run(store_location, "import", str(stations_csv(tmp_path / "a.csv", "B", 1)))
    for assignment in ("kind=城堡", "lon=200"):
        code, _, err = run(store_location, "edit", "B-0", "--set", assignment)
        assert code == 2 and len(err.strip().splitlines()) == 1, (assignment, err)
    code, _, err = run(store_location, "edit", "B-0", "--set", "colour=red")
    assert code == 2 and "colour" in err
    assert len(open_store(store_location).changes()) == 1


def test_backup_and_restore_commands(store_location, tmp_path):
    run(store_location, "import", str(stations_csv(tmp_path / "a.csv", "R", 2)))
    target = tmp_path / ("saved.json" if is_database_url(store_location) else "saved.gpkg")
    code, out, err = run(store_location, "backup", "--out", str(target))
    assert code == 0 and target.exists(), err
    run(store_location, "import", str(stations_csv(tmp_path / "b.csv", "S", 2)))
    assert len(open_store(store_location).venues()) == 4
    code, _, err = run(store_location, "restore", str(target))
    assert code == 0, err
    assert sorted(open_store(store_location).venues()["id"]) == ["R-0", "R-1"]
    bogus = tmp_path / "bogus.gpkg"
    bogus.write_text("nope")
    code, _, err = run(store_location, "restore", str(bogus))
    assert code == 2 and len(err.strip().splitlines()) == 1


def hold_write_lock(location):
    """Open a second client that holds the store's write lock; return it (close to release)."""
    if is_database_url(location):
        import psycopg

        from geo.store.postgis import _LOCK_KEY

        conn = psycopg.connect(location, autocommit=True)
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        return conn
    import sqlite3

    conn = sqlite3.connect(location, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_a_store_held_by_another_writer_exits_75_and_writes_nothing(store_location, tmp_path,
                                                                   monkeypatch):  # fmt: skip
    assert run(store_location, "import", str(stations_csv(tmp_path / "a.csv", "L", 1)))[0] == 0
    monkeypatch.setenv("VENUEMAP_BUSY_TIMEOUT_S", "1")
    other = hold_write_lock(store_location)
    try:
        code, out, err = run(store_location, "edit", "L-0", "--set", "address=新地址")
    finally:
        other.close()
    assert code == 75 and "busy" in err and "try again" in err
    assert len(err.strip().splitlines()) == 1
    assert len(open_store(store_location).changes()) == 1
