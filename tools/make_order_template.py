"""Generate workbook_templates/order_template.xlsx: the order sheet with =SCREEN / =SCREEN_REASON prewired.

    .venv/bin/python tools/make_order_template.py [OUT]

Sheet 受注一覧: title in row 1, the standard headers in row 2, example lines from row 3 spanning the decision
table, and in 判定/理由 the formulas ``=IF(B3="","",SCREEN(B3,…,I3))`` for FORMULA_ROWS rows; the same
colours on 判定 and dropdowns for 用途/インフォーム as the sample workbook. Sheet ``xlwings.conf`` tells the
xlwings add-in where the functions are (UDF Modules = exportscreen_udfs); it is hidden (not printed). Sheet 使い方
explains it in Japanese. Works in Excel (xlwings, after Import Functions) and in LibreOffice Calc (after
``exportscreen calc install``).

Printing: A4 landscape, fitted to the page's width, the header row on every page, the print area the title, header
and the example lines (使い方 tells how to widen it). The example lines' rows are as high as their reasons need
(estimated as exportscreen does for a screened workbook: Excel does not fit a row to a formula's result).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
import make_sample_workbook  # noqa: E402

from exportscreen import screening, xlsxstyles  # noqa: E402
from exportscreen.render import DECISION_COLOURS  # noqa: E402

HEADERS = make_sample_workbook.HEADERS  # the same order table as the sample workbook
WIDTHS = [14, 12, 14, 11, 30, 12, 14, 14, 12, 12, 80]
USES = ["民生", "軍事", "大量破壊兵器", "不明"]
INFORMS = ["なし", "大量破壊兵器", "通常兵器"]
HEADER_ROW = 2
FIRST_ROW = 3
FORMULA_ROWS = 200
LAST_ROW = FIRST_ROW + FORMULA_ROWS - 1

# (受注番号, 仕向地, 品目, HS, 需要者, 用途, インフォーム, 金額, 出荷日) — the decision expected on the ship date
LINES = [
    (
        "SO-0001",
        "北朝鮮",
        "非該当",
        "8471.30",
        "朝鮮綾羅貿易会社",
        "民生",
        "なし",
        120000,
        date(2025, 11, 4),
    ),  # 輸出禁止
    (
        "SO-0002",
        "米国",
        "7の項(1)",
        "8542.31",
        "Northfield Semiconductor Inc.",
        "民生",
        "なし",
        2500000,
        date(2025, 11, 10),
    ),  # 許可要
    (
        "SO-0003",
        "中国",
        "非該当",
        "8458.11",
        "華東精密机械有限公司",
        "軍事",
        "なし",
        6800000,
        date(2025, 12, 2),
    ),  # 許可要 16(1)
    (
        "SO-0004",
        "中国",
        "非該当",
        "3926.90",
        "深圳宏達塑料有限公司",
        "軍事",
        "なし",
        54000,
        date(2025, 12, 9),
    ),  # 要確認 16(2)
    (
        "SO-0005",
        "イラク",
        "非該当",
        "3926.90",
        "Baghdad Industrial Supplies",
        "軍事",
        "なし",
        75000,
        date(2025, 12, 16),
    ),  # 許可要
    (
        "SO-0006",
        "フランス",
        "15の項(1)",
        "8807.30",
        "Société Aéro Lyon",
        "民生",
        "なし",
        40000,
        date(2026, 1, 13),
    ),  # 許可不要 少額
    (
        "SO-0007",
        "イラン",
        "6の項(2)",
        "8459.61",
        "Tehran Machine Works",
        "民生",
        "なし",
        900000,
        date(2026, 1, 20),
    ),  # 許可要
    (
        "SO-0008",
        "ドイツ",
        "非該当",
        "8458.11",
        "Rhein Maschinenbau GmbH",
        "民生",
        "なし",
        7200000,
        date(2026, 2, 3),
    ),  # 許可不要
    (
        "SO-0009",
        "米国",
        "非該当",
        "8458.11",
        "Lakeside Tooling LLC",
        "民生",
        "通常兵器",
        5100000,
        date(2026, 2, 17),
    ),  # 許可要
    (
        "SO-0010",
        "シンガポール",
        "非該当",
        "0901.11",
        "Marina Coffee Trading Pte. Ltd.",
        "民生",
        "なし",
        260000,
        date(2026, 3, 3),
    ),  # 許可不要
    ("SO-0011", "ロシア", "非該当", "8471.30", "OOO Volga Trade", "民生", "なし", 380000, date(2025, 11, 18)),  # 要確認
    (
        "SO-0012",
        "Atlantis",
        "非該当",
        "8471.30",
        "Poseidon Holdings",
        "民生",
        "なし",
        150000,
        date(2026, 3, 10),
    ),  # 入力エラー
]

INSTRUCTIONS = [
    ("使い方（=SCREEN 関数つき受注一覧）", "title"),
    ("このブックは「受注一覧」の各行を安全保障貿易管理（外為法・輸出貿易管理令）の観点で自動判定します。", None),
    ("判定・理由の列には =SCREEN(…) と =SCREEN_REASON(…) が入っており、入力するとすぐに判定が表示されます。", None),
    ("", None),
    ("■ 入力", "head"),
    ("仕向地：国名（日本語・英語・ISOコードのいずれでも可。例：米国、United States、US）", None),
    ("品目（該非）：該非判定の結果（例：7の項(1)、15の項(1)、非該当）", None),
    ("HSコード：統計品目番号の上6桁以上（例：8458.11）。非該当品がキャッチオール規制の対象かの判定に使います。", None),
    ("需要者：需要者名。外国ユーザーリストとの照合に使います（リストの取込みは管理者が行います）。", None),
    ("用途・インフォーム：一覧から選択します。金額（円）：少額特例の判定に使います。", None),
    ("出荷日：この日に有効な法令で判定します（空欄なら今日）。", None),
    ("", None),
    ("■ 判定", "head"),
    (
        "輸出禁止（赤）／許可要（橙）／事前報告要（紫、技術の提供）／要確認（黄）／許可取得済（青緑、許可台帳の許可の対象）／"
        "許可不要（緑）／入力エラー（灰）。"
        "理由の列に根拠条文と規則のバージョンが入ります。",
        None,
    ),
    ("「システムエラー」と表示されたときは管理者に連絡してください。", None),
    ("", None),
    ("■ 関数", "head"),
    ("=SCREEN(仕向地, 品目, [HS], [需要者], [用途], [インフォーム], [金額], [出荷日])　判定", None),
    ("=SCREEN_REASON(同じ引数)　理由（根拠条文つき）", None),
    ("=SCREEN_TABLE(A2:I1000)　見出し行つきの範囲を一括判定（Excel 365 ではスピル）", None),
    ("=COUNTRY_GROUP(仕向地, [基準日])　グループA／国連武器禁輸国／一般／全面禁輸", None),
    ("=ITEM_CLASS(品目, [HS], [基準日])　例：7の項(1) 集積回路、16の項(1)、キャッチオール対象外", None),
    ("=RULES_VERSION()　規則データのバージョン（監査用）　=EUL_MATCH(需要者, [仕向地])　外国ユーザーリスト照合", None),
    ("", None),
    ("■ 準備（PCごとに1回。詳細は README）", "head"),
    ("Excel：Python と exportscreen をインストール → xlwings addin install → exportscreen excel install →", None),
    ("　　このブックを開き、マクロ有効ブック（.xlsm）として保存 → xlwings タブの「Import Functions」。", None),
    ("LibreOffice Calc：exportscreen calc install を実行してから LibreOffice を起動し、このブックを開きます。", None),
    ("「xlwings.conf」シート（非表示）は Excel の xlwings アドインの設定です。変更しないでください。", None),
    ("", None),
    ("■ 印刷", "head"),
    ("A4 横・横幅1ページで印刷します（見出し行は各ページに印刷）。印刷範囲は見本の行までです。", None),
    ("行を追加したら、印刷する行を選んで［ページレイアウト］→［印刷範囲］→［印刷範囲の設定］を実行します。", None),
    ("", None),
    (
        "注意：この判定は社内審査の補助です。最終判断は輸出管理責任者が行い、必要に応じて経済産業省に確認してください。",
        "note",
    ),
]


def formula(name: str, row: int) -> str:
    args = ",".join(f"{col}{row}" for col in "BCDEFGHI")
    return f'=IF(B{row}="","",{name}({args}))'


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "受注一覧"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = "受注一覧（安全保障貿易管理スクリーニング：判定・理由は =SCREEN 関数で自動表示）"
    ws["A1"].font = Font(bold=True, size=14)
    header_cells(ws, HEADER_ROW, zip(HEADERS, WIDTHS), border)
    ws.row_dimensions[HEADER_ROW].height = 22
    for i, line in enumerate(LINES):
        r = FIRST_ROW + i
        for c, v in enumerate(line, start=1):
            cell = ws.cell(r, c, datetime(v.year, v.month, v.day) if isinstance(v, date) else v)
            if c == 8:
                cell.number_format = "#,##0"
            elif c == 9:
                cell.number_format = "yyyy/mm/dd"
            elif c == 4:
                cell.number_format = "@"  # HS codes as text: 0901.11 keeps its leading zero
    for r in range(FIRST_ROW, LAST_ROW + 1):
        for c in range(1, 12):
            cell = ws.cell(r, c)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=(c == 11))
            if r >= FIRST_ROW + len(LINES):
                if c == 8:
                    cell.number_format = "#,##0"
                elif c == 9:
                    cell.number_format = "yyyy/mm/dd"
                elif c == 4:
                    cell.number_format = "@"
        ws.cell(r, 10, formula("SCREEN", r)).font = Font(bold=True)
        ws.cell(r, 11, formula("SCREEN_REASON", r))

    for col, values, title in (("F", USES, "用途"), ("G", INFORMS, "インフォーム")):
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(values) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error="一覧から選択してください",
        )
        dv.add(f"{col}{FIRST_ROW}:{col}{LAST_ROW}")
        ws.add_data_validation(dv)
    decision_colours(ws, f"J{FIRST_ROW}:J{LAST_ROW}")
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:K{LAST_ROW}"
    for i, line in enumerate(LINES):  # rows as high as the examples' reasons
        reason = screening.decide(*line[1:]).reason_text("ja")
        ws.row_dimensions[FIRST_ROW + i].height = xlsxstyles.row_height(reason, WIDTHS[10])
    print_setup(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:K{FIRST_ROW + len(LINES) - 1}"

    guide_sheet(wb, INSTRUCTIONS)

    conf = wb.create_sheet("xlwings.conf")
    conf["A1"], conf["B1"] = "UDF Modules", "exportscreen_udfs"
    conf.column_dimensions["A"].width = 16
    conf.column_dimensions["B"].width = 20
    conf.sheet_state = "hidden"  # read by the xlwings add-in, not for printing

    wb.calculation.fullCalcOnLoad = True  # Excel computes the prewired formulas when the file is opened
    props = wb.properties
    props.title = "受注一覧（=SCREEN 関数つき）"
    props.subject = "安全保障貿易管理"
    props.creator = "exportscreen"
    props.keywords = "export control, 該非判定, キャッチオール, SCREEN"
    props.created = props.modified = datetime(2026, 1, 1)
    wb.save(path)


def header_cells(ws, row: int, columns, border) -> None:
    """The header row of a template's list: white bold text on dark blue, centred and wrapped, each column as wide as
    ``columns`` ((header, width) pairs) says."""
    fill = PatternFill("solid", fgColor="1F4E78")
    for c, (h, w) in enumerate(columns, start=1):
        cell = ws.cell(row, c, h)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = w


def decision_colours(ws, ref: str) -> None:
    """The 判定 cells of ``ref`` in the decision colours the screener writes (render.DECISION_COLOURS)."""
    for code, (bg, fg) in DECISION_COLOURS.items():
        ws.conditional_formatting.add(
            ref,
            CellIsRule(
                operator="equal",
                formula=[f'"{code.label}"'],
                fill=PatternFill("solid", fgColor=bg, bgColor=bg),
                font=Font(bold=True, color=fg),
            ),
        )


def guide_sheet(wb, instructions, index: int | None = None):
    """The 使い方 sheet: one (text, kind) per row — kind title, head or note sets the font — on one printed page."""
    guide = wb.create_sheet("使い方", index)
    guide.column_dimensions["A"].width = 120
    for r, (text, kind) in enumerate(instructions, start=1):
        cell = guide.cell(r, 1, text or None)
        if kind == "title":
            cell.font = Font(bold=True, size=14)
        elif kind == "head":
            cell.font = Font(bold=True)
        elif kind == "note":
            cell.font = Font(bold=True, color="9C0006")
    print_setup(guide)
    guide.page_setup.fitToHeight = 1  # one page
    guide.print_area = f"A1:A{len(instructions)}"
    return guide


def print_setup(ws) -> None:
    """A4 landscape, as wide as the page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "&P / &N"


def main(argv: list[str]) -> int:
    out = (
        Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "workbook_templates" / "order_template.xlsx"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
