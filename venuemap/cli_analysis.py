"""``venuemap coverage | gaps | site``: the planner's questions on the store or on files.

Inputs default to the user's store (the bundled demo register when the store is empty) and the
villages layer; ``--venues``, ``--demand``, ``--candidates`` and ``--roads`` read GeoJSON,
GeoPackage, Shapefile (or CSV with lon/lat columns) instead. This module only parses and
prints: every figure comes from the use-case layer (`venuemap.usecases`), as on the dashboard.

One standard for all three commands: ``data/standards.toml`` (or ``--standard F``), with
``--county-km``/``--township-km``/``--village-km`` and ``--detour`` overriding its levels.
In ``coverage`` and ``gaps``, ``--radius-km`` sets one radius for every kind; in ``site`` it
sets only the radius of the NEW sites, while existing venues keep their own level's standard,
so ``site``'s ``baseline_covered_population`` equals ``coverage``'s ``population_covered``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.schema import KINDS, lookup
from venuemap.cli_access import CAPACITATED_MODELS, add_capacity_options, run_site_capacitated
from venuemap.usecases import (
    DEFAULT_CONNECT_M,
    DEFAULT_SNAP_M,
    MODELS,
    STANDARDS_PATH,
    CoverageResult,
    Inputs,
    SiteOutcome,
    Standards,
    coverage,
    gaps,
    load_inputs,
    read_layer_file,
    save_proposal,
    site,
    standard_from_options,
    with_minutes,
)
from venuemap.usecases.access import coverage_equity

#: How each demand basis is described in plain output (geo.demand makes the stand-ins).
_BASIS_TEXT = {
    "villages": "villages/communities",
    "file": "the --demand file",
    "h3_grid": "ILLUSTRATIVE H3 grid (no village points; county population spread by area)",
    "township_seats": "ILLUSTRATIVE township seats (county population split equally)",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``coverage``, ``gaps`` and ``site`` subcommands."""
    cov = subparsers.add_parser(
        "coverage",
        help="who is served: coverage per level, per county, four-level network checks",
        description="Coverage of demand (villages by default) by the venues, per level and "
        "county, with the four-level network checks and what is illustrative.",
    )
    _inputs(cov)
    cov.add_argument("--active-only", action="store_true", help="count only living venues: "
                     "those with an activity in the last 6 months (see `venuemap vitality`)")
    cov.set_defaults(func=run_coverage)
    gap = subparsers.add_parser(
        "gaps",
        help="who is not served: uncovered villages, deserts, townships without a centre",
        description="Uncovered demand ranked by population, H3 service deserts, townships "
        "without a centre and redundant venues.",
    )
    _inputs(gap)
    gap.set_defaults(func=run_gaps)
    _site_parser(subparsers)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--venues", metavar="F", help="existing venues file (default: store)")
    parser.add_argument("--demand", metavar="F", help="demand points with population "
                        "(default: the villages layer)")  # fmt: skip
    parser.add_argument("--standard", metavar="F",
                        help=f"service standards TOML (default {STANDARDS_PATH.name})")
    for level, name in (("county", "county centres"), ("township", "township centres"),
                        ("village", "village/community stations and other venues")):
        parser.add_argument(f"--{level}-km", metavar="KM", type=float,
                            help=f"service radius of existing {name}, km (default: standard)")
    parser.add_argument("--detour", metavar="K", type=float,
                        help="road distance = K x straight line (default 1.4; 1 = straight)")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument("--out", metavar="F", help="write a GeoJSON layer (RFC 7946) here")
    parser.add_argument("--store", metavar="PATH",
                        help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path")


def _inputs(parser: argparse.ArgumentParser) -> None:
    _common(parser)
    parser.add_argument("--radius-km", metavar="KM", type=float,
                        help="one service radius for every venue kind")  # fmt: skip
    parser.add_argument("--minutes", metavar="M", type=float,  # issue 10
                        help="one travel-time standard for every venue kind, minutes at --mode "
                        "speed (walk 4.5, drive 30 km/h) x detour, or road speeds with --roads")
    parser.add_argument("--mode", choices=("walk", "drive"), default="drive",
                        help="travel mode of --minutes (default drive)")
    parser.add_argument("--kind", metavar="K", nargs="+", action="extend",
                        help="only these venue kinds (codes or Chinese labels)")
    parser.add_argument("--roads", metavar="F", help="roads (LineStrings): network distance")
    parser.add_argument("--snap-m", metavar="M", type=float, default=DEFAULT_SNAP_M,
                        help="with --roads: road ends within M metres join (default "
                        f"{DEFAULT_SNAP_M:g}); points over {DEFAULT_CONNECT_M / 1000:g} km from "
                        "the largest road component are unreachable")  # fmt: skip


def _site_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "site",
        help="where to build next: MCLP, LSCP or p-median, solved exactly",
        description="Choose new sites among candidates (default: the active region's villages "
        "without a station and township seats without a centre) with the existing venues fixed, "
        "each covering by its own level's standard (the same baseline as `coverage`).",
    )
    parser.add_argument("--model", choices=MODELS + CAPACITATED_MODELS, default="mclp",
                        help="mclp: most people newly covered by N sites; lscp: fewest sites "
                        "covering all; pmedian: least mean distance; cmclp / cpmedian: the "
                        "same with venue capacities, people assigned (default mclp)")
    add_capacity_options(parser)  # issue 10: --new-capacity, --capacity-field
    parser.add_argument("--add", metavar="N", type=int, default=5,
                        help="number of new sites (mclp, pmedian; default 5)")
    parser.add_argument("--radius-km", metavar="KM", type=float,
                        help="service radius of the NEW sites, km (default: the standard's "
                        "village-station radius, 2 km); existing venues keep their own")
    parser.add_argument("--candidates", metavar="F", help="candidate sites file (column id)")
    parser.add_argument("--save", action="store_true",
                        help="save the chosen sites as planned venues in the store")
    _common(parser)
    parser.set_defaults(func=run_site)


