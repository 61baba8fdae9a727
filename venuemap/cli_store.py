"""``venuemap history|edit|undo|backup|restore``: the register's record, versions and backups.

Exit codes: 0 done · 2 unusable input (one stderr line) · 3 conflict (someone changed the
venue first; nothing written) · 75 the store stayed busy (EX_TEMPFAIL; try again).
Who acts: ``--user NAME``, else ``$VENUEMAP_USER``, else the operating-system user.
"""

from __future__ import annotations

import argparse
import json

from geo.store import current_actor, open_store
from venuemap.usecases import edits

STORE_HELP = "store file or postgresql:// URL (default: $VENUEMAP_DATABASE_URL, $VENUEMAP_STORE)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``history``, ``edit``, ``undo``, ``backup`` and ``restore`` subcommands."""
    hist = _add(subparsers, "history", "list the recorded changes, newest first")
    hist.add_argument("--venue", metavar="ID", help="only changes of this venue")
    hist.add_argument("--json", action="store_true", help="print a JSON list (with before/after)")
    hist.set_defaults(func=run_history)
    edit = _add(subparsers, "edit", "change fields of one venue (checked as on import)")
    edit.add_argument("venue", metavar="ID")
    fields = ", ".join(edits.EDITABLE_FIELDS)
    edit.add_argument("--set", dest="assignments", metavar="FIELD=VALUE", action="append",
                      required=True, help=f"repeatable; FIELD: {fields}")  # fmt: skip
    edit.add_argument("--expect-version", type=int, metavar="N",
                      help="refuse (exit 3) unless the venue is still at version N")  # fmt: skip
    edit.set_defaults(func=run_edit)
    undo = _add(subparsers, "undo", "revert one change (recorded as a change itself)")
    undo.add_argument("change", metavar="CHANGE_ID", type=int)
    undo.set_defaults(func=run_undo)
    backup = _add(subparsers, "backup", "write a backup of the store now")
    backup.add_argument("--out", metavar="FILE", help="backup file (default: dated, rotated)")
    backup.set_defaults(func=run_backup)
    restore = _add(subparsers, "restore", "replace the store's content with a backup file")
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(func=run_restore)


def _add(subparsers: argparse._SubParsersAction, name: str, text: str) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
    parser.add_argument("--store", metavar="PATH", help=STORE_HELP)
    parser.add_argument("--user", metavar="NAME", help="who acts (default $VENUEMAP_USER, OS user)")
    return parser


def run_history(args: argparse.Namespace) -> int:
    """Print the changes (one line each, or JSON)."""
    changes = edits.history(open_store(args.store), args.venue)
    if args.json:
        print(json.dumps([c.to_json_dict() for c in changes], ensure_ascii=False))
        return 0
    for row in edits.history_rows(changes):
        undoes = f" (undoes {row['undoes']})" if row["undoes"] else ""
        print(f"{row['id']:>5}  {row['when']}  {row['who']}  {row['kind']}{undoes}  "
              f"{row['venues']} venue(s): {row['venue_ids']}")  # fmt: skip
    if not changes:
        print("没有记录 / no changes recorded")
    return 0


def run_edit(args: argparse.Namespace) -> int:
    """Edit one venue; exit 3 on a stale ``--expect-version``."""
    from geo.register import load_reference

    store = open_store(args.store)
    names = ("prefecture", "counties", "townships", "villages")
    reference = {name: load_reference(name, args.store) for name in names}
    change = edits.edit(
        store,
        args.venue,
        edits.parse_assignments(args.assignments),
        who=current_actor(args.user),
        expect_version=args.expect_version,
        reference=reference,
    )
    if change is None:
        print(f"{args.venue}: 没有变化 / nothing changed")
    else:
        version = change.after[args.venue]["version"]
        print(f"{args.venue}: 已保存为第 {version} 版 / saved as version {version} "
              f"(change {change.id})")  # fmt: skip
    return 0


def run_undo(args: argparse.Namespace) -> int:
    """Undo one change."""
    change = edits.undo(open_store(args.store), args.change, who=current_actor(args.user))
    print(f"已撤销变更 {args.change} / change {args.change} undone (as change {change.id}, "
          f"{len(change.venue_ids)} venue(s))")  # fmt: skip
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """Write a backup and print its path."""
    path = open_store(args.store).backup(args.out)
    print(f"已备份 / backup written: {path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore a backup (the current state is backed up first)."""
    open_store(args.store).restore(args.file, who=current_actor(args.user))
    print(f"已恢复 / restored from {args.file}")
    return 0
