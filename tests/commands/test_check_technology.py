"""``exportscreen check --kind technology``: a technology line from the command line (issue 16 §6), through the real
CLI: text and JSON output, 事前報告要 as a decision, a bad option value as 入力エラー, and the audit record."""

from __future__ import annotations

import json

from exportscreen import cli


def _check(capsys, *args: str) -> str:
    assert cli.main(["check", "--kind", "technology", *args]) == 0
    return capsys.readouterr().out


def test_report_required_in_json(capsys):
    out = _check(
        capsys,
        "--country",
        "中国",
        "--item",
        "非該当",
        "--hs",
        "8532.24",
        "--critical-tech",
        "CT01",
        "--purpose",
        "joint_venture",
        "--residency",
        "non-resident",
        "--json",
    )
    d = json.loads(out)
    assert d["decision"] == "REPORT_REQUIRED" and d["label"] == "事前報告要"
    assert d["item"]["kind"] == "technology" and d["item"]["critical_tech"] == "CT01"
    assert "外為法55条の8" in d["reasons"][0]["ref"]


def test_domestic_resident_and_reported(capsys):
    out = _check(capsys, "--country", "JP", "--item", "7の項(1)", "--residency", "resident", "--specific-type", "none")
    assert out.startswith("判定: 許可不要 (NO_LICENSE)") and "国内の居住者への提供" in out
    out = _check(
        capsys,
        "--country",
        "中国",
        "--item",
        "非該当",
        "--hs",
        "8532.24",
        "--critical-tech",
        "MLCC",
        "--purpose",
        "合弁",
        "--reported-on",
        "2026-01-05",
        "--date",
        "2026-02-01",
        "--lang",
        "en",
    )
    assert "reported on 2026-01-05" in out and "REPORT_REQUIRED" not in out


def test_bad_value_is_an_input_error_and_recorded(capsys):
    out = _check(capsys, "--country", "JP", "--item", "7の項(1)", "--specific-type", "④")
    assert "入力エラー (INVALID)" in out and "特定類型「④」" in out
    from exportscreen.audit import open_log

    recs = list(open_log().records())
    assert recs[-1]["inputs"]["kind"] == "technology" and recs[-1]["decision"] == "INVALID"
