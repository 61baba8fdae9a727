"""Data in and out: import with one policy, one row validator, table edits, exports.

* Import policy, the same in the CLI and the dashboard: all or nothing by default (a file with
  any rejected row writes nothing); with ``skip_invalid`` (like ogr2ogr's ``-skipfailures``)
  the accepted rows are written and the skipped ones counted.
* One row validation path: the Data page's table edits are checked by the importer's own row
  rules (`validate_rows` runs `geo.importer.check_rows`), so a year, a kind or a point refused
  on import is refused in the table too.
* Imported venues are stamped with the import date (``as_of``), the data's date on screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from analysis.standards import Standards
from geo import crs as crs_mod
from geo.export import filter_layer
from geo.importer import (
    IMPORTABLE_LAYERS,
    ImportReport,
    Issue,
    ReferenceIndex,
    check_rows,
    import_layer,
    map_headers,
    read_points,
)
from geo.importer.readers import RawTable
from geo.schema import LEVEL_OF_KIND, LIST_SEPARATOR
from venuemap.usecases.analysis import coverage_table, uncovered
from venuemap.usecases.inputs import Inputs
from venuemap.usecases.labels import stamp_as_of

__all__ = [
    "IMPORTABLE_LAYERS",
    "EXPORT_LAYERS",
    "ImportOutcome",
    "ImportReport",
    "Issue",
    "apply_edits",
    "check_import",
    "export_layer",
    "filter_layer",
    "import_file",
    "merge_edits",
    "prepare_reference",
    "EDITABLE",
    "reference_layers",
    "validate_rows",
    "write_import",
]

#: Layers `export_layer` returns, with what each holds.
EXPORT_LAYERS = {
    "venues": "the venue register (your store's, else the bundled demo)",
    "counties": "the 4 county polygons (real)",
    "townships": "township areas (approximate unless you imported official ones)",
    "township_seats": "township seat points",
    "villages": "villages/communities (illustrative points unless you imported your own)",
    "prefecture": "the prefecture outline",
    "coverage": "villages with their nearest venue, distance and covered flag per level "
    "(default standards, data/standards.toml)",
    "gaps": "uncovered villages ranked by population, then distance (default standards)",
    "access": "villages with their 2SFCA access (capacity per resident) and access index, "
    "each kind's standard as catchment",
    "rings": "一站多圈: 5/10/15-minute rings (driving speed x detour) around each venue",
}


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did.

    Attributes
    ----------
    report
        The importer's report (rows, accepted, errors, warnings).
    written
        Rows written to the store (0 when nothing was written).
    skipped
        Rejected rows left out because ``skip_invalid`` was asked for (0 otherwise).
    reason
        Why nothing was written: ``""`` (written), ``"dry_run"``, ``"rejected"`` (all or
        nothing) or ``"empty"`` (no accepted row).
    """

    report: ImportReport
    written: int
    skipped: int
    reason: str = ""


def reference_layers(store_path: str | None) -> dict[str, Any]:
    """Return the active region and its reference layers (the user's townships/villages first).

    Villages are the region's list only (never the stand-in demand grid), so new village codes
    of the region are accepted.
    """
    from geo.register import load_reference
    from venuemap.usecases.region import active_region

    names = ("prefecture", "counties", "townships", "villages")
    layers = {name: load_reference(name, store_path, fallback=False) for name in names}
    return {**layers, "region": active_region(store_path)}


def prepare_reference(layers: Mapping[str, pd.DataFrame]) -> ReferenceIndex:
    """Return the importer's prepared reference geography for ``layers`` (reusable, read-only)."""
    return ReferenceIndex.build(dict(layers))


def check_import(
    path: str | Path,
    store: Any,
    *,
    layer: str = "venues",
    crs: str = "auto",
    reference: Mapping[str, pd.DataFrame] | ReferenceIndex | None = None,
) -> ImportReport:
    """Check ``path`` row by row against the store's venues and the geography; write nothing.

    Activities are matched against the register as the user sees it (the store's, else the
    bundled demo) and merged with the activities already stored.
    """
    if layer == "activities":
        from geo.register import load_venues

        return import_layer(path, layer, existing=load_venues(str(store.path)),
                            stored=store.layer("activities"))  # fmt: skip
    existing = store.venues() if layer == "venues" else None
    if reference is None:
        reference = reference_layers(str(store.path))
    return import_layer(path, layer, crs=crs, existing=existing, reference=reference)


def write_import(report: ImportReport, store: Any, *, skip_invalid: bool = False) -> ImportOutcome:
    """Write a checked import under the policy: all or nothing, or skip the invalid rows."""
    if report.rejected and not skip_invalid:
        return ImportOutcome(report, 0, 0, "rejected")
    if len(report.accepted) == 0:
        return ImportOutcome(report, 0, 0, "empty")
    if report.merged is not None:
        store.write_layer(report.layer, report.merged)
    else:
        store.add_venues(stamp_as_of(report.accepted))
    return ImportOutcome(report, len(report.accepted), int(report.rejected) if skip_invalid else 0)


