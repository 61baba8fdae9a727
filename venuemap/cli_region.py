"""``venuemap region list | use | show``: which region a store plans for.

A store remembers its region (``region use``); ``$VENUEMAP_REGION`` overrides it for one run.
Every other command reads the active region through :mod:`venuemap.usecases.region`.
"""

from __future__ import annotations

import argparse
import json

from venuemap.usecases import region as usecase


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``region`` subcommand with ``list``, ``use`` and ``show``."""
    parser = subparsers.add_parser(
        "region",
        help="list the regions (every prefecture of China) and choose the store's region",
        description="Regions are data (data/regions): list them, or make a store plan for one. "
        "VENUEMAP_REGION=CODE overrides the store's region for one run.",
    )
    actions = parser.add_subparsers(dest="region_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="code, name, level and layers of every region")
    listing.add_argument("--json", action="store_true", help="print JSON on stdout")
    listing.add_argument("--store", metavar="PATH", help="mark this store's active region")
    listing.set_defaults(func=run_list)
    use = actions.add_parser("use", help="make the store plan for region CODE")
    use.add_argument("code", metavar="CODE", help="6-digit code (632200) or name (海北藏族自治州)")
    use.add_argument("--store", metavar="PATH",
                     help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path")
    use.set_defaults(func=run_use)
    show = actions.add_parser("show", help="the active region and what its pack holds")
    show.add_argument("--json", action="store_true", help="print JSON on stdout")
    show.add_argument("--store", metavar="PATH", help="the user's store (.gpkg)")
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace) -> int:
    """Print every region (one line each, or JSON)."""
    rows = usecase.region_rows(usecase.active_region(args.store))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    for row in rows:
        mark = "*" if row["active"] else " "
        print(f"{mark} {row['code']}  {row['name']}（{row['province']}）  {row['level']}  "
              f"{row['metric_crs']}  layers: {', '.join(row['layers'])}")  # fmt: skip
    return 0


def run_use(args: argparse.Namespace) -> int:
    """Make the store remember the region; print one line."""
    region = usecase.use_region(args.code, args.store)
    layers = ", ".join(region.layers)
    print(f"区划 region: {region.name} {region.code} ({region.province}); layers: {layers}; "
          f"metric CRS {region.metric_crs}")
    if not region.has_layer("villages"):
        print("  no village points: import yours with `venuemap import FILE --layer villages`; "
              "until then demand is an illustrative H3 grid (county population spread by area)")
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print the active region."""
    region = usecase.active_region(args.store)
    row = next(r for r in usecase.region_rows(region) if r["active"])
    if args.json:
        print(json.dumps({**row, "bounds": list(region.bounds)}, ensure_ascii=False))
    else:
        print(f"{region.name} {region.code} ({region.province}); layers: "
              f"{', '.join(region.layers)}; metric CRS {region.metric_crs}")
    return 0
