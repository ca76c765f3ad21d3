"""``exportscreen shipments record FILE`` — the shipped lines of a screened table, recorded against the licences
that cover them (issue 15 §3; see :mod:`exportscreen.shipments`)."""

from __future__ import annotations

from exportscreen.commands import add_lang, add_rate, parse_date, parse_rates
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "shipments", help=tr("許可ごとの出荷実績（金額・数量の残高）", "shipments recorded against licences")
    )
    sub = p.add_subparsers(dest="shipments_command", required=True)
    r = sub.add_parser(
        "record",
        help=tr(
            "判定済みの受注表の出荷済の行を、その行が対象になった許可の出荷実績として記録する",
            "record the shipped lines of a screened table against the licences that cover them",
        ),
    )
    r.add_argument("file", metavar="FILE")
    r.add_argument("--sheet", default=None, help=tr("シート名", "sheet name"))
    r.add_argument(
        "--column",
        default=None,
        metavar="出荷済",
        help=tr(
            "出荷済の印（○・済・日付）の列（既定: 出荷済 の列、なければ全行を出荷済とする）",
            "the column marking shipped lines (○, 済 or a date; default: the 出荷済 column, else every line)",
        ),
    )
    r.add_argument(
        "--date",
        default=None,
        help=tr("出荷日のない行の基準日（既定: 今日）", "as-of date of a line without a ship date"),
    )
    r.add_argument(
        "--skip-recorded",
        action="store_true",
        help=tr(
            "同じ名前のファイルから記録済みの行は飛ばし、残りを記録する（毎日印を付けて記録し直す受注表）",
            "leave out the lines already recorded from a file of this name and record the rest",
        ),
    )
    add_rate(r)
    add_lang(r)
    r.set_defaults(func=cmd_record)


def cmd_record(args) -> int:
    from exportscreen import render, shipments

    done = shipments.record(
        args.file,
        args.sheet,
        args.column,
        parse_date(args.date, "--date"),
        parse_rates(args.rate),
        skip_recorded=args.skip_recorded,
    )
    lang = args.lang
    by: dict[str, list] = {}
    for line in done.lines:
        by.setdefault(line["licence"], []).append(line)
    which = (
        tr(f"{done.column} 列に印のある行", f"lines marked in {done.column}", lang)
        if done.column
        else tr("全行（出荷済の列なし）", "every line (no 出荷済 column)", lang)
    )
    print(
        tr(
            f"{done.file.name}: {which}のうち {len(done.lines)} 行を出荷実績として記録しました",
            f"{done.file.name}: {len(done.lines)} of the {which} recorded as shipments",
            lang,
        )
    )
    for no, lines in by.items():
        total = sum(x["value"] or 0 for x in lines)
        unknown = sum(1 for x in lines if x["value"] is None)
        extra = tr(f"（金額不明 {unknown} 行）", f" ({unknown} without a value)", lang) if unknown else ""
        print(
            tr(
                f"  許可 {no}: {len(lines)} 行、{total:,.0f}円{extra}",
                f"  licence {no}: {len(lines)} lines, ¥{total:,.0f}{extra}",
                lang,
            )
        )
    for no, left in done.over.items():
        print(
            tr(
                f"  警告: 許可 {no} の金額上限を {-left:,.0f}円 超えて出荷されています（licences show {no}）",
                f"  warning: shipments under licence {no} exceed its value limit by ¥{-left:,.0f} (licences show {no})",
                lang,
            )
        )
    if done.skipped:
        shown = "、".join(ref for _row, ref in done.skipped[: shipments.MAX_LISTED])
        more = len(done.skipped) - min(len(done.skipped), shipments.MAX_LISTED)
        print(
            tr(
                f"記録済みのため飛ばした行: {len(done.skipped)}（{shown}{f' ほか {more} 行' if more else ''}）",
                f"lines left out (recorded before): {len(done.skipped)} ({shown}{f' and {more} more' if more else ''})",
                lang,
            )
        )
    if done.not_covered:
        print(
            tr(
                f"許可の対象でないため記録しなかった行: {len(done.not_covered)}",
                f"lines not recorded (no licence covers them): {len(done.not_covered)}",
                lang,
            )
        )
        for row, ref, d in done.not_covered[: shipments.MAX_LISTED]:
            print(f"  {tr(f'{row} 行目', f'row {row}', lang)} {ref}: {render.label(d.code, lang)}")
    return 0
