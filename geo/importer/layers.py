"""A planner's official township or village layer replacing the bundled approximate ones.

``import --layer townships`` reads township polygons (each named by code or NBS name) that
replace the approximate seat-Voronoi areas; ``import --layer villages`` reads village rows
(12-digit code, or name with the township) whose population and/or point replace the
illustrative ones. Either way the report's ``merged`` layer is what to store: the file's rows
plus the bundled rows it does not cover. A polygon or point that contradicts its real county is
rejected. :func:`geo.importer.import_layer` is the entry that reads the file and calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs as crs_mod
from geo.errors import InputError
from geo.importer.coordinates import read_points, resolve_choice
from geo.importer.headers import Columns
from geo.importer.readers import RawTable
from geo.importer.reference import ReferenceIndex
from geo.importer.report import ImportReport, Issue, msg
from geo.importer.rows import Context, location_problem
from geo.importer.values import parse_population
from geo.schema import STORAGE_CRS

#: China Albers equal-area, for areas in km².
EQUAL_AREA_CRS = "+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +ellps=WGS84 +units=m"
#: A user's township polygon must lie at least this much inside its (real) county.
MIN_COUNTY_SHARE = 0.5

#: A row's problems as (column, value, message); an accepted row has none.
Problems = list[tuple[str, str, str]]
#: Checks the row at a position given the codes already seen; returns (problems, record).
RowChecker = Callable[[int, dict[str, int]], tuple[Problems, dict[str, Any] | None]]


# --------------------------------------------------------------------------- shared
@dataclass(frozen=True)
class LayerFile:
    """A townships or villages file, its mapped headers and the reference geography it updates."""

    table: RawTable
    columns: Columns
    index: ReferenceIndex

    def cell(self, position: int, name: str) -> tuple[str, str]:
        """Return (header, cell text) of field ``name``; (name, '') when the column is absent."""
        header = self.columns.get(name)
        if not header:
            return name, ""
        return header, str(self.table.frame.iloc[position][header]).strip()

    def identify(self, position: int, fields: tuple[str, ...]) -> tuple[str, str]:
        """Return (header, text) of the first filled identifying cell among ``fields``."""
        for name in fields:
            header, text = self.cell(position, name)
            if text:
                return header, text
        return self.columns.get(fields[0]) or fields[0], ""

    def row(self, position: int) -> int:
        """Return the spreadsheet row number of the row at ``position``."""
        return int(self.table.frame.index[position])


def _check_layer_rows(
    table: RawTable, check_row: RowChecker
) -> tuple[list[Issue], list[dict[str, Any]]]:
    """Run ``check_row`` on every row; return the errors as Issues and the accepted records."""
    errors, records, seen = [], [], {}
    for position, row in enumerate(table.frame.index):
        problems, record = check_row(position, seen)
        errors.extend(Issue(int(row), col, value, text) for col, value, text in problems)
        if record is not None:
            records.append(record)
    return errors, records


def _merge_layer(
    accepted: gpd.GeoDataFrame,
    bundled: gpd.GeoDataFrame,
    key: str,
    warnings: list[Issue],
    what: str,
) -> gpd.GeoDataFrame:
    """Return the file's rows plus the bundled rows they do not cover; warn about the latter."""
    kept = bundled[~bundled[key].isin(accepted[key])]
    if len(kept):
        warnings.append(Issue(0, key, "", msg(
            f"文件未包含 {len(kept)} 个{what}，它们保留内置数据",
            f"{len(kept)} of {len(bundled)} {what}s are not in the file and keep the bundled "
            f"(approximate/illustrative) data",
        )))  # fmt: skip
    if len(accepted) and len(kept):
        merged = pd.concat([accepted, kept], ignore_index=True)
    else:  # concatenating with an empty layer would turn typed columns into text
        merged = accepted.copy() if len(accepted) else bundled.copy()
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=STORAGE_CRS)


