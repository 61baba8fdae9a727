"""``venuemap import --layer activities``, ``vitality`` and ``coverage --active-only``."""

import json

import pytest

from geo.store import open_store
from tests.fixtures_import import write_csv
from venuemap.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HEADER = ["阵地", "日期", "活动名称", "组织", "参与人数"]


def run(capsys, argv):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def demo_ids(capsys, store):
    code, out, _ = run(capsys, ["vitality", "--store", store, "--json"])
    assert code == 0
    return [venue["id"] for venue in json.loads(out)["venues"]]


def test_import_then_vitality_flags_exactly_the_silent_venues(capsys, tmp_path, store_location):
    ids = demo_ids(capsys, store_location)  # the demo register (the store holds no venues)
    rows = [[ids[0], "2025-03-08", "三八节", "妇联", "40"],
            [ids[1], "2025/5/4", "青年节", "共青团;工会", "25"],
            [ids[2], "2024-01-01", "旧活动", "", "9"],
            ["不存在的站", "2025-13-01", "x", "天团", "很多"]]  # fmt: skip
    path = write_csv(tmp_path / "活动.csv", HEADER, rows, encoding="gbk")
    code, out, _ = run(capsys, ["import", "--layer", "activities", str(path),
                                "--store", store_location])  # fmt: skip
    assert code == 1 and "nothing written" in out and "第 5 行 row 5 [阵地] “不存在的站”" in out
    assert open_store(store_location).layer("activities") is None
    code, out, _ = run(capsys, ["import", "--layer", "activities", str(path), "--skip-invalid",
                                "--store", store_location])  # fmt: skip
    assert code == 0 and "3 activities rows written" in out
    code, out, _ = run(capsys, ["vitality", "--as-of", "2025-06-30", "--json",
                                "--store", store_location])  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    assert payload["illustrative"] is False and payload["months"] == 6
    living = {v["id"]: v for v in payload["venues"] if not v["hollow"]}
    assert set(living) == {ids[0], ids[1]}
    assert living[ids[1]]["organizations"] == ["union", "youth_league"]
    assert living[ids[0]]["participants"] == 40
    assert payload["hollow"] == len(ids) - 2
    code, out, _ = run(capsys, ["vitality", "--as-of", "2025-06-30", "--months", "24",
                                "--json", "--store", store_location])  # fmt: skip
    assert json.loads(out)["hollow"] == len(ids) - 3


def test_demo_activities_are_illustrative_and_labelled(capsys, tmp_path):
    store = str(tmp_path / "empty.gpkg")
    code, out, err = run(capsys, ["vitality", "--store", store])
    assert code == 0 and "ILLUSTRATIVE" in err and "HOLLOW" in out
    code, out, _ = run(capsys, ["vitality", "--store", store, "--json"])
    payload = json.loads(out)
    share = payload["hollow"] / payload["venues_total"]
    assert payload["illustrative"] is True and 0.1 < share < 0.4


def test_coverage_active_only_counts_fewer_venues(capsys, tmp_path):
    store = str(tmp_path / "empty.gpkg")
    code, out, _ = run(capsys, ["coverage", "--store", store, "--json"])
    every = json.loads(out)
    code, out, _ = run(capsys, ["coverage", "--store", store, "--json", "--active-only"])
    alive = json.loads(out)
    assert code == 0 and alive["active_only"] and alive["activities_illustrative"]
    assert alive["population_covered"] < every["population_covered"]


@pytest.mark.parametrize(("argv", "text"), [
    (["--as-of", "30/06/2025"], "--as-of '30/06/2025' is not a date: write it as YYYY-MM-DD"),
    (["--months", "0"], "--months 0: give a whole number of months >= 1"),
])  # fmt: skip
def test_bad_options_one_line_exit_2(capsys, tmp_path, argv, text):
    code, out, err = run(capsys, ["vitality", "--store", str(tmp_path / "s.gpkg"), *argv])
    assert code == 2 and out == "" and text in err and len(err.strip().splitlines()) == 1
