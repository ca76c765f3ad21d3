"""``exportscreen check --kind technology``: a technology line from the command line (issue 16 §6), through the real
CLI: text and JSON output, 事前報告要 as a decision, a bad option value as 入力エラー, and the audit record."""

from __future__ import annotations

import json

import pytest

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


# ------------------------------------------------------------------ the §6 contract: --overseas-production

CN_MLCC = ("--country", "中国", "--item", "非該当", "--hs", "8532.24", "--residency", "non-resident")


def _json(capsys, *args: str) -> dict:
    return json.loads(_check(capsys, *args, "--json"))


def test_overseas_production_flag_is_report_required_until_reported(capsys):
    d = _json(capsys, *CN_MLCC, "--critical-tech", "積層セラミックコンデンサ", "--overseas-production")
    assert d["decision"] == "REPORT_REQUIRED" and d["label"] == "事前報告要"
    assert d["item"]["purpose"] == "abroad" and d["item"]["labels"]["purpose"][0] == "海外での製造等・形態は未入力"
    (pre,) = [r for r in d["reasons"] if r["severity"] == "REPORT_REQUIRED"]
    assert (
        "外為法55条の8" in pre["ref"]
        and "71条9号" in pre["ref"]
        and "報告日を入力するまで提供できません" in pre["text"]
    )
    d = _json(
        capsys,
        *CN_MLCC,
        *("--critical-tech", "CT01", "--overseas-production", "--reported-on", "2026-01-05", "--date", "2026-02-01"),
    )
    assert d["decision"] != "REPORT_REQUIRED" and any("報告済" in r["text"] for r in d["reasons"])


def test_overseas_production_not_given_is_review_and_no_flag_answers_it(capsys):
    d = _json(capsys, *CN_MLCC, "--critical-tech", "CT01")
    assert d["decision"] == "REVIEW" and any(r["rule_id"] == "TECH-PREREPORT-PURPOSE-UNKNOWN" for r in d["reasons"])
    d = _json(capsys, *CN_MLCC, "--critical-tech", "CT01", "--no-overseas-production")
    assert any(r["rule_id"] == "TECH-PREREPORT-NOT-MANUFACTURE" for r in d["reasons"])
    assert not any(r["rule_id"].startswith("TECH-PREREPORT-PURPOSE") for r in d["reasons"])
    assert d["item"]["labels"]["purpose"][0] == "海外での製造等のためではない"


def test_purpose_names_the_form_and_excludes_the_flag(capsys):
    d = _json(capsys, *CN_MLCC, "--critical-tech", "CT01", "--purpose", "licensing")
    assert d["decision"] == "REPORT_REQUIRED" and "外国企業へのライセンス" in d["reasons"][0]["text"]
    with pytest.raises(SystemExit) as exc:  # argparse: one usage line and the error, exit 2
        cli.main(["check", "--kind", "technology", *CN_MLCC, "--overseas-production", "--purpose", "合弁"])
    assert exc.value.code == 2 and "--overseas-production" in capsys.readouterr().err


def test_group_a_says_the_scheme_does_not_apply(capsys):
    d = _json(
        capsys,
        *("--country", "US", "--item", "非該当", "--hs", "8532.24", "--residency", "non-resident"),
        *("--critical-tech", "CT01", "--overseas-production"),
    )
    assert d["decision"] == "NO_LICENSE" and any(r["rule_id"] == "TECH-PREREPORT-GROUP-A" for r in d["reasons"])


def test_text_output_names_the_recipients_country_and_the_provision_facts(capsys):
    out = _check(
        capsys,
        *CN_MLCC,
        *("--critical-tech", "CT01", "--overseas-production", "--method", "メール", "--exemption", "なし"),
    )
    lines = out.splitlines()
    assert lines[0] == "判定: 事前報告要 (REPORT_REQUIRED)"
    assert lines[1].startswith("提供先の国: 中華人民共和国 (CN)") and "仕向地" not in out
    assert "技術: 非該当  HS 8532.24" in lines and "居住性: 非居住者" in lines and "提供方法: メール" in lines
    assert "重要管理対象技術: CT01 積層セラミックコンデンサの設計・製造技術" in lines
    assert "海外での製造等: 海外での製造等・形態は未入力" in lines
    assert "  - [事前報告要] 重要管理対象技術「積層セラミックコンデンサの設計・製造技術」" in out
    out = _check(capsys, *CN_MLCC, "--critical-tech", "CT01", "--overseas-production", "--lang", "en")
    assert out.startswith("Decision: Prior report required (REPORT_REQUIRED)\nRecipient's country: China (CN)")
    assert "Critical technology: CT01 Multilayer ceramic capacitors (MLCC)" in out


def test_specific_type_resident_in_japan_is_screened_as_the_influencing_country(capsys):
    args = ("--country", "JP", "--item", "7の項(1)", "--residency", "resident", "--specific-type", "2")
    d = _json(capsys, *args, "--influence-country", "中国", "--critical-tech", "なし")
    assert d["decision"] == "LICENSE_REQUIRED" and d["country"]["iso2"] == "JP"
    assert d["item"]["labels"]["influence_country"][0] == "中華人民共和国（CN）"
    out = _check(capsys, *args)  # the influencing country not given: the 要確認 says so, the listed item decides
    assert out.startswith("判定: 許可要 (LICENSE_REQUIRED)\n提供先の国: 日本 (JP)") and "\n特定類型: 特定類型②" in out
    assert any(r["rule_id"] == "TECH-INFLUENCE-UNKNOWN" for r in _json(capsys, *args)["reasons"])


def test_options_of_the_other_kind_are_refused(capsys):
    from exportscreen.cli import main

    assert main(["check", "--country", "中国", "--item", "7の項(1)", "--overseas-production"]) == 2
    err = capsys.readouterr().err
    assert "--overseas-production は技術の提供の項目です" in err and err.count("\n") == 1
    assert main(["check", "--kind", "technology", *CN_MLCC, "--value-jpy", "100", "--lang", "en"]) == 2
    assert "--value-jpy: goods options" in capsys.readouterr().err


def test_rules_info_lists_the_designated_technologies(capsys):
    assert cli.main(["rules", "info", "--date", "2026-01-01", "--json"]) == 0
    ct = json.loads(capsys.readouterr().out)["critical_technologies"]
    assert ct["list_verified"] is False and ct["scheme_in_force"] is True
    first = ct["technologies"][0]
    assert first["id"] == "CT01" and "積層セラミックコンデンサ" in first["aliases"]
    assert first["valid_from"] == "2024-12-30" and first["in_force"] and first["mark"] == "[S]"
    assert cli.main(["rules", "info", "--date", "2024-12-01"]) == 0
    out = capsys.readouterr().out
    assert "重要管理対象技術（事前報告、外為法55条の8; 告示の原文で未検証" in out
    assert "  CT10 走査型・透過型電子顕微鏡の設計・製造技術 — 2024-12-30〜 [S] [基準日に効力なし]" in out
