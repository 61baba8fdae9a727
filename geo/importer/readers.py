"""Read whatever file a planner has into one shape: text cells, spreadsheet row numbers, geometry.

Supported: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030; delimiter ``,`` ``;`` or tab), Excel
``.xlsx`` (first sheet), GeoJSON, GeoPackage (the layer named ``venues``, else the first),
zipped Shapefile (``.cpg`` honoured; a GBK DBF without ``.cpg`` is detected) and KML.

Every cell comes back as text (``''`` when empty) so that the importer alone decides what a
value means and can quote it back exactly. The frame's index is the row number a spreadsheet
shows for the record (header = row 1, first data row = row 2); for spatial files it is the
feature number + 1, as if the attribute table were opened in a spreadsheet. Leading title rows
(fewer than two filled cells, e.g. a merged "黄南州阵地名录" banner) are skipped when looking for
the header; their rows still count, so the numbers match what the planner sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import math
import re
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import InputError
from geo.importer.report import Issue, msg

SUPPORTED_FORMATS = (
    "CSV (.csv, .txt; UTF-8, UTF-8-BOM, GBK/GB18030, UTF-16), Excel (.xlsx), "
    "GeoJSON (.geojson, .json), GeoPackage (.gpkg), zipped Shapefile (.zip), KML (.kml)"
)
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".kml"}
DELIMITERS = (",", "\t", ";")
#: How many leading rows may be a title banner before the header row.
MAX_TITLE_ROWS = 5
#: Rows turned into columns at a time when a table is read (bounds the rows held as lists).
_CHUNK_ROWS = 50_000
#: The layer (or sheet, or shapefile) preferred when a file holds several.
PREFERRED_LAYER = "venues"
#: Byte-order marks of the Unicode encodings Excel's "Unicode text" and editors write; UTF-32
#: first, as its little-endian mark starts with UTF-16's.
TEXT_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
ENCODING_LABELS = {
    "utf-8-sig": "UTF-8",
    "gb18030": "GB18030/GBK",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "utf-32": "UTF-32",
}
#: More NUL bytes than this share of a (non-UTF-16) file's start: a binary file, not text.
BINARY_NUL_SHARE = 0.05
#: A KML ``<Point>`` whose ``<coordinates>`` is empty: GDAL reads it as POINT (0 0).
EMPTY_KML_POINT = re.compile(
    r"<Point\b[^>]*>(?:(?!</Point>).)*?<coordinates\b[^>/]*(?:/>|>\s*</coordinates>)"
    r"(?:(?!</Point>).)*?</Point>",
    re.DOTALL,
)
#: Stands in for a GeoJSON ``\u0000`` escape while GDAL reads the file (GDAL cuts strings at NUL).
NUL_MARK = "\u2400"


@dataclass
class RawTable:
    """One file read as text cells.

    Attributes
    ----------
    path
        The file read.
    frame
        Text cells, one column per header; index = spreadsheet row numbers (name ``"row"``).
    geometry
        Geometries aligned with ``frame`` for spatial formats, else None.
    crs
        The CRS the file states (spatial formats), else None.
    notes
        What the reader decided (encoding, delimiter, sheet, layer), for the report.
    issues
        Warnings about the file the reader repaired or passed on (NUL bytes removed from
        cells, GDAL's warnings), for the report's warnings.
    """

    path: Path
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def read_table(path: str | Path) -> RawTable:
    """Read ``path`` (any supported format) into a :class:`RawTable`.

    Raises
    ------
    InputError
        If the file is missing, of an unsupported type, or cannot be decoded; the message
        names the file and the supported formats.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{path}: 找不到文件 / {path}: file not found (supported formats: {SUPPORTED_FORMATS})"
        )
    suffix = path.suffix.casefold()
    readers = {".xlsx": read_xlsx, ".zip": read_zipped_shapefile}
    readers.update(dict.fromkeys(CSV_SUFFIXES, read_csv))
    readers.update(dict.fromkeys(SPATIAL_SUFFIXES, read_spatial))
    if suffix in readers:
        table = readers[suffix](path)
        table.issues.extend(strip_nul(table.frame))
        return table
    hint = " (old .xls: open it in Excel and save as .xlsx)" if suffix == ".xls" else ""
    raise InputError(
        f"{path.name}: 不支持此文件类型，"
        "请另存为 CSV、.xlsx、GeoJSON、GeoPackage、Shapefile 压缩包或 KML"
        f" / {path.name}: cannot read files of type {suffix or '(none)'!r}{hint}; "
        f"supported formats: {SUPPORTED_FORMATS}"
    )