def import_file(
    path: str | Path,
    store: Any,
    *,
    layer: str = "venues",
    crs: str = "auto",
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportOutcome:
    """Check ``path`` and, unless ``dry_run``, write it under the import policy."""
    report = check_import(path, store, layer=layer, crs=crs)
    if dry_run:
        return ImportOutcome(report, 0, 0, "dry_run")
    return write_import(report, store, skip_invalid=skip_invalid)


#: Columns a user may edit in the register table; the rest are shown read-only.
EDITABLE = ("name", "name_en", "kind", "organizations", "services", "address", "status",
            "year_opened", "lon", "lat")  # fmt: skip
#: Register fields of an edited table, in the order the importer reads them.
_EDIT_FIELDS = ("id", "name", "name_en", "kind", "county_code", "township_code", "village_code",
                "organizations", "services", "address", "status", "year_opened", "position",
                "lon", "lat")  # fmt: skip


def validate_rows(
    rows: pd.DataFrame, reference: Mapping[str, pd.DataFrame] | ReferenceIndex | None = None
) -> list[tuple[str, Issue]]:
    """Check register rows (e.g. the Data page's edited table) by the importer's row rules.

    ``rows`` holds register fields (codes, ``organizations`` as a list or ``;`` text) with
    WGS84 ``lon``/``lat``. Returns (venue id, issue) for every error; empty when all is well.
    """
    frame = pd.DataFrame(
        {f: rows[f].map(_cell) if f in rows.columns else "" for f in _EDIT_FIELDS}
    ).reset_index(drop=True)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="row")
    table = RawTable(Path("table"), frame)
    columns = map_headers(list(frame.columns))
    index = reference if isinstance(reference, ReferenceIndex) else ReferenceIndex.build(
        None if reference is None else dict(reference))  # fmt: skip
    choice = crs_mod.parse_crs_option("wgs84")
    report = check_rows(table, columns, read_points(table, columns), choice, index, None, [])
    ids = dict(zip(frame.index, frame["id"], strict=True))
    return [(ids.get(issue.row, ""), issue) for issue in report.errors]


def _cell(value: object) -> str:
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 10_000:
        return str(int(value))
    return str(value)


def apply_edits(
    store: Any,
    register: gpd.GeoDataFrame,
    edited: pd.DataFrame,
    reference: Mapping[str, pd.DataFrame] | ReferenceIndex | None = None,
) -> list[tuple[str, Issue]]:
    """Validate ``edited`` rows (`validate_rows`); when all pass, write them into the store.

    The edited rows merged into the register (`merge_edits`) are written in one versioned
    transaction, based on ``register`` as read: a venue someone else changed since raises
    ``geo.errors.ConflictError`` and nothing is written. A register still showing the demo is
    stored whole. Returns the problems; nothing is written when there is any.
    """
    problems = validate_rows(edited, reference)
    if not problems:
        base = register if len(store.venues()) else None  # None: the demo is stored whole
        store.replace_venues(merge_edits(register, edited), kind="edit", base=base)
    return problems


def merge_edits(register: gpd.GeoDataFrame, edited: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return ``register`` with the edited rows (matched by id) replaced; level follows kind."""
    out = register.copy()
    by_id = edited.set_index("id")
    for position in out.index[out["id"].isin(by_id.index)]:
        row = by_id.loc[out.at[position, "id"]]
        for column in EDITABLE:
            if column in ("lon", "lat"):
                continue
            value = row[column]
            if column == "organizations":
                value = _cell(value)
            out.at[position, column] = None if _cell(value) == "" else value
        out.at[position, "level"] = LEVEL_OF_KIND.get(row["kind"], 4)
        out.at[position, out.geometry.name] = Point(float(row["lon"]), float(row["lat"]))
    return out


def export_layer(
    name: str,
    store_path: str | None,
    standard: Standards,
    **filters: Any,
) -> gpd.GeoDataFrame:
    """Return layer ``name`` (EXPORT_LAYERS) as the user sees it, filtered (`filter_layer`).

    ``coverage`` and ``gaps`` are computed under ``standard``; distances are rounded to
    decimetres and population to whole people.
    """
    from geo.register import load_reference, load_venues

    if name not in EXPORT_LAYERS:
        raise ValueError(f"unknown layer {name!r}; use one of {', '.join(EXPORT_LAYERS)}")
    if name == "venues":
        layer = load_venues(store_path)
    elif name in ("coverage", "gaps"):
        inputs = Inputs(load_venues(store_path), load_reference("villages", store_path))
        layer = result_layer(coverage_table(inputs, standard), name)
    elif name in ("access", "rings"):
        from venuemap.usecases.access import export_layer as access_export

        layer = access_export(name, load_venues(store_path),
                              load_reference("villages", store_path), standard)  # fmt: skip
    else:
        layer = load_reference(name, store_path)
    return filter_layer(layer, **filters)


def result_layer(table: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Return a coverage table (``coverage``) or its ranked gaps (``gaps``) ready to export."""
    layer = table.copy() if name == "coverage" else uncovered(table)
    distances = [column for column in layer.columns if column.endswith("_distance_m")]
    layer[distances] = layer[distances].round(1)  # metres: decimetres are plenty
    if "population" in layer.columns:
        layer["population"] = layer["population"].round().astype("Int64")
    return layer
