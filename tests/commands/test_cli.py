"""The ``exportscreen`` command line: check, rules info, rules import-eul — run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import SHARED

from exportscreen.cli import main

EUL_XLSX = SHARED / "reference" / "eul-2025-09-29-layout.xlsx"


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_check_json_shape_and_decision(capsys):
    out = run_json(
        capsys,
        "check",
        "--country",
        "中国",
        "--item",
        "非該当",
        "--hs",
        "8458.11",
        "--end-use",
        "military",
        "--end-user",
        "Foo Co",
        "--date",
        "2026-01-15",
        "--json",
    )
    assert out["decision"] == "LICENSE_REQUIRED" and out["label"] == "許可要"
    assert out["as_of"] == "2026-01-15" and out["rules_version"].startswith("R")
    assert out["country"]["iso2"] == "CN" and out["item"]["class"] == "16(1)"
    assert any("輸出令4条1項3号ハ" in r["ref"] for r in out["reasons"])


def test_check_invalid_input_exits_zero_with_message(capsys):
    out = run_json(capsys, "check", "--country", "Atlantis", "--item", "7の項(1)", "--json")
    assert out["decision"] == "INVALID" and "仕向地" in out["reasons"][0]["text"]


def test_check_text_output_in_english(capsys):
    assert main(["check", "--country", "North Korea", "--item", "NLR", "--hs", "0901.11", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Decision: Prohibited (PROHIBITED)" in text and "外為法48条3項" in text


def test_rules_info_without_end_user_list(capsys):
    info = run_json(capsys, "rules", "info", "--date", "2020-01-01", "--json")
    assert "KR" not in info["lists"]["group_a"]["members"] and len(info["lists"]["group_a"]["members"]) == 26
    assert info["end_user_list"] is None and info["rules_version"].startswith("R")


@pytest.mark.skipif(not EUL_XLSX.exists(), reason="shared reference End User List not available")
def test_import_eul_then_decisions_use_it(capsys):
    assert main(["rules", "import-eul", str(EUL_XLSX), "--date", "2025-09-29", "--effective", "2025-10-09"]) == 0
    assert "835 件" in capsys.readouterr().out
    info = run_json(capsys, "rules", "info", "--date", "2026-01-01", "--json")
    assert info["end_user_list"]["entries"] == 835

    # Before the list took effect no list is in force: 要確認 naming the missing list, never 許可不要.
    def check_on(day: str) -> dict:  # a civil lathe for a Thai buyer, on the day given
        args = ["--country", "タイ", "--item", "非該当", "--hs", "8458.11", "--end-use", "civil"]
        return run_json(capsys, "check", *args, "--end-user", "Siam Lathe Co", "--date", day, "--json")

    out = check_on("2025-10-01")
    assert out["decision"] == "REVIEW" and any("外国ユーザーリスト" in r["text"] for r in out["reasons"])
    out = check_on("2026-01-01")
    assert out["decision"] == "NO_LICENSE" and out["eul_version"]


def test_bad_option_is_one_line_not_a_traceback(tmp_path):
    env = {**os.environ, "EXPORTSCREEN_HOME": str(tmp_path)}
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_text("hello")
    p = subprocess.run(
        [sys.executable, "-m", "exportscreen.cli", "rules", "import-eul", str(bad), "--date", "2025-09-29"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.count("\n") == 1


def test_every_check_is_recorded_in_the_audit_log(capsys):
    from exportscreen.audit import open_log

    run_json(capsys, "check", "--country", "米国", "--item", "7の項(1)", "--json")
    run_json(capsys, "check", "--country", "Atlantis", "--item", "7の項(1)", "--json")
    records = open_log().records()
    assert [r["decision"] for r in records] == ["LICENSE_REQUIRED", "INVALID"]
    assert records[0]["inputs"]["country"] == "米国" and records[0]["rules_version"].startswith("R")
    assert open_log().verify() == []


def test_version_and_help_are_japanese_first(capsys, monkeypatch):
    from exportscreen import __version__

    monkeypatch.delenv("EXPORTSCREEN_LANG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"exportscreen {__version__}"
    with pytest.raises(SystemExit):
        main(["screen", "--help"])
    ja = capsys.readouterr().out
    assert "受注表" in ja and "基準日" in ja
    with pytest.raises(SystemExit):
        main(["screen", "--help", "--lang", "en"])
    en = capsys.readouterr().out
    assert "order workbook" in en and "受注表（" not in en
    monkeypatch.setenv("EXPORTSCREEN_LANG", "en")
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "Exit status" in capsys.readouterr().out


def test_errors_speak_the_language_chosen(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_LANG", raising=False)
    missing = str(tmp_path / "nothing.xlsx")
    assert main(["screen", missing]) == 2
    err = capsys.readouterr().err
    assert err == "exportscreen: nothing.xlsx: ファイルが見つかりません\n"
    assert main(["--lang", "en", "screen", missing]) == 2  # global option before the command
    assert capsys.readouterr().err == "exportscreen: nothing.xlsx: file not found\n"
    monkeypatch.setenv("EXPORTSCREEN_LANG", "en")
    assert main(["screen", missing]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["screen", missing, "--lang", "ja"]) == 2  # the option wins over the environment
    assert "ファイルが見つかりません" in capsys.readouterr().err
    assert main(["rules", "info", "--date", "someday"]) == 2
    assert "is not a date" in capsys.readouterr().err
    monkeypatch.delenv("EXPORTSCREEN_LANG")
    assert main(["rules", "info", "--date", "someday"]) == 2
    assert "日付として読めません" in capsys.readouterr().err


def test_argparse_own_texts_follow_the_language(capsys, monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_LANG", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["check"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("使い方: exportscreen check")
    assert err.splitlines()[-1] == "exportscreen check: エラー: 次の引数が必要です: --country"
    with pytest.raises(SystemExit):
        main(["check", "--country", "米国", "--item", "7(1)", "--end-use"])
    assert capsys.readouterr().err.splitlines()[-1].endswith("エラー: --end-use: 値を1つ指定してください")
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "オプション:" in out and "このヘルプを表示して終了する" in out and "バージョンを表示" in out
    with pytest.raises(SystemExit):
        main(["--lang", "en", "check"])
    err = capsys.readouterr().err
    assert err.startswith("usage: ") and "error: the following arguments are required: --country" in err


def test_closed_pipe_and_interrupt_end_quietly(tmp_path, monkeypatch, capsys):
    import exportscreen.commands.rules as rules_cmd

    def broken(args):
        raise BrokenPipeError(32, "Broken pipe")

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(rules_cmd, "run_info", broken)
    assert main(["rules", "info"]) == 141
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(rules_cmd, "run_info", interrupted)
    assert main(["rules", "info"]) == 130
    assert capsys.readouterr().err == "exportscreen: 中断しました\n"


def test_output_into_a_closed_pipe_is_no_traceback(tmp_path):
    env = {**os.environ, "EXPORTSCREEN_HOME": str(tmp_path), "PYTHONUNBUFFERED": ""}
    p = subprocess.Popen(
        [sys.executable, "-m", "exportscreen.cli", "rules", "info"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader went away before anything was written
    err = p.stderr.read().decode()
    assert p.wait() == 141 and "Traceback" not in err and err == ""
