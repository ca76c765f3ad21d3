"""``exportscreen config set | get | list | unset`` — the user's settings (審査者の名前、会社名)."""

from __future__ import annotations

from exportscreen import config
from exportscreen.messages import tr


def register(sub) -> None:
    p = sub.add_parser(
        "config",
        help=tr("設定（審査者の名前、会社名）", "settings (reviewer's name, company)"),
        description=tr(
            "設定は EXPORTSCREEN_HOME の config.json に保存されます。環境変数 "
            "EXPORTSCREEN_REVIEWER / EXPORTSCREEN_COMPANY があればそちらが優先します。審査者を設定しないと、"
            "OS のログイン名が記録されます。",
            "Settings are kept in config.json under EXPORTSCREEN_HOME. The environment variables "
            "EXPORTSCREEN_REVIEWER / EXPORTSCREEN_COMPANY override them. Without a reviewer, the OS login is recorded.",
        ),
    )
    cmds = p.add_subparsers(dest="config_command", required=True)
    keys = list(config.KEYS)
    key_help = tr("設定項目", "setting") + ": " + ", ".join(keys)
    s = cmds.add_parser("set", help=tr("設定する", "set a value"))
    s.add_argument("key", choices=keys, help=key_help)
    s.add_argument("value", help=tr('値（例: "山田 太郎"）', 'value (e.g. "山田 太郎")'))
    s.set_defaults(func=cmd_set)
    g = cmds.add_parser("get", help=tr("現在の値を表示する", "show the value in effect"))
    g.add_argument("key", choices=keys, help=key_help)
    g.set_defaults(func=cmd_get)
    u = cmds.add_parser("unset", help=tr("設定を消す", "remove a value"))
    u.add_argument("key", choices=keys, help=key_help)
    u.set_defaults(func=cmd_unset)
    ls = cmds.add_parser("list", help=tr("すべての設定と出どころ", "every setting and where it comes from"))
    ls.set_defaults(func=cmd_list)


def cmd_set(args) -> int:
    config.set_value(args.key, args.value)
    print(
        tr(
            f"{args.key} = {config.load()[args.key]}（{config.path()}）",
            f"{args.key} = {config.load()[args.key]} ({config.path()})",
            args.lang,
        )
    )
    env = config.KEYS[args.key][0]
    if config.source(args.key) == env:
        print(
            tr(
                f"注意: 環境変数 {env} が優先します",
                f"note: the environment variable {env} takes precedence",
                args.lang,
            )
        )
    return 0


def cmd_get(args) -> int:
    value = config.reviewer() if args.key == "reviewer" else config.get(args.key)
    if value is None:
        return 1
    print(value)
    return 0


def cmd_unset(args) -> int:
    config.set_value(args.key, None)
    print(tr(f"{args.key} を消しました", f"{args.key} removed", args.lang))
    return 0


def cmd_list(args) -> int:
    for key, (_env, ja, en) in config.KEYS.items():
        value, where = config.get(key), config.source(key)
        if value is None and key == "reviewer":
            value, where = config.reviewer(), tr("OS のログイン名", "OS login", args.lang)
        shown = value if value is not None else tr("（未設定）", "(not set)", args.lang)
        origin = f"  [{where}]" if where else ""
        print(f"{key} = {shown}{origin}  — {tr(ja, en, args.lang)}")
    return 0
