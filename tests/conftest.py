"""Shared fixtures: the bundled rules, a tiny End User List for engine tests, and a private EXPORTSCREEN_HOME."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

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


@dataclass(frozen=True)
class StubEntry:
    no: int
    name: str
    country: str
    concerns: frozenset

    @property
    def wmd(self) -> bool:
        return bool(self.concerns & {"B", "C", "M", "N"})

    @property
    def cw(self) -> bool:
        return "CW" in self.concerns


@dataclass(frozen=True)
class StubHit:
    entry: StubEntry
    score: float
    matched_name: str
    kind: str


class StubList:
    """A three-entry End User List with exact-name matching: the engine's view of a list, nothing more.
    Names: 'WMD Lab' (N), 'Arms Works' (CW), 'Maybe Corp' (a possible hit, B)."""

    list_date = date(2025, 9, 29)
    effective = date(2019, 1, 1)
    version = "EUL 2025-09-29 (stub)"
    entries = (
        StubEntry(1, "WMD Lab", "CN", frozenset({"N"})),
        StubEntry(2, "Arms Works", "CN", frozenset({"CW"})),
        StubEntry(3, "Maybe Corp", "CN", frozenset({"B"})),
    )

    def match(self, name, country=None):
        for e in self.entries:
            if name == e.name:
                return (StubHit(e, 0.97 if e.no != 3 else 0.85, e.name, "hit" if e.no != 3 else "possible"),)
        return ()


@pytest.fixture(scope="session")
def eul_rules(rules):
    return rules.with_eul([StubList()])