# --------------------------------------------------------------------------- tables
def cell_text(value: object) -> str:
    """Return a cell as the text a planner would read in it (``''`` for empty)."""
    if type(value) is str:  # every CSV cell: the common case first
        return value.strip()
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).strip()


def frame_from_records(
    path: Path, records: Iterable[tuple[int, Sequence[object]]]
) -> pd.DataFrame:
    """Build the text frame from (row number, cells) records, finding the header row.

    ``records`` may be a stream (a CSV reader): rows are turned into text and columns
    :data:`_CHUNK_ROWS` at a time, and a text repeated down a column is kept once, so a
    500,000-row register never exists as a list of rows beside its columns.

    Raises
    ------
    InputError
        If no header row (two or more filled cells) is found in the first rows.
    """
    texts = ((row, [cell_text(c) for c in cells]) for row, cells in records)
    first = list(itertools.islice(texts, MAX_TITLE_ROWS + 1))
    leading = enumerate(first)
    header_at = next((i for i, (_, cells) in leading if sum(map(bool, cells)) > 1), None)
    if header_at is None:
        raise InputError(
            f"{path.name}: 找不到表头行（第一行应为列名，如 名称、类型、经度、纬度） / "
            f"{path.name}: no header row found (expected a first row of column names such as "
            "名称, 类型, 经度, 纬度)"
        )
    header = _unique_headers(first[header_at][1])
    width = len(header)
    index: list[int] = []
    overflow: list[int] = []
    columns: list[list[str]] = [[] for _ in header]
    shared: list[dict[str, str]] = [{} for _ in header]
    body = itertools.chain(first[header_at + 1 :], texts)
    while chunk := list(itertools.islice(body, _CHUNK_ROWS)):
        kept = [(row, cells) for row, cells in chunk if any(cells)]
        index.extend(row for row, _ in kept)
        overflow.extend(row for row, cells in kept if any(cells[width:]))
        rows = [cells[:width] + [""] * (width - len(cells)) for _, cells in kept]
        for column, values in enumerate(zip(*rows, strict=True)):
            columns[column].extend(map(shared[column].setdefault, values, values))
    frame = pd.DataFrame(dict(zip(header, columns, strict=True)), columns=header,
                         index=pd.Index(index, name="row"), dtype=object)  # fmt: skip
    frame.attrs["overflow_rows"] = overflow
    return frame


