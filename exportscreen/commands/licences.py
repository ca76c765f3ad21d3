"""``exportscreen licences import|list|show|export`` — the licence register (許可台帳, issue 15 §1)."""

from __future__ import annotations

import io
from datetime import date

from exportscreen import files
from exportscreen.commands import add_lang, parse_date
from exportscreen.errors import UserError
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "licences", help=tr("許可台帳（個別許可・包括許可）の取込・一覧・表示・書出し", "the licence register")
    )
    sub = p.add_subparsers(dest="licences_command", required=True)
    i = sub.add_parser("import", help=tr("許可台帳（xlsx / csv）を取り込む", "import a register (xlsx / csv)"))
    i.add_argument("file", metavar="FILE")
    i.add_argument(
        "--effective",
        default=None,
        help=tr("この版の適用開始日（既定: 今日）", "the version's effective date (default today)"),
    )
    i.add_argument(
        "--replace", action="store_true", help=tr("同じ日付の版を置き換える", "replace the version of that date")
    )
    add_lang(i)
    i.set_defaults(func=cmd_import)
    ls = sub.add_parser("list", help=tr("適用中の版の許可の一覧", "the licences of the version in force"))
    ls.add_argument(
        "--expiring",
        type=int,
        default=None,
        metavar="DAYS",
        help=tr("DAYS 日以内に期限切れのもの", "expiring within DAYS"),
    )
    ls.add_argument(
        "--as-of", dest="as_of", default=None, metavar="DATE", help=tr("基準日（既定: 今日）", "as of DATE")
    )
    add_lang(ls)
    ls.set_defaults(func=cmd_list)
    s = sub.add_parser("show", help=tr("許可1件の内容", "one licence"))
    s.add_argument("no", metavar="No.")
    s.add_argument("--as-of", dest="as_of", default=None, metavar="DATE")
    add_lang(s)
    s.set_defaults(func=cmd_show)
    e = sub.add_parser(
        "export", help=tr("適用中の版を台帳ブックに書き出す", "write the version in force to a workbook")
    )
    e.add_argument("--out", required=True, metavar="F.xlsx")
    e.add_argument("--as-of", dest="as_of", default=None, metavar="DATE")
    add_lang(e)
    e.set_defaults(func=cmd_export)


def _in_force(as_of: str | None):
    from exportscreen.licences import in_force, load_registers

    day = parse_date(as_of, "--as-of") or date.today()
    reg = in_force(load_registers(), day)
    if reg is None:
        raise UserError(
            f"{day} 時点で適用される許可台帳がありません（exportscreen licences import で取り込んでください）",
            f"no licence register in force on {day} (import one with exportscreen licences import)",
        )
    return reg, day


def cmd_import(args) -> int:
    from exportscreen import state
    from exportscreen.licences import import_register
    from exportscreen.rules import bundled

    reg = import_register(args.file, bundled(), parse_date(args.effective, "--effective"), args.replace)
    state.reset_rules()
    print(
        tr(
            f"許可台帳 {reg.version} 版を取り込みました（{len(reg.licences)} 件）",
            f"licence register version {reg.version} imported ({len(reg.licences)} licences)",
            args.lang,
        )
    )
    return 0


def _line(lic, lang: str) -> str:
    from exportscreen.licences import cells_of

    c = cells_of(lic)
    return "\t".join(
        str(x)
        for x in (lic.no, c["kind"], c["target"], lic.granted, lic.expires, c["countries"], c["items"], c["parties"])
    )


def cmd_list(args) -> int:
    from exportscreen.licences import expiring

    reg, day = _in_force(args.as_of)
    lics = reg.licences if args.expiring is None else expiring(reg, day, args.expiring)
    print(tr(f"許可台帳 {reg.version} 版（{day} 時点）", f"licence register {reg.version} (as of {day})", args.lang))
    for lic in sorted(lics, key=lambda x: (x.expires, x.no)):
        print(_line(lic, args.lang))
    return 0


