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
    assert str(profile) in out and "LibreOffice を完全に終了し" in out  # Japanese first
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
    assert "Optional ship_date As Variant, Optional final_destination As Variant," in src
    assert "Optional final_end_user As Variant) As Variant" in src
    from exportscreen.engine import ORDER_FIELDS

    # SCREEN takes every field of an order line but the 品番 (screening by part number is its own function), as the
    # Excel function does
    assert calc.LINE == tuple(f for f in ORDER_FIELDS if f != "part_no")
    from exportscreen.functions import TECH_ARGS

    assert calc.TECH == TECH_ARGS  # SCREEN_TECH: the Excel function's parameters, in order
    assert "Function SCREEN_TECH(country As Variant, item As Variant, Optional recipient As Variant," in src
    assert "Optional overseas_production As Variant, Optional report_date As Variant," in src
    from exportscreen.functions import PART_ARGS

    assert calc.PART == PART_ARGS  # SCREEN_PART: the Excel function's parameters, in order
    assert "Function SCREEN_PART(country As Variant, part_no As Variant, Optional end_user As Variant," in src
    assert "Function PART_CLASS(part_no As Variant) As Variant" in src
    from exportscreen.functions import LICENCE_ARGS

    assert calc.LICENCE == LICENCE_ARGS  # LICENCE_FOR: the Excel function's parameters, in order
    assert "Function LICENCE_FOR(country As Variant, item_or_part As Variant, Optional end_user As Variant," in src
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
    "tech": m["screen_tech"]("中国", "非該当", "華東電子", "非居住者", None, None, "8532.24", None, None, None, "民生",
                             "CT01", 1),
    "tech_reason": m["screen_tech_reason"]("中国", "7の項(1)", None, "非居住者", None, None, None, None, None, None,
                                          None, "MLCC", "合弁", 46027, 46054),
    "part": m["screen_part"]("米国", 12345.0),
    "part_class": m["part_class"](12345.0),
    "licence_for": m["licence_for"]("米国", "3の項(1)", None, None, 46174),
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
    assert out["tech"] == "事前報告要"  # TRUE arrives from Calc as 1
    assert out["part"] == "要確認"  # no 品番マスタ in this home: never 許可不要
    assert out["part_class"].startswith("要確認: 品番 12345 を調べる品番マスタがこの日付に取り込まれていません")
    assert out["licence_for"] == "許可要: 許可台帳が取り込まれていません（exportscreen licences import FILE）"
    reported = screening.decide_technology(
        country="中国", item="7の項(1)", residency="非居住者", critical_tech="MLCC", purpose="合弁",
        report_date=date(2026, 1, 5), provision_date=date(2026, 2, 1),
    )  # fmt: skip
    assert out["tech_reason"] == reported.reason_text() and "事前報告済（報告日 2026-01-05）" in out["tech_reason"]
    assert {f for _n, f, _p, _r in calc.FUNCTIONS} | {"diagnose"} == set(out["exported"])


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
    assert res.stdout == (
        "システムエラー: exportscreen を読み込めません（モジュール exportscreen がありません）。"
        "exportscreen calc install をやり直してください\n"
    )


