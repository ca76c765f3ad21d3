"""A 理由 longer than Excel's 32,767 characters a cell (issue 11 §4): the workbook, the csv file and the spreadsheet
functions write it cut with a marker (exportscreen.render.cell_text); the audit log keeps every reason."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date

import pytest

from exportscreen import engine, functions, render, screening
from exportscreen.audit import open_log
from tests.screening.test_hostile_xlsx import HEADER, build, grid, line

MARK_JA, MARK_EN = "…（以下省略：全文は監査ログ）", "… (cut: full text in the audit log)"
COPIES = 600  # a North Korea line's reasons, each many times over: far more than a cell holds


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def long_reasons(monkeypatch):
    """screen() as the engine decides, with every reason repeated COPIES times."""

    def screen(*a, **k):
        d = engine.screen(*a, **k)
        return replace(d, reasons=d.reasons * COPIES, extra={}) if d.reasons else d

    monkeypatch.setattr(screening, "screen", screen)
    return screen


def test_cell_text_cuts_at_the_limit_in_utf16_units_with_the_marker():
    assert render.cell_text("短い") == "短い"
    exact = "あ" * render.CELL_LIMIT
    assert render.cell_text(exact) == exact
    cut = render.cell_text("あ" * render.CELL_LIMIT + "い")
    assert units(cut) == render.CELL_LIMIT and cut.endswith(MARK_JA) and cut.startswith("ああ")
    wide = render.cell_text("𠮷" * 20000, "en")  # two UTF-16 units each: never half a character
    assert (
        units(wide) <= render.CELL_LIMIT
        and wide.endswith(MARK_EN)
        and wide[: -len(MARK_EN)] == "𠮷" * ((render.CELL_LIMIT - len(MARK_EN)) // 2)
    )


def test_a_long_reason_is_cut_in_the_workbook_and_kept_whole_in_the_audit_log(tmp_path, long_reasons):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "北朝鮮") + line(3, "米国"))
    screening.screen_file(p, as_of=date(2026, 1, 5), show_progress=False)
    full = render.reason_text(long_reasons("北朝鮮", "非該当", today=date(2026, 1, 5), rules=screening.state.rules()))
    assert units(full) > render.CELL_LIMIT
    g = grid(p)
    text = g[1][3]
    assert g[1][2] == "輸出禁止" and units(text) == render.CELL_LIMIT and text.endswith(MARK_JA)
    assert full.startswith(text[: -len(MARK_JA)])
    log = open_log()
    rec = log.records(run_id=log.runs(limit=1)[0]["id"])[0]
    assert rec["row"] == 2 and len(rec["reasons"]) > 1 and len(rec["reasons"]) % COPIES == 0  # every reason


def test_a_long_reason_is_cut_in_a_csv_file_in_english(tmp_path, long_reasons):
    p = tmp_path / "o.csv"
    p.write_text("仕向地,品目\n北朝鮮,非該当\n", encoding="utf-8")
    screening.screen_file(p, as_of=date(2026, 1, 5), show_progress=False, lang="en")
    with open(p, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][2:] == ["判定", "理由"]
    assert units(rows[1][3]) == render.CELL_LIMIT and rows[1][3].endswith(MARK_EN)


def test_spreadsheet_functions_return_the_cut_reason(monkeypatch):
    real = functions._decide

    def decide(name, args):
        d = real(name, args)
        return replace(d, reasons=d.reasons * COPIES, extra={})

    monkeypatch.setattr(functions, "_decide", decide)
    text = functions.SCREEN_REASON("北朝鮮", "非該当")
    assert units(text) == render.CELL_LIMIT and text.endswith(MARK_JA)
    decide_line = screening.decide_line  # SCREEN_TABLE decides a table's lines as screen does

    def decide_table_line(*a, **kw):
        d = decide_line(*a, **kw)
        return replace(d, reasons=d.reasons * COPIES, extra={})

    monkeypatch.setattr(screening, "decide_line", decide_table_line)
    table = functions.SCREEN_TABLE([["仕向地", "品目"], ["北朝鮮", "非該当"]])
    assert table[-1][1].endswith(MARK_JA) and units(table[-1][1]) == render.CELL_LIMIT
