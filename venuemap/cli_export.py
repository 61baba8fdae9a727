"""``venuemap export``: write any layer, filtered, as GeoJSON, GeoPackage or CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.export import FORMATS, write_layer
from venuemap.usecases import EXPORT_LAYERS, default_standard, export_layer


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


def run_export(args: argparse.Namespace) -> int:
    """Write the filtered layer and say how many features went where."""
    gdf = export_layer(
        args.layer,
        args.store,
        default_standard(),
        county=args.county,
        township=args.township,
        kind=args.kind,
        organization=args.organization,
        status=args.status,
    )
    path = write_layer(gdf, Path(args.out), args.format, layer=args.layer)
    print(f"wrote {len(gdf)} {args.layer} features to {path}")
    return 0
