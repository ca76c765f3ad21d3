"""``exportscreen check``: screen one order line from the command line."""

from __future__ import annotations

import argparse
import json

from exportscreen import render, screening
from exportscreen.commands import add_lang, add_rate, parse_rates
from exportscreen.errors import UserError
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
        help=tr(
            "別表第一の項番（7の項(1), 7(1)）または 非該当 / NLR", "別表第一 code (7の項(1), 7(1)) or 非該当 / NLR"
        ),
    )
    p.add_argument(
        "--part",
        help=tr(
            "品番（品番マスタの該非・HSで判定。--kind technology では技術該非。--item と両方なら厳しい方）",
            "part number (screened by the product master's classification and HS — its technology classification "
            "with --kind technology; with --item, the stricter)",
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
        "--quantity",
        help=tr(
            "数量（10台、5 kg。数量上限のある許可と照合。単位は許可の数量単位と同じに）",
            "quantity (10台, 5 kg), checked against a licence's quantity limit (in the licence's unit)",
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
    p.add_argument("--date", help=tr("出荷日・提供日（既定: 今日）", "ship or provision date (default: today)"))
    tech = p.add_argument_group(
        tr("技術の提供（--kind technology）", "technology provision (--kind technology)"),
        tr(
            "役務取引・みなし輸出（外為法25条）と重要管理対象技術の事前報告（外為法55条の8）。"
            "--country JP は国内での提供、--item は外為令別表の項番（7の項(3)、16の項）または 非該当、"
            "--end-user は提供先",
            "technology provision (FEFTA Art. 25) and the pre-report of critical technologies (Art. 55-8). "
            "--country JP: provided in Japan; --item: a 外為令別表 code (7の項(3), 16の項) or 非該当; "
            "--end-user: the recipient",
        ),
    )
    tech.add_argument(
        "--kind",
        choices=("goods", "technology"),
        default="goods",
        help=tr("取引区分: goods（貨物、既定）/ technology（技術）", "goods (default) or technology"),
    )
    tech.add_argument(
        "--residency", help=tr("提供先の居住性: 居住者 / 非居住者（resident|non-resident）", "resident|non-resident")
    )
    tech.add_argument(
        "--specific-type",
        help=tr("特定類型: なし / 1 / 2 / 3（居住者のみ）", "specific type: none, 1, 2 or 3 (residents)"),
    )
    tech.add_argument(
        "--influence-country",
        help=tr(
            "特定類型の居住者・国内の非居住者が属する国（影響を及ぼす外国政府・法人等の国）",
            "the country a specific-type resident (or a non-resident in Japan) belongs to",
        ),
    )
    tech.add_argument(
        "--method",
        help=tr("提供方法: 書面/メール/データ送信/媒体の持出し/口頭・技術指導/研修受入れ", "method of provision"),
    )
    tech.add_argument(
        "--exemption",
        help=tr(
            "例外（貿易外省令9条2項）: public|basic-research|patent|minimum-use|mass-market（公知 など）",
            "exemption: public|basic-research|patent|minimum-use|mass-market",
        ),
    )
    tech.add_argument(
        "--critical-tech",
        help=tr(
            "重要管理対象技術の ID または名称（CT01、積層セラミックコンデンサ）、該当しなければ なし",
            "critical technology id or name, or none",
        ),
    )
    abroad = tech.add_mutually_exclusive_group()
    abroad.add_argument(
        "--overseas-production",
        action=argparse.BooleanOptionalAction,
        help=tr(
            "海外での製造・設計等のための提供である（--no-overseas-production: そうではない）。"
            "どちらもなければ未入力（重要管理対象技術なら要確認）",
            "provided for manufacture or design abroad (--no-overseas-production: it is not); "
            "neither: not given (a designated technology is then 要確認)",
        ),
    )
    abroad.add_argument(
        "--purpose",
        help=tr(
            "海外での製造等の形態（--overseas-production の詳細）: subsidiary|joint_venture|outsourcing|licensing"
            "（海外子会社/合弁/製造委託/ライセンス）または なし",
            "manufacture abroad through (--overseas-production in detail): "
            "subsidiary|joint_venture|outsourcing|licensing, or none",
        ),
    )
    tech.add_argument("--reported-on", help=tr("事前報告の報告日", "date the prior report was made"))
    p.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print one JSON object"))
    add_rate(p)
    add_lang(p)
    p.set_defaults(func=run)


PURPOSE = {True: "abroad", False: "none"}  # --overseas-production / --no-overseas-production as the engine reads it


# options of one kind only: given with the other kind they would be silently ignored, so they are refused
TECH_ONLY = (
    *("residency", "specific_type", "influence_country", "method", "exemption", "critical_tech"),
    *("overseas_production", "purpose", "reported_on"),
)
GOODS_ONLY = ("value_jpy", "quantity", "final_destination", "final_end_user", "rate")


def _refuse_other_kind(args) -> None:
    other = TECH_ONLY if args.kind == "goods" else GOODS_ONLY
    given = ["--" + o.replace("_", "-") for o in other if getattr(args, o) not in (None, [])]
    if given:
        if args.kind == "goods":
            raise UserError(
                f"{', '.join(given)} は技術の提供の項目です（--kind technology を指定してください）",
                f"{', '.join(given)}: technology options (give --kind technology)",
            )
        raise UserError(
            f"{', '.join(given)} は貨物の項目で、技術の提供（--kind technology）には使えません",
            f"{', '.join(given)}: goods options, not for --kind technology",
        )


def run(args) -> int:
    _refuse_other_kind(args)
    if args.item is None and args.part is None:
        raise UserError(
            "--item（項番）か --part（品番）を指定してください",
            "give --item (the classification) or --part (a part number)",
        )
    if args.kind == "technology":
        inputs = {
            "kind": "technology",
            "country": args.country,
            "recipient": args.end_user,
            "residency": args.residency,
            "specific_type": args.specific_type,
            "influence_country": args.influence_country,
            "item": args.item,
            "hs": args.hs,
            "method": args.method,
            "exemption": args.exemption,
            "inform": args.inform,
            "end_use": args.end_use,
            "critical_tech": args.critical_tech,
            "purpose": args.purpose if args.overseas_production is None else PURPOSE[args.overseas_production],
            "report_date": args.reported_on,
            "provision_date": args.date,
            **({"part_no": args.part} if args.part is not None else {}),
        }
        decision = screening.decide_technology(**{k: v for k, v in inputs.items() if k != "kind"})
        return _show(args, inputs, decision)
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
        **({"part_no": args.part} if args.part is not None else {}),
        **({"quantity": args.quantity} if args.quantity is not None else {}),
    }
    decision = screening.decide(**inputs, rates=parse_rates(args.rate))
    return _show(args, inputs, decision)


def _show(args, inputs: dict, decision) -> int:
    _record_audit(inputs, decision)
    if args.json:
        print(json.dumps(render.decision_dict(decision, args.lang), ensure_ascii=False, indent=2))
    else:
        print(render.cli_text(decision, args.lang, inputs.get("part_no")))
    return 0


def _record_audit(inputs: dict, decision) -> None:
    """Every check is recorded in the audit log (EXPORTSCREEN_HOME or $EXPORTSCREEN_AUDIT_URL)."""
    from exportscreen.audit import open_log

    with open_log().run(kind="check") as run:
        run.record(inputs, decision)