# ---------------------------------------------------------------------------------------------
# run functions


def run_coverage(args: argparse.Namespace) -> int:
    """Print (or write) coverage per level and county, the checks and what is illustrative."""
    inputs, standard = _load(args)
    living = {}
    if args.active_only:  # issue 10: only venues with an activity in the last 6 months
        from venuemap.usecases.vitality import active_inputs, vitality_table

        vital = vitality_table(inputs)
        inputs = active_inputs(inputs, vital)
        living.update(active_only=True, activities_as_of=vital.as_of.isoformat(),
                      activities_illustrative=vital.illustrative)
    result = coverage(inputs, standard, kinds=_kinds(args.kind))
    payload = {**_coverage_payload(result, inputs), **living}
    _write_out(args, result.table)
    if args.json:
        _print_json(payload)
    else:
        _print_coverage(payload, standard)
    return 0


def _coverage_payload(result: CoverageResult, inputs: Inputs) -> dict:
    return {**result.totals, "by_county": _records(result.by_county),
            "network": result.network, "illustrative": list(result.illustrative),
            "as_of": result.as_of.to_json(), **_region_fields(inputs),
            "equity": coverage_equity(result.table)}  # fmt: skip


def _region_fields(inputs: Inputs) -> dict:
    """Return the JSON fields naming the region and where the demand comes from."""
    region = inputs.region
    return {"region": {"code": region.code, "name": region.name} if region else None,
            "demand_basis": inputs.demand_basis}  # fmt: skip


def run_gaps(args: argparse.Namespace) -> int:
    """Print (or write) uncovered demand, deserts, townships without centre, redundant venues."""
    inputs, standard = _load(args)
    result = gaps(inputs, standard, kinds=_kinds(args.kind))
    payload = {
        "uncovered": _records(_plain(result.uncovered, [
            "rank", "village_code", "name", "county_code", "township_code", "population",
            "nearest_distance_m"])),
        "deserts": _records(_plain(result.deserts, ["h3_cell", "uncovered_population",
                                                    "uncovered_points"])),
        "townships_without_centre": _records(_plain(result.townships_without_centre, [
            "township_code", "name", "county_code"])),
        "redundant_venues": _records(_plain(result.redundant, ["id", "name", "kind",
                                                               "covers_points"])),
        "illustrative": list(result.illustrative),
        **_region_fields(inputs),
    }  # fmt: skip
    if args.out:
        _write_gaps(args.out, result.uncovered, result.deserts, result.redundant)
    if args.json:
        _print_json(payload)
    else:
        _print_gaps(payload)
    return 0


def run_site(args: argparse.Namespace) -> int:
    """Solve the siting model from the coverage baseline and print the chosen candidates."""
    if args.model in CAPACITATED_MODELS:  # issue 10: capacitated models live in cli_access
        return run_site_capacitated(args)
    if args.save and args.venues:
        raise InputError("--save adds the sites to the store's register; it cannot be combined "
                         "with --venues F (run without --venues, or keep the result with --out)")
    inputs, standard = _load(args)
    candidates = read_layer_file(args.candidates, "candidates") if args.candidates else None
    _quiet_highs()
    outcome = site(inputs, standard, model=args.model, n_new=args.add,
                   new_radius_km=args.radius_km, candidates=candidates)  # fmt: skip
    if args.out:
        _write_geojson(outcome.proposal, args.out)
    saved = save_proposal(args.store, outcome.proposal) if args.save else None
    if args.json:
        _print_json({**outcome.to_json(), **({"saved": saved} if args.save else {})})
    else:
        _print_site(outcome)
        if saved is not None:
            print(f"已保存 {saved} 处规划阵地 / {saved} planned venue(s) saved to the store")
    return 0


