"""Generate workbook_templates/sample_orders.xlsx: a realistic order workbook to screen.

    .venv/bin/python tools/make_sample_workbook.py [OUT]

Sheet 受注一覧: a title above the header, the standard columns, dropdowns for 用途 and インフォーム,
conditional colours on 判定 (the screened cells get the same colours as styles), 判定/理由 cells ready to be
filled (bordered, aligned to the top, 理由 wrapped), a totals row; sheet 使い方: instructions in Japanese. Both
print on A4 landscape, fitted to the page's width, 受注一覧 with its header row on every page and only the order
lines. The lines cover the decision table (shared/domain/export-control-facts.md §9). Names of companies are
fictitious.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exportscreen.render import DECISION_COLOURS  # noqa: E402

HEADERS = [
    "受注番号",
    "仕向地",
    "品目（該非）",
    "HSコード",
    "需要者",
    "用途",
    "インフォーム",
    "金額（円）",
    "出荷日",
    "判定",
    "理由",
]
WIDTHS = [14, 12, 14, 11, 30, 12, 14, 14, 12, 12, 70]
USES = ["民生", "軍事", "大量破壊兵器", "不明"]
INFORMS = ["なし", "大量破壊兵器", "通常兵器"]

# (受注番号, 仕向地, 品目, HS, 需要者, 用途, インフォーム, 金額, 出荷日)  — expected decision in the comment
LINES = [
    (
        "SO-2025-0101",
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
        "SO-2025-0102",
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
        "SO-2025-0103",
        "ロシア",
        "非該当",
        "8471.30",
        "OOO Volga Trade",
        "民生",
        "なし",
        380000,
        date(2025, 11, 18),
    ),  # 要確認
    (
        "SO-2025-0104",
        "中国",
        "非該当",
        "8458.11",
        "華東精密机械有限公司",
        "軍事",
        "なし",
        6800000,
        date(2025, 12, 2),
    ),  # 許可要
    (
        "SO-2025-0105",
        "中国",
        "非該当",
        "3926.90",
        "深圳宏達塑料有限公司",
        "軍事",
        "なし",
        54000,
        date(2025, 12, 9),
    ),  # catch-all 16の項(2)
    (
        "SO-2025-0106",
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
        "SO-2026-0001",
        "フランス",
        "15の項(1)",
        "8807.30",
        "Société Aéro Lyon",
        "民生",
        "なし",
        40000,
        date(2026, 1, 13),
    ),  # 許可不要 (少額)
    (
        "SO-2026-0002",
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
        "SO-2026-0003",
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
        "SO-2026-0004",
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
        "SO-2026-0005",
        "シンガポール",
        "非該当",
        "0901.11",
        "Marina Coffee Trading Pte. Ltd.",
        "民生",
        "なし",
        260000,
        date(2026, 3, 3),
    ),  # 許可不要
    (
        "SO-2026-0006",
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
    ("使い方", "title"),
    ("このブックは安全保障貿易管理（外為法・輸出貿易管理令）のスクリーニング用の受注一覧の見本です。", None),
    ("", None),
    ("1. 「受注一覧」シートの見出し行の下に、1行に1件ずつ受注を入力します。", None),
    ("   仕向地：国名（日本語・英語・ISOコードのいずれでも可。例：米国、United States、US）", None),
    ("   品目（該非）：該非判定の結果（例：7の項(1)、15の項(1)、非該当）", None),
    ("   HSコード：統計品目番号の上6桁以上（例：8458.11）。キャッチオール規制の対象判定に使います。", None),
    ("   需要者：需要者（エンドユーザー）名。外国ユーザーリストとの照合に使います。", None),
    (
        "   用途・インフォーム：一覧から選択します"
        "（用途：民生／軍事／大量破壊兵器／不明、インフォーム：なし／大量破壊兵器／通常兵器）。",
        None,
    ),
    ("   金額（円）：少額特例の判定に使います。出荷日：この日に有効な法令で判定します（空欄なら実行日）。", None),
    ("2. 端末で次のコマンドを実行します。", None),
    ("   exportscreen screen sample_orders.xlsx --out 判定済み.xlsx", None),
    ("   （--out を省略するとこのファイルに直接書き込みます。Excelで開いている間は書き込みません。）", None),
    (
        "3. 「判定」列に 輸出禁止／許可要／要確認／許可不要／入力エラー、「理由」列に根拠条文つきの理由が入ります。",
        None,
    ),
    (
        "   判定の色：赤＝輸出禁止、橙＝許可要、紫＝事前報告要（技術の提供）、黄＝要確認、"
        "青緑＝許可取得済、緑＝許可不要、灰＝入力エラー",
        None,
    ),
    ("4. 判定・理由の列以外（書式、数式、入力規則、他のシートなど）は変更されません。", None),
    ("", None),
    (
        "注意：この判定は社内審査の補助です。最終判断は輸出管理責任者が行い、必要に応じて経済産業省に確認してください。",
        "note",
    ),
]


def build(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties(
        {
            "title": "受注一覧（安全保障貿易管理スクリーニング見本）",
            "author": "exportscreen",
            "subject": "安全保障貿易管理",
            "keywords": "export control, 該非判定, キャッチオール",
        }
    )
    title = wb.add_format({"bold": True, "font_size": 14})
    sub = wb.add_format({"font_color": "#595959"})
    head = wb.add_format(
        {
            "bold": True,
            "bg_color": "#1F4E78",
            "font_color": "#FFFFFF",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    text = wb.add_format({"border": 1, "valign": "top"})
    reason = wb.add_format({"border": 1, "valign": "top", "text_wrap": True})
    money = wb.add_format({"border": 1, "num_format": "#,##0", "valign": "top"})
    day = wb.add_format({"border": 1, "num_format": "yyyy/mm/dd", "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    total_label = wb.add_format({"bold": True, "top": 2})
    total_money = wb.add_format({"bold": True, "top": 2, "num_format": "#,##0"})

    ws = wb.add_worksheet("受注一覧")
    ws.write("A1", "受注一覧（安全保障貿易管理スクリーニング対象）", title)
    ws.write("A2", "判定・理由の列は exportscreen が記入します。", sub)
    hr = 2  # header row (0-based) -> row 3
    for c, (h, w) in enumerate(zip(HEADERS, WIDTHS)):
        ws.write(hr, c, h, head)
        ws.set_column(c, c, w, wrap if h == "理由" else None)
    ws.set_row(hr, 22)
    for i, line in enumerate(LINES):
        r = hr + 1 + i
        for c, v in enumerate(line):
            if c == 7:
                ws.write_number(r, c, v, money)
            elif c == 8:
                ws.write_datetime(r, c, v, day)
            else:
                ws.write_string(r, c, v, text)
        ws.write_blank(r, 9, None, text)  # 判定 and 理由, filled by exportscreen: their cells keep this style
        ws.write_blank(r, 10, None, reason)
    last = hr + len(LINES)
    total_row = last + 1
    ws.write(total_row, 0, "合計", total_label)
    ws.write_formula(total_row, 7, f"=SUM(H{hr + 2}:H{last + 1})", total_money, sum(x[7] for x in LINES))
    end = 1000
    ws.data_validation(
        hr + 1,
        5,
        end,
        5,
        {"validate": "list", "source": USES, "error_title": "用途", "error_message": "一覧から選択してください"},
    )
    ws.data_validation(
        hr + 1,
        6,
        end,
        6,
        {
            "validate": "list",
            "source": INFORMS,
            "error_title": "インフォーム",
            "error_message": "一覧から選択してください",
        },
    )
    for code, (bg, fg) in DECISION_COLOURS.items():
        ws.conditional_format(
            hr + 1,
            9,
            end,
            9,
            {
                "type": "cell",
                "criteria": "==",
                "value": f'"{code.label}"',
                "format": wb.add_format({"bg_color": f"#{bg}", "font_color": f"#{fg}", "bold": True}),
            },
        )
    ws.freeze_panes(hr + 1, 2)
    ws.autofilter(hr, 0, last, len(HEADERS) - 1)
    print_setup(ws)
    ws.repeat_rows(hr)
    ws.print_area(0, 0, total_row, len(HEADERS) - 1)

    guide = wb.add_worksheet("使い方")
    guide.set_column(0, 0, 110)
    big = wb.add_format({"bold": True, "font_size": 14})
    note = wb.add_format({"bold": True, "font_color": "#9C0006", "text_wrap": True})
    for r, (t, kind) in enumerate(INSTRUCTIONS):
        guide.write(r, 0, t, big if kind == "title" else note if kind == "note" else None)
    print_setup(guide)
    guide.fit_to_pages(1, 1)  # one page
    guide.print_area(0, 0, len(INSTRUCTIONS) - 1, 0)
    wb.close()


def print_setup(ws) -> None:
    """A4 landscape, as wide as the page, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C&P / &N")


def main(argv: list[str]) -> int:
    out = (
        Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "workbook_templates" / "sample_orders.xlsx"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    build(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
