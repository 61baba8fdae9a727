"""geo.importer: every format and CRS path end to end, the row rules, and the CLI around it."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from geo import crs
from geo.errors import CRSError, InputError
from geo.importer import (
    ImportReport,
    import_venues,
    map_headers,
    parse_number,
    parse_organizations,
    parse_year,
    stable_id,
)
from geo.schema import VENUE_COLUMNS
from tests.fixtures_import import (
    ANGLA,
    BAOAN,
    JIANZHA,
    LONGWU,
    MAKETANG,
    TONGREN,
    WANGJIA,
    ZEKOG,
    point_in_township,
    reference_index,
    venue_gdf,
    village,
    write_csv,
    write_shapefile_zip,
    write_xlsx,
)
from venuemap import cli_import

GEOD = Geod(ellps="WGS84")
ZH_HEADER = [
    "编号",
    "名称",
    "类型",
    "经度",
    "纬度",
    "所属县",
    "所属乡镇",
    "入驻组织",
    "状态",
    "建成年份",
]


def run(path, **kwargs) -> ImportReport:
    kwargs.setdefault("reference", reference_index())
    return import_venues(path, **kwargs)


def metres(a, b) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def coords(report: ImportReport) -> list[tuple[float, float]]:
    return [(p.x, p.y) for p in report.accepted.geometry]


# --------------------------------------------------------------------------- acceptance
def test_gbk_csv_of_gcj02_village_stations_imports_within_a_metre(tmp_path):
    """The issue's acceptance case: GBK, Chinese headers, Amap (GCJ-02) coordinates, bad rows."""
    truth = [point_in_township(ANGLA), point_in_township(LONGWU), point_in_township(BAOAN)]
    gcj = [tuple(float(v) for v in crs.wgs84_to_gcj02(*p)) for p in truth]
    deji_code, _ = village("德吉", ANGLA)
    header = [
        "名称",
        "类型",
        "高德经度",
        "高德纬度",
        "所属县",
        "所属乡镇",
        "村（社区）",
        "入驻组织",
    ]
    rows = [
        [
            "德吉村群团服务站",
            "村群团服务站",
            *gcj[0],
            "尖扎县",
            "昂拉乡",
            "德吉村",
            "工会、妇联、共青团",
        ],
        ["隆务村群团服务站", "村群团服务站", *gcj[1], "同仁市", "隆务镇", "隆务村", "工会;妇联"],
        ["保安村群团服务站", "村群团服务站", *gcj[2], "", "", "", "妇联"],
        ["", "村群团服务站", *gcj[0], "尖扎县", "", "", ""],  # blank name
        ["错县站", "村群团服务站", *gcj[1], "泽库县", "", "", ""],  # county contradicts point
        ["坏坐标站", "村群团服务站", "102,5", gcj[1][1], "", "", ""],  # not a number
    ]
    path = write_csv(tmp_path / "村站.csv", header, rows, encoding="gbk")
    report = run(path)
    assert (report.rows, len(report.accepted), report.rejected) == (6, 3, 3)
    for got, want in zip(coords(report), truth, strict=True):
        assert metres(got, want) < 1.0
    first = report.accepted.iloc[0]
    assert (first["county_code"], first["township_code"], first["village_code"]) == (
        JIANZHA,
        ANGLA,
        deji_code,
    )
    assert first["organizations"] == "union;youth_league;women"
    assert first["kind"] == "village_station" and first["level"] == 4
    assert first["position"] == "surveyed" and first["status"] == "in_service"
    assert report.accepted.iloc[2]["county_code"] == TONGREN
    assert report.accepted.iloc[2]["township_code"] == BAOAN
    by_row = {issue.row: issue for issue in report.errors}
    assert by_row[5].column == "名称" and "name is blank" in by_row[5].message
    assert by_row[6].column == "所属县" and "contradicts the location" in by_row[6].message
    assert "同仁市 632301" in by_row[6].message
    assert by_row[7].column == "高德经度" and by_row[7].value == "102,5"
    assert "not a number" in by_row[7].message
    assert not any("WGS84/CGCS2000" in w.message for w in report.warnings)  # header chose GCJ-02


