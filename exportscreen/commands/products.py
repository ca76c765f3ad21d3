"""``exportscreen products import|list|show|export`` — the product master (品番マスタ / 該非判定台帳)."""

from __future__ import annotations

import json
import sys
from datetime import date

from exportscreen.commands import add_lang, parse_date
from exportscreen.errors import UserError
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "products",
        help=tr(
            "品番マスタ（該非判定台帳）: 取込、一覧、表示、書き出し、該非判定書",
            "product master (該非判定台帳): import, list, show, export, certificate (該非判定書)",
        ),
    )
    sub = p.add_subparsers(dest="products_command", required=True)

    imp = sub.add_parser(
        "import",
        help=tr(
            "品番マスタ（xlsx または csv）を検査して、日付つきの版として取り込む",
            "check a product master (xlsx or csv) and store it as a dated version",
        ),
    )
    imp.add_argument("path", metavar="FILE", help=tr("品番マスタのファイル", "the product master file"))
    imp.add_argument(
        "--effective",
        metavar="DATE",
        help=tr("この版を適用する日（既定: 今日）", "the date this version applies from (default today)"),
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help=tr(
            "同じ適用日の版が内容違いで取込済みでも置き換える",
            "replace a version of the same effective date with other content",
        ),
    )
    add_lang(imp)
    imp.set_defaults(func=cmd_import)

    date_help = tr("DATE 時点で適用される版（既定: 今日）", "the version in force on DATE (default today)")
    ls = sub.add_parser("list", help=tr("適用中の版の品番の一覧", "the products of the version in force"))
    ls.add_argument("--date", metavar="DATE", help=date_help)
    ls.add_argument("--versions", action="store_true", help=tr("取込済みの版の一覧", "list the stored versions"))
    ls.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    add_lang(ls)
    ls.set_defaults(func=cmd_list)

    sh = sub.add_parser("show", help=tr("品番の該非判定を表示する", "show a part number's classification"))
    sh.add_argument("part_no", metavar="品番", help=tr("品番・型番", "part or model number"))
    sh.add_argument("--date", metavar="DATE", help=date_help)
    sh.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    add_lang(sh)
    sh.set_defaults(func=cmd_show)

    st = sub.add_parser(
        "stale",
        help=tr(
            "見直しが必要な該非判定の一覧（法令改正より前の判定日、見直し期限の経過）",
            "classifications to judge again (classified before an amendment, review date passed)",
        ),
    )
    st.add_argument("--date", metavar="DATE", help=date_help)
    st.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    add_lang(st)
    st.set_defaults(func=cmd_stale)

    ex = sub.add_parser(
        "export",
        help=tr("適用中の版をテンプレートの形の xlsx に書き出す", "write the version in force as a template workbook"),
    )
    ex.add_argument("--out", required=True, metavar="F.xlsx", help=tr("書き込み先", "where to write it"))
    ex.add_argument("--date", metavar="DATE", help=date_help)
    add_lang(ex)
    ex.set_defaults(func=cmd_export)

    ce = sub.add_parser(
        "certificate",
        help=tr(
            "品番の該非判定書（xlsx、--pdf で PDF も）を書く",
            "write a part number's 該非判定書 (xlsx, and PDF with --pdf)",
        ),
    )
    ce.add_argument("part_no", metavar="品番", help=tr("品番・型番", "part or model number"))
    ce.add_argument(
        "--out",
        metavar="F.xlsx",
        help=tr("書き込み先（既定: 該非判定書_品番.xlsx）", "where to write it (default 該非判定書_品番.xlsx)"),
    )
    ce.add_argument(
        "--pdf", action="store_true", help=tr("LibreOffice で PDF も書く", "also write the PDF (LibreOffice)")
    )
    ce.add_argument("--date", metavar="DATE", help=date_help)
    ce.add_argument(
        "--company",
        default=None,
        help=tr(
            "会社名（既定: `exportscreen config set company`）", "会社名 (default: `exportscreen config set company`)"
        ),
    )
    add_lang(ce)
    ce.set_defaults(func=cmd_certificate)


def _master(args):
    from exportscreen import products

    day = parse_date(args.date, "--date") or date.today()
    m = products.in_force(day)
    if m is None:
        raise UserError(
            f"{day} に適用される品番マスタがありません（exportscreen products import FILE）",
            f"no product master in force on {day} (exportscreen products import FILE)",
        )
    return m


def cmd_import(args) -> int:
    from exportscreen import products

    m = products.import_master(args.path, effective=parse_date(args.effective, "--effective"), replace=args.replace)
    print(
        tr(
            f"{m.version} を取り込みました: {len(m)} 品番、{m.effective} から適用",
            f"imported {m.version}: {len(m)} products, effective {m.effective}",
            args.lang,
        )
    )
    return 0


