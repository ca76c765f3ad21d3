"""``exportscreen rescreen``: which lines of a (screened) order workbook change under the newest End User List —
a new decision, or the same decision for new reasons (a newly listed buyer on a line that stays 許可要) — old and
new side by side, so an officer sees at once which open orders a list update touches."""

from __future__ import annotations

import json

from exportscreen import render, screening
from exportscreen.commands import add_lang, parse_date
from exportscreen.messages import tr


def register(sub) -> None:
    p = sub.add_parser(
        "rescreen",
        help=tr(
            "最新の外国ユーザーリストで判定・理由が変わる行を示す",
            "lines whose decision or reasons change under the newest End User List",
        ),
        description=tr(
            "受注表の各行を、最新の外国ユーザーリストとその前の版とで判定し、判定または理由が変わる行を"
            "旧 → 新 で示します。ブックには書き込みません。",
            "Screen each line under the newest End User List and under the one before, and show the lines whose "
            "decision or reasons change, old → new. The workbook is not written.",
        ),
    )
    p.add_argument("path", help=tr("受注表（xlsx/xlsm/csv）", "order workbook (xlsx/xlsm/csv)"))
    p.add_argument("--sheet", help=tr("受注表のあるシート", "worksheet holding the order table"))
    p.add_argument(
        "--date",
        help=tr(
            "出荷日のない行の基準日（既定: 今日と新しいリストの施行日の遅いほう）",
            "as-of date for lines without a ship date (default: the later of today and the new list's effective date)",
        ),
    )
    p.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    add_lang(p)
    p.set_defaults(func=run)


def _reason_lines(old, new, lang: str) -> list[str]:
    """The reasons that came (+) and went (-), with the End User List entries they name."""
    old_keys = dict(zip(screening.reason_key(old), old.reasons))
    new_keys = dict(zip(screening.reason_key(new), new.reasons))
    out = []
    for sign, keys, other in (("-", old_keys, new_keys), ("+", new_keys, old_keys)):
        for key, r in keys.items():
            if key not in other:
                out.append(f"      {sign} {r.text(lang)} ({r.ref})")
    return out


def run(args) -> int:
    as_of = parse_date(args.date, "--date")
    about, changed = screening.rescreen(args.path, args.sheet, as_of)
    lang = args.lang
    decisions = [c for c in changed if c["decision_changed"]]
    reasons = [c for c in changed if not c["decision_changed"]]
    if args.json:

        def item(c):
            return {
                "row": c["row"],
                "order_no": c["order_no"],
                "inputs": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c["inputs"].items()},
                "old": c["old"].to_dict(lang),
                "new": c["new"].to_dict(lang),
            }

        print(
            json.dumps(
                {**about, "changed": [item(c) for c in decisions], "reasons_changed": [item(c) for c in reasons]},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    old_name = about["old_list"] or tr("リストなし", "no list", lang)
    where = f"{about['file']} [{about['sheet'] or '-'}]"
    print(
        tr(
            f"{where}: {about['lines']} 行; {old_name} → {about['new_list']}（基準日 {about['as_of']}）",
            f"{where}: {about['lines']} lines; {old_name} → {about['new_list']} (as of {about['as_of']})",
            lang,
        )
    )
    if not changed:
        print(tr("判定・理由が変わる行はありません", "no line changes decision or reasons", lang))
        return 0
    for title, group in (
        (tr("判定が変わる行", "lines whose decision changes", lang), decisions),
        (tr("判定は同じで理由が変わる行", "lines whose decision stays but reasons change", lang), reasons),
    ):
        if not group:
            continue
        print(f"{title}: {len(group)}")
        for c in group:
            kw, old, new = c["inputs"], c["old"], c["new"]
            line = f"{kw.get('country')} / {kw.get('item')} / {kw.get('end_user') or '-'}"
            row = tr(f"{c['row']} 行目", f"row {c['row']}", lang) + (f" {c['order_no']}" if c["order_no"] else "")
            print(f"  {row}: {line}: {render.label(old.code, lang)} → {render.label(new.code, lang)}")
            for text in _reason_lines(old, new, lang):
                print(text)
    return 0
