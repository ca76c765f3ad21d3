"""End User List versions in the store (SQLite and PostgreSQL), and the one-time import of the files earlier
versions kept under home()/eul/."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401

from exportscreen import state
from exportscreen.audit import open_log
from exportscreen.errors import UserError
from exportscreen.eul import EndUserList, EulEntry, in_force, load_lists, store

ENTRIES = (
    EulEntry(1, "IR", "イラン", "Zarvan Optics Manufacturing Co.", ("ZOM",), frozenset({"M"})),
    EulEntry(2, "CN", "中国", "Hexalon Precision Co., Ltd.", (), frozenset({"B", "CW"})),
)


def _list(day: str, effective: str, entries=ENTRIES) -> EndUserList:
    return EndUserList(date.fromisoformat(day), date.fromisoformat(effective), entries, f"{day}.xlsx", "ab" * 32)


def _old_file(home, eul: EndUserList):
    """A version as an earlier exportscreen kept it."""
    path = home / "eul" / f"eul-{eul.list_date.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(eul.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")
    return path


def _imports() -> list[str]:
    return [r["file"].rsplit("/", 1)[-1] for r in reversed(open_log().runs()) if r["kind"] == "eul_import"]


@pytest.fixture(params=["sqlite", "postgresql"])
def home(request, tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(h))
    if request.param == "postgresql":
        monkeypatch.setenv("EXPORTSCREEN_DB_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    monkeypatch.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
    store.clear_cache()
    return h


def test_files_of_an_earlier_version_are_imported_once_and_kept_renamed(home):
    old, new = _list("2025-02-28", "2025-03-01"), _list("2025-09-29", "2025-10-09", ENTRIES[:1])
    paths = [_old_file(home, old), _old_file(home, new)]
    store.clear_cache()
    lists = load_lists()
    assert [(e.version, e.effective, e.entries) for e in lists] == [
        (old.version, old.effective, old.entries),
        (new.version, new.effective, new.entries),
    ]
    assert [p.exists() for p in paths] == [False, False]
    assert sorted(p.name for p in (home / "eul").iterdir()) == [
        "eul-2025-02-28.json.imported",
        "eul-2025-09-29.json.imported",
    ]
    assert _imports() == ["eul-2025-02-28.json", "eul-2025-09-29.json"]  # each recorded in the audit log
    # read from the store from now on: again, nothing more is imported; a fresh process reads the same
    store.clear_cache()
    again = load_lists()
    assert [(e.version, e.entries) for e in again] == [(e.version, e.entries) for e in lists]
    assert _imports() == ["eul-2025-02-28.json", "eul-2025-09-29.json"]
    # state.rules(): the lists in force come from the store
    state.reset_rules()
    assert state.rules().eul_on(date(2025, 12, 1)).version == new.version
    assert in_force(load_lists(), date(2025, 6, 1)).version == old.version


def test_a_file_that_disagrees_with_the_store_leaves_the_store_s_version(home, capsys):
    load_lists()  # the store exists; a version in it
    stored = _list("2025-09-29", "2025-10-09")
    _old_file(home, stored)
    assert load_lists()[0].entries == ENTRIES
    other = _old_file(home, _list("2025-09-29", "2025-10-09", ENTRIES[:1]))  # e.g. copied from another machine
    assert load_lists()[0].entries == ENTRIES and not other.exists()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "保存済みの版を使います" in err


def test_an_unreadable_file_is_one_line_and_stays(home):
    bad = home / "eul" / "eul-2025-09-29.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_lists()
    assert "eul-2025-09-29.json" in str(err.value) and "\n" not in str(err.value) and bad.exists()


def test_versions_in_the_store_and_replace(home, tmp_path):
    from openpyxl import Workbook

    def book(name, rows):
        wb = Workbook()
        ws = wb.active
        ws.title = "ユーザーリスト"
        ws.append(["No.", "国名、地域名", "企業名、組織名", "別名", "懸念区分", "通常兵器"])
        for r in rows:
            ws.append(r)
        wb.save(tmp_path / name)
        return tmp_path / name

    rows = [[1, "イラン", "Zarvan Optics Manufacturing Co.", None, "M", None]]
    first = store.import_list(book("20260301.xlsx", rows))
    with pytest.raises(UserError, match="give --replace"):
        store.import_list(book("20260301_b.xlsx", rows + [[2, "ロシア", "JSC Veltrum", None, None, "CW"]]))
    assert [e.version for e in load_lists()] == [first.version]
    second = store.import_list(tmp_path / "20260301_b.xlsx", replace=True)
    store.clear_cache()
    assert [(e.version, len(e.entries)) for e in load_lists()] == [(second.version, 2)]
