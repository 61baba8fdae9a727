"""Capacity and floor area: imported from Chinese headers, checked, stored as numbers."""

from __future__ import annotations

import math

from geo.importer import import_venues
from geo.store import conform_register
from tests.fixtures_import import LONGWU, point_in_township, reference_index, write_csv


def test_capacity_and_area_import_with_chinese_headers(tmp_path):
    lon, lat = point_in_township(LONGWU)
    header = ["名称", "类型", "经度", "纬度", "服务人数", "面积（㎡）"]
    rows = [
        ["甲站", "村群团服务站", lon, lat, "1,200人", "85.5"],
        ["乙站", "村群团服务站", lon + 0.001, lat, "", ""],
        ["丙站", "村群团服务站", lon + 0.002, lat, "很多", "-3"],
    ]
    path = write_csv(tmp_path / "容量.csv", header, rows, encoding="gbk")
    report = import_venues(path, reference=reference_index())
    assert len(report.accepted) == 2 and report.rejected == 1
    first, second = report.accepted.iloc[0], report.accepted.iloc[1]
    assert first["capacity"] == 1200.0 and first["floor_area_m2"] == 85.5
    assert math.isnan(second["capacity"]) and math.isnan(second["floor_area_m2"])
    bad = {issue.column: issue.message for issue in report.errors}
    assert "capacity '很多' is not a non-negative number" in bad["服务人数"]
    assert "floor_area_m2 '-3' is not a non-negative number" in bad["面积（㎡）"]
    stored = conform_register(report.accepted)
    assert stored["capacity"].dtype == float and stored["floor_area_m2"].dtype == float


def test_capacity_alias_容量(tmp_path):
    lon, lat = point_in_township(LONGWU)
    path = write_csv(tmp_path / "c.csv", ["名称", "类型", "经度", "纬度", "容量", "建筑面积"],
                     [["甲站", "村群团服务站", lon, lat, "300", "40㎡"]])  # fmt: skip
    accepted = import_venues(path, reference=reference_index()).accepted
    assert (accepted.iloc[0]["capacity"], accepted.iloc[0]["floor_area_m2"]) == (300.0, 40.0)
