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

import csv
import datetime as dt
import io
import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import InputError

SUPPORTED_FORMATS = (
    "CSV (.csv, .txt; UTF-8, UTF-8-BOM, GBK/GB18030), Excel (.xlsx), GeoJSON (.geojson, .json), "
    "GeoPackage (.gpkg), zipped Shapefile (.zip), KML (.kml)"
)
CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
SPATIAL_SUFFIXES = {".geojson", ".json", ".gpkg", ".kml"}
DELIMITERS = (",", "\t", ";")
#: How many leading rows may be a title banner before the header row.
MAX_TITLE_ROWS = 5
#: The layer (or sheet, or shapefile) preferred when a file holds several.
PREFERRED_LAYER = "venues"


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
    """

    path: Path
    frame: pd.DataFrame
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    notes: list[str] = field(default_factory=list)


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
    if suffix in CSV_SUFFIXES:
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix == ".zip":
        return read_zipped_shapefile(path)
    if suffix in SPATIAL_SUFFIXES:
        return read_spatial(path)
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


def frame_from_records(path: Path, records: list[tuple[int, list[object]]]) -> pd.DataFrame:
    """Build the text frame from (row number, cells) records, finding the header row.

    Raises
    ------
    InputError
        If no header row (two or more filled cells) is found in the first rows.
    """
    texts = [(row, [cell_text(c) for c in cells]) for row, cells in records]
    leading = enumerate(texts[: MAX_TITLE_ROWS + 1])
    header_at = next((i for i, (_, cells) in leading if sum(map(bool, cells)) > 1), None)
    if header_at is None:
        raise InputError(
            f"{path.name}: 找不到表头行（第一行应为列名，如 名称、类型、经度、纬度） / "
            f"{path.name}: no header row found (expected a first row of column names such as "
            "名称, 类型, 经度, 纬度)"
        )
    header = _unique_headers(texts[header_at][1])
    body = [(row, cells) for row, cells in texts[header_at + 1 :] if any(cells)]
    width = len(header)
    rows = [cells[:width] + [""] * (width - len(cells)) for _, cells in body]
    overflow = [row for row, cells in body if any(cells[width:])]
    frame = pd.DataFrame(rows, columns=header, index=pd.Index([r for r, _ in body], name="row"))
    frame.attrs["overflow_rows"] = overflow
    return frame.astype(object)


def _unique_headers(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, cell in enumerate(cells):
        name = cell or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def decode_text(path: Path, data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM) strictly, else GB18030 (a superset of GBK).

    Returns (text, encoding name).
    """
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
    """Read a CSV file; see :func:`decode_text` and :func:`sniff_delimiter`."""
    if b"\x00" in path.read_bytes()[:4096]:
        raise InputError(
            f"{path.name}: this is a binary file, not CSV text; supported formats: "
            f"{SUPPORTED_FORMATS}"
        )
    text, encoding = decode_text(path, path.read_bytes())
    delimiter = sniff_delimiter(text)
    try:
        records = list(enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1))
    except csv.Error as exc:
        raise InputError(f"{path.name}: not a readable CSV file ({exc})") from None
    frame = frame_from_records(path, [(row, list(cells)) for row, cells in records])
    shown = {"\t": "tab", ",": "comma", ";": "semicolon"}[delimiter]
    name = "UTF-8" if encoding == "utf-8-sig" else "GB18030/GBK"
    return RawTable(path, frame, notes=[f"CSV, encoding {name}, delimiter {shown}"])


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


def _read_layer(path: Path, source: str, layer: str | None, **kwargs: object) -> gpd.GeoDataFrame:
    try:
        gdf = pyogrio.read_dataframe(source, layer=layer, **kwargs)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _spatial_error(path, exc) from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        gdf = gpd.GeoDataFrame(gdf, geometry=gpd.GeoSeries([None] * len(gdf), index=gdf.index))
    return gdf


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
    suffix = path.suffix.casefold()
    layer, layers = _choose_layer(path, str(path))
    if suffix == ".kml" and len(layers) > 1:
        parts = [_read_layer(path, str(path), name) for name in layers]
        gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
        return table_from_gdf(path, gdf, [f"KML, folders {', '.join(layers)} read in order"])
    gdf = _read_layer(path, str(path), layer)
    notes = []
    if len(layers) > 1:
        others = ", ".join(name for name in layers if name != layer)
        notes.append(f"layer {layer!r} read (the file also holds: {others})")
    return table_from_gdf(path, gdf, notes)


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
            dbf = lower.get(f"{stem}.dbf".casefold())
            encoding = None if cpg or dbf is None else dbf_encoding(archive.read(dbf))
    except zipfile.BadZipFile:
        raise InputError(f"{path.name}: not a valid zip archive") from None
    kwargs = {"encoding": encoding} if encoding else {}
    gdf = _read_layer(path, f"/vsizip/{path.resolve()}/{shp}", None, **kwargs)
    how = "from .cpg" if cpg else f"detected {encoding}" if encoding else "from the DBF header"
    return table_from_gdf(path, gdf, [f"Shapefile {shp} in zip, encoding {how}"])
