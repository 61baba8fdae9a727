"""Turn a planner's file into venues of the register, with a report a planner can act on.

:func:`import_venues` reads any supported file (see :mod:`geo.importer.readers`), maps Chinese
or English headers, converts coordinates to WGS84 (:mod:`geo.crs`) and checks every row against
the real geography: prefecture and county polygons (real: a contradiction rejects the row) and the
township areas (approximate: a contradiction only warns). Nothing is silently dropped:
``accepted + rejected == rows``; a row with several problems is one rejected row listing all of
them. The importer never writes anything — the CLI hands ``report.accepted`` to the store.

Row numbers are those a spreadsheet shows (header = row 1, first data row = row 2); issues
about the file as a whole (unknown columns, the CRS assumption) carry row 0.

The parts live in sibling modules, one concern each; this module is the entry and re-exports
their public names, so ``from geo.importer import …`` keeps working:

- :mod:`geo.importer.report` — :class:`Issue`, :class:`ImportReport`, bilingual :func:`msg`
- :mod:`geo.importer.headers` — column aliases (:data:`HEADER_ALIASES`) and :func:`map_headers`
- :mod:`geo.importer.coordinates` — coordinate cells/geometries -> WGS84 (the ``--crs`` rule)
- :mod:`geo.importer.values` — cell text -> kind, level, status, organizations, year, population
- :mod:`geo.importer.reference` — :class:`ReferenceIndex` (county/township/village look-ups) and
  :func:`locate`
- :mod:`geo.importer.rows` — :class:`RowCheck`, the per-row checks and their messages
- :mod:`geo.importer.duplicates` — repeated ids and same-name venues within 50 m
- :mod:`geo.importer.layers` — ``--layer townships|villages`` (official areas and villages)
- :mod:`geo.importer.activities` — ``--layer activities`` (the activities register)
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import crs as crs_mod
from geo.boundaries import as_objects
from geo.bulk import cyclic_gc_paused
from geo.errors import InputError
from geo.importer.activities import import_activities
from geo.importer.coordinates import (
    RawPoints,
    convert,
    parse_number,
    points_from_columns,
    points_from_geometry,
    read_points,
    resolve_choice,
)
from geo.importer.duplicates import DUPLICATE_RADIUS_M, GEOD, Seen, check_duplicates
from geo.importer.headers import (
    HEADER_ALIASES,
    LAYER_ALIASES,
    LAYER_INDEX,
    REQUIRED_FIELDS,
    SILENT_COLUMNS,
    Columns,
    header_issues,
    header_warnings,
    map_headers,
    norm_header,
)
from geo.importer.layers import (
    EQUAL_AREA_CRS,
    MIN_COUNTY_SHARE,
    LayerFile,
    import_townships,
    import_villages,
)
from geo.importer.readers import RawTable, read_table
from geo.importer.reference import (
    COUNTY_SUFFIXES,
    VILLAGE_SUFFIXES,
    Located,
    ReferenceIndex,
    locate,
)
from geo.importer.report import ImportReport, Issue, msg
from geo.importer.rows import Context, RowCheck, location_problem
from geo.importer.values import (
    FIRST_PLAUSIBLE_YEAR,
    ORG_SPLIT,
    STATUS_SYNONYMS,
    YEARS_AHEAD,
    parse_kind,
    parse_level,
    parse_organizations,
    parse_population,
    parse_status,
    parse_year,
    stable_id,
)
from geo.schema import STORAGE_CRS, VENUE_COLUMNS

__all__ = [
    "COUNTY_SUFFIXES",
    "DUPLICATE_RADIUS_M",
    "EQUAL_AREA_CRS",
    "FIRST_PLAUSIBLE_YEAR",
    "GEOD",
    "HEADER_ALIASES",
    "IMPORTABLE_LAYERS",
    "LAYER_ALIASES",
    "MIN_COUNTY_SHARE",
    "ORG_SPLIT",
    "REQUIRED_FIELDS",
    "SILENT_COLUMNS",
    "STATUS_SYNONYMS",
    "VILLAGE_SUFFIXES",
    "YEARS_AHEAD",
    "Columns",
    "Context",
    "ImportReport",
    "Issue",
    "Located",
    "RawPoints",
    "ReferenceIndex",
    "RowCheck",
    "Seen",
    "check_duplicates",
    "check_rows",
    "convert",
    "header_issues",
    "header_warnings",
    "import_layer",
    "import_venues",
    "locate",
    "location_problem",
    "map_headers",
    "msg",
    "norm_header",
    "parse_kind",
    "parse_level",
    "parse_number",
    "parse_organizations",
    "parse_population",
    "parse_status",
    "parse_year",
    "points_from_columns",
    "points_from_geometry",
    "register_frame",
    "resolve_choice",
    "stable_id",
]

#: What ``import --layer`` accepts: the register itself or a reference layer it replaces.
IMPORTABLE_LAYERS = ("venues", "townships", "villages", "activities")


def import_venues(
    path: str | Path,
    *,
    crs: str | crs_mod.CrsChoice = "auto",
    existing: gpd.GeoDataFrame | None = None,
    reference: dict[str, pd.DataFrame] | ReferenceIndex | None = None,
) -> ImportReport:
    """Read ``path`` and check every row; return what would be imported. Writes nothing.

    Parameters
    ----------
    path
        Any file :func:`geo.importer.readers.read_table` reads.
    crs
        ``--crs`` text or a parsed choice; ``"auto"`` follows :func:`geo.crs.resolve_auto`.
    existing
        The register already stored (ids and same-name-within-50-m checks), or None.
    reference
        Reference layers by name (``prefecture``, ``counties``, ``townships``, optional
        ``villages``) or a prepared :class:`ReferenceIndex`; default: the bundled layers.

    Raises
    ------
    InputError, CRSError
        When the file as a whole is unusable (unreadable, no data rows, required columns
        missing, projected coordinates without a CRS).
    """
    choice, index, table = _open(path, crs, reference)
    columns = map_headers(list(table.frame.columns))
    warnings, error = header_issues(columns, table.geometry is not None)
    if error is not None:
        raise InputError(f"{Path(path).name}: {error}")
    raw = read_points(table, columns)
    choice, crs_warning = resolve_choice(choice, table, raw, columns, index.zone_hint)
    if crs_warning:
        warnings.append(Issue(0, raw.column, "auto", crs_warning))
    return check_rows(table, columns, raw, choice, index, existing, warnings)


@cyclic_gc_paused()
def import_layer(
    path: str | Path,
    layer: str,
    *,
    crs: str | crs_mod.CrsChoice = "auto",
    existing: gpd.GeoDataFrame | None = None,
    reference: dict[str, pd.DataFrame] | ReferenceIndex | None = None,
    stored: pd.DataFrame | None = None,
) -> ImportReport:
    """Import ``layer`` from ``path``: venues, a user's official townships or villages, activities.

    ``townships``: a spatial file of polygons naming each township (code or NBS name); they
    replace the approximate areas (``approximate=False``). ``villages``: rows naming villages
    (12-digit code, or name with the township) with a population and/or a location; they
    replace the illustrative values. ``report.merged`` is the complete layer to store: the
    file's rows plus the bundled rows it does not cover (a warning lists how many). A polygon
    or point that contradicts its real county is rejected. ``activities``: one activity per
    row, its venue matched in ``existing`` (the register) by id, else exact name; ``stored`` is
    the activities layer already stored (see :mod:`geo.importer.activities`). Writes nothing.
    """
    if layer == "venues":
        return import_venues(path, crs=crs, existing=existing, reference=reference)
    if layer == "activities":
        return _import_activities(path, existing, stored)
    if layer not in IMPORTABLE_LAYERS:
        raise InputError(f"unknown layer {layer!r}; importable: {', '.join(IMPORTABLE_LAYERS)}")
    choice, index, table = _open(path, crs, reference)
    columns = map_headers(list(table.frame.columns), LAYER_INDEX)
    importer = import_townships if layer == "townships" else import_villages
    warnings = [*table.issues, *header_warnings(columns)]
    report = importer(LayerFile(table, columns, index), choice, warnings)
    report.path, report.layer = str(table.path), layer
    return report


def _import_activities(
    path: str | Path, venues: gpd.GeoDataFrame | None, stored: pd.DataFrame | None
) -> ImportReport:
    """Read an activities file and check it against the register ``venues``."""
    if venues is None:
        raise InputError("no venue register to match activities against; import venues first")
    table = read_table(path)
    if table.frame.empty:
        raise InputError(f"{Path(path).name}: no data rows below the header (row 1)")
    report = import_activities(table, venues, stored)
    report.path, report.layer = str(table.path), "activities"
    return report


def _open(
    path: str | Path,
    crs: str | crs_mod.CrsChoice,
    reference: dict[str, pd.DataFrame] | ReferenceIndex | None,
) -> tuple[crs_mod.CrsChoice, ReferenceIndex, RawTable]:
    """Parse ``crs``, prepare the reference and read the file; refuse a file without data rows."""
    choice = crs if isinstance(crs, crs_mod.CrsChoice) else crs_mod.parse_crs_option(crs)
    index = reference if isinstance(reference, ReferenceIndex) else ReferenceIndex.build(reference)
    table = read_table(path)
    if table.frame.empty:
        raise InputError(f"{Path(path).name}: no data rows below the header (row 1)")
    return choice, index, table


def check_rows(
    table: RawTable,
    columns: Columns,
    raw: RawPoints,
    choice: crs_mod.CrsChoice,
    index: ReferenceIndex,
    existing: gpd.GeoDataFrame | None,
    warnings: list[Issue],
) -> ImportReport:
    """Check every row and assemble the report (see :func:`import_venues`)."""
    ctx = Context.build(table, columns, raw, choice, index)
    seen = Seen.from_existing(existing)
    errors, records = [], []
    for position in range(len(table.frame)):
        check = RowCheck(ctx, position)
        check.run()
        check_duplicates(check, seen)
        errors.extend(check.errors)
        warnings.extend(check.warnings)
        if not check.errors:  # a tuple, not the row's dict: 500,000 dicts weigh ~1 GB
            records.append(tuple(map(check.record.get, RECORD_COLUMNS, _NANS)))
    rejected = {issue.row for issue in errors}
    ctx.filled_township = [row for row in ctx.filled_township if row not in rejected]
    warnings.extend(_file_warnings(ctx))
    report = ImportReport(len(table.frame), register_frame(records), errors, warnings)
    report.notes = [*table.notes, f"coordinates read as {choice.label}"]
    report.path = str(table.path)
    return report


def _file_warnings(ctx: Context) -> list[Issue]:
    """Warnings about the file: what the reader repaired, townships filled, long rows."""
    out = list(ctx.table.issues)
    if ctx.filled_township:
        rows = ", ".join(map(str, ctx.filled_township))
        out.append(Issue(0, ctx.columns.get("township") or "township", "", msg(
            f"第 {rows} 行未填乡镇，已按近似乡镇范围补填，请核对",
            f"rows {rows}: township filled from the APPROXIMATE township areas; check them",
        )))  # fmt: skip
    overflow = ctx.table.frame.attrs.get("overflow_rows", [])
    for row in overflow:
        out.append(Issue(int(row), "", "", msg(
            "该行单元格多于表头列数，多出部分已忽略",
            "this row has more cells than the header has columns; the extra cells were ignored",
        )))  # fmt: skip
    return out


#: The fields of an accepted row's record, in the order :func:`check_rows` keeps them.
RECORD_COLUMNS = (*VENUE_COLUMNS, "lon", "lat")
_NANS = (math.nan,) * len(RECORD_COLUMNS)


def register_frame(records: list[dict[str, Any]] | list[tuple[Any, ...]]) -> gpd.GeoDataFrame:
    """Build the accepted venues as a register GeoDataFrame (EPSG:4326, VENUE_COLUMNS order).

    ``records`` are row dicts, or tuples of :data:`RECORD_COLUMNS` with NaN for a field the
    row did not set (what a dict without that key becomes in the frame).
    """
    rows = [tuple(r.get(c, math.nan) for c in RECORD_COLUMNS) if isinstance(r, dict) else r
            for r in records]  # fmt: skip
    values = list(zip(*rows, strict=True)) if rows else [() for _ in RECORD_COLUMNS]
    columns = {c: as_objects(list(v)) for c, v in zip(RECORD_COLUMNS, values, strict=True)}
    frame = pd.DataFrame(columns, columns=list(RECORD_COLUMNS), dtype=object)
    geometry = gpd.points_from_xy(
        frame["lon"].astype(float), frame["lat"].astype(float), crs=STORAGE_CRS
    )
    frame = frame.drop(columns=["lon", "lat"])
    frame["level"] = pd.array(frame["level"], dtype="Int64")
    frame["year_opened"] = pd.array(frame["year_opened"], dtype="Int64")
    for column in ("capacity", "floor_area_m2"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=STORAGE_CRS)
