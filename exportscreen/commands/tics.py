"""``exportscreen tics report FILE`` — the summary of a TICS self-check workbook (技術情報管理認証制度;
workbook_templates/tics_selfcheck.xlsx): items by status, those to work on. The tool does not certify."""

from __future__ import annotations

from exportscreen.commands import add_lang
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "tics",
        help=tr(
            "技術情報管理認証制度（TICS）の自己点検ブックの集計",
            "TICS (技術情報管理認証制度) self-check workbook summary",
        ),
    )
    sub = p.add_subparsers(dest="tics_command", required=True)
    r = sub.add_parser(
        "report",
        help=tr(
            "自己点検ブック（tics_selfcheck.xlsx）の状況別の件数と対応が必要な項目を表示する",
            "print the self-check's items by status and the items to work on",
        ),
    )
    r.add_argument("file", metavar="FILE", help=tr("自己点検ブック（.xlsx）", "the self-check workbook (.xlsx)"))
    add_lang(r)
    r.set_defaults(func=run)


def run(args) -> int:
    from exportscreen import tics

    print(tics.read(args.file).render(args.lang))
    return 0
