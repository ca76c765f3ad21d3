"""``exportscreen screen PATH``: screen every order line of a workbook (xlsx/xlsm/csv) and write the decision
and its reasons into the 判定 / 理由 columns, losing nothing else (the pipeline is :mod:`exportscreen.screening`)."""

from __future__ import annotations

from datetime import date

from exportscreen import screening
from exportscreen.commands import parse_date


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "screen",
        help="screen every order line of a workbook and write 判定/理由 into it",
        description="Screen the order table of an xlsx/xlsm/csv file and write the decision (判定) and the "
        "reasons with legal references (理由) into each line. Everything else in the workbook is kept.",
    )
    p.add_argument("path", help="order workbook (.xlsx, .xlsm) or .csv")
    p.add_argument("--sheet", help="worksheet holding the order table (default: the first sheet that has one)")
    p.add_argument("--out", help="write the screened copy here instead of changing PATH in place")
    p.add_argument("--date", help="as-of date YYYY-MM-DD for lines without a ship date (default: today)")
    p.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the reasons (default ja)")
    p.set_defaults(func=run)


def _parse_date(text: str | None) -> date:
    return parse_date(text, "--date") or date.today()


def run(args) -> int:
    summary = screening.screen_file(
        args.path, out=args.out, sheet=args.sheet, as_of=_parse_date(args.date), lang=args.lang
    )
    print(summary.render(args.lang))
    return 0