def _layer_report(
    table: RawTable,
    layer: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    errors: list[Issue],
    warnings: list[Issue],
    crs_label: str,
) -> ImportReport:
    """Assemble the report of a layer import; ``layer`` is (accepted rows, merged layer)."""
    accepted, merged = layer
    report = ImportReport(len(table.frame), accepted, errors, warnings, merged=merged)
    report.notes = [*table.notes, f"coordinates read as {crs_label}"]
    return report


# --------------------------------------------------------------------------- townships
def import_townships(
    source: LayerFile, choice: crs_mod.CrsChoice, warnings: list[Issue]
) -> ImportReport:
    """Check the file's township polygons; they replace the approximate areas they name."""
    table, index = source.table, source.index
    if table.geometry is None:
        raise InputError(
            f"{table.path.name}: township boundaries need a spatial file with polygons "
            "(GeoPackage, GeoJSON, zipped Shapefile or KML)"
        )
    geoms, choice, crs_warning = _geometry_to_wgs84(table, choice)
    if crs_warning:
        warnings.append(Issue(0, "geometry", "auto", crs_warning))
    errors, records = _check_layer_rows(table, partial(_township_row, source, geoms))
    accepted = _area_frame(records, index.townships.columns)
    merged = _merge_layer(accepted, index.townships, "township_code", warnings, "township")
    return _layer_report(table, (accepted, merged), errors, warnings, choice.label)


def _township_row(
    source: LayerFile, geoms: np.ndarray, position: int, seen: dict[str, int]
) -> tuple[Problems, dict[str, Any] | None]:
    """Check one township row; return (problems as (column, value, message), record or None)."""
    index = source.index
    header, text = source.identify(position, ("township", "code", "id", "name"))
    code = index.township_code(text, None) if text else None
    known = set(index.townships["township_code"])
    new = code not in known and _new_township_code(index, text)
    if new:
        code = text.removesuffix(".0")[:9]
    elif code is None:
        zh, en = index.region_name
        return [(header, text, msg(f"{zh}中未知的乡镇“{text}”", f"unknown township {text!r} in "
                f"{en}: give its NBS name or 9-digit code (a new code must start with a county "
                "code of the region)"))], None  # fmt: skip
    if code in seen:
        return [(header, text, msg(
            f"乡镇重复（第 {seen[code]} 行）",
            f"township {index.township_name(code)} already given on row {seen[code]}",
        ))], None  # fmt: skip
    seen[code] = source.row(position)
    if new:
        bundled = _new_township(source, position, code)
    else:
        bundled = index.townships.set_index("township_code").loc[code]
    county = bundled["county_code"]
    county_geom = index.counties.set_index("county_code").geometry[county]
    why = _polygon_problem(geoms[position], county_geom, index.county_name(county))
    if why:
        return [("geometry", "", why)], None
    record = {**bundled.drop("geometry").to_dict(), "township_code": code, "approximate": False}
    return [], {**record, "geometry": geoms[position]}


def _new_township_code(index: ReferenceIndex, text: str) -> bool:
    """Return True for a 9/12-digit township code of the region's counties not in its list."""
    code = text.removesuffix(".0")
    return code.isdigit() and len(code) in (9, 12) and index.in_region_code(code)


def _new_township(source: LayerFile, position: int, code: str) -> pd.Series:
    """Return the attributes of a township the region's list lacks (name from the file)."""
    name = source.cell(position, "name")[1] or code
    county = code[:6]
    return pd.Series({
        "township_code12": code + "000", "name": name, "type": None, "county_code": county,
        "county_name": source.index.county_name(county).split(" ")[0], "geometry": None,
    })  # fmt: skip


def _geometry_to_wgs84(
    table: RawTable, choice: crs_mod.CrsChoice
) -> tuple[np.ndarray, crs_mod.CrsChoice, str | None]:
    """Convert every vertex of the file's geometries to WGS84 (GCJ-02/BD-09 included)."""
    values = table.geometry.values
    warning = None
    if choice.kind == "auto":
        xy = shapely.get_coordinates(values)
        choice, warning = crs_mod.resolve_auto(xy[:, 0], xy[:, 1], file_crs=table.crs)

    def to_wgs84(xy: np.ndarray) -> np.ndarray:
        lon, lat = crs_mod.to_wgs84(xy[:, 0], xy[:, 1], choice)
        return np.column_stack([lon, lat])

    return shapely.transform(values, to_wgs84), choice, warning


