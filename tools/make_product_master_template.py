"""Generate workbook_templates/product_master.xlsx: the product master (品番マスタ / 該非判定台帳) to fill in.

    .venv/bin/python tools/make_product_master_template.py [OUT]

Sheet 品番マスタ: the header row (the names `exportscreen products import` reads, exportscreen/products.py LABELS)
and two example rows; dropdowns for 該非 (非該当 and every 項番 of 輸出令別表第一 1–15 with its sub-items, from the
bundled rules) and 技術該非 (非該当 and every 外為令別表 code), both also accepting a value typed in (the import
checks it with the parsers order lines use); 判定日 / 見直し期限 as dates; HSコード as text (a leading zero kept).
Sheet 選択肢 (hidden) holds the dropdowns' lists; sheet 使い方 explains the columns. `products export` writes the
version in force into a copy of this workbook.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exportscreen.products import LABELS  # noqa: E402
from exportscreen.rules import bundled  # noqa: E402

SHEET = "品番マスタ"
LISTS = "選択肢"
ROWS = 2000  # rows the dropdowns and formats cover
WIDTHS = {
    "part_no": 18,
    "name": 28,
    "item": 16,
    "tech": 16,
    "hs": 14,
    "judged": 12,
    "judge": 12,
    "approver": 12,
    "basis": 30,
    "review_by": 12,
    "note": 24,
}
EXAMPLES = [
    {
        "part_no": "NC-5000A",
        "name": "数値制御工作機械",
        "item": "2の項(12)",
        "tech": "2の項(1)",
        "hs": "8458.11",
        "judged": date(2026, 1, 15),
        "judge": "技術部 山田",
        "approver": "輸出管理責任者 佐藤",
        "basis": "項目別対比表 2025年版 第2版",
        "review_by": date(2027, 1, 14),
    },
    {
        "part_no": "SC-M6-20",
        "name": "ねじ",
        "item": "非該当",
        "tech": "非該当",
        "hs": "7318.15",
        "judged": date(2026, 1, 15),
        "judge": "技術部 山田",
        "approver": "輸出管理責任者 佐藤",
        "basis": "パラメータシート 2025年版",
    },
]
USAGE = [
    "品番マスタ（該非判定台帳）の書き方",
    "",
    "1 行目の見出しの名前で列を読みます（列の順序は自由。英語の見出し Part No. / Classification なども可）。",
    "品番・該非・判定日は必須です。品番は 1 回だけ（全角半角・大文字小文字・空白は同じものとして比べます）。",
    "該非: 輸出令別表第一の項番（例 7の項(1)）か 非該当。未判定・確認中は取り込めません。",
    "技術該非: 外為令別表の項番か 非該当（空欄可）。",
    "HSコード: 8458.11 のように（文字列として入力すると先頭の 0 が消えません）。",
    "判定日・見直し期限: 日付（2026-01-15、令和8年1月15日 なども可）。",
    "取込: exportscreen products import 品番マスタ.xlsx --effective 2026-04-01",
    "誤りのある行が 1 行でもあればファイル全体を取り込まず、誤りの行を一覧にします（適用中の版はそのまま）。",
]


def _choices() -> tuple[list[str], list[str]]:
    r = bundled()
    goods = ["非該当"] + [f"{k}の項" for k in sorted(r.items, key=_order) if k != "16"]
    subs = sorted(r.subitems.items(), key=lambda kv: (_order(kv[0][0]), _order(kv[0][1])))
    goods += [f"{k}の項({s})" for (k, s), si in subs if si.name_ja != "削除"]
    t = r.technology
    tech = ["非該当"] + [f"{k}の項" for k in sorted(t.items, key=_order) if k != "16"]
    tech += [f"{k}の項({s})" for (k, s) in sorted(t.subitems, key=lambda ks: (_order(ks[0]), _order(ks[1])))]
    return goods, tech


def _order(code: str) -> tuple:
    return tuple(int(x) for x in code.split("の") if x.isdigit())


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cols = list(LABELS)
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, col in enumerate(cols, start=1):
        cell = ws.cell(1, c, LABELS[col][0])
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = WIDTHS[col]
    for r, ex in enumerate(EXAMPLES, start=2):
        for c, col in enumerate(cols, start=1):
            ws.cell(r, c, ex.get(col))
    ws.freeze_panes = "B2"
    letter = {col: ws.cell(1, c).column_letter for c, col in enumerate(cols, start=1)}
    for col in ("judged", "review_by"):
        for r in range(2, ROWS + 2):
            ws[f"{letter[col]}{r}"].number_format = "yyyy-mm-dd"
    for r in range(2, ROWS + 2):
        ws[f"{letter['hs']}{r}"].number_format = "@"

    goods, tech = _choices()
    lists = wb.create_sheet(LISTS)
    for r, v in enumerate(goods, start=1):
        lists.cell(r, 1, v)
    for r, v in enumerate(tech, start=1):
        lists.cell(r, 2, v)
    lists.sheet_state = "hidden"
    for col, column, n in (("item", "A", len(goods)), ("tech", "B", len(tech))):
        dv = DataValidation(
            type="list",
            formula1=f"'{LISTS}'!${column}$1:${column}${n}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",  # a code typed in is accepted; the import checks it
            errorTitle=LABELS[col][0],
            error="一覧にない値です。輸出令別表第一／外為令別表の項番か 非該当 を入力してください",
        )
        dv.add(f"{letter[col]}2:{letter[col]}{ROWS + 1}")
        ws.add_data_validation(dv)
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, errorStyle="warning")
    dates.add(f"{letter['judged']}2:{letter['judged']}{ROWS + 1}")
    dates.add(f"{letter['review_by']}2:{letter['review_by']}{ROWS + 1}")
    ws.add_data_validation(dates)

    usage = wb.create_sheet("使い方")
    for r, line in enumerate(USAGE, start=1):
        usage.cell(r, 1, line).font = Font(bold=r == 1)
    usage.column_dimensions["A"].width = 110
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "1:1"
    props = wb.properties
    props.created = props.modified = datetime(2026, 1, 1)
    wb.save(path)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "workbook_templates" / "product_master.xlsx"
    build(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
