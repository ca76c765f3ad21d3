"""``exportscreen eul search NAME`` — look a party up in the End User List (外国ユーザーリスト) in force,
and ``exportscreen eul list`` — the stored versions. Importing is ``exportscreen rules import-eul``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from exportscreen import render
from exportscreen.commands import parse_date
from exportscreen.errors import UserError


def register(subparsers) -> None:
    p = subparsers.add_parser("eul", help="End User List (外国ユーザーリスト): search names, list stored versions")
    sub = p.add_subparsers(dest="eul_command", required=True)

    s = sub.add_parser("search", help="show the entries whose name or alias matches NAME, with explanations")
    s.add_argument("name", metavar="NAME", help="company or organisation name, any script or width")
    s.add_argument("--country", "-c", default=None, help="destination country: ISO2, Japanese or English name")
    s.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        metavar="DATE",
        help="use the list in force on DATE (YYYY-MM-DD); default today",
    )
    s.add_argument("--lang", choices=("ja", "en"), default="ja", help="language of the explanations")
    s.add_argument("--limit", type=int, default=10, help="at most N entries (default 10)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_search)

    ls = sub.add_parser("list", help="stored End User List versions, oldest first")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(func=cmd_list)


def _active(as_of: date | None):
    from exportscreen.eul import in_force, load_lists

    lists = load_lists()
    if not lists:
        raise UserError("no End User List imported; run `exportscreen rules import-eul FILE.xlsx` first")
    day = as_of or date.today()
    active = in_force(lists, day)
    if active is None:
        first = lists[0]
        raise UserError(
            f"no End User List in force on {day.isoformat()} (the earliest stored, {first.version}, "
            f"applies from {first.effective.isoformat()})"
        )
    return active, day


def cmd_search(args) -> int:
    active, day = _active(parse_date(args.as_of, "--as-of"))
    hits = active.match(args.name, args.country, limit=args.limit)
    if args.json:
        print(
            json.dumps(
                {
                    "query": args.name,
                    "country": args.country,
                    "as_of": day.isoformat(),
                    "eul_version": active.version,
                    "thresholds": {"hit": active.thresholds.hit, "possible": active.thresholds.possible},
                    "hits": [render.hit_dict(h, args.lang) for h in hits],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    en = args.lang == "en"
    head = (
        f"{active.version}, in force on {day.isoformat()}"
        if en
        else f"{active.version}（{day.isoformat()} 時点で適用）"
    )
    print(head)
    if not hits:
        print("No entry matches." if en else "該当する掲載はありません。")
        return 0
    for h in hits:  # rendered by exportscreen.render, like 理由, =EUL_MATCH and the audit workbook
        head, *why = render.hit_lines(render.hit_dict(h, args.lang, explain=False), args.lang)
        print(head)
        for line in why:
            print(f"    ・{line}" if not en else f"    - {line}")
    return 0


def cmd_list(args) -> int:
    from exportscreen.eul import load_lists

    lists = load_lists()
    rows: list[dict[str, Any]] = [
        {
            "version": e.version,
            "list_date": e.list_date.isoformat(),
            "effective": e.effective.isoformat(),
            "entries": len(e.entries),
            "source": e.source_name,
            "sha256": e.sha256,
        }
        for e in lists
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        print("no End User List imported")
    else:
        for r in rows:
            print(f"{r['version']}\teffective {r['effective']}\t{r['source']}\tsha256 {r['sha256'][:12]}")
    return 0
