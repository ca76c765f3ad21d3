"""``exportscreen check``: screen one order line from the command line."""

from __future__ import annotations

import json
from datetime import date



def register(sub) -> None:
    p = sub.add_parser("check", help="screen one order line", description="Screen one order line (輸出令別表第一, キャッチオール, 制裁).")
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
    from exportscreen.engine import screen

    inputs = {
        "country": args.country, "item": args.item, "hs": args.hs, "end_user": args.end_user, "end_use": args.end_use,
        "inform": args.inform, "value_jpy": args.value_jpy, "ship_date": args.date,
    }
    decision = screen(**inputs, today=date.today())
    _record_audit(inputs, decision)
    if args.json:
        print(json.dumps(decision.to_dict(args.lang), ensure_ascii=False, indent=2))
    else:
        print(render(decision, args.lang))
    return 0


def render(decision, lang: str = "ja") -> str:
    ja = lang != "en"
    c, i = decision.country or {}, decision.item or {}
    lines = [f"{'判定' if ja else 'Decision'}: {decision.code.label if ja else decision.code.label_en} ({decision.code.value})"]
    if c:
        lines.append(f"{'仕向地' if ja else 'Destination'}: {c['name_ja'] if ja else c['name_en']} ({c['iso2']}) — {c['group_label']}")
    if i:
        name = i.get("name_ja" if ja else "name_en")
        lines.append(f"{'品目' if ja else 'Item'}: {i['code']}" + (f" {name}" if name else "") + (f"  HS {i['hs']}" if i.get("hs") else ""))
    for r in decision.reasons:
        # Reasons less severe than the decision support it or inform the clerk: shown as notes.
        tag = (r.severity.label if ja else r.severity.label_en) if r.severity == decision.code else ("参考" if ja else "Note")
        lines.append(f"  - [{tag}] {r.text(lang)}")
        lines.append(f"      {'根拠' if ja else 'Ref'}: {r.ref}")
    lines.append(f"規則 {decision.rules_version} / 基準日 {decision.as_of}" if ja else f"rules {decision.rules_version} / as of {decision.as_of}")
    return "\n".join(lines)


def _record_audit(inputs: dict, decision) -> None:
    """Every check is recorded in the audit log (EXPORTSCREEN_HOME or $EXPORTSCREEN_AUDIT_URL)."""
    from exportscreen.audit import open_log

    with open_log().run(kind="check") as run:
        run.record(inputs, decision)

