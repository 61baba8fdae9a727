"""``venuemap vitality``: which venues held activities lately (有阵地无活动).

Lists every venue with its activity count, participants, last activity date and the
organizations active there in the last ``--months`` months up to ``--as-of``; a venue that held
nothing in that window is ``hollow``. Activities come from the store (``venuemap import --layer
activities FILE``); with the bundled demo register, its illustrative activities stand in and
are labelled so. Exit codes: 0 · 2 unusable input (one stderr line).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from geo.errors import InputError
from venuemap.usecases import load_inputs
from venuemap.usecases.vitality import VitalityResult, vitality_table


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``vitality`` subcommand."""
    cmd = subparsers.add_parser(
        "vitality",
        help="which venues held activities lately; hollow venues (有阵地无活动)",
        description="Every venue with its activities, participants, last activity and "
        "organizations in the window (as-of minus MONTHS, as-of]; hollow = nothing held. "
        "Activities: `venuemap import --layer activities FILE`.",
    )
    cmd.add_argument("--months", metavar="N", type=int, default=6,
                     help="window length in months (default 6)")  # fmt: skip
    cmd.add_argument("--as-of", metavar="DATE", help="last day of the window, YYYY-MM-DD "
                     "(default today)")  # fmt: skip
    cmd.add_argument("--venues", metavar="F", help="venues file (default: store)")
    cmd.add_argument(
        "--store",
        metavar="PATH",
        help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path",
    )
    cmd.add_argument("--json", action="store_true", help="print one JSON object")
    cmd.set_defaults(func=run_vitality)


def parse_as_of(text: str | None) -> dt.date | None:
    """Return the ``--as-of`` date (None for today); refuse anything but YYYY-MM-DD."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not a date: write it as YYYY-MM-DD, e.g. "
                         "2025-06-30") from None  # fmt: skip


def check_months(months: int) -> int:
    """Return ``months`` when it is at least 1; else refuse it (one line)."""
    if months < 1:
        raise InputError(f"--months {months}: give a whole number of months >= 1, e.g. 6")
    return months


def run_vitality(args: argparse.Namespace) -> int:
    """Print every venue's vitality (table or ``--json``)."""
    months, as_of = check_months(args.months), parse_as_of(args.as_of)
    inputs = load_inputs(args.store, venues=args.venues)
    result = vitality_table(inputs, months=months, as_of=as_of)
    if args.json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        _print(result)
    return 0


def _show(text: object) -> str:
    """Return user text safe for a terminal (control characters escaped)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(text))


def _print(result: VitalityResult) -> None:
    table = result.table
    start = f"{result.months} 个月至 {result.as_of} / {result.months} months to {result.as_of}"
    print(f"阵地效能 vitality ({start}): {int(table['hollow'].sum())}/{len(table)} 个阵地无活动 "
          "venues hollow (held nothing)")  # fmt: skip
    if result.illustrative:
        print(
            "注意：活动数据为示意 / note: the activities are ILLUSTRATIVE (demo data)",
            file=sys.stderr,
        )
    for row in table.itertuples(index=False):
        flag = "无活动 HOLLOW" if row.hollow else f"{row.activities} 次 activities"
        orgs = ";".join(row.organizations) or "-"
        last = row.last_activity if isinstance(row.last_activity, str) else "-"
        print(
            f"  {_show(row.id)} {_show(row.name)}: {flag}, {row.participants} 人次 "
            f"participants, last {last}, orgs {_show(orgs)}"
        )
