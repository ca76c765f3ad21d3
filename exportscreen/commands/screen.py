"""``exportscreen screen PATH``: screen every order line of a workbook (xlsx/xlsm/csv) and write the decision
and its reasons into the 判定 / 理由 columns, losing nothing else (the pipeline is :mod:`exportscreen.screening`)."""

from __future__ import annotations

from datetime import date

from exportscreen import screening
from exportscreen.commands import add_lang, add_rate, parse_date, parse_rates
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "screen",
        help=tr(
            "受注表の全行を判定し、判定・理由を書き込む",
            "screen every order line of a workbook and write 判定/理由 into it",
        ),
        description=tr(
            "xlsx/xlsm/csv の受注表を判定し、各行の判定と理由（法令の根拠つき）を 判定・理由 列に書き込みます。"
            "ブックのほかの部分はそのまま残ります。",
            "Screen the order table of an xlsx/xlsm/csv file and write the decision (判定) and the "
            "reasons with legal references (理由) into each line. Everything else in the workbook is kept.",
        ),
    )
    p.add_argument("path", help=tr("受注表（.xlsx, .xlsm）または .csv", "order workbook (.xlsx, .xlsm) or .csv"))
    p.add_argument(
        "--sheet",
        help=tr(
            "受注表のあるシート（既定: 受注表のある最初のシート）",
            "worksheet holding the order table (default: the first sheet that has one)",
        ),
    )
    p.add_argument(
        "--out",
        help=tr(
            "判定済みの写しをここに書く（指定しなければ PATH に上書き）",
            "write the screened copy here instead of changing PATH in place",
        ),
    )
    p.add_argument(
        "--date",
        help=tr(
            "出荷日のない行の基準日（2025-10-01、令和7年10月1日 など。既定: 今日）",
            "as-of date for lines without a ship date (2025-10-01, 令和7年10月1日 …; default: today)",
        ),
    )
    add_rate(p)
    add_lang(p)
    p.set_defaults(func=run)


def _parse_date(text: str | None) -> date:
    return parse_date(text, "--date") or date.today()


def run(args) -> int:
    summary = screening.screen_file(
        args.path,
        out=args.out,
        sheet=args.sheet,
        as_of=_parse_date(args.date),
        lang=args.lang,
        rates=parse_rates(args.rate),
    )
    print(summary.render(args.lang))
    return 0
