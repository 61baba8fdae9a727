"""``venuemap access``: capacity-aware access (2SFCA, E2SFCA, gravity) and its equity.

Parses and prints only; the work is `venuemap.usecases.access.access`.
"""

from __future__ import annotations

import argparse
import json

from venuemap.usecases.access import (
    CAPACITATED_MODELS,
    METHODS,
    SPEED_KMH,
    access,
    access_layer,
    site_with_capacity,
)

__all__ = ["CAPACITATED_MODELS", "add_capacity_options", "register", "run_site_capacitated"]

DESCRIPTION = """\
Access of every demand point (village) to venue capacity, weighing supply against demand:
2sfca (two-step floating catchment), e2sfca (with distance decay) or gravity (decay, no
catchment limit). access = capacity (people) per resident within reach; access_index = access
/ its population-weighted mean (1 = prefecture average). Capacity comes from the venue column
--capacity-field (default capacity), else floor_area_m2 (30 m2 per 100 households, 3 people
per household), else a documented default per kind (labelled capacity_source=default).
Catchment: --radius-km, --minutes at the --mode speed, else each kind's service standard.
Equity (Gini, Palma, concentration index, per county) of access is printed too."""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``access`` subcommand."""
    parser = subparsers.add_parser(
        "access",
        help="capacity-aware access per village (2SFCA, E2SFCA, gravity) and its equity",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--method", choices=METHODS, default="2sfca",
                        help="floating-catchment measure (default 2sfca)")  # fmt: skip
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--radius-km", metavar="KM", type=float,
                       help="one catchment for every venue, km of effective distance")
    limit.add_argument("--minutes", metavar="M", type=float,
                       help="one catchment for every venue, minutes of travel at --mode speed")
    parser.add_argument("--mode", choices=sorted(SPEED_KMH), default="drive",
                        help="speed for --minutes: " + ", ".join(
                            f"{k} {v:g} km/h" for k, v in SPEED_KMH.items()))  # fmt: skip
    parser.add_argument("--decay", choices=("gaussian", "exponential", "power"),
                        help="distance decay (e2sfca default gaussian, gravity default power)")
    parser.add_argument("--capacity-field", metavar="NAME", default="capacity",
                        help="venue column holding people served (default capacity)")
    parser.add_argument("--venues", metavar="F", help="venues file (default: store)")
    parser.add_argument("--demand", metavar="F",
                        help="demand points with population (default: the villages layer)")
    parser.add_argument("--detour", metavar="K", type=float,
                        help="road distance = K x straight line (default 1.4; 1 = straight)")
    parser.add_argument("--standard", metavar="F", help="service standards TOML")
    parser.add_argument("--json", action="store_true", help="print JSON on stdout")
    parser.add_argument("--out", metavar="F", help="write the access layer (GeoJSON) here")
    parser.add_argument("--store", metavar="PATH", help="the user's store (.gpkg)")
    parser.set_defaults(func=run_access, roads=None)


def run_access(args: argparse.Namespace) -> int:
    """Compute access, print it (text or JSON) and write ``--out``."""
    from venuemap.cli_analysis import _load, _write_geojson

    inputs, standard = _load(argparse.Namespace(**{**vars(args), "radius_km": None,
                                                   "minutes": None, "command": "access"}))
    outcome = access(inputs.venues, inputs.demand, standard, method=args.method,
                     radius_km=args.radius_km,
                     minutes=args.minutes, mode=args.mode, decay=args.decay,
                     detour=args.detour, capacity_field=args.capacity_field)  # fmt: skip
    if args.out:
        _write_geojson(access_layer(outcome), args.out)
    payload = outcome.to_json()
    if args.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        _print(payload)
    return 0


def _print(payload: dict) -> None:
    equity = payload["equity"]
    rows = sorted(payload["demand"], key=lambda r: r["access"] or 0.0)
    zero = sum(1 for r in rows if not r["access"])
    print(f"可达性 access ({payload['method']}, decay {payload['decay']}, catchment "
          f"{payload['catchment']}): {len(rows)} demand points, {zero} with access 0")
    print(f"  equity: Gini {_fmt(equity['gini'])}, Palma {_fmt(equity['palma'])}, "
          f"concentration index {_fmt(equity['concentration_index'])} "
          f"(ranked by {equity['ranked_by']})")
    for county, figures in equity["by_county"].items():
        print(f"  {county}: Gini {_fmt(figures['gini'])}, Palma {_fmt(figures['palma'])}")
    for row in rows[:10]:
        print(f"  lowest: {row['id']} {row['name'] or ''} access {_fmt(row['access'])}")
    labels = payload["labels"]
    if labels["capacity_default_venues"]:
        print(f"  note: {labels['capacity_default_venues']} venue(s) use the default capacity "
              "of their kind (illustrative)")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def add_capacity_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--new-capacity`` and ``--capacity-field`` to ``site`` (capacitated models)."""
    parser.add_argument("--new-capacity", metavar="N", type=float,
                        help="cmclp/cpmedian: people each new site can serve (default: the "
                        "default of its kind, analysis/capacity.py)")
    parser.add_argument("--capacity-field", metavar="NAME", default="capacity",
                        help="cmclp/cpmedian: venue column holding people served")
    parser.add_argument("--whole-villages", action="store_true",
                        help="cmclp/cpmedian: assign whole villages only (no splitting)")


def run_site_capacitated(args: argparse.Namespace) -> int:
    """``site --model cmclp|cpmedian``: capacitated siting, people assigned within capacity."""
    from venuemap import cli_analysis as base
    from venuemap.usecases import candidates_for, read_layer_file, same_crs

    inputs, standard = base._load(args)
    candidates = (same_crs(read_layer_file(args.candidates, "candidates"), inputs.demand)
                  if args.candidates else candidates_for(inputs))  # fmt: skip
    base._quiet_highs()
    result, proposal = site_with_capacity(
        inputs.venues, inputs.demand, candidates, standard, model=args.model, n_new=args.add,
        radius_km=args.radius_km,
        detour=args.detour, new_capacity=args.new_capacity, capacity_field=args.capacity_field,
        whole=args.whole_villages,
    )  # fmt: skip
    if args.out:
        base._write_geojson(proposal, args.out)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    print(f"{result.model}: {len(result.selected)} new site(s), optimal={result.optimal}, "
          f"objective {result.objective:.4g}")
    print(f"  people assigned within capacity {result.covered_population:.0f} of "
          f"{result.population:.0f}")
    for ident in result.selected:
        print(f"  + {ident}")
    return 0
