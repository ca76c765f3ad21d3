"""The audit log on a real SQLite file and a real PostgreSQL server: content, tamper detection, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import datetime, timedelta

import pytest
from conftest_pg import pg_server, pg_url, sample_lines  # noqa: F401  (fixtures)
from sqlalchemy import text

from exportscreen import audit_anchor
from exportscreen.audit import AuditLog, chain_hash, open_log

VOLATILE = {"seq", "run_id", "ts", "prev_hash", "hash"}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    return request.getfixturevalue("pg_url")


def _screen(log: AuditLog, kind="screen", file=None) -> int:
    with log.run(kind=kind, file=file, file_sha256="ab" * 32 if file else None, sheet="受注") as run:
        for inputs, decision, row in sample_lines():
            run.record(inputs, decision, row=row)
    return run.id


def test_identical_runs_record_identical_content(url):
    log = AuditLog(url)
    r1 = _screen(log, file="orders.xlsx")
    r2 = _screen(log, file="orders.xlsx")
    a, b = log.records(run_id=r1), log.records(run_id=r2)
    assert len(a) == len(b) == 6
    assert [{k: v for k, v in x.items() if k not in VOLATILE} for x in a] == [
        {k: v for k, v in x.items() if k not in VOLATILE} for x in b
    ]
    first = a[1]
    assert first["inputs"]["order_no"] == "A-1002" and first["inputs"]["value_jpy"] == 35000000
    assert first["decision"] == "LICENSE_REQUIRED" and first["label"] == "許可要"
    assert first["reasons"] == [
        {
            "rule_id": "list.2",
            "severity": "LICENSE_REQUIRED",
            "topic": "goods",
            "text": "別表第一2の項(12)に該当",
            "en": "listed item 2(12)",
            "ref": "輸出令別表第一 2の項(12); 外為法48条1項",
        }
    ]
    assert (
        first["rules_version"] == "2025.04" and first["eul_version"] == "2025-02-28" and first["as_of"] == "2025-04-01"
    )
    assert first["file"] == "orders.xlsx" and first["sheet"] == "受注" and first["row"] == 3
    assert first["user"] and first["host"] and first["ts"].endswith("+00:00")
    assert first["country"]["groups"] == ["A以外"] and first["item"]["class"] == "リスト規制"
    assert [x["seq"] for x in a + b] == list(range(1, 7)) + list(range(8, 14))  # run entries at 7 and 14

    runs = log.runs()
    assert [r["id"] for r in runs] == [r2, r1]
    assert runs[0]["counts"] == {"INVALID": 1, "LICENSE_REQUIRED": 1, "NO_LICENSE": 2, "PROHIBITED": 1, "REVIEW": 1}
    assert runs[0]["status"] == "ok" and runs[0]["kind"] == "screen" and runs[0]["n_records"] == 6
    assert log.verify() == []
    assert log.head()[0] == 14

    # stored JSON is canonical
    with log.engine.connect() as conn:
        raw = conn.execute(text("SELECT inputs FROM audit_records WHERE seq = 1")).scalar_one()
    assert raw.startswith('{"country":"US","end_use":"自動車部品の加工"')


def test_date_filter_and_failed_run(url):
    log = AuditLog(url)
    _screen(log)
    today = datetime.now().date()
    assert len(log.records(date_from=today, date_to=today)) == 6
    assert log.records(date_to=today - timedelta(days=1)) == []
    with pytest.raises(RuntimeError):
        with log.run(kind="check") as run:
            inputs, decision, row = sample_lines()[1]
            run.record(inputs, decision)
            raise RuntimeError("boom")
    assert log.runs()[0]["status"] == "failed" and log.runs()[0]["n_records"] == 1
    assert log.verify() == []


def _exec(log, sql, **params):
    with log.engine.begin() as conn:
        conn.execute(text(sql), params)


def _problems(log):
    problems = log.verify()
    assert problems, "tampering not detected"
    return "\n".join(problems)


def test_tamper_edit_field(url):
    log = AuditLog(url)
    _screen(log)
    _exec(log, "UPDATE audit_records SET decision = 'NO_LICENSE', label = '許可不要' WHERE seq = 2")
    assert "seq 2: content does not match its hash" in _problems(log)


def test_tamper_delete_record(url):
    log = AuditLog(url)
    _screen(log)
    _exec(log, "DELETE FROM audit_records WHERE seq = 3")
    p = _problems(log)
    assert "seq 3: missing" in p and "seq 4: prev_hash" in p


def test_tamper_delete_last_records(url):
    log = AuditLog(url)
    _screen(log)
    _exec(log, "DELETE FROM audit_records WHERE seq >= 6")
    p = _problems(log)
    assert "chain head is at seq 7 but the last entry is seq 5" in p


def test_tamper_swap_content(url):
    log = AuditLog(url)
    _screen(log)
    with log.engine.begin() as conn:
        a = conn.execute(text("SELECT inputs, decision, label FROM audit_records WHERE seq = 2")).one()
        b = conn.execute(text("SELECT inputs, decision, label FROM audit_records WHERE seq = 4")).one()
        for seq, row in ((2, b), (4, a)):
            conn.execute(
                text("UPDATE audit_records SET inputs = :i, decision = :d, label = :l WHERE seq = :s"),
                {"i": row.inputs, "d": row.decision, "l": row.label, "s": seq},
            )
    p = _problems(log)
    assert "seq 2: content does not match" in p and "seq 4: content does not match" in p


def test_tamper_reorder(url):
    """Swap two whole entries' positions (every column but seq): both are reported."""
    log = AuditLog(url)
    _screen(log)
    cols = (
        "rtype, run_id, ts, username, host, file, file_sha256, sheet, row_no, inputs, decision, label, reasons, "
        "detail, rules_version, eul_version, as_of, prev_hash, hash"
    )
    with log.engine.begin() as conn:
        a = conn.execute(text(f"SELECT {cols} FROM audit_records WHERE seq = 2")).mappings().one()
        b = conn.execute(text(f"SELECT {cols} FROM audit_records WHERE seq = 3")).mappings().one()
        sets = ", ".join(f"{c.strip()} = :{c.strip()}" for c in cols.split(","))
        conn.execute(text(f"UPDATE audit_records SET {sets} WHERE seq = 2"), dict(b))
        conn.execute(text(f"UPDATE audit_records SET {sets} WHERE seq = 3"), dict(a))
    p = _problems(log)
    assert "seq 2: prev_hash" in p and "seq 3: prev_hash" in p and "seq 2: content does not match" in p


