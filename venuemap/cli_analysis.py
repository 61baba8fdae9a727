"""``venuemap coverage | gaps | site``: the planner's questions on the store or on files.

Inputs default to the user's store (``geo.register.load_venues``; the bundled demo register
when the store is empty) and the villages layer; ``--venues``, ``--demand``, ``--candidates``
and ``--roads`` read GeoJSON, GeoPackage, Shapefile (or CSV with lon/lat columns) instead.
Files are read here; the analysis itself (``analysis/``) does no file I/O.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.coverage import assess_coverage, coverage_totals, summarise_coverage
from analysis.gaps import redundant_venues, service_deserts, uncovered_demand
from analysis.network import check_network
from analysis.siting import MODELS, default_candidates, proposal_venues, site
from analysis.standards import (
    Standards,
    default_standards,
    standards_from_mapping,
    uniform_standards,
)
from geo.errors import InputError
from geo.schema import KINDS, lookup

#: Where the readable default standards live.
STANDARDS_PATH = Path(__file__).resolve().parent.parent / "data" / "standards.toml"
_LON = ("lon", "lng", "longitude", "x", "经度")
_LAT = ("lat", "latitude", "y", "纬度")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``coverage``, ``gaps`` and ``site`` subcommands."""
    coverage = subparsers.add_parser(
        "coverage",
        help="who is served: coverage per level, per county, four-level network checks",
        description="Coverage of demand (villages by default) by the venues, per level and "
        "county, with the four-level network checks.",
    )
    _inputs(coverage)
    coverage.set_defaults(func=run_coverage)
    gaps = subparsers.add_parser(
        "gaps",
        help="who is not served: uncovered villages, deserts, townships without a centre",
        description="Uncovered demand ranked by population, H3 service deserts, townships "
        "without a centre and redundant venues.",
    )
    _inputs(gaps)
    gaps.set_defaults(func=run_gaps)
    _site_parser(subparsers)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--venues", metavar="F", help="existing venues file (default: store)")
    parser.add_argument("--demand", metavar="F", help="demand points with population "
                        "(default: the villages layer)")  # fmt: skip
    parser.add_argument("--detour", metavar="K", type=float,
                        help="road distance = K x straight line (default 1.4; 1 = straight)")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument("--out", metavar="F", help="write a GeoJSON layer (RFC 7946) here")
    parser.add_argument("--store", metavar="PATH",
                        help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path")


def _inputs(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--radius-km", metavar="KM", type=float,
                       help="one service radius for every venue kind")  # fmt: skip
    group.add_argument("--standard", metavar="F",
                       help=f"service standards TOML (default {STANDARDS_PATH.name})")
    parser.add_argument("--kind", metavar="K", nargs="+", action="extend",
                        help="only these venue kinds (codes or Chinese labels)")
    parser.add_argument("--roads", metavar="F", help="roads (LineStrings): network distance")


def _site_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "site",
        help="where to build next: MCLP, LSCP or p-median, solved exactly",
        description="Choose new sites among candidates (default: villages without a station "
        "and township seats without a centre) with the existing venues fixed.",
    )
    parser.add_argument("--model", choices=MODELS, default="mclp",
                        help="mclp: most people newly covered by N sites; lscp: fewest sites "
                        "covering all; pmedian: least mean distance (default mclp)")
    parser.add_argument("--add", metavar="N", type=int, default=5,
                        help="number of new sites (mclp, pmedian; default 5)")
    parser.add_argument("--radius-km", metavar="KM", type=float,
                        help="service radius of every site, km (default: the village-station "
                        "standard, 2 km)")
    parser.add_argument("--candidates", metavar="F", help="candidate sites file (column id)")
    _common(parser)
    parser.set_defaults(func=run_site)


# ---------------------------------------------------------------------------------------------
# run functions


