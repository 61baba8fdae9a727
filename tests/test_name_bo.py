"""Tibetan names (issue 10 item 7): the optional name_bo column, imported and shown."""

import pandas as pd

from geo.importer import import_venues
from geo.layers.venues import venue_popup
from geo.schema import VENUE_COLUMNS
from tests.fixtures_import import LONGWU, point_in_township, reference_index, write_csv

BO = "རེབ་གོང་"  # a Tibetan-script test string (not claimed as any venue's real name)


def test_name_bo_imported_from_chinese_header(tmp_path):
    lon, lat = point_in_township(LONGWU)
    path = write_csv(tmp_path / "bo.csv", ["名称", "类型", "经度", "纬度", "藏文名称"],
                     [["甲站", "村群团服务站", lon, lat, BO],
                      ["乙站", "村群团服务站", lon + 0.001, lat, ""]])  # fmt: skip
    accepted = import_venues(path, reference=reference_index()).accepted
    assert "name_bo" in VENUE_COLUMNS
    assert accepted.iloc[0]["name_bo"] == BO and pd.isna(accepted.iloc[1]["name_bo"])


def test_popup_shows_tibetan_beside_chinese_escaped():
    row = {"name": "甲站", "name_bo": BO + "<b>", "kind": "village_station", "level": 4}
    html = venue_popup(row, "zh")
    assert f"甲站 · {BO}&lt;b&gt;" in html and "<b>" not in html
    assert "·" not in venue_popup({**row, "name_bo": None}, "zh")
