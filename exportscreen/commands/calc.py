"""``exportscreen calc install``: the spreadsheet functions (=SCREEN …) in LibreOffice Calc."""

from __future__ import annotations

from exportscreen.messages import tr


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calc",
        help=tr(
            "LibreOffice Calc の関数（=SCREEN …）を使えるようにする",
            "set up the LibreOffice Calc functions (=SCREEN …)",
        ),
        description=tr(
            "LibreOffice Calc との連携: exportscreen の Python を呼ぶ Basic 関数。",
            "LibreOffice Calc integration: Basic functions that call exportscreen's Python.",
        ),
    )
    sub = p.add_subparsers(dest="calc_command", required=True)
    inst = sub.add_parser(
        "install",
        help=tr(
            "SCREEN、SCREEN_REASON、COUNTRY_GROUP、ITEM_CLASS、RULES_VERSION、EUL_MATCH を"
            " LibreOffice のプロファイルに入れる",
            "install SCREEN, SCREEN_REASON, COUNTRY_GROUP, ITEM_CLASS, RULES_VERSION, EUL_MATCH "
            "into a LibreOffice profile",
        ),
        description=tr(
            "Basic モジュール Standard.ExportScreen と Python スクリプト exportscreen_calc.py を LibreOffice の"
            "ユーザープロファイルに入れます。LibreOffice は終了時にプロファイルを書き直すので、先に閉じてください。",
            "Put the Basic module Standard.ExportScreen and the Python script exportscreen_calc.py into a "
            "LibreOffice user profile. Close LibreOffice first: it rewrites its profile when it exits.",
        ),
    )
    inst.add_argument(
        "--profile",
        help=tr(
            "LibreOffice のプロファイル: -env:UserInstallation が指すフォルダ（例 ~/.config/libreoffice/4）または"
            "その user フォルダ（既定: ~/.config/libreoffice/4/user）",
            "LibreOffice profile: the folder -env:UserInstallation names (e.g. ~/.config/libreoffice/4) or its "
            "user folder (default: ~/.config/libreoffice/4/user)",
        ),
    )
    inst.add_argument(
        "--no-python-check",
        action="store_true",
        help=tr(
            "LibreOffice の Python がこの環境と違う版でも入れる",
            "install even if LibreOffice's Python is not the version of this environment",
        ),
    )
    inst.set_defaults(func=run_install)


def run_install(args) -> int:
    from exportscreen import calc

    lang = args.lang
    res = calc.install(args.profile, python_check=not args.no_python_check)
    warning = tr("  注意: ", "  warning: ", lang)
    print(
        tr(
            f"LibreOffice のプロファイル {res.profile} に入れました:",
            f"installed into the LibreOffice profile {res.profile}:",
            lang,
        )
    )
    created = tr("（Basic ライブラリの入れ物を新しく作りました）", "  (new Basic library containers created)", lang)
    print(
        tr("  Basic モジュール  ", "  Basic module   ", lang) + str(res.module) + (created if res.created_basic else "")
    )
    print(tr("  Python スクリプト ", "  Python script  ", lang) + str(res.script))
    print(tr("  Python のパス     ", "  Python paths   ", lang) + "\n                 ".join(res.paths))
    if res.initialised:
        print(
            tr(
                "  プロファイル      LibreOffice を一度（画面なしで）起動して作りました",
                "  profile        created by starting LibreOffice once (headless)",
                lang,
            )
        )
    for ja, en in res.warnings:
        print(warning + tr(ja, en, lang))
    if res.python is not None:
        print(tr("  確認              ", "  check          ", lang) + res.python.describe(lang))
        if res.python.office_python is None or not res.python.has_uno:
            print(
                warning
                + tr(
                    "Python マクロには libreoffice-script-provider-python（Debian/Ubuntu）を入れてください",
                    "install libreoffice-script-provider-python (Debian/Ubuntu) for Python macros",
                    lang,
                )
            )
    print(
        tr(
            "\n次の手順:\n"
            "  1. LibreOffice を完全に終了し（クイック起動も）、起動し直す\n"
            "  2. workbook_templates/order_template.xlsx を開くか、セルに =SCREEN(B3;C3) と入力する\n"
            "  3. 確認: =RULES_VERSION() に規則のバージョンが出る（`exportscreen rules info` と同じ）\n"
            "  関数は LibreOffice を起動した環境の EXPORTSCREEN_HOME を使います。"
            "LibreOffice はデスクトップのメニューか、\n"
            "  仮想環境を無効にした（deactivate した）シェルから起動してください",
            "\nnext steps:\n"
            "  1. close LibreOffice completely (also the quick starter), then start it again\n"
            "  2. open workbook_templates/order_template.xlsx or type =SCREEN(B3;C3) in a cell\n"
            "  3. check: =RULES_VERSION() shows the rules version (the same as `exportscreen rules info`)\n"
            "  the functions use EXPORTSCREEN_HOME from the environment LibreOffice was started in; start LibreOffice\n"
            "  from the desktop menu or from a shell without a virtual environment (deactivate it first)",
            lang,
        )
    )
    return 0
