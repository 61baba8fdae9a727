"""A corpus of malformed inputs: each gets an actionable message and leaves the store untouched.

Every case goes through the real command line (``venuemap import FILE --store S --json``)
against a real GeoPackage store holding one venue; afterwards the store file must be
byte-identical. Row cases put one good row on spreadsheet row 2 and the bad row on row 3, so
they also prove that one bad row blocks the whole (all-or-nothing) import with exit code 1.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.importer import import_venues, register_frame
from geo.store import open_store
from tests.fixtures_import import (
    ANGLA,
    BAOAN,
    LONGWU,
    point_in_township,
    reference_layers,
    village,
    write_csv,
    write_xlsx,
)
from venuemap.cli import main

PLACE = point_in_township(LONGWU)
OTHER = point_in_township(BAOAN)
STORED = point_in_township(LONGWU, dx=0.005)
DEJI_CODE = village("德吉", ANGLA)[0]
OTHER_VILLAGE = next(
    code for code in reference_layers()["villages"]["village_code"] if code != DEJI_CODE
)
HEADER = [
    "编号",
    "名称",
    "类型",
    "经度",
    "纬度",
    "所属县",
    "所属乡镇",
    "村（社区）",
    "入驻组织",
    "状态",
    "建成年份",
    "坐标来源",
]
GOOD = {"编号": "G1", "名称": "好站", "类型": "村群团服务站", "经度": OTHER[0], "纬度": OTHER[1]}


@dataclass(frozen=True)
class Case:
    """One malformed input: cells of the bad row (or a file writer) and what must be said."""

    name: str
    bad: dict[str, object] | None = None
    column: str = ""
    phrase: str = ""
    row: int = 3
    exit_code: int = 1
    writer: object = None
    extra_args: tuple[str, ...] = ()


def row(**cells: object) -> dict[str, object]:
    base = {"编号": "", "名称": "新站", "类型": "村群团服务站", "经度": PLACE[0], "纬度": PLACE[1]}
    return {**base, **cells}


ROW_CASES = [
    Case("blank name", row(名称=""), "名称", "name is blank"),
    Case("spaces-only name", row(名称="   "), "名称", "name is blank"),
    Case("blank kind", row(类型=""), "类型", "类型为空"),
    Case("unknown kind", row(类型="图书馆"), "类型", "unknown kind '图书馆'"),
    Case(
        "text longitude",
        row(经度="东经一百零二"),
        "经度",
        "longitude '东经一百零二' is not a number",
    ),
    Case("two decimal points", row(经度="102.5.3"), "经度", "is not a number"),
    Case("nan longitude", row(经度="nan"), "经度", "is not a number"),
    Case("blank latitude", row(纬度=""), "纬度", "latitude is empty"),
    Case("longitude out of range", row(经度=502.1), "经度/纬度", "out of range"),
    Case("latitude out of range", row(纬度=95.0), "经度/纬度", "out of range"),
    Case("swapped", row(经度=PLACE[1], 纬度=PLACE[0]), "经度/纬度", "look swapped"),
    Case(
        "Xining, north of the prefecture",
        row(经度=101.78, 纬度=36.62),
        "经度/纬度",
        r"is \d+\.\d km outside Huangnan prefecture",
    ),
    Case("Beijing", row(经度=116.4, 纬度=39.9), "经度/纬度", "km outside Huangnan"),
    Case("null island", row(经度=0, 纬度=0), "经度/纬度", "km outside Huangnan"),
    Case(
        "county contradicts point",
        row(所属县="泽库县"),
        "所属县",
        "stated county 泽库县 632323 contradicts the location: the point lies in 同仁市",
    ),
    Case("unknown county", row(所属县="西宁市"), "所属县", "unknown county '西宁市'"),
    Case("unknown county code", row(所属县="630100"), "所属县", "unknown county '630100'"),
    Case("unknown township", row(所属乡镇="不存在乡"), "所属乡镇", "unknown township '不存在乡'"),
    Case(
        "township of another county",
        row(所属县="同仁市", 所属乡镇="马克堂镇"),
        "所属乡镇",
        "belongs to 尖扎县 632322, not 同仁市 632301",
    ),
    Case(
        "unknown village",
        row(**{"村（社区）": "不存在村"}),
        "村（社区）",
        "unknown village/community '不存在村'",
    ),
    Case(
        "village of another township",
        row(所属乡镇="隆务镇", **{"村（社区）": DEJI_CODE}),
        "村（社区）",
        "belongs to 昂拉乡 632322202, not 隆务镇 632301100",
    ),
    Case(
        "unknown organization",
        row(入驻组织="工会、青联"),
        "入驻组织",
        r"unknown organization\(s\) 青联",
    ),
    Case("unknown status", row(状态="装修中"), "状态", "unknown status '装修中'"),
    Case("year too early", row(建成年份=1800), "建成年份", "'1800' is not a plausible year"),
    Case("year in words", row(建成年份="明年"), "建成年份", "is not a plausible year"),
    Case("year far ahead", row(建成年份=2099), "建成年份", "is not a plausible year"),
    Case("impossible date", row(建成年份="2019-99-99"), "建成年份", "'2019-99-99' is not a"),
    Case("digit separator", row(经度="1_02.0114"), "经度", "longitude '1_02.0114' is not a number"),
    Case("infinite latitude", row(纬度="inf"), "纬度", "latitude 'inf' is not a number"),
    Case("unknown position", row(坐标来源="估计"), "坐标来源", "unknown position '估计'"),
    Case(
        "duplicate id in file", row(编号="G1"), "编号", "duplicate id 'G1': already used by row 2"
    ),
    Case("duplicate id in store", row(编号="v1"), "编号", r"duplicate id 'v1'.*store \(id v1\)"),
    Case(
        "same name near a stored venue",
        row(名称="库中站", 经度=STORED[0] + 0.0003, 纬度=STORED[1]),
        "名称",
        r"\d+ m from the same name in the store \(id v1\)",
    ),
    Case(
        "same name near an earlier row",
        row(名称="好站", 经度=OTHER[0], 纬度=OTHER[1] + 0.0002),
        "名称",
        r"from the same name in row 2",
    ),
]


def geojson_writer(geometry: object):
    """Return a writer of a GeoJSON: a good point feature, then one with ``geometry``."""

    def write(path: Path) -> Path:
        good = shapely.Point(*OTHER)
        frame = gpd.GeoDataFrame(
            {"name": ["好站", "坏站"], "kind": ["村群团服务站"] * 2},
            geometry=[good, geometry],
            crs=4326,
        )
        target = path / "bad.geojson"
        frame.to_file(target, driver="GeoJSON")
        return target

    return write


def raw_writer(name: str, content: bytes):
    def write(path: Path) -> Path:
        (path / name).write_bytes(content)
        return path / name

    return write


def csv_writer(header: list[str], rows: list[list[object]]):
    def write(path: Path) -> Path:
        return write_csv(path / "bad.csv", header, rows, encoding="gbk")

    return write


def zip_writer(path: Path) -> Path:
    target = path / "bad.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("说明.txt", "no shapefile here")
    return target


def rows_of(bad: dict[str, object]) -> list[list[object]]:
    """Return the good row (spreadsheet row 2) and ``bad`` (row 3) as cells under HEADER."""
    return [[GOOD.get(h, "") for h in HEADER], [bad.get(h, "") for h in HEADER]]


def unicode_text_writer(bad: dict[str, object]):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated."""

    def write(path: Path) -> Path:
        return write_csv(path / "u.txt", HEADER, rows_of(bad), encoding="utf-16", delimiter="\t")

    return write