def test_default_profile_is_the_linux_user_profile(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert calc.default_profile() == tmp_path / ".config" / "libreoffice" / "4" / "user"


def test_fresh_profile_without_soffice_warns(tmp_path, monkeypatch):
    monkeypatch.setattr(calc, "find_soffice", lambda: None)
    res = calc.install(tmp_path / "new" / "user", python_check=False)
    assert res.module.is_file() and not res.initialised
    assert any("start LibreOffice once" in en and "一度起動して閉じ" in ja for ja, en in res.warnings)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_fresh_profile_is_initialised_first(tmp_path):
    res = calc.install(tmp_path / "fresh" / "user", python_check=False)
    assert res.initialised and (res.profile / "registrymodifications.xcu").is_file()
    assert 'library:name="ExportScreen"' in (res.profile / "basic" / "Standard" / "script.xlb").read_text()


# ------------------------------------------------------------------------------------------ --profile


def test_profile_is_the_user_folder_or_the_folder_holding_it(tmp_path):
    root = tmp_path / "lo"
    user = root / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text("<oor:items/>")
    assert calc.resolve_profile(root) == user  # what -env:UserInstallation names
    assert calc.resolve_profile(user) == user
    assert calc.resolve_profile(str(root) + "/") == user
    # not used yet: a folder named user is the user folder, any other is a profile root
    assert calc.resolve_profile(tmp_path / "fresh" / "user") == tmp_path / "fresh" / "user"
    assert calc.resolve_profile(tmp_path / "fresh2") == tmp_path / "fresh2" / "user"
    (tmp_path / "empty").mkdir()
    assert calc.resolve_profile(tmp_path / "empty") == tmp_path / "empty" / "user"
    (tmp_path / "half" / "user").mkdir(parents=True)  # a root whose user folder LibreOffice has not filled yet
    assert calc.resolve_profile(tmp_path / "half") == tmp_path / "half" / "user"
    (tmp_path / "file").write_text("x")
    from exportscreen.errors import UserError

    with pytest.raises(UserError, match="not a folder"):
        calc.resolve_profile(tmp_path / "file")


def test_install_into_the_profile_root(profile, capsys):
    assert main(["calc", "install", "--profile", str(profile.parent)]) == 0
    assert (profile / "Scripts" / "python" / "exportscreen_calc.py").is_file()
    assert (profile / "basic" / "Standard" / "ExportScreen.xba").is_file()
    assert not (profile.parent / "Scripts").exists() and not (profile.parent / "basic").exists()
    assert f"LibreOffice のプロファイル {profile} に入れました:" in capsys.readouterr().out
    assert main(["calc", "install", "--profile", str(profile.parent), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"installed into the LibreOffice profile {profile}:" in out and "close LibreOffice" in out


# ------------------------------------------------------------------------------------------ environments


def _python(folder: Path, pyvenv: str | None = None, stdlib: str | None = None) -> Path:
    """A fake Python installation or venv: ``folder/bin/python3`` with a pyvenv.cfg or a standard library."""
    (folder / "bin").mkdir(parents=True)
    (folder / "bin" / "python3").write_text("#!/bin/sh\n")
    if pyvenv is not None:
        (folder / "pyvenv.cfg").write_text(pyvenv)
    if stdlib is not None:
        (folder / "lib" / f"python{stdlib}").mkdir(parents=True)
        (folder / "lib" / f"python{stdlib}" / "os.py").write_text("")
    return folder / "bin"


OFFICE = calc.OfficePython(prefix="/usr", bindir="/usr/bin", version="3.11", check=True)


def test_environments_libreoffice_python_cannot_start_in(tmp_path):
    venv = _python(tmp_path / "venv", pyvenv="home = /opt/python3.12/bin\ninclude-system-site-packages = false\n")
    own = _python(tmp_path / "own", pyvenv="home = /usr/bin/\ninclude-system-site-packages = false\n")
    shared = _python(tmp_path / "shared", pyvenv="home = /usr/bin\ninclude-system-site-packages = true\n")
    other_home = _python(tmp_path / "oh", pyvenv="home = /opt/py/bin\ninclude-system-site-packages = true\n")
    conda = _python(tmp_path / "conda", stdlib="3.11")
    conda12 = _python(tmp_path / "conda12", stdlib="3.12")
    shims = _python(tmp_path / "shims")
    system = "/usr/local/bin:/usr/bin:/bin"

    def problem(path: str, **env: str) -> str | None:
        return calc.environment_problem({"PATH": path, **env}, OFFICE)

    assert problem(system) is None
    assert problem(f"{venv}:{system}") == calc.MSG_VENV.format(tmp_path / "venv")
    assert problem(f"{venv}:{system}", VIRTUAL_ENV=str(tmp_path / "venv"), PYTHONPATH="/x") == calc.MSG_VENV.format(
        tmp_path / "venv"
    )
    assert problem(f"{own}/:{system}") == calc.MSG_VENV.format(tmp_path / "own")  # no system site: no uno
    assert problem(f"{shared}:{system}") is None  # a venv of LibreOffice's python3 with its system packages works
    assert problem(f"{other_home}:{system}") == calc.MSG_VENV.format(tmp_path / "oh")
    assert problem(f"{conda}:{system}") == calc.MSG_OTHER_PYTHON.format(conda)  # its own standard library
    assert problem(f"{conda12}:{system}") is None  # another version: Python falls back to its built-in prefix
    assert problem(f"{shims}:{venv}:{system}") is None  # the first python3 on PATH decides (pyenv shims)
    assert problem(f"{system}:{venv}") is None  # the venv's bin behind /usr/bin
    assert problem(f"relative/bin:{system}", VIRTUAL_ENV=str(tmp_path / "venv")) is None  # VIRTUAL_ENV alone
    assert problem(system, PYTHONHOME="/opt/python3.12") == calc.MSG_PYTHONHOME.format("/opt/python3.12")
    assert problem(system, PYTHONHOME="/usr/") is None
    assert problem(f"{venv}:{system}", PYTHONHOME="/usr") == calc.MSG_VENV.format(tmp_path / "venv")  # site.py
    off = calc.OfficePython(check=False)  # Windows, macOS: LibreOffice's own Python with its home set
    assert calc.environment_problem({"PATH": f"{venv}:{system}"}, off) is None
    for message in (calc.MSG_VENV, calc.MSG_OTHER_PYTHON, calc.MSG_PYTHONHOME, calc.MSG_NO_SCRIPT):
        assert message.startswith("システムエラー: ") and "\n" not in message and len(message.format("/x")) < 80


def test_install_from_an_activated_venv_warns(profile, tmp_path, monkeypatch, capsys):
    venv = _python(tmp_path / "venv", pyvenv="home = /opt/python3.12/bin\n")
    monkeypatch.setenv("PATH", f"{venv}:/usr/bin:/bin")
    monkeypatch.setenv("VIRTUAL_ENV", str(tmp_path / "venv"))
    monkeypatch.delenv("PYTHONHOME", raising=False)
    assert main(["calc", "install", "--profile", str(profile), "--no-python-check"]) == 0
    out = capsys.readouterr().out
    if sys.platform.startswith("linux"):
        assert f"注意: このシェルから起動した LibreOffice では関数が動きません: 仮想環境 {tmp_path / 'venv'}" in out


def test_module_checks_the_environment_against_libreoffice_python():
    office = calc.OfficePython(prefix="/opt/lo", bindir="/opt/lo/bin", version="3.12", check=True)
    src = calc.basic_module(office)
    assert 'Private Const ExportScreenPrefix = "/opt/lo"' in src
    assert 'Private Const ExportScreenBinDir = "/opt/lo/bin"' in src
    assert 'Private Const ExportScreenPyVersion = "3.12"' in src
    assert "Private Const ExportScreenCheckEnv = True" in src
    assert "Private Const ExportScreenCheckEnv = False" in calc.basic_module(calc.OfficePython(check=False))
    assert '"システムエラー: 仮想環境 " & sVenv & " が有効なまま' in src
    assert "ExportScreenCall = ExportScreenFailure(Error$)" in src
    assert 'システムエラー: " & Error$' not in src  # never LibreOffice's multi-line exception text
    check = calc.PythonCheck("/usr/bin/python3", (3, 11), has_uno=True, office_prefix="/usr")
    assert check.office() == calc.OfficePython(prefix="/usr", bindir="/usr/bin", version="3.11")


# ------------------------------------------------------------------------------------------ the bridge


@pytest.fixture
def bridge(tmp_path, monkeypatch):
    """The bridge script's functions, loaded in this Python (paths written: this package and environment)."""
    import runpy

    script = tmp_path / "exportscreen_calc.py"
    script.write_text(calc.bridge_script(calc.package_paths(), sys.executable))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return runpy.run_path(str(script))


def test_bridge_messages_are_one_short_japanese_line(bridge):
    why = bridge["_why_not_imported"]
    assert (
        why(ModuleNotFoundError("No module named 'rapidfuzz'", name="rapidfuzz")) == "モジュール rapidfuzz がありません"
    )
    assert (
        why(ImportError("No module named 'yaml' (or 'yaml.CLoader' is unknown UNO type)"))
        == "モジュール yaml がありません"
    )  # LibreOffice's import hook
    foreign = ImportError(
        "/venv/lib/python3.11/site-packages/rapidfuzz/_feature_detector_cpp.cpython-311-x86_64-linux-gnu.so: "
        "undefined symbol: _PyErr_SetLocaleString",
        name="rapidfuzz._feature_detector_cpp",
    )
    assert why(foreign) == "rapidfuzz._feature_detector_cpp が別の Python 用です"
    long = why(RuntimeError("x" * 500 + "\n" + "y"))
    assert long.startswith("RuntimeError: xxx") and len(long) == 60 and "\n" not in long

    def broken(*_args):
        raise KeyError("a\nb" * 100)

    mod = type(sys)("fake")
    mod.SCREEN = broken  # type: ignore[attr-defined]
    bridge["_load"].__globals__["_udfs"] = mod
    msg = bridge["screen"]("米国", "7の項(1)")
    assert msg.startswith("システムエラー: KeyError: ") and msg.endswith("（管理者に連絡してください）")
    assert "\n" not in msg and len(msg) < 120


@pytest.mark.skipif(not Path(SYSTEM_PY).is_file(), reason="no system python3")
def test_bridge_never_takes_modules_from_pythonpath(profile, tmp_path):
    """PYTHONPATH pointing at another environment (here: modules that raise when imported, one named like the
    standard library's csv) changes nothing: the installed paths, LibreOffice's and the system's come first."""
    if calc.check_office_python(SYSTEM_PY).office_version != sys.version_info[:2]:
        pytest.skip("system python3 is another version than this environment")
    poison = tmp_path / "other-venv" / "site-packages"
    for name in ("exportscreen", "yaml", "rapidfuzz", "pycountry"):
        (poison / name).mkdir(parents=True)
        (poison / name / "__init__.py").write_text(f"raise ImportError('{name} from another environment')\n")
    (poison / "csv.py").write_text("raise ImportError('csv from another environment')\n")
    calc.install(profile, python_check=False)
    script = profile / "Scripts" / "python" / "exportscreen_calc.py"
    probe = f"""
import json, runpy, sys
m = runpy.run_path({str(script)!r})
print(json.dumps([m["screen_reason"]("中国", "非該当", "8458.11", None, "軍事", None, 6800000, "R7.12.9"), sys.path]))
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(poison),
        "VIRTUAL_ENV": str(poison.parent),
        "EXPORTSCREEN_HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
    }
    res = subprocess.run([SYSTEM_PY, "-c", probe], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    reason, path = json.loads(res.stdout)
    from datetime import date

    expected = screening.decide("中国", "非該当", "8458.11", None, "軍事", None, 6800000, date(2025, 12, 9))
    assert reason == expected.reason_text()
    assert path[: len(calc.package_paths())] == calc.package_paths() and path[-1] == str(poison)