def test_tamper_insert_forged(url):
    log = AuditLog(url)
    _screen(log)
    forged = log.records(run_id=1)[1]
    with log.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM audit_records WHERE seq = 7")).mappings().one()
        content = {k: row[k] for k in row.keys() if k not in ("prev_hash", "hash")}
        content.update(
            seq=8, rtype="line", decision="NO_LICENSE", label="許可不要", inputs='{"order_no":"X-9"}', detail=None
        )
        h = chain_hash(row["hash"], content)  # a forger who knows the algorithm chains it correctly …
        cols = ", ".join(content)
        conn.execute(
            text(
                f"INSERT INTO audit_records ({cols}, prev_hash, hash) "
                f"VALUES ({', '.join(':' + c for c in content)}, :prev_hash, :hash)"
            ),
            {**content, "prev_hash": row["hash"], "hash": h},
        )
    assert "entries appended outside the log" in _problems(log)  # … but the chain head gives it away
    # and a forged entry with a made-up hash is caught on its own, even if the head is moved too
    _exec(log, "UPDATE audit_records SET hash = :h WHERE seq = 8", h="f" * 64)
    _exec(log, "UPDATE audit_head SET seq = 8, hash = :h", h="f" * 64)
    assert "seq 8: content does not match its hash" in _problems(log)
    assert forged["decision"] == "LICENSE_REQUIRED"


def test_tamper_runs_table(url):
    log = AuditLog(url)
    rid = _screen(log)
    _exec(log, "UPDATE audit_runs SET counts = '{}', file = 'other.xlsx' WHERE id = :i", i=rid)
    assert f"run {rid} (seq 7): runs table differs from the chain in counts, file" in _problems(log)


def _writer(url: str, n: int, per_run: int, barrier) -> None:
    from conftest_pg import sample_lines as samples

    log = open_log(url)
    lines = samples()
    barrier.wait()
    for start in range(0, n, per_run):
        with log.run(kind="udf") as run:
            for i in range(start, min(n, start + per_run)):
                inputs, decision, _row = lines[i % len(lines)]
                run.record({**inputs, "i": i}, decision, row=i)


