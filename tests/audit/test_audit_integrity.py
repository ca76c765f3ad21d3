"""Every written decision is recorded, or nothing is written; the chain checked against the anchor kept outside the
database; text from a workbook is never a formula (or an unwritable cell) in the audit workbook.

Crashes are real: ``exportscreen screen`` runs in a subprocess that a hook ends with ``os._exit`` at one stage (while
screening, while writing the workbook, inside the audit commit, between the commit and the rename, after the rename).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_url, sample_lines  # noqa: F401  (fixtures)
from openpyxl import load_workbook
from sqlalchemy import event, text

from exportscreen import audit_anchor, cli
from exportscreen.audit import AuditLog, chain_hash, open_log, sha256_of_file

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "workbook_templates" / "sample_orders.xlsx"

CRASH = r"""
import os, sys
from exportscreen import audit, cli, files, screening, xlsxpatch

stage, path = sys.argv[1], sys.argv[2]


def die(*args, **kwargs):
    os._exit(70)


if stage == "screening":
    screening.screen = die
elif stage == "writing":
    xlsxpatch._write_package = die
elif stage == "committing":
    insert = audit.AuditLog._insert_lines

    def insert_then_die(self, *args):
        insert(self, *args)
        die()

    audit.AuditLog._insert_lines = insert_then_die
elif stage == "renaming":
    files.os.replace = die
elif stage == "completing":
    audit.AuditLog._complete = die
