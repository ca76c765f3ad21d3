"""``exportscreen rescreen``: which lines of a (screened) order workbook change decision under the newest
End User List — old and new side by side, so an officer sees at once which open orders a list update touches."""

from __future__ import annotations

import json
from datetime import date

from exportscreen.commands import parse_date
from exportscreen.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("rescreen", help="lines whose decision changes under the newest End User List")
    p.add_argument("path", help="order workbook (xlsx/xlsm/csv)")
    p.add_argument("--sheet")
    p.add_argument("--date", help="as-of date for lines without a ship date (default: the later of today and the new list's effective date)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("ja", "en"), default="ja")
    p.set_defaults(func=run)


def changes(path, sheet=None, as_of: date | None = None) -> tuple[dict, list[dict]]:
    """(about, changed lines): each changed line has row, inputs, old and new decisions."""
    from exportscreen import eul as eul_mod
    from exportscreen.engine import screen
    from exportscreen.orders import read_order_table
    from exportscreen.rules import bundled

    lists = eul_mod.load_lists()
    if not lists:
        raise UserError("no End User List is imported (exportscreen rules import-eul PATH)")
    newest = max(lists, key=lambda e: (e.effective, e.list_date))
    previous = tuple(e for e in lists if e is not newest)
    base = bundled()
    old_rules, new_rules = base.with_eul(previous), base.with_eul(lists)
    today = as_of or max(date.today(), newest.effective)
    table = read_order_table(path, sheet)
    changed = []
    for line in table.lines:
        kw = line.kwargs()
        old = screen(**kw, rules=old_rules, today=today)
        new = screen(**kw, rules=new_rules, today=today)
        if old.code != new.code:
            changed.append({"row": line.row + 1, "inputs": kw, "old": old, "new": new})
    previous_in_force = eul_mod.in_force(previous, today) if previous else None
    about = {"file": str(path), "sheet": table.sheet, "lines": len(table.lines), "as_of": today.isoformat(),
             "new_list": newest.version, "old_list": previous_in_force.version if previous_in_force else None}
    return about, changed


def run(args) -> int:
    as_of = parse_date(args.date, "--date")
    about, changed = changes(args.path, args.sheet, as_of)
    lang = args.lang
    if args.json:
        print(json.dumps({**about, "changed": [
            {"row": c["row"], "inputs": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in c["inputs"].items()},
             "old": c["old"].to_dict(lang), "new": c["new"].to_dict(lang)} for c in changed]}, ensure_ascii=False, indent=2, default=str))
        return 0
    ja = lang == "ja"
    old_name = about["old_list"] or ("リストなし" if ja else "no list")
    print(f"{about['file']} [{about['sheet'] or '-'}]: {about['lines']} lines; {old_name} → {about['new_list']} (as of {about['as_of']})")
    if not changed:
        print("判定が変わる行はありません" if ja else "no line changes decision")
        return 0
    print(f"判定が変わる行: {len(changed)}" if ja else f"lines whose decision changes: {len(changed)}")
    for c in changed:
        kw, old, new = c["inputs"], c["old"], c["new"]
        label = (lambda d: d.code.label) if ja else (lambda d: d.code.label_en)
        print(f"  row {c['row']}: {kw.get('country')} / {kw.get('item')} / {kw.get('end_user') or '-'}: {label(old)} → {label(new)}")
        for r in new.reasons:
            if r not in old.reasons:
                print(f"      + {r.text(lang)} ({r.ref})")
    return 0
