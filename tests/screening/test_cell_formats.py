"""The 判定 and 理由 cells screening writes are readable: decision colours, wrapped and top-aligned reasons, rows as
high as their reasons, created columns wide enough — on top of the clerk's own styles, with styles.xml only added to
(exportscreen/xlsxstyles.py through exportscreen/xlsxpatch.py). The 理由 cell: decisive reason first, stamp last."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.styles import Border, Font, PatternFill, Side

from exportscreen import screening, xlsxstyles
from exportscreen.model import Code
from exportscreen.render import DECISION_COLOURS
from exportscreen.snapshot import GOODS, USES
from exportscreen.xlsxpatch import RowTexts, patch_workbook

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REASON = "北朝鮮向けは全貨物の輸出が禁止されています（承認を要し、承認されません）（外為法48条3項; 輸出令2条1項1号の2）"


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


@pytest.fixture
def clerk_book(tmp_path) -> Path:
    """A clerk's workbook: bordered cells with a number format in 判定/理由 on some rows, a tall row, a wide column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "受注"
    ws.append(["仕向地", "品目", "金額", "判定", "理由"])
    thin = Side(style="thin")
    for _ in range(4):
        ws.append(["北朝鮮", "非該当", 1000])
    for r in (2, 3):
        for c in (4, 5):
            cell = ws.cell(r, c)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.font = Font(name="Meiryo", size=9, italic=True)
            cell.number_format = "@"
    ws.row_dimensions[3].height = 300  # the clerk's own, higher than needed
    ws.column_dimensions["E"].width = 40
    ws["C2"].fill = PatternFill("solid", fgColor="00FF00")
    path = tmp_path / "clerk.xlsx"
    wb.save(path)
    return path


def _patch(src: Path, out: Path, reason: str = REASON + "\n" + REASON + "\n[規則 R1 / 基準日 2026-01-05]") -> None:
    cells = RowTexts((3, 4))
    for r in range(1, 6):
        cells.lines[r] = ("輸出禁止" if r != 4 else "許可不要", reason)
    patch_workbook(
        src,
        out,
        "受注",
        rows=cells,
        style_from_left_rows={0},
        formats=screening._formats(3, 4, "ja"),
        widths={3: 12.0, 4: 70.0},
    )


def test_written_cells_take_the_decision_colours_on_top_of_the_clerks_style(clerk_book, tmp_path):
    out = tmp_path / "out.xlsx"
    _patch(clerk_book, out)
    ws = openpyxl.load_workbook(out)["受注"]
    fill, font = DECISION_COLOURS[Code.PROHIBITED]
    for r in (2, 3, 6):  # styled cells, a bare cell, a created row
        d, e = ws.cell(r, 4), ws.cell(r, 5)
        assert d.fill.fgColor.rgb == "FF" + fill and d.font.color.rgb == "FF" + font and d.font.b
        assert d.alignment.vertical == "top" and e.alignment.vertical == "top" and e.alignment.wrap_text
    assert ws["D5"].fill.fgColor.rgb == "FF" + DECISION_COLOURS[Code.NO_LICENSE][0]
    for c in ("D2", "E2"):  # the clerk's border, number format and font stay
        assert ws[c].border.left.style == "thin" and ws[c].number_format == "@"
        assert ws[c].font.name == "Meiryo" and ws[c].font.i and ws[c].font.sz == 9
    assert ws["E2"].fill.fill_type is None and not ws["E2"].font.b  # 理由 is not coloured
    assert ws["D1"].fill.fill_type is None and ws["D1"].value == "判定"  # the header row is left alone
    assert ws["C2"].fill.fgColor.rgb == "0000FF00"


def test_styles_part_is_only_added_to(clerk_book, tmp_path):
    out = tmp_path / "out.xlsx"
    _patch(clerk_book, out)
    before, after = _members(clerk_book), _members(out)
    assert [k for k in before if before[k] != after[k]] == ["xl/worksheets/sheet1.xml", "xl/styles.xml"]
    assert sorted(before) == sorted(after)
    old, new = (etree.fromstring(m["xl/styles.xml"]) for m in (before, after))
    assert [el.tag for el in old] == [el.tag for el in new]
    for o, n in zip(old, new):
        if o.tag in (NS + "fonts", NS + "fills", NS + "cellXfs"):
            assert [etree.tostring(x) for x in o] == [etree.tostring(x) for x in n[: len(o)]]
            assert len(n) > len(o) and n.get("count") == str(len(n))
        else:
            assert etree.tostring(o) == etree.tostring(n)
    # the same formats on the same styles are derived once: a second screening adds nothing
    again = tmp_path / "again.xlsx"
    _patch(out, again)
    assert len(etree.fromstring(_members(again)["xl/styles.xml"]).find(NS + "cellXfs")) == len(new.find(NS + "cellXfs"))


