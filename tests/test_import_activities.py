"""``import --layer activities``: a GBK CSV with Chinese headers, every bad row explained."""

import datetime as dt

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.errors import InputError
from geo.importer import import_layer
from geo.importer.activities import parse_date
from tests.fixtures_import import write_csv

HEADER = ["阵地", "日期", "活动名称", "组织", "参与人数"]


@pytest.fixture
def register():
    return gpd.GeoDataFrame(
        {"id": ["HN-1", "HN-2", "HN-3"], "name": ["隆务站", "同名站", "同名站"]},
        geometry=[Point(102.0, 35.5), Point(102.1, 35.5), Point(102.2, 35.5)],
        crs="EPSG:4326",
    )


def test_gbk_chinese_headers_match_by_id_then_name(tmp_path, register):
    rows = [["HN-2", "2025-03-08", "三八节", "妇联", "40"],
            ["隆务站", "2025年5月4日", "青年节", "共青团、工会", ""]]  # fmt: skip
    path = write_csv(tmp_path / "活动.csv", HEADER, rows, encoding="gbk")
    report = import_layer(path, "activities", existing=register)
    assert report.rejected == 0 and report.layer == "activities"
    accepted = report.accepted
    assert list(accepted["venue_id"]) == ["HN-2", "HN-1"]
    assert list(accepted["date"]) == ["2025-03-08", "2025-05-04"]
    assert list(accepted["organizations"]) == ["women", "union;youth_league"]
    assert accepted["participants"].iloc[0] == 40 and accepted["participants"].isna().iloc[1]
    assert (accepted["source"] == "user").all()
    assert accepted.geometry.iloc[1].equals(Point(102.0, 35.5))  # the venue's point


def test_every_bad_row_says_row_column_value_and_fix(tmp_path, register):
    rows = [["同名站", "2025-03-08", "a", "妇联", "1"],
            ["无此站", "2025-02-30", "b", "天团", "很多"],
            ["HN-1", "2999-01-01", "c", "", "3"]]  # fmt: skip
    path = write_csv(tmp_path / "bad.csv", HEADER, rows, encoding="gbk")
    report = import_layer(path, "activities", existing=register)
    assert report.rejected == 3 and len(report.accepted) == 0
    issues = {(i.row, i.column): (i.value, i.message) for i in report.errors}
    assert "give the venue id instead" in issues[(2, "阵地")][1]
    assert issues[(3, "阵地")] == ("无此站", issues[(3, "阵地")][1])
    assert "no venue with id or exact name '无此站'" in issues[(3, "阵地")][1]
    assert "not a date" in issues[(3, "日期")][1] and issues[(3, "日期")][0] == "2025-02-30"
    assert "unknown organizations 天团" in issues[(3, "组织")][1]
    assert "whole number" in issues[(3, "参与人数")][1]
    assert "after today" in issues[(4, "日期")][1]


def test_english_headers_and_merge_with_stored(tmp_path, register):
    header = ["venue_id", "date", "title", "organizations", "participants"]
    first = write_csv(tmp_path / "a.csv", header, [["HN-1", "2025-01-02", "t", "union", "5"]])
    stored = import_layer(first, "activities", existing=register).merged
    again = write_csv(tmp_path / "b.csv", header, [["HN-1", "2025-01-02", "t", "union", "7"],
                                                    ["HN-2", "2025-01-03", "u", "women", "2"]])
    merged = import_layer(again, "activities", existing=register, stored=stored).merged
    # the same venue, date and title replaces the stored row: 2 rows, not 3
    pairs = zip(merged["venue_id"], merged["participants"], strict=True)
    assert sorted(pairs) == [("HN-1", 7), ("HN-2", 2)]


def test_duplicate_rows_in_one_file(tmp_path, register):
    rows = [["HN-1", "2025-01-02", "t", "", ""], ["HN-1", "2025/1/2", "t", "", ""]]
    report = import_layer(write_csv(tmp_path / "d.csv", HEADER, rows), "activities",
                          existing=register)  # fmt: skip
    assert report.rejected == 1 and "the same venue, date and title as row 2" in (
        report.errors[0].message)


def test_file_without_date_column_is_refused(tmp_path, register):
    path = write_csv(tmp_path / "n.csv", ["阵地", "活动名称"], [["HN-1", "x"]])
    with pytest.raises(InputError, match="no date column: add 日期/date"):
        import_layer(path, "activities", existing=register)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-08", dt.date(2025, 3, 8)), ("2025/3/8", dt.date(2025, 3, 8)),
    ("2025.3.8", dt.date(2025, 3, 8)), ("2025年3月8日", dt.date(2025, 3, 8)),
    ("2025-03-08 09:30:00", dt.date(2025, 3, 8)), ("2025-02-29", None), ("三月", None),
])  # fmt: skip
def test_parse_date(text, expected):
    assert parse_date(text) == expected
