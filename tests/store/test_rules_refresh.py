"""The rules in use follow the store: a spreadsheet session (one long-lived process) picks up an End User List,
licence register or 品番マスタ another process imports, without a restart — the store is looked at no more often
than every state.CHECK_SECONDS, and a run keeps the rules it started with."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from exportscreen import state

MASTER = "品番,品名,該非,HSコード,判定日\nNC-5000A,NC旋盤,2の項(12),8458.11,2026-01-15\n"


def _import_elsewhere(path, effective: str) -> None:
    """`exportscreen products import` in another process (as the compliance officer runs it)."""
    cmd = [sys.executable, "-m", "exportscreen.cli", "products", "import", str(path), "--effective", effective]
    subprocess.run(cmd, check=True, capture_output=True, env=os.environ.copy())


@pytest.fixture
def master(tmp_path, monkeypatch):
    monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    path = tmp_path / "master.csv"
    path.write_text(MASTER, encoding="utf-8")
    _import_elsewhere(path, "2026-01-01")
    state.reset_rules()
    yield path
    state.reset_rules()


def test_an_import_by_another_process_is_picked_up_after_check_seconds(master, tmp_path, monkeypatch):
    first = state.rules()
    assert [m.effective for m in first.product_masters] == [date(2026, 1, 1)]
    changed = tmp_path / "v2.csv"
    changed.write_text(MASTER + "SC-M6,ねじ,非該当,7318.15,2026-01-15\n", encoding="utf-8")
    _import_elsewhere(changed, "2026-03-01")
    assert state.rules() is first  # within CHECK_SECONDS: the rules in use, no look at the store
    monkeypatch.setattr(state, "CHECK_SECONDS", 0.0)
    fresh = state.rules()
    assert fresh is not first and [m.effective for m in fresh.product_masters] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert fresh.master_on(date(2026, 3, 2)).get("SC-M6") is not None
    assert state.rules() is fresh  # nothing changed since: the same rules (no reload)


def test_a_store_that_cannot_be_read_keeps_the_rules_in_use(master, monkeypatch):
    first = state.rules()
    monkeypatch.setattr(state, "CHECK_SECONDS", 0.0)

    def unreadable() -> tuple:
        raise OSError("database is locked")

    monkeypatch.setattr(state, "_store_generation", unreadable)
    assert state.rules() is first
