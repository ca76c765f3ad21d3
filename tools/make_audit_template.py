"""Generate workbook_templates/audit_template.xlsx (取引審査票) with openpyxl.

    python tools/make_audit_template.py [OUT.xlsx]

The layout (rows, columns, labels) lives in exportscreen/audit_export.py, which fills copies of this template.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from exportscreen import audit_export as L  # noqa: E402

FONT = "Yu Gothic"
thin = Side(style="thin", color="000000")
BORDER = Border(left=thin, right=thin, top=thin, bottom=thin)
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
WRAP_LEFT_CENTER = Alignment(wrap_text=True, vertical="center")


def font(size=10, bold=False):
    return Font(name=FONT, size=size, bold=bold)


def box(ws, ref: str, fill=None, bold=False, align=WRAP_LEFT_CENTER, size=10):
    """Style every cell of a range (borders must be on each cell of a merged range)."""
    for row in ws[ref]:
        for c in row if isinstance(row, tuple) else (row,):
            c.border = BORDER
            c.alignment = align
            c.font = font(size, bold)
            if fill:
                c.fill = fill


def merge(ws, ref: str, value=None, **style):
    if ":" in ref:
        ws.merge_cells(ref)
    first = ref.split(":")[0]
    if value is not None:
        ws[first] = value
    box(ws, ref if ":" in ref else f"{ref}:{ref}", **style)


def make_form(wb):
    ws = wb.create_sheet(L.FORM_SHEET)
    last = L.FORM_LAST_COL
    for i, (_k, _h, width) in enumerate(L.FORM_COLUMNS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    r = L.FORM_TITLE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = "取引審査票（安全保障貿易管理）"
    ws[f"A{r}"].font = font(16, True)
    ws[f"A{r}"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[r].height = 28
    ws.merge_cells(f"A{r + 1}:{last}{r + 1}")
    ws[f"A{r + 1}"] = "外為法第48条・輸出貿易管理令に基づく該非判定・取引審査の記録"
    ws[f"A{r + 1}"].font = font(9)
    ws[f"A{r + 1}"].alignment = Alignment(horizontal="center")

    for label_col, (vfrom, vto), items in L.FORM_HEADER_BLOCKS:
        for i, (_key, label) in enumerate(items):
            row = L.FORM_HEADER_FIRST_ROW + i
            merge(ws, f"{label_col}{row}", label, fill=LABEL_FILL, bold=True, size=9)
            merge(ws, f"{vfrom}{row}:{vto}{row}", None, size=9)
            ws.row_dimensions[row].height = 24
    # the empty column between blocks: no border
    r = L.FORM_TABLE_HEADER_ROW
    for i, (_k, header, _w) in enumerate(L.FORM_COLUMNS):
        c = ws.cell(r, i + 1, header)
        c.font, c.fill, c.border, c.alignment = font(10, True), HEAD_FILL, BORDER, WRAP_CENTER
        d = ws.cell(L.FORM_TABLE_ROW, i + 1)
        d.font, d.border, d.alignment = font(10), BORDER, WRAP_TOP
    ws.row_dimensions[r].height = 30
    ws.row_dimensions[L.FORM_TABLE_ROW].height = 30  # the exporter sets each form's height from its texts
    keys = [k for k, _h, _w in L.FORM_COLUMNS]
    for key, fmt in L.NUMBER_FORMATS.items():
        ws.cell(L.FORM_TABLE_ROW, keys.index(key) + 1).number_format = fmt

    for i, (_key, label) in enumerate(L.FORM_TEXTS):
        row = L.FORM_TEXT_FIRST_ROW + i
        merge(ws, f"A{row}", label, fill=LABEL_FILL, bold=True, size=9)
        merge(ws, f"B{row}:{last}{row}", None, align=WRAP_TOP)
        ws.row_dimensions[row].height = 30

    r = L.FORM_CHECK_TITLE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = "チェックリスト（担当者が確認し、☐ を ☑ にしてください）"
    ws[f"A{r}"].font = font(11, True)
    ws.row_dimensions[r].height = 22
    r = L.FORM_CHECK_HEAD_ROW
    note_from, note_to = L.FORM_CHECK_NOTE_COLS
    before_note = get_column_letter(ws[f"{note_from}1"].column - 1)
    merge(ws, f"A{r}", "確認", fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    merge(ws, f"B{r}:{before_note}{r}", "確認項目", fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    merge(ws, f"{note_from}{r}:{note_to}{r}", "自動判定からの所見・備考", fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    for i, (_key, text) in enumerate(L.FORM_CHECKS):
        row = L.FORM_CHECK_FIRST_ROW + i
        merge(ws, f"A{row}", L.BOX, align=WRAP_CENTER, size=14)
        merge(ws, f"B{row}:{before_note}{row}", text)
        merge(ws, f"{note_from}{row}:{note_to}{row}", None, align=WRAP_TOP, size=9)
        ws.row_dimensions[row].height = 36

    r = L.FORM_APPROVAL_TITLE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = "承認（輸出管理責任者が記入してください）"
    ws[f"A{r}"].font = font(11, True)
    ws.row_dimensions[r].height = 22
    for _key, label, label_col, (vfrom, vto) in L.FORM_APPROVAL:
        merge(ws, f"{label_col}{L.FORM_APPROVAL_ROW}", label, fill=LABEL_FILL, bold=True, align=WRAP_CENTER)
        merge(ws, f"{vfrom}{L.FORM_APPROVAL_ROW}:{vto}{L.FORM_APPROVAL_ROW}", None, align=WRAP_CENTER, size=12)
    ws.row_dimensions[L.FORM_APPROVAL_ROW].height = 30
    r = L.FORM_APPROVAL_NOTE_ROW
    merge(ws, f"A{r}", "備考", fill=LABEL_FILL, bold=True, align=WRAP_CENTER)
    merge(ws, f"B{r}:{last}{r}", None, align=WRAP_TOP)
    ws.row_dimensions[r].height = 48
    L.add_approval_choices(ws)

    for label, a, b in L.FORM_SIGN_BLOCKS:
        merge(
            ws,
            f"{a}{L.FORM_SIGN_HEAD_ROW}:{b}{L.FORM_SIGN_HEAD_ROW}",
            label,
            fill=HEAD_FILL,
            bold=True,
            align=WRAP_CENTER,
        )
        merge(ws, f"{a}{L.FORM_SIGN_ROW}:{b}{L.FORM_SIGN_ROW}", None, align=Alignment(vertical="top"))
    ws.row_dimensions[L.FORM_SIGN_ROW].height = 48
    r = L.FORM_NOTE_ROW
    ws.merge_cells(f"A{r}:{last}{r}")
    ws[f"A{r}"] = L.FORM_NOTE
    ws[f"A{r}"].font = font(8)
    ws[f"A{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[r].height = 24

    L.apply_page_setup(ws, f"{L.FORM_TABLE_HEADER_ROW}:{L.FORM_TABLE_HEADER_ROW}")
    ws.print_area = f"A1:{last}{L.FORM_NOTE_ROW}"
    ws.sheet_view.showGridLines = False
    return ws


def make_table(wb, title: str, columns: list, paper: str):
    """A list sheet: a header row (printed on every page) and a style row the exporter copies to every line."""
    ws = wb.create_sheet(title)
    for i, (_k, header, width) in enumerate(columns):
        col = get_column_letter(i + 1)
        ws.column_dimensions[col].width = width
        c = ws.cell(1, i + 1, header)
        c.font, c.fill, c.border, c.alignment = font(10, True), HEAD_FILL, BORDER, WRAP_CENTER
        d = ws.cell(2, i + 1)  # style row: the exporter copies it to every line
        d.font, d.border, d.alignment = font(9), BORDER, WRAP_TOP
    ws.row_dimensions[1].height = 30
    keys = [k for k, _h, _w in columns]
    for key, fmt in L.NUMBER_FORMATS.items():
        if key in keys:
            ws.cell(2, keys.index(key) + 1).number_format = fmt
    ws.freeze_panes = "A2"
    L.apply_page_setup(ws, "1:1", paper)
    return ws


def make_summary(wb):
    ws = wb.active
    ws.title = L.SUMMARY_SHEET
    ws.merge_cells("A1:H1")
    ws["A1"] = "監査ログ サマリー（取引審査の記録）"
    ws["A1"].font = font(16, True)
    ws.column_dimensions["A"].width = 24
    for i, (_k, _h, width) in enumerate(L.SUMMARY_RUN_COLUMNS[1:], start=2):
        ws.column_dimensions[get_column_letter(i)].width = max(width, 12)
    for i, (_key, label) in enumerate(L.SUMMARY_INFO):
        row = L.SUMMARY_INFO_FIRST_ROW + i
        merge(ws, f"A{row}", label, fill=LABEL_FILL, bold=True)
        merge(ws, f"B{row}:H{row}", None)
    r = L.SUMMARY_COUNTS_HEAD_ROW
    merge(ws, f"A{r}", "判定", fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    merge(ws, f"B{r}", "件数", fill=HEAD_FILL, bold=True, align=WRAP_CENTER)
    for i, code in enumerate(L.SUMMARY_CODES):
        merge(ws, f"A{r + 1 + i}", code.label)
        merge(ws, f"B{r + 1 + i}", 0)
    tot = r + 1 + len(L.SUMMARY_CODES)
    merge(ws, f"A{tot}", "合計", bold=True)
    merge(ws, f"B{tot}", 0, bold=True)
    r = L.SUMMARY_RUNS_HEAD_ROW
    ws.cell(r - 1, 1, "対象の実行（runs）").font = font(11, True)
    for i, (_k, header, _w) in enumerate(L.SUMMARY_RUN_COLUMNS):
        c = ws.cell(r, i + 1, header)
        c.font, c.fill, c.border, c.alignment = font(10, True), HEAD_FILL, BORDER, WRAP_CENTER
        d = ws.cell(r + 1, i + 1)
        d.font, d.border, d.alignment = font(9), BORDER, WRAP_TOP
    L.apply_page_setup(ws, None)
    return ws


def build():
    wb = Workbook()
    make_summary(wb)
    make_table(wb, L.DETAIL_SHEET, L.DETAIL_COLUMNS, "A4")
    make_table(wb, L.TECH_SHEET, L.TECH_COLUMNS, "A3")
    make_form(wb)
    wb.properties.title = "取引審査票 / audit workbook template"
    wb.properties.creator = "exportscreen"
    return wb


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else ROOT / "workbook_templates" / L.TEMPLATE_NAME
    wb = build()
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