def test_two_processes_write_concurrently(url):
    AuditLog(url)  # schema
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_writer, args=(url, 10_000, 500, barrier)) for _ in range(2)]
    for p in procs:
        p.start()
    reader = AuditLog(url)
    checks = 0
    while any(p.is_alive() for p in procs) and checks < 20:  # verifying while others append: no false alarm
        assert reader.verify() == []
        checks += 1
        time.sleep(0.05)
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    log = AuditLog(url)
    assert len(log.records()) == 20_000
    assert log.count() == 20_040  # + one run entry per run
    runs = log.runs()
    assert len(runs) == 40 and all(r["status"] == "ok" for r in runs)
    assert log.verify() == []


def test_purge_keeps_the_chain_verifiable(url):
    log = AuditLog(url, retention=7)
    _screen(log)
    _screen(log)
    # nothing is older than 7 years today
    assert log.purge()["deleted_records"] == 0
    # 8 years on, with one fresh run: the two old runs go, the fresh one stays
    with log.engine.begin() as conn:  # age the first two runs (their records) by 8 years
        conn.execute(text("UPDATE audit_records SET ts = '2017-01-01T00:00:00.000000+00:00' WHERE seq <= 14"))
    # ageing edited the hashed content; re-chain it as if written then (test set-up, not an API)
    _rechain(log)
    _screen(log)
    assert log.verify() == []
    res = log.purge()
    assert res["through_seq"] == 14 and res["deleted_records"] == 14 and res["deleted_runs"] == 2
    assert [r["id"] for r in log.runs()] == [3]
    assert log.verify() == []
    _screen(log)
    assert log.verify() == []
    # deleting the checkpoint's successor range is still detected
    _exec(log, "DELETE FROM audit_records WHERE seq = 15")
    assert "seq 15: missing" in _problems(log)


def _rechain(log):
    from exportscreen.audit import CONTENT_FIELDS, GENESIS, _records_select, records_t

    with log.engine.begin() as conn:
        rows = conn.execute(_records_select().order_by(records_t.c.seq)).mappings().all()  # texts resolved
        prev = GENESIS
        for r in rows:
            h = chain_hash(prev, {k: r[k] for k in CONTENT_FIELDS})
            conn.execute(
                text("UPDATE audit_records SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": h, "s": r["seq"]},
            )
            prev = h
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    # a rewritten history is what the anchor outside the database detects: start it afresh, as if so written
    audit_anchor.anchor_path(log.log_id).unlink()


