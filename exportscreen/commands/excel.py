"""``exportscreen excel install``: make the spreadsheet functions (=SCREEN …) available to Excel on this PC.

Writes the xlwings user configuration ``~/.xlwings/xlwings.conf`` (``%USERPROFILE%\\.xlwings`` on Windows):
``"UDF MODULES","exportscreen_udfs"``, ``"PYTHONPATH","<the add-in folder holding exportscreen_udfs.py>"`` and
``"INTERPRETER_WIN","<this Python>"``, keeping every other key of the file.
The xlwings add-in (``xlwings addin install``) reads it; *Import Functions* on the xlwings ribbon then creates
the functions in the workbook.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.messages import tr
from exportscreen.state import data_dir

UDF_MODULE = "exportscreen_udfs"
_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"\s*$')


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "excel",
        help=tr(
            "Excel の関数（=SCREEN …）を xlwings で使えるようにする",
            "set up the Excel functions (=SCREEN …) through xlwings",
        ),
        description=tr("xlwings による Excel 連携（Windows）。", "Excel integration through xlwings (Windows)."),
    )
    sub = p.add_subparsers(dest="excel_command", required=True)
    inst = sub.add_parser(
        "install",
        help=tr(
            "xlwings のユーザー設定（UDF MODULES、PYTHONPATH、INTERPRETER_WIN）を書く",
            "write the xlwings user configuration (UDF MODULES, PYTHONPATH, INTERPRETER_WIN)",
        ),
        description=tr(
            "Excel の xlwings アドインがこの Python の関数 SCREEN、SCREEN_REASON、SCREEN_TABLE、COUNTRY_GROUP、"
            "ITEM_CLASS、RULES_VERSION、EUL_MATCH を見つけられるよう ~/.xlwings/xlwings.conf を書きます。"
            "ファイルのほかの設定はそのまま残します。",
            "Write ~/.xlwings/xlwings.conf so that Excel's xlwings add-in finds the functions "
            "SCREEN, SCREEN_REASON, SCREEN_TABLE, COUNTRY_GROUP, ITEM_CLASS, RULES_VERSION and EUL_MATCH in "
            "this Python. Other settings in the file are kept.",
        ),
    )
    inst.add_argument(
        "--interpreter",
        help=tr(
            "Excel が起動する python.exe（既定: このコマンドを動かしている Python）",
            "python.exe Excel should start (default: the one running this command)",
        ),
    )
    inst.add_argument(
        "--config",
        help=tr(
            "書き込む xlwings.conf（既定: ~/.xlwings/xlwings.conf）",
            "the xlwings.conf to write (default: ~/.xlwings/xlwings.conf)",
        ),
    )
    inst.set_defaults(func=run_install)


def user_home(windows: bool | None = None) -> Path:
    """%USERPROFILE% on Windows (what the xlwings VBA reads), else $HOME."""
    windows = os.name == "nt" if windows is None else windows
    if windows and os.environ.get("USERPROFILE"):
        return Path(os.environ["USERPROFILE"])
    return Path(os.environ.get("HOME") or Path.home())


def config_path(windows: bool | None = None) -> Path:
    return user_home(windows) / ".xlwings" / "xlwings.conf"


def _encoding() -> str:
    # The xlwings VBA reads the file with `Input #`, i.e. in the ANSI code page (cp932 on Japanese Windows).
    return "mbcs" if os.name == "nt" else "utf-8"


def read_config(path: Path) -> list[tuple[str, str]]:
    """The (key, value) pairs of an xlwings.conf, in file order; lines that are not ``"K","V"`` are dropped."""
    if not path.is_file():
        return []
    raw = path.read_bytes()
    for enc in (_encoding(), "utf-8", "cp932", "latin-1"):
        try:
            text = raw.decode(enc)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    out = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def write_config(path: Path, settings: dict[str, str]) -> list[tuple[str, str]]:
    """Set ``settings`` (keys matched case-insensitively) in the config at ``path``; keep the other keys."""
    for k, v in settings.items():
        if '"' in k or '"' in v or "\n" in v:
            raise UserError(
                f"xlwings.conf には二重引用符や改行を書けません: {k}={v!r}",
                f"xlwings.conf cannot hold a double quote or line break: {k}={v!r}",
            )
    pairs = read_config(path)
    wanted = {k.upper(): (k, v) for k, v in settings.items()}
    out, done = [], set()
    for k, v in pairs:
        if k.upper() in wanted:
            if k.upper() not in done:
                out.append(wanted[k.upper()])
                done.add(k.upper())
        else:
            out.append((k, v))
    out += [kv for key, kv in wanted.items() if key not in done]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f'"{k}","{v}"\r\n' for k, v in out)  # CRLF: VBA's Input # expects it
    try:
        files.write_text(path, text, encoding=_encoding())
    except UnicodeEncodeError:
        raise UserError(
            f"{path}: Windows のコードページで書けない文字がパスに含まれています",
            f"{path}: a path contains characters the Windows code page cannot write",
        ) from None
    return out


def python_path(pairs: list[tuple[str, str]]) -> str:
    """The PYTHONPATH setting with the add-in folder (``exportscreen_udfs.py``) first; entries already there kept."""
    folder = str(data_dir("addin"))
    current = next((v for k, v in pairs if k.upper() == "PYTHONPATH"), "")
    return ";".join([folder] + [p for p in current.split(";") if p and p != folder])


def run_install(args) -> int:
    path = Path(args.config) if args.config else config_path()
    interpreter = args.interpreter or sys.executable  # the xlwings DLL hides the console window itself
    written = write_config(
        path, {"UDF MODULES": UDF_MODULE, "PYTHONPATH": python_path(read_config(path)), "INTERPRETER_WIN": interpreter}
    )
    lang = args.lang
    print(tr(f"{path} を書きました:", f"wrote {path}:", lang))
    for k, v in written:
        print(f'  "{k}","{v}"')
    print(
        tr(
            "\n次の手順（Windows の Excel）:\n"
            "  1. xlwings addin install          （PC ごとに一度: xlwings アドインを Excel の XLSTART に入れる）\n"
            "  2. Excel: ファイル > オプション > トラスト センター > トラスト センターの設定 > マクロの設定:\n"
            "     「VBA プロジェクト オブジェクト モデルへのアクセスを信頼する」にチェック（Import Functions に必要）\n"
            "  3. workbook_templates/order_template.xlsx（受注一覧）を開き、.xlsm（マクロ有効）で保存する\n"
            "  4. xlwings リボン > Import Functions   -> =SCREEN(B3,C3)、=SCREEN_REASON(B3,C3) … が計算される\n"
            "  5. 確認: =RULES_VERSION() に規則のバージョンが出る。関数ウィザードの分類「輸出管理」に関数が並ぶ",
            "\nnext steps (Excel on Windows):\n"
            "  1. xlwings addin install          (once per PC: puts the xlwings add-in into Excel's XLSTART)\n"
            "  2. Excel: File > Options > Trust Center > Trust Center Settings > Macro Settings:\n"
            "     tick 'Trust access to the VBA project object model' (needed for Import Functions)\n"
            "  3. open workbook_templates/order_template.xlsx (受注一覧) and save it as .xlsm (macro-enabled)\n"
            "  4. xlwings ribbon tab > Import Functions   -> =SCREEN(B3,C3), =SCREEN_REASON(B3,C3) … calculate\n"
            "  5. check: =RULES_VERSION() shows the rules version; Function Wizard category 輸出管理 lists the "
            "functions",
            lang,
        )
    )
    return 0
