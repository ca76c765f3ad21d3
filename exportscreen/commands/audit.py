"""``exportscreen audit list | verify | export | purge`` — the audit trail (取引審査の記録)."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from exportscreen.commands import parse_date
from exportscreen.errors import UserError
from exportscreen.messages import tr


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        help=tr(
            "監査ログのデータベース（SQLAlchemy URL）。既定: $EXPORTSCREEN_AUDIT_URL、なければ $EXPORTSCREEN_DB_URL、"
            "なければ EXPORTSCREEN_HOME の exportscreen.sqlite3",
            "audit log database (SQLAlchemy URL); default $EXPORTSCREEN_AUDIT_URL, else $EXPORTSCREEN_DB_URL, else "
            "the SQLite file exportscreen.sqlite3 under EXPORTSCREEN_HOME",
        ),
    )
    p = subparsers.add_parser(
        "audit",
        help=tr(
            "監査ログ: 実行の一覧、ハッシュチェーンの検証、取引審査票の出力",
            "audit trail: list runs, verify the hash chain, export 取引審査票",
        ),
    )
    sub = p.add_subparsers(dest="audit_command", required=True)

    ls = sub.add_parser("list", parents=[common], help=tr("記録された実行の一覧", "list recorded runs"))
    ls.add_argument(
        "--limit",
        type=int,
        default=50,
        help=tr("新しいほうから N 件（既定 50、0 = すべて）", "most recent N runs (default 50, 0 = all)"),
    )
    ls.set_defaults(func=cmd_list)

    ver = sub.add_parser(
        "verify",
        parents=[common],
        help=tr(
            "ハッシュチェーンを検証する（改ざん・切り詰め・中断された実行があれば終了コード 1）",
            "check the hash chain; exit 1 if anything was altered or cut off, or a run was interrupted",
        ),
    )
    ver.set_defaults(func=cmd_verify)

    ex = sub.add_parser(
        "export",
        parents=[common],
        help=tr(
            "監査ブック（サマリー、明細、取引審査票）を書く", "write an audit workbook (サマリー, 明細, 取引審査票)"
        ),
    )
    which = ex.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--run", type=int, metavar="ID", help=tr("1回の実行（audit list の ID）", "one run (see `audit list`)")
    )
    which.add_argument(
        "--from",
        dest="date_from",
        metavar="DATE",
        help=tr(
            "初日（2025-04-01、令和7年4月1日、R7.4.1 など）", "first day (local; 2025-04-01, 令和7年4月1日, R7.4.1 …)"
        ),
    )
    ex.add_argument(
        "--to",
        dest="date_to",
        metavar="DATE",
        help=tr("最終日（含む。既定: 今日）", "last day, inclusive (default today)"),
    )
    ex.add_argument("--out", required=True, metavar="FILE.xlsx", help=tr("書き出すブック", "workbook to write"))
    ex.add_argument(
        "--pdf",
        action="store_true",
        help=tr("LibreOffice で FILE.pdf も書く", "also write FILE.pdf through headless LibreOffice"),
    )
    ex.add_argument(
        "--company",
        default=None,
        help=tr(
            "見出しの会社名（既定: `exportscreen config set company`）",
            "会社名 for the header (default: `exportscreen config set company`)",
        ),
    )
    ex.add_argument(
        "--reviewer",
        default=None,
        help=tr(
            "審査者・担当者（既定: 実行ごとに記録された審査者）",
            "審査者 / 担当者 (default: the reviewer recorded with each run)",
        ),
    )
    ex.set_defaults(func=cmd_export)

    rs = sub.add_parser(
        "resolve",
        parents=[common],
        help=tr(
            "中断された実行を、ファイルを確認したうえで記録して閉じる（audit verify に注として残る）",
            "close an interrupted run after checking its file (recorded; audit verify lists it as a note)",
        ),
    )
    rs.add_argument("--run", type=int, required=True, metavar="ID", help=tr("実行 ID", "the run's ID"))
    rs.add_argument("--note", required=True, help=tr("確認した内容（記録されます）", "what was checked (recorded)"))
    rs.set_defaults(func=cmd_resolve)

    pu = sub.add_parser(
        "purge",
        parents=[common],
        help=tr(
            "保存期間（EXPORTSCREEN_AUDIT_RETENTION_YEARS、既定 7 年）を過ぎた実行を削除する",
            "delete runs older than the retention period (EXPORTSCREEN_AUDIT_RETENTION_YEARS, default 7)",
        ),
    )
    pu.add_argument(
        "--dry-run", action="store_true", help=tr("削除せず対象だけを示す", "only show what would be deleted")
    )
    pu.set_defaults(func=cmd_purge)


def _log(args):
    from exportscreen.audit import open_log

    try:
        return open_log(args.url)
    except Exception as exc:  # bad URL, unreachable server, unreadable file
        why = f"{exc.__class__.__name__}: {(str(exc).splitlines() or [''])[0]}"
        raise UserError(f"監査ログを開けません: {why}", f"cannot open the audit log: {why}") from None


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
        console.print(tr("記録された実行はありません", "No runs recorded.", args.lang))
        return 0
    table = Table(title=tr("監査ログ — 実行", "監査ログ — runs", args.lang))
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
    result = log.check()
    lang = args.lang
    if result.problems:
        print(
            tr(
                f"NG: 監査チェーンに {len(result.problems)} 件の問題があります",
                f"NG: the audit chain has {len(result.problems)} problem(s)",
                lang,
            )
        )
        for p in result.problems:
            print(f"  {p}")
    else:
        print(tr(f"OK、{log.count()} 件の記録", f"OK, {log.count()} records", lang))
    seq, h = log.head()
    print(tr(f"チェーンの先頭: seq {seq}、ハッシュ {h}", f"chain head: seq {seq}, hash {h}", lang))
    for note in result.notes:
        print(tr(f"  注: {note}", f"  note: {note}", lang))
    return 1 if result.problems else 0


def cmd_export(args) -> int:
    from exportscreen.audit_export import export

    args.date_from = parse_date(args.date_from, "--from")
    args.date_to = parse_date(args.date_to, "--to")
    if args.run is not None and args.date_to is not None:
        raise UserError(
            "--to は --from と一緒に使います（--run とは使えません）", "--to goes with --from, not with --run"
        )
    if args.run is None and args.date_to is None:
        args.date_to = date.today()
    if args.date_to and args.date_from and args.date_to < args.date_from:
        raise UserError("--to が --from より前です", "--to is before --from")
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
    lang = args.lang
    print(
        tr(
            f"{result.xlsx} を書きました（{result.lines} 件、取引審査票 {result.forms} 枚）",
            f"wrote {result.xlsx} ({result.lines} lines, {result.forms} 取引審査票 sheets)",
            lang,
        )
    )
    if result.problems:
        n = len(result.problems)
        print(
            tr(
                f"exportscreen: 警告: 監査チェーンに {n} 件の問題があります。"
                "`exportscreen audit verify` で確認してください（サマリーシートに記載）",
                f"exportscreen: warning: the audit chain has {n} problem(s); see `exportscreen audit verify` "
                "(noted on the サマリー sheet)",
                lang,
            ),
            file=sys.stderr,
        )
    if args.pdf:
        if result.pdf:
            print(tr(f"{result.pdf} を書きました", f"wrote {result.pdf}", lang))
        else:
            print(
                tr("exportscreen: PDF は書かれていません: ", "exportscreen: PDF not written: ", lang)
                + result.pdf_message,
                file=sys.stderr,
            )
            return 1
    return 0


def cmd_resolve(args) -> int:
    seq = _log(args).resolve(args.run, args.note)
    print(
        tr(
            f"実行 {args.run} の解決を記録しました（seq {seq}）",
            f"recorded run {args.run} as resolved (seq {seq})",
            args.lang,
        )
    )
    return 0


def cmd_purge(args) -> int:
    log = _log(args)
    res = log.purge(dry_run=args.dry_run)
    lang, years, cutoff = args.lang, log.retention_years, _local(res["cutoff"])
    if not res["through_seq"]:
        print(
            tr(
                f"{years} 年より古い記録はありません（基準 {cutoff}）",
                f"nothing older than {years} years (cutoff {cutoff})",
                lang,
            )
        )
        return 0
    runs, entries, seq = res["deleted_runs"], res["deleted_records"], res["through_seq"]
    if lang == "en":
        what = "would delete" if args.dry_run else "deleted"
        print(f"{what} {runs} runs, {entries} entries (seq ≤ {seq}, older than {years} years, cutoff {cutoff})")
    else:
        what = "削除対象" if args.dry_run else "削除しました"
        print(f"{what}: {runs} 実行、{entries} 件（seq ≤ {seq}、{years} 年より古い、基準 {cutoff}）")
    return 0
