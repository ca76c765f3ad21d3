"""Looked at, not assumed: the screened sample and the order template (its functions computed by LibreOffice Calc)
printed to PDF by headless LibreOffice, and the PDF read back with the boxes of its words (tests/pdfcheck.py).

Each workbook prints its order lines on A4 landscape pages (the header row on each, the xlwings.conf sheet not at
all), every 理由 appears whole and in order inside its own row, and no word is drawn over a word of another line.
A copy of the screened sample whose rows have lost their heights (what screening wrote before rows grew) shows
that the overlap check finds overlapping text. One LibreOffice run renders the three workbooks. Skipped without
LibreOffice or poppler unless CI=true.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pdfcheck
import pytest
import python_calamine as pc

from exportscreen import screening, state
from exportscreen.cli import main

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "workbook_templates" / "sample_orders.xlsx"
TEMPLATE = REPO / "workbook_templates" / "order_template.xlsx"
A4_LANDSCAPE = (841.9, 595.3)


def _without_row_heights(src: Path, dst: Path) -> None:
    """A copy of ``src`` whose order sheet's rows have no height of their own."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb' ht="[^"]*" customHeight="1"', b"", data)
            zout.writestr(info, data)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{name: (workbook, pdf, its words)} for the screened sample, the template and the control copy."""
    pdfcheck.require_tools()
    tmp = tmp_path_factory.mktemp("print")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXPORTSCREEN_HOME", str(tmp / "home"))
        state.reset_rules()
        screened = tmp / "screened.xlsx"
        screening.screen_file(SAMPLE, out=screened, as_of=date(2026, 1, 5), show_progress=False)
        _without_row_heights(screened, tmp / "unfitted.xlsx")
        template = tmp / "template.xlsx"
        shutil.copyfile(TEMPLATE, template)
        profile = tmp / "lo"
        assert main(["calc", "install", "--profile", str(profile / "user")]) == 0
        pdfs = pdfcheck.render_pdf([screened, template, tmp / "unfitted.xlsx"], tmp / "pdf", profile)
    state.reset_rules()
    books = {"screened": screened, "template": template, "unfitted": tmp / "unfitted.xlsx"}
    return {name: (book, pdf, pdfcheck.words(pdf)) for (name, book), pdf in zip(books.items(), pdfs)}


def _lines(name: str, book: Path) -> list[tuple[str, str]]:
    """[(order number, 理由 as the cell holds it)] of the workbook's order lines."""
    if name == "template":  # the template's 理由 is computed by Calc: the engine's text for the same inputs
        ws = openpyxl.load_workbook(book)["受注一覧"]
        out = []
        for r in range(3, ws.max_row + 1):
            values = [ws.cell(r, c).value for c in range(1, 10)]
            if values[1] is not None:
                out.append((values[0], screening.decide(*values[1:]).reason_text("ja")))
        return out
    rows = pc.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("受注一覧").to_python()
    return [(r[0], r[10]) for r in rows[3:] if r[0] and r[0] != "合計"]


@pytest.mark.parametrize("name", ["screened", "template"])
def test_order_lines_print_on_a4_landscape_with_the_header_and_no_settings_sheet(printed, name):
    book, pdf, words = printed[name]
    width, height = pdfcheck.page_size(pdf)
    assert (round(width, 1), round(height, 1)) == A4_LANDSCAPE
    # one page of order lines (fitted to the page's width, the 12 lines of the example), one of instructions
    assert pdfcheck.page_count(pdf) == 2
    texts = {w.text for w in words}
    lines = _lines(name, book)
    assert len(lines) == 12 and {no for no, _ in lines} <= texts
    heads = [w for w in words if w.text == "受注番号"]
    assert [w.page for w in heads] == [1]  # the header row, once per page of lines
    assert "使い方" in "".join(w.text for w in words if w.page == 2)
    assert not {"UDF", "exportscreen_udfs"} & texts  # the xlwings.conf sheet is not printed


@pytest.mark.parametrize("name", ["screened", "template"])
def test_every_reason_prints_whole_and_in_order_inside_its_row(printed, name):
    book, _pdf, words = printed[name]
    lines = _lines(name, book)
    assert sum(r.count("\n") >= 2 for _, r in lines) >= 5  # reasons of three lines and more
    starts = {w.text: w for w in words if w.text in {no for no, _ in lines}}
    # the 理由 column's left edge: each reason ends in the stamp "[規則 …" (pdftotext may part "[" from "規則")
    left = min(a.x0 if a.text == "[" else b.x0 for a, b in zip(words, words[1:]) if b.text.lstrip("[") == "規則")
    footer = pdfcheck.page_size(_pdf)[1] - 40  # the page number, in the bottom margin
    for i, (no, reason) in enumerate(lines):
        top = starts[no]
        bottom = starts[lines[i + 1][0]].y0 if i + 1 < len(lines) else footer
        got = pdfcheck.text_between(words, top.page, top.y0 - 1, bottom - 1, left - 1)
        assert got == re.sub(r"\s", "", reason), f"{name} {no}"


@pytest.mark.parametrize("name", ["screened", "template"])
def test_no_text_is_drawn_over_another_line(printed, name):
    _book, _pdf, words = printed[name]
    assert pdfcheck.overlaps(words) == []


def test_the_overlap_check_finds_rows_too_low_for_their_reasons(printed):
    _book, _pdf, words = printed["unfitted"]
    pairs = pdfcheck.overlaps(words)
    assert len(pairs) >= 5
