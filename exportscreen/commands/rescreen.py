"""``exportscreen rescreen``: which lines of a (screened) order workbook change decision under the newest
End User List — old and new side by side, so an officer sees at once which open orders a list update touches."""

from __future__ import annotations

import json

from exportscreen import render, screening
from exportscreen.commands import parse_date


def register(sub) -> None:
    p = sub.add_parser("rescreen", help="lines whose decision changes under the newest End User List")
    p.add_argument("path", help="order workbook (xlsx/xlsm/csv)")
    p.add_argument("--sheet")
    p.add_argument(
        "--date",
        help="as-of date for lines without a ship date (default: the later of today and the new list's effective date)",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("ja", "en"), default="ja")
    p.set_defaults(func=run)


def run(args) -> int:
    as_of = parse_date(args.date, "--date")
    about, changed = screening.rescreen(args.path, args.sheet, as_of)
    lang = args.lang
    if args.json:
        print(
            json.dumps(
                {
                    **about,
                    "changed": [
                        {
                            "row": c["row"],
                            "inputs": {
                                k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c["inputs"].items()
                            },
                            "old": c["old"].to_dict(lang),
                            "new": c["new"].to_dict(lang),
                        }
                        for c in changed
                    ],
                },
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    ja = lang == "ja"
    old_name = about["old_list"] or ("リストなし" if ja else "no list")
    where = f"{about['file']} [{about['sheet'] or '-'}]"
    print(f"{where}: {about['lines']} lines; {old_name} → {about['new_list']} (as of {about['as_of']})")
    if not changed:
        print("判定が変わる行はありません" if ja else "no line changes decision")
        return 0
    print(f"判定が変わる行: {len(changed)}" if ja else f"lines whose decision changes: {len(changed)}")
    for c in changed:
        kw, old, new = c["inputs"], c["old"], c["new"]
        line = f"{kw.get('country')} / {kw.get('item')} / {kw.get('end_user') or '-'}"
        print(f"  row {c['row']}: {line}: {render.label(old.code, lang)} → {render.label(new.code, lang)}")
        for r in new.reasons:
            if r not in old.reasons:
                print(f"      + {r.text(lang)} ({r.ref})")
    return 0
