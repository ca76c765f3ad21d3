"""exportscreen: the Python side of the LibreOffice Calc functions =SCREEN(…), =SCREEN_REASON(…), =SCREEN_TECH(…) …

Installed by ``exportscreen calc install`` into <profile>/user/Scripts/python/; the Basic module
Standard.ExportScreen calls these functions through the script provider. LibreOffice runs them in its own
Python (the system python3 with uno), so the paths of the exportscreen package and of the Python environment
it was installed in are written below at install time. Generated file: reinstall instead of editing it.

Whatever environment LibreOffice was started from, our modules come from those paths: they go first in sys.path,
and the entries PYTHONPATH put there (another environment's site-packages, with compiled modules of another
Python build) go behind LibreOffice's own (its program folder and the system Python's). Every message a cell can
show from here is one short Japanese line.
"""

import os
import re
import sys

EXPORTSCREEN_PATHS: list[str] = []  # filled in by exportscreen calc install
EXPORTSCREEN_PYTHON = ""  # the interpreter that ran the install (for the messages)


def _set_paths():
    """sys.path: the install paths, then LibreOffice's and the system Python's, then what PYTHONPATH added."""
    ours = [p for p in EXPORTSCREEN_PATHS if p]
    from_env = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}

    def foreign(p):  # from PYTHONPATH, and not LibreOffice's program folder (LibreOffice adds it there itself)
        if not p or os.path.abspath(p) not in from_env:
            return False
        return not any(os.path.isfile(os.path.join(p, f)) for f in ("pythonloader.py", "pythonscript.py", "uno.py"))

    rest = [p for p in sys.path if p not in ours]
    sys.path[:] = ours + [p for p in rest if not foreign(p)] + [p for p in rest if foreign(p)]


_set_paths()

_udfs = None
_import_error = None


def _one_line(text, limit):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why_not_imported(exc):
    """What an import failure was, in a few words: the missing module, or the module built for another Python."""
    name = getattr(exc, "name", None)
    text = str(exc)
    missing = re.search(r"No module named '([^']+)'", text)  # LibreOffice's import hook raises a plain ImportError
    if isinstance(exc, ImportError) and (missing or (isinstance(exc, ModuleNotFoundError) and name)):
        return f"モジュール {missing.group(1) if missing else name} がありません"
    if isinstance(exc, ImportError) and (".so" in text or "undefined symbol" in text or "cpython-" in text):
        return f"{name or 'モジュール'} が別の Python 用です"
    return _one_line(f"{type(exc).__name__}: {text}", 60)


def _load():
    global _udfs, _import_error
    if _udfs is None and _import_error is None:
        try:
            from exportscreen import functions

            _udfs = functions
        except Exception as exc:  # the cell shows why, never a traceback
            _import_error = _why_not_imported(exc)
    return _udfs


def _arg(name, value):
    """One argument as Calc's Basic hands it over, in the form the Excel functions take (see exportscreen.functions).

    Verified with LibreOffice 7.4: an empty cell arrives as None, a number as int when whole (a date as its
    serial, e.g. 46024) else float, TRUE as 1, a range as a tuple of row tuples; a cell holding an error
    value stops Calc before the call (the formula shows that error)."""
    if value is None:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, (tuple, list)):  # a range: tuple of row tuples
        return tuple(
            tuple(_arg(name, v) for v in row) if isinstance(row, (tuple, list)) else _arg(name, row) for row in value
        )
    if not isinstance(value, (int, float, str, bool)):
        return None  # a uno.Any / uno.Enum / ByteSequence: not a cell value
    return value


def _call(func, names, args):
    mod = _load()
    if mod is None:
        return (
            f"システムエラー: exportscreen を読み込めません（{_import_error}）。"
            "exportscreen calc install をやり直してください"
        )
    try:
        values = [_arg(n, v) for n, v in zip(names, args)]
        return getattr(mod, func)(*values)
    except Exception as exc:
        return f"システムエラー: {_one_line(f'{type(exc).__name__}: {exc}', 80)}（管理者に連絡してください）"


_LINE = (
    "country",
    "item",
    "hs",
    "end_user",
    "end_use",
    "inform",
    "value_jpy",
    "ship_date",
    "final_destination",
    "final_end_user",
)


_TECH = (
    "country",
    "item",
    "recipient",
    "residency",
    "specific_type",
    "influence_country",
    "hs",
    "method",
    "exemption",
    "inform",
    "end_use",
    "critical_tech",
    "overseas_production",
    "report_date",
    "provision_date",
    "part_no",
)


def screen(*args):
    return _call("SCREEN", _LINE, args)


def screen_reason(*args):
    return _call("SCREEN_REASON", _LINE, args)


def screen_tech(*args):
    return _call("SCREEN_TECH", _TECH, args)


def screen_tech_reason(*args):
    return _call("SCREEN_TECH_REASON", _TECH, args)


_PART = ("country", "part_no", "end_user", "end_use", "inform", "value_jpy", "ship_date")


def screen_part(*args):
    return _call("SCREEN_PART", _PART, args)


def part_class(*args):
    return _call("PART_CLASS", ("part_no",), args)


def licence_for(*args):
    return _call("LICENCE_FOR", ("country", "item_or_part", "end_user", "value_jpy", "ship_date"), args)


def country_group(*args):
    return _call("COUNTRY_GROUP", ("country", "as_of_date"), args)


def item_class(*args):
    return _call("ITEM_CLASS", ("item", "hs", "as_of_date"), args)


def rules_version(*args):
    return _call("RULES_VERSION", (), ())


def eul_match(*args):
    return _call("EUL_MATCH", ("name", "country"), args)


def diagnose(*args):
    """For support: which Python, which exportscreen, which rules."""
    mod = _load()
    if mod is None:
        where = f"python {sys.version.split()[0]} (installed from {EXPORTSCREEN_PYTHON}), sys.path {sys.path[:4]}"
        return f"exportscreen not importable: {_import_error} ({where})"
    import exportscreen

    return f"python {sys.version.split()[0]}; exportscreen {exportscreen.__file__}; {mod.RULES_VERSION()}"


g_exportedScripts = (
    screen,
    screen_reason,
    screen_tech,
    screen_tech_reason,
    screen_part,
    part_class,
    licence_for,
    country_group,
    item_class,
    rules_version,
    eul_match,
    diagnose,
)
