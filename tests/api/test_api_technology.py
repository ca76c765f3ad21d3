"""Technology lines through the Python API and =SCREEN_TABLE (issue 16 §1): a table of goods and technology
lines — 取引区分 貨物 / 技術 / 役務 / Technology, a line with no 取引区分 that fills a technology-only
column, one whose 取引区分 is neither — gets from screen_records, screen_frame and SCREEN_TABLE exactly
the decisions `screen` writes into the same table as a real workbook, and the API's audit records name
each line's kind as screen's do."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import exportscreen
from exportscreen import cli, functions
from exportscreen.audit import open_log

DAY = date(2026, 6, 1)
HEAD = ["注文番号", "取引区分", "仕向地", "品目", "HSコード", "需要者", "用途", "出荷日", "提供先の国", "居住性"]
HEAD += ["特定類型", "影響国", "技術の項番", "提供方法", "例外", "重要管理対象技術", "海外生産", "報告日"]
ROWS = [  # cells of HEAD from the left
    ("G1", "貨物", "米国", "非該当", "8471.30", "Clean Co", "民生", DAY),
    ("G2", None, "中国", "7の項(1)", None, "Clean Co", "民生", DAY),
    ("T1", "技術", None, None, None, "山田太郎", None, DAY, "日本", "居住者", "なし", None, "非該当"),
    ("T2", "役務", None, None, None, "ABC Ltd", None, DAY, "中国", "非居住者", None, None, "2の項(1)", "メール"),
    ("T3", "Technology", None, None, None, "Clean Co", "民生", DAY, "日本", "居住者", "①", "中国", "16の項"),
    # a designated technology for a joint venture in China: 事前報告要, which goods screening never says
    ("T4", "技術", "中国", "非該当", "8532.24", "Clean Co", "民生", DAY, None, "非居住者", *[None] * 5, "CT01", "合弁"),
    ("T5", None, "中国", "非該当", "8458.11", "WMD Lab", "民生", DAY, None, "非居住者"),  # a technology-only fact
    ("T6", "技術", "中国", "非該当", "8458.11", "Clean Co", "民生", DAY, None, "非居住者", *[None] * 5, "なし"),
    ("X1", "輸入", "米国", "非該当"),  # neither kind: 入力エラー naming it
    (None,),  # blank
    ("合計",),  # totals
]


def _records() -> list[dict]:
    return [dict(zip(HEAD, list(r) + [None] * (len(HEAD) - len(r)))) for r in ROWS]


@pytest.fixture
def rules_in_use(monkeypatch, tmp_path, eul_rules, use_rules):
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    return use_rules(eul_rules)  # the tests' stub End User List (WMD Lab is listed)


def _screened_workbook(tmp_path) -> dict:
    path = tmp_path / "mixed.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append([*HEAD, "判定", "理由"])
    for r in ROWS:
        ws.append(list(r))
    wb.save(path)
    assert cli.main(["screen", str(path), "--date", DAY.isoformat()]) == 0
    out = {}
    for i, row in enumerate(load_workbook(path).active.iter_rows(min_row=2, values_only=True)):
        out[i] = (row[len(HEAD)], row[len(HEAD) + 1])
    return out


def test_api_and_workbook_decide_a_mixed_table_alike(rules_in_use, tmp_path):
    book = _screened_workbook(tmp_path)
    records = exportscreen.screen_records(_records(), as_of=DAY)
    frame = exportscreen.screen_frame(pd.DataFrame(_records(), columns=HEAD), as_of=DAY)
    for i, r in enumerate(records):
        assert (r["判定"], r["理由"]) == book[i], (ROWS[i][0], r["理由"], book[i])
        f = frame.iloc[i]
        assert tuple(None if pd.isna(f[c]) else f[c] for c in ("判定", "理由")) == book[i], ROWS[i][0]
    by_no = {r["注文番号"]: r for r in records}
    assert by_no["T4"]["判定"] == "事前報告要" and by_no["T4"]["判定コード"] == "REPORT_REQUIRED"
    assert by_no["T1"]["判定"] == "許可不要" and "国内の居住者" in by_no["T1"]["理由"]
    assert by_no["T2"]["判定"] == "許可要" and "外為令別表 2の項(1)" in by_no["T2"]["理由"]
    assert by_no["T5"]["判定"] == "許可要" and "16の項" in by_no["T5"]["理由"]  # WMD Lab, technology catch-all
    assert by_no["X1"]["判定"] == "入力エラー" and "輸入" in by_no["X1"]["理由"]
    assert [r["判定"] for r in records[-2:]] == [None, None]  # blank, totals
    # the technology lines were not screened as goods
    assert all("外為法25条" in by_no[n]["理由"] for n in ("T2", "T5", "T6"))
    assert "外為法48条" in by_no["G2"]["理由"]


def test_api_records_technology_lines_with_their_kind(rules_in_use, tmp_path):
    exportscreen.screen_records(_records(), as_of=DAY, record=True, label="mixed")
    log = open_log()
    run = next(r for r in log.runs() if r["kind"] == "api")
    recs = {rec["row"]: rec for rec in log.records(run["id"])}
    assert len(recs) == len(ROWS) - 2  # blank and totals rows are not lines
    kinds = {ROWS[row - 1][0]: rec["inputs"].get("kind") for row, rec in recs.items()}
    assert kinds == {"G1": None, "G2": None, "T1": "technology", "T2": "technology", "T3": "technology"} | {
        "T4": "technology",
        "T5": "technology",
        "T6": "technology",
        "X1": "輸入",
    }
    t2 = recs[4]["inputs"]
    assert (t2["country"], t2["residency"], t2["item"], t2["method"]) == ("中国", "非居住者", "2の項(1)", "メール")
    assert recs[6]["label"] == "事前報告要"


def test_screen_table_decides_a_mixed_table_as_the_workbook(rules_in_use, tmp_path):
    book = _screened_workbook(tmp_path)
    out = functions.SCREEN_TABLE(
        tuple(tuple(r) for r in [HEAD, *(list(r) + [None] * (len(HEAD) - len(r)) for r in ROWS)])
    )
    assert out[0] == ["判定", "理由"] and len(out) == len(ROWS) + 1
    for i, (label, reason) in enumerate(out[1:]):
        if ROWS[i][0] == "X1":  # a line with neither kind nor date is decided as of the run's day (today here)
            assert label == book[i][0] == "入力エラー" and reason.split("\n")[0] == book[i][1].split("\n")[0]
            continue
        assert (label or None, reason or None) == book[i], ROWS[i][0]
    assert out[1 + [r[0] for r in ROWS].index("T4")][0] == "事前報告要"
    # an error value in a technology column is 入力エラー naming the column
    head = ["取引区分", "提供先の国", "居住性", "技術の項番"]
    out = functions.SCREEN_TABLE(
        [head, ["技術", "中国", -2146826246, "7の項(1)"], ["技術", "中国", "非居住者", "7の項(1)"]]
    )
    assert out[1] == ["入力エラー", "入力エラー: 居住性がエラー値（#N/A）です"]
    assert out[2][0] == "許可要" and "外為令別表 7の項(1)" in out[2][1]
