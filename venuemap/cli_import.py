"""``venuemap import`` and ``venuemap validate``: check a planner's file, then store its venues.

The import policy is the use-case layer's (`venuemap.usecases.write_import`), the same as the
dashboard's Data page: by default all or nothing — with any rejected row nothing is written and
the exit code is 1, so the planner fixes the file and imports it again without creating
half-imported duplicates. With ``--skip-invalid`` (like ogr2ogr's ``-skipfailures``) the
accepted rows are written, the rejected ones skipped and counted, and the exit code is 0.
``validate`` (= ``import --dry-run``) checks one or more files and never writes.

Exit codes: 0 written (or all rows accepted) · 1 some rows rejected, nothing written ·
2 unusable input (one stderr line).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from geo.crs import CRS_OPTION_HELP
from geo.errors import VenuemapError
from venuemap.cli_users import USER_HELP, guard_cli_store
from venuemap.usecases import (
    IMPORTABLE_LAYERS,
    ImportOutcome,
    ImportReport,
    Issue,
    check_import,
    write_import,
)

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import`` and ``validate`` subcommands."""
    imp = subparsers.add_parser(
        "import",
        help="import venues from CSV/xlsx/GeoJSON/GeoPackage/zipped Shapefile/KML",
        description="Check FILE row by row and add its venues to the store (all or nothing).",
    )
    imp.add_argument("file", metavar="FILE")
    _common_options(imp)
    imp.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="write the accepted rows and skip the rejected ones (default: all or nothing)",
    )
    imp.set_defaults(func=run_import)
    val = subparsers.add_parser(
        "validate",
        help="check files as import would, without writing (= import --dry-run)",
        description="Check each FILE as `venuemap import` would; never writes.",
    )
    val.add_argument("files", metavar="FILE", nargs="+")
    _common_options(val)
    val.set_defaults(func=run_validate)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--crs", default="auto", help=f"coordinates of the file: {CRS_OPTION_HELP}")
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="store file (default: $VENUEMAP_STORE, else ~/.local/share/venuemap/store.gpkg)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--user", metavar="NAME", help=USER_HELP)
    parser.add_argument(
        "--layer",
        choices=IMPORTABLE_LAYERS,
        default="venues",
        help="what the file holds: venues (default), or your official townships (polygons) "
        "or villages (population and/or points), which replace the bundled ones; or "
        "activities (阵地/venue, 日期/date, 活动名称/title, 组织/organizations, "
        "参与人数/participants), added to the stored ones",
    )


def open_user_store(path: str | None) -> Any:
    """Open the user's store (the lead's :func:`geo.store.open_store`); a seam for tests."""
    from geo.store import open_store

    return open_store(path)


def check_file(path: str, args: argparse.Namespace, store: Any) -> ImportReport:
    """Run the importer on one file against the store's venues and reference layers."""
    return check_import(path, store, layer=getattr(args, "layer", "venues"), crs=args.crs)


def exit_code(report: ImportReport) -> int:
    """Return 0 when every row was accepted, else 1."""
    return EXIT_OK if report.rejected == 0 else EXIT_REJECTED


def run_import(args: argparse.Namespace) -> int:
    """Import one file under the import policy (all or nothing, or ``--skip-invalid``).

    Once the store has users, the write (not the check) needs the planner role (exit 4).
    """
    store = guard_cli_store(open_user_store(args.store), args)
    report = check_file(args.file, args, store)
    if args.dry_run:
        outcome = ImportOutcome(report, 0, 0, "dry_run")
    else:
        outcome = write_import(report, store, skip_invalid=args.skip_invalid)
    if args.json:
        payload = {**report.to_json_dict(), "written": outcome.written,
                   "skipped": outcome.skipped}  # fmt: skip
        print(json.dumps(payload, ensure_ascii=False))
    else:
        print(render_report(report))
        print(_outcome(outcome, args, store))
    return EXIT_OK if outcome.written or exit_code(report) == EXIT_OK else EXIT_REJECTED


def run_validate(args: argparse.Namespace) -> int:
    """Check each file; print a JSON object (one file) or a JSON list (several)."""
    store = open_user_store(args.store)
    codes, results = [], []
    for path in args.files:
        try:
            report = check_file(path, args, store)
        except VenuemapError as error:
            print(f"venuemap validate: {error}", file=sys.stderr)
            codes.append(EXIT_UNUSABLE)
            continue
        codes.append(exit_code(report))
        results.append(report.to_json_dict() if args.json else render_report(report))
    if args.json and results:
        shown = results[0] if len(args.files) == 1 else results
        print(json.dumps(shown, ensure_ascii=False))
    elif results:
        print("\n\n".join(results))
    return max(codes)


# --------------------------------------------------------------------------- text report
def _show(text: object) -> str:
    """Return user text safe for a terminal: control characters shown escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in str(text))


def _issue_line(issue: Issue) -> str:
    where = f"第 {issue.row} 行 row {issue.row}" if issue.row else "整个文件 whole file"
    value = f" “{_show(issue.value)}”" if issue.value else ""
    return f"  {where} [{_show(issue.column)}]{value}: {_show(issue.message)}"


def render_report(report: ImportReport) -> str:
    """Return the readable report: counts, what was read how, then errors and warnings."""
    lines = [
        f"{_show(report.path)}: 共 {report.rows} 行，接受 {len(report.accepted)}，"
        f"拒绝 {report.rejected} / {report.rows} rows, {len(report.accepted)} accepted, "
        f"{report.rejected} rejected",
    ]
    lines += [f"  ({_show(note)})" for note in report.notes]
    if report.errors:
        lines.append("错误 Errors:")
        lines += [_issue_line(issue) for issue in report.errors]
    if report.warnings:
        lines.append("提示 Warnings:")
        lines += [_issue_line(issue) for issue in report.warnings]
    return "\n".join(lines)


def _outcome(outcome: ImportOutcome, args: argparse.Namespace, store: Any) -> str:
    report = outcome.report
    if outcome.written:
        from geo.store import display_location

        where = display_location(getattr(store, "path", args.store))
        count, layer = outcome.written, report.layer
        text = f"已写入 {count} 行（{layer}）/ {count} {layer} rows written to {where}"
        if outcome.skipped:
            text += (f"；跳过 {outcome.skipped} 行被拒绝的行 / {outcome.skipped} rejected rows "
                     "skipped (--skip-invalid)")  # fmt: skip
        return text
    if outcome.reason == "dry_run":
        return "试运行，未写入 / dry run: nothing written"
    if outcome.reason == "rejected":
        return ("有被拒绝的行，未写入任何数据；请修正后重新导入，"
                "或用 --skip-invalid 只写入被接受的行 / nothing written: fix the rejected "
                "rows and import again, or pass --skip-invalid to write only the "
                "accepted rows")  # fmt: skip
    return "没有可写入的阵地 / no venues to write"
