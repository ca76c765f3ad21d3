"""What an audit record keeps beyond the engine's inputs: the order's identifying columns as found (受注番号, PO,
品番, 品名, 数量 …) and the reviewer of the run — hashed into the chain, on SQLite and PostgreSQL, and readable in
logs written before they existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_url, sample_lines  # noqa: F401  (fixtures)
from openpyxl import Workbook
from sqlalchemy import text

from exportscreen import config
from exportscreen.audit import AuditLog
from exportscreen.audit_export import line_values
from exportscreen.cli import main
from exportscreen.orders import FIELDS

DATA = Path(__file__).parent / "data"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(autouse=True)
def _no_reviewer_env(monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_REVIEWER", raising=False)
    monkeypatch.delenv("EXPORTSCREEN_COMPANY", raising=False)


def _run_with_refs(log: AuditLog, reviewer=None) -> int:
    with log.run(kind="screen", file="orders.xlsx", file_sha256="ab" * 32, sheet="受注", reviewer=reviewer) as run:
        run.set_refs(["受注番号", "PO", "品番", "数量"])
        for i, (inputs, decision, row) in enumerate(sample_lines()):
            refs = (f"SO-{i}", None if i % 2 else "PO 77", "  ", 3 if i else 2.5)
            run.record_values(tuple(inputs), tuple(inputs.values()), decision, row, refs)
    return run.id


def test_identifying_columns_are_recorded_as_found_and_hashed(url):
    log = AuditLog(url)
    rid = _run_with_refs(log, reviewer="山田 太郎")
    recs = log.records(run_id=rid)
    assert recs[0]["refs"] == [["受注番号", "SO-0"], ["PO", "PO 77"], ["数量", 2.5]]  # blank cells left out
    assert recs[1]["refs"] == [["受注番号", "SO-1"], ["数量", 3]]
    assert log.run_info(rid)["reviewer"] == "山田 太郎" and log.verify() == []
    seq = recs[1]["seq"]
    with log.engine.begin() as conn:
        conn.execute(text(f'UPDATE audit_records SET refs = \'[["受注番号","SO-9"]]\' WHERE seq = {seq}'))
    assert any(f"seq {seq}: content does not match" in p for p in log.verify())
    with log.engine.begin() as conn:  # taking the column away does not make the record an old, unhashed one
        conn.execute(text(f"UPDATE audit_records SET refs = NULL WHERE seq = {seq}"))
    assert any(f"seq {seq}: content does not match" in p for p in log.verify())
    log.close()


def test_the_reviewer_is_chained_with_the_run(url):
    log = AuditLog(url)
    rid = _run_with_refs(log, reviewer="山田 太郎")
    with log.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_runs SET reviewer = '鈴木 一郎' WHERE id = {rid}"))
    assert any("reviewer" in p for p in log.verify())
    log.close()


def test_a_log_written_before_the_new_columns_still_verifies_and_takes_new_runs(tmp_path):
    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript((DATA / "log_before_refs.sql").read_text(encoding="utf-8"))
    log = AuditLog(f"sqlite:///{db}")  # adds the columns
    assert log.verify() == []
    old = log.records()
    assert len(old) == 6 and all(r["refs"] == [] for r in old) and log.runs()[0]["reviewer"] is None
    _run_with_refs(log, reviewer="山田 太郎")
    assert log.verify() == [] and log.count() == 14
    log.close()


def test_reviewer_from_the_environment_then_the_config_then_the_login(tmp_path, monkeypatch, capsys):
    from exportscreen.audit import _user

    assert config.reviewer() == _user()
    assert main(["config", "set", "reviewer", "  山田　 太郎 "]) == 0
    assert "reviewer = 山田 太郎" in capsys.readouterr().out
    assert config.reviewer() == "山田 太郎" and main(["config", "get", "reviewer"]) == 0
    assert capsys.readouterr().out == "山田 太郎\n"
    monkeypatch.setenv("EXPORTSCREEN_REVIEWER", "鈴木 一郎")
    assert config.reviewer() == "鈴木 一郎"
    log = AuditLog(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with log.run(kind="check") as run:
        pass
    assert log.run_info(run.id)["reviewer"] == "鈴木 一郎"
    assert main(["config", "list", "--lang", "en"]) == 0
    assert "reviewer = 鈴木 一郎  [EXPORTSCREEN_REVIEWER]" in capsys.readouterr().out
    monkeypatch.delenv("EXPORTSCREEN_REVIEWER")
    assert main(["config", "unset", "reviewer"]) == 0 and config.reviewer() == _user()
    log.close()


def test_a_broken_settings_file_is_one_line(capsys):
    config.path().write_text("{not json", encoding="utf-8")
    assert main(["config", "list"]) == 2
    err = capsys.readouterr().err
    assert "設定ファイル" in err and len(err.strip().splitlines()) == 1
    assert config.reviewer()  # a run is not stopped by it: the login is recorded


def test_screen_records_every_identifying_column(tmp_path):
    from exportscreen.audit import open_log
    from exportscreen.screening import screen_file

    wb = Workbook()
    ws = wb.active
    ws.append(["受注番号", "PO No.", "品番", "品名", "数量", "仕向地", "品目", "HSコード", "需要者", "用途", "金額"])
    ws.append(["SO-1", "PO-77", "AB-12", "ねじ M3", 500, "米国", "16", "7318.15", "Acme", "自動車", 10000])
    ws.append([None, "PO-78", None, None, None, "米国", "16", "7318.15", "Acme", "自動車", 10000])
    path = tmp_path / "o.xlsx"
    wb.save(path)
    summary = screen_file(path)
    assert summary.lines == 2
    recs = open_log().records()
    assert recs[0]["refs"] == [["受注番号", "SO-1"], ["PO No.", "PO-77"], ["品名", "ねじ M3"], ["数量", 500]]
    assert recs[1]["refs"] == [["PO No.", "PO-78"]] and recs[1]["row"] == 3
    assert set(recs[0]["inputs"]) == set(FIELDS)  # the engine's inputs, apart: the 品番 is one of them, recorded once
    assert recs[0]["inputs"]["part_no"] == "AB-12" and recs[1]["inputs"]["part_no"] is None
    assert [line_values(r)["goods"] for r in recs] == ["ねじ M3\nAB-12", "16"]  # 品名／品番 (else the item)
    old = {**recs[0], "refs": [*recs[0]["refs"], ["品番", "AB-12"]]}  # written when the 品番 was a ref as well
    assert line_values(old)["goods"] == "ねじ M3\nAB-12"
    assert open_log().verify() == []


@pytest.mark.parametrize("size", [10, 700, 3000])  # characters: pieces under and over 2 KiB (hashed in pieces)
def test_long_inputs_reasons_and_identifying_columns_chain_as_verify_reads_them(url, size):
    """A line's hashed text is put together from pieces (its own cells, the decision's part, its identifying columns),
    those of 2 KiB or more hashed in smaller pieces: the hash is still the one verify() works out from the stored
    columns, and a change to any long piece is found."""
    from dataclasses import replace

    log = AuditLog(url)
    lines = sample_lines()
    with log.run(kind="screen", file="orders.xlsx", file_sha256="ab" * 32, sheet="受注") as run:
        run.set_refs(["受注番号", "品名"])
        for i, (inputs, decision, row) in enumerate(lines):
            long = replace(decision.reasons[0], ja="理" * size, en="r" * size) if decision.reasons else None
            d = decision.with_reasons(decision.code, (long, *decision.reasons[1:])) if long else decision
            values = tuple("入" * size if k == "end_user" else v for k, v in inputs.items())
            run.record_values(tuple(inputs), values, d, row, (f"SO-{i}", "品" * size))
    recs = log.records(run_id=run.id)
    assert len(recs) == len(lines) and log.verify() == []
    assert recs[0]["refs"] == [["受注番号", "SO-0"], ["品名", "品" * size]]
    assert recs[0]["inputs"]["end_user"] == "入" * size and recs[0]["reasons"][0]["text"] == "理" * size
    seq = recs[2]["seq"]
    with log.engine.begin() as conn:
        conn.execute(
            text(f"""UPDATE audit_records SET refs = '[["受注番号","SO-2"],["品名","品"]]' WHERE seq = {seq}""")
        )
    assert any(f"seq {seq}: content does not match" in p for p in log.verify())
    log.close()