def run_coverage(args: argparse.Namespace) -> int:
    """Print (or write) coverage per level and county, and the four-level checks."""
    _refuse_store_as_out(args)
    venues, demand, standards, roads = _load_inputs(args)
    result = assess_coverage(demand, venues, standards, detour=args.detour, roads=roads,
                             kinds=_kinds(args.kind))  # fmt: skip
    by_county = summarise_coverage(result, "county_code", totals=False) if (
        "county_code" in result.columns) else pd.DataFrame()  # fmt: skip
    network = _network(args, venues, demand, standards, roads)
    payload = {**coverage_totals(result), "by_county": _records(by_county),
               "network": network}  # fmt: skip
    _write_out(args, result)
    if args.json:
        _print_json(payload)
    else:
        _print_coverage(payload, standards, args)
    return 0


def run_gaps(args: argparse.Namespace) -> int:
    """Print (or write) uncovered demand, deserts, townships without centre, redundant venues."""
    _refuse_store_as_out(args)
    venues, demand, standards, roads = _load_inputs(args)
    kinds = _kinds(args.kind)
    result = assess_coverage(demand, venues, standards, detour=args.detour, roads=roads,
                             kinds=kinds)  # fmt: skip
    uncovered = uncovered_demand(result)
    deserts = service_deserts(result)
    chosen = venues if kinds is None else venues.loc[venues["kind"].isin(kinds)]
    redundant = redundant_venues(demand, chosen, standards, detour=args.detour)
    missing = _townships_without_centre(args, venues, demand)
    payload = {
        "uncovered": _records(_plain(uncovered, ["rank", "village_code", "name", "county_code",
                                                  "township_code", "population",
                                                  "nearest_distance_m"])),
        "deserts": _records(_plain(deserts, ["h3_cell", "uncovered_population",
                                             "uncovered_points"])),
        "townships_without_centre": _records(_plain(missing, ["township_code", "name",
                                                              "county_code"])),
        "redundant_venues": _records(_plain(redundant, ["id", "name", "kind", "covers_points"])),
    }  # fmt: skip
    if args.out:
        _write_gaps(args.out, uncovered, deserts, redundant)
    if args.json:
        _print_json(payload)
    else:
        _print_gaps(payload)
    return 0


def run_site(args: argparse.Namespace) -> int:
    """Solve the siting model and print the chosen candidates."""
    _refuse_store_as_out(args)
    standards = default_standards()
    venues = _read_or(args.venues, lambda: _register_venues(args.store), "venues")
    demand = _read_or(args.demand, lambda: _reference("villages", args.store), "demand")
    if args.candidates:
        candidates = _read(args.candidates, "candidates")
    else:
        seats = _reference("township_seats", args.store)
        candidates = default_candidates(_same_crs(demand, venues), _same_crs(seats, venues),
                                        venues)  # fmt: skip
    radius_km = args.radius_km if args.radius_km is not None else (
        standards.get("village_station").radius_m / 1000.0)  # fmt: skip
    _quiet_highs()
    result = site(
        demand, venues, _same_crs(candidates, demand), model=args.model, n_new=args.add,
        radius_m=radius_km * 1000.0,
        detour=standards.detour if args.detour is None else args.detour,
    )
    if args.out:
        _write_geojson(proposal_venues(result, candidates), args.out)
    if args.json:
        _print_json(result.to_json())
    else:
        _print_site(result, radius_km)
    return 0


# ---------------------------------------------------------------------------------------------
# inputs


def _load_inputs(
    args: argparse.Namespace,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Standards, gpd.GeoDataFrame | None]:
    venues = _read_or(args.venues, lambda: _register_venues(args.store), "venues")
    demand = _read_or(args.demand, lambda: _reference("villages", args.store), "demand")
    roads = _read(args.roads, "roads") if args.roads else None
    return venues, _same_crs(demand, venues), load_standards(args), roads


def load_standards(args: argparse.Namespace) -> Standards:
    """Return the standards: ``--radius-km`` for all, else ``--standard F``, else the default."""
    path = Path(args.standard) if getattr(args, "standard", None) else STANDARDS_PATH
    try:
        with path.open("rb") as handle:
            mapping = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(f"standards file {path} not found; pass an existing TOML file "
                         f"to --standard (see {STANDARDS_PATH} for the format)") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"standards file {path} is not valid TOML: {error}") from None
    standards = standards_from_mapping(mapping)
    if getattr(args, "radius_km", None) is not None:
        standards = uniform_standards(args.radius_km, standards)
    return standards