# --------------------------------------------------------------------------- CRS paths
PLACE = point_in_township(LONGWU)


def one_row_csv(tmp_path, x, y, lon_header="经度", lat_header="纬度"):
    return write_csv(
        tmp_path / "one.csv", ["名称", "类型", lon_header, lat_header],
        [["隆务站", "社区群团服务站", x, y]],
    )  # fmt: skip


def test_auto_reads_wgs84_and_warns_that_it_assumed_so(tmp_path):
    report = run(one_row_csv(tmp_path, *PLACE))
    assert metres(coords(report)[0], PLACE) < 1e-3
    assert any(w.row == 0 and "assumed" not in w.message and "WGS84/CGCS2000" in w.message
               for w in report.warnings)  # fmt: skip


@pytest.mark.parametrize(
    ("option", "forward"),
    [
        ("wgs84", lambda x, y: (x, y)),
        ("cgcs2000", lambda x, y: (x, y)),
        ("EPSG:4490", lambda x, y: (x, y)),
        ("gcj02", crs.wgs84_to_gcj02),
        ("高德", crs.wgs84_to_gcj02),
        ("bd09", crs.wgs84_to_bd09),
        ("EPSG:4543", Transformer.from_crs(4326, 4543, always_xy=True).transform),
    ],
)
def test_every_crs_option(tmp_path, option, forward):
    x, y = (float(v) for v in forward(*PLACE))
    report = run(one_row_csv(tmp_path, round(x, 9), round(y, 9), "x", "y"), crs=option)
    assert report.rejected == 0, report.errors
    assert metres(coords(report)[0], PLACE) < 1.0
    assert not any("WGS84/CGCS2000" in w.message for w in report.warnings)


def test_baidu_headers_choose_bd09(tmp_path):
    x, y = (float(v) for v in crs.wgs84_to_bd09(*PLACE))
    report = run(one_row_csv(tmp_path, x, y, "百度经度", "百度纬度"))
    assert metres(coords(report)[0], PLACE) < 1.0


def test_projected_metres_without_crs_are_refused(tmp_path):
    x, y = Transformer.from_crs(4326, 4543, always_xy=True).transform(*PLACE)
    with pytest.raises(CRSError, match=r"projected metres.*--crs EPSG:N.*EPSG:4543"):
        run(one_row_csv(tmp_path, x, y, "x", "y"))


def test_gpkg_in_projected_cgcs2000_uses_the_files_crs(tmp_path):
    x, y = Transformer.from_crs(4326, 4543, always_xy=True).transform(*PLACE)
    path = tmp_path / "gk.gpkg"
    venue_gdf([{"name": "隆务站", "kind": "社区群团服务站", "x": x, "y": y}], crs=4543).to_file(
        path
    )
    report = run(path)
    assert metres(coords(report)[0], PLACE) < 0.01
    assert not any("WGS84/CGCS2000" in w.message for w in report.warnings)
    assert "coordinates read as EPSG:4543" in report.notes


# --------------------------------------------------------------------------- formats
def test_xlsx_with_title_row_keeps_spreadsheet_row_numbers(tmp_path):
    rows = [["a1", "隆务站", "社区群团服务站", *PLACE, "同仁市", "隆务镇", "工会", "在用", 2019],
            ["a2", "", "社区群团服务站", *PLACE, "同仁市", "", "", "", ""]]  # fmt: skip
    report = run(write_xlsx(tmp_path / "a.xlsx", ZH_HEADER, rows, title="黄南州阵地名录"))
    assert report.rows == 2 and len(report.accepted) == 1
    assert report.errors[0].row == 4 and report.errors[0].column == "名称"
    assert report.accepted.iloc[0]["year_opened"] == 2019


def test_geojson_english_properties(tmp_path):
    gdf = venue_gdf([{"id": "v1", "name": "隆务站", "kind": "community_station", "county": "632301",
                      "x": PLACE[0], "y": PLACE[1]}])  # fmt: skip
    path = tmp_path / "a.geojson"
    gdf.to_file(path, driver="GeoJSON")
    report = run(path)
    assert report.to_json_dict()["accepted"] == 1
    assert report.accepted.iloc[0]["id"] == "v1"