sys.exit(cli.main(["screen", path, "--date", "2026-01-05"]))
"""


@pytest.fixture
def book(tmp_path) -> Path:
    p = tmp_path / "orders.xlsx"
    shutil.copyfile(SAMPLE, p)
    return p


def _state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def _verify(capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["audit", "verify", "--lang", "en"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("stage", ["screening", "writing", "committing", "renaming", "completing"])
def test_a_crash_at_any_stage_leaves_the_run_reported_never_ok(stage, book, capsys):
    before = _state(book)
    source_sha = sha256_of_file(book)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-c", CRASH, stage, str(book)], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 70, proc.stderr
    written = stage == "completing"  # killed after the rename: the workbook is new, the run not closed
    assert (_state(book) != before) == written
    code, out = _verify(capsys)
    assert code == 1 and out.startswith("NG"), out
    assert f"run 1 (screen, {book}, SHA-256 {source_sha}" in out
    if stage in ("screening", "writing", "committing"):
        assert "interrupted before its decisions were recorded" in out
        assert open_log().records() == []  # nothing committed: a half transaction is rolled back
    else:
        assert "interrupted after its decisions were recorded (seq 1–12)" in out
        assert len(open_log().records(run_id=1)) == 12
        sha_now = sha256_of_file(book)
        assert ("it was written" in out) == written and ("it was not written" in out) == (not written)
        if written:
            assert f"SHA-256 {sha_now}) was confirmed" in out
    # the next run says so too, completes itself, and the interrupted run stays reported
    assert cli.main(["screen", str(book), "--date", "2026-01-05"]) == 0
    err = capsys.readouterr().err
    assert "警告: 完了していない実行があります" in err and f"run 1 (screen, {book}" in err
    code, out = _verify(capsys)
    assert code == 1 and "run 2" not in out and f"run 1 (screen, {book}" in out
    # until a person who checked the file closes it: recorded in the chain, listed as a note
    assert cli.main(["audit", "resolve", "--run", "1", "--note", "checked the file"]) == 0
    assert cli.main(["audit", "resolve", "--run", "1", "--note", "again"]) == 2
    code, out = _verify(capsys)
    assert code == 0 and "note: run 1 was interrupted" in out and "checked the file" in out


def test_a_completed_run_records_what_was_written(book, capsys):
    source_sha = sha256_of_file(book)
    assert cli.main(["screen", str(book), "--date", "2026-01-05"]) == 0
    log = open_log()
    assert log.incomplete_runs() == []
    with log.engine.connect() as conn:
        detail = json.loads(conn.execute(text("SELECT detail FROM audit_records WHERE rtype = 'run'")).scalar_one())
    assert detail["output"] == str(book) and detail["output_sha256"] == sha256_of_file(book) != source_sha
    code, out = _verify(capsys)
    assert code == 0 and out.startswith("OK, 13 records"), out


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, monkeypatch):
    u = f"sqlite:///{tmp_path / 'audit.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    monkeypatch.setenv("EXPORTSCREEN_AUDIT_URL", u)
    return u


def test_a_database_error_at_commit_leaves_the_workbook_untouched(url, book, capsys):
    log = open_log(url)
    writes = []

    @event.listens_for(log.engine, "begin")
    def _read_only(conn):  # the run's start is recorded; its commit meets a read-only database
        if conn.get_execution_options().get("audit_write"):
            writes.append(1)
            if len(writes) == 2:
                sql = "PRAGMA query_only=ON" if log.dialect == "sqlite" else "SET TRANSACTION READ ONLY"
                conn.exec_driver_sql(sql)

    before = _state(book)
    try:
        assert cli.main(["screen", str(book), "--date", "2026-01-05"]) == 2
    finally:
        event.remove(log.engine, "begin", _read_only)
        log.engine.dispose()  # (the SQLite connection stays query_only)
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("exportscreen: 監査ログに記録できませんでした"), err
    assert "orders.xlsx は変更していません" in err
    assert _state(book) == before
    assert sorted(p.name for p in book.parent.iterdir() if p.name.startswith(".~")) == []
    code, out = _verify(capsys)
    assert code == 1 and "interrupted before its decisions were recorded" in out


# ------------------------------------------------------------------------------------------------ the anchor
def _run(log: AuditLog, n: int = 1) -> None:
    for _ in range(n):
        with log.run(kind="screen", file="orders.xlsx", file_sha256="ab" * 32, sheet="受注") as run:
            for inputs, decision, row in sample_lines():
                run.record(inputs, decision, row=row)


def _exec(log, sql, **params):
    with log.engine.begin() as conn:
        conn.execute(text(sql), params)


def _rechain(log, from_seq: int = 1) -> None:
    """What an attacker with the database alone can do: make the chain and its head consistent again."""
    from exportscreen.audit import CONTENT_FIELDS, GENESIS, _records_select, records_t

    with log.engine.begin() as conn:
        rows = conn.execute(_records_select().order_by(records_t.c.seq)).mappings().all()  # texts resolved
        prev = GENESIS
        for r in rows:
            if r["seq"] >= from_seq:
                h = chain_hash(prev, {k: r[k] for k in CONTENT_FIELDS})
                conn.execute(
                    text("UPDATE audit_records SET prev_hash = :p, hash = :h WHERE seq = :s"),
                    {"p": prev, "h": h, "s": r["seq"]},
                )
                prev = h
            else:
                prev = r["hash"]
        conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"), {"s": rows[-1]["seq"], "h": prev})


def test_the_key_is_private_and_every_run_end_is_anchored(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'a.db'}")
    _run(log, 2)
    key = Path(os.environ["EXPORTSCREEN_HOME"]) / audit_anchor.KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    lines = [json.loads(x) for x in audit_anchor.anchor_path(log.log_id).read_text().splitlines()]
    assert [(x["seq"], x.get("start", False)) for x in lines] == [(0, True), (7, False), (14, False)]
    check = log.check()
    assert check.problems == [] and check.notes == []


def test_a_truncated_tail_is_detected_with_the_missing_range(url):
    log = AuditLog(url)
    _run(log, 3)
    _exec(log, "DELETE FROM audit_records WHERE seq > 14")  # the last run, with its runs row and a consistent head
    _exec(log, "DELETE FROM audit_runs WHERE id = 3")
    _rechain(log, from_seq=15)
    problems = log.verify()
    assert len(problems) == 1 and problems[0].startswith("seq 15–21: missing at the end — this machine's anchor")
    assert "records seq 21" in problems[0] and "the log ends at seq 14" in problems[0]


def test_a_whole_log_replaced_by_an_empty_one_is_detected(tmp_path):
    db = tmp_path / "a.db"
    log = AuditLog(f"sqlite:///{db}")
    _run(log)
    log.close()
    db.unlink()
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    assert AuditLog(f"sqlite:///{db}").verify()[0].startswith("seq 1–7: missing at the end")


def test_a_rewritten_chain_is_detected(url):
    log = AuditLog(url)
    _run(log, 2)
    _exec(log, "UPDATE audit_records SET decision = 'NO_LICENSE', label = '許可不要' WHERE seq = 2")  # was 許可要
    _rechain(log)  # the chain verifies on its own again ...
    p = "\n".join(log.verify())
    assert "seq 7: hash differs from this machine's anchor" in p and "seq 14: hash differs" in p  # ... not here


def test_a_forged_purge_checkpoint_is_detected(url):
    log = AuditLog(url)
    _run(log, 2)
    with log.engine.connect() as conn:
        through_hash = conn.execute(text("SELECT hash FROM audit_records WHERE seq = 7")).scalar_one()

    def forge(detail: dict) -> None:
        """Delete run 1 and leave a checkpoint for it, as purge would."""
        from exportscreen.audit import canonical

        _exec(log, "DELETE FROM audit_records WHERE seq <= 7")
        _exec(log, "DELETE FROM audit_runs WHERE id = 1")
        with log.engine.begin() as conn:
            row = dict(conn.execute(text("SELECT * FROM audit_records WHERE seq = 14")).mappings().one())
            row.update(seq=15, rtype="purge", run_id=None, file=None, file_sha256=None, sheet=None)
            row.update(detail=canonical(detail), prev_hash=row["hash"])
            cols = [c for c in row if c != "hash"]
            row["hash"] = chain_hash(row["prev_hash"], row)
            conn.execute(
                text(f"INSERT INTO audit_records ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})"), row
            )
            conn.execute(text("UPDATE audit_head SET seq = 15, hash = :h"), {"h": row["hash"]})
            assert cols

    forge({"through_seq": 7, "through_hash": through_hash, "cutoff": "2099-01-01", "retention_years": 7})
    p = "\n".join(log.verify())
    assert "seq 7: anchored on this machine, deleted without a purge checkpoint signed with this machine's key" in p
    key = audit_anchor.key()
    assert key is not None
    # a signature made up with this machine's key id (but not its key) is a forgery
    _exec(log, "DELETE FROM audit_records WHERE seq = 15")
    detail = {"through_seq": 7, "through_hash": through_hash, "cutoff": "2099-01-01", "retention_years": 7}
    forge({**detail, "mac": "0" * 64, "key_id": audit_anchor.key_id(key)})
    assert "seq 15: purge checkpoint signature does not match (checkpoint forged)" in "\n".join(log.verify())


def test_a_log_made_before_the_anchor_verifies_with_a_note(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    monkeypatch.setenv("EXPORTSCREEN_AUDIT_URL", url)
    log = AuditLog(url)
    _run(log, 2)
    audit_anchor.anchor_path(log.log_id).unlink()  # as an older version left it: no anchor
    check = log.check()
    assert check.problems == [] and check.notes == [
        "no anchor of this log on this machine yet (written at the end of each run)"
    ]
    _run(log)
    code, out = _verify(capsys)
    assert code == 0 and out.startswith("OK, 21 records")
    assert "note: anchor started at seq 14" in out


def test_a_forged_anchor_line_is_reported(tmp_path):
    log = AuditLog(f"sqlite:///{tmp_path / 'a.db'}")
    _run(log)
    path = audit_anchor.anchor_path(log.log_id)
    lines = path.read_text().splitlines()
    rec = json.loads(lines[-1])
    rec["seq"] = 99  # pretend the chain was longer
    path.write_text("\n".join([*lines, json.dumps(rec)]) + "\n")
    assert "anchor " + path.name + " line 3: signature does not match" in "\n".join(log.verify())


# -------------------------------------------------------------------------------- the audit workbook's cells
def test_text_from_a_workbook_is_never_a_formula_or_an_unwritable_cell(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("EXPORTSCREEN_AUDIT_URL", url)
    log = AuditLog(url)
    buyers = ['=HYPERLINK("http://evil.example/","click")', "民生\x01商事\x1b", "_x0041_ Trading", "bad\uffffname"]
    with log.run(kind="screen", file="=cmd|'/c calc'!A1", file_sha256="ab" * 32, sheet="受注\x07") as run:
        for i, (inputs, decision, row) in enumerate(sample_lines()):
            run.record({**inputs, "end_user": buyers[i % len(buyers)]}, decision, row=row)
    out = tmp_path / "audit.xlsx"
    assert cli.main(["audit", "export", "--run", "1", "--out", str(out), "--company", "=1+1"]) == 0
    with zipfile.ZipFile(out) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>" not in xml and "<f " not in xml  # no formula in any cell
    assert "_x005F_x0041_ Trading" in xml and "\uffff" not in xml
    texts = [c.value for ws in load_workbook(out) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t == "=1+1" for t in texts) and any(t.startswith('=HYPERLINK("http://evil.example/"') for t in texts)
    assert any("民生\\x01商事\\x1b" in t for t in texts) and not any("\x01" in t for t in texts)
    assert any("bad\\uffffname" in t for t in texts)
