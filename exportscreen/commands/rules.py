"""``exportscreen rules``: what law data is loaded (``info``) and End User List imports (``import-eul``)."""

from __future__ import annotations

import json
from datetime import date

from exportscreen.commands import parse_date
from exportscreen.messages import tr


def register(sub) -> None:
    p = sub.add_parser("rules", help=tr("法令データ: info、import-eul", "law data: info, import-eul"))
    rs = p.add_subparsers(dest="rules_command", required=True)
    info = rs.add_parser(
        "info",
        help=tr(
            "読み込んだ法令データ、その版と日付、外国ユーザーリストを示す",
            "show the law data loaded, its version and dates, and the End User List",
        ),
    )
    info.add_argument(
        "--date",
        help=tr("この日に適用されるリストを示す（既定: 今日）", "show the lists in force on this date (default today)"),
    )
    info.add_argument("--json", action="store_true", help=tr("JSON で出力する", "print JSON"))
    info.set_defaults(func=run_info)
    imp = rs.add_parser(
        "import-eul",
        help=tr(
            "経済産業省の外国ユーザーリスト（xlsx）を取り込む",
            "import METI's End User List workbook (外国ユーザーリスト)",
        ),
    )
    imp.add_argument("path", help=tr("外国ユーザーリストのブック（.xlsx）", "the End User List workbook (.xlsx)"))
    imp.add_argument(
        "--date",
        help=tr(
            "リストの日付（既定: ファイル名から。例 20250929_4.xlsx）",
            "the list's date (default: from the file name, e.g. 20250929_4.xlsx)",
        ),
    )
    imp.add_argument(
        "--effective", help=tr("適用開始日（既定: リストの日付）", "the day it applies from (default: the list's date)")
    )
    imp.add_argument(
        "--replace",
        action="store_true",
        help=tr(
            "同じリストの日付で内容の違う版が取込済みなら置き換える（指定しなければ取り込まない）",
            "replace a stored version of the same list date whose content differs (refused without it)",
        ),
    )
    imp.set_defaults(func=run_import)
    snap = rs.add_parser(
        "snapshot",
        help=tr(
            "判定スナップショット（全仕向地 × 貨物 × 用途・インフォーム × 期間）を作り直す",
            "regenerate the decision snapshot (every country × goods × use/inform × period)",
        ),
        description=tr(
            "テストが比べる判定スナップショット（チェックアウトの tests/snapshots/decisions.csv）を書きます。"
            "法令データや判定エンジンを変えたら作り直し、差分を確認してください。",
            "Write the decision snapshot the tests compare against (tests/snapshots/decisions.csv in a "
            "checkout). Regenerate it after a change to the law data or the engine, and review its diff.",
        ),
    )
    snap.add_argument(
        "--out",
        help=tr(
            "書き込み先（既定: このチェックアウトの tests/snapshots/decisions.csv）",
            "where to write it (default: tests/snapshots/decisions.csv of this checkout)",
        ),
    )
    snap.add_argument(
        "--check",
        action="store_true",
        help=tr("比べるだけ。違いがあれば一覧にして終了コード 1", "only compare; exit 1 and list the changes if any"),
    )
    snap.set_defaults(func=run_snapshot)


def info_dict(day: date) -> dict:
    from exportscreen import state
    from exportscreen.state import rules as default_rules

    r = default_rules()
    eul = r.eul_on(day)
    return {
        "rules_version": r.version,
        "content_hash": r.content_hash,
        "latest_effective": r.latest_effective.isoformat(),
        "coverage_from": r.coverage_from.isoformat(),
        "files": list(r.files),
        "countries": len(r.countries),
        "items": len(r.items),
        "subitems": len(r.subitems),
        "as_of": day.isoformat(),
        "lists": {lid: {"name": lst.name_ja, "members": lst.on(day)} for lid, lst in r.lists.items()},
        "overlays": [o.id for o in r.overlays if o.period.covers(day)],
        "end_user_list": None
        if eul is None
        else {
            "version": eul.version,
            "list_date": eul.list_date.isoformat(),
            "effective": eul.effective.isoformat(),
            "entries": len(eul.entries),
        },
        "end_user_lists_imported": len(r.eul_lists),
        "critical_technologies": critical_technologies(r, day),
        "home": str(state.home()),
    }