@pytest.mark.parametrize("keep_cpg", [True, False])
def test_gbk_shapefile_zip(tmp_path, keep_cpg):
    gdf = venue_gdf([{"名称": "隆务站", "类型": "社区群团服务站", "所属乡镇": "隆务镇",
                      "x": PLACE[0], "y": PLACE[1]}])  # fmt: skip
    path = write_shapefile_zip(tmp_path / "a.zip", gdf, encoding="GBK", keep_cpg=keep_cpg)
    report = run(path)
    assert report.rejected == 0, report.errors
    assert report.accepted.iloc[0]["name"] == "隆务站"
    assert report.accepted.iloc[0]["township_code"] == LONGWU


def test_kml_placemarks(tmp_path):
    path = tmp_path / "a.kml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        '<Document><Placemark><name>隆务站</name><ExtendedData><Data name="kind">'
        "<value>社区群团服务站</value></Data></ExtendedData>"
        f"<Point><coordinates>{PLACE[0]},{PLACE[1]},0</coordinates></Point></Placemark>"
        "</Document></kml>",
        "utf-8",
    )
    report = run(path)
    assert report.rejected == 0, report.errors
    assert metres(coords(report)[0], PLACE) < 1e-3


# --------------------------------------------------------------------------- row rules
def test_names_and_codes_of_counties_and_townships(tmp_path):
    mk, wj = point_in_township(MAKETANG), point_in_township(WANGJIA)
    rows = [
        ["", "甲", "社区群团服务站", *PLACE, "同仁县", "632301100", "", "", ""],
        ["", "乙", "社区群团服务站", *PLACE, "632321", "632321100000", "", "", ""],
        ["", "丙", "乡镇群团服务中心", *mk, "尖扎", "马克唐镇", "", "", ""],
        ["", "丁", "乡镇群团服务中心", *wj, "泽库县", "王家乡", "", "", ""],
        ["", "戊", "乡镇群团服务中心", *wj, "Zekog", "王加", "", "", ""],
    ]
    report = run(write_csv(tmp_path / "a.csv", ZH_HEADER, rows, encoding="utf-8-sig"))
    assert report.rejected == 0, report.errors
    got = list(zip(report.accepted["county_code"], report.accepted["township_code"], strict=True))
    assert got == [(TONGREN, LONGWU)] * 2 + [(JIANZHA, MAKETANG)] + [(ZEKOG, WANGJIA)] * 2


def test_missing_county_and_township_are_filled_from_the_location(tmp_path):
    report = run(write_csv(tmp_path / "a.csv", ["名称", "类型", "经度", "纬度"],
                           [["甲", "村群团服务站", *PLACE]]))  # fmt: skip
    row = report.accepted.iloc[0]
    assert (row["county_code"], row["township_code"]) == (TONGREN, LONGWU)
    filled = [w for w in report.warnings if "APPROXIMATE" in w.message]
    assert len(filled) == 1 and "rows 2" in filled[0].message


def test_township_contradicting_the_approximate_area_is_accepted_with_a_warning(tmp_path):
    rows = [["", "甲", "村群团服务站", *PLACE, "同仁市", "保安镇", "", "", ""]]
    report = run(write_csv(tmp_path / "a.csv", ZH_HEADER, rows))
    assert report.rejected == 0 and report.accepted.iloc[0]["township_code"] == BAOAN
    warning = [w for w in report.warnings if w.row == 2][0]
    assert warning.column == "所属乡镇"
    assert "保安镇 632301101" in warning.message and "隆务镇 632301100" in warning.message
    assert "APPROXIMATE" in warning.message


def test_level_is_derived_and_a_contradiction_warns(tmp_path):
    rows = [
        ["甲", "村群团服务站", "3", *PLACE],
        ["乙", "乡镇群团服务中心", "乡镇级", PLACE[0] + 0.001, PLACE[1]],
    ]
    report = run(write_csv(tmp_path / "a.csv", ["名称", "类型", "层级", "lon", "lat"], rows))
    assert list(report.accepted["level"]) == [4, 3]
    assert [w.row for w in report.warnings if w.column == "层级"] == [2]


