"""``exportscreen audit list | verify | export | purge`` — the audit trail (取引審査の記録)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from exportscreen.commands import parse_date
from exportscreen.errors import UserError


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        help="audit log database (SQLAlchemy URL); default $EXPORTSCREEN_AUDIT_URL, else the SQLite "
        "file audit.sqlite3 under EXPORTSCREEN_HOME",
    )
    p = subparsers.add_parser("audit", help="audit trail: list runs, verify the hash chain, export 取引審査票")
    sub = p.add_subparsers(dest="audit_command", required=True)

    ls = sub.add_parser("list", parents=[common], help="list recorded runs")
    ls.add_argument("--limit", type=int, default=50, help="most recent N runs (default 50, 0 = all)")
    ls.set_defaults(func=cmd_list)

    ver = sub.add_parser("verify", parents=[common], help="check the hash chain; exit 1 if anything was altered")
    ver.set_defaults(func=cmd_verify)

    ex = sub.add_parser("export", parents=[common], help="write an audit workbook (サマリー, 明細, 取引審査票)")
    which = ex.add_mutually_exclusive_group(required=True)
    which.add_argument("--run", type=int, metavar="ID", help="one run (see `audit list`)")
    which.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD, local)")
    ex.add_argument("--to", dest="date_to", metavar="DATE", help="last day, inclusive (default today)")
    ex.add_argument("--out", required=True, metavar="FILE.xlsx", help="workbook to write")
    ex.add_argument("--pdf", action="store_true", help="also write FILE.pdf through headless LibreOffice")
    ex.add_argument("--company", default="", help="会社名 for the header")
    ex.add_argument("--reviewer", default=None, help="審査者 (default: the recorded user)")
    ex.set_defaults(func=cmd_export)

    pu = sub.add_parser(
        "purge",
        parents=[common],
        help="delete runs older than the retention period (EXPORTSCREEN_AUDIT_RETENTION_YEARS, default 7)",
    )
    pu.add_argument("--dry-run", action="store_true", help="only show what would be deleted")
    pu.set_defaults(func=cmd_purge)


def _log(args):
    from exportscreen.audit import open_log

    try:
        return open_log(args.url)
    except Exception as exc:  # bad URL, unreachable server, unreadable file
        raise UserError(f"cannot open the audit log: {exc.__class__.__name__}: {str(exc).splitlines()[0]}") from None


def _local(ts: str | None) -> str:
    from exportscreen.audit_export import _local as local_time

    return local_time(ts)


def counts_text(counts: dict) -> str:
    from exportscreen.model import Code

    return "  ".join(f"{c.label} {counts[c.value]}" for c in Code if counts.get(c.value))


def cmd_list(args) -> int:
    from rich.console import Console
    from rich.table import Table

    runs = _log(args).runs(limit=args.limit or None)
    console = Console()
    if not runs:
        console.print("No runs recorded.")
        return 0
    table = Table(title="監査ログ — runs")
    for col in ("ID", "開始", "種別", "利用者", "ファイル / シート", "件数", "判定内訳", "状態"):
        table.add_column(col, overflow="fold")
    for r in runs:
        where = " / ".join(x for x in (r["file"], r["sheet"]) if x)
        table.add_row(
            str(r["id"]),
            _local(r["started"]),
            r["kind"],
            f"{r['user']}@{r['host']}",
            where,
            str(r["n_records"]),
            counts_text(r["counts"]),
            r["status"] or "",
        )
    console.print(table)
    return 0


def cmd_verify(args) -> int:
    log = _log(args)
    problems = log.verify()
    if problems:
        print(f"NG: the audit chain has {len(problems)} problem(s)")
        for p in problems:
            print(f"  {p}")
        return 1
    seq, h = log.head()
    print(f"OK, {log.count()} records")
    print(f"chain head: seq {seq}, hash {h}")
    return 0


def cmd_export(args) -> int:
    from exportscreen.audit_export import export

    args.date_from = parse_date(args.date_from, "--from")
    args.date_to = parse_date(args.date_to, "--to")
    if args.run is not None and args.date_to is not None:
        raise UserError("--to goes with --from, not with --run")
    if args.run is None and args.date_to is None:
        args.date_to = date.today()
    if args.date_to and args.date_from and args.date_to < args.date_from:
        raise UserError("--to is before --from")
    result = export(
        _log(args),
        args.out,
        run_id=args.run,
        date_from=args.date_from,
        date_to=args.date_to,
        pdf=args.pdf,
        company=args.company,
        reviewer=args.reviewer,
    )
    print(f"wrote {result.xlsx} ({result.lines} lines, {result.forms} 取引審査票 sheets)")
    if result.problems:
        print(
            f"exportscreen: warning: the audit chain has {len(result.problems)} problem(s); "
            "see `exportscreen audit verify` (noted on the サマリー sheet)",
            file=sys.stderr,
        )
    if args.pdf:
        if result.pdf:
            print(f"wrote {result.pdf}")
        else:
            print(f"exportscreen: PDF not written: {result.pdf_message}", file=sys.stderr)
            return 1
    return 0


def cmd_purge(args) -> int:
    log = _log(args)
    res = log.purge(dry_run=args.dry_run)
    what = "would delete" if args.dry_run else "deleted"
    if not res["through_seq"]:
        print(f"nothing older than {log.retention_years} years (cutoff {_local(res['cutoff'])})")
        return 0
    print(
        f"{what} {res['deleted_runs']} runs, {res['deleted_records']} entries (seq ≤ {res['through_seq']}, "
        f"older than {log.retention_years} years, cutoff {_local(res['cutoff'])})"
    )
    return 0