def _unique_headers(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, cell in enumerate(cells):
        name = cell or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def strip_nul(frame: pd.DataFrame, marks: tuple[str, ...] = ("\x00", NUL_MARK)) -> list[Issue]:
    """Remove NUL bytes from the text cells of ``frame`` in place; return one warning per cell.

    A NUL inside a name is an export accident; left in, GDAL and SQLite would cut the name at
    it. It is removed, never silently: the warning names the row, the column and the value.
    """
    issues = []
    for column in frame.columns:
        cells = frame[column]
        if isinstance(cells, pd.DataFrame):  # a repeated header: not a column of cells
            continue
        texts = cells.tolist()
        whole = "\n".join(text for text in texts if isinstance(text, str))
        if not any(m in whole for m in marks):  # one C-level scan per column (500,000 rows)
            continue
        hits = [i for i, text in enumerate(texts)
                if isinstance(text, str) and any(m in text for m in marks)]  # fmt: skip
        for i in hits:
            row, text = frame.index[i], texts[i]
            clean = text
            for mark in marks:
                clean = clean.replace(mark, "")
            shown = text.replace("\x00", "\\x00").replace(NUL_MARK, "\\x00")
            frame.at[row, column] = clean.strip()
            issues.append(Issue(int(row), str(column), shown, msg(
                f"单元格含空字符（NUL），已删除，读作“{clean.strip()}”",
                f"the cell holds NUL byte(s) (\\x00), removed: read as {clean.strip()!r}; "
                "check the system that exported the file",
            )))  # fmt: skip
    return issues


def unicode_encoding(data: bytes) -> str | None:
    """Return the UTF-16/32 codec of ``data`` (by byte-order mark, or UTF-16 without one), or None.

    Excel's "Unicode text" is UTF-16 (little-endian, with a mark) and tab-separated. Without a
    mark, UTF-16 shows as NUL bytes in every other position (the high byte of ASCII letters).
    """
    for bom, encoding in TEXT_BOMS:
        if data.startswith(bom):
            return encoding
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.2 * pairs and even == 0:
        return "utf-16-le"
    if even >= 0.2 * pairs and odd == 0:
        return "utf-16-be"
    return None


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-16/32, else UTF-8 (BOM or not) strictly, else GB18030.

    UTF-16/32 is recognised by :func:`unicode_encoding`; GB18030 is a superset of GBK.
    Returns (text, encoding name).
    """
    wide = unicode_encoding(data)
    if wide is not None:
        try:
            return data.decode(wide), wide
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path.name}: 文件看似 UTF-16/32 编码但无法解码，请在 Excel 中另存为“CSV UTF-8” / "
                f"{path.name}: the text looks like {ENCODING_LABELS[wide]} but cannot be decoded "
                f"(byte {exc.start}); save it from Excel as 'CSV UTF-8' or as .xlsx"
            ) from None
    if data[:4096].count(0) > BINARY_NUL_SHARE * len(data[:4096]):
        raise InputError(
            f"{path.name}: 这是二进制文件，不是 CSV 文本 / {path.name}: this is a binary file, "
            f"not CSV text; supported formats: {SUPPORTED_FORMATS}"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path.name}: 文件编码既不是 UTF-8 也不是 GBK，请在 Excel 中另存为“CSV UTF-8”或 .xlsx / "
        f"{path.name}: the text is neither UTF-8 nor GBK/GB18030; save it from Excel as "
        "'CSV UTF-8' or as .xlsx"
    )


def sniff_delimiter(text: str) -> str:
    """Return the delimiter (comma, tab or semicolon) most used in the first non-empty line."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path) -> RawTable:
    """Read a CSV file; see :func:`decode_text` and :func:`sniff_delimiter`.

    Line endings may be CRLF (Windows), LF or CR alone (classic Mac Excel): the text is split
    in universal-newline mode, which keeps line breaks inside quoted cells.
    """
    text, encoding = decode_text(path, path.read_bytes())
    delimiter = sniff_delimiter(text)
    lines = io.StringIO(text, newline="")
    try:  # the reader is consumed as the frame is built: csv.Error may come from there
        frame = frame_from_records(path, enumerate(csv.reader(lines, delimiter=delimiter), 1))
    except csv.Error as exc:
        raise InputError(f"{path.name}: not a readable CSV file ({exc})") from None
    shown = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    note = f"CSV, encoding {ENCODING_LABELS[encoding]}, delimiter {shown}"
    return RawTable(path, frame, notes=[note])


def read_xlsx(path: Path) -> RawTable:
    """Read the first sheet of an ``.xlsx`` workbook (values, not formulas)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for corrupt files
        raise InputError(
            f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}); "
            f"supported formats: {SUPPORTED_FORMATS}"
        ) from None
    try:
        sheet = book.worksheets[0]
        # Read-only mode trusts the sheet's <dimension>, which other writers leave stale
        # (A1:D1 over five rows); forget it so every row present is read.
        sheet.reset_dimensions()
        records = [
            (row, list(cells))
            for row, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
        names = book.sheetnames
    finally:
        book.close()
    frame = frame_from_records(path, records)
    note = f"Excel sheet {names[0]!r}" + (
        f" (the first of {len(names)}; other sheets ignored)" if len(names) > 1 else ""
    )
    return RawTable(path, frame, notes=[note])


# --------------------------------------------------------------------------- spatial files
def _spatial_error(path: Path, exc: Exception) -> InputError:
    return InputError(
        f"{path.name}: cannot be read as a spatial file ({exc}); supported formats: "
        f"{SUPPORTED_FORMATS}"
    )


def _choose_layer(path: Path, source: str) -> tuple[str | None, list[str]]:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _spatial_error(path, exc) from None
    if not layers:
        raise InputError(f"{path.name}: the file holds no layers")
    if PREFERRED_LAYER in layers:
        return PREFERRED_LAYER, layers
    return layers[0], layers


def _read_layer(
    path: Path, source: str, layer: str | None, issues: list[Issue], **kwargs: object
) -> gpd.GeoDataFrame:
    """Read one layer with pyogrio; GDAL's warnings go to ``issues`` instead of stderr.

    ``warnings.catch_warnings`` swaps process-wide state: two threads reading at once may see
    each other's warnings; the cost is a misplaced note, never lost data.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gdf = pyogrio.read_dataframe(source, layer=layer, **kwargs)
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            raise _spatial_error(path, exc) from None
    issues.extend(_gdal_warning(path, str(w.message)) for w in caught)
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf, geometry=gpd.GeoSeries([None] * len(gdf), index=gdf.index))
    return gdf


