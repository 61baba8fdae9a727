"""``venuemap export``: write any layer, filtered, as GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd

from geo.export import FORMATS, filter_layer, write_layer
from geo.register import load_reference, load_venues

#: Layers `export` can write, with what each holds.
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
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` subcommand."""
    layers = "; ".join(f"{name}: {text}" for name, text in EXPORT_LAYERS.items())
    parser = subparsers.add_parser(
        "export",
        help="write a layer as GeoJSON (RFC 7946), GeoPackage or CSV",
        description=f"Write one layer, filtered. Layers — {layers}.",
    )
    parser.add_argument(
        "--layer", required=True, choices=sorted(EXPORT_LAYERS), help="layer to write"
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="output format (default: from --out's suffix)"
    )
    parser.add_argument("--county", help="county code (e.g. 632322) or name")
    parser.add_argument("--township", help="township code (9 digits, e.g. 632322202)")
    parser.add_argument(
        "--kind", help="venue kind: code or Chinese label (e.g. village_station, 村群团服务站)"
    )
    parser.add_argument("--organization", help="organization code or label (e.g. women, 妇联)")
    parser.add_argument("--status", help="in_service, planned or closed (or 在用/规划/停用)")
    parser.add_argument(
        "--store", help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path"
    )
    parser.add_argument("--out", required=True, help="output file")
    parser.set_defaults(func=run_export)


def load_export_layer(name: str, store: str | None) -> gpd.GeoDataFrame:
    """Return layer ``name`` as the user sees it: their store's version where there is one."""
    if name == "venues":
        return load_venues(store)
    if name in ("coverage", "gaps"):
        return coverage_result_layer(name, store)
    return load_reference(name, store)


def coverage_result_layer(name: str, store: str | None) -> gpd.GeoDataFrame:
    """Return the coverage of the villages (or its ranked gaps) at the default standards."""
    from analysis import assess_coverage, uncovered_demand
    from venuemap.cli_analysis import load_standards

    standards = load_standards(argparse.Namespace(standard=None, radius_km=None))
    result = assess_coverage(load_reference("villages", store), load_venues(store), standards)
    layer = result if name == "coverage" else uncovered_demand(result)
    distances = [column for column in layer.columns if column.endswith("_distance_m")]
    layer[distances] = layer[distances].round(1)  # metres: decimetres are plenty
    if "population" in layer.columns:
        layer["population"] = layer["population"].round().astype("Int64")
    return layer


def run_export(args: argparse.Namespace) -> int:
    """Write the filtered layer and say how many features went where."""
    from geo.store import refuse_store_as_output

    refuse_store_as_output(args.out, args.store)
    gdf = filter_layer(
        load_export_layer(args.layer, args.store),
        county=args.county,
        township=args.township,
        kind=args.kind,
        organization=args.organization,
        status=args.status,
    )
    path = write_layer(gdf, Path(args.out), args.format, layer=args.layer)
    print(f"wrote {len(gdf)} {args.layer} features to {path}")
    return 0
