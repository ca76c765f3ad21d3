"""Filled audit workbooks: sheets and values in openpyxl; the PDF rendered by headless LibreOffice."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_pg import sample_lines
from openpyxl import load_workbook
from sqlalchemy import text

from exportscreen import audit_export as L
from exportscreen.audit import AuditLog
from exportscreen.cli import main

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def log(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    yield log
    log.close()


def _screen(log, file="orders.xlsx"):
    with log.run(kind="screen", file=file, file_sha256="cd" * 32, sheet="受注") as run:
        for inputs, decision, row in sample_lines():
            run.record(inputs, decision, row=row)
    return run.id


def test_template_is_generated_by_the_tool(tmp_path):
    """The committed template is what tools/make_audit_template.py produces now."""
    out = tmp_path / "t.xlsx"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_audit_template.py"), str(out)], check=True, capture_output=True
    )
    fresh, committed = load_workbook(out), load_workbook(L.template_path())
    assert committed.sheetnames == fresh.sheetnames == [L.SUMMARY_SHEET, L.DETAIL_SHEET, L.TECH_SHEET, L.FORM_SHEET]
    for name in committed.sheetnames:
        a, b = fresh[name], committed[name]
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()], name
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges)), name
    form = committed[L.FORM_SHEET]
    headers = [form.cell(L.FORM_TABLE_HEADER_ROW, i + 1).value for i in range(len(L.FORM_COLUMNS))]
    assert headers[0] == "注文番号" and headers[-1] == "判定"
    for label in (
        "会社名",
        "審査者",
        "審査日",
        "規則バージョン",
        "外国ユーザーリスト版",
        "理由・法令根拠",
        "出荷可否",
        "承認者",
        "承認日",
        "備考",
        "担当者",
        "輸出管理責任者",
        "日付",
    ):
        assert any(c.value == label for row in form.iter_rows() for c in row), label
    texts = [c.value or "" for row in form.iter_rows() for c in row]
    for check in ("用途チェック", "需要者チェック", "明らかガイドライン"):
        assert any(t.startswith(check) for t in texts)
    assert texts.count("☐") == 3
    ps = form.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) == 9 and ps.fitToWidth == 1 and ps.fitToHeight == 0
    assert form.sheet_properties.pageSetUpPr.fitToPage
    assert form.print_title_rows.replace("$", "") == f"{L.FORM_TABLE_HEADER_ROW}:{L.FORM_TABLE_HEADER_ROW}"
    cells = L.form_cells()
    assert form[cells["line.reasons"]].alignment.wrap_text and form[cells["line.order_no"]].border.left.style == "thin"
    assert form[cells["line.value"]].number_format == L.YEN_FORMAT and form[cells["line.hs"]].number_format == "@"
    # the officer's 出荷可否 is a list: 可 / 否 / 条件付
    (dv,) = form.data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"可,否,条件付"' and str(dv.sqref) == cells["approval.decision"]
    detail = committed[L.DETAIL_SHEET]
    assert [c.value for c in detail[1]] == [h for _k, h, _w in L.DETAIL_COLUMNS]
    assert len(L.DETAIL_COLUMNS) <= 8 and detail.print_title_rows.replace("$", "") == "1:1"
    tech = [c.value for c in committed[L.TECH_SHEET][1]]
    assert {"記録ハッシュ", "前の記録のハッシュ", "規則バージョン", "記録番号 (seq)"} <= set(tech)


def _export(log, tmp_path, capsys, *extra):
    out = tmp_path / "out" / "審査.xlsx"
    assert main(["audit", "export", "--url", log.url, "--out", str(out), "--company", "株式会社テスト", *extra]) == 0
    return out, capsys.readouterr()


def test_export_run(log, tmp_path, capsys):
    _screen(log)
    rid = _screen(log)
    out, cap = _export(log, tmp_path, capsys, "--run", str(rid))
    assert "（6 件、取引審査票 4 枚）" in cap.out
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # atomic write left no temp file
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "サマリー",
        "明細",
        "技術情報",
        "審査票_A-1002",
        "審査票_A-1003",
        "審査票_A-1004",
        "審査票_A-1005",
    ]

    s = wb["サマリー"]
    counts = {
        s.cell(r, 1).value: s.cell(r, 2).value
        for r in range(L.SUMMARY_COUNTS_HEAD_ROW + 1, L.SUMMARY_COUNTS_HEAD_ROW + 2 + len(L.SUMMARY_CODES))
    }
    expected = {
        "輸出禁止": 1,
        "許可要": 1,
        "事前報告要": 0,
        "要確認": 1,
        "許可取得済": 0,
        "許可不要": 2,
        "入力エラー": 1,
        "合計": 6,
    }
    assert counts == expected
    assert len(s._charts) == 1
    info = {
        s.cell(L.SUMMARY_INFO_FIRST_ROW + i, 1).value: s.cell(L.SUMMARY_INFO_FIRST_ROW + i, 2).value
        for i in range(len(L.SUMMARY_INFO))
    }
    assert info["会社名"] == "株式会社テスト" and info["対象"] == f"実行ID {rid}" and info["審査件数"] == 6
    assert info["監査ログ検証"].startswith("OK") and info["規則バージョン"] == "2025.04"
    run_row = [s.cell(L.SUMMARY_RUNS_HEAD_ROW + 1, c).value for c in range(1, len(L.SUMMARY_RUN_COLUMNS) + 1)]
    assert run_row[0] == rid and "orders.xlsx" in run_row and "cd" * 32 in run_row and 6 in run_row

    d = wb["明細"]
    rows = list(d.iter_rows(values_only=True))
    header = list(rows[0])
    assert header == ["日時", "行", "注文番号", "品名／品番", "仕向地", "需要者", "判定", "主な理由"] and len(rows) == 7
    col = {h: i for i, h in enumerate(header)}
    assert [r[col["注文番号"]] for r in rows[1:]] == [f"A-100{i}" for i in range(1, 7)]
    assert [r[col["行"]] for r in rows[1:]] == [2, 3, 4, 5, 6, 7]
    assert [r[col["判定"]] for r in rows[1:]] == ["許可不要", "許可要", "要確認", "輸出禁止", "入力エラー", "許可不要"]
    assert rows[2][col["主な理由"]] == "別表第一2の項(12)に該当（輸出令別表第一 2の項(12); 外為法48条1項）"
    assert rows[3][col["主な理由"]].startswith("需要者が外国ユーザーリストに掲載")
    assert d.row_dimensions[3].height >= 15 and d.cell(3, col["主な理由"] + 1).alignment.wrap_text

    t = wb["技術情報"]
    rows = list(t.iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    assert rows[2][col["金額（円）"]] == 35000000 and t.cell(3, col["金額（円）"] + 1).number_format == L.YEN_FORMAT
    assert rows[2][col["HS"]] == "8457.10" and rows[2][col["記録番号 (seq)"]] == 9
    assert len(rows[2][col["記録ハッシュ"]]) == 64 and rows[2][col["判定コード"]] == "LICENSE_REQUIRED"

    f = wb["審査票_A-1002"]
    cells = L.form_cells()
    assert f[cells["company"]].value == "株式会社テスト"
    assert f[cells["rules_version"]].value == "2025.04" and f[cells["eul_version"]].value == "2025-02-28"
    assert f[cells["line.order_no"]].value == "A-1002" and f[cells["line.decision"]].value == "許可要"
    assert f[cells["line.item_class"]].value == "リスト規制" and f[cells["line.hs"]].value == "8457.10"
    assert f[cells["line.value"]].value == 35000000 and f[cells["line.value"]].number_format == L.YEN_FORMAT
    assert "外為法48条1項" in f[cells["line.reasons"]].value
    assert f[cells["file"]].value == "orders.xlsx" and f[cells["file_sha256"]].value == "cd" * 32
    assert f[cells["sheet_row"]].value == "受注 / 3"
    assert f.page_setup.orientation == "landscape" and f.page_setup.fitToWidth == 1
    assert f.print_title_rows.replace("$", "") == f"{L.FORM_TABLE_HEADER_ROW}:{L.FORM_TABLE_HEADER_ROW}"
    assert "☐" in [c.value for row in f.iter_rows() for c in row]
    assert f[cells["approval.decision"]].value is None and f[cells["approval.approver"]].value is None
    assert [str(dv.sqref) for dv in f.data_validations.dataValidation] == [cells["approval.decision"]]


def test_export_date_range_unique_sheet_names(log, tmp_path, capsys):
    _screen(log)
    _screen(log)
    out, cap = _export(log, tmp_path, capsys, "--from", "2000-01-01")
    wb = load_workbook(out)
    forms = [n for n in wb.sheetnames if n.startswith("審査票_")]
    assert len(forms) == len(set(forms)) == 8 and all(len(n) <= 31 for n in forms)
    assert "審査票_A-1002" in forms and "審査票_A-1002_9" in forms  # second run: row 3 is seq 9
    assert wb["サマリー"].cell(L.SUMMARY_COUNTS_HEAD_ROW + 1 + len(L.SUMMARY_CODES), 2).value == 12
    # an empty period still gives a valid workbook
    out2 = tmp_path / "empty.xlsx"
    assert (
        main(["audit", "export", "--url", log.url, "--from", "2000-01-01", "--to", "2000-01-02", "--out", str(out2)])
        == 0
    )
    assert load_workbook(out2).sheetnames == ["サマリー", "明細", "技術情報"]


def test_export_notes_a_broken_chain_and_unknown_run(log, tmp_path, capsys):
    rid = _screen(log)
    with log.engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET label = '許可不要' WHERE seq = 2"))
    out, cap = _export(log, tmp_path, capsys, "--run", str(rid))
    assert "警告: 監査チェーンに 1 件の問題があります" in cap.err
    assert load_workbook(out)["サマリー"].cell(L.SUMMARY_INFO_FIRST_ROW + 7, 2).value.startswith("NG")
    assert main(["audit", "export", "--url", log.url, "--run", "99", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "監査ログに実行 99 はありません" in capsys.readouterr().err
    args = ["audit", "export", "--url", log.url, "--run", "99", "--out", str(tmp_path / "x.xlsx"), "--lang", "en"]
    assert main(args) == 2
    assert "no run 99 in the audit log" in capsys.readouterr().err


def test_pdf_without_libreoffice_is_a_clear_message(log, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(L, "find_soffice", lambda: None)
    rid = _screen(log)
    out = tmp_path / "a.xlsx"
    assert main(["audit", "export", "--url", log.url, "--run", str(rid), "--out", str(out), "--pdf"]) == 1
    assert out.exists() and "LibreOffice (soffice) がインストールされていない" in capsys.readouterr().err


def test_pdf_holds_the_whole_table_on_each_page(log, tmp_path, capsys):
    if L.find_soffice() is None:
        if CI:
            pytest.fail("CI=true but LibreOffice (soffice) is not installed")
        pytest.skip("LibreOffice (soffice) not installed")
    if shutil.which("pdftotext") is None:
        if CI:
            pytest.fail("CI=true but pdftotext (poppler-utils) is not installed")
        pytest.skip("pdftotext (poppler-utils) not installed")
    rid = _screen(log)
    out, cap = _export(log, tmp_path, capsys, "--run", str(rid), "--pdf")
    pdf = out.with_suffix(".pdf")
    assert pdf.exists() and str(pdf) in cap.out
    txt = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = txt.split("\f")
    pages = [p for p in pages if p.strip()]
    detail = [p for p in pages if "主な理由" in p]
    forms = [p for p in pages if "取引審査票（安全保障貿易管理）" in p]
    assert len(forms) == 4  # one page per 取引審査票
    assert len(detail) == 1 and "注文番号" in detail[0]  # the rightmost column on the page of the leftmost one
    for order_no, p in zip(["A-1002", "A-1003", "A-1004", "A-1005"], forms):
        assert order_no in p
        for label in ("用途チェック", "需要者チェック", "出荷可否", "輸出管理責任者", "理由・法令根拠"):
            assert label in p


def test_exported_workbook_has_ordinary_file_permissions(tmp_path):
    import os
    import stat

    from conftest_pg import sample_lines

    from exportscreen.audit import open_log
    from exportscreen.audit_export import export

    log = open_log(f"sqlite:///{tmp_path}/perm.db")
    with log.run(kind="screen", file="x.xlsx", file_sha256="0" * 64) as run:
        for inputs, decision, row in sample_lines():
            run.record(inputs, decision, row=row)
    out = tmp_path / "audit.xlsx"
    old = os.umask(0o022)
    try:
        export(log, out, run_id=run.id)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_item_classes_read_in_japanese():
    from exportscreen.audit_export import item_class_text

    assert item_class_text("listed") == "リスト規制品（別表第一 1〜15の項）"
    assert item_class_text("16(1)") == "16の項(1)" and item_class_text("O") == "キャッチオール対象外"
    assert item_class_text("unknown").startswith("区分未定")


@pytest.mark.parametrize("kind", ["symlink", "folder", "read-only"])
def test_export_refuses_a_special_or_read_only_out(log, tmp_path, capsys, kind):
    rid = _screen(log)
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"the officer's own file")
    out = tmp_path / "out.xlsx"
    if kind == "symlink":
        out.symlink_to(real)
    elif kind == "folder":
        out.mkdir()
    else:
        out.write_bytes(b"kept")
        out.chmod(0o444)
    before = out.read_bytes() if out.is_file() else None
    assert main(["audit", "export", "--url", log.url, "--run", str(rid), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert real.read_bytes() == b"the officer's own file"
    assert (out.read_bytes() if out.is_file() else None) == before and out.is_symlink() == (kind == "symlink")


def test_a_text_longer_than_a_cell_is_cut_with_a_marker():
    from exportscreen.audit_export import cell_value
    from exportscreen.render import CELL_LIMIT, CUT_MARK

    long = "需要者が外国ユーザーリストに掲載\x01" * 3000  # 51,000 characters, a control character in each
    got = cell_value(long)
    assert len(got.encode("utf-16-le")) // 2 <= CELL_LIMIT and got.endswith(CUT_MARK["ja"])
    assert got.startswith("需要者が外国ユーザーリストに掲載\\x01需要者")  # spelled out, then cut
    assert cell_value("短い理由") == "短い理由" and cell_value(35000000) == 35000000