def test_generated_ids_are_stable(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", ["名称", "类型", "经度", "纬度"], [["甲", "村群团服务站", *PLACE]]
    )
    first, second = run(path), run(path)
    assert first.accepted.iloc[0]["id"] == second.accepted.iloc[0]["id"] == stable_id("甲", *PLACE)
    assert stable_id("甲", *PLACE).startswith("imp-")


def test_existing_register_duplicates(tmp_path):
    existing = venue_gdf([{"id": "v1", "name": "甲", "x": PLACE[0], "y": PLACE[1]}])
    near = (PLACE[0] + 0.0002, PLACE[1])  # ~18 m east
    far = (PLACE[0] + 0.002, PLACE[1])  # ~180 m east
    rows = [["v1", "乙", "村群团服务站", *far, "", "", "", "", ""],
            ["", "甲", "村群团服务站", *near, "", "", "", "", ""],
            ["", "甲", "村群团服务站", *far, "", "", "", "", ""]]  # fmt: skip
    report = run(write_csv(tmp_path / "a.csv", ZH_HEADER, rows), existing=existing)
    assert report.rejected == 2 and len(report.accepted) == 1
    assert "duplicate id 'v1'" in report.errors[0].message and report.errors[0].column == "编号"
    assert "store (id v1)" in report.errors[0].message
    assert report.errors[1].row == 3 and "m from the same name" in report.errors[1].message


def test_report_json_shape_and_invariant(tmp_path):
    rows = [["", "甲", "村群团服务站", *PLACE, "", "", "", "", ""],
            ["", "", "坏", "x", "y", "", "", "", "", "1000"]]  # fmt: skip
    report = run(write_csv(tmp_path / "a.csv", ZH_HEADER, rows))
    out = report.to_json_dict()
    assert list(out) == ["rows", "accepted", "rejected", "errors", "warnings"]
    assert out["accepted"] + out["rejected"] == out["rows"] == 2
    assert all(list(e) == ["row", "column", "value", "message"] for e in out["errors"])
    assert len([e for e in out["errors"] if e["row"] == 3]) >= 4  # all problems of one row
    json.dumps(out, ensure_ascii=False)


def test_accepted_frame_is_the_register_schema(tmp_path):
    report = run(
        write_csv(
            tmp_path / "a.csv", ["名称", "类型", "经度", "纬度"], [["甲", "村群团服务站", *PLACE]]
        )
    )
    assert list(report.accepted.columns) == [*VENUE_COLUMNS, "geometry"]
    assert report.accepted.crs.to_epsg() == 4326
    assert str(report.accepted["level"].dtype) == "Int64"


