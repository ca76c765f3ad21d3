"""``exportscreen calc install``: the spreadsheet functions (=SCREEN …) in LibreOffice Calc."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "calc",
        help="set up the LibreOffice Calc functions (=SCREEN …)",
        description="LibreOffice Calc integration: Basic functions that call exportscreen's Python.",
    )
    sub = p.add_subparsers(dest="calc_command", required=True)
    inst = sub.add_parser(
        "install",
        help="install SCREEN, SCREEN_REASON, COUNTRY_GROUP, ITEM_CLASS, RULES_VERSION, EUL_MATCH "
        "into a LibreOffice profile",
        description="Put the Basic module Standard.ExportScreen and the Python script exportscreen_calc.py into a "
        "LibreOffice user profile. Close LibreOffice first: it rewrites its profile when it exits.",
    )
    inst.add_argument(
        "--profile",
        help="LibreOffice profile: the folder -env:UserInstallation names (e.g. ~/.config/libreoffice/4) or its "
        "user folder (default: ~/.config/libreoffice/4/user)",
    )
    inst.add_argument(
        "--no-python-check",
        action="store_true",
        help="install even if LibreOffice's Python is not the version of this environment",
    )
    inst.set_defaults(func=run_install)


def run_install(args) -> int:
    from exportscreen import calc

    res = calc.install(args.profile, python_check=not args.no_python_check)
    print(f"installed into the LibreOffice profile {res.profile}:")
    print(f"  Basic module   {res.module}" + ("  (new Basic library containers created)" if res.created_basic else ""))
    print(f"  Python script  {res.script}")
    print("  Python paths   " + "\n                 ".join(res.paths))
    if res.initialised:
        print("  profile        created by starting LibreOffice once (headless)")
    for w in res.warnings:
        print(f"  warning: {w}")
    if res.python is not None:
        print(f"  check          {res.python.describe()}")
        if res.python.office_python is None or not res.python.has_uno:
            print("  warning: install libreoffice-script-provider-python (Debian/Ubuntu) for Python macros")
    print(
        "\nnext steps:\n"
        "  1. close LibreOffice completely (also the quick starter), then start it again\n"
        "  2. open workbook_templates/order_template.xlsx or type =SCREEN(B3;C3) in a cell\n"
        "  3. check: =RULES_VERSION() shows the rules version (the same as `exportscreen rules`)\n"
        "  the functions use EXPORTSCREEN_HOME from the environment LibreOffice was started in; start LibreOffice\n"
        "  from the desktop menu or from a shell without a virtual environment (deactivate it first)"
    )
    return 0
