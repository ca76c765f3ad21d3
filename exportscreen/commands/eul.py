"""``exportscreen eul search NAME`` — look a party up in the End User List (外国ユーザーリスト) in force,
and ``exportscreen eul list`` — the stored versions. Importing is ``exportscreen rules import-eul``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from exportscreen import messages, render
from exportscreen.commands import add_lang, parse_date
from exportscreen.errors import UserError
from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "eul",
        help=tr(
            "外国ユーザーリスト: 名称の検索、取込済みの版の一覧",
            "End User List (外国ユーザーリスト): search names, list stored versions",
        ),
    )
    sub = p.add_subparsers(dest="eul_command", required=True)

    s = sub.add_parser(
        "search",
        help=tr(
            "名称・別名が NAME に一致する掲載を根拠つきで示す",
            "show the entries whose name or alias matches NAME, with explanations",
        ),
    )
    s.add_argument(
        "name",
        metavar="NAME",
        help=tr("企業名・組織名（文字種・全角半角は問わない）", "company or organisation name, any script or width"),
    )
    s.add_argument(
        "--country",
        "-c",
        default=None,
        help=tr("仕向国: ISO2、日本語名または英語名", "destination country: ISO2, Japanese or English name"),
    )
    s.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        metavar="DATE",
        help=tr("DATE 時点で適用される版を使う（既定: 今日）", "use the list in force on DATE; default today"),
    )
    add_lang(s)
    s.add_argument("--limit", type=int, default=10, help=tr("最大 N 件（既定 10）", "at most N entries (default 10)"))
    s.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    s.set_defaults(func=cmd_search)

    ls = sub.add_parser(
        "list", help=tr("取込済みの外国ユーザーリストの版（古い順）", "stored End User List versions, oldest first")
    )
    ls.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    ls.set_defaults(func=cmd_list)


def _active(as_of: date | None):
    from exportscreen.eul import in_force, load_lists

    lists = load_lists()
    if not lists:
        raise UserError(*messages.pair("no_eul"))
    day = as_of or date.today()
    active = in_force(lists, day)
    if active is None:
        first = lists[0]
        raise UserError(
            f"{day.isoformat()} 時点で適用される外国ユーザーリストがありません（最も古い {first.version} は "
            f"{first.effective.isoformat()} から適用）",
            f"no End User List in force on {day.isoformat()} (the earliest stored, {first.version}, "
            f"applies from {first.effective.isoformat()})",
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
        print(tr("外国ユーザーリストは取り込まれていません", "no End User List imported", args.lang))
    else:
        for r in rows:
            when = tr(f"施行 {r['effective']}", f"effective {r['effective']}", args.lang)
            count = tr(f"{r['entries']} 件", f"{r['entries']} entries", args.lang)
            print(f"{r['version']}\t{when}\t{count}\t{r['source']}\tsha256 {r['sha256'][:12]}")
    return 0
