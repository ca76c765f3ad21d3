"""End to end for technology lines: after `exportscreen licences import` of a register with technology licences
(対象 技術), a technology line one covers is 許可取得済 in every adapter that shows technology lines — `check --kind
technology` (text and JSON), `screen` of the technology template (the 判定 cell, its colour, the run's summary, the
audit record), SCREEN_TECH / SCREEN_TECH_REASON — and `shipments record` records it against the licence (SQLite and
PostgreSQL); a goods line of the same 項番 is covered by none of them."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401
from test_register import row, write_csv  # noqa: E402  (tests/licences is on the path as the test's folder)

from exportscreen import cli, functions, render, shipments
from exportscreen.audit import open_log
from exportscreen.licences import ItemRange, _RowError, parse_row
from exportscreen.model import Code

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "workbook_templates" / "technology_transactions.xlsx"
sys.path.insert(0, str(REPO / "tools"))
import make_technology_template as gen  # noqa: E402

DATE = "2026-01-15"  # the template's provision date
RECIPIENT = "華東精密机械有限公司"  # TT-003's recipient: 2の項(1) technology to China by データ送信


def import_register(tmp_path: Path) -> None:
    """T-1: an individual technology licence, China, TT-003's recipient, 2の項(1), valid a year (no six-month
    limit for a 役務取引許可); T-G: a 一般包括 technology licence for 別表第三, 2の項; G-1: an individual goods
    licence for the same 項番, destination and end user."""
    rows = [
        row(no="T-1", target="技術", parties=RECIPIENT, items="2の項(1)", granted="2026-01-10", expires="2026-12-31"),
        row(
            no="T-G",
            kind="一般包括",
            target="技術",
            countries="別表第三",
            parties="",
            items="2の項",
            expires="2028-12-31",
        ),
        row(no="G-1", parties=RECIPIENT, items="2の項(1)", granted="2026-01-10", expires="2026-07-09"),
    ]
    path = write_csv(tmp_path / "reg.csv", rows)
    assert cli.main(["licences", "import", str(path), "--effective", "2026-01-01"]) == 0


def test_a_technology_licence_is_read_against_the_technology_table(rules):
    """対象 技術: 項番 of 外為令別表 (15の項(5の2) is technology only, 7の項(10) goods only); no six-month limit (外為令
    fixes no period for a 役務取引許可); catch-all technology only on an individual licence."""
    lic = parse_row(rules, row(target="技術", items="15の項(5の2)", expires="2027-01-14"))
    assert lic.target == "technology" and lic.items == (ItemRange("15", "5の2"),)
    assert parse_row(rules, row(items="7の項(10)")).items == (ItemRange("7", "10"),)
    bad = [
        (row(items="15の項(5の2)"), "15の項(5の2)は別表第一にありません"),
        (row(target="技術", items="7の項(10)"), "7の項(10)は外為令別表にありません"),
        (row(items="2の項(12)", expires="2027-01-14"), "個別許可（貨物）の有効期間は許可日から6か月"),
        (row(target="技術", kind="特定包括", items="16の項"), "キャッチオール（16の項・非該当）の技術は個別許可でのみ"),
    ]
    for cells, text in bad:
        with pytest.raises(_RowError) as exc:
            parse_row(rules, cells)
        assert text in exc.value.ja, exc.value.ja


TECH_ARGS = ["--kind", "technology", "--country", "中国", "--item", "2の項(1)", "--residency", "非居住者"]
TECH_ARGS += ["--critical-tech", "なし", "--date", DATE]


def test_check_text_and_json(tmp_path, capsys):
    args = ["check", *TECH_ARGS, "--end-user", RECIPIENT]
    assert cli.main(args) == 0
    assert "判定: 許可要" in capsys.readouterr().out  # no register yet
    import_register(tmp_path)
    capsys.readouterr()
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "判定: 許可取得済" in out and "個別許可 T-1（役務取引、有効期限 2026-12-31）の対象です" in out
    assert cli.main([*args, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["decision"] == "LICENSED" and d["licence"]["no"] == "T-1" and d["item"]["kind"] == "technology"
    assert cli.main([*args, "--lang", "en"]) == 0
    assert "covered by individual licence T-1 (technology, valid until 2026-12-31)" in capsys.readouterr().out
    assert cli.main(["check", *TECH_ARGS, "--end-user", "XYZ Ltd."]) == 0
    out = capsys.readouterr().out
    assert "判定: 許可要" in out and "提供先が許可の提供先（華東精密机械有限公司）と異なります" in out
    # the goods line of the same 項番, destination and end user: G-1 only, never T-1
    goods = ["check", "--country", "中国", "--item", "2の項(1)", "--end-user", RECIPIENT, "--end-use", "民生"]
    assert cli.main([*goods, "--date", DATE, "--value-jpy", "1000", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["decision"] == "LICENSED" and d["licence"]["no"] == "G-1"


def test_the_technology_template_the_functions_the_audit_and_shipments(tmp_path, capsys, db):
    import_register(tmp_path)
    expected = {**gen.EXPECTED, "TT-003": "許可取得済"}  # the template's examples, TT-003 now covered by T-1
    copy = tmp_path / "t.xlsx"
    shutil.copy(TEMPLATE, copy)
    assert cli.main(["screen", str(copy)]) == 0, capsys.readouterr().err
    assert "許可取得済 1" in capsys.readouterr().out  # the run's summary counts it
    ws = openpyxl.load_workbook(copy)["技術提供"]
    rows = {ws[f"A{r}"].value: r for r in range(gen.FIRST_ROW, gen.FIRST_ROW + len(gen.LINES))}
    assert {no: ws[f"S{r}"].value for no, r in rows.items()} == expected
    r = rows["TT-003"]
    assert ws[f"S{r}"].fill.fgColor.rgb == "FF" + render.DECISION_COLOURS[Code.LICENSED][0]
    assert ws[f"T{r}"].value.startswith("個別許可 T-1（役務取引、有効期限 2026-12-31）の対象です")
    # TT-009: a 特定類型 resident influenced by China — T-1 names another recipient
    assert "提供先が許可の提供先（華東精密机械有限公司）と異なります" in ws[f"T{rows['TT-009']}"].value
    # the audit record: the technology line with its kind and the decision naming the licence
    log = open_log()
    run = next(x for x in reversed(log.runs()) if x["kind"] == "screen")
    (rec,) = [x for x in log.records(run["id"]) if x["row"] == r]
    assert rec["decision"] == "LICENSED" and rec["inputs"]["kind"] == "technology"
    assert any(x["rule_id"] == "LICENCE-COVERED" and "T-1" in x["text"] for x in rec["reasons"])
    # SCREEN_TECH / SCREEN_TECH_REASON: the same decision
    line = dict(recipient=RECIPIENT, residency="非居住者", method="データ送信", exemption=None, inform="なし")
    line |= dict(end_use="民生", critical_tech="なし", overseas_production="なし", provision_date=DATE)
    assert functions.SCREEN_TECH("中国", "2の項(1)", **line) == "許可取得済"
    assert functions.SCREEN_TECH_REASON("中国", "2の項(1)", **line) == ws[f"T{r}"].value
    assert functions.SCREEN_TECH("中国", "2の項(2)", **line) == "許可要"
    # shipments record: a table without 出荷済 is a list of what was provided; the covered line is recorded
    # against T-1 (a technology line has no value), the others listed; a second recording is refused
    assert cli.main(["shipments", "record", str(copy)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "許可 T-1: 1 行" in out
    (shipped,) = shipments.of_licence("T-1")
    assert (shipped["line_ref"], shipped["row"], shipped["value_jpy"]) == ("TT-003", r, None)  # 案件番号 names it
    assert cli.main(["licences", "show", "T-1", "--as-of", DATE]) == 0
    assert "出荷実績: 1 行" in capsys.readouterr().out
    assert cli.main(["shipments", "record", str(copy)]) == 2
    assert "出荷実績は記録済みです（1 行）" in capsys.readouterr().err
    recs = log.records(next(x for x in reversed(log.runs()) if x["kind"] == "shipment_record")["id"])
    assert [(x["row"], x["decision"], x["inputs"]["kind"]) for x in recs] == [(r, "LICENSED", "technology")]
