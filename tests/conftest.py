"""Shared fixtures: the bundled rules, a tiny End User List for engine tests, and a private EXPORTSCREEN_HOME."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from exportscreen.eul.model import EulEntry, Hit

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def read_rules_csv(path: Path) -> tuple[list[str], list[dict]]:
    """(column names, records) of a rules/ CSV, without its # provenance lines."""
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader([ln for ln in f if not ln.startswith("#")])
        return reader.fieldnames, list(reader)


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user data folder."""
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path_factory.mktemp("home")))
    from exportscreen import state

    state.reset_rules()
    yield
    state.reset_rules()


@pytest.fixture(scope="session")
def rules():
    from exportscreen.rules import bundled

    return bundled()


class StubList:
    """A three-entry End User List with exact-name matching (real entries and hits, a stub matcher).
    Names: 'WMD Lab' (N), 'Arms Works' (CW), 'Maybe Corp' (a possible hit, B)."""

    list_date = date(2025, 9, 29)
    effective = date(2019, 1, 1)
    version = "EUL 2025-09-29 (stub)"
    entries = (
        EulEntry(1, "CN", "中国", "WMD Lab", (), frozenset({"N"})),
        EulEntry(2, "CN", "中国", "Arms Works", (), frozenset({"CW"})),
        EulEntry(3, "CN", "中国", "Maybe Corp", (), frozenset({"B"})),
    )

    def match(self, name, country=None):
        for e in self.entries:
            if name == e.name:
                kind, score = ("hit", 0.97) if e.no != 3 else ("possible", 0.85)
                return (Hit(e, score, e.name, kind, ("name_exact: " + e.name,)),)
        return ()


@pytest.fixture(scope="session")
def eul_rules(rules):
    return rules.with_eul([StubList()])


@pytest.fixture
def use_rules(monkeypatch):
    """``use_rules(r)``: the rules in use (state.rules) are ``r`` for the test — not loaded again from the store,
    which would drop a stub (state.rules looks at the store at most every CHECK_SECONDS, counted from its last look)."""
    from exportscreen import state

    def use(r):
        monkeypatch.setattr(state, "_rules", r)
        monkeypatch.setattr(state, "_checked", float("inf"))
        return r

    return use


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, monkeypatch):
    """The company store on SQLite (under the test's EXPORTSCREEN_HOME) and on a throwaway PostgreSQL."""
    from exportscreen import state

    if request.param == "postgresql":
        monkeypatch.setenv("EXPORTSCREEN_DB_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    state.reset_rules()
    return request.param