def test_importer_writes_nothing(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", ["名称", "类型", "经度", "纬度"], [["甲", "村群团服务站", *PLACE]]
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    run(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_default_reference_is_the_bundled_data(tmp_path):
    report = import_venues(write_csv(tmp_path / "a.csv", ["名称", "类型", "经度", "纬度"],
                                     [["甲", "村群团服务站", *PLACE]]))  # fmt: skip
    assert report.accepted.iloc[0]["county_code"] == TONGREN


# --------------------------------------------------------------------------- small parsers
@pytest.mark.parametrize(
    ("text", "value"),
    [("102.0153", 102.0153), (" 102.0153 ", 102.0153), ("１０２．５", 102.5),
     ("102.5°E", 102.5), ("102°30′", 102.5), ("35°30'36\"N", 35.51), ("102度30分", 102.5),
     ("abc", None), ("", None), ("nan", None), ("102,5", None)],
)  # fmt: skip
def test_parse_number(text, value):
    assert parse_number(text) == (pytest.approx(value) if value is not None else None)


def test_parse_organizations_splits_and_orders():
    assert parse_organizations("妇联、工会 ,共青团/women") == ("union;youth_league;women", [])
    assert parse_organizations("工会;青联") == ("union", ["青联"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2019", (2019, True)), ("2019.0", (2019, True)), ("2019年", (2019, True)),
     ("2019-05-01", (2019, True)), ("1800", (1800, False)), ("十九", (None, False)),
     ("", (None, True))],
)  # fmt: skip
def test_parse_year(text, expected):
    assert parse_year(text, 2026) == expected


def test_headers_map_case_and_space_insensitively():
    columns = map_headers(
        ["Name", " KIND ", "County Code", "县（市）", "Longitude", "高德纬度", "备注"]
    )
    assert columns.get("name") == "Name" and columns.get("kind") == " KIND "
    assert columns.get("county") == "County Code"
    assert columns.get("lon") == "Longitude" and columns.get("lat") == "高德纬度"
    assert columns.unknown == ["备注"] and columns.duplicates == [("县（市）", "County Code")]


def test_missing_required_columns(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["名称", "地址"], [["甲", "x"]])
    with pytest.raises(InputError, match=r"a\.csv: missing required column.*kind.*lon/lat"):
        run(path)


# --------------------------------------------------------------------------- CLI
class FakeStore:
    """A stand-in store recording what the CLI writes."""

    def __init__(self, existing=None):
        from geo.importer import register_frame

        self.path = "fake.gpkg"
        self._venues = existing if existing is not None else register_frame([])
        self.added = []

    def venues(self):
        return self._venues

    def layer(self, name):
        return None

    def add_venues(self, gdf):
        self.added.append(gdf)


def parse(argv):
    parser = argparse.ArgumentParser()
    cli_import.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


@pytest.fixture
def fake_store(monkeypatch):
    store = FakeStore()
    monkeypatch.setattr(cli_import, "open_user_store", lambda path: store)
    return store


def good_csv(tmp_path):
    return write_csv(
        tmp_path / "ok.csv", ["名称", "类型", "经度", "纬度"], [["甲", "村群团服务站", *PLACE]]
    )


def test_cli_import_writes_when_all_rows_are_accepted(tmp_path, fake_store, capsys):
    args = parse(["import", str(good_csv(tmp_path)), "--crs", "wgs84"])
    assert args.func(args) == 0
    assert len(fake_store.added) == 1 and len(fake_store.added[0]) == 1
    out = capsys.readouterr().out
    assert "接受 1" in out and "1 accepted" in out and "venues rows written to fake.gpkg" in out


def test_cli_dry_run_and_json(tmp_path, fake_store, capsys):
    args = parse(["import", str(good_csv(tmp_path)), "--dry-run", "--json"])
    assert args.func(args) == 0 and fake_store.added == []
    out = json.loads(capsys.readouterr().out)
    assert (out["rows"], out["accepted"], out["rejected"]) == (1, 1, 0)


def test_cli_rejected_rows_write_nothing_and_exit_1(tmp_path, fake_store, capsys):
    path = write_csv(tmp_path / "bad.csv", ["名称", "类型", "经度", "纬度"],
                     [["甲", "村群团服务站", *PLACE], ["", "村群团服务站", *PLACE]])  # fmt: skip
    args = parse(["import", str(path)])
    assert args.func(args) == 1 and fake_store.added == []
    out = capsys.readouterr().out
    assert "第 3 行 row 3 [名称]" in out and "nothing written" in out


def test_cli_skip_invalid_writes_the_accepted_rows_and_counts_the_skipped(
    tmp_path, fake_store, capsys
):
    path = write_csv(tmp_path / "bad.csv", ["名称", "类型", "经度", "纬度"],
                     [["甲", "村群团服务站", *PLACE], ["", "村群团服务站", *PLACE]])  # fmt: skip
    args = parse(["import", str(path), "--skip-invalid"])
    assert args.func(args) == 0
    assert len(fake_store.added) == 1 and fake_store.added[0]["name"].tolist() == ["甲"]
    assert fake_store.added[0]["as_of"].notna().all(), "the import date is recorded"
    out = capsys.readouterr().out
    assert "1 venues rows written" in out and "1 rejected rows skipped" in out
    again = parse(["import", str(path), "--skip-invalid", "--json"])
    assert again.func(again) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["written"], payload["skipped"]) == (1, 1)


def test_cli_validate_several_files(tmp_path, fake_store, capsys):
    bad = tmp_path / "bad.xyz"
    bad.write_text("x")
    args = parse(["validate", str(good_csv(tmp_path)), str(bad), "--json"])
    assert args.func(args) == 2 and fake_store.added == []
    captured = capsys.readouterr()
    assert json.loads(captured.out)[0]["accepted"] == 1
    assert "bad.xyz: cannot read files of type" in captured.err


def test_cli_real_store_round_trip(tmp_path, capsys):
    store_path = tmp_path / "store.gpkg"
    args = parse(["import", str(good_csv(tmp_path)), "--store", str(store_path)])
    assert args.func(args) == 0
    from geo.store import open_store

    stored = open_store(store_path).venues()
    assert list(stored["name"]) == ["甲"] and stored.iloc[0]["county_code"] == TONGREN
    assert shapely.distance(stored.geometry.iloc[0], shapely.Point(PLACE)) < 1e-9
    again = parse(["import", str(good_csv(tmp_path)), "--store", str(store_path), "--json"])
    assert again.func(again) == 1  # the same venue again is a duplicate
    assert "duplicate id" in capsys.readouterr().out
    assert np.isclose(open_store(store_path).venues().geometry.x.iloc[0], PLACE[0])


def test_projected_survey_x_y_swapped_is_named(tmp_path):
    east, north = Transformer.from_crs(4326, 4543, always_xy=True).transform(*PLACE)
    report = run(one_row_csv(tmp_path, north, east, "X", "Y"), crs="EPSG:4543")
    assert report.rejected == 1
    assert "look swapped" in report.errors[0].message
    assert "X is the northing" in report.errors[0].message


# --------------------------------------------------------------------------- reference layers
def bundled(name):
    from tests.fixtures_import import reference_layers

    return reference_layers()[name]


def gcj_polygons(codes):
    townships = bundled("townships").set_index("township_code")
    wgs = [townships.geometry[c] for c in codes]

    def forward(xy):
        return np.column_stack(crs.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))

    return wgs, list(shapely.transform(np.array(wgs, dtype=object), forward))


