"""Finding the order table: header row, column names (Japanese/English variants), lines, totals rows, csv."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from exportscreen import orders
from exportscreen.errors import UserError

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "workbook_templates" / "sample_orders.xlsx"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))


@pytest.mark.parametrize(
    "text,field",
    [
        ("仕向地", "country"),
        ("仕向国", "country"),
        (" Country ", "country"),
        ("DESTINATION", "country"),
        ("品目（該非）", "item"),
        ("該非", "item"),
        ("Item", "item"),
        ("Classification", "item"),
        ("HSコード", "hs"),
        ("ＨＳコード", "hs"),
        ("HS", "hs"),
        ("HS code", "hs"),
        ("需要者", "end_user"),
        ("需要者名", "end_user"),
        ("End user", "end_user"),
        ("Consignee", "end_user"),
        ("用途", "end_use"),
        ("End use", "end_use"),
        ("インフォーム", "inform"),
        ("Inform", "inform"),
        ("金額", "value_jpy"),
        ("金額(円)", "value_jpy"),
        ("金額（円）", "value_jpy"),
        ("Value", "value_jpy"),
        ("出荷日", "ship_date"),
        ("出荷予定日", "ship_date"),
        ("Ship date", "ship_date"),
        ("判定", "decision"),
        ("理由", "reason"),
        ("受注番号", "order_no"),  # read apart from FIELDS, for the screen summary
        ("備考", None),
        ("", None),
        (None, None),
    ],
)
def test_match_column(text, field):
    assert orders.match_column(text) == field


def test_find_header_below_a_title():
    rows = [["受注一覧 2025年度"], [], ["No", "Destination", "Item", "Value", "判定"], ["1", "US", "7の項(1)", 5]]
    h = orders.find_header(rows)
    assert h.row == 2
    assert h.columns == {"country": 1, "item": 2, "value_jpy": 3, "decision": 4}
    assert h.output_columns() == (4, 5, ["reason"])


def test_header_needs_country_and_item():
    assert orders.find_header([["仕向地", "金額"], ["米国", 1]]) is None


def test_sample_workbook_table():
    t = orders.read_order_table(SAMPLE)
    assert t.sheet == "受注一覧" and t.header.row == 2
    assert set(orders.FIELDS) - {"final_destination", "final_end_user", "part_no"} <= set(t.header.columns)
    assert t.header.columns["decision"] == 9 and t.header.columns["reason"] == 10
    assert len(t.lines) == 12
    assert t.total_rows == [15] and t.skipped == {"totals row": 1}
    first = t.lines[0].kwargs()
    assert first["country"] == "北朝鮮" and first["item"] == "非該当" and first["hs"] == "8471.30"
    assert first["value_jpy"] == 120000 and first["ship_date"] == date(2025, 11, 4)


def test_first_sheet_with_a_table_is_chosen_and_sheet_option(tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("メモ").write("A1", "notes only")
    ws = wb.add_worksheet("Orders")
    ws.write_row("C5", ["Country", "Item", "End user"])  # table starts at C5: absolute coordinates kept
    ws.write_row("C6", ["US", "非該当", "ACME"])
    ws.write_row("C7", ["", "", ""])
    ws.write_row("C8", ["Total", "", ""])
    wb.close()
    t = orders.read_order_table(path)
    assert t.sheet == "Orders" and t.header.row == 4 and t.header.columns["country"] == 2
    assert [line.row for line in t.lines] == [5]
    assert t.lines[0].kwargs()["end_user"] == "ACME"
    assert t.skipped == {"blank": 1, "totals row": 1}
    with pytest.raises(UserError, match="no order table"):
        orders.read_order_table(path, sheet="メモ")
    with pytest.raises(UserError, match="no sheet named"):
        orders.read_order_table(path, sheet="nope")


def test_csv_table_and_encodings(tmp_path):
    p = tmp_path / "o.csv"
    p.write_bytes("タイトル\n仕向地,品目,金額\n米国,7の項(1),100\n,,\n合計,,100\n".encode("cp932"))
    t = orders.read_order_table(p)
    assert t.kind == "csv" and t.header.row == 1 and len(t.lines) == 1 and t.total_rows == [4]
    assert t.lines[0].kwargs()["value_jpy"] == "100"
