"""Shipments and balances (issue 15 §3): `shipments record` of a real screened workbook / csv (which lines, the
licence each is recorded against, refused a second time, a file recorded whole or not at all, the audit run), on
SQLite and PostgreSQL (two processes recording one file at once: exactly one wins); `licences show` with the
shipments and the balance; screening against the balance (the stored shipments, and the earlier lines of the same
table)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import xlsxwriter
from conftest_pg import pg_server, pg_url  # noqa: F401
from test_register import row, write_csv  # noqa: E402  (tests/licences is on the path as the test's folder)
from test_screening_with_register import import_register as screening_register  # noqa: E402

from exportscreen import cli, shipments, state
from exportscreen.audit import open_log
from exportscreen.errors import UserError
from exportscreen.ids.text import fold
from exportscreen.model import Code
from exportscreen.screening import decide

DATE = "2026-06-01"
HEADER = ["注文番号", "仕向地", "品目", "需要者", "用途", "金額", "数量", "出荷日", "出荷済"]


def import_register(tmp_path: Path) -> None:
    """test_screening_with_register's register, and Q-1: 4の項 to China with a quantity limit."""
    quantity = row(no="Q-1", countries="中国", items="4の項", quantity="10", quantity_unit="台", granted="2026-05-01")
    screening_register(tmp_path, quantity)


def workbook(path: Path, lines: list[list], header: list[str] = HEADER) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("受注")
    for r, line in enumerate([header, *lines]):
        ws.write_row(r, 0, line)
    wb.close()
    return path


def cn(no: str, value, shipped="○", user="ABC Co., Ltd.", qty=1) -> list:
    return [no, "中国", "3の項(1)", user, "民生", value, qty, DATE, shipped]


def line_decision(value):
    return decide(
        country="中国", item="3の項(1)", end_user="ABC Co., Ltd.", end_use="民生", value_jpy=value, ship_date=DATE
    )