# ---------------------------------------------------------------------------------------------
# inputs


def _load(args: argparse.Namespace) -> tuple[Inputs, Standards]:
    _refuse_store_as_out(args)
    inputs = load_inputs(args.store, venues=args.venues, demand=args.demand,
                         roads=getattr(args, "roads", None),
                         snap_m=getattr(args, "snap_m", DEFAULT_SNAP_M))  # fmt: skip
    if inputs.demo_venues:
        print(f"note: the store holds no venues: using the demo register of {inputs.region.name} "
              "(illustrative positions)", file=sys.stderr)  # fmt: skip
    return inputs, load_standards(args)


def load_standards(args: argparse.Namespace) -> Standards:
    """Return the one standard the flags describe (see the module docstring)."""
    uniform = getattr(args, "radius_km", None) if args.command != "site" else None
    standard = standard_from_options(
        getattr(args, "standard", None), radius_km=uniform,
        county_km=getattr(args, "county_km", None), township_km=getattr(args, "township_km", None),
        village_km=getattr(args, "village_km", None), detour=getattr(args, "detour", None),
    )  # fmt: skip
    if getattr(args, "minutes", None) is not None and args.command != "access":  # issue 10
        standard = with_minutes(standard, args.minutes, args.mode)
    return standard


def _refuse_store_as_out(args: argparse.Namespace) -> None:
    """Refuse ``--out`` naming the store itself (it would overwrite the register)."""
    from geo.store import refuse_store_as_output

    if getattr(args, "out", None):
        refuse_store_as_output(args.out, getattr(args, "store", None))


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


#: Types that JSON takes as they are (checked first: a 500,000-venue answer is mostly these).
_JSON_AS_IS = frozenset({str, int, bool, type(None)})


def _jsonable(value: object) -> object:
    if type(value) in _JSON_AS_IS:
        return value
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
    if type(value) in _JSON_AS_IS:
        return value
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


def _print_coverage(payload: dict, standards: Standards) -> None:
    share = payload["population_covered"] / payload["population"] if payload["population"] else 0
    detour = standards.detour
    print(f"覆盖 coverage: {payload['covered']}/{payload['demand']} demand points, "
          f"population {payload['population_covered']:.0f}/{payload['population']:.0f} "
          f"({share:.1%}); detour {detour:g}, levels {list(standards.headline_levels)} count")
    print(f"  region {payload['region']['name']} {payload['region']['code']}; demand: "
          f"{_BASIS_TEXT.get(payload['demand_basis'], payload['demand_basis'])}")
    for row in payload["by_county"]:
        print(f"  {row['county_code']}: {row['covered']}/{row['demand']} points, "
              f"{row['population_share_covered']:.1%} of population")
    for key, value in payload["network"].items():
        print(f"  {key}: {value}")
    print(f"数据截至 as of: {payload['as_of'] or 'not recorded'}")
    if payload["illustrative"]:
        print(f"示意数据 illustrative: {', '.join(payload['illustrative'])}")


def _print_gaps(payload: dict) -> None:
    print(f"未覆盖 uncovered demand points: {len(payload['uncovered'])}")
    for row in payload["uncovered"][:10]:
        print(f"  {row.get('rank')}. {row.get('name', '')} {row.get('village_code', '')} "
              f"population {row.get('population')}, nearest {row.get('nearest_distance_m')} m")
    print(f"service deserts (H3 cells): {len(payload['deserts'])}")
    print(f"townships without a centre: {len(payload['townships_without_centre'])}")
    print(f"redundant venues: {len(payload['redundant_venues'])}")


def _print_site(outcome: SiteOutcome) -> None:
    result = outcome.result
    if result.note:  # nothing to decide (no candidate left): one line
        print(f"{result.model}: {result.note}")
        return
    objective = "none" if result.objective is None or not math.isfinite(result.objective) else (
        f"{result.objective:.4g}")  # fmt: skip
    print(f"{result.model}: {len(result.selected)} new site(s), radius {outcome.new_radius_km:g} "
          f"km, optimal={result.optimal}, objective {objective}")
    print(f"  covered population {result.covered_population:.0f} "
          f"(baseline {outcome.baseline['population_covered']:.0f}, as `coverage`; no "
          f"candidate reaches {result.uncoverable_population:.0f} more)")
    for ident in result.selected:
        print(f"  + {ident}  (only it adds {result.added_population[ident]:,.0f} people)")
