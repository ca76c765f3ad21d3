"""Generate workbook_templates/gaihi_certificate.xlsx: the 該非判定書 (classification certificate) form.

    .venv/bin/python tools/make_gaihi_certificate_template.py [OUT.xlsx]

The layout (rows, labels, the 項 of 別表第一 1–15) lives in exportscreen/certificate.py, which fills a copy of this
form for `exportscreen products certificate 品番`. A4 portrait, one page wide, gridlines off (the cells have borders).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from exportscreen import certificate as C  # noqa: E402
from exportscreen.rules import bundled  # noqa: E402

FONT = "Yu Gothic"
thin = Side(style="thin", color="000000")
BORDER = Border(left=thin, right=thin, top=thin, bottom=thin)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT = Alignment(wrap_text=True, vertical="center", horizontal="left")


def style(ws, ref: str, fill=None, bold=False, align=WRAP_LEFT, size=10) -> None:
    """Borders, font and alignment on every cell of a range (a merged range needs its borders on each cell)."""
    for row in ws[ref]:
        for c in row if isinstance(row, tuple) else (row,):
            c.border, c.alignment, c.font = BORDER, align, Font(name=FONT, size=size, bold=bold)
            if fill:
                c.fill = fill


def cell(ws, ref: str, value=None, **kw) -> None:
    if ":" in ref:
        ws.merge_cells(ref)
    if value is not None:
        ws[ref.split(":")[0]] = value
    style(ws, ref if ":" in ref else f"{ref}:{ref}", **kw)


def heading(ws, row: int, text: str) -> None:
    ws.merge_cells(f"A{row}:{C.LAST_COL}{row}")
    ws[f"A{row}"] = text
    ws[f"A{row}"].font = Font(name=FONT, size=11, bold=True)
    ws[f"A{row}"].alignment = Alignment(vertical="bottom")
    ws.row_dimensions[row].height = 22


def make(out: Path) -> None:
    rules = bundled()
    assert tuple(k for k in rules.items if k != "16") == C.KOU, "別表第一's 項 differ from certificate.KOU"
    wb = Workbook()
    ws = wb.active
    ws.title = C.SHEET
    for i, width in enumerate(C.WIDTHS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    last = C.LAST_COL

    r = C.TITLE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = C.TITLE
    ws[f"A{r}"].font = Font(name=FONT, size=18, bold=True)
    ws[f"A{r}"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[r].height = 32
    ws.merge_cells(f"A{r + 1}:{last}{r + 1}")
    ws[f"A{r + 1}"] = C.SUBTITLE
    ws[f"A{r + 1}"].font = Font(name=FONT, size=9)
    ws[f"A{r + 1}"].alignment = Alignment(horizontal="center")
    for gap in (r + 2, C.TABLE_TITLE_ROW - 1, C.SIGN_TITLE_ROW - 1):
        ws.row_dimensions[gap].height = 8

    for i, (_key, label) in enumerate(C.INFO):
        row = C.INFO_FIRST_ROW + i
        cell(ws, f"A{row}:B{row}", label, fill=LABEL_FILL, bold=True, size=9)
        cell(ws, f"C{row}:D{row}", None)
        ws.row_dimensions[row].height = C.ROW_HEIGHT

    heading(ws, C.TABLE_TITLE_ROW, "項ごとの該非（輸出貿易管理令別表第一・外国為替令別表）")
    for c, text in enumerate(C.TABLE_HEADERS):
        cell(ws, f"{get_column_letter(c + 1)}{C.TABLE_HEAD_ROW}", text, fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    ws.row_dimensions[C.TABLE_HEAD_ROW].height = 20
    for i, kou in enumerate([*C.KOU, "16"]):
        row = C.TABLE_FIRST_ROW + i
        cell(ws, f"A{row}", f"{kou}の項", align=WRAP_CENTER)
        cell(ws, f"B{row}", rules.items[kou].name_ja)
        cell(ws, f"C{row}")
        cell(ws, f"D{row}")
        ws.row_dimensions[row].height = C.ROW_HEIGHT

    heading(ws, C.SIGN_TITLE_ROW, "確認・承認")
    for c, text in enumerate(C.SIGN_HEADERS):
        cell(ws, f"{get_column_letter(c + 1)}{C.SIGN_HEAD_ROW}", text, fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    for i, role in enumerate(C.SIGN_ROLES):
        row = C.SIGN_FIRST_ROW + i
        cell(ws, f"A{row}", role, fill=LABEL_FILL, bold=True, align=WRAP_CENTER)
        for col in "BCD":
            cell(ws, f"{col}{row}")
        ws[f"C{row}"].number_format = "yyyy-mm-dd"
        ws.row_dimensions[row].height = 30

    r = C.NOTE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = C.NOTE
    ws[f"A{r}"].font = Font(name=FONT, size=8)
    ws[f"A{r}"].alignment = WRAP_TOP
    ws.row_dimensions[r].height = 36

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1  # one page: the sign-off block is never apart from what it signs
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_area = f"A1:{last}{C.NOTE_ROW}"
    ws.sheet_view.showGridLines = False
    wb.save(out)


if __name__ == "__main__":
    make(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "workbook_templates" / C.TEMPLATE_NAME)
