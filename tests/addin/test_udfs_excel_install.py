"""``exportscreen excel install`` writes the xlwings user configuration and keeps the other keys."""

from __future__ import annotations

import sys
from pathlib import Path

from exportscreen.cli import main
from exportscreen.commands import excel
from exportscreen.state import data_dir

ADDIN = data_dir("addin")


def test_install_writes_a_new_config(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("USERPROFILE", raising=False)
    assert main(["excel", "install"]) == 0
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    raw = conf.read_bytes()
    assert (
        raw
        == (
            f'"UDF MODULES","exportscreen_udfs"\r\n"PYTHONPATH","{ADDIN}"\r\n"INTERPRETER_WIN","{sys.executable}"\r\n'
        ).encode()
    )
    out = capsys.readouterr().out
    assert f"{conf} を書きました:" in out and '"UDF MODULES","exportscreen_udfs"' in out
    assert "xlwings addin install" in out and "Import Functions" in out and "トラスト センター" in out
    assert main(["excel", "install", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"wrote {conf}:" in out and "Trust Center" in out


def test_install_keeps_other_keys_and_replaces_ours(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    conf = tmp_path / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    conf.write_text(
        '"LICENSE_KEY","abc-123"\n'
        '"udf modules","old_module;other"\n'
        "garbage line\n"
        '"INTERPRETER_MAC","/usr/local/bin/python3"\n'
        '"INTERPRETER_WIN","C:\\Old\\python.exe"\n'
        '"UDF MODULES","dup"\n'
        '"DEBUG UDFS","False"\n'
        '"PYTHONPATH","C:\\mine"\n'
    )
    assert main(["excel", "install", "--interpreter", r"C:\Python312\pythonw.exe"]) == 0
    assert excel.read_config(conf) == [
        ("LICENSE_KEY", "abc-123"),
        ("UDF MODULES", "exportscreen_udfs"),
        ("INTERPRETER_MAC", "/usr/local/bin/python3"),
        ("INTERPRETER_WIN", r"C:\Python312\pythonw.exe"),
        ("DEBUG UDFS", "False"),
        ("PYTHONPATH", f"{ADDIN};C:\\mine"),  # the user's own entries kept after ours
    ]
    # idempotent
    before = conf.read_bytes()
    assert main(["excel", "install", "--interpreter", r"C:\Python312\pythonw.exe"]) == 0
    assert conf.read_bytes() == before


def test_xlwings_reads_what_we_wrote(tmp_path, monkeypatch):
    """xlwings' own reader of the user config (used by its Python side) sees our keys."""
    import xlwings
    from xlwings import utils

    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["excel", "install"]) == 0
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(tmp_path / ".xlwings" / "xlwings.conf"))
    cfg = utils.read_user_config()
    assert (
        cfg["udf modules"] == "exportscreen_udfs"
        and cfg["pythonpath"] == str(ADDIN)
        and cfg["interpreter_win"] == sys.executable
    )


def test_windows_home_is_userprofile(tmp_path, monkeypatch):
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "prof"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert excel.config_path(windows=True) == tmp_path / "prof" / ".xlwings" / "xlwings.conf"
    assert excel.config_path(windows=False) == tmp_path / "home" / ".xlwings" / "xlwings.conf"


def test_the_configured_module_is_importable_and_has_the_functions(monkeypatch):
    import importlib

    monkeypatch.syspath_prepend(str(ADDIN))  # what xlwings does with the PYTHONPATH setting
    monkeypatch.setitem(sys.modules, excel.UDF_MODULE, None)  # restored (removed) after the test, like sys.path
    del sys.modules[excel.UDF_MODULE]
    mod = importlib.import_module(excel.UDF_MODULE)
    assert Path(mod.__file__).parent == ADDIN
    for name in (
        "SCREEN",
        "SCREEN_REASON",
        "SCREEN_TABLE",
        "COUNTRY_GROUP",
        "ITEM_CLASS",
        "RULES_VERSION",
        "EUL_MATCH",
    ):
        assert callable(getattr(mod, name))