def _gdal_warning(path: Path, text: str) -> Issue:
    """Turn a warning GDAL/pyogrio printed while reading into a whole-file report warning."""
    text = " ".join(text.split())
    if "Several features with id" in text:
        return Issue(0, "id", "", msg(
            "文件中多个要素的 id 相同，读取时已改为唯一（登记表的“编号”列不受影响）",
            f"{path.name}: several features share one feature id ({text[:80]}); GDAL made them "
            "unique while reading; the register's own id column is not affected",
        ))  # fmt: skip
    return Issue(0, "", "", msg(
        "读取文件时 GDAL 给出警告，请在 QGIS 中检查该文件",
        f"{path.name}: GDAL warned while reading: {text}; check the file in QGIS",
    ))  # fmt: skip


def _cleaned_copy(path: Path, folder: str) -> Path:
    """Return ``path``, or a repaired copy in ``folder`` when GDAL would misread it.

    KML: a ``<Point>`` with empty ``<coordinates>`` is dropped, so the placemark reads as having
    no geometry (the row is rejected) instead of GDAL's POINT (0 0). GeoJSON: a ``\u0000``
    escape becomes :data:`NUL_MARK`, so GDAL does not cut the string there and
    :func:`strip_nul` can remove it with a warning.
    """
    suffix = path.suffix.casefold()
    data = path.read_bytes()
    if suffix == ".kml" and b"<coordinates" in data:
        text = data.decode("utf-8", errors="surrogateescape")
        fixed = EMPTY_KML_POINT.sub("", text).encode("utf-8", errors="surrogateescape")
    elif suffix in (".geojson", ".json") and b"\\u0000" in data:
        fixed = data.replace(b"\\u0000", NUL_MARK.encode("ascii", "backslashreplace"))
    else:
        return path
    if fixed == data:
        return path
    copy = Path(folder) / path.name
    copy.write_bytes(fixed)
    return copy


def table_from_gdf(path: Path, gdf: gpd.GeoDataFrame, notes: list[str]) -> RawTable:
    """Turn a read GeoDataFrame into a :class:`RawTable` (text cells, rows from 2)."""
    attributes = gdf.drop(columns=gdf.geometry.name)
    index = pd.Index(range(2, len(gdf) + 2), name="row")
    frame = pd.DataFrame(
        {col: [cell_text(v) for v in attributes[col]] for col in attributes.columns},
        index=index,
        dtype=object,
    )
    frame.attrs["overflow_rows"] = []
    geometry = gpd.GeoSeries(list(gdf.geometry), index=index, crs=gdf.crs)
    has_geometry = bool(geometry.notna().any())
    return RawTable(
        path, frame, geometry if has_geometry else None, gdf.crs if has_geometry else None, notes
    )


def read_spatial(path: Path) -> RawTable:
    """Read GeoJSON, GeoPackage or KML (KML: all folders, one after another)."""
    with tempfile.TemporaryDirectory(prefix="venuemap-read-") as folder:
        return _read_spatial(path, str(_cleaned_copy(path, folder)))


def _read_spatial(path: Path, source: str) -> RawTable:
    """Read ``source`` (``path`` or its repaired copy); messages name ``path``."""
    suffix, issues = path.suffix.casefold(), []
    layer, layers = _choose_layer(path, source)
    if suffix == ".kml" and len(layers) > 1:
        parts = [_read_layer(path, source, name, issues) for name in layers]
        gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        notes = [f"KML, folders {', '.join(layers)} read in order"]
    else:
        gdf = _read_layer(path, source, layer, issues)
        notes = []
        if len(layers) > 1:
            others = ", ".join(name for name in layers if name != layer)
            notes.append(f"layer {layer!r} read (the file also holds: {others})")
    table = table_from_gdf(path, gdf, notes)
    table.issues.extend(issues)
    if suffix == ".gpkg" and layer is not None:
        restore_gpkg_nul(path, layer, table.frame)
    return table


def restore_gpkg_nul(path: Path, layer: str, frame: pd.DataFrame) -> None:
    """Put back the GeoPackage text cells GDAL cut at a NUL byte, NUL included.

    GDAL reads SQLite text as C strings, so a name with a NUL in it arrives cut there. The full
    value is read again with ``sqlite3`` (feature order = ``rowid`` order, as GDAL reads it) so
    that :func:`strip_nul` removes the NUL with a warning instead of the tail vanishing.
    """
    quoted = '"' + layer.replace('"', '""') + '"'
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return
    try:
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({quoted})")]
        for column in (c for c in columns if c in frame.columns):
            name = '"' + column.replace('"', '""') + '"'
            cells = db.execute(
                f"SELECT CAST({name} AS BLOB) FROM {quoted} ORDER BY rowid"  # noqa: S608 - quoted names
            ).fetchall()
            if len(cells) != len(frame):
                return
            where = frame.columns.get_loc(column)
            for position, (blob,) in enumerate(cells):
                if isinstance(blob, bytes) and b"\x00" in blob:
                    frame.iat[position, where] = blob.decode("utf-8", errors="replace").strip()
    except sqlite3.Error:
        return
    finally:
        db.close()


