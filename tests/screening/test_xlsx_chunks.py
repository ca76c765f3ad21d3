"""The order sheet read a chunk of rows at a time (exportscreen.xlsxcheck.SheetReader): the values python-calamine
gives for the whole sheet, whatever the chunks; rows far apart read apart; the counts of a sheet's rows."""

from __future__ import annotations

import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
import python_calamine as pc

from exportscreen import orders, xlsxcheck
from exportscreen.screening import screen_file
from tests.screening.test_hostile_xlsx import HEADER, MAIN, WB_RELS, build, cell, grid, line, refused, row


def _trimmed(r: list) -> list:
    """A row without the empty cells at its end (a chunk is as wide as its own widest row)."""
    n = len(r)
    while n and r[n - 1] == "":
        n -= 1
    return r[:n]


def whole_sheet(path, sheet: str) -> list[list]:
    """python-calamine's values of the whole sheet, from row 0 and column A (as SheetReader.rows gives them)."""
    ws = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    c0 = ws.start[1] if ws.start else 0
    return [_trimmed([""] * c0 + r) for r in ws.iter_rows()]


def read_rows(path, sheet: str) -> list[list]:
    reader = xlsxcheck.open_sheet(path, sheet)
    assert reader is not None
    return [_trimmed(r) for r in reader.rows()]


@pytest.mark.parametrize("date1904", [False, True])
def test_chunks_read_the_values_calamine_reads_from_the_whole_sheet(tmp_path, monkeypatch, date1904):
    wb = openpyxl.Workbook()  # shared strings, styles with date formats
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if date1904 else openpyxl.utils.datetime.CALENDAR_WINDOWS_1900
    ws = wb.active
    ws.title = "受注"
    ws.append(["仕向地", "品目", "金額", "出荷日", "時刻", "可否", "備考"])
    for i in range(300):
        r = i + 2
        if i % 37 == 5:
            continue  # a blank row
        ws.cell(r, 2 + (i % 3), ["米国", "北朝鮮", "中国"][i % 3])
        ws.cell(r, 3, 1000.5 * i)
        ws.cell(r, 4, date(2025, 1, 1 + i % 28)).number_format = "yyyy/mm/dd"
        ws.cell(r, 5, time(9, i % 60)) if i % 4 == 0 else ws.cell(r, 5, datetime(2025, 2, 3, 4, 5))
        ws.cell(r, 6, i % 2 == 0)
        ws.cell(r, 7 + i % 5, f"メモ {i}" * (i % 3))
    path = tmp_path / "o.xlsx"
    wb.save(path)
    expected = whole_sheet(path, "受注")
    monkeypatch.setattr(xlsxcheck, "READ", 2048)  # many chunks ...
    monkeypatch.setattr(xlsxcheck, "CHUNK_CELLS", 40)  # ... each read in several parts
    assert read_rows(path, "受注") == expected


def test_rows_far_apart_are_read_apart_and_both_decided(tmp_path):
    # one chunk of XML, but python-calamine would hold rows 2..1,048,576 × the used columns at once
    rows = HEADER + line(2, "米国") + line(1048576, "北朝鮮")
    p = build(tmp_path / "o.xlsx", rows)
    s = screen_file(p, as_of=date(2026, 1, 5), show_progress=False)
    assert s.lines == 2 and s.skipped == {"blank": 1048576 - 3}
    ws = pc.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("受注")
    assert ws.end == (1048575, 3)
    last = list(ws.iter_rows())[-1]
    assert last[:3] == ["北朝鮮", "非該当", "輸出禁止"]


def test_a_line_of_formulas_after_the_last_value_leaves_the_blank_count_alone(tmp_path):
    # row 3's formulas have no saved results: python-calamine reads no value there, so no row was counted blank
    rows = HEADER + line(2, "米国") + row(3, '<c r="A3"><f>"北朝鮮"</f></c>', '<c r="B3"><f>"非該当"</f></c>')
    p = build(tmp_path / "o.xlsx", rows)
    table = orders.read_order_table(p)
    assert [ln.row for ln in table.lines] == [1, 2] and table.blank_rows == 0 and table.formula_cells == {2: "A3, B3"}
    s = screen_file(p, as_of=date(2026, 1, 5), show_progress=False)
    assert s.lines == 2 and s.skipped == {}
    assert grid(p)[2][2] in ("要確認", "入力エラー")


def test_a_line_of_formulas_between_lines_is_no_longer_counted_blank(tmp_path):
    rows = HEADER + row(2, '<c r="A2"><f>"北朝鮮"</f></c>') + line(3, "米国") + row(5, cell("A5", "")) + line(6, "米国")
    table = orders.read_order_table(build(tmp_path / "o.xlsx", rows))
    assert [ln.row for ln in table.lines] == [1, 2, 5] and table.blank_rows == 2  # rows 4 and 5


SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
RICH = [
    "<si><t>仕向地</t></si>",
    "<si><t>品目</t></si>",
    '<si><r><rPr><b/></rPr><t>北</t></r><r><t xml:space="preserve">朝鮮</t></r><rPh sb="0" eb="1"><t>キタ</t></rPh>'
    '<phoneticPr fontId="1"/></si>',
    "<si/>",
    "<si><t>_x0041_米国&amp;</t></si>",
    "<si><t>非該当</t></si>",
]


