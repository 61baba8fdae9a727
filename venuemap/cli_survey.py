"""``venuemap survey``: survey links and sheets, the survey server, and the planner's review."""

from __future__ import annotations

import argparse
import getpass
import json
import os
from pathlib import Path

SURVEY_URL_ENV = "VENUEMAP_SURVEY_URL"
DEFAULT_PORT = 8502


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``survey`` and its actions: links, sheet, serve, pending, review, revoke."""
    parser = subparsers.add_parser(
        "survey",
        help="put venues where they really are: survey links, QR sheet, server, review",
        description="Each venue gets a link (a QR code on the printed sheet) to a phone page "
        "where its staff submit the venue's real position; planners approve or reject.",
    )
    actions = parser.add_subparsers(dest="survey_action", metavar="ACTION", required=True)
    links = actions.add_parser("links", help="issue a new link per venue (revokes older ones)")
    _link_options(links)
    links.add_argument("--json", action="store_true", help='print [{"id","name","url"}, …]')
    links.set_defaults(func=run_links)
    sheet = actions.add_parser("sheet", help="issue links and write a printable QR sheet")
    _link_options(sheet)
    sheet.add_argument("--out", required=True, metavar="FILE.html", help="the sheet to write")
    sheet.set_defaults(func=run_sheet)
    _serve_parser(actions)
    _review_parsers(actions)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH",
                        help="the user's store (.gpkg); default $VENUEMAP_STORE or the user path")


def _link_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--county", help="only this county (code or name)")
    parser.add_argument("--kind", help="only this venue kind (code or Chinese label)")
    parser.add_argument("--base-url", default=os.environ.get(SURVEY_URL_ENV),
                        help=f"the survey server's address as phones reach it "
                        f"(default ${SURVEY_URL_ENV}, else http://localhost:{DEFAULT_PORT})")
    parser.add_argument("--days", type=int, default=90, help="days a link works (default 90)")
    _common(parser)


def _serve_parser(actions: argparse._SubParsersAction) -> None:
    serve = actions.add_parser("serve", help="run the survey web page server")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (0.0.0.0 for the intranet; default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default 8502)")
    serve.add_argument("--certfile", help="TLS certificate (PEM): serve over HTTPS")
    serve.add_argument("--keyfile", help="TLS private key (PEM) of --certfile")
    _common(serve)
    serve.set_defaults(func=run_serve)


def _review_parsers(actions: argparse._SubParsersAction) -> None:
    pending = actions.add_parser("pending", help="list surveys waiting for review")
    pending.add_argument("--json", action="store_true", help="print JSON on stdout")
    _common(pending)
    pending.set_defaults(func=run_pending)
    review = actions.add_parser("review", help="approve or reject pending surveys")
    review.add_argument("--approve", nargs="+", type=int, default=[], metavar="ID")
    review.add_argument("--reject", nargs="+", type=int, default=[], metavar="ID")
    review.add_argument("--user", help="who reviews (default $VENUEMAP_USER, else the OS user)")
    review.add_argument("--json", action="store_true", help="print JSON on stdout")
    _common(review)
    review.set_defaults(func=run_review)
    revoke = actions.add_parser("revoke", help="revoke survey links")
    group = revoke.add_mutually_exclusive_group(required=True)
    group.add_argument("--venue", nargs="+", metavar="ID", help="these venues' links")
    group.add_argument("--all", action="store_true", help="every live link")
    _common(revoke)
    revoke.set_defaults(func=run_revoke)


def _issue(args: argparse.Namespace) -> list:
    from venuemap.usecases.survey import issue_links

    base = args.base_url or f"http://localhost:{DEFAULT_PORT}"
    return issue_links(base, store=args.store, county=args.county, kind=args.kind, days=args.days)


def run_links(args: argparse.Namespace) -> int:
    """Print a new survey link per venue."""
    links = _issue(args)
    if args.json:
        print(json.dumps([{"id": k.id, "name": k.name, "url": k.url} for k in links],
                         ensure_ascii=False))  # fmt: skip
    else:
        for link in links:
            print(f"{link.id}\t{link.name}\t{link.url}")
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    """Write the printable QR sheet."""
    from geo.register import load_reference
    from venuemap.survey_sheet import sheet_html
    from venuemap.usecases.survey import today_iso

    links = _issue(args)
    townships = load_reference("townships", args.store)
    names = dict(zip(townships["township_code"], townships["name"], strict=False))
    out = Path(args.out)
    out.write_text(sheet_html(links, names, title="群团服务阵地位置采集", date=today_iso()),
                   encoding="utf-8")  # fmt: skip
    print(f"wrote {len(links)} survey card(s) to {out}; print it (or save as PDF) from a browser")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    """Run the survey server until interrupted."""
    import uvicorn

    from venuemap.survey_server import create_app

    if bool(args.certfile) != bool(args.keyfile):
        from geo.errors import InputError

        raise InputError("--certfile and --keyfile go together; give both to serve HTTPS")
    uvicorn.run(create_app(args.store), host=args.host, port=args.port, log_level="warning",
                ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)  # fmt: skip
    return 0


def run_pending(args: argparse.Namespace) -> int:
    """List pending surveys with their checks."""
    from venuemap.usecases.survey import pending_surveys

    pending = pending_surveys(store=args.store)
    rows = [_pending_record(row) for row in pending.drop(columns="geometry").to_dict("records")]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print(f"待审核 pending surveys: {len(rows)}")
    for row in rows:
        flag = " ⚠ " + _why(row) if row["flagged"] else ""
        print(f"  #{row['id']} {row['venue_id']} {row['name']}: moved {row['moved_m']:.0f} m, "
              f"accuracy {row['accuracy_m']} m{flag}")  # fmt: skip
    return 0


def _pending_record(row: dict) -> dict:
    import math

    out = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = round(value, 7) if isinstance(value, float) else value
    return out


def _why(row: dict) -> str:
    reasons = []
    if row["other_county"]:
        reasons.append(f"in county {row['found_county_code']}, not its own")
    if (row["township_distance_m"] or 0) > 0:
        reasons.append(f"{row['township_distance_m']:.0f} m from its township")
    return "; ".join(reasons)


def run_review(args: argparse.Namespace) -> int:
    """Approve or reject surveys; exit 1 when some could not be reviewed."""
    from geo.errors import InputError
    from venuemap.usecases.survey import review_surveys

    if not args.approve and not args.reject:
        raise InputError("say what to do: --approve ID … and/or --reject ID …")
    who = args.user or os.environ.get("VENUEMAP_USER") or getpass.getuser()
    outcome = review_surveys(args.approve, args.reject, who=who, store=args.store)
    if args.json:
        print(json.dumps({"approved": outcome.approved, "rejected": outcome.rejected,
                          "skipped": {str(k): v for k, v in outcome.skipped.items()}},
                         ensure_ascii=False))  # fmt: skip
    else:
        print(f"approved {outcome.approved or '-'}; rejected {outcome.rejected or '-'}")
        for ident, why in outcome.skipped.items():
            print(f"  #{ident} not reviewed: {why}")
    return 1 if outcome.skipped else 0


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke links."""
    from venuemap.usecases.survey import revoke_links

    count = revoke_links(None if args.all else args.venue, store=args.store)
    print(f"revoked {count} survey link(s)")
    return 0
