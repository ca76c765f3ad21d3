"""TICS self-check (issue 16 §5): the template generated from exportscreen.tics, every item citing its source with
its mark, and ``exportscreen tics report`` summarising a filled-in copy (Japanese first, --lang en), refusing a
file that is not the self-check with one line."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import openpyxl
import pytest

from exportscreen import cli, tics

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "workbook_templates" / "tics_selfcheck.xlsx"
sys.path.insert(0, str(REPO / "tools"))
import make_tics_template as gen  # noqa: E402


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_committed_template_is_what_the_generator_makes(tmp_path):
    out = tmp_path / "t.xlsx"
    gen.build(out)
    assert _cells(out) == _cells(TEMPLATE)


def test_items_cite_sources_and_marks():
    wb = openpyxl.load_workbook(TEMPLATE)
    ws = wb[tics.SHEET]
    assert [c.value for c in ws[tics.HEADER_ROW]] == tics.HEADERS
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=tics.FIRST_ROW)]
    col = {k: i for i, (k, _h, _w) in enumerate(tics.COLUMNS)}
    areas = [r[col["area"]] for r in rows]
    for area in ("管理者の選任", "情報の取扱い（管理・複製・廃棄等）", "従業員向けトレーニング", "情報のアクセス制限"):
        assert area in areas
    assert "保管する金庫・取扱エリアの確保" in areas and "情報システムのセキュリティ" in areas
    for r in rows:
        assert r[col["source"]] and r[col["mark"]] in ("[V]", "[S]", "[U]")
        assert r[col["level"]] in ("義務項目", "推奨項目", tics.LEVEL_UNKNOWN)
        if r[col["mark"]] != "[V]":
            assert r[col["level"]] == tics.LEVEL_UNKNOWN  # no 義務/推奨 claimed without a verified source
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"' + ",".join(tics.STATUSES) + '"'
    assert ws.page_setup.orientation == "landscape"
    summary = wb[tics.SUMMARY_SHEET]
    assert summary._charts and summary["B4"].value.startswith("=COUNTIF(")


def test_report_of_a_filled_in_copy(tmp_path, capsys):
    path = tmp_path / "mine.xlsx"
    shutil.copy(TEMPLATE, path)
    wb = openpyxl.load_workbook(path)
    ws = wb[tics.SHEET]
    col = {k: i + 1 for i, (k, _h, _w) in enumerate(tics.COLUMNS)}
    first = tics.FIRST_ROW
    for r, status, owner, evidence in (
        (first, "実施済", "総務部 佐藤", "情報管理規程 第3条"),
        (first + 1, "一部実施", "情報システム課", None),
        (first + 2, "未実施", None, None),
        (first + 3, "対象外", None, None),
        (first + 4, "たぶん", None, None),
    ):
        ws.cell(r, col["status"], status)
        ws.cell(r, col["owner"], owner)
        ws.cell(r, col["evidence"], evidence)
    wb.save(path)
    report = tics.read(path)
    n = len(tics.ITEMS)
    assert report.counts == {"実施済": 1, "一部実施": 1, "未実施": 1, "対象外": 1, "たぶん": 1, "未回答": n - 5}
    assert [r["status"] for r in report.unknown] == ["たぶん"]
    assert cli.main(["tics", "report", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"項目 {n}: 実施済 1 / 一部実施 1 / 未実施 1 / 対象外 1 / 未回答 {n - 5}" in out
    assert "2 情報の取扱い（管理・複製・廃棄等） — 一部実施（担当: 情報システム課）、証跡なし" in out
    assert "1 管理者の選任" not in out.split("対応が必要な項目:")[1]  # done items are not listed
    assert "読めない状況" in out and "'たぶん'" in out and "未確認[U]" in out
    assert cli.main(["tics", "report", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"{n} items: done 1 / partly 1 / not done 1 / not applicable 1" in out and "not verified [U]" in out


@pytest.mark.parametrize("kind", ["order template", "text", "missing", "other sheet"])
def test_not_the_self_check_is_refused_with_one_line(tmp_path, capsys, kind):
    if kind == "order template":
        path = REPO / "workbook_templates" / "order_template.xlsx"
    elif kind == "text":
        path = tmp_path / "x.xlsx"
        path.write_text("hello")
    elif kind == "missing":
        path = tmp_path / "none.xlsx"
    else:
        path = tmp_path / "o.xlsx"
        wb = openpyxl.Workbook()
        wb.active.title = tics.SHEET
        wb.active["A3"] = "No"
        wb.save(path)
    assert cli.main(["tics", "report", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert path.name in captured.err
