"""Generate workbook_templates/licence_register.xlsx: the licence register (許可台帳) to fill in.

    .venv/bin/python tools/make_licence_register_template.py [OUT]

Sheet 許可台帳: the header row `exportscreen licences import` reads (exportscreen/licences.py HEADERS) and three
example rows (an individual licence, a 一般包括 and a 特別一般包括 licence); a dropdown for 種類 and 対象, dates as
dates. Sheet 使い方 explains the columns. `licences export` writes the version in force into a copy of it.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from make_order_template import print_setup  # noqa: E402

from exportscreen.licences import HEADERS, KINDS, TARGETS  # noqa: E402
from exportscreen.xlsxstyles import row_height  # noqa: E402

SHEET = "許可台帳"
ROWS = 2000
EXAMPLES = [
    [
        "EX-2026-0001",
        "個別",
        "貨物",
        date(2026, 1, 15),
        date(2026, 7, 15),
        "",
        "中華人民共和国",
        "ABC Machinery Co., Ltd.",
        "2の項(12)",
        "NC旋盤",
        "LT-200",
        2,
        "台",
        30_000_000,
        "JPY",
        "再輸出禁止",
        "例",
    ],
    [
        "GB-2025-0100",
        "一般包括",
        "貨物",
        date(2025, 4, 1),
        date(2028, 3, 31),
        "",
        "別表第三",
        "",
        "3の項(1)～(2)、7の項",
        "",
        "",
        None,
        "",
        None,
        "JPY",
        "",
        "例",
    ],
    [
        "SG-2025-0007",
        "特別一般包括",
        "貨物",
        date(2025, 4, 1),
        date(2028, 3, 31),
        "",
        "全地域",
        "",
        "6の項(2)",
        "",
        "",
        None,
        "",
        None,
        "JPY",
        "",
        "例",
    ],
]
HELP = [
    ("許可番号", "許可証の番号。重複不可"),
    ("種類", " / ".join(KINDS)),
    (
        "対象",
        " / ".join(TARGETS) + "。貨物の許可は貨物の行に、技術（役務取引許可）は技術の提供の行にだけ適用されます",
    ),
    (
        "許可日・有効期限",
        "日付（2026-01-15、令和8年1月15日 など）。個別許可（貨物）は許可日から6か月まで（輸出令8条1項）。"
        "技術の個別許可は記入どおり",
    ),
    ("延長", "個別許可の有効期間が延長されたとき ○（輸出令8条2項）"),
    ("仕向地", "国名（、区切り）。一般包括は 別表第三、特別一般包括は 全地域 も可"),
    ("需要者・荷受人", "個別・特定包括は必須（、区切り）"),
    (
        "項番",
        "7の項(1)、3の項(1)～(5)、7の項（項全体）。貨物は輸出令別表第一、技術は外為令別表の項番。"
        "キャッチオール（16の項・非該当）は個別許可のみ",
    ),
    ("品名・品番", "品番を記入した許可は、その品番の行にだけ適用"),
    ("数量上限・金額上限", "許可証の数量・金額。通貨は JPY, USD など（既定 JPY）"),
    ("条件・備考", "許可条件は理由に表示されます"),
]


def build(out: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(list(HEADERS.values()))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in EXAMPLES:
        ws.append(row)
    for col in ("D", "E"):
        for r in range(2, ROWS + 2):
            ws[f"{col}{r}"].number_format = "yyyy-mm-dd"
    for r in range(2, ROWS + 2):  # 金額上限 with separators (30,000,000); the value is read as typed
        ws[f"N{r}"].number_format = "#,##0"
    for col, choices in (("B", KINDS), ("C", TARGETS)):
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.add(f"{col}2:{col}{ROWS + 1}")
        ws.add_data_validation(dv)
    for i, width in enumerate((16, 14, 8, 12, 12, 6, 22, 28, 24, 18, 14, 10, 8, 14, 8, 24, 16), start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = width
    ws.freeze_panes = "A2"
    print_setup(ws)
    ws.print_title_rows = "1:1"  # the header on every printed page
    doc = wb.create_sheet("使い方")
    for row in HELP:
        doc.append(row)
    doc.column_dimensions["A"].width = 18
    doc.column_dimensions["B"].width = 100
    for r, (_name, text) in enumerate(HELP, start=1):
        for cell in doc[r]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        doc.row_dimensions[r].height = row_height(text, 100)  # a wrapped line shown whole
    print_setup(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "workbook_templates" / "licence_register.xlsx")