def critical_technologies(r, day: date) -> dict:
    """The designated 重要管理対象技術 of the pre-report scheme (``check --kind technology --critical-tech`` takes an
    id or a name): whether the list is verified against the 告示, and each technology with its names, aliases,
    in-force dates, verification mark and source, and whether it is in force on ``day``."""
    s = r.technology.prereport
    return {
        "list_verified": s.list_verified,
        "scheme_in_force": s.period.covers(day),
        "technologies": [
            {
                "id": t.id,
                "name_ja": t.name_ja,
                "name_en": t.name_en,
                "aliases": list(t.aliases),
                "valid_from": t.period.valid_from.isoformat() if t.period.valid_from else None,
                "valid_to": t.period.valid_to.isoformat() if t.period.valid_to else None,
                "in_force": t.period.covers(day),
                "mark": t.mark,
                "source": t.period.source,
            }
            for t in s.technologies.values()
        ],
    }


def run_info(args) -> int:
    info = info_dict(parse_date(args.date, "--date") or date.today())
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"規則バージョン / rules version: {info['rules_version']}", end="  ")
    print(f"(最新施行日 {info['latest_effective']}, 対象期間 {info['coverage_from']}〜)")
    print(f"データ: {', '.join(info['files'])}")
    print(f"国・地域 {info['countries']}, 別表第一 {info['items']}項 / 細目 {info['subitems']}")
    print(f"基準日 {info['as_of']} の国リスト:")
    for lst in info["lists"].values():
        print(f"  {lst['name']}: {len(lst['members'])} — {' '.join(lst['members'])}")
    print(f"制裁: {', '.join(info['overlays'])}")
    eul = info["end_user_list"]
    imported = info["end_user_lists_imported"]
    if eul:
        print(f"外国ユーザーリスト: {eul['version']} (施行 {eul['effective']}, {eul['entries']} 件", end="")
        print(f"; 取込済み {imported} 版)")
    else:
        print(f"外国ユーザーリスト: 未読込（取込済み {imported} 版）— exportscreen rules import-eul PATH")
    ct = info["critical_technologies"]
    verified = "告示で検証済み" if ct["list_verified"] else "告示の原文で未検証 — 不足がありうる"
    print(f"重要管理対象技術（事前報告、外為法55条の8; {verified}）:")
    for t in ct["technologies"]:
        until = f"〜{t['valid_to']}" if t["valid_to"] else "〜"
        gone = "" if t["in_force"] else " [基準日に効力なし]"
        print(f"  {t['id']} {t['name_ja']} — {t['valid_from']}{until} {t['mark']}{gone}")
    print(f"保存先 / state: {info['home']}")
    return 0


def run_import(args) -> int:
    from exportscreen import eul
    from exportscreen.state import reset_rules

    list_date, effective = parse_date(args.date, "--date"), parse_date(args.effective, "--effective")
    lst = eul.import_list(args.path, list_date=list_date, effective=effective, replace=args.replace)
    reset_rules()
    counts: dict[str, int] = {}
    for e in lst.entries:
        counts[e.country] = counts.get(e.country, 0) + 1
    top = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    if args.lang == "en":
        print(f"imported {lst.version}: {len(lst.entries)} entries, {len(counts)} countries ({top}); ", end="")
        print(f"list date {lst.list_date}, effective {lst.effective}")
    else:
        print(f"{lst.version} を取り込みました: {len(lst.entries)} 件、{len(counts)} か国・地域（{top}）、", end="")
        print(f"リストの日付 {lst.list_date}、施行 {lst.effective}")
    return 0


def run_snapshot(args) -> int:
    from pathlib import Path

    from exportscreen import files, snapshot
    from exportscreen.errors import UserError
    from exportscreen.rules import bundled
    from exportscreen.state import data_dir

    if args.out:
        out = Path(args.out)
    else:
        out = data_dir("rules").parent / snapshot.DEFAULT_PATH
        if not out.parent.is_dir():
            raise UserError(
                "tests/snapshots フォルダがありません（インストールされたパッケージ）。"
                "--out で書き込み先を指定してください",
                "no tests/snapshots folder here (an installed package): give --out PATH",
            )
    text = snapshot.render(bundled())
    old = out.read_text(encoding="utf-8") if out.is_file() else ""
    lang = args.lang
    changes = (
        snapshot.diff(old, text) if old else [tr("（スナップショットはまだありません）", "(no snapshot yet)", lang)]
    )
    if args.check:
        for line in changes:
            print(line)
        return 1 if old != text else 0
    if old != text:
        files.write_text(out, text)
    rows = len(text.splitlines()) - 3
    if old == text:
        print(tr(f"{out}: {rows} 行、変更なし", f"{out}: {rows} rows; unchanged", lang))
    else:
        print(tr(f"{out}: {rows} 行、{len(changes)} 件の変更", f"{out}: {rows} rows; {len(changes)} change(s)", lang))
    for line in changes if old != text else []:
        print(f"  {line}")
    return 0
