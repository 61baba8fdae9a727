"""Shared helpers for the import tests: reference layers, known points, and file writers.

Every file is written by the tests into ``tmp_path``; points are taken inside the bundled
(real) county polygons and the approximate township areas, so expectations are exact.
"""

from __future__ import annotations

import csv
import io
import zipfile
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from geo.boundaries import load_layer
from geo.importer import ReferenceIndex

TONGREN, JIANZHA, ZEKOG, HENAN = "632301", "632322", "632323", "632324"
LONGWU, BAOAN = "632301100", "632301101"  # 隆务镇, 保安镇 (同仁市)
ANGLA = "632322202"  # 昂拉乡 (尖扎县), home of 德吉村
MAKETANG, WANGJIA = "632322100", "632323202"  # 马克堂镇 (尖扎), 王加乡 (泽库)


@lru_cache(maxsize=1)
def reference_layers() -> dict[str, gpd.GeoDataFrame]:
    """Return the bundled reference layers the importer checks against."""
    names = ("prefecture", "counties", "townships", "villages")
    return {name: load_layer(name) for name in names}


@lru_cache(maxsize=1)
def reference_index() -> ReferenceIndex:
    """Return the prepared reference (built once per test session)."""
    return ReferenceIndex.build(reference_layers())


def point_in_township(code: str, dx: float = 0.0) -> tuple[float, float]:
    """Return a WGS84 point well inside township ``code``'s approximate area (and its county)."""
    townships = reference_layers()["townships"]
    area = townships.loc[townships["township_code"] == code].geometry.iloc[0]
    inner = area.buffer(-0.01)
    inner = inner if not inner.is_empty else area
    point = inner.representative_point()
    if dx:
        moved = shapely.Point(point.x + dx, point.y)
        assert inner.contains(moved), "dx moves the point out of the township"
        point = moved
    return round(point.x, 7), round(point.y, 7)


def village(name_start: str, township: str) -> tuple[str, str]:
    """Return (code, NBS name) of the village in ``township`` whose name starts so."""
    villages = reference_layers()["villages"]
    hit = villages[
        (villages["township_code"] == township) & villages["name"].str.startswith(name_start)
    ]
    assert len(hit) == 1, hit
    return hit["village_code"].iloc[0], hit["name"].iloc[0]


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    """Write a CSV the way Excel would (CRLF), in ``encoding`` ('utf-8-sig', 'gbk', …)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    *,
    title: str | None = None,
    extra_sheet: bool = False,
) -> Path:
    """Write an .xlsx workbook (optionally with a title banner row and a second sheet)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "阵地"
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if extra_sheet:
        book.create_sheet("说明").append(["这里是说明", "不是数据"])
    book.save(path)
    return path


def venue_gdf(rows: list[dict[str, object]], crs: str | int = 4326) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame from dicts with 'x'/'y' (in ``crs``) and attribute columns."""
    geometry = [shapely.Point(r["x"], r["y"]) for r in rows]
    attributes = [{k: v for k, v in r.items() if k not in ("x", "y")} for r in rows]
    return gpd.GeoDataFrame(attributes, geometry=geometry, crs=crs)


def write_shapefile_zip(
    path: Path, gdf: gpd.GeoDataFrame, *, encoding: str, keep_cpg: bool, stem: str = "stations"
) -> Path:
    """Write ``gdf`` as a shapefile in ``encoding`` and zip it, with or without the .cpg."""
    folder = path.parent / f"{stem}_shp"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / f"{stem}.shp", encoding=encoding)
    with zipfile.ZipFile(path, "w") as archive:
        for part in sorted(folder.iterdir()):
            if part.suffix == ".cpg" and not keep_cpg:
                continue
            archive.write(part, part.name)
    return path
