"""Importing METI's End User List workbook: the reference reconstruction, malformed files, versions."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from exportscreen import audit, cli
from exportscreen.audit import open_log
from exportscreen.errors import UserError
from exportscreen.eul import EndUserList, import_list, in_force, load_lists, store

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
XLSX = REF / "eul-2025-09-29-layout.xlsx"
JSON = REF / "jp-end-user-list.json"
needs_ref = pytest.mark.skipif(not XLSX.is_file(), reason="reference workbook not present")

HEADER = ["No.", "国名、地域名", "企業名、組織名", "別名", "懸念区分", "通常兵器"]


def _book(path: Path, rows, *, header=HEADER, title=True, sheet="ユーザーリスト") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append(["外国ユーザーリスト（試験用）"])
        ws.append([None])
    if header:
        ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


ROWS = [
    [1, "イラン\nIslamic Republic of Iran", "Zarvan Optics Manufacturing Co.", "・Zarvan Optic\n・ZOM", "M", None],
    [
        2,
        "中華人民共和国\nPeople's Republic of China",
        "Hexalon Precision Co., Ltd.\n(六邦精密有限公司)",
        None,
        "B,C",
        "CW",
    ],
    [3, "ロシア\nRussian Federation", "JSC Veltrum", None, None, "CW"],
]


def _stored() -> dict[str, str]:
    """The versions in the store: list date -> content SHA-256."""
    from sqlalchemy import select

    from exportscreen.store import open_store

    with open_store().read() as conn:
        t = store.versions_t
        return dict(conn.execute(select(t.c.list_date, t.c.content_sha256).order_by(t.c.list_date)).all())


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(h))
    return h


@pytest.fixture
def ref_copy(tmp_path):
    if not XLSX.is_file():
        pytest.skip("reference workbook not present")
    dst = tmp_path / "20250929_4.xlsx"
    shutil.copy(XLSX, dst)
    return dst


@needs_ref
def test_reference_workbook(home, ref_copy):
    eul = import_list(ref_copy, effective="2025-10-09")
    assert isinstance(eul, EndUserList)
    assert eul.list_date == date(2025, 9, 29) and eul.effective == date(2025, 10, 9)
    assert eul.version == "EUL 2025-09-29 (835)"
    assert len(eul.entries) == 835 and [e.no for e in eul.entries] == list(range(1, 836))
    counts = eul.country_counts()
    assert len(counts) == 15
    assert counts == {
        "IR": 257,
        "KP": 154,
        "CN": 127,
        "PK": 103,
        "RU": 100,
        "AE": 29,
        "HK": 22,
        "SY": 19,
        "LB": 9,
        "TW": 5,
        "EG": 3,
        "AF": 2,
        "IN": 2,
        "YE": 2,
        "IL": 1,
    }
    first = eul.entries[0]
    assert first.country == "AF" and first.name == "Al Qa'ida/Islamic Army"
    assert first.aliases[0] == "Al Qaeda" and len(first.aliases) == 8
    assert first.concerns == {"B", "C", "M", "N", "CW"} and first.wmd and first.cw
    assert eul.entries[1].concerns == {"B", "C", "N"} and not eul.entries[1].cw
    cw_only = [e for e in eul.entries if e.concerns == {"CW"}]
    assert len(cw_only) == 54 and all(e.cw and not e.wmd for e in cw_only)
    assert sum(len(e.aliases) for e in eul.entries) == 1469
    assert len(eul.sha256) == 64 and eul.source_name == "20250929_4.xlsx"
    report = eul.report("en")
    assert "835 entries" in report and "IR 257" in report and "2025-10-09" in report
    assert list(_stored()) == ["2025-09-29"]


@needs_ref
def test_reference_workbook_agrees_with_the_json_parse(home, ref_copy):
    eul = import_list(ref_copy)
    src = json.loads(JSON.read_text(encoding="utf-8"))["entries"]
    assert len(src) == len(eul.entries)
    for e, j in zip(eul.entries, src):
        assert f"METI-EUL:{e.no}" == j["id"]
        assert e.name == j["name"]
        assert list(e.aliases) == j["altNames"]
        assert e.concerns == set(j["concern"])
        assert [e.country] == j["countries"]


@needs_ref
def test_load_round_trips(home, ref_copy):
    from exportscreen.eul import store

    eul = import_list(ref_copy)
    store.clear_cache()
    (loaded,) = load_lists()
    assert loaded.index  # the match index builds from the stored list
    assert loaded.entries == eul.entries and loaded.sha256 == eul.sha256 and loaded.version == eul.version


def test_synthetic_workbook_and_header_variants(home, tmp_path):
    hdr = [
        "No.",
        "企業名・組織名\nCompany or Organization",
        "国名・地域名\nCountry or Region",
        "懸念区分\nType of WMD",
        "別名\nAlso Known As",
        "通常兵器",
    ]
    rows = [[r[0], r[2], r[1], r[4], r[3], r[5]] for r in ROWS]  # columns in another order
    eul = import_list(_book(tmp_path / "eul.xlsx", rows, header=hdr), list_date="2026-03-01")
    assert [e.country for e in eul.entries] == ["IR", "CN", "RU"]
    assert eul.entries[0].aliases == ("Zarvan Optic", "ZOM")
    assert eul.entries[1].concerns == {"B", "C", "CW"}
    assert eul.entries[2].concerns == {"CW"} and not eul.entries[2].wmd
    assert eul.effective == eul.list_date == date(2026, 3, 1)


def test_date_is_required(home, tmp_path):
    with pytest.raises(UserError, match="--date"):
        import_list(_book(tmp_path / "eul.xlsx", ROWS))
    assert load_lists() == ()


def test_dates_are_read_like_every_date_option(home, tmp_path):
    eul = import_list(_book(tmp_path / "eul.xlsx", ROWS), list_date="令和7年9月29日", effective="R7.10.1")
    assert (eul.list_date, eul.effective) == (date(2025, 9, 29), date(2025, 10, 1))
    with pytest.raises(UserError, match="--effective"):
        import_list(_book(tmp_path / "eul.xlsx", ROWS), list_date="2025-09-29", effective="someday")


def test_english_country_line_only_and_fuzzy(home, tmp_path):
    rows = [
        [1, "Islamic Republic of Iran", "Zarvan Optics", None, "M", None],
        [2, "北朝鮮", "Ryongbuk Machine Plant", None, "N", None],
        [3, "Syrian Arab Republic", "Qalamoun Labs", None, "C", None],
    ]
    eul = import_list(_book(tmp_path / "20260101.xlsx", rows))
    assert [e.country for e in eul.entries] == ["IR", "KP", "SY"]


BAD = {
    "no header": dict(rows=ROWS, header=None),
    "no rows": dict(rows=[]),
    "duplicated No.": dict(rows=ROWS + [[2, "イラン", "Other Co.", None, "M", None]]),
    "empty name": dict(rows=ROWS + [[4, "イラン", None, "・alias", "M", None]]),
    "unknown country": dict(rows=ROWS + [[4, "ナルニア\nNarnia", "Cair Paravel Co.", None, "M", None]]),
    "bad concern": dict(rows=ROWS + [[4, "イラン", "Some Co.", None, "X", None]]),
    "no concern": dict(rows=ROWS + [[4, "イラン", "Some Co.", None, None, None]]),
    "wrong sheet": dict(rows=[["a", "b"], [1, 2]], header=["品名", "数量"], sheet="Sheet1"),
}
MESSAGES = {
    "no header": "no sheet with the End User List header",
    "no rows": "no entry follows",
    "duplicated No.": "row 7: duplicated No. 2 (also on row 5)",
    "empty name": "row 7: empty name",
    "unknown country": "row 7: unknown country",
    "bad concern": "row 7: unknown concern code 'X'",
    "no concern": "row 7: no concern",
    "wrong sheet": "no sheet with the End User List header",
}


@needs_ref
@pytest.mark.parametrize("case", sorted(BAD) + ["not an xlsx"])
def test_malformed_file_is_refused_and_the_active_list_kept(home, ref_copy, tmp_path, case):
    good = import_list(ref_copy, effective="2025-10-09")
    before = _stored()
    path = tmp_path / "20260401.xlsx"
    if case == "not an xlsx":
        path.write_text("No.,国名,企業名\n1,イラン,X\n", encoding="utf-8")
        msg = "not a readable Excel workbook"
    else:
        _book(path, **BAD[case])
        msg = MESSAGES[case]
    with pytest.raises(UserError) as err:
        import_list(path)
    assert msg in str(err.value) and "\n" not in str(err.value)
    assert _stored() == before  # nothing stored
    active = in_force(load_lists(), date(2026, 6, 1))
    assert active.version == good.version and active.sha256 == good.sha256


@needs_ref
def test_two_versions_in_force_by_date(home, ref_copy, tmp_path):
    old = import_list(ref_copy, effective="2025-10-09")
    new = import_list(_book(tmp_path / "20260301_1.xlsx", ROWS), effective="2026-03-15")
    lists = load_lists()
    assert [e.version for e in lists] == [old.version, new.version] == ["EUL 2025-09-29 (835)", "EUL 2026-03-01 (3)"]
    assert in_force(lists, date(2025, 10, 8)) is None
    assert in_force(lists, date(2025, 10, 9)).version == old.version
    assert in_force(lists, date(2026, 3, 14)).version == old.version
    assert in_force(lists, date(2026, 3, 15)).version == new.version
    assert in_force(lists, "2030-01-01").version == new.version
    assert in_force((), date(2026, 1, 1)) is None
    # the same list date with other content is refused; with replace=True that version is replaced atomically
    other = _book(tmp_path / "20260301_2.xlsx", ROWS[:2])
    with pytest.raises(UserError, match=r"dated 2026-03-01 is already stored with different content \(3 → 2 entries"):
        import_list(other, effective="2026-03-15")
    assert [e.version for e in load_lists()] == [old.version, new.version]
    again = import_list(other, effective="2026-03-15", replace=True)
    assert [e.version for e in load_lists()] == [old.version, again.version] == [old.version, "EUL 2026-03-01 (2)"]


# ------------------------------------------------------------------------------ same list date, other content
def _imports() -> list[tuple[str, str, str]]:
    """The End User List imports in the audit log, oldest first: (file name, status, SHA-256)."""
    return [(Path(r["file"]).name, r["status"], r["file_sha256"]) for r in reversed(open_log().runs())
            if r["kind"] == "eul_import"]  # fmt: skip


def test_same_list_date_other_content_needs_replace_and_every_import_is_audited(home, tmp_path, capsys):
    first = _book(tmp_path / "20260301_1.xlsx", ROWS)
    eul = import_list(first)
    before = _stored()
    # the same list again (another copy of the file): accepted, nothing changes
    copy = tmp_path / "copy-20260301.xlsx"
    shutil.copyfile(first, copy)
    assert import_list(copy).entries == eul.entries
    # other entries, or another effective date: refused with one line, the stored version kept
    changed = [ROWS[0], ROWS[1], [3, "ロシア", "JSC Veltrum Holding", None, None, "CW"]]
    other = _book(tmp_path / "20260301_2.xlsx", changed)
    assert cli.main(["rules", "import-eul", str(other)]) == 2
    err = capsys.readouterr().err
    assert (
        err.count("\n") == 1
        and "リストの日付 2026-03-01 の外国ユーザーリストは取込済みで、内容が違います（3 → 3 件）" in err
    )
    assert "--replace" in err
    with pytest.raises(UserError, match=r"effective 2026-03-01 → 2026-04-01\); give --replace"):
        import_list(copy, effective="2026-04-01")
    assert load_lists()[0].sha256 == eul.sha256 and len(load_lists()) == 1
    assert cli.main(["rules", "import-eul", str(other), "--replace", "--lang", "en"]) == 0
    assert "imported EUL 2026-03-01 (3)" in capsys.readouterr().out
    assert [e.name for e in load_lists()[0].entries][2] == "JSC Veltrum Holding" and _stored() != before
    sha = {p.name: store.hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, copy, other)}
    assert _imports() == [
        ("20260301_1.xlsx", "ok", sha["20260301_1.xlsx"]),
        ("copy-20260301.xlsx", "ok", sha["copy-20260301.xlsx"]),
        ("20260301_2.xlsx", "failed", sha["20260301_2.xlsx"]),
        ("copy-20260301.xlsx", "failed", sha["copy-20260301.xlsx"]),
        ("20260301_2.xlsx", "ok", sha["20260301_2.xlsx"]),
    ]
    assert cli.main(["audit", "verify"]) == 0, capsys.readouterr()


# ------------------------------------------------------------------------------------------- absurd inputs
ABSURD = {  # rows -> what the one line says (English; the Japanese line is checked for one case)
    "name is a number": ([4, "イラン", 12345, None, "M", None], "the name '12345' of No. 4 is not a name (a number)"),
    "name is a number as text": ([4, "イラン", "１２，３４５", None, "M", None], "is not a name (a number)"),
    "name is a date": ([4, "イラン", date(2025, 9, 29), None, "M", None], "is not a name (a date)"),
    "name is a date as text": ([4, "イラン", "2025/09/29", None, "M", None], "is not a name (a date)"),
    "name is a Japanese date": ([4, "イラン", "令和7年9月29日", None, "M", None], "is not a name (a date)"),
    "name is a legal form": ([4, "イラン", "Co., Ltd.", None, "M", None], "nothing is left of it"),
    "name is 株式会社": ([4, "イラン", "株式会社", None, "M", None], "nothing is left of it"),
    "name is punctuation": ([4, "イラン", "・－・", None, "M", None], "nothing is left of it"),
    "alias is a number": ([4, "イラン", "Real Name Co.", "・Real\n・42", "M", None], "the alias '42' of No. 4"),
}


@pytest.mark.parametrize("case", sorted(ABSURD))
def test_absurd_entries_are_refused_with_one_line(home, tmp_path, case):
    row, words = ABSURD[case]
    path = _book(tmp_path / "20260401.xlsx", ROWS + [row])
    with pytest.raises(UserError) as err:
        import_list(path)
    assert words in str(err.value) and "row 7" in str(err.value), str(err.value)
    assert "\n" not in str(err.value) and "\n" not in err.value.ja and "7 行目" in err.value.ja
    assert _stored() == {}
    assert _imports() == [("20260401.xlsx", "failed", store.hashlib.sha256(path.read_bytes()).hexdigest())]


def test_japanese_first_messages(home, tmp_path, capsys):
    path = _book(tmp_path / "20260401.xlsx", ROWS + [[4, "イラン", 12345, None, "M", None]])
    assert cli.main(["rules", "import-eul", str(path)]) == 2
    err = capsys.readouterr().err
    where = "exportscreen: 20260401.xlsx シート ユーザーリスト 7 行目"
    assert err == f"{where}: No. 4 の名称 '12345' は名称ではありません（数値）\n"
    _book(path, ROWS + [[4, "イラン", "Some Co.", None, "X", None]])
    assert cli.main(["rules", "import-eul", str(path)]) == 2
    assert "懸念区分に不明な区分 'X' があります" in capsys.readouterr().err


def test_too_many_entries(home, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "MAX_ENTRIES", 2)  # 100,000 in use: the same check, on a small workbook
    with pytest.raises(UserError, match="20260401.xlsx: more than 2 entries; this is not an End User List"):
        import_list(_book(tmp_path / "20260401.xlsx", ROWS))
    monkeypatch.setattr(store, "MAX_FILE_BYTES", 1000)
    with pytest.raises(UserError, match="larger than 0 MB"):
        import_list(_book(tmp_path / "20260402.xlsx", ROWS))
    assert store.MAX_ENTRIES == 2 and _stored() == {}


def test_a_fifo_or_a_folder_is_not_read(home, tmp_path):
    fifo = tmp_path / "20260401.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="not an ordinary file"):
        import_list(fifo)  # refused before it is opened: opening would wait for a writer for ever
    with pytest.raises(UserError, match="a folder"):
        import_list(tmp_path)


def test_an_import_into_another_home_is_recorded_in_that_homes_log(home, tmp_path):
    other = tmp_path / "other-home"
    import_list(_book(tmp_path / "20260301.xlsx", ROWS), home=other)
    assert _imports() == []  # not in the log of the home in use
    runs = open_log(audit.default_url(other)).runs()
    assert [(r["kind"], r["status"], Path(r["file"]).name) for r in runs] == [("eul_import", "ok", "20260301.xlsx")]
