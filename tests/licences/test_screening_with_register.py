"""End to end: after `exportscreen licences import` of a register, a line it covers is 許可取得済 in every adapter —
`check` (text and JSON), `screen` of a real workbook (the 判定 cell and its colour), the SCREEN function and the
audit record — and a line it does not cover stays 許可要 saying why."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import xlsxwriter
from test_register import row, write_csv  # noqa: E402  (tests/licences is on the path as the test's folder)

from exportscreen import cli, functions
from exportscreen.audit import open_log
from exportscreen.model import Code
from exportscreen.render import DECISION_COLOURS

DATE = "2026-06-01"


def import_register(tmp_path: Path, *more: dict) -> None:
    """A register of a 一般包括 licence G-1 (別表第三, 3の項) and an individual licence I-1 (中国, 3の項(1)–(2),
    ¥1,000,000, 2026-05-01..10-31), and ``more`` rows, imported in force from 2026-01-01."""
    rows = [
        row(no="G-1", kind="一般包括", countries="別表第三", parties="", items="3の項", expires="2028-12-31"),
        row(
            no="I-1",
            countries="中国",
            items="3の項(1)～(2)",
            value="1000000",
            granted="2026-05-01",
            expires="2026-10-31",
        ),
        *more,
    ]
    assert (
        cli.main(["licences", "import", str(write_csv(tmp_path / "reg.csv", rows)), "--effective", "2026-01-01"]) == 0
    )


def test_check_text_and_json(tmp_path, capsys):
    args = ["check", "--country", "米国", "--item", "3の項(1)", "--end-use", "民生", "--date", DATE]
    assert cli.main(args) == 0
    assert "判定: 許可要" in capsys.readouterr().out  # no register yet
    import_register(tmp_path)
    capsys.readouterr()
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "判定: 許可取得済" in out and "一般包括許可 G-1（有効期限 2028-12-31）の対象です" in out
    assert cli.main([*args, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["decision"] == "LICENSED" and d["label"] == "許可取得済"
    assert cli.main([*args, "--lang", "en"]) == 0
    assert "covered by general bulk licence G-1 (valid until 2028-12-31)" in capsys.readouterr().out
    cn = ["check", "--country", "中国", "--item", "3の項(1)", "--end-user", "ABC Co., Ltd.", "--date", DATE]
    assert cli.main([*cn, "--end-use", "民生", "--value-jpy", "2000000"]) == 0
    out = capsys.readouterr().out
    assert "判定: 許可要" in out and "個別許可 I-1 の対象外：金額が許可の金額上限 1,000,000円 を超えます" in out


def test_screen_a_workbook_the_function_and_the_audit_record(tmp_path, capsys):
    import_register(tmp_path)
    src = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("受注")
    header = ["注文番号", "仕向地", "品目", "需要者", "用途", "金額", "出荷日"]
    lines = [
        ["A-1", "米国", "3の項(1)", "US Corp", "民生", 100000, DATE],  # 一般包括 G-1
        ["A-2", "中国", "3の項(2)", "ABC Co., Ltd.", "民生", 500000, DATE],  # 個別 I-1
        ["A-3", "中国", "3の項(1)", "XYZ Ltd.", "民生", 500000, DATE],  # another end user: 許可要
        ["A-4", "中国", "3の項(1)", "ABC Co., Ltd.", "民生", 500000, "2026-11-01"],  # I-1 expired
    ]
    for r, line in enumerate([header, *lines]):
        ws.write_row(r, 0, line)
    wb.close()
    out = tmp_path / "out.xlsx"
    assert cli.main(["screen", str(src), "--out", str(out)]) == 0, capsys.readouterr().err
    sheet = openpyxl.load_workbook(out)["受注"]
    head = [c.value for c in sheet[1]]
    col = head.index("判定") + 1
    got = [sheet.cell(r, col).value for r in range(2, 6)]
    assert got == ["許可取得済", "許可取得済", "許可要", "許可要"]
    assert sheet.cell(2, col).fill.fgColor.rgb == "FF" + DECISION_COLOURS[Code.LICENSED][0]
    why = [sheet.cell(r, col + 1).value for r in range(2, 6)]
    assert why[1].startswith("個別許可 I-1（有効期限 2026-10-31、金額上限 1,000,000 JPY）の対象です")
    assert "需要者が許可の需要者（ABC Co., Ltd.）と異なります" in why[2]
    assert "出荷日に有効期限 2026-10-31 を過ぎています" in why[3]
    assert "許可取得済 2" in capsys.readouterr().out  # the run's summary counts the new decision
    records = open_log().records()
    assert [r["decision"] for r in records[-4:]] == ["LICENSED", "LICENSED", "LICENSE_REQUIRED", "LICENSE_REQUIRED"]
    assert functions.SCREEN("米国", "3の項(1)", None, "US Corp", "民生", None, 100000, DATE) == "許可取得済"
    assert functions.SCREEN("中国", "3の項(1)", None, "US Corp", "民生", None, 100000, DATE) == "許可要"
