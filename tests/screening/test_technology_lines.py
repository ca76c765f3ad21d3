"""Technology lines in workbooks (issue 16 §1): a 取引区分 column (貨物 / 技術 / 役務) or a technology-only column
makes a line a technology line, screened by engine.screen_technology with its columns found by header name; goods
lines of the same sheet as before; each line recorded in the audit log with its kind."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from exportscreen import orders, render, screening, state
from exportscreen.audit import open_log
from exportscreen.engine import screen, screen_technology
from exportscreen.model import Code

DAY = date(2026, 6, 1)
HEAD = ["注文番号", "取引区分", "仕向地", "品目", "提供先の国", "提供先", "居住性", "特定類型", "影響国", "技術の項番"]
HEAD += ["HSコード", "提供方法", "例外", "重要管理対象技術", "海外生産", "報告日", "判定", "理由"]
ROWS = [  # cells of HEAD from the left
    ("G1", "貨物", "米国", "非該当", None, None, None, None, None, None, "8471.30"),
    ("T1", "技術", None, None, "日本", "山田太郎", "居住者", "なし", None, "非該当"),
    ("T2", "役務", None, None, "中国", "ABC Ltd", "非居住者", None, None, "2の項(1)", None, "メール"),
    ("T3", "Technology", None, None, "日本", "佐藤", "居住者", "①", None, "非該当"),
    ("T4", "技術", None, None, "中国", "ABC Ltd", "非居住者", None, None, "非該当", None, None, "公知"),
    ("G2", None, "中国", "非該当"),  # no 取引区分: goods
    ("T5", None, "中国", "非該当", None, None, "非居住者"),  # no 取引区分, a technology-only fact: technology
    ("X1", "輸入", "米国", "非該当"),  # neither kind: 入力エラー naming it
]


def _workbook(path, rows=ROWS, head=HEAD):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "技術提供"
    ws.append(head)
    for r in rows:
        ws.append(list(r))
    wb.save(path)


def _tech(row: tuple) -> dict:
    cells = dict(zip(HEAD, list(row) + [None] * len(HEAD)))
    return {
        "country": cells["提供先の国"] or cells["仕向地"],
        "recipient": cells["提供先"],
        "residency": cells["居住性"],
        "specific_type": cells["特定類型"],
        "influence_country": cells["影響国"],
        "item": cells["技術の項番"] or cells["品目"],
        "hs": cells["HSコード"],
        "method": cells["提供方法"],
        "exemption": cells["例外"],
        "critical_tech": cells["重要管理対象技術"],
        "purpose": cells["海外生産"],
        "report_date": cells["報告日"],
    }


def test_columns_found_by_name_in_japanese_and_english():
    names = {
        "取引区分": "kind",
        "区分": "kind",
        "Kind": "kind",
        "提供先の国": "tech_country",
        "Recipient country": "tech_country",
        "提供先": "recipient",
        "提供先名": "recipient",
        "Recipient": "recipient",
        "居住性": "residency",
        "Residency": "residency",
        "特定類型": "specific_type",
        "Specific type": "specific_type",
        "影響国": "influence_country",
        "Influencing country": "influence_country",
        "技術の項番": "tech_item",
        "Technology classification": "tech_item",
        "提供方法": "method",
        "Method": "method",
        "例外": "exemption",
        "Exemption": "exemption",
        "インフォーム": "inform",
        "用途": "end_use",
        "重要管理対象技術": "critical_tech",
        "Critical technology": "critical_tech",
        "海外生産": "purpose",
        "目的": "purpose",
        "Purpose": "purpose",
        "報告日": "report_date",
        "Report date": "report_date",
        "提供日": "provision_date",
        "Provision date": "provision_date",
        "HSコード": "hs",
        "該非": "item",
    }
    assert {h: orders.match_column(h) for h in names} == names
    assert tuple(orders.TECH_COLUMNS) == screening.TECH_RECORD[1:]


def test_a_technology_only_table_is_found():
    header = orders.find_header([["区分", "提供先の国", "居住性", "技術の項番", "判定", "理由"]])
    assert header is not None
    assert header.columns["country"] == header.columns["tech_country"] == 1
    assert header.columns["item"] == header.columns["tech_item"] == 3


def test_two_columns_for_a_technology_fact_are_refused():
    with pytest.raises(orders.ColumnClash) as exc:
        orders.find_header([["仕向地", "品目", "居住性", "居住者区分"]])
    assert "居住性" in exc.value.ja


def test_mixed_sheet_screened_line_by_line(tmp_path):
    path = tmp_path / "mixed.xlsx"
    _workbook(path)
    summary = screening.screen_file(path, as_of=DAY)
    rules = state.rules()
    ws = openpyxl.load_workbook(path).active
    dcol, rcol = HEAD.index("判定") + 1, HEAD.index("理由") + 1
    got = {ws.cell(r, 1).value: (ws.cell(r, dcol).value, ws.cell(r, rcol).value) for r in range(2, ws.max_row + 1)}
    expected = {}
    for row in ROWS:
        no, kind = row[0], row[1]
        cells = dict(zip(HEAD, row))
        if no.startswith("G"):
            d = screen(country=cells["仕向地"], item=cells["品目"], hs=cells.get("HSコード"), rules=rules, today=DAY)
        elif no.startswith("T"):
            d = screen_technology(**_tech(row), rules=rules, today=DAY)
        else:
            d = screening.decide_line(orders.OrderLine(0, (), None, kind), rules, DAY, quantity=None)
        expected[no] = (render.label(d.code), render.reason_cell(d))
    assert got == expected
    codes = {no: label for no, (label, _r) in got.items()}
    assert codes["T1"] == "許可不要" and "国内の居住者への提供" in got["T1"][1]
    assert codes["T2"] == "許可要"
    assert codes["T3"] != "許可不要"  # a 特定類型 resident is never a plain domestic provision
    assert codes["T5"] != "許可不要"  # read as technology, not as goods (goods 非該当 to 中国 would pass)
    assert codes["X1"] == "入力エラー" and "取引区分「輸入」" in got["X1"][1]
    assert summary.lines == len(ROWS)


def test_each_line_recorded_with_its_kind(tmp_path):
    path = tmp_path / "mixed.xlsx"
    _workbook(path)
    screening.screen_file(path, as_of=DAY)
    recs = {r["refs"][0][1]: r for r in open_log().records()}
    assert recs["T2"]["inputs"]["kind"] == "technology"
    assert recs["T2"]["inputs"]["residency"] == "非居住者" and recs["T2"]["inputs"]["method"] == "メール"
    assert recs["T2"]["decision"] == Code.LICENSE_REQUIRED.value
    assert "kind" not in recs["G1"]["inputs"] and recs["G1"]["inputs"]["country"] == "米国"
    assert recs["X1"]["inputs"]["kind"] == "輸入" and recs["X1"]["decision"] == Code.INVALID.value
    assert open_log().verify() == []


def test_a_row_with_only_its_kind_is_blank(tmp_path):
    path = tmp_path / "t.xlsx"
    _workbook(path, [("T1", "技術", None, None, "日本", "山田", "居住者", "なし", None, "非該当"), (None, "技術")])
    summary = screening.screen_file(path, as_of=DAY)
    assert summary.lines == 1 and summary.skipped == {"blank": 1}


def test_goods_only_sheet_unchanged(tmp_path):
    """No 取引区分 and no technology column: the fast goods path, the same decisions."""
    header = orders.find_header([["仕向地", "品目", "金額"]])
    assert orders._tech_reader(header, 0) is None


def test_audit_form_of_a_technology_line(tmp_path):
    from exportscreen import audit_export

    path = tmp_path / "mixed.xlsx"
    _workbook(path)
    screening.screen_file(path, as_of=DAY)
    out = tmp_path / "audit.xlsx"
    audit_export.export(open_log(), out, run_id=1)
    wb = openpyxl.load_workbook(out)
    form = wb["審査票_T2"]
    heads = [c.value for c in form[audit_export.FORM_TABLE_HEADER_ROW]]
    values = dict(zip(heads, [c.value for c in form[audit_export.FORM_TABLE_ROW]]))
    assert form["A1"].value == audit_export.FORM_TECH_TITLE
    assert values["居住性"] == "非居住者" and values["提供先"] == "ABC Ltd"
    assert (
        "CN" in values["提供先の国"] and values["提供方法"] == "メール" and values["技術の項番"].startswith("2の項(1)")
    )
    assert "特定類型" in heads and values["判定"] == "許可要"
    goods = wb["審査票_G2"] if "審査票_G2" in wb.sheetnames else None
    if goods is not None:
        assert [c.value for c in goods[audit_export.FORM_TABLE_HEADER_ROW]][2] == "数量"


def test_screen_cli_on_a_technology_sheet(tmp_path, capsys):
    from exportscreen import cli

    path = tmp_path / "mixed.xlsx"
    _workbook(path)
    assert cli.main(["screen", str(path), "--date", DAY.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "許可要" in out and "T2" in out and "X1" in out