def dbf_encoding(dbf: bytes) -> str | None:
    """Guess the encoding of a DBF without ``.cpg``: None (let GDAL decide), UTF-8 or GB18030.

    GDAL honours the DBF's language-driver byte when set; when it is 0 GDAL assumes ISO-8859-1,
    which turns GBK Chinese into mojibake. So: if the byte is 0 and the field names and records
    are not valid UTF-8, they are GBK/GB18030 (what Chinese desktop GIS writes).
    """
    if len(dbf) < 32 or dbf[29] != 0:
        return None
    header_length = int.from_bytes(dbf[8:10], "little")
    names = b"".join(dbf[i : i + 11] for i in range(32, max(header_length - 1, 32), 32))
    try:
        (names + dbf[header_length:]).decode("utf-8")
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


def read_zipped_shapefile(path: Path) -> RawTable:
    """Read the shapefile inside a ``.zip`` (the one named venues, else the only one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.namelist()
            shps = sorted(m for m in members if m.casefold().endswith(".shp"))
            if not shps:
                raise InputError(
                    f"{path.name}: the zip holds no .shp file (found: {', '.join(members[:8])}); "
                    "zip the .shp together with its .shx, .dbf, .prj and .cpg"
                )
            shp = next((m for m in shps if Path(m).stem.casefold() == PREFERRED_LAYER), shps[0])
            if len(shps) > 1 and Path(shp).stem.casefold() != PREFERRED_LAYER:
                raise InputError(
                    f"{path.name}: the zip holds several shapefiles ({', '.join(shps)}); "
                    "keep one, or name the venue layer venues.shp"
                )
            stem = shp[:-4]
            lower = {m.casefold(): m for m in members}
            cpg = lower.get(f"{stem}.cpg".casefold())
            if cpg and not archive.read(cpg).strip():
                cpg = None  # an empty .cpg says nothing; GDAL ignores it too
            if cpg:
                check_cpg(path, cpg, archive.read(cpg))
            dbf = lower.get(f"{stem}.dbf".casefold())
            encoding = None if cpg or dbf is None else dbf_encoding(archive.read(dbf))
    except zipfile.BadZipFile:
        raise InputError(f"{path.name}: not a valid zip archive") from None
    kwargs = {"encoding": encoding} if encoding else {}
    issues: list[Issue] = []
    gdf = _read_layer(path, f"/vsizip/{path.resolve()}/{shp}", None, issues, **kwargs)
    how = "from .cpg" if cpg else f"detected {encoding}" if encoding else "from the DBF header"
    table = table_from_gdf(path, gdf, [f"Shapefile {shp} in zip, encoding {how}"])
    table.issues.extend(issues)
    return table


def cpg_codec(text: str) -> str | None:
    """Return the Python codec a ``.cpg`` text names, read as GDAL reads it; None if unknown.

    GDAL takes a number as a Windows code page (``936`` = GBK, ``65001`` = UTF-8), ``8859x``
    as ISO-8859-x, ``ANSI 1252`` as CP1252, and anything else as an encoding name.
    """
    text = text.strip()
    number = re.fullmatch(r"(?:ANSI|CP|WINDOWS)?[\s_-]*(\d+)", text, re.IGNORECASE)
    if number and number[1].startswith("8859") and len(number[1]) > 4:
        name = f"iso-8859-{number[1][4:]}"
    elif number:
        name = "utf-8" if number[1] == "65001" else f"cp{number[1]}"
    else:
        name = text
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def check_cpg(path: Path, member: str, data: bytes) -> None:
    """Refuse a shapefile whose ``.cpg`` names an encoding nobody knows.

    GDAL would read such a DBF as ISO-8859-1 without a word, turning Chinese into mojibake.

    Raises
    ------
    InputError
        Naming the encoding and how to fix the ``.cpg``.
    """
    text = data.decode("ascii", errors="replace").strip()
    if cpg_codec(text) is None:
        raise InputError(
            f"{path.name}: {member} 写明的编码“{text[:40]}”无法识别，请改为 UTF-8 或 GBK（936），"
            f"或删除该 .cpg 文件 / {path.name}: {member} names the encoding {text[:40]!r}, "
            "which is not a known encoding; write UTF-8 (or GBK / 936 for a Chinese DBF) into "
            "it, or delete the .cpg to let the encoding be detected"
        )