def test_cli_verify_and_list(tmp_path, capsys, monkeypatch):
    from exportscreen.cli import main

    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    monkeypatch.setenv("EXPORTSCREEN_AUDIT_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    log = AuditLog(url)
    _screen(log, file="orders.xlsx")
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK、7 件の記録")
    assert main(["audit", "verify", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith("OK, 7 records")
    assert main(["audit", "list"]) == 0
    out = capsys.readouterr().out
    assert "orders.xlsx" in out and "許可要 1" in out
    assert main(["audit", "purge"]) == 0
    assert "7 年より古い記録はありません" in capsys.readouterr().out
    assert main(["--lang", "en", "audit", "purge"]) == 0
    assert "nothing older than 7 years" in capsys.readouterr().out
    _exec(log, "UPDATE audit_records SET reasons = '[]' WHERE seq = 3")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("NG: 監査チェーンに")
    assert "seq 3: content does not match its hash" in out


def test_default_url_is_the_store_under_home(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))
    log = open_log()
    assert log.dialect == "sqlite"
    assert (tmp_path / "home" / "exportscreen.sqlite3").exists()
    with log.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    log.close()


@pytest.mark.parametrize("run_parts", [1000, 2])  # the lines' decision parts by number, or (past 2) carried along
def test_a_run_larger_than_the_memory_batch_is_spooled_and_chained_in_order(tmp_path, monkeypatch, run_parts):
    from conftest_pg import sample_lines

    from exportscreen import audit
    from exportscreen.render import audit_reasons

    monkeypatch.setattr(audit, "SPOOL_BATCH", 7)
    monkeypatch.setattr(audit, "RUN_PARTS", run_parts)
    log = AuditLog(f"sqlite:///{tmp_path}/spool.db")
    lines = sample_lines()
    with log.run(kind="screen", file="big.xlsx", file_sha256="0" * 64) as run:
        for i in range(30):
            inputs, decision, _row = lines[i % len(lines)]
            run.record({**inputs, "n": i}, decision, row=i + 2)
        assert run._spooled == 28 and len(run) == 30
    records = log.records()
    assert [r["inputs"]["n"] for r in records] == list(range(30)) and [r["row"] for r in records] == list(range(2, 32))
    # each line with its own decision and reasons, whether its part was numbered or carried
    decisions = [lines[i % len(lines)][1] for i in range(30)]
    assert [(r["decision"], r["reasons"]) for r in records] == [
        (d.code.value, json.loads(json.dumps(audit_reasons(d.reasons), default=str))) for d in decisions
    ]
    assert len({json.dumps(r["reasons"]) for r in records}) > 2  # more distinct parts than the smaller table holds
    assert log.verify() == [] and log.runs()[0]["n_records"] == 30


def _count(log, sql):
    with log.engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def test_the_texts_lines_share_are_stored_once(url):
    from exportscreen.audit import _decision_part

    """A line's reasons and detail are stored once per distinct text (audit_texts, by SHA-256), however many lines
    and runs have them; the lines refer to them and read back, and verify, as before."""
    log = AuditLog(url)
    for _ in range(3):
        _screen(log)
    parts = [_decision_part(d) for _i, d, _r in sample_lines()]
    assert _count(log, "SELECT COUNT(*) FROM audit_texts") == len({p[2] for p in parts} | {p[3] for p in parts})
    assert _count(log, "SELECT COUNT(*) FROM audit_records WHERE rtype = 'line' AND reasons IS NOT NULL") == 0
    assert _count(log, "SELECT COUNT(*) FROM audit_records WHERE rtype = 'line' AND reasons_ref IS NULL") == 0
    records = log.records()
    assert len(records) == 18 and [r["reasons"] for r in records[:6]] == [r["reasons"] for r in records[12:]]
    assert [json.dumps(r["reasons"], ensure_ascii=False) for r in records[:6]] == [
        json.dumps(json.loads(p[2]), ensure_ascii=False) for p in parts
    ]
    assert log.verify() == []


def test_a_shared_text_edited_or_deleted_is_found(url):
    log = AuditLog(url)
    _screen(log)
    with log.engine.connect() as conn:
        ref, n = conn.execute(
            text(
                "SELECT reasons_ref, COUNT(*) FROM audit_records WHERE rtype = 'line' "
                "GROUP BY reasons_ref ORDER BY COUNT(*) DESC, reasons_ref"
            )
        ).first()
    _exec(log, "UPDATE audit_texts SET text = text || ' ' WHERE hash = :h", h=ref)
    edited = [p for p in log.verify() if "content does not match its hash" in p]
    assert len(edited) == n  # every line that refers to the text
    _exec(log, "DELETE FROM audit_texts WHERE hash = :h", h=ref)
    assert any(f"reasons text {ref[:12]} is missing from audit_texts" in p for p in log.verify())


def test_purge_takes_the_texts_no_line_refers_to(url):
    from exportscreen.audit import _decision_part

    log = AuditLog(url, retention=7)
    _screen(log)
    with log.engine.begin() as conn:  # the first run 8 years old
        conn.execute(text("UPDATE audit_records SET ts = '2017-01-01T00:00:00.000000+00:00' WHERE seq <= 7"))
    _rechain(log)
    with log.run(kind="screen", file=None, sheet="受注") as run:  # a fresh run sharing one decision with it
        inputs, decision, row = sample_lines()[1]
        run.record(inputs, decision, row=row)
    before = _count(log, "SELECT COUNT(*) FROM audit_texts")
    assert log.purge()["deleted_records"] == 7
    kept = _count(log, "SELECT COUNT(*) FROM audit_texts")
    assert kept == 2 < before  # the fresh line's reasons and detail; the rest went with the old lines
    assert json.dumps(log.records()[0]["reasons"]) == json.dumps(json.loads(_decision_part(decision)[2]))
    assert log.verify() == []
