"""``exportscreen check``: screen one order line from the command line."""

from __future__ import annotations

import json

from exportscreen import render, screening


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help="screen one order line",
        description="Screen one order line (輸出令別表第一, キャッチオール, 制裁).",
    )
    p.add_argument("--country", required=True, help="destination: 米国, USA, 韓国, KR …")
    p.add_argument("--item", required=True, help="別表第一 code (7の項(1), 7(1)) or 非該当 / NLR")
    p.add_argument("--hs", help="HS code (8471.30)")
    p.add_argument("--end-user", help="end user / buyer name")
    p.add_argument("--end-use", help="civil|military|wmd|unknown (民生/軍事/大量破壊兵器/不明)")
    p.add_argument("--inform", help="wmd|conventional (informs received)")
    p.add_argument("--value-jpy", help="total value in yen")
    p.add_argument("--date", help="ship date YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--lang", choices=("ja", "en"), default="ja")
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
    }
    decision = screening.decide(**inputs)
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
