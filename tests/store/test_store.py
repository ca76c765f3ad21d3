"""The store: where it is, its Alembic migrations on SQLite and PostgreSQL, an old audit log taken over as it is."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401
from sqlalchemy import MetaData, select, text

from exportscreen import store
from exportscreen.audit import AuditLog, head_t, open_log

DATA = Path(__file__).resolve().parents[1] / "audit" / "data"


def store_metadata() -> MetaData:
    """Every table the code defines for the store (what the migrations must have built)."""
    from exportscreen import audit, licences, products, shipments
    from exportscreen.eul import store as eul_store

    md = MetaData()
    for module in (audit, eul_store, products, licences, shipments):
        for table in module.metadata.tables.values():
            table.to_metadata(md)
    return md


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


def test_head_is_the_newest_migration_and_the_history_is_one_line():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(store.alembic_config())
    assert script.get_heads() == [store.HEAD]
    revisions = list(script.walk_revisions())
    assert [r.revision for r in reversed(revisions)] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]


def test_a_new_store_is_migrated_to_the_code_s_tables(url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    s = store.Store(url)
    with s.read() as conn:
        assert store.version(conn) == store.HEAD
        diff = compare_metadata(MigrationContext.configure(conn), store_metadata())
        assert conn.execute(select(head_t.c.seq, head_t.c.hash)).all() == [(0, "0" * 64)]
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")] == []
    s.close()
    store.Store(url).close()  # opened again: nothing to do


def test_an_audit_log_of_an_earlier_version_is_taken_over_and_keeps_verifying(tmp_path):
    db = tmp_path / "audit.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.executescript((DATA / "log_before_refs.sql").read_text(encoding="utf-8"))
        before = conn.execute("SELECT * FROM audit_records ORDER BY seq").fetchall()
    log = AuditLog(f"sqlite:///{db}")
    assert log.verify() == [] and log.count() == 7
    with log.engine.connect() as conn:
        assert store.version(conn) == store.HEAD
        rows = conn.execute(text("SELECT * FROM audit_records ORDER BY seq")).all()
    # every old value as it was; refs, reasons_ref and detail_ref added at the end, null (the texts in their rows)
    assert [tuple(r)[:-3] for r in rows] == before
    assert all(r.refs is None and r.reasons_ref is None and r.detail_ref is None for r in rows)
    log.close()


def test_a_product_master_stored_before_its_columns_gets_them_from_its_records(url):
    """Migration 0007: the screening columns of products stored before it are filled in from their records."""
    import json

    from alembic import command
    from sqlalchemy import create_engine

    from exportscreen import products

    records = [
        {"part_no": "NC-5000A", "item": "2の項(12)", "judged": "2026-01-15", "tech": "2の項(1)", "hs": "845811",
         "review_by": "2027-01-14", "name": "工作機械", "row": 3},
        {"part_no": "ｓｃ－ｍ６", "item": "非該当", "judged": "2026-01-15", "hs": None, "row": 4},  # before tech
    ]  # fmt: skip
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(store.alembic_config(conn), "0006")
        conn.execute(
            text(
                "INSERT INTO product_versions (id, effective, content_sha256, n_products, imported) "
                "VALUES (1, '2026-04-01', :h, 2, '2026-04-01T00:00:00Z')"
            ),
            {"h": "0" * 64},
        )
        for key, r in zip(("NC-5000A", "SC-M6"), records):
            conn.execute(
                text("INSERT INTO products (version_id, part_key, data) VALUES (1, :k, :d)"),
                {"k": key, "d": json.dumps(r, ensure_ascii=False)},
            )
    engine.dispose()
    s = store.Store(url)
    with s.read() as conn:
        cols = [products.products_t.c[f] for f in ("part_key", *products.CLASSIFICATION_FIELDS)]
        got = conn.execute(select(*cols).order_by(products.products_t.c.part_key)).all()
    s.close()
    assert [tuple(r) for r in got] == [
        ("NC-5000A", "NC-5000A", "2の項(12)", "845811", "2の項(1)", "2026-01-15", "2027-01-14"),
        ("SC-M6", "ｓｃ－ｍ６", "非該当", None, None, "2026-01-15", None),
    ]


def test_where_the_store_is(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    monkeypatch.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(home))
    assert store.default_url() == f"sqlite:///{home / 'exportscreen.sqlite3'}"
    # a home with the audit log of an earlier version keeps that file as its store (not renamed)
    old = tmp_path / "old"
    old.mkdir()
    with sqlite3.connect(old / "audit.sqlite3") as conn:
        conn.executescript((DATA / "log_before_refs.sql").read_text(encoding="utf-8"))
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(old))
    assert store.default_url() == f"sqlite:///{old / 'audit.sqlite3'}"
    log = open_log()
    assert log.count() == 7 and log.verify() == [] and not (old / "exportscreen.sqlite3").exists()
    # EXPORTSCREEN_DB_URL moves the store; EXPORTSCREEN_AUDIT_URL, when set, wins for the audit log
    monkeypatch.setenv("EXPORTSCREEN_DB_URL", f"sqlite:///{tmp_path / 'team.sqlite3'}")
    assert store.default_url() == f"sqlite:///{tmp_path / 'team.sqlite3'}"
    assert open_log().url == store.default_url()
    monkeypatch.setenv("EXPORTSCREEN_AUDIT_URL", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert open_log().url == f"sqlite:///{tmp_path / 'a.sqlite3'}"


OPEN = """
import sys
from exportscreen import store
from exportscreen.audit import AuditLog
s = store.Store(sys.argv[1])
log = AuditLog(sys.argv[1])
with log.run(kind="check"):
    pass
print(store.HEAD)
"""


def test_processes_opening_a_new_store_at_once_migrate_it_once(url):
    procs = [
        subprocess.Popen([sys.executable, "-c", OPEN, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [o[1][-800:] for o in outs]
    log = AuditLog(url)
    assert log.verify() == [] and len(log.runs()) == 4
    with log.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [store.HEAD]
        assert conn.execute(select(head_t.c.id)).scalars().all() == [1]
    log.close()


def test_the_migrations_are_inside_the_package():
    assert store.MIGRATIONS.is_relative_to(Path(store.__file__).parent)
    assert (store.MIGRATIONS / "env.py").is_file()
    assert sorted(p.name for p in (store.MIGRATIONS / "versions").glob("0*.py"))[0] == "0001_audit_log.py"
