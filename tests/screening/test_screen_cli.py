"""``exportscreen screen``: the sample workbook end to end, in place and --out, csv, refusals, errors."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from exportscreen import cli, files, screening, xlsxpatch

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "workbook_templates" / "sample_orders.xlsx"

EXPECTED = {  # 受注番号 -> decision label (see tools/make_sample_workbook.py)
    "SO-2025-0101": "輸出禁止",
    "SO-2025-0102": "許可要",
    "SO-2025-0103": "要確認",
    "SO-2025-0104": "許可要",
    "SO-2025-0105": "要確認",
    "SO-2025-0106": "許可要",
    "SO-2026-0001": "許可不要",  # 15の項(1) at ¥40,000: the small-value exemption (別表第三の三: ¥50,000)
    "SO-2026-0002": "許可要",
    "SO-2026-0003": "許可不要",
    "SO-2026-0004": "許可要",
    "SO-2026-0005": "許可不要",
    "SO-2026-0006": "入力エラー",
}


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))


@pytest.fixture
def sample(tmp_path) -> Path:
    p = tmp_path / "orders.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


def rows(path: Path, sheet: str = "受注一覧") -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def test_sample_screened_copy_is_correct(sample, tmp_path, capsys):
    out = tmp_path / "screened.xlsx"
    before = sample.read_bytes()
    assert cli.main(["screen", str(sample), "--out", str(out), "--date", "2026-01-05"]) == 0
    assert sample.read_bytes() == before  # --out leaves the source alone
    got = {r[0]: r[9] for r in rows(out)[3:15]}
    assert got == EXPECTED
    reasons = {r[0]: r[10] for r in rows(out)[3:15]}
    assert "7の項(1)" in reasons["SO-2025-0102"] and "外為法48条1項" in reasons["SO-2025-0102"]
    assert "少額特例を適用" in reasons["SO-2026-0001"]
    assert "基準日 2025-11-04" in reasons["SO-2025-0101"]  # ship date, not --date, is the as-of date
    assert rows(out)[15][9] == "" and rows(out)[15][0] == "合計"  # totals row untouched
    text = capsys.readouterr().out
    assert "12 行を判定しました" in text and "輸出禁止 1 / 許可要 5 / 要確認 2 / 許可不要 3 / 入力エラー 1" in text
    assert "合計行 1" in text and str(out) in text and "基準日 2026-01-05" in text and "規則 R" in text
    # the rows that need action, with their order numbers (受注番号), decision and first reason
    assert "対応が必要な行: 9" in text
    assert "  4 行目 SO-2025-0101: 輸出禁止 — 北朝鮮向け" in text
    assert "  15 行目 SO-2026-0006: 入力エラー — 仕向地「Atlantis」が見つかりません" in text  # the label said once
    assert "SO-2025-0107" not in text  # 許可不要 lines are not listed
    # everything but the order sheet and the styles it adds to is byte-identical; the sheet keeps validation,
    # conditional formats and its print setup
    a, b = members(sample), members(out)
    assert sorted(k for k in a if a[k] != b[k]) == ["xl/styles.xml", "xl/worksheets/sheet1.xml"]
    ws = openpyxl.load_workbook(out)["受注一覧"]
    assert len(ws.data_validations.dataValidation) == 2 and len(ws.conditional_formatting) == 1
    assert ws["H16"].value == "=SUM(H4:H15)" and ws.freeze_panes == "C4"
    assert ws.print_area == "'受注一覧'!$A$1:$K$16" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # as wide as the page
    # 判定 in its decision's colour, 理由 wrapped, the row as high as the reason needs (test_cell_formats.py)
    assert ws["J4"].fill.fgColor.rgb == "FFFFC7CE" and ws["J4"].border.left.style == "thin"
    assert ws["K4"].alignment.wrap_text and ws["K4"].alignment.vertical == "top"
    assert ws.row_dimensions[4].height > 3 * 15 and ws.row_dimensions[16].height is None


def test_in_place_and_rerun_is_idempotent(sample, capsys):
    assert cli.main(["screen", str(sample), "--lang", "en"]) == 0
    first = rows(sample)
    assert first[3][9] == "Prohibited" and first[4][9] == "Licence required"
    assert "[rules R" in first[4][10] and "as of 2025-11-10" in first[4][10]
    assert cli.main(["screen", str(sample)]) == 0
    second = rows(sample)
    assert {r[0]: r[9] for r in second[3:15]} == EXPECTED
    assert len(second[2]) == len(first[2])  # no extra columns on the second run
    assert not [p for p in sample.parent.iterdir() if p.name.startswith((".~", "~$"))]


def test_summary_in_english_and_action_list_capped(tmp_path, capsys):
    p = tmp_path / "o.csv"
    p.write_text(
        "仕向地,品目\n" + "ドイツ,非該当\n" * 3 + "北朝鮮,非該当\n" * 25 + "Atlantis,非該当\n", encoding="utf-8"
    )
    assert cli.main(["--lang", "en", "screen", str(p), "--date", "2025-10-01"]) == 0
    text = capsys.readouterr().out
    assert "screened 29 lines (3 distinct)" in text and "as-of date 2025-10-01" in text
    assert "lines that need action: 26" in text and "  row 5: Prohibited — " in text  # no order number column
    assert text.count("  row ") == 20 and "  … and 6 more" in text and "row 30" not in text
    assert cli.main(["screen", str(p), "--date", "2025-10-01"]) == 0
    text = capsys.readouterr().out
    assert "対応が必要な行: 26" in text and "  5 行目: 輸出禁止 — " in text and "  … ほか 6 行" in text


def test_order_number_column_is_read_apart_from_the_engine_fields():
    from exportscreen import orders

    for head in ("注文番号", "受注番号", "Order No.", "PO", "Invoice No", "PO Number"):
        assert orders.match_column(head) == "order_no", head
    assert "order_no" not in orders.FIELDS


def test_missing_output_columns_created_with_header_style(tmp_path, monkeypatch):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Orders")
    head = wb.add_format({"bold": True, "bg_color": "#FFFF00"})
    ws.write_row(0, 0, ["Destination", "Classification", "Value", "備考"], head)
    ws.write_row(1, 0, ["Germany", "非該当", 100])
    ws.write_row(2, 0, ["Germany", "非該当", 100])  # repeated line
    ws.write_row(3, 0, [None, None, None, "note only in 備考"])
    wb.close()
    from exportscreen import engine

    calls = []
    real = engine._facts

    def counting(*a, **k):  # the engine's work for a line it has not decided before
        calls.append(a)
        return real(*a, **k)

    monkeypatch.setattr(engine, "_facts", counting)
    summary = screening.screen_file(path, show_progress=False)
    assert len(calls) == 1 and summary.lines == 2 and summary.unique_lines == 1
    assert summary.columns_created == ["判定", "理由"]
    got = openpyxl.load_workbook(path)["Orders"]
    assert got["E1"].value == "判定" and got["F1"].value == "理由"
    assert got["E1"].font.b and got["F1"].fill.fgColor.rgb == got["D1"].fill.fgColor.rgb
    assert got.column_dimensions["E"].width == 12 and got.column_dimensions["F"].width == 70
    assert got["F2"].alignment.wrap_text and got["E2"].fill.fill_type == "solid"
    assert got["E2"].value == got["E3"].value and got["E2"].value in ("許可不要", "要確認")
    assert got["F2"].value == got["F3"].value and "[規則 R" in got["F2"].value
    assert got["E4"].value is None  # a row with only a remark is not an order line


def test_date_option_is_the_as_of_date_for_lines_without_ship_date(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("仕向地,品目\nドイツ,非該当\n", encoding="utf-8")
    assert cli.main(["screen", str(p), "--date", "2025-10-01"]) == 0
    assert "基準日 2025-10-01" in p.read_text(encoding="utf-8")
    assert cli.main(["screen", str(p), "--date", "01/10/2025"]) == 2


def test_csv_in_and_out_keeps_the_clerks_cells_as_they_were(tmp_path):
    src = tmp_path / "orders.csv"
    src.write_text(
        'title\n仕向地,品目,需要者\n米国,7の項(1),"=HYPERLINK(""http://x"",""y"")"\nAtlantis,非該当,@evil\n'
        ",,\n合計,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert cli.main(["screen", str(src), "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "title" and lines[1] == "仕向地,品目,需要者,判定,理由"
    assert lines[2].startswith('米国,7の項(1),"=HYPERLINK(""http://x"",""y"")",許可要,')  # no ' added
    assert ",@evil,入力エラー," in out.read_text(encoding="utf-8")
    assert lines[-2:] == [",,", "合計,,"]  # rows we do not write are not padded


def test_refused_while_open_in_excel_or_locked(sample, capsys):
    before = sample.read_bytes()
    owner = sample.parent / f"~${sample.name}"
    owner.write_bytes(b"owner")
    assert cli.main(["screen", str(sample)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Excel か LibreOffice で開かれています" in err
    assert cli.main(["screen", str(sample), "--lang", "en"]) == 2
    assert "open in Excel" in capsys.readouterr().err
    owner.unlink()
    with files.workbook_lock(sample):
        assert cli.main(["screen", str(sample)]) == 2
        assert "別の exportscreen の実行が書き込み中" in capsys.readouterr().err
        assert cli.main(["screen", str(sample), "--lang", "en"]) == 2
        assert "another exportscreen run" in capsys.readouterr().err
    assert sample.read_bytes() == before


@pytest.mark.parametrize("kind", ["password", "corrupt", "truncated", "not a workbook", "zip bomb", "missing"])
def test_bad_files_exit_2_with_one_line_and_no_traceback(kind, sample, tmp_path, capsys):
    p = tmp_path / "bad.xlsx"
    data = sample.read_bytes()
    if kind == "password":
        p.write_bytes(xlsxpatch.OLE_SIGNATURE + b"\0" * 4096)
    elif kind == "corrupt":
        p.write_bytes(data[:100] + b"\xff" * 400 + data[500:])
    elif kind == "truncated":
        p.write_bytes(data[: len(data) // 3])
    elif kind == "not a workbook":
        p.write_bytes(b"%PDF-1.4 not a workbook")
    elif kind == "zip bomb":
        with zipfile.ZipFile(sample) as zin, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zout:
            for i in zin.infolist():
                zout.writestr(i.filename, zin.read(i))
            zout.writestr("xl/media/pad.bin", b"\0" * (30 * 1024 * 1024))
    before = p.read_bytes() if p.exists() else None
    assert cli.main(["screen", str(p)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exportscreen: ") and err.count("\n") == 1 and "Traceback" not in err
    if before is not None:
        assert p.read_bytes() == before
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".~")]


def test_sheet_option_and_out_type_mismatch(sample, tmp_path, capsys):
    assert cli.main(["screen", str(sample), "--sheet", "使い方"]) == 2
    assert "受注表が見つかりません" in capsys.readouterr().err
    assert cli.main(["screen", str(sample), "--sheet", "使い方", "--lang", "en"]) == 2
    assert "no order table" in capsys.readouterr().err
    assert cli.main(["screen", str(sample), "--out", str(tmp_path / "x.csv")]) == 2
    assert cli.main(["screen", str(sample), "--sheet", "受注一覧", "--out", str(tmp_path / "x.xlsx")]) == 0


def test_every_line_is_recorded_in_the_audit_log(sample, tmp_path):
    from exportscreen.audit import open_log, sha256_of_file

    out = tmp_path / "screened.xlsx"
    screening.screen_file(sample, out=out, show_progress=False)
    log = open_log()
    (run,) = log.runs()
    records = log.records(run_id=run["id"])
    assert run["kind"] == "screen" and run["file"] == str(sample) and run["file_sha256"] == sha256_of_file(sample)
    assert [r["row"] for r in records] == list(range(4, 16)) and records[0]["label"] == "輸出禁止"
    got = openpyxl.load_workbook(out)["受注一覧"]
    header = [c.value for c in got[3]]
    col = header.index("判定") + 1
    assert [r["label"] for r in records] == [got.cell(r["row"], col).value for r in records]
    assert log.verify() == []


def test_screening_the_same_workbook_twice_records_the_same_content(sample, tmp_path):
    from exportscreen.audit import open_log

    for n in (1, 2):
        screening.screen_file(sample, out=tmp_path / f"s{n}.xlsx", show_progress=False)
    log = open_log()
    first, second = (log.records(run_id=r["id"]) for r in sorted(log.runs(), key=lambda r: r["id"]))
    volatile = {"ts", "run_id", "seq", "hash", "prev_hash"}
    assert len(first) == len(second) == 12
    assert [{k: v for k, v in r.items() if k not in volatile} for r in first] == [
        {k: v for k, v in r.items() if k not in volatile} for r in second
    ]
    assert log.verify() == []