def test_record_the_marked_lines_then_the_balance_in_show_and_in_screening(tmp_path, capsys, db):
    import_register(tmp_path)
    assert line_decision(600_000).code is Code.LICENSED  # no shipment yet: the whole limit
    src = workbook(
        tmp_path / "orders.xlsx",
        [
            ["A-1", "米国", "3の項(1)", "US Corp", "民生", 100000, 2, DATE, "○"],  # 一般包括 G-1
            cn("A-2", 500000, shipped="済"),  # I-1
            cn("A-3", 300000, shipped=""),  # not shipped
            cn("A-4", 200000, shipped="×"),  # not shipped
            cn("A-5", 500000, user="XYZ Ltd."),  # shipped, but no licence covers it: listed, not recorded
            cn("A-6", 100000, shipped="2026-06-02", qty=3),  # a date: shipped
            ["A-7", "中国", "4の項(1)", "ABC Co., Ltd.", "民生", 50000, 4, DATE, "○"],  # 要確認 (quantity)
        ],
    )
    capsys.readouterr()
    assert cli.main(["shipments", "record", str(src)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "出荷済 列に印のある行のうち 4 行を出荷実績として記録しました" in out
    assert "許可 I-1: 2 行、600,000円" in out and "許可 G-1: 1 行、100,000円" in out
    assert "記録しなかった行: 1" in out and "A-5: 許可要" in out
    got = sorted((s["line_ref"], s["row"], s["value_jpy"], s["quantity"]) for s in shipments.of_licence("i-1"))
    assert got == [("A-2", 3, 500000.0, 1.0), ("A-6", 7, 100000.0, 3.0)]
    # the licence: its shipments and what is left
    assert cli.main(["licences", "show", "I-1", "--as-of", DATE]) == 0
    out = capsys.readouterr().out
    assert "出荷実績: 2 行" in out and "orders.xlsx\tA-2\t500,000\t1" in out
    assert "金額残高: 400,000（上限 1,000,000円 − 出荷 600,000円）" in out
    assert cli.main(["licences", "show", "Q-1", "--as-of", DATE]) == 0
    # A-7's 数量 4 names no unit (nor does its column): not taken to be 台, recorded without a quantity
    assert "数量残: 不明（数量の分からない出荷 1 行）（上限 10 − 出荷 0）" in capsys.readouterr().out
    # screening knows the balance: within it 許可取得済 (naming it), over it 要確認, over the limit 許可要
    d = line_decision(400_000)
    assert d.code is Code.LICENSED and "残高 400,000円" in d.reasons[0].ja
    d = line_decision(400_001)
    assert d.code is Code.REVIEW and any(r.rule_id == "LICENCE-CHECK" and "残高 400,000円" in r.ja for r in d.reasons)
    assert line_decision(1_000_001).code is Code.LICENSE_REQUIRED
    # a second recording of the same lines is refused, one line, exit 2, nothing recorded
    assert cli.main(["shipments", "record", str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "出荷実績は記録済みです（4 行）" in err and "A-2（許可 I-1" in err
    assert len(shipments.of_licence("I-1")) == 2
    # the audit: one run per recording, the refused one failed; the recorded lines with their decisions
    log = open_log()
    runs = [r for r in reversed(log.runs()) if r["kind"] == "shipment_record"]
    assert [r["status"] for r in runs] == ["ok", "failed"]
    recs = log.records(runs[0]["id"])
    assert sorted(r["row"] for r in recs) == [2, 3, 7, 8]
    assert sorted(r["decision"] for r in recs) == ["LICENSED"] * 3 + ["REVIEW"]
    assert log.verify() == []


def test_an_order_book_marked_day_by_day_is_recorded_again_with_skip_recorded(tmp_path, capsys, db):
    """The same workbook, more lines marked each day: recorded again, it is refused (a line recorded twice would
    count twice); with --skip-recorded the lines recorded before are left out and listed, the new ones recorded."""
    import_register(tmp_path)
    path = tmp_path / "book.xlsx"
    workbook(path, [cn("B-1", 100000), cn("B-2", 200000, shipped=""), cn("B-3", 300000, shipped="")])
    assert cli.main(["shipments", "record", str(path)]) == 0
    workbook(path, [cn("B-1", 100000), cn("B-2", 200000), cn("B-3", 300000, shipped="")])  # B-2 shipped today
    capsys.readouterr()
    assert cli.main(["shipments", "record", str(path)]) == 2
    assert "出荷実績は記録済みです（1 行）" in capsys.readouterr().err
    assert cli.main(["shipments", "record", str(path), "--skip-recorded"]) == 0
    out = capsys.readouterr().out
    assert "1 行を出荷実績として記録しました" in out and "記録済みのため飛ばした行: 1（B-1）" in out
    assert sorted((s["line_ref"], s["value_jpy"]) for s in shipments.of_licence("I-1")) == [
        ("B-1", 100000.0),
        ("B-2", 200000.0),
    ]
    # nothing new: nothing recorded, both listed; the audit run holds only the line it recorded
    assert cli.main(["shipments", "record", str(path), "--skip-recorded"]) == 0
    out = capsys.readouterr().out
    assert "0 行を出荷実績として記録しました" in out and "記録済みのため飛ばした行: 2（B-1、B-2）" in out
    log = open_log()
    runs = [r for r in reversed(log.runs()) if r["kind"] == "shipment_record"]
    assert [r["status"] for r in runs] == ["ok", "failed", "ok", "ok"]
    assert [[r["row"] for r in log.records(run["id"])] for run in runs[2:]] == [[3], []]
    assert log.verify() == []


def test_a_used_up_licence_is_not_covered_and_an_over_shipment_is_warned(tmp_path, capsys, db):
    import_register(tmp_path)
    src = workbook(tmp_path / "big.xlsx", [cn("B-1", 900000), cn("B-2", 900000)])
    assert cli.main(["shipments", "record", str(src)]) == 0
    out = capsys.readouterr().out
    assert "警告: 許可 I-1 の金額上限を 800,000円 超えて出荷されています" in out
    d = line_decision(1)
    assert d.code is Code.LICENSE_REQUIRED
    assert any("出荷実績 1,800,000円 で使い切っています" in r.ja for r in d.reasons)


def test_screening_counts_the_earlier_lines_of_the_same_table(tmp_path, capsys, db):
    import_register(tmp_path)
    rec = workbook(tmp_path / "shipped.xlsx", [cn("S-1", 500000)])
    assert cli.main(["shipments", "record", str(rec)]) == 0  # 500,000 left
    src = workbook(
        tmp_path / "next.xlsx",
        [
            cn("N-1", 300000, shipped=""),
            cn("N-2", 150000, shipped=""),
            cn("N-3", 100000, shipped=""),
            cn("N-4", 10000, ""),
        ],
    )
    assert cli.main(["screen", str(src)]) == 0, capsys.readouterr().err
    ws = openpyxl.load_workbook(src)["受注"]
    col = [c.value for c in ws[1]]
    decided = [(ws.cell(r, col.index("判定") + 1).value, ws.cell(r, col.index("理由") + 1).value) for r in range(2, 6)]
    assert [d for d, _ in decided] == ["許可取得済", "許可取得済", "要確認", "要確認"]
    assert "この表の前の行（計 450,000円）を差し引くと残高は 50,000円" in decided[2][1]
    assert "計 550,000円" in decided[3][1] and "残高は 0円" in decided[3][1]  # every covered line counts
    # the engine alone (one line, no run) is unchanged by the table: 100,000 is within the stored balance
    assert line_decision(100_000).code is Code.LICENSED


def test_which_lines_a_file_without_a_column_and_bad_marks(tmp_path, capsys, db):
    import_register(tmp_path)
    # a csv without 出荷済: a list of shipped lines, every line recorded
    path = tmp_path / "invoice.csv"
    path.write_text(
        "注文番号,仕向地,品目,需要者,用途,金額,出荷日\n"
        f'C-1,中国,3の項(1),"ABC Co., Ltd.",民生,1000,{DATE}\n'
        f'C-1,中国,3の項(2),"ABC Co., Ltd.",民生,2000,{DATE}\n',
        encoding="utf-8",
    )
    assert cli.main(["shipments", "record", str(path)]) == 0
    assert "全行（出荷済の列なし）のうち 2 行" in capsys.readouterr().out
    assert sorted(s["line_ref"] for s in shipments.of_licence("I-1")) == ["C-1", "C-1 (2)"]  # one order, two lines
    # --column that is not there; a mark that cannot be read: refused, nothing recorded
    src = workbook(tmp_path / "marks.xlsx", [cn("M-1", 1000), cn("M-2", 1000, shipped="たぶん")])
    assert cli.main(["shipments", "record", str(src), "--column", "発送"]) == 2
    assert "列「発送」が見出し行にありません" in capsys.readouterr().err
    assert cli.main(["shipments", "record", str(src)]) == 2
    assert "3行目「たぶん」" in capsys.readouterr().err
    assert cli.main(["shipments", "record", str(src), "--lang", "en"]) == 2
    assert "cells not understood" in capsys.readouterr().err
    assert len(shipments.of_licence("I-1")) == 2


def test_marks():
    assert [shipments._mark(v) for v in ("○", "済", " Yes ", "TRUE", 1, 45000.0, "2026/6/1")] == [True] * 7
    assert [shipments._mark(v) for v in (None, "", "×", "未", "no", 0, "-")] == [False] * 7
    assert [shipments._mark(v) for v in ("x", "たぶん", 5, "保留")] == [None] * 4


RECORD = """
import sys
from exportscreen import cli
sys.exit(cli.main(["shipments", "record", sys.argv[1]]))
"""


def test_two_processes_recording_one_file_at_once_one_wins(tmp_path, pg_url):  # noqa: F811
    env = {**os.environ, "EXPORTSCREEN_DB_URL": pg_url, "EXPORTSCREEN_HOME": str(tmp_path / "home")}
    os.environ.update(EXPORTSCREEN_DB_URL=pg_url)
    try:
        state.reset_rules()
        import_register(tmp_path)
        src = workbook(tmp_path / "race.xlsx", [cn(f"R-{i}", 1000) for i in range(50)])
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", RECORD, str(src)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        assert sorted(p.returncode for p in procs) == [0, 2], outs
        assert "記録済み" in next(o[1] for p, o in zip(procs, outs) if p.returncode == 2)
        assert len(shipments.of_licence("I-1")) == 50
    finally:
        del os.environ["EXPORTSCREEN_DB_URL"]
        state.reset_rules()


def test_a_concurrent_insert_between_the_check_and_ours_is_refused(tmp_path, pg_url, monkeypatch):  # noqa: F811
    """The other run's rows are not committed when we look, so only the unique key can stop us: it does."""
    monkeypatch.setenv("EXPORTSCREEN_DB_URL", pg_url)
    state.reset_rules()
    import_register(tmp_path)
    src = workbook(tmp_path / "race2.xlsx", [cn("Q-1", 1000)])
    from exportscreen.store import open_store

    other = open_store().engine.connect()
    tx = other.begin()
    other.execute(
        shipments.shipments_t.insert().values(
            licence_no="I-1",
            licence_key=fold("I-1"),
            register_version="2026-01-01",
            file_name="race2.xlsx",
            file_sha256="0" * 64,
            row=2,
            line_ref="Q-1",
            ship_date=DATE,
            recorded_at="2026-06-01T00:00:00",
        )
    )
    result: list = []

    def ours():
        try:
            result.append(shipments.record(src))
        except UserError as exc:
            result.append(exc)

    t = threading.Thread(target=ours)
    t.start()
    t.join(3)
    assert t.is_alive()  # waiting on the other transaction's key
    tx.commit()
    other.close()
    t.join(60)
    assert isinstance(result[0], UserError) and "記録済み" in result[0].ja
    assert len(shipments.of_licence("I-1")) == 1


def test_the_audit_workbook_lists_the_licences_expiring_within_30_days(tmp_path, capsys):
    from datetime import date, timedelta

    from exportscreen import audit_export

    today = date.today()
    iso = lambda days: (today + timedelta(days=days)).isoformat()  # noqa: E731
    rows = [
        row(no="SOON", countries="中国", items="3の項", value="1000000", granted=iso(-100), expires=iso(10)),
        row(no="LATER", countries="中国", items="3の項", granted=iso(-100), expires=iso(60)),
        row(no="GONE", countries="中国", items="3の項", granted=iso(-150), expires=iso(-1)),
        row(no="EDGE", countries="中国", items="4の項", granted=iso(-100), expires=iso(30)),
    ]
    reg = write_csv(tmp_path / "reg.csv", rows)
    assert cli.main(["licences", "import", str(reg), "--effective", iso(-200)]) == 0
    assert cli.main(["licences", "list", "--expiring", "30"]) == 0
    listed = [ln.split("\t")[0] for ln in capsys.readouterr().out.splitlines()[2:]]
    assert listed == ["SOON", "EDGE"]
    src = workbook(tmp_path / "s.xlsx", [[*cn("S-1", 250000)[:7], iso(0), "○"]])
    assert cli.main(["shipments", "record", str(src)]) == 0
    run_id = next(r["id"] for r in open_log().runs() if r["kind"] == "shipment_record")
    out = tmp_path / "audit.xlsx"
    assert cli.main(["audit", "export", "--run", str(run_id), "--out", str(out)]) == 0
    ws = openpyxl.load_workbook(out)["サマリー"]
    top = audit_export.SUMMARY_RUNS_HEAD_ROW + 3
    assert ws.cell(top, 1).value.startswith(f"有効期限が30日以内の許可（{today} 時点")
    assert [c.value for c in ws[top + 1]][:6] == audit_export.EXPIRING_COLUMNS
    table = [[c.value for c in ws[r]][:6] for r in (top + 2, top + 3, top + 4)]
    assert table[0] == ["SOON", "個別", iso(10), 10, "CN", 750000]  # the limit less the shipment recorded
    assert table[1][:4] == ["EDGE", "個別", iso(30), 30] and table[1][5] == "—"  # no value limit
    assert table[2][0] is None
    assert ws.cell(audit_export.SUMMARY_RUNS_HEAD_ROW + 1, 4).value == "出荷実績の記録"