def test_rows_grow_to_show_the_reason_and_created_columns_get_widths(clerk_book, tmp_path):
    out = tmp_path / "out.xlsx"
    _patch(clerk_book, out)
    ws = openpyxl.load_workbook(out)["受注"]
    # 理由 is 40 characters wide here, its font 9 points (Meiryo): 3 lines per reason line, 7 lines in all
    text = REASON + "\n" + REASON + "\n[規則 R1 / 基準日 2026-01-05]"
    assert xlsxstyles.line_count(text, 40, 9) == 7
    expected = xlsxstyles.row_height(text, 40, 9, "Meiryo")
    assert expected == (7 * 9 * 1.75 + 3)
    assert ws.row_dimensions[2].height == expected and ws.row_dimensions[2].customHeight
    assert ws.row_dimensions[3].height == 300  # higher already: kept
    assert ws.row_dimensions[6].height > 100 and ws.row_dimensions[1].height is None
    assert ws.column_dimensions["D"].width == 12 and ws.column_dimensions["E"].width == 40  # the clerk's width kept
    sheet = _members(out)["xl/worksheets/sheet1.xml"].decode()
    cols = re.findall(r'<col min="(\d+)" max="(\d+)"', sheet)
    assert [int(a) for a, _ in cols] == sorted(int(a) for a, _ in cols)  # in order


def test_a_sheet_without_columns_gets_them_and_a_one_line_reason_keeps_the_row(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "受注"
    wb.active.append(["仕向地", "品目"])
    wb.active.append(["ドイツ", "非該当"])
    src, out = tmp_path / "plain.xlsx", tmp_path / "out.xlsx"
    wb.save(src)
    cells = RowTexts((2, 3))
    cells.lines[1] = ("許可不要", "短い理由")
    cells.extra[0] = {2: "判定", 3: "理由"}
    formats = screening._formats(2, 3, "ja")
    patch_workbook(src, out, "受注", rows=cells, style_from_left_rows={0}, formats=formats, widths={2: 12.0, 3: 70.0})
    ws = openpyxl.load_workbook(out)["受注"]
    assert ws.row_dimensions[2].height is None  # one line: the default height shows it
    assert ws.column_dimensions["C"].width == 12 and ws.column_dimensions["D"].width == 70


def test_line_count_wraps_east_asian_text_by_character_and_latin_text_by_word():
    assert xlsxstyles.line_count("", 70) == 1
    assert xlsxstyles.line_count("あ" * 33, 70.7) == 1 and xlsxstyles.line_count("あ" * 34, 70.7) == 2
    assert xlsxstyles.line_count("a\nb\nc", 10) == 3
    words = "export " * 20  # 140 characters: two lines of 69, a third for the rest
    assert xlsxstyles.line_count(words.strip(), 70.7) == 3
    assert xlsxstyles.line_count("x" * 140, 70.7) == 3  # a long word is broken
    assert xlsxstyles.row_height("あ\nい", 70, 11) < xlsxstyles.row_height("あ\nい", 70, 11, "游ゴシック")
    assert xlsxstyles.row_height("あ", 70, 11) == 15  # one line: the default height
    assert xlsxstyles.row_height("あ\n" * 100, 70) == xlsxstyles.MAX_ROW_HEIGHT


def test_reason_cell_puts_the_decisive_reason_first_and_a_short_stamp_last():
    """Over every destination × representative goods × use: the first line is a reason as severe as the decision, the
    reasons run from the most severe down, and the last line is the rules stamp alone."""
    from exportscreen import state

    rules = state.rules()
    seen = set()
    for country in sorted(rules.countries)[:60] + ["Atlantis"]:
        for _prefix, item, hs, value in GOODS:
            for _suffix, use, inform in USES:
                d = screening.decide(country, item, hs, "Foo Co", use, inform, value, date(2026, 1, 5))
                lines = d.reason_text("ja").split("\n")
                assert len(lines) == len(d.reasons) + 1
                assert d.reasons[0].severity == d.code
                severities = [r.severity.severity for r in d.reasons]
                assert severities == sorted(severities, reverse=True)
                assert lines[0].startswith(d.reasons[0].ja)
                assert re.fullmatch(r"\[規則 R[\w.-]+ / 基準日 2026-01-05\]", lines[-1]) and len(lines[-1]) < 48
                seen.add(d.code)
    # 事前報告要 is for technology lines only, 許可取得済 for lines a licence register covers (none loaded here)
    assert seen == set(Code) - {Code.REPORT_REQUIRED, Code.LICENSED}
