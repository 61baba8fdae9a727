"""Export any layer as files GDAL and QGIS read without a warning: GeoJSON, GeoPackage, CSV.

* GeoJSON follows RFC 7946: WGS84 lon/lat, no ``crs`` member, UTF-8 with readable Chinese,
  at most 7 decimals (about 1 cm).
* GeoPackage keeps the layer's name and CRS (EPSG:4326).
* CSV is UTF-8 with a byte-order mark, so Excel in China opens the Chinese headers correctly;
  points become ``lon``/``lat`` columns, other geometries WKT; any text cell starting with
  ``= + - @`` (or a tab / carriage return) is prefixed with ``'`` so a spreadsheet never runs it
  as a formula.

Each writer writes to a temporary file and moves it into place, so a failed export never leaves
half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import InputError
from geo.schema import KINDS, LIST_SEPARATOR, ORGANIZATIONS, STATUSES, lookup

FORMATS = ("geojson", "gpkg", "csv")
SUFFIX_OF_FORMAT = {"geojson": ".geojson", "gpkg": ".gpkg", "csv": ".csv"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
GEOJSON_DECIMALS = 7
#: GeoPackage 1.3, not GDAL's newest 1.4: older GDAL/QGIS builds (Debian's ogrinfo 3.6) warn on 1.4.
GPKG_DATASET_OPTIONS = {"VERSION": "1.3"}


Wanted = str | Iterable[str] | None


def filter_layer(
    gdf: gpd.GeoDataFrame,
    *,
    county: Wanted = None,
    township: Wanted = None,
    kind: Wanted = None,
    organization: Wanted = None,
    status: Wanted = None,
    query: str = "",
    skip_missing: bool = False,
) -> gpd.GeoDataFrame:
    """Return the rows of ``gdf`` that match every filter given: the one venue filter.

    The CLI's ``export``, the Map page and the Data page all filter with this function. Each
    filter takes one value or a list (any of them matches; empty means all). ``county`` and
    ``township`` match the code columns (or a name for layers that have one); ``kind``,
    ``organization`` and ``status`` accept a code or a Chinese/English label; ``query`` is a
    case-blind substring of id, names or codes. A filter whose column the layer lacks raises an
    InputError naming the layer's columns, or is skipped with ``skip_missing``.
    """
    mask = pd.Series(True, index=gdf.index)
    wanted = {
        "county_code": _values(county),
        "township_code": _values(township),
        "kind": [_vocabulary_code(KINDS, v, "--kind") for v in _values(kind)],
        "status": [_vocabulary_code(STATUSES, v, "--status") for v in _values(status)],
        "organizations": [
            _vocabulary_code(ORGANIZATIONS, v, "--organization") for v in _values(organization)
        ],
    }
    for column, values in wanted.items():
        if not values or (skip_missing and column not in gdf.columns):
            continue
        if column in ("county_code", "township_code"):
            match = pd.Series(False, index=gdf.index)
            for value in values:
                match |= _code_or_name(gdf, column, value)
            mask &= match
        elif column == "organizations":
            chosen = set(values)
            cells = _column(gdf, column).fillna("").astype(str).str.split(LIST_SEPARATOR)
            mask &= cells.map(lambda items, chosen=chosen: bool(set(items) & chosen))
        else:
            mask &= _column(gdf, column).astype(str).isin(values)
    if query.strip():
        mask &= _query_match(gdf, query)
    return gdf[mask]


def _values(wanted: Wanted) -> list[str]:
    if wanted is None:
        return []
    items = [wanted] if isinstance(wanted, str) else list(wanted)
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def _query_match(gdf: gpd.GeoDataFrame, query: str) -> pd.Series:
    columns = ["id", "name", "name_en", "county_code", "township_code", "village_code"]
    present = [c for c in columns if c in gdf.columns]
    if not present:
        return pd.Series(False, index=gdf.index)
    hay = gdf[present].fillna("").astype(str).agg(" ".join, axis=1).str.casefold()
    return hay.str.contains(query.strip().casefold(), regex=False)


def _column(gdf: gpd.GeoDataFrame, name: str) -> pd.Series:
    if name not in gdf.columns:
        columns = ", ".join(c for c in gdf.columns if c != gdf.geometry.name)
        raise InputError(f"this layer has no {name!r} column to filter on; it has: {columns}")
    return gdf[name]


def _code_or_name(gdf: gpd.GeoDataFrame, column: str, wanted: str) -> pd.Series:
    codes = _column(gdf, column).astype("string")
    match = codes == wanted.strip()
    if column == "county_code" and "county_name" in gdf.columns:
        match |= gdf["county_name"] == wanted.strip()
    return match.fillna(False).astype(bool)


def _vocabulary_code(terms, text: str, option: str) -> str:
    code = lookup(terms, text)
    if code is None:
        valid = ", ".join(f"{t.code} ({t.zh})" for t in terms)
        raise InputError(f"{option} {text!r} is not known; use one of: {valid}")
    return code


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    temp.unlink()
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise InputError("the layer has no CRS; set one before exporting (e.g. EPSG:4326)")
    return gdf.to_crs("EPSG:4326")


def write_geojson(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``gdf`` as RFC 7946 GeoJSON (WGS84, 7 decimals, readable UTF-8 Chinese)."""
    out = _wgs84(gdf)
    _atomic(
        Path(path),
        lambda temp: pyogrio.write_dataframe(
            out,
            temp,
            driver="GeoJSON",
            layer_options={
                "RFC7946": "YES",
                "COORDINATE_PRECISION": str(GEOJSON_DECIMALS),
                "WRITE_NAME": "NO",
            },
        ),
    )
    return Path(path)


