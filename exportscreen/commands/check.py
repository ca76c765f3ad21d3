"""``exportscreen check``: screen one order line from the command line."""

from __future__ import annotations

import json

from exportscreen import render, screening
from exportscreen.commands import add_lang, add_rate, parse_rates
from exportscreen.messages import tr


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help=tr("受注1行を判定する", "screen one order line"),
        description=tr(
            "受注1行を判定します（輸出令別表第一、キャッチオール、制裁）。",
            "Screen one order line (輸出令別表第一, キャッチオール, 制裁).",
        ),
    )
    p.add_argument(
        "--country", required=True, help=tr("仕向地: 米国, USA, 韓国, KR …", "destination: 米国, USA, 韓国, KR …")
    )
    p.add_argument(
        "--item",
        required=True,
        help=tr(
            "別表第一の項番（7の項(1), 7(1)）または 非該当 / NLR", "別表第一 code (7の項(1), 7(1)) or 非該当 / NLR"
        ),
    )
    p.add_argument("--hs", help=tr("HSコード（8471.30）", "HS code (8471.30)"))
    p.add_argument("--end-user", help=tr("需要者・買主の名称", "end user / buyer name"))
    p.add_argument(
        "--end-use",
        help=tr(
            "用途: 民生/軍事/大量破壊兵器/不明（civil|military|wmd|unknown）",
            "civil|military|wmd|unknown (民生/軍事/大量破壊兵器/不明)",
        ),
    )
    p.add_argument("--inform", help=tr("受けたインフォーム: wmd|conventional", "wmd|conventional (informs received)"))
    p.add_argument(
        "--value-jpy",
        help=tr(
            "金額（円。外貨なら USD 1000 のように通貨を付け --rate を指定）",
            "total value in yen (or e.g. 'USD 1000' with --rate)",
        ),
    )
    p.add_argument(
        "--final-destination",
        help=tr("最終仕向地（仕向地と異なれば両方で判定）", "final destination (screened too when it differs)"),
    )
    p.add_argument(
        "--final-end-user",
        help=tr("最終需要者（需要者とともに外国ユーザーリストと照合）", "final end user (checked with the end user)"),
    )
    p.add_argument("--date", help=tr("出荷日（既定: 今日）", "ship date (default: today)"))
    p.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print one JSON object"))
    add_rate(p)
    add_lang(p)
    p.set_defaults(func=run)


def run(args) -> int:
    inputs = {
        "country": args.country,
        "item": args.item,
        "hs": args.hs,
        "end_user": args.end_user,
        "end_use": args.end_use,
        "inform": args.inform,
        "value_jpy": args.value_jpy,
        "ship_date": args.date,
        "final_destination": args.final_destination,
        "final_end_user": args.final_end_user,
    }
    decision = screening.decide(**inputs, rates=parse_rates(args.rate))
    _record_audit(inputs, decision)
    if args.json:
        print(json.dumps(render.decision_dict(decision, args.lang), ensure_ascii=False, indent=2))
    else:
        print(render.cli_text(decision, args.lang))
    return 0


def _record_audit(inputs: dict, decision) -> None:
    """Every check is recorded in the audit log (EXPORTSCREEN_HOME or $EXPORTSCREEN_AUDIT_URL)."""
    from exportscreen.audit import open_log

    with open_log().run(kind="check") as run:
        run.record(inputs, decision)