def cmd_show(args) -> int:
    from exportscreen.licences import HEADERS, cells_of

    reg, _day = _in_force(args.as_of)
    lic = reg.get(args.no)
    if lic is None:
        raise UserError(
            f"許可番号 {args.no} は許可台帳 {reg.version} 版にありません",
            f"licence {args.no} is not in register {reg.version}",
        )
    for key, value in cells_of(lic).items():
        if isinstance(value, float) and value.is_integer():
            value = f"{value:,.0f}"
        if value not in (None, ""):
            print(f"{HEADERS[key]}: {value}")
    _shipments(lic, args.lang)
    return 0


def _shipments(lic, lang: str) -> None:
    """The shipments recorded against ``lic`` and what is left of its limits."""
    from exportscreen.shipments import of_licence

    done = of_licence(lic.no)
    value = sum(s["value_jpy"] or 0 for s in done)
    unknown = sum(1 for s in done if s["value_jpy"] is None)
    quantity = sum(s["quantity"] or 0 for s in done)
    print(tr(f"出荷実績: {len(done)} 行", f"shipments recorded: {len(done)}", lang))
    for s in done:
        v = "—" if s["value_jpy"] is None else f"{s['value_jpy']:,.0f}"
        q = "—" if s["quantity"] is None else f"{s['quantity']:,g}"
        print(f"  {s['ship_date']}\t{s['file_name']}\t{s['line_ref']}\t{v}\t{q}\t{s['recorded_at'][:19]}")
    if lic.value is not None:
        unit = "円" if lic.currency == "JPY" else f" {lic.currency}"
        if lic.currency != "JPY":
            left_ja, left_en = "照合できません（上限が円でない）", "not known (the limit is not in yen)"
        elif unknown:
            left_ja, left_en = (
                f"不明（金額のない出荷 {unknown} 行）",
                f"not known ({unknown} shipments without a value)",
            )
        else:
            left_ja = left_en = f"{lic.value - value:,.0f}"
        print(
            tr(
                f"金額残高: {left_ja}（上限 {lic.value:,.0f}{unit} − 出荷 {value:,.0f}円）",
                f"value left: {left_en} (limit {lic.value:,.0f}{unit} less ¥{value:,.0f} shipped)",
                lang,
            )
        )
    if lic.quantity is not None:
        q_unknown = sum(1 for s in done if s["quantity"] is None)  # none given, or not in the licence's unit
        left_ja = left_en = f"{lic.quantity - quantity:,g} {lic.quantity_unit}"
        if q_unknown:
            left_ja, left_en = (
                f"不明（数量の分からない出荷 {q_unknown} 行）",
                f"not known ({q_unknown} shipments without a quantity in the licence's unit)",
            )
        print(
            tr(
                f"数量残: {left_ja}（上限 {lic.quantity:,g} − 出荷 {quantity:,g}）",
                f"quantity left: {left_en} (limit {lic.quantity:,g} less {quantity:,g} shipped)",
                lang,
            )
        )


def cmd_export(args) -> int:
    from openpyxl import load_workbook

    from exportscreen.licences import COLUMNS, cells_of
    from exportscreen.state import data_dir

    reg, _day = _in_force(args.as_of)
    files.check_target(args.out)
    wb = load_workbook(data_dir("workbook_templates") / "licence_register.xlsx")
    ws = wb[TEMPLATE_SHEET]
    for r, lic in enumerate(reg.licences, start=2):
        for c, value in enumerate(cells_of(lic).values(), start=1):
            ws.cell(r, c, value)
    for r in range(len(reg.licences) + 2, ws.max_row + 1):  # the template's examples
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(r, c).value = None
    buf = io.BytesIO()
    wb.save(buf)
    files.write_bytes(args.out, buf.getvalue())
    print(
        tr(
            f"{args.out} に {len(reg.licences)} 件を書き出しました",
            f"{len(reg.licences)} licences written to {args.out}",
            args.lang,
        )
    )
    return 0


TEMPLATE_SHEET = "許可台帳"