def test_official_townships_in_gcj02_replace_the_approximate_ones(tmp_path):
    from geo.importer import import_layer

    wgs, gcj = gcj_polygons([LONGWU, BAOAN, MAKETANG])
    path = tmp_path / "townships.gpkg"
    frame = {"乡镇": ["隆务镇", "632301101", "马克唐镇"]}
    import geopandas as gpd

    gpd.GeoDataFrame(frame, geometry=gcj, crs=4326).to_file(path)
    report = import_layer(path, "townships", crs="gcj02", reference=reference_index())
    assert (report.rows, len(report.accepted), report.rejected) == (3, 3, 0)
    assert list(report.accepted["township_code"]) == [LONGWU, BAOAN, MAKETANG]
    assert not report.accepted["approximate"].any()
    for got, want in zip(report.accepted.geometry, wgs, strict=True):
        a, b = shapely.get_coordinates(got), shapely.get_coordinates(want)
        assert max(metres(p, q) for p, q in zip(a, b, strict=True)) < 1.0
    assert len(report.merged) == 33 and report.merged["approximate"].sum() == 30
    assert any("30 of 33 townships" in w.message for w in report.warnings)


def test_township_polygon_problems(tmp_path):
    import geopandas as gpd

    from geo.importer import import_layer

    zekog_area = bundled("townships").set_index("township_code").geometry[WANGJIA]
    bowtie = shapely.Polygon([(102.0, 35.5), (102.1, 35.6), (102.1, 35.5), (102.0, 35.6)])
    rows = {
        "name": ["不存在乡", "隆务镇", "隆务镇", "保安镇", "马克堂镇"],
        "geometry": [zekog_area, zekog_area, zekog_area, shapely.Point(*PLACE), bowtie],
    }
    path = tmp_path / "t.geojson"
    gpd.GeoDataFrame(rows, crs=4326).to_file(path)
    report = import_layer(path, "townships", reference=reference_index())
    assert report.rejected == 5 and len(report.accepted) == 0
    messages = {e.row: e.message for e in report.errors}
    assert "unknown township '不存在乡'" in messages[2]
    assert "only 0% of the polygon lies in its county 同仁市 632301" in messages[3]
    assert "already given on row 3" in messages[4]
    assert "geometry is a Point" in messages[5]
    assert "invalid polygon (Self-intersection" in messages[6]