def cr_only_writer(bad: dict[str, object]):
    """A CSV with classic-Mac line endings (CR alone)."""

    def write(path: Path) -> Path:
        target = write_csv(path / "cr.csv", HEADER, rows_of(bad), encoding="gbk")
        target.write_bytes(target.read_bytes().replace(b"\r\n", b"\r"))
        assert b"\n" not in target.read_bytes()
        return target

    return write


def stale_dimension_writer(bad: dict[str, object]):
    """An .xlsx whose <dimension> still says A1:L1 (header only) though rows 2-3 are filled."""

    def write(path: Path) -> Path:
        target = write_xlsx(path / "stale.xlsx", HEADER, rows_of(bad))
        with zipfile.ZipFile(target) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        sheet = "xl/worksheets/sheet1.xml"
        stale = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:L1"', parts[sheet])
        assert stale != parts[sheet]
        parts[sheet] = stale
        with zipfile.ZipFile(target, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        return target

    return write


def kml_writer(second_point: str):
    """A KML with a good placemark, then one whose <Point> is ``second_point``."""

    def write(path: Path) -> Path:
        kind = "<ExtendedData><Data name='kind'><value>村群团服务站</value></Data></ExtendedData>"
        target = path / "bad.kml"
        target.write_text(
            '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
            f"<Document><Placemark><name>好站</name>{kind}"
            f"<Point><coordinates>{OTHER[0]},{OTHER[1]}</coordinates></Point></Placemark>"
            f"<Placemark><name>坏站</name>{kind}{second_point}</Placemark></Document></kml>",
            "utf-8",
        )
        return target

    return write


def villages_writer(path: Path) -> Path:
    """A villages file: one good population, then ``inf``."""
    rows = [[DEJI_CODE, "120"], [OTHER_VILLAGE, "inf"]]
    return write_csv(path / "villages.csv", ["村（社区）", "人口"], rows, encoding="gbk")


def cpg_zip_writer(path: Path) -> Path:
    """A zipped shapefile whose .cpg names an encoding that does not exist."""
    frame = gpd.GeoDataFrame(
        {"名称": ["好站"], "类型": ["村群团服务站"]}, geometry=[shapely.Point(*OTHER)], crs=4326
    )
    folder = path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(frame, folder / "venues.shp", encoding="UTF-8")
    (folder / "venues.cpg").write_text("KLINGON-9")
    target = path / "venues.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in sorted(folder.iterdir()):
            archive.write(part, part.name)
    return target


FILE_CASES = [
    Case(
        "UTF-16 tab-separated (Excel Unicode text)",
        None,
        "名称",
        "name is blank",
        writer=unicode_text_writer(row(名称="")),
    ),
    Case(
        "CR-only line endings",
        None,
        "类型",
        "unknown kind '图书馆'",
        writer=cr_only_writer(row(类型="图书馆")),
    ),
    Case(
        "xlsx with a stale <dimension>",
        None,
        "建成年份",
        "'2019-99-99' is not a plausible year",
        writer=stale_dimension_writer(row(建成年份="2019-99-99")),
    ),
    Case(
        "KML point with empty <coordinates>",
        None,
        "geometry",
        "geometry is empty",
        writer=kml_writer("<Point><coordinates> </coordinates></Point>"),
    ),
    Case(
        "KML point with self-closed <coordinates/>",
        None,
        "geometry",
        "geometry is empty",
        writer=kml_writer(
            "<Point><altitudeMode>clampToGround</altitudeMode><coordinates/></Point>"
        ),
    ),
    Case(
        "infinite village population",
        None,
        "人口",
        "population 'inf' is not a whole number",
        writer=villages_writer,
        extra_args=("--layer", "villages"),
    ),
]

SQUARE = shapely.Point(*PLACE).buffer(0.001)
SPATIAL_CASES = [
    Case(
        "polygon geometry", None, "geometry", "geometry is a Polygon", writer=geojson_writer(SQUARE)
    ),
    Case(
        "line geometry",
        None,
        "geometry",
        "a venue must be a single Point",
        writer=geojson_writer(shapely.LineString([PLACE, OTHER])),
    ),
    Case(
        "multipoint of two",
        None,
        "geometry",
        "geometry is a MultiPoint",
        writer=geojson_writer(shapely.MultiPoint([PLACE, OTHER])),
    ),
    Case("null geometry", None, "geometry", "geometry is empty", writer=geojson_writer(None)),
]

GK_ROW = [["远站", "村群团服务站", 520000.0, 3930000.0]]
UNUSABLE_CASES = [
    Case("empty file", phrase="no header row found", exit_code=2, writer=raw_writer("e.csv", b"")),
    Case(
        "header only",
        phrase="no data rows",
        exit_code=2,
        writer=csv_writer(["名称", "类型", "经度", "纬度"], []),
    ),
    Case(
        "no name column",
        phrase=r"missing required column.*name: 名称",
        exit_code=2,
        writer=csv_writer(["类型", "经度", "纬度"], [["村群团服务站", *PLACE]]),
    ),
    Case(
        "no coordinate columns",
        phrase=r"missing required column.*lon/lat",
        exit_code=2,
        writer=csv_writer(["名称", "类型", "地址"], [["甲", "村群团服务站", "隆务"]]),
    ),
    Case(
        "projected metres, no CRS",
        phrase=r"projected metres.*--crs EPSG:N",
        exit_code=2,
        writer=csv_writer(["名称", "类型", "x", "y"], GK_ROW),
    ),
    Case(
        "unknown extension",
        phrase=r"cannot read files of type '\.dbf'",
        exit_code=2,
        writer=raw_writer("a.dbf", b"\x03"),
    ),
    Case(
        "UTF-16 text without data rows",
        phrase=r"no data rows below the header",
        exit_code=2,
        writer=raw_writer("u.csv", "名称,经度\n".encode("utf-16")),
    ),
    Case(
        "binary file named .csv",
        phrase=r"this is a binary file, not CSV text",
        exit_code=2,
        writer=raw_writer("b.csv", b"SQLite format 3\x00" + bytes(200)),
    ),
    Case(
        "unknown .cpg encoding",
        phrase=r"venues\.cpg names the encoding 'KLINGON-9'.*write UTF-8",
        exit_code=2,
        writer=cpg_zip_writer,
    ),
    Case(
        "corrupt xlsx",
        phrase=r"not a readable \.xlsx",
        exit_code=2,
        writer=raw_writer("c.xlsx", b"PK\x03\x04broken"),
    ),
    Case("zip without shapefile", phrase=r"no \.shp file", exit_code=2, writer=zip_writer),
    Case(
        "unknown --crs",
        phrase=r"--crs 'mars' is not understood",
        exit_code=2,
        writer=csv_writer(["名称", "类型", "经度", "纬度"], [["甲", "村群团服务站", *PLACE]]),
        extra_args=("--crs", "mars"),
    ),
    Case(
        "townships from a CSV",
        phrase="township boundaries need a spatial file",
        exit_code=2,
        writer=csv_writer(["乡镇", "面积"], [["隆务镇", "97"]]),
        extra_args=("--layer", "townships"),
    ),
    Case(
        "villages without population or points",
        phrase="needs a population column",
        exit_code=2,
        writer=csv_writer(["村", "备注"], [["德吉村", "x"]]),
        extra_args=("--layer", "villages"),
    ),
]

ALL_CASES = ROW_CASES + FILE_CASES + SPATIAL_CASES + UNUSABLE_CASES


@pytest.fixture(scope="module")
def template_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store.gpkg"
    record = {
        "id": "v1",
        "name": "库中站",
        "kind": "village_station",
        "level": 4,
        "county_code": "632301",
        "township_code": LONGWU,
        "organizations": "union",
        "status": "in_service",
        "position": "surveyed",
        "lon": STORED[0],
        "lat": STORED[1],
    }
    open_store(path).add_venues(register_frame([record]))
    return path


def write_case(case: Case, folder: Path) -> Path:
    if case.writer is not None:
        return case.writer(folder)
    rows = [[GOOD.get(h, "") for h in HEADER], [case.bad.get(h, "") for h in HEADER]]
    return write_csv(folder / "bad.csv", HEADER, rows, encoding="gbk")


def test_corpus_is_large_enough():
    assert len(ALL_CASES) >= 30


@pytest.mark.parametrize("case", ALL_CASES, ids=[c.name for c in ALL_CASES])
def test_malformed_input(case, tmp_path, template_store, capsys):
    store = tmp_path / "store.gpkg"
    shutil.copy2(template_store, store)
    before = store.read_bytes()
    path = write_case(case, tmp_path)
    code = main(["import", str(path), "--store", str(store), "--json", *case.extra_args])
    captured = capsys.readouterr()
    assert code == case.exit_code
    assert store.read_bytes() == before, "a rejected or failed import changed the store"
    assert sorted(p.name for p in store.parent.glob("*.gpkg*")) == ["store.gpkg"]
    if case.exit_code == 2:
        assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
        assert re.search(case.phrase, captured.err), captured.err
        assert "Traceback" not in captured.err
        return
    report = json.loads(captured.out)
    assert report["rows"] == 2 and report["rejected"] == 1 and report["accepted"] == 1
    hits = [e for e in report["errors"] if e["row"] == case.row and e["column"] == case.column]
    assert any(re.search(case.phrase, e["message"]) for e in hits), report["errors"]


def nul_csv(path: Path) -> Path:
    """A CSV whose second data row's name holds a NUL byte (past the first 4 KiB)."""
    filler = [[f"站{i}", "村群团服务站", OTHER[0] + i * 1e-4, OTHER[1]] for i in range(120)]
    rows = [*filler, ["甲\x00站", "村群团服务站", *PLACE]]
    return write_csv(path / "nul.csv", ["名称", "类型", "经度", "纬度"], rows)


def nul_geojson(path: Path) -> Path:
    """A GeoJSON whose name holds a ``\\u0000`` escape (GDAL would cut the name at it)."""
    feature = {
        "type": "Feature",
        "properties": {"名称": "甲\x00站", "类型": "村群团服务站"},
        "geometry": {"type": "Point", "coordinates": list(PLACE)},
    }
    target = path / "nul.geojson"
    target.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert b"\\u0000" in target.read_bytes()
    return target


def nul_gpkg(path: Path) -> Path:
    """A GeoPackage whose name holds a NUL (SQLite keeps it; GDAL would cut the name at it)."""
    frame = gpd.GeoDataFrame(
        {"名称": ["好站", "甲站"], "类型": ["村群团服务站"] * 2},
        geometry=[shapely.Point(*OTHER), shapely.Point(*PLACE)],
        crs=4326,
    )
    target = path / "nul.gpkg"
    frame.to_file(target, layer="venues", driver="GPKG", SPATIAL_INDEX="NO")  # no rtree triggers
    with sqlite3.connect(target) as db:
        db.execute("UPDATE venues SET 名称 = '甲' || char(0) || '站' WHERE 名称 = '甲站'")
    assert pyogrio.read_dataframe(target)["名称"].iloc[1] == "甲"  # what GDAL alone gives
    return target


@pytest.mark.parametrize("writer", [nul_csv, nul_geojson, nul_gpkg], ids=["csv", "geojson", "gpkg"])
def test_nul_bytes_in_a_name_are_removed_with_a_warning(writer, tmp_path, template_store, capsys):
    store = tmp_path / "store.gpkg"
    shutil.copy2(template_store, store)
    path = writer(tmp_path)
    assert main(["import", str(path), "--store", str(store), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    hits = [w for w in report["warnings"] if "NUL" in w["message"]]
    assert len(hits) == 1 and hits[0]["column"] == "名称" and hits[0]["value"] == "甲\\x00站"
    assert hits[0]["row"] == report["rows"] + 1  # the last data row
    assert "read as '甲站'" in hits[0]["message"]
    stored = pyogrio.read_dataframe(store, layer="venues")
    assert "甲站" in set(stored["name"]) and "甲" not in set(stored["name"])


def test_gdal_warnings_become_report_warnings_not_stderr(tmp_path):
    def feature(name: str, point: tuple[float, float]) -> dict[str, object]:
        return {
            "type": "Feature",
            "id": 1,
            "properties": {"名称": name, "类型": "村群团服务站"},
            "geometry": {"type": "Point", "coordinates": list(point)},
        }

    path = tmp_path / "ids.geojson"
    features = [feature("甲站", PLACE), feature("乙站", OTHER)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = import_venues(path)
    assert [str(w.message) for w in caught] == []
    assert len(report.accepted) == 2
    hits = [w for w in report.warnings if "several features share one feature id" in w.message]
    assert len(hits) == 1 and hits[0].row == 0 and hits[0].message.startswith("文件中多个要素")


def infinite_population(path: Path) -> str:
    rows = [["甲村", *PLACE, "120"], ["乙村", *OTHER, "inf"]]
    return str(write_csv(path / "demand.csv", ["name", "lon", "lat", "population"], rows))


ARGUMENT_CASES = [
    (
        ["coverage", "--radius-km", "inf"],
        r"--radius-km should be a positive number of km, got (inf|nan)",
    ),
    (
        ["coverage", "--radius-km", "nan"],
        r"--radius-km should be a positive number of km, got (inf|nan)",
    ),
    (["site", "--radius-km", "inf"], r"radius_m should be > 0 and finite \(--radius-km"),
    (["coverage", "--detour", "inf"], r"detour should be >= 1 and finite"),
    (["coverage", "--demand", infinite_population], r"finite non-negative.*values: \['inf'\]"),
]


@pytest.mark.parametrize(("args", "phrase"), ARGUMENT_CASES, ids=lambda v: str(v)[:40])
def test_non_finite_numbers_are_refused(args, phrase, tmp_path, template_store, capsys):
    argv = [a(tmp_path) if callable(a) else a for a in args]
    code = main([*argv, "--store", str(template_store)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert re.search(phrase, err), err
