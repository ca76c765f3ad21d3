"""A licence's 数量上限 while screening (issue 15 §3): a real workbook and csv with a 数量 column screened against a
register whose licence Q-1 has a quantity limit (10 台) and recorded shipments — under and over the limit, the balance,
the earlier lines of the same table, no quantity, another unit, a recorded shipment of unknown quantity, the limit
used up —, the same quantity read by `shipments record`, `check --quantity`, the Python API and =SCREEN_TABLE; on
SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401
from test_shipments import DATE, import_register, workbook  # (tests/licences is on the path)

import exportscreen
from exportscreen import cli, functions, shipments
from exportscreen.audit import open_log

HEADER = ["注文番号", "仕向地", "品目", "需要者", "用途", "金額", "数量（台）", "出荷日", "出荷済"]
CHECK = ["check", "--country", "中国", "--item", "4の項(1)", "--end-user", "ABC Co., Ltd.", "--end-use", "民生"]


def q1(no: str, qty, shipped="○", item="4の項(1)", country="中国") -> list:
    """A line Q-1 (中国, 4の項, ABC Co., Ltd., 10 台) may cover."""
    return [no, country, item, "ABC Co., Ltd.", "民生", 10000, qty, DATE, shipped]


def decided(path: Path, rows: int) -> list[tuple[str, str]]:
    ws = openpyxl.load_workbook(path).active
    head = [c.value for c in ws[1]]
    d, r = head.index("判定") + 1, head.index("理由") + 1
    return [(ws.cell(i, d).value, ws.cell(i, r).value) for i in range(2, rows + 2)]


def check(capsys, *more: str) -> str:
    capsys.readouterr()
    assert cli.main([*CHECK, "--date", DATE, *more]) == 0
    return capsys.readouterr().out


def test_a_quantity_limit_in_every_adapter(tmp_path, capsys, db):
    import_register(tmp_path)
    # 7 台 shipped: 3 left
    shipped = workbook(tmp_path / "shipped.xlsx", [q1("S-1", 3), q1("S-2", "4台")], HEADER)
    assert cli.main(["shipments", "record", str(shipped)]) == 0, capsys.readouterr().err
    assert sorted((s["line_ref"], s["quantity"]) for s in shipments.of_licence("Q-1")) == [("S-1", 3.0), ("S-2", 4.0)]
    capsys.readouterr()
    assert cli.main(["licences", "show", "Q-1", "--as-of", DATE]) == 0
    assert "数量残: 3 台（上限 10 − 出荷 7）" in capsys.readouterr().out

    # a workbook: the stored balance, then the earlier lines of the same table
    lines = [
        q1("N-1", 2),  # 3 left: 許可取得済, naming what is left
        q1("N-2", 1),  # 2 + 1: the whole balance
        q1("N-3", 1),  # 3 before it: nothing left
        q1("N-4", 4),  # over the stored balance
        q1("N-5", 11),  # over the limit: not covered
        q1("N-6", None),  # no quantity
        q1("N-7", "2kg"),  # another unit: never converted
        q1("N-8", 1),  # after lines of unknown quantity
        q1("N-9", 50, item="3の項(1)", country="米国"),  # 一般包括 G-1 has no quantity limit
    ]
    src = workbook(tmp_path / "next.xlsx", [line[:-1] for line in lines], HEADER[:-1])
    capsys.readouterr()
    assert cli.main(["screen", str(src)]) == 0, capsys.readouterr().err
    got = decided(src, len(lines))
    assert [d for d, _ in got] == [
        "許可取得済",
        "許可取得済",
        "要確認",
        "要確認",
        "許可要",
        "要確認",
        "要確認",
        "要確認",
        "許可取得済",
    ]
    assert "個別許可 Q-1（有効期限 2026-07-15、数量上限 10 台・残 3 台）の対象です" in got[0][1]
    assert "この表の前の行（計 3 台）を差し引くと数量の残りは 0 台 で、この行の数量 1 台 を超えます" in got[2][1]
    assert "数量が残量 3 台（数量上限 10 台 から出荷実績を引いた量）を超えます" in got[3][1]
    assert "個別許可 Q-1 の対象外：数量が許可の数量上限 10 台 を超えます" in got[4][1]
    assert "行に数量がない（または数値として読めない）" in got[5][1]
    assert "許可の単位「台」が書かれていない（または単位が異なる）" in got[6][1]
    assert "この表の前の 2 行は数量が分からない" in got[7][1]
    assert "数量" not in got[8][1]
    run = next(r for r in open_log().runs() if r["kind"] == "screen")
    records = open_log().records(run["id"])
    assert [r["decision"] for r in records][:3] == ["LICENSED", "LICENSED", "REVIEW"]  # as the cells say

    # a csv file: the same pipeline
    csv_path = tmp_path / "next.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER[:-1], q1("C-1", 2)[:-1], q1("C-2", 2)[:-1]])
    assert cli.main(["screen", str(csv_path)]) == 0, capsys.readouterr().err
    text = csv_path.read_text(encoding="utf-8")
    assert text.count("許可取得済") == 1 and "この表の前の行（計 2 台）を差し引くと数量の残りは 1 台" in text

    # check --quantity: one line against the stored balance
    assert "判定: 許可取得済" in check(capsys, "--quantity", "3台")
    assert "判定: 要確認" in check(capsys, "--quantity", "4 台")
    out = check(capsys)
    assert "判定: 要確認" in out and "行に数量がない" in out
    d = json.loads(check(capsys, "--quantity", "2台", "--json"))
    assert d["decision"] == "LICENSED" and (d["licence"]["quantity"], d["licence"]["quantity_left"]) == (2.0, 3.0)
    assert cli.main([*CHECK, "--quantity", "1", "--kind", "technology"]) == 2  # a goods option
    # =SCREEN has no quantity: a line of a licence with a 数量上限 is 要確認 there
    assert functions.SCREEN("中国", "4の項(1)", None, "ABC Co., Ltd.", "民生", None, 10000, DATE) == "要確認"
    # the Python API: a 数量 column (its unit in the cells or in its header); each record against the stored balance
    base = {"仕向地": "中国", "品目": "4の項(1)", "需要者": "ABC Co., Ltd.", "用途": "民生", "出荷日": DATE}
    out_rows = exportscreen.screen_records([{**base, "数量": q} for q in ("3台", "4台", 3, None)])
    assert [r["判定"] for r in out_rows] == ["許可取得済", "要確認", "要確認", "要確認"]
    assert [r["判定"] for r in exportscreen.screen_records([{**base, "数量(台)": q} for q in (3, 4)])] == [
        "許可取得済",
        "要確認",
    ]
    # =SCREEN_TABLE: the range's 数量 column
    table = [
        ["仕向地", "品目", "需要者", "用途", "出荷日", "数量（台）"],
        ["中国", "4の項(1)", "ABC Co., Ltd.", "民生", DATE, 3],
    ]
    assert functions.SCREEN_TABLE(table)[1][0] == "許可取得済"

    # shipments record decides as screening does: a line in another unit is covered (要確認) and recorded without a
    # quantity — the balance is then unknown, never counted in another unit
    other = workbook(tmp_path / "other.xlsx", [q1("O-1", "2kg")], HEADER)
    assert cli.main(["shipments", "record", str(other)]) == 0, capsys.readouterr().err
    (o1,) = [s for s in shipments.of_licence("Q-1") if s["line_ref"] == "O-1"]
    assert o1["quantity"] is None
    rec = open_log().records(next(r["id"] for r in open_log().runs() if r["kind"] == "shipment_record"))
    assert [r["decision"] for r in rec] == ["REVIEW"]
    out = check(capsys, "--quantity", "1台")
    assert "判定: 要確認" in out and "数量の分からない出荷実績が 1 件あり、数量上限 10 台 の残量が分かりません" in out
    capsys.readouterr()
    assert cli.main(["licences", "show", "Q-1", "--as-of", DATE]) == 0
    assert "数量残: 不明（数量の分からない出荷 1 行）" in capsys.readouterr().out
    # the known quantities use it up: not covered, whatever the unknown ones were
    last = workbook(tmp_path / "last.xlsx", [q1("L-1", 3)], HEADER)
    assert cli.main(["shipments", "record", str(last)]) == 0, capsys.readouterr().err
    out = check(capsys, "--quantity", "1台")
    assert "判定: 許可要" in out and "数量上限 10 台 を出荷実績 10 台 で使い切っています" in out
    assert open_log().verify() == []


@pytest.mark.parametrize("quantity", ["", "2台"])
def test_a_register_without_quantity_limits_never_reads_the_quantity(tmp_path, capsys, quantity):
    from test_screening_with_register import import_register as plain_register

    plain_register(tmp_path)
    src = workbook(tmp_path / "o.xlsx", [q1("P-1", quantity, item="3の項(1)", country="米国")[:-1]], HEADER[:-1])
    assert cli.main(["screen", str(src)]) == 0, capsys.readouterr().err
    assert decided(src, 1)[0][0] == "許可取得済"