def test_townships_need_a_spatial_file(tmp_path):
    from geo.importer import import_layer

    path = write_csv(tmp_path / "t.csv", ["乡镇", "面积"], [["隆务镇", "97"]])
    with pytest.raises(InputError, match="township boundaries need a spatial file"):
        import_layer(path, "townships", reference=reference_index())


def test_villages_population_and_points(tmp_path):
    from geo.importer import import_layer

    deji_code, _ = village("德吉", ANGLA)
    deji_point = point_in_township(ANGLA)
    rows = [
        [deji_code, "", "1,234人", *deji_point],
        ["隆务村", "隆务镇", "860", "", ""],
        ["四合吉社区", "", "abc", "", ""],
        ["不存在村", "隆务镇", "5", "", ""],
        [deji_code, "", "10", "", ""],
        ["热贡路社区", "隆务镇", "2000", *point_in_township(BAOAN)],
        ["河东路社区", "隆务镇", "3000", *bundled("prefecture").total_bounds[:2]],
    ]
    header = ["村（社区）", "乡镇", "常住人口", "经度", "纬度"]
    report = import_layer(write_csv(tmp_path / "v.csv", header, rows), "villages",
                          reference=reference_index())  # fmt: skip
    assert report.rows == 7 and len(report.accepted) == 3 and report.rejected == 4
    first = report.accepted.iloc[0]
    assert first["population"] == 1234 and first["population_source"] == "user"
    assert first["position"] == "surveyed" and metres((first.geometry.x, first.geometry.y),
                                                      deji_point) < 1e-3  # fmt: skip
    second = report.accepted.iloc[1]
    assert second["population"] == 860 and second["position"] == "illustrative"
    messages = {e.row: (e.column, e.message) for e in report.errors}
    assert messages[4][0] == "常住人口" and "'abc' is not a whole number" in messages[4][1]
    assert "unknown village/community '不存在村'" in messages[5][1]
    assert "already given on row 2" in messages[6][1]
    assert messages[8][0] == "经度/纬度" and "km outside Huangnan" in messages[8][1]
    assert len(report.merged) == 299
    assert report.merged.set_index("village_code").loc[deji_code, "population"] == 1234


def test_villages_point_in_the_wrong_county(tmp_path):
    from geo.importer import import_layer

    deji_code, _ = village("德吉", ANGLA)
    path = write_csv(tmp_path / "v.csv", ["village_code", "lon", "lat"], [[deji_code, *PLACE]])
    report = import_layer(path, "villages", crs="wgs84", reference=reference_index())
    assert report.rejected == 1
    assert (
        "lies in 同仁市 632301 but the village belongs to 尖扎县 632322" in report.errors[0].message
    )


def test_villages_file_needs_population_or_points(tmp_path):
    from geo.importer import import_layer

    path = write_csv(tmp_path / "v.csv", ["村", "备注"], [["德吉村", "x"]])
    with pytest.raises(InputError, match="needs a population column"):
        import_layer(path, "villages", reference=reference_index())


def test_cli_import_townships_layer_into_a_real_store(tmp_path, capsys):
    import geopandas as gpd

    from geo.store import open_store

    wgs, _ = gcj_polygons([LONGWU])
    path = tmp_path / "t.geojson"
    gpd.GeoDataFrame({"township_code": [LONGWU]}, geometry=wgs, crs=4326).to_file(path)
    store_path = tmp_path / "store.gpkg"
    args = parse(["import", str(path), "--layer", "townships", "--store", str(store_path)])
    assert args.func(args) == 0
    stored = open_store(store_path).layer("townships")
    assert len(stored) == 33 and (~stored["approximate"]).sum() == 1
    assert "townships rows written" in capsys.readouterr().out
