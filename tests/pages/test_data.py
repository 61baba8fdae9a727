"""数据 Data: import report before writing, validated edits, filtered downloads."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from pyproj import Transformer

from ui.data_ops import apply_filters, crs_argument, pick_language
from ui.loaders import export_bytes

from .helpers import has_cjk, texts

TO_LONLAT = Transformer.from_crs("EPSG:4543", "EPSG:4326", always_xy=True)


def upload_csv() -> bytes:
    lon, lat = TO_LONLAT.transform(507_000, 3_936_000)  # inside 隆务镇
    return (
        "名称,类型,经度,纬度,所属县,所属乡镇\n"
        f"新村站,村群团服务站,{lon:.6f},{lat:.6f},同仁市,隆务镇\n"
        f",村群团服务站,{lon:.6f},{lat:.6f},同仁市,隆务镇\n"
    ).encode()


def test_data_page_runs_with_tabs_and_downloads(open_page) -> None:  # noqa: ANN001
    at = open_page("data")
    assert not at.exception
    assert [tab.label for tab in at.tabs] == ["阵地表", "下载", "导入", "修改记录", "实测采集"]
    assert [d.label for d in at.get("download_button")] == ["GeoJSON", "GeoPackage", "CSV（Excel）"]
    assert len(at.data_editor) == 1
    assert at.file_uploader(key="upload") is not None


def test_upload_shows_the_report_before_any_write(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("data")
    at.file_uploader(key="upload").set_value(("stations.csv", upload_csv(), "text/csv")).run()
    assert not at.exception
    counts = {m.label: m.value for m in at.metric}
    assert counts == {"读取行数": "2", "可导入": "1", "被拒绝": "1"}
    errors = at.dataframe[-2].value if len(at.dataframe) > 2 else at.dataframe[-1].value
    assert 3 in errors["行号"].tolist()  # the blank name, spreadsheet row 3
    assert not tiny_world.exists(), "the check must not write"
    # default policy: all or nothing -> a rejected row means no write button at all
    assert any("不会写入任何数据" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "import_write"]
    at.selectbox(key="import_policy__zh").set_value("skip_invalid").run()
    at.button(key="import_write").click().run()
    assert not tiny_world.exists(), "writing needs a confirmation"
    assert any("跳过 1 行" in w.value for w in at.warning)
    at.button(key="import_confirm_write").click().run()
    assert any("已写入 1 个阵地" in s.value for s in at.success)
    stored = gpd.read_file(tiny_world, layer="venues")
    assert stored["name"].tolist() == ["新村站"]
    assert stored["as_of"].notna().all(), "an imported venue carries its import date"


def test_cancel_writes_nothing(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("data")
    at.file_uploader(key="upload").set_value(("stations.csv", upload_csv(), "text/csv")).run()
    at.selectbox(key="import_policy__zh").set_value("skip_invalid").run()
    at.button(key="import_write").click().run()
    at.button(key="import_cancel").click().run()
    assert not tiny_world.exists()
    assert not [b for b in at.button if b.key == "import_confirm_write"]


def test_bad_edit_is_refused_and_nothing_is_lost(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("data")
    edits = {"edited_rows": {1: {"name": "  ", "lat": 95.0}}, "added_rows": [], "deleted_rows": []}
    at.session_state["venue_editor_none_zh"] = edits
    at.run()
    at.button(key="save_edits").click().run()
    assert any("尚未保存" in e.value for e in at.error)
    problems = at.dataframe[-1].value
    assert set(problems["列"]) == {"名称", "经度/纬度"}  # the importer's rules name the point
    assert not tiny_world.exists()
    assert at.session_state["venue_editor_none_zh"]["edited_rows"], "the edits must survive"


def test_good_edit_is_saved_to_the_store(open_page, tiny_world) -> None:  # noqa: ANN001
    at = open_page("data")
    edits = {
        "edited_rows": {1: {"name": "改名中心", "status": "closed"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.session_state["venue_editor_none_zh"] = edits
    at.run()
    at.button(key="save_edits").click().run()
    assert not at.exception
    assert any("修改已保存" in s.value for s in at.success)
    stored = gpd.read_file(tiny_world, layer="venues").set_index("id")
    assert stored.loc["HN-T-1", "name"] == "改名中心"
    assert stored.loc["HN-T-1", "status"] == "closed"
    assert len(stored) == 4


def test_filters_shrink_the_download(open_page) -> None:  # noqa: ANN001
    at = open_page("data")
    assert any("4 / 4" in c.value for c in at.caption)
    at.selectbox(key="data_kind__zh").set_value("village_station").run()
    assert any("将下载 1 / 4" in c.value for c in at.caption)


def test_export_is_valid_geojson_of_the_filtered_rows(tiny_world) -> None:  # noqa: ANN001
    from .helpers import fixture_layers

    venues = fixture_layers()["venues_demo"]
    shown = apply_filters(
        venues,
        {"county": None, "township": None, "kind": "township_centre", "organization": "union"},
    )
    data = json.loads(export_bytes(shown, "geojson", "venues"))
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in data["features"]] == ["HN-T-1"]
    assert "crs" not in data


def test_english_data_page_has_no_chinese_labels(open_page) -> None:  # noqa: ANN001
    at = open_page("data", lang="en")
    assert not at.exception
    mixed = [text for text in texts(at) if has_cjk(text)]
    assert mixed == [], mixed


def test_crs_argument_and_bilingual_messages() -> None:
    assert crs_argument("gcj02", "") == "gcj02"
    assert crs_argument("epsg", " epsg:4543 ") == "EPSG:4543"
    assert pick_language("名称为空 / the name is blank", "en") == "the name is blank"
    assert pick_language("名称为空 / the name is blank", "zh") == "名称为空"
    assert pick_language("plain text", "zh") == "plain text"
    county = "所填县与坐标不符 / stated county 泽库县 632323 contradicts the location"
    assert pick_language(county, "en") == "stated county 泽库县 632323 contradicts the location"
    assert pick_language(county, "zh") == "所填县与坐标不符"


def test_file_level_import_errors_speak_both_languages(tmp_path) -> None:
    from geo.errors import InputError
    from geo.importer.readers import read_table

    bad = tmp_path / "a.xyz"
    bad.write_text("x")
    with pytest.raises(InputError) as caught:
        read_table(bad)
    assert pick_language(str(caught.value), "zh").startswith("a.xyz: 不支持此文件类型")
    assert pick_language(str(caught.value), "en").startswith("a.xyz: cannot read files of type")


def test_edit_outside_the_county_is_refused() -> None:
    import pandas as pd

    from ui.data_ops import validate_edits

    from .helpers import fixture_layers

    layers = fixture_layers()
    reference = {name: layers[name] for name in ("prefecture", "counties", "townships")}
    inside_lon, inside_lat = TO_LONLAT.transform(505_000, 3_935_000)
    far_lon, far_lat = TO_LONLAT.transform(505_000, 3_960_000)  # 20 km north of the county
    rows = pd.DataFrame(
        {"id": ["a", "b"], "name": ["甲", "乙"], "kind": ["village_station"] * 2,
         "status": ["in_service"] * 2, "organizations": [["union"], []],
         "year_opened": [2020, None], "county_code": ["632301"] * 2,
         "lon": [inside_lon, far_lon], "lat": [inside_lat, far_lat]}
    )  # fmt: skip
    problems = validate_edits(rows, "en", reference)
    assert len(problems) == 1
    assert problems[0]["ID"] == "b"
    assert "20.0 km outside Huangnan prefecture" in problems[0]["Message"]


def test_table_edits_follow_the_importers_year_rule() -> None:
    """One row validator: a year the importer refuses (this year + 6) is refused in the table."""
    import pandas as pd

    from geo.importer import YEARS_AHEAD
    from ui.data_ops import validate_edits

    from .helpers import fixture_layers

    layers = fixture_layers()
    reference = {name: layers[name] for name in ("prefecture", "counties", "townships")}
    lon, lat = TO_LONLAT.transform(505_000, 3_935_000)
    this_year = pd.Timestamp.now().year
    rows = pd.DataFrame(
        {"id": ["ok", "late"], "name": ["甲", "乙"], "kind": ["village_station"] * 2,
         "status": ["planned"] * 2, "organizations": [[], []],
         "year_opened": [this_year + YEARS_AHEAD, this_year + YEARS_AHEAD + 1],
         "county_code": ["632301"] * 2, "lon": [lon, lon + 0.01], "lat": [lat, lat]}
    )  # fmt: skip
    problems = validate_edits(rows, "en", reference)
    assert [(p["ID"], p["Column"]) for p in problems] == [("late", "Year opened")]
