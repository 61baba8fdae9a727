"""The ``venuemap`` command: import, validate, export, coverage, gaps and site.

Each topic module registers its own subcommands; this module only builds the parser and turns
every user-facing error into one line on stderr with exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from geo.errors import InfeasibleError, VenuemapError
from venuemap import __version__, cli_analysis, cli_export, cli_import

DEBUG_ENV = "VENUEMAP_DEBUG"
EPILOG = """\
exit codes: 0 success · 1 some rows rejected, nothing written; or no solution exists
  (infeasible siting model) · 2 unusable input
store: --store PATH, else $VENUEMAP_STORE, else ~/.local/share/venuemap/store.gpkg
examples:
  venuemap validate stations.csv --crs gcj02
  venuemap import stations.csv --crs gcj02 --json
  venuemap export --layer venues --county 632322 --format geojson --out jianzha.geojson
  venuemap coverage --json
  venuemap site --model mclp --add 5 --radius-km 5 --json   # new sites 5 km; existing keep theirs
  venuemap site --add 5 --save                               # save them as planned venues
  venuemap import stations.csv --skip-invalid                # write the accepted rows only
"""


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="venuemap",
        description="Map public service venues: import, validate, export, coverage, gaps, siting.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"venuemap {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (cli_import, cli_export, cli_analysis):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (also used by the console script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except InfeasibleError as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return 1
    except VenuemapError as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"venuemap {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except (OSError, ValueError) as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - the last guard: a user never sees a traceback
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"venuemap {args.command}: unexpected error ({type(error).__name__}: {error}); "
            f"nothing was written. Set {DEBUG_ENV}=1 for details and please report it.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
