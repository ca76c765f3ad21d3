"""Fixtures of the licence tests."""

from __future__ import annotations

import pytest

from exportscreen import state


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, monkeypatch):
    """The company store on SQLite (under the test's EXPORTSCREEN_HOME) and on a throwaway PostgreSQL."""
    if request.param == "postgresql":
        monkeypatch.setenv("EXPORTSCREEN_DB_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    state.reset_rules()
    return request.param
