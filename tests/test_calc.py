"""``exportscreen calc install`` without starting LibreOffice: the files it writes, and the bridge script run by
the system python3 (LibreOffice's Python) with the paths written into it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exportscreen import calc, screening, state
from exportscreen.cli import main


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """A profile that looks already used (so install does not start LibreOffice to create it)."""
    p = tmp_path / "lo" / "user"
    p.mkdir(parents=True)
    (p / "registrymodifications.xcu").write_text("<oor:items/>")
    return p


def test_install_writes_module_script_and_library_entries(profile, capsys):
    assert main(["calc", "install", "--profile", str(profile)]) == 0
    out = capsys.readouterr().out
    assert str(profile) in out and "close LibreOffice" in out
    script = profile / "Scripts" / "python" / "exportscreen_calc.py"
    module = profile / "basic" / "Standard" / "ExportScreen.xba"
    xlb = (profile / "basic" / "Standard" / "script.xlb").read_text()
    assert script.is_file() and module.is_file()
    assert 'library:name="ExportScreen"' in xlb
    assert (profile / "basic" / "script.xlc").is_file() and (profile / "basic" / "dialog.xlc").is_file()
    text = script.read_text()
    assert repr(calc.package_paths()) in text and "g_exportedScripts" in text
    assert str(Path(calc.exportscreen.__file__).resolve().parent.parent) in calc.package_paths()


def test_module_declares_every_function_with_optional_arguments():
    src = calc.basic_module()
    assert "Function SCREEN(country As Variant, item As Variant, Optional hs As Variant," in src
    assert "Optional ship_date As Variant) As Variant" in src
    for name, func, _params, _req in calc.FUNCTIONS:
        assert f"Function {name}(" in src and f'ExportScreenCall("{func}"' in src
    assert "Function RULES_VERSION() As Variant" in src


def test_module_is_well_formed_xml(profile):
    import xml.etree.ElementTree as ET

    calc.install(profile, python_check=False)
    root = ET.parse(profile / "basic" / "Standard" / "ExportScreen.xba").getroot()
    assert root.get("{http://openoffice.org/2000/script}name") == "ExportScreen"
    assert 'getScript("vnd.sun.star.script:exportscreen_calc.py$"' in root.text
    ET.parse(profile / "basic" / "Standard" / "script.xlb")


def test_reinstall_is_idempotent_and_keeps_other_modules(profile):
    std = profile / "basic" / "Standard"
    std.mkdir(parents=True)
    (profile / "basic" / "script.xlc").write_text(calc.XLC)
    (std / "script.xlb").write_text(
        calc.XLB.format(
            elements=' <library:element library:name="Module1"/>\n <library:element library:name="MyTools"/>\n'
        )
    )
    (std / "MyTools.xba").write_text("keep me")
    calc.install(profile, python_check=False)
    calc.install(profile, python_check=False)
    xlb = (std / "script.xlb").read_text()
    assert xlb.count('library:name="ExportScreen"') == 1
    assert 'library:name="MyTools"' in xlb and 'library:name="Module1"' in xlb
    assert (std / "MyTools.xba").read_text() == "keep me"


def test_empty_self_closing_library_gets_the_module(profile):
    std = profile / "basic" / "Standard"
    std.mkdir(parents=True)
    (profile / "basic" / "script.xlc").write_text(calc.XLC)
    (std / "script.xlb").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<library:library xmlns:library="http://openoffice.org/2000/library" '
        'library:name="Standard" library:readonly="false" library:passwordprotected="false"/>\n'
    )
    calc.install(profile, python_check=False)
    import xml.etree.ElementTree as ET

    root = ET.parse(std / "script.xlb").getroot()
    assert [e.get("{http://openoffice.org/2000/library}name") for e in root] == ["ExportScreen"]


def test_python_version_mismatch_is_refused(profile, monkeypatch):
    monkeypatch.setattr(
        calc, "check_office_python", lambda python=None: calc.PythonCheck("/usr/bin/python3", (3, 9), has_uno=True)
    )
    from exportscreen.errors import UserError

    with pytest.raises(UserError, match="3.9"):
        calc.install(profile)
    assert calc.install(profile, python_check=False).script.is_file()


def test_office_python_check_on_this_machine():
    if not Path("/usr/bin/python3").is_file():
        pytest.skip("no /usr/bin/python3")
    check = calc.check_office_python("/usr/bin/python3")
    assert check.office_version is not None and check.office_python == "/usr/bin/python3"
    assert "python3" in check.describe()


SYSTEM_PY = "/usr/bin/python3"


@pytest.mark.skipif(not Path(SYSTEM_PY).is_file(), reason="no system python3")
def test_bridge_runs_in_the_system_python_with_the_installed_paths(profile, tmp_path):
    """The installed script, run by the system python3 (as LibreOffice runs it, without our venv), imports the
    package and its dependencies from the paths written in and gives the engine's answers."""
    if calc.check_office_python(SYSTEM_PY).office_version != sys.version_info[:2]:
        pytest.skip("system python3 is another version than this environment")
    calc.install(profile, python_check=False)
    script = profile / "Scripts" / "python" / "exportscreen_calc.py"
    probe = f"""
import json, runpy, sys
m = runpy.run_path({str(script)!r})
out = {{
    "screen": m["screen"]("米国", "7の項(1)", None, None, None, None, None, None),
    "reason": m["screen_reason"]("中国", "非該当", "8458.11", None, "軍事", None, 6800000, 46000),
    "empty": m["screen_reason"](None, "7の項(1)"),
    "group": m["country_group"]("イラク", None),
    "item": m["item_class"]("非該当", "3926.90", None),
    "version": m["rules_version"](),
    "range": m["screen_reason"]((("米国",), ("中国",)), "非該当"),
    "where": __import__("exportscreen").__file__,
    "exported": [f.__name__ for f in m["g_exportedScripts"]],
}}
print(json.dumps(out, ensure_ascii=False))
"""
    env = {"PATH": "/usr/bin:/bin", "EXPORTSCREEN_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8"}
    res = subprocess.run([SYSTEM_PY, "-I", "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    from datetime import date

    assert out["screen"] == "許可要"
    assert (
        out["reason"]
        == screening.decide("中国", "非該当", "8458.11", None, "軍事", None, 6800000, date(2025, 12, 9)).reason_text()
    )
    assert out["empty"].startswith("入力エラー: 仕向地が空です")
    assert out["group"] == "国連武器禁輸国（別表第三の二）"
    assert out["item"] == "16の項(2)"
    assert out["version"].startswith(f"規則 {state.rules().version}")
    assert out["range"].startswith("入力エラー: 仕向地に複数のセル")
    assert Path(out["where"]).resolve() == Path(calc.exportscreen.__file__).resolve()
    assert {"screen", "screen_reason", "country_group", "item_class", "rules_version", "eul_match"} <= set(
        out["exported"]
    )


@pytest.mark.skipif(not Path(SYSTEM_PY).is_file(), reason="no system python3")
def test_bridge_reports_a_missing_package_in_the_cell(tmp_path):
    script = tmp_path / "exportscreen_calc.py"
    script.write_text(calc.bridge_script(["/nonexistent"], "/nowhere/python"))
    probe = f"import runpy; m = runpy.run_path({str(script)!r}); print(m['screen']('米国', '7の項(1)'))"
    res = subprocess.run(
        [SYSTEM_PY, "-I", "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("システムエラー: exportscreen を読み込めません（ModuleNotFoundError")


def test_default_profile_is_the_linux_user_profile(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert calc.default_profile() == tmp_path / ".config" / "libreoffice" / "4" / "user"


def test_fresh_profile_without_soffice_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(calc, "find_soffice", lambda: None)
    res = calc.install(tmp_path / "new" / "user", python_check=False)
    assert res.module.is_file() and not res.initialised
    assert any("start LibreOffice once" in w for w in res.warnings)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_fresh_profile_is_initialised_first(tmp_path):
    res = calc.install(tmp_path / "fresh" / "user", python_check=False)
    assert res.initialised and (res.profile / "registrymodifications.xcu").is_file()
    assert 'library:name="ExportScreen"' in (res.profile / "basic" / "Standard" / "script.xlb").read_text()
