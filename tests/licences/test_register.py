"""The licence register (issue 15 §1): validation of every row (the parsers order lines use, 輸出令8条, the dated
country lists), a bad file refused whole, versions in the store (SQLite and PostgreSQL), the CLI and its template."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401
from openpyxl import load_workbook

from exportscreen import cli
from exportscreen.errors import UserError
from exportscreen.licences import (
    HEADERS,
    ItemRange,
    _RowError,
    add_months,
    import_register,
    in_force,
    load_registers,
    parse_row,
    read_register,
)

TEMPLATE = Path(__file__).resolve().parents[2] / "workbook_templates" / "licence_register.xlsx"


def row(**kw):
    base = {
        "no": "L-1",
        "kind": "個別",
        "target": "貨物",
        "granted": "2026-01-15",
        "expires": "2026-07-15",
        "countries": "中国",
        "parties": "ABC Co., Ltd.",
        "items": "2の項(12)",
    }
    base.update(kw)
    return base


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS.values())
        for r in rows:
            w.writerow([r.get(k, "") for k in HEADERS])
    return path


def test_an_individual_licence_is_read_with_the_order_line_parsers(rules):
    lic = parse_row(rules, row(granted="令和8年1月15日", countries="中華人民共和国、タイ", items="２の項（１２）"))
    assert lic.kind == "individual" and lic.granted == date(2026, 1, 15)
    assert lic.countries == frozenset({"CN", "TH"}) and lic.items == (ItemRange("2", "12"),)
    assert lic.parties == ("ABC Co., Ltd.",)  # a comma inside a company name does not split it


@pytest.mark.parametrize(
    "granted, expires, extended, ok",
    [
        ("2026-01-15", "2026-07-15", "", True),  # six months from grant (輸出令8条1項)
        ("2026-01-15", "2026-07-16", "", False),
        ("2026-08-31", "2027-02-28", "", True),  # no 31st in February: the month's last day
        ("2026-01-15", "2026-12-31", "○", True),  # extended (8条2項)
        ("2026-01-15", "2026-01-14", "○", False),  # before the grant
    ],
)
def test_an_individual_licence_is_valid_six_months_unless_extended(rules, granted, expires, extended, ok):
    cells = row(granted=granted, expires=expires, extended=extended)
    if ok:
        assert parse_row(rules, cells).expires == date.fromisoformat(expires)
    else:
        with pytest.raises(_RowError):
            parse_row(rules, cells)


def test_add_months():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


@pytest.mark.parametrize(
    "granted, expires, country, ok",
    [
        ("2025-04-01", "2028-03-31", "米国", True),
        ("2025-04-01", "2028-03-31", "中国", False),  # never in 別表第三
        ("2018-04-01", "2021-03-31", "韓国", True),  # in 別表第三 until 2019-08-27
        ("2020-01-01", "2022-12-31", "大韓民国", False),  # the whole validity inside Korea's 2019-2023 gap
        ("2025-04-01", "2028-03-31", "別表第三", True),
        ("2025-04-01", "2028-04-02", "米国", False),  # more than 3 years
    ],
)
def test_a_general_bulk_licence_names_schedule_3_destinations_only(rules, granted, expires, country, ok):
    cells = row(kind="一般包括", granted=granted, expires=expires, countries=country, parties="", items="7の項")
    if ok:
        parse_row(rules, cells)
    else:
        with pytest.raises(_RowError):
            parse_row(rules, cells)


@pytest.mark.parametrize(
    "kind, countries, parties, items, ok",
    [
        ("特別一般包括", "全地域", "", "6の項(2)", True),
        ("特別一般包括", "イラン", "", "6の項(2)", False),  # 別表第四
        ("特別一般包括", "アフガニスタン", "", "6の項(2)", False),  # 別表第三の二
        ("一般包括", "全地域", "", "6の項(2)", False),
        ("特定包括", "タイ", "", "6の項(2)", False),  # names its counterparty
        ("特定包括", "タイ", "Siam Parts", "6の項(2)", True),
        ("一般包括", "米国", "", "16の項", False),  # catch-all goods: individual licences only
        ("個別", "中国", "ABC", "非該当", True),
        ("個別", "中国", "ABC", "7の項(99)", False),  # no such sub-item
        ("個別", "中国", "ABC", "3の項(1)～(2)", True),
        ("個別", "中国", "ABC", "3の項(1)～7の項(2)", False),
        ("許可", "中国", "ABC", "7の項", False),  # no such type
        ("個別", "ナルニア", "ABC", "7の項", False),  # no such country
    ],
)
def test_types_destinations_parties_and_items(rules, kind, countries, parties, items, ok):
    cells = row(kind=kind, countries=countries, parties=parties, items=items, granted="2026-01-15")
    if kind != "個別":
        cells["expires"] = "2027-01-15"
    if ok:
        parse_row(rules, cells)
    else:
        with pytest.raises(_RowError):
            parse_row(rules, cells)


def test_item_ranges_cover_their_sub_items():
    r = ItemRange("3", "1", "2")
    from exportscreen.ids.item_no import ItemCode

    assert r.covers(ItemCode("3", "2", "")) and not r.covers(ItemCode("3", "3", ""))
    assert not r.covers(ItemCode("3", None, ""))  # the 項 alone may be any sub-item
    assert ItemRange("7").covers(ItemCode("7", "1", ""))


def test_a_bad_file_is_refused_whole_naming_every_bad_row(rules, tmp_path):
    path = write_csv(
        tmp_path / "reg.csv",
        [row(), row(no="L-2", expires="2027-01-01"), row(no="L-1"), row(no="L-3", items="99の項")],
    )
    with pytest.raises(UserError) as e:
        read_register(path, rules)
    ja = e.value.ja
    assert "3 行に誤り" in ja and "3行目" in ja and "4行目" in ja and "5行目" in ja and "\n2行目" not in ja
    assert "row 4" in e.value.en


@pytest.fixture(params=["sqlite", "postgresql"])
def home(request, tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(h))
    if request.param == "postgresql":
        monkeypatch.setenv("EXPORTSCREEN_DB_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    return h


def test_versions_in_the_store(rules, tmp_path, home):
    a = write_csv(tmp_path / "a.csv", [row()])
    b = write_csv(
        tmp_path / "b.csv", [row(), row(no="L-2", kind="一般包括", countries="米国", parties="", expires="2027-01-01")]
    )
    import_register(a, rules, date(2026, 1, 20))
    import_register(a, rules, date(2026, 1, 20))  # the same content again: nothing changes
    with pytest.raises(UserError, match="--replace"):
        import_register(b, rules, date(2026, 1, 20))
    import_register(b, rules, date(2026, 3, 1))
    regs = load_registers()
    assert [r.version for r in regs] == ["2026-01-20", "2026-03-01"]
    assert len(in_force(regs, date(2026, 2, 1)).licences) == 1
    assert in_force(regs, date(2026, 3, 1)).get("l-2").kind == "general"
    assert in_force(regs, date(2026, 1, 1)) is None
    import_register(b, rules, date(2026, 1, 20), replace=True)
    assert len(in_force(load_registers(), date(2026, 2, 1)).licences) == 2
    # every import is an audit run of its own, the refused one failed
    from exportscreen.audit import open_log

    runs = [(Path(r["file"]).name, r["status"]) for r in reversed(open_log().runs()) if r["kind"] == "licence_import"]
    assert runs == [("a.csv", "ok"), ("a.csv", "ok"), ("b.csv", "failed"), ("b.csv", "ok"), ("b.csv", "ok")]
    assert open_log().verify() == []


def test_the_cli_imports_the_template_lists_shows_and_exports(tmp_path, capsys):
    assert cli.main(["licences", "import", str(TEMPLATE), "--effective", "2026-01-20"]) == 0
    assert cli.main(["licences", "list", "--as-of", "2026-02-01", "--expiring", "200"]) == 0
    out = capsys.readouterr().out
    assert "EX-2026-0001" in out and "GB-2025-0100" not in out  # expires 2028
    assert cli.main(["licences", "show", "EX-2026-0001", "--as-of", "2026-02-01"]) == 0
    assert "条件: 再輸出禁止" in capsys.readouterr().out
    out_file = tmp_path / "out.xlsx"
    assert cli.main(["licences", "export", "--out", str(out_file), "--as-of", "2026-02-01"]) == 0
    ws = load_workbook(out_file)["許可台帳"]
    assert [c.value for c in ws[1]][:3] == ["許可番号", "種類", "対象"] and [c.value for c in ws["A"] if c.value][
        1:
    ] == ["EX-2026-0001", "GB-2025-0100", "SG-2025-0007"]
    assert cli.main(["licences", "import", str(out_file), "--effective", "2026-01-20"]) == 0  # the same register
    assert cli.main(["licences", "show", "NO-SUCH"]) == 2
    assert "NO-SUCH" in capsys.readouterr().err