def cmd_list(args) -> int:
    from exportscreen import products

    if args.versions:
        vs = products.versions()
        if args.json:
            print(json.dumps([{**v.__dict__, "effective": v.effective.isoformat()} for v in vs], ensure_ascii=False))
        for v in [] if args.json else vs:
            count = tr(f"{v.n_products} 品番", f"{v.n_products} products", args.lang)
            print(f"{v.effective}\t{count}\t{v.source_name}\tsha256 {v.sha256[:12]}\t{v.imported[:19]}")
        return 0
    m = _master(args)
    rows = sorted(m.products.values(), key=lambda p: products.part_key(p.part_no))
    if args.json:
        print(json.dumps({"version": m.version, "products": [p.to_dict() for p in rows]}, ensure_ascii=False))
        return 0
    print(m.version)
    for p in rows:
        hs = p.hs or "—"
        print(f"{p.part_no}\t{p.item}\t{p.tech or '—'}\tHS {hs}\t{p.judged}\t{p.name or ''}")
    return 0


def cmd_show(args) -> int:
    from exportscreen.ids.hs_code import format_hs

    m = _master(args)
    p = m.get(args.part_no)
    if p is None:
        raise UserError(
            f"品番 {args.part_no} は品番マスタ（{m.version}）にありません",
            f"part number {args.part_no} is not in the product master ({m.version})",
        )
    if args.json:
        print(json.dumps({"version": m.version, **p.to_dict()}, ensure_ascii=False, indent=2))
        return 0
    en = args.lang == "en"
    from exportscreen.products import LABELS

    shown = {**p.to_dict(), "hs": format_hs(p.hs) if p.hs else None}
    for col, (ja, eng) in LABELS.items():
        if shown.get(col) is not None:
            print(f"{eng if en else ja}: {shown[col]}")
    print(tr(f"版: {m.version}", f"version: {m.version}", args.lang))
    return 0


def cmd_stale(args) -> int:
    """The products of the version in force whose classification must be judged again on the date (the reason the
    engine gives lines using them: PART-STALE, PART-REVIEW-DUE) — its 該非 (goods lines) or, when that one stands,
    its 技術該非 (technology lines: an amendment may touch the technology's 項 and not the goods')."""
    from exportscreen import products, state
    from exportscreen.engine import product_stale

    m = _master(args)
    day = parse_date(args.date, "--date") or date.today()
    rules = state.rules()
    rows = []
    for p in sorted(m.products.values(), key=lambda p: products.part_key(p.part_no)):
        for which, code in (("goods", p.item), ("technology", p.tech)):
            why = product_stale(rules, p, day, code) if code is not None else None
            if why is not None:
                rows.append((p, which, why))
                break
    if args.json:
        out = [
            {
                **p.to_dict(),
                "classification": which,
                "reason_id": r.rule_id,
                "reason": r.en if args.lang == "en" else r.ja,
            }
            for p, which, r in rows
        ]
        print(json.dumps({"version": m.version, "date": day.isoformat(), "stale": out}, ensure_ascii=False))
        return 0
    print(
        tr(
            f"{m.version}: 見直しが必要な該非判定 {len(rows)} 件（{day} 時点）",
            f"{m.version}: {len(rows)} classifications to judge again (on {day})",
            args.lang,
        )
    )
    for p, which, r in rows:
        code = p.item if which == "goods" else tr(f"技術該非 {p.tech}", f"technology {p.tech}", args.lang)
        print(f"{p.part_no}\t{code}\t{p.judged}\t{r.en if args.lang == 'en' else r.ja}")
    return 0


def cmd_export(args) -> int:
    from exportscreen import products

    m = products.export(args.out, parse_date(args.date, "--date"))
    print(tr(f"{args.out} に {m.version} を書き出しました", f"wrote {m.version} to {args.out}", args.lang))
    return 0


def cmd_certificate(args) -> int:
    from exportscreen import certificate

    res = certificate.write(
        args.part_no, args.out, as_of=parse_date(args.date, "--date"), pdf=args.pdf, company=args.company
    )
    print(
        tr(
            f"{res.xlsx} に該非判定書を書きました（{res.version}）",
            f"wrote the 該非判定書 to {res.xlsx} ({res.version})",
            args.lang,
        )
    )
    for why in res.review:  # said on the certificate too (見直しの要否)
        print(tr(f"注意: {why}", f"note: the classification must be judged again: {why}", args.lang))
    if args.pdf:
        if res.pdf is None:
            print(
                tr("exportscreen: PDF は書かれていません: ", "exportscreen: PDF not written: ", args.lang)
                + res.pdf_message,
                file=sys.stderr,
            )
            return 1
        print(tr(f"{res.pdf} を書きました", f"wrote {res.pdf}", args.lang))
    return 0
