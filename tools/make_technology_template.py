"""Generate workbook_templates/technology_transactions.xlsx: technology provisions (役務取引・みなし輸出) with
=SCREEN_TECH / =SCREEN_TECH_REASON prewired.

    .venv/bin/python tools/make_technology_template.py [OUT]

Sheet 技術提供: title in row 1, the technology columns in row 2 (HEADERS: the names the workbook screener
finds), example lines from row 3 — one or more for each decision (EXPECTED) —, and in 判定/理由 the formulas
``=IF(C3="","",SCREEN_TECH(C3,…,Q3))`` (C..Q in the function's argument order) for FORMULA_ROWS rows. Dropdowns
(取引区分, 居住性, 特定類型, 提供方法, 例外, インフォーム, 用途, 重要管理対象技術, 海外生産) list the names the rules
data knows (sheet 選択肢, hidden); the decision colours and the print setup (A4 landscape, fitted to width, header
row repeated, the examples' rows as high as their reasons) are the order template's. ``exportscreen screen``
reads the sheet too (取引区分 技術 / 役務).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from make_order_template import decision_colours, guide_sheet, header_cells, print_setup  # noqa: E402

from exportscreen import screening, state, xlsxstyles  # noqa: E402
from exportscreen.technology import RESIDENCY  # noqa: E402

SHEET = "技術提供"
# (header, width); C..R are SCREEN_TECH's arguments in its order
COLUMNS = [
    ("案件番号", 11),
    ("取引区分", 8),
    ("提供先の国", 11),  # C country
    ("技術の項番", 11),  # D item
    ("提供先", 22),  # E recipient
    ("居住性", 9),  # F residency
    ("特定類型", 8),  # G specific type
    ("影響国", 9),  # H influencing country
    ("HSコード", 9),  # I
    ("提供方法", 12),  # J
    ("例外", 14),  # K
    ("インフォーム", 9),  # L
    ("用途", 8),  # M
    ("重要管理対象技術", 16),  # N
    ("海外生産", 16),  # O
    ("報告日", 11),  # P
    ("提供日", 11),  # Q
    ("品番", 11),  # R part_no: the 品番マスタ's 技術該非 when 技術の項番 is blank
    ("判定", 11),  # S
    ("理由", 70),  # T
]
HEADERS = [h for h, _w in COLUMNS]
ARG_COLS = "CDEFGHIJKLMNOPQR"
DATE_COLS = ("P", "Q")
HEADER_ROW = 2
FIRST_ROW = 3
FORMULA_ROWS = 200
LAST_ROW = FIRST_ROW + FORMULA_ROWS - 1
D = date(2026, 1, 15)  # the examples' provision date (the pre-report scheme in force since 2024-12-30)

# (案件番号, 取引区分, 提供先の国, 技術の項番, 提供先, 居住性, 特定類型, 影響国, HS, 提供方法, 例外, インフォーム, 用途,
#  重要管理対象技術, 海外生産, 報告日, 提供日[, 品番]) — the decision each is there for in EXPECTED
LINES = [
    ("TT-001", "技術", "日本", "非該当", "中央研究所 山田", "居住者", "なし", None, None, "書面", None, "なし", "民生")
    + ("なし", "なし", None, D),
    ("TT-002", "技術", "米国", "2の項(1)", "Boston University", "非居住者", None, None, None, "メール", "公知の技術")
    + ("なし", "民生", "なし", "なし", None, D),
    ("TT-003", "技術", "中国", "2の項(1)", "華東精密机械有限公司", "非居住者", None, None, None, "データ送信", None)
    + ("なし", "民生", "なし", "なし", None, D),
    (
        "TT-004",
        "役務",
        "ドイツ",
        "非該当",
        "Rhein Maschinenbau GmbH",
        "非居住者",
        None,
        None,
        "8458.11",
        "口頭・技術指導",
    )
    + (None, "なし", "民生", "なし", "なし", None, D),
    (
        "TT-005",
        "役務",
        "ドイツ",
        "非該当",
        "Rhein Maschinenbau GmbH",
        "非居住者",
        None,
        None,
        "8458.11",
        "口頭・技術指導",
    )
    + (None, "大量破壊兵器", "民生", "なし", "なし", None, D),
    ("TT-006", "技術", "中国", "非該当", "深圳宏達塑料有限公司", "非居住者", None, None, "8458.11", "メール", None)
    + ("なし", "軍事", "なし", "なし", None, D),
    ("TT-007", "技術", "ベトナム", "非該当", "Hanoi Ceramics Co., Ltd.", "非居住者", None, None, "8532.24", "書面")
    + (None, "なし", "民生", "積層セラミックコンデンサ", "海外子会社への製造移転", None, D),
    ("TT-008", "技術", "ベトナム", "非該当", "Hanoi Ceramics Co., Ltd.", "非居住者", None, None, "8532.24", "書面")
    + (None, "なし", "民生", "積層セラミックコンデンサ", "海外子会社への製造移転", date(2025, 12, 1), D),
    ("TT-009", "技術", "日本", "2の項(1)", "技術部 李", "居住者", "②", "中国", None, "口頭・技術指導", None, "なし")
    + ("民生", "なし", "なし", None, D),
    ("TT-010", "技術", "シンガポール", "非該当", "Marina Tech Pte. Ltd.", None, None, None, "8471.30", "メール", None)
    + ("なし", "民生", "なし", "なし", None, D),
    ("TT-011", "技術", "北朝鮮", "非該当", "朝鮮綾羅貿易会社", "非居住者", None, None, "8471.30", "メール", None)
    + ("なし", "民生", "なし", "なし", None, D),
    ("TT-012", "技術", "Atlantis", "非該当", "Poseidon Holdings", "非居住者", None, None, None, "メール", None)
    + ("なし", "民生", "なし", "なし", None, D),
    ("TT-013", "技術", "タイ", None, "Siam Precision Co., Ltd.", "非居住者", None, None, None, "データ送信", None)
    + ("なし", "民生", "なし", "なし", None, D, "NC-5000A"),
]
EXPECTED = {  # 案件番号 -> the decision the example shows (tests/addin/test_technology_template.py checks them)
    "TT-001": "許可不要",  # a resident in Japan of no 特定類型
    "TT-002": "許可不要",  # 公知の技術 (貿易外省令9条2項)
    "TT-003": "許可要",  # 外為令別表 1–15: every destination
    "TT-004": "許可不要",  # 16の項 to Group A, no inform
    "TT-005": "許可要",  # 16の項 to Group A with an inform (25条2項)
    "TT-006": "許可要",  # 16の項 elsewhere, a military end use
    "TT-007": "事前報告要",  # a designated 重要管理対象技術 for production abroad, no report date
    "TT-008": "要確認",  # the same, reported (報告済): the rest decides (16の項: the End User List, until imported)
    "TT-009": "許可要",  # a 特定類型 resident influenced by China, screened as a non-resident of China
    "TT-010": "要確認",  # residency not given
    "TT-011": "輸出禁止",  # North Korea
    "TT-012": "入力エラー",  # an unknown country
    "TT-013": "要確認",  # by 品番 with no 技術の項番: the 品番マスタ's 技術該非 decides (none imported here: 要確認)
}
USES = ["民生", "軍事", "大量破壊兵器", "不明"]
INFORMS = ["なし", "大量破壊兵器", "通常兵器"]

INSTRUCTIONS = [
    ("使い方（=SCREEN_TECH 関数つき技術提供一覧）", "title"),
    ("このブックは「技術提供」の各行（技術の提供・役務取引・みなし輸出）を外為法25条の観点で自動判定します。", None),
    ("判定・理由の列には =SCREEN_TECH(…) と =SCREEN_TECH_REASON(…) が入っています。", None),
    (
        "exportscreen screen でこのブックを判定することもできます（取引区分が「技術」「役務」の行を技術として判定）。",
        None,
    ),
    ("", None),
    ("■ 入力", "head"),
    ("提供先の国：提供先がいる国、または提供する場所の国（国内での提供は 日本）", None),
    ("技術の項番：外為令別表の項番（例：2の項(1)、16の項）または 非該当", None),
    ("提供先：提供を受ける者の名称。外国ユーザーリストと照合します。", None),
    ("居住性：居住者／非居住者。特定類型：なし／①／②／③（居住者のみ。2022年5月1日の役務通達改正）", None),
    ("影響国：特定類型の居住者に影響を及ぼす外国政府・法人等の国。その国の非居住者への提供として判定します。", None),
    ("HSコード：技術が関係する貨物の統計品目番号（非該当の技術が16の項に当たるかの判定に使います）。", None),
    ("提供方法・例外（貿易外省令9条2項）・インフォーム・用途：一覧から選択します。", None),
    ("重要管理対象技術・海外生産・報告日：事前報告制度（外為法55条の8）の判定に使います。", None),
    ("提供日：この日に有効な法令で判定します（空欄なら今日）。", None),
    (
        "品番：技術の項番が空欄なら、品番マスタ（exportscreen products import）の技術該非で判定します。"
        "マスタにない品番・技術該非が未判定の品番は要確認です。",
        None,
    ),
    ("", None),
    ("■ 判定", "head"),
    (
        "輸出禁止（赤）／許可要（橙）／事前報告要（紫）／要確認（黄）／許可不要（緑）／入力エラー（灰）。"
        "理由の列に根拠条文と規則のバージョンが入ります。未確認[U]・二次情報[S]の規則は理由に明記されます。",
        None,
    ),
    ("", None),
    ("■ 準備・印刷", "head"),
    ("関数の準備は受注一覧のひな形（order_template.xlsx）と同じです（README 参照）。", None),
    ("A4 横・横幅1ページで印刷します（見出し行は各ページに印刷）。印刷範囲は見本の行までです。", None),
    ("", None),
    (
        "注意：この判定は社内審査の補助です。最終判断は輸出管理責任者が行い、必要に応じて経済産業省に確認してください。",
        "note",
    ),
]


def choices() -> dict[str, list[str]]:
    """Header -> the names its dropdown offers, from the rules data (the names the engine reads)."""
    tech = state.rules().technology
    return {
        "取引区分": ["技術", "役務"],
        "居住性": [RESIDENCY["resident"][0], RESIDENCY["non_resident"][0]],
        "特定類型": ["なし", *("①②③"[int(i) - 1] for i in sorted(tech.specific_types))],
        "提供方法": [m.name_ja for m in tech.methods.values()],
        "例外": ["なし", *(e.name_ja for e in tech.exemptions.values())],
        "インフォーム": INFORMS,
        "用途": USES,
        "重要管理対象技術": ["なし", *(c.name_ja for c in tech.prereport.technologies.values())],
        "海外生産": ["なし", *(ja for ja, _en in tech.prereport.channels.values())],
    }


def formula(name: str, row: int) -> str:
    args = ",".join(f"{col}{row}" for col in ARG_COLS)
    return f'=IF(C{row}="","",{name}({args}))'


def decide(line: tuple):
    """The engine's decision of an example line (the workbook screener's reading of its cells)."""
    c = dict(zip(HEADERS, line))
    return screening.decide_technology(
        country=c["提供先の国"],
        item=c["技術の項番"],
        recipient=c["提供先"],
        residency=c["居住性"],
        specific_type=c["特定類型"],
        influence_country=c["影響国"],
        hs=c["HSコード"],
        method=c["提供方法"],
        exemption=c["例外"],
        inform=c["インフォーム"],
        end_use=c["用途"],
        critical_tech=c["重要管理対象技術"],
        purpose=c["海外生産"],
        report_date=c["報告日"],
        provision_date=c["提供日"],
        part_no=c.get("品番"),
    )


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = "技術提供一覧（役務取引・みなし輸出の判定：判定・理由は =SCREEN_TECH 関数で自動表示）"
    ws["A1"].font = Font(bold=True, size=14)
    last = len(COLUMNS)
    header_cells(ws, HEADER_ROW, COLUMNS, border)
    ws.row_dimensions[HEADER_ROW].height = 30
    for i, line in enumerate(LINES):
        for c, v in enumerate(line, start=1):
            ws.cell(FIRST_ROW + i, c, datetime(v.year, v.month, v.day) if isinstance(v, date) else v)
    for r in range(FIRST_ROW, LAST_ROW + 1):
        for c in range(1, last + 1):
            cell = ws.cell(r, c)
            cell.border = border
            cell.alignment = Alignment(vertical="top", wrap_text=c in (5, last))
            if cell.column_letter in DATE_COLS:
                cell.number_format = "yyyy/mm/dd"
            elif cell.column_letter == "I":
                cell.number_format = "@"  # HS codes as text
        ws.cell(r, last - 1, formula("SCREEN_TECH", r)).font = Font(bold=True)
        ws.cell(r, last, formula("SCREEN_TECH_REASON", r))

    lists = wb.create_sheet("選択肢")
    for c, (title, values) in enumerate(choices().items(), start=1):
        lists.cell(1, c, title)
        for r, v in enumerate(values, start=2):
            lists.cell(r, c, v)
        letter = lists.cell(1, c).column_letter
        dv = DataValidation(
            type="list",
            formula1=f"'選択肢'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=title not in ("重要管理対象技術",),  # a technology the list lacks may be typed
            errorTitle=title,
            error="一覧から選択してください",
        )
        col = ws.cell(HEADER_ROW, HEADERS.index(title) + 1).column_letter
        dv.add(f"{col}{FIRST_ROW}:{col}{LAST_ROW}")
        ws.add_data_validation(dv)
    lists.sheet_state = "hidden"
    judge = ws.cell(HEADER_ROW, last - 1).column_letter
    decision_colours(ws, f"{judge}{FIRST_ROW}:{judge}{LAST_ROW}")
    end = ws.cell(HEADER_ROW, last).column_letter
    ws.freeze_panes = f"C{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{end}{LAST_ROW}"
    for i, line in enumerate(LINES):  # rows as high as the examples' reasons
        reason = decide(line).reason_text("ja")
        ws.row_dimensions[FIRST_ROW + i].height = xlsxstyles.row_height(reason, COLUMNS[-1][1])
    print_setup(ws)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_area = f"A1:{end}{FIRST_ROW + len(LINES) - 1}"

    guide_sheet(wb, INSTRUCTIONS, 1)

    conf = wb.create_sheet("xlwings.conf")
    conf["A1"], conf["B1"] = "UDF Modules", "exportscreen_udfs"
    conf.sheet_state = "hidden"

    wb.calculation.fullCalcOnLoad = True
    props = wb.properties
    props.title = "技術提供一覧（=SCREEN_TECH 関数つき）"
    props.subject = "安全保障貿易管理（役務取引）"
    props.creator = "exportscreen"
    props.keywords = "export control, 役務取引, みなし輸出, 事前報告, SCREEN_TECH"
    props.created = props.modified = datetime(2026, 1, 1)
    wb.save(path)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "workbook_templates" / "technology_transactions.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
