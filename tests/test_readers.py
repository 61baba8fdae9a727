"""geo.importer.readers: every format and encoding, row numbers as a spreadsheet shows them."""

from __future__ import annotations

import datetime as dt
import zipfile

import pyogrio
import pytest
import shapely

from geo.errors import InputError
from geo.importer.readers import (
    cell_text,
    cpg_codec,
    dbf_encoding,
    read_table,
    sniff_delimiter,
)
from tests.fixtures_import import venue_gdf, write_csv, write_shapefile_zip, write_xlsx

HEADER = ["名称", "类型", "经度", "纬度"]
ROWS = [
    ["德吉村群团服务站", "村群团服务站", "102.05", "35.89"],
    ["隆务站", "社区群团服务站", "102.0", "35.5"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_with_chinese_headers(tmp_path, encoding):
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS, encoding=encoding)
    table = read_table(path)
    assert list(table.frame.columns) == HEADER
    assert table.frame.loc[2, "名称"] == "德吉村群团服务站"
    assert list(table.frame.index) == [2, 3]
    expected = "UTF-8" if encoding.startswith("utf") else "GB18030/GBK"
    assert f"encoding {expected}" in table.notes[0]


def test_gb18030_only_character(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes("名称,经度\n䶮站,102\n".encode("gb18030"))
    assert read_table(path).frame.loc[2, "名称"] == "䶮站"


@pytest.mark.parametrize(
    ("delimiter", "shown"), [(";", "semicolon"), ("\t", "tab"), (",", "comma")]
)
def test_delimiter_sniffing(tmp_path, delimiter, shown):
    path = write_csv(tmp_path / "a.csv", HEADER, ROWS, delimiter=delimiter)
    table = read_table(path)
    assert table.frame.loc[3, "经度"] == "102.0"
    assert shown in table.notes[0]


def test_sniff_delimiter_defaults_to_comma():
    assert sniff_delimiter("名称\n甲\n") == ","


def test_row_numbers_skip_title_and_blank_lines_but_count_them(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('黄南州阵地名录\n名称,经度\n甲,102\n\n"乙\n(两行)",103\n丙,104\n', "utf-8")
    frame = read_table(path).frame
    assert list(frame.index) == [3, 5, 6]
    assert frame.loc[5, "名称"] == "乙\n(两行)"


def test_extra_cells_are_reported_and_missing_cells_are_blank(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("名称,经度,纬度\n甲,102\n乙,102,35,多余\n", "utf-8")
    frame = read_table(path).frame
    assert frame.loc[2, "纬度"] == ""
    assert frame.attrs["overflow_rows"] == [3]


def test_duplicate_and_blank_headers_are_made_unique(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("名称,名称,,经度\n甲,乙,丙,102\n", "utf-8")
    assert list(read_table(path).frame.columns) == ["名称", "名称_2", "column_3", "经度"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (float("nan"), ""),
        (2019.0, "2019"),
        (102.0153, "102.0153"),
        (632301, "632301"),
        (dt.datetime(2019, 5, 1), "2019-05-01"),
        ("  甲 ", "甲"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_xlsx_first_sheet_with_title_row_and_numbers(tmp_path):
    rows = [["德吉村群团服务站", "村群团服务站", 102.05, 35.89, 632322, 2019]]
    path = write_xlsx(
        tmp_path / "a.xlsx", [*HEADER, "县", "建成年份"], rows, title="黄南州阵地", extra_sheet=True
    )
    table = read_table(path)
    assert list(table.frame.index) == [3]
    assert table.frame.loc[3, "经度"] == "102.05"
    assert table.frame.loc[3, "县"] == "632322"
    assert table.frame.loc[3, "建成年份"] == "2019"
    assert "'阵地'" in table.notes[0] and "first of 2" in table.notes[0]


def test_geojson_keeps_geometry_and_feature_rows(tmp_path):
    gdf = venue_gdf([{"名称": "甲", "x": 102.0, "y": 35.5}, {"名称": "乙", "x": 102.1, "y": 35.6}])
    path = tmp_path / "a.geojson"
    gdf.to_file(path, driver="GeoJSON")
    table = read_table(path)
    assert list(table.frame.index) == [2, 3]
    assert table.geometry.loc[3].equals(shapely.Point(102.1, 35.6))
    assert table.crs.to_epsg() == 4326


def test_gpkg_prefers_the_layer_named_venues(tmp_path):
    path = tmp_path / "a.gpkg"
    venue_gdf([{"name": "other", "x": 1.0, "y": 1.0}]).to_file(path, layer="aaa", driver="GPKG")
    venue_gdf([{"name": "甲", "x": 102.0, "y": 35.5}]).to_file(path, layer="venues", driver="GPKG")
    table = read_table(path)
    assert table.frame.loc[2, "name"] == "甲"
    assert "'venues'" in table.notes[0] and "aaa" in table.notes[0]


def test_gpkg_first_layer_and_projected_crs(tmp_path):
    path = tmp_path / "a.gpkg"
    venue_gdf([{"name": "甲", "x": 500000.0, "y": 3930000.0}], crs=4543).to_file(
        path, driver="GPKG"
    )
    table = read_table(path)
    assert table.crs.to_epsg() == 4543 and table.notes == []


GBK_GDF = venue_gdf([{"名称": "德吉村群团服务站", "类型": "村群团服务站", "x": 102.05, "y": 35.89}])


@pytest.mark.parametrize(
    ("encoding", "keep_cpg", "how"),
    [
        ("GBK", True, "from .cpg"),
        ("GBK", False, "detected GB18030"),
        ("UTF-8", True, "from .cpg"),
        ("UTF-8", False, "detected UTF-8"),
    ],
)
def test_zipped_shapefile_encodings(tmp_path, encoding, keep_cpg, how):
    path = write_shapefile_zip(tmp_path / "a.zip", GBK_GDF, encoding=encoding, keep_cpg=keep_cpg)
    table = read_table(path)
    assert list(table.frame.columns) == ["名称", "类型"]
    assert table.frame.loc[2, "名称"] == "德吉村群团服务站"
    assert how in table.notes[0]


def test_dbf_encoding_trusts_a_language_driver_byte():
    header = bytearray(64)
    header[29] = 0x4D
    assert dbf_encoding(bytes(header)) is None


def test_kml_all_folders(tmp_path):
    path = tmp_path / "a.kml"
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Folder><name>同仁</name><Placemark><name>隆务站</name>
<Point><coordinates>102.0,35.5,0</coordinates></Point></Placemark></Folder>
<Folder><name>尖扎</name><Placemark><name>德吉站</name>
<Point><coordinates>102.05,35.89,0</coordinates></Point></Placemark></Folder>
</Document></kml>""",
        "utf-8",
    )
    table = read_table(path)
    names = [c for c in table.frame.columns if c.casefold() == "name"][0]
    assert list(table.frame[names]) == ["隆务站", "德吉站"]
    assert list(table.frame.index) == [2, 3]
    assert table.geometry.loc[3].x == pytest.approx(102.05)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("a.xyz", b"x", r"a\.xyz: cannot read files of type '\.xyz'.*supported formats: CSV"),
        ("a.xls", b"x", r"save as \.xlsx"),
        ("a.csv", b"PK\x03\x04\x00\x00binary", r"binary file, not CSV"),
        ("a.csv", "名称".encode("utf-16"), r"no header row found"),
        ("a.xlsx", b"not a zip", r"a\.xlsx: not a readable \.xlsx workbook"),
        ("a.zip", b"not a zip", r"a\.zip: not a valid zip archive"),
        ("a.geojson", b"{not json", r"a\.geojson: cannot be read as a spatial file"),
        ("a.csv", "只有一列\n甲\n".encode(), r"no header row found"),
    ],
)
def test_unreadable_files_name_the_file_and_formats(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=match):
        read_table(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        read_table(tmp_path / "nope.csv")


def test_zip_without_shapefile(tmp_path):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(InputError, match=r"no \.shp file.*readme\.txt"):
        read_table(path)


def test_zip_with_several_shapefiles(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    for stem in ("a", "b"):
        pyogrio.write_dataframe(GBK_GDF, folder / f"{stem}.shp")
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    with pytest.raises(InputError, match=r"several shapefiles.*venues\.shp"):
        read_table(path)


@pytest.mark.parametrize(
    ("encoding", "bom", "shown"),
    [("utf-16", True, "UTF-16"), ("utf-16-le", False, "UTF-16LE"),
     ("utf-16-be", False, "UTF-16BE"), ("utf-32", True, "UTF-32")],
)  # fmt: skip
def test_unicode_text_is_read(tmp_path, encoding, bom, shown):
    path = write_csv(tmp_path / "u.txt", ["名称", "经度"], [["甲站", "102.1"]],
                     encoding=encoding, delimiter="\t")  # fmt: skip
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff") or not bom
    table = read_table(path)
    assert table.frame.loc[2, "名称"] == "甲站" and table.frame.loc[2, "经度"] == "102.1"
    assert table.notes == [f"CSV, encoding {shown}, delimiter tab"]


def test_cr_only_line_endings_keep_quoted_breaks(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes('名称,地址\r甲站,"一号\r二楼"\r乙站,三号\r'.encode())
    frame = read_table(path).frame
    assert list(frame.index) == [2, 3]
    assert list(frame["地址"]) == ["一号\r二楼", "三号"]


@pytest.mark.parametrize(
    ("cpg", "codec"),
    [("UTF-8", "utf-8"), ("65001", "utf-8"), ("936", "gbk"), ("ANSI 1252", "cp1252"),
     ("88591", "iso8859-1"), ("GBK", "gbk"), ("KLINGON-9", None), ("CP99999", None)],
)  # fmt: skip
def test_cpg_codec_follows_gdal(cpg, codec):
    assert cpg_codec(cpg) == codec
