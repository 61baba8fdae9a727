"""The ``venuemap`` command: import, validate, export, coverage, gaps and site.

Each topic module registers its own subcommands; this module only builds the parser and turns
every user-facing error into one line on stderr with exit code 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from geo.errors import InfeasibleError, PermissionDenied, VenuemapError
from venuemap import (
    __version__,
    cli_access,
    cli_analysis,
    cli_export,
    cli_import,
    cli_region,
    cli_store,
    cli_survey,
    cli_users,
    cli_vitality,
)

DEBUG_ENV = "VENUEMAP_DEBUG"
#: Exit code of a command the user's role does not allow (nothing was changed).
EXIT_NOT_ALLOWED = 4
EPILOG = """\
exit codes: 0 success · 1 some rows rejected (nothing written), or no solution exists
  (infeasible siting model) · 2 unusable input · 3 conflict (stale version; nothing written)
  · 4 not allowed (the user's role; see `venuemap user --help`) · 75 store busy, try again
store: --database URL or $VENUEMAP_DATABASE_URL (PostGIS), else --store PATH,
       else $VENUEMAP_STORE, else ~/.local/share/venuemap/store.gpkg
region: $VENUEMAP_REGION, else the store's (venuemap region use CODE), else the default
examples:
  venuemap region use 632200
  venuemap validate stations.csv --crs gcj02
  venuemap import stations.csv --crs gcj02 --json
  venuemap export --layer venues --county 632322 --format geojson --out jianzha.geojson
  venuemap coverage --json
  venuemap site --model mclp --add 5 --radius-km 5 --json   # new sites 5 km; existing keep theirs
  venuemap site --add 5 --save                               # save them as planned venues
  venuemap import stations.csv --skip-invalid                # write the accepted rows only
  venuemap history --venue HN-V-1 ; venuemap undo 12 ; venuemap edit HN-V-1 --set status=closed
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
    parser.add_argument("--database", metavar="URL", help="use this PostgreSQL/PostGIS server "
                        "(postgresql://...) as the store; default $VENUEMAP_DATABASE_URL")
    parser.add_argument("--user", metavar="NAME", dest="global_user",
                        help="who acts, recorded in the history (default $VENUEMAP_USER, OS user)")
    for module in (cli_import, cli_export, cli_analysis, cli_access, cli_store, cli_users,
                   cli_region, cli_survey, cli_vitality):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (also used by the console script)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    saved = {name: os.environ.get(name) for name in GLOBAL_ENV.values()}
    try:
        apply_global_options(args)
        return int(args.func(args))
    except InfeasibleError as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return 1
    except PermissionDenied as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return EXIT_NOT_ALLOWED
    except VenuemapError as error:
        print(f"venuemap {args.command}: {error}", file=sys.stderr)
        return int(getattr(error, "exit_code", 2))
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
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None) if value is None else os.environ.update({name: value})


GLOBAL_ENV = {"database": "VENUEMAP_DATABASE_URL", "global_user": "VENUEMAP_USER"}


def apply_global_options(args: argparse.Namespace) -> None:
    """Put ``--database`` and ``--user`` where every store and command reads them (env)."""
    from geo.store import is_database_url

    if args.database is not None and not is_database_url(args.database.strip()):
        raise VenuemapError(
            f"--database {args.database!r}: expected a postgresql://user:password@host/db URL"
        )
    for option, name in GLOBAL_ENV.items():
        if getattr(args, option):
            os.environ[name] = getattr(args, option).strip()


if __name__ == "__main__":
    sys.exit(main())