def sst_workbook(path, rows: str, strings: list[str] = RICH):
    rels = WB_RELS.replace("</Relationships>", f'<Relationship Id="rId9" Type="{SST_REL}" Target="sharedStrings.xml"/>')
    sst = f'<sst {MAIN} count="{len(strings)}" uniqueCount="{len(strings)}">{"".join(strings)}</sst>'
    return build(
        path, rows, extra={"xl/_rels/workbook.xml.rels": rels + "</Relationships>", "xl/sharedStrings.xml": sst}
    )


def s_cell(ref: str, i: int, attrs: str = "") -> str:
    return f'<c r="{ref}"{attrs} t="s"><v>{i}</v></c>'


def test_shared_strings_written_inline_read_as_calamine_reads_them(tmp_path, monkeypatch):
    rows = (
        row(1, s_cell("A1", 0), s_cell("B1", 1))
        + row(2, s_cell("A2", 2, ' s="0"'), s_cell("B2", 5))
        + row(3, s_cell("A3", 3), s_cell("B3", 5))
        + row(4, s_cell("A4", 4), '<c r="B4" t="s"><v> 5 </v></c>')  # not the usual layout: read with the table
    )
    p = sst_workbook(tmp_path / "o.xlsx", rows)
    monkeypatch.setattr(xlsxcheck, "READ", 64)
    expected = whole_sheet(p, "受注")
    assert read_rows(p, "受注") == expected
    assert expected[1][:2] == ["北朝鮮", "非該当"] and expected[3][0] == "A米国&"
    s = screen_file(p, as_of=date(2026, 1, 5), show_progress=False)
    assert grid(p)[1][2] == "輸出禁止" and s.lines == 3


def test_a_shared_string_that_is_not_there_is_refused_in_one_line(tmp_path, capsys):
    rows = row(1, s_cell("A1", 0), s_cell("B1", 1)) + line(2, "米国") + row(3, s_cell("A3", 99), s_cell("B3", 5))
    refused(sst_workbook(tmp_path / "o.xlsx", rows), capsys, "o.xlsx")


@pytest.mark.parametrize(
    ("limit", "strings", "words"),
    [
        ("MAX_SHARED_STRINGS", RICH, ["sharedStrings.xml", "大きすぎます"]),  # the table: 400 bytes or more
        ("MAX_SHARED_STRING", [*RICH, "<si><t>" + "長" * 150 + "</t></si>"], ["7 番目", "大きすぎます"]),
    ],
)
def test_too_large_shared_strings_are_refused_in_one_line(tmp_path, monkeypatch, capsys, limit, strings, words):
    monkeypatch.setattr(xlsxcheck, limit, 300)
    p = sst_workbook(tmp_path / "o.xlsx", row(1, s_cell("A1", 0), s_cell("B1", 1)) + line(2, "米国"), strings)
    refused(p, capsys, *words)


def test_the_summary_tells_how_many_lines_are_in_hidden_rows(tmp_path, monkeypatch):
    hidden = ' hidden="1"'
    rows = (
        HEADER
        + row(2, cell("A2", "北朝鮮"), cell("B2", "非該当"), attrs=hidden)
        + line(3, "米国")
        + row(4, cell("A4", "米国"), cell("B4", "非該当"), attrs=hidden)
        + row(5, attrs=hidden)  # a hidden blank row is no line
    )
    monkeypatch.setattr(orders, "XLSX_BATCH", 2)  # counted batch by batch
    s = screen_file(build(tmp_path / "o.xlsx", rows), as_of=date(2026, 1, 5), show_progress=False)
    assert s.hidden_lines == 2
    assert "非表示の行: 2 行" in s.render("ja") and "lines in hidden rows: 2" in s.render("en")
    s = screen_file(build(tmp_path / "p.xlsx", HEADER + line(2, "米国")), as_of=date(2026, 1, 5), show_progress=False)
    assert s.hidden_lines == 0 and "非表示" not in s.render("ja")


def test_a_sheet_damaged_after_its_first_rows_is_refused_in_one_line(tmp_path, monkeypatch, capsys):
    rows = HEADER + "".join(line(n, f"米国{n * 7919 % 10007}") for n in range(2, 3000))
    p = build(tmp_path / "o.xlsx", rows)
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(p.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle : middle + 64] = b"\xff" * 64  # the header row reads; the rest is broken
    p.write_bytes(bytes(data))
    monkeypatch.setattr(xlsxcheck, "READ", 4096)
    refused(p, capsys, "o.xlsx")  # what the broken stream decodes to, or the stream itself, refused mid-way


def test_a_row_tag_with_other_white_space_is_checked_like_the_others(tmp_path, capsys):
    # <row\tr="5"> is not the usual layout: read the careful way, so row 3 after row 5 is still out of order
    rows = HEADER + line(5, "北朝鮮").replace("<row r=", "<row\tr=") + line(3, "米国")
    refused(build(tmp_path / "o.xlsx", rows), capsys, "行 3", "順番")