def write_gpkg(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str], layer: str = "layer") -> Path:
    """Write ``gdf`` as a one-layer GeoPackage named ``layer`` (replacing the file)."""
    out = _wgs84(gdf)
    _atomic(
        Path(path),
        lambda temp: pyogrio.write_dataframe(
            out, temp, layer=layer, driver="GPKG", dataset_options=GPKG_DATASET_OPTIONS
        ),
    )
    return Path(path)


def csv_frame(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the table a CSV export holds: attributes, lon/lat or WKT, formulas neutralised."""
    out = _wgs84(gdf)
    table = pd.DataFrame(out.drop(columns=out.geometry.name))
    geometry = out.geometry
    if len(out) and (geometry.geom_type == "Point").all():
        table["lon"] = geometry.x.round(GEOJSON_DECIMALS)
        table["lat"] = geometry.y.round(GEOJSON_DECIMALS)
    else:
        table["wkt"] = geometry.to_wkt(rounding_precision=GEOJSON_DECIMALS)
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(neutralise_formula)
    return table


def neutralise_formula(value: object) -> object:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula; leave others alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(gdf: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``gdf`` as UTF-8 (with BOM) CSV; see :func:`csv_frame` for the columns."""
    table = csv_frame(gdf)
    _atomic(Path(path), lambda temp: table.to_csv(temp, index=False, encoding="utf-8-sig"))
    return Path(path)


def write_layer(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    layer: str = "layer",
) -> Path:
    """Write ``gdf`` in ``fmt`` (geojson, gpkg, csv; default: from the path's suffix)."""
    fmt = (fmt or _format_from_suffix(Path(path))).lower()
    if fmt == "geojson":
        return write_geojson(gdf, path)
    if fmt == "gpkg":
        return write_gpkg(gdf, path, layer)
    if fmt == "csv":
        return write_csv(gdf, path)
    raise InputError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")


def _format_from_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    for fmt, known in SUFFIX_OF_FORMAT.items():
        if suffix == known or (fmt == "geojson" and suffix == ".json"):
            return fmt
    raise InputError(
        f"cannot tell the format of {path.name!r} from its suffix; add --format geojson|gpkg|csv"
    )


def to_bytes(gdf: gpd.GeoDataFrame, fmt: str, layer: str = "layer") -> bytes:
    """Return the export of ``gdf`` in ``fmt`` as bytes (for browser downloads)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{layer}{SUFFIX_OF_FORMAT.get(fmt, '.bin')}"
        write_layer(gdf, path, fmt, layer)
        return path.read_bytes()


def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Return RFC 7946 GeoJSON bytes of ``gdf``."""
    return to_bytes(gdf, "geojson")


def to_gpkg_bytes(gdf: gpd.GeoDataFrame, layer: str = "layer") -> bytes:
    """Return GeoPackage bytes of ``gdf`` with one layer named ``layer``."""
    return to_bytes(gdf, "gpkg", layer)


def to_csv_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Return UTF-8 (BOM) CSV bytes of ``gdf``."""
    return to_bytes(gdf, "csv")