def _polygon_problem(geom: Any, county_geom: Any, county: str) -> str | None:
    """Say what is wrong with a township polygon (None when it is usable)."""
    if geom is None or geom.is_empty:
        return msg("几何为空", "geometry is empty: a township needs its boundary polygon")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return msg(f"几何类型为 {geom.geom_type}，应为面", f"geometry is a {geom.geom_type}: a "
                   "township boundary must be a Polygon or MultiPolygon")  # fmt: skip
    xy = shapely.get_coordinates(geom)
    if not (np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all()):
        return msg("坐标无法转换", "coordinates cannot be converted to lon/lat: check --crs")
    if not geom.is_valid:
        return msg("面无效", f"invalid polygon ({shapely.is_valid_reason(geom)}): repair it, "
                   "e.g. QGIS Vector ▸ Geometry Tools ▸ Fix Geometries")  # fmt: skip
    share = geom.intersection(county_geom).area / geom.area
    if share < MIN_COUNTY_SHARE:
        return msg(f"面只有 {share:.0%} 位于{county}内", f"only {share:.0%} of the polygon lies "
                   f"in its county {county}: check the township or the CRS")  # fmt: skip
    return None


def _area_frame(records: list[dict[str, Any]], columns: pd.Index) -> gpd.GeoDataFrame:
    """Build the accepted townships with their area in km² (equal-area CRS)."""
    frame = gpd.GeoDataFrame(records, columns=list(columns), geometry="geometry", crs=STORAGE_CRS)
    if len(frame):
        frame["area_km2"] = (frame.geometry.to_crs(EQUAL_AREA_CRS).area / 1e6).round(1)
    return frame


# --------------------------------------------------------------------------- villages
def import_villages(
    source: LayerFile, choice: crs_mod.CrsChoice, warnings: list[Issue]
) -> ImportReport:
    """Check the file's village rows; their population and points replace the bundled ones."""
    table, index = source.table, source.index
    if index.villages is None:
        raise InputError("no villages reference layer to update; pass reference['villages']")
    ctx, crs_warning = _village_context(source, choice)
    if ctx is None and source.columns.get("population") is None:
        raise InputError(
            f"{table.path.name}: a villages file needs a population column (人口/population) "
            "and/or coordinates (经度/纬度 or point geometry)"
        )
    if crs_warning:
        warnings.append(Issue(0, ctx.raw.column, "auto", crs_warning))
    bundled = index.villages.set_index("village_code")
    errors, records = _check_layer_rows(table, partial(_village_row, source, ctx, bundled))
    accepted = gpd.GeoDataFrame(
        records, columns=list(index.villages.columns), geometry="geometry", crs=STORAGE_CRS
    )
    merged = _merge_layer(accepted, index.villages, "village_code", warnings, "village")
    used = ctx.choice.label if ctx is not None else "no coordinates"
    return _layer_report(table, (accepted, merged), errors, warnings, used)


def _village_context(
    source: LayerFile, choice: crs_mod.CrsChoice
) -> tuple[Context | None, str | None]:
    """Locate the villages' points when the file has any (geometry or lon/lat columns)."""
    table, columns = source.table, source.columns
    has_columns = columns.get("lon") is not None and columns.get("lat") is not None
    if table.geometry is None and not has_columns:
        return None, None
    raw = read_points(table, columns)
    choice, warning = resolve_choice(choice, table, raw, columns, source.index.zone_hint)
    return Context.build(table, columns, raw, choice, source.index), warning


