"""Generate workbook_templates/tics_selfcheck.xlsx: the TICS self-check (技術情報管理認証制度).

    .venv/bin/python tools/make_tics_template.py [OUT]

Sheet 自己点検: the areas of the management standard (exportscreen.tics.ITEMS), each with its 区分 (義務項目 /
推奨項目: 未確認[U] until a verified source gives it), 状況 (dropdown), 証跡, 担当者, 期限, its source and mark.
Sheet サマリー: the items by status (COUNTIF over 自己点検) and a bar chart. A4 landscape. ``exportscreen tics
report FILE`` reads the filled-in workbook.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from make_order_template import header_cells, print_setup  # noqa: E402

from exportscreen import tics  # noqa: E402


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = tics.SHEET
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = "技術情報管理認証制度（TICS）自己点検表"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = tics.NOTE
    ws["A2"].font = Font(color="9C0006")
    header_cells(ws, tics.HEADER_ROW, [(h, w) for _k, h, w in tics.COLUMNS], border)
    ws.row_dimensions[tics.HEADER_ROW].height = 30
    last = tics.FIRST_ROW + len(tics.ITEMS) - 1
    for i, it in enumerate(tics.ITEMS):
        r = tics.FIRST_ROW + i
        values = {"no": i + 1, "area": it.area, "item": it.item, "level": it.level, "source": it.source}
        values["mark"] = it.mark
        for c, (key, _h, _w) in enumerate(tics.COLUMNS, start=1):
            cell = ws.cell(r, c, values.get(key))
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if key == "due":
                cell.number_format = "yyyy/mm/dd"
        ws.row_dimensions[r].height = 45
    status_col = ws.cell(tics.HEADER_ROW, 1 + [k for k, _h, _w in tics.COLUMNS].index("status")).column_letter
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(tics.STATUSES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="状況",
        error="一覧から選択してください",
    )
    dv.add(f"{status_col}{tics.FIRST_ROW}:{status_col}{last}")
    ws.add_data_validation(dv)
    ws.freeze_panes = f"C{tics.FIRST_ROW}"
    print_setup(ws)
    ws.print_title_rows = f"{tics.HEADER_ROW}:{tics.HEADER_ROW}"
    ws.print_area = f"A1:{ws.cell(1, len(tics.COLUMNS)).column_letter}{last}"

    sm = wb.create_sheet(tics.SUMMARY_SHEET)
    sm["A1"] = "TICS 自己点検 サマリー"
    sm["A1"].font = Font(bold=True, size=14)
    sm["A3"], sm["B3"] = "状況", "件数"
    for c in ("A3", "B3"):
        sm[c].font = Font(bold=True)
    rng = f"'{tics.SHEET}'!${status_col}${tics.FIRST_ROW}:${status_col}${last}"
    for i, s in enumerate(tics.STATUSES, start=4):
        sm.cell(i, 1, s)
        sm.cell(i, 2, f'=COUNTIF({rng},"{s}")')
    n = 4 + len(tics.STATUSES)
    sm.cell(n, 1, tics.UNANSWERED)
    sm.cell(n, 2, f"=COUNTBLANK({rng})")
    sm.cell(n + 1, 1, "合計")
    sm.cell(n + 1, 2, f"=SUM(B4:B{n})")
    sm.column_dimensions["A"].width = 14
    chart = BarChart()
    chart.type = "col"
    chart.title = "状況別の項目数"
    chart.legend = None
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = 1
    chart.add_data(Reference(sm, min_col=2, min_row=3, max_row=n), titles_from_data=True)
    chart.set_categories(Reference(sm, min_col=1, min_row=4, max_row=n))
    chart.height, chart.width = 7.5, 14
    sm.add_chart(chart, "D3")
    sm.cell(n + 3, 1, tics.NOTE)
    print_setup(sm)

    wb.calculation.fullCalcOnLoad = True
    props = wb.properties
    props.title = "技術情報管理認証制度（TICS）自己点検表"
    props.creator = "exportscreen"
    props.created = props.modified = datetime(2026, 1, 1)
    wb.save(path)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "workbook_templates" / "tics_selfcheck.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