def _kinds(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    kinds = []
    for text in values:
        code = lookup(KINDS, text)
        if code is None:
            valid = ", ".join(term.code for term in KINDS)
            raise InputError(f"--kind {text!r} is not a venue kind; use one of: {valid}")
        kinds.append(code)
    return kinds


def _register_venues(store: str | None) -> gpd.GeoDataFrame:
    from geo.register import load_venues

    return load_venues(store)


def _reference(name: str, store: str | None) -> gpd.GeoDataFrame:
    from geo.register import load_reference

    return load_reference(name, store)


def _read_or(path: str | None, default: Callable[[], gpd.GeoDataFrame], what: str
             ) -> gpd.GeoDataFrame:  # fmt: skip
    return _read(path, what) if path else default()


def _read(path_text: str, what: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GPKG/Shapefile (pyogrio) or a CSV with lon/lat columns, in EPSG:4326."""
    from geo.boundaries import normalise_codes

    path = Path(path_text)
    if not path.exists():
        raise InputError(f"--{what} file {path} not found; check the path")
    if path.suffix.lower() in (".csv", ".txt"):
        gdf = _read_csv_points(path, what)
    else:
        try:
            gdf = gpd.read_file(path, engine="pyogrio")
        except Exception as error:  # noqa: BLE001 - any driver error becomes one line
            raise InputError(f"cannot read --{what} file {path}: {error}") from None
    if gdf.crs is None:
        raise InputError(f"--{what} file {path} has no CRS; save it with one (e.g. EPSG:4326)")
    return normalise_codes(gdf.to_crs("EPSG:4326"))


def _read_csv_points(path: Path, what: str) -> gpd.GeoDataFrame:
    """Read a point CSV (UTF-8 or GBK, comma/tab/semicolon) with lon/lat columns."""
    import io

    from geo.importer.readers import decode_text, sniff_delimiter

    text, _ = decode_text(path, path.read_bytes())
    frame = pd.read_csv(io.StringIO(text), dtype=str, sep=sniff_delimiter(text))
    lower = {c.strip().lower(): c for c in frame.columns}
    lon = next((lower[c] for c in _LON if c in lower), None)
    lat = next((lower[c] for c in _LAT if c in lower), None)
    if lon is None or lat is None:
        raise InputError(f"--{what} CSV {path} needs longitude/latitude columns "
                         f"(one of {_LON} and one of {_LAT}); found {list(frame.columns)}")
    for column in ("population", "level", "year_opened"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    points = gpd.points_from_xy(pd.to_numeric(frame[lon]), pd.to_numeric(frame[lat]))
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def _same_crs(gdf: gpd.GeoDataFrame, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and like.crs is not None and gdf.crs != like.crs:
        return gdf.to_crs(like.crs)
    return gdf


def _network(args: argparse.Namespace, venues: gpd.GeoDataFrame, demand: gpd.GeoDataFrame,
             standards: Standards, roads: gpd.GeoDataFrame | None) -> dict:  # fmt: skip
    """Four-level counts; empty when the demand has no village/township codes."""
    if not {"village_code", "township_code"} <= set(demand.columns) or "kind" not in venues:
        return {}
    default_demand = not args.demand
    townships = _reference("townships", args.store) if default_demand else None
    counties = _reference("counties", args.store) if default_demand else None
    report = check_network(venues, demand, townships=townships,
                           counties=_same_crs(counties, venues) if counties is not None else None,
                           standards=standards, detour=args.detour, roads=roads)  # fmt: skip
    return report.counts


def _townships_without_centre(args: argparse.Namespace, venues: gpd.GeoDataFrame,
                              demand: gpd.GeoDataFrame) -> pd.DataFrame:  # fmt: skip
    if "township_code" not in demand.columns or "kind" not in venues.columns:
        return pd.DataFrame(columns=["township_code"])
    townships = _reference("townships", args.store) if not args.demand else None
    report = check_network(venues, demand, townships=townships, detour=args.detour)
    return report.townships_without_centre


# ---------------------------------------------------------------------------------------------
# outputs


def _quiet_highs() -> None:
    """Create one HiGHS object with stdout silenced: its banner would spoil JSON on stdout."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def _plain(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(frame[[c for c in columns if c in frame.columns]])


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else round(value, 4)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _print_json(payload: dict) -> None:
    print(json.dumps(_plain_json(payload), ensure_ascii=False, default=_jsonable))


def _plain_json(value: object) -> object:
    """Make numbers JSON-friendly all the way down (whole floats as ints, inf as null)."""
    if isinstance(value, dict):
        return {key: _plain_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_json(item) for item in value]
    if isinstance(value, bool):
        return value
    return _jsonable(value)


def _finite(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for column in out.columns:
        if column != out.geometry.name and pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].where(np.isfinite(out[column])).round(3)
    return out


def _refuse_store_as_out(args: argparse.Namespace) -> None:
    """Refuse ``--out`` naming the store itself (it would overwrite the register)."""
    from geo.store import refuse_store_as_output

    if getattr(args, "out", None):
        refuse_store_as_output(args.out, getattr(args, "store", None))


def _write_geojson(gdf: gpd.GeoDataFrame, path: str) -> None:
    from geo.export import write_geojson

    write_geojson(_finite(gdf), path)


def _write_out(args: argparse.Namespace, result: gpd.GeoDataFrame) -> None:
    if args.out:
        _write_geojson(result, args.out)


def _write_gaps(path: str, uncovered: gpd.GeoDataFrame, deserts: gpd.GeoDataFrame,
                redundant: gpd.GeoDataFrame) -> None:  # fmt: skip
    parts = []
    for kind, gdf in (("uncovered", uncovered), ("desert", deserts), ("redundant", redundant)):
        if len(gdf):
            parts.append(gdf.to_crs("EPSG:4326").assign(gap_type=kind))
    if not parts:
        parts = [gpd.GeoDataFrame({"gap_type": []}, geometry=[], crs="EPSG:4326")]
    _write_geojson(gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326"), path)


def _print_coverage(payload: dict, standards: Standards, args: argparse.Namespace) -> None:
    share = payload["population_covered"] / payload["population"] if payload["population"] else 0
    detour = standards.detour if args.detour is None else args.detour
    print(f"覆盖 coverage: {payload['covered']}/{payload['demand']} demand points, "
          f"population {payload['population_covered']:.0f}/{payload['population']:.0f} "
          f"({share:.1%}); detour {detour:g}, levels {list(standards.headline_levels)} count")
    for row in payload["by_county"]:
        print(f"  {row['county_code']}: {row['covered']}/{row['demand']} points, "
              f"{row['population_share_covered']:.1%} of population")
    for key, value in payload["network"].items():
        print(f"  {key}: {value}")


def _print_gaps(payload: dict) -> None:
    print(f"未覆盖 uncovered demand points: {len(payload['uncovered'])}")
    for row in payload["uncovered"][:10]:
        print(f"  {row.get('rank')}. {row.get('name', '')} {row.get('village_code', '')} "
              f"population {row.get('population')}, nearest {row.get('nearest_distance_m')} m")
    print(f"service deserts (H3 cells): {len(payload['deserts'])}")
    print(f"townships without a centre: {len(payload['townships_without_centre'])}")
    print(f"redundant venues: {len(payload['redundant_venues'])}")


def _print_site(result: object, radius_km: float) -> None:
    print(f"{result.model}: {len(result.selected)} new site(s), radius {radius_km:g} km, "
          f"optimal={result.optimal}, objective {result.objective:.4g}")
    print(f"  covered population {result.covered_population:.0f} "
          f"(existing {result.existing_population:.0f}; no candidate reaches "
          f"{result.uncoverable_population:.0f} more)")
    for ident in result.selected:
        print(f"  + {ident}")