def _village_row(
    source: LayerFile,
    ctx: Context | None,
    bundled: pd.DataFrame,
    position: int,
    seen: dict[str, int],
) -> tuple[Problems, dict[str, Any] | None]:
    """Check one village row; return (errors as (column, value, message), record or None)."""
    index = source.index
    header, text = source.identify(position, ("village", "code", "id", "name"))
    township_text = source.cell(position, "township")[1]
    township = index.township_code(township_text, None) if township_text else None
    code = index.village_code(text, township) if text else None
    new = (code is None or code not in bundled.index) and _new_village_code(index, text)
    if new:
        code = text.removesuffix(".0")
    elif code is None or code not in bundled.index:
        zh, en = index.region_name
        return [(header, text, msg(f"{zh}中未知的村（社区）“{text}”", f"unknown village/community "
                 f"{text!r} in {en}: give its 12-digit NBS code (a new code must start with a "
                 "county code of the region), or its name with the township column (乡镇)"
                 ))], None  # fmt: skip
    if code in seen:
        return [(header, text, msg(f"村（社区）重复（第 {seen[code]} 行）",
                 f"village {code} already given on row {seen[code]}"))], None  # fmt: skip
    seen[code] = source.row(position)
    record = _new_village(source, position, code) if new else {
        **bundled.loc[code].to_dict(), "village_code": code}  # fmt: skip
    problems = _village_population(record, *source.cell(position, "population"))
    point, problem = _village_point(ctx, position, record["county_code"])
    if problem:
        problems.append((ctx.raw.column, ctx.raw.value[position], problem))
    elif point is not None:
        record.update(geometry=point, position="surveyed")
    elif new:
        problems.append((header, text, msg(
            f"新村（社区）{code}需要坐标", f"village {code} is not in the region's list: a new "
            "village needs its coordinates (经度/纬度)"
        )))  # fmt: skip
    return problems, None if problems else record


def _new_village_code(index: ReferenceIndex, text: str) -> bool:
    """Return True for a 12-digit code of one of the region's counties not yet in the list."""
    code = text.removesuffix(".0")
    known = index.villages is not None and code in set(index.villages["village_code"])
    return code.isdigit() and len(code) == 12 and index.in_region_code(code) and not known


def _new_village(source: LayerFile, position: int, code: str) -> dict[str, Any]:
    """Return the record of a village the region's list lacks (its name from the name column)."""
    name = source.cell(position, "name")[1] or code
    return {
        "village_code": code, "name": name, "kind": None, "township_code": code[:9],
        "township_name": None, "county_code": code[:6], "population": None,
        "population_source": None, "position": None, "geometry": None,
    }  # fmt: skip


def _village_population(record: dict[str, Any], header: str, text: str) -> Problems:
    """Put the file's population (if any) into ``record``; return the problem when unusable."""
    if not text:
        return []
    population = parse_population(text)
    record.update(population=population, population_source="user")
    if population is None:
        return [(header, text, msg(f"人口“{text}”不是整数",
                 f"population {text!r} is not a whole number ≥ 0"))]  # fmt: skip
    return []


def _village_point(ctx: Context | None, position: int, county: str) -> tuple[Any, str | None]:
    """Return (WGS84 point or None, problem) for one village row."""
    if ctx is None:
        return None, None
    row = int(ctx.table.frame.index[position])
    if _no_location(ctx, position):
        return None, None
    if row in ctx.raw.issues:
        return None, ctx.raw.issues[row][0].message
    if not ctx.where.inside[position]:
        return None, location_problem(ctx, position)
    here = ctx.where.county[position]
    if here != county:
        return None, msg(
            f"坐标位于{ctx.index.county_name(here)}，与该村所属县不符",
            f"the point lies in {ctx.index.county_name(here)} but the village belongs to "
            f"{ctx.index.county_name(county)}; correct the village or the coordinates",
        )
    return shapely.Point(ctx.lon[position], ctx.lat[position]), None


def _no_location(ctx: Context, position: int) -> bool:
    """Return True when a village row gives no location at all (it keeps the bundled point)."""
    if ctx.table.geometry is not None:
        return ctx.table.geometry.iloc[position] is None
    cells = ctx.table.frame.iloc[position]
    return not (cells[ctx.columns.get("lon")] or cells[ctx.columns.get("lat")])
