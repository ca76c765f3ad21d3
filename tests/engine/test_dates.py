"""Dates as clerks write them — ISO, slashes, 年月日, 和暦 (令和/平成/昭和, R/H/S, 元年, ㋿ ㍻), full-width digits,
Excel serials — through one parser for 出荷日, 基準日 and every date option of the CLI; the eras are data
(rules/eras.yaml) and a date outside its era is refused naming the era's range, never moved into another era."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta

import pytest
from conftest import REPO

from exportscreen import functions, screening
from exportscreen.cli import main
from exportscreen.errors import UserError
from exportscreen.ids import InvalidInput, eras
from exportscreen.ids.values import parse_date
from exportscreen.model import Code


@pytest.mark.parametrize(
    "text,day",
    [
        ("令和8年12月15日", date(2026, 12, 15)),
        ("R8.12.15", date(2026, 12, 15)),
        ("R8/12/15", date(2026, 12, 15)),
        ("R8-12-15", date(2026, 12, 15)),
        ("r8.12.15", date(2026, 12, 15)),
        ("R08.12.15", date(2026, 12, 15)),
        ("R 8. 12. 15", date(2026, 12, 15)),
        ("令和 8年 12月 15日", date(2026, 12, 15)),
        ("令和８年１２月１５日", date(2026, 12, 15)),  # full-width digits
        ("Ｒ８．１２．１５", date(2026, 12, 15)),
        ("㋿8.12.15", date(2026, 12, 15)),  # the era symbol (NFKC: 令和)
        ("令和元年5月1日", date(2019, 5, 1)),  # 元年 = year 1, the first day of 令和
        ("R1.5.1", date(2019, 5, 1)),
        ("R元.5.1", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),  # the last day of 平成
        ("H31.4.30", date(2019, 4, 30)),
        ("㍻31.4.30", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("H1.1.8", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),  # the last day of 昭和
        ("S64.1.7", date(1989, 1, 7)),
        ("令和8年12月15日 00:00:00", date(2026, 12, 15)),
        ("2026-12-15", date(2026, 12, 15)),
        ("2026/12/15", date(2026, 12, 15)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.12.15", date(2026, 12, 15)),
        ("2026年12月15日", date(2026, 12, 15)),
        ("2026年 12月 15日", date(2026, 12, 15)),
        ("２０２６年１２月１５日", date(2026, 12, 15)),
        ("２０２６－１２－１５", date(2026, 12, 15)),
        ("20261215", date(2026, 12, 15)),
        ("2026-12-15T09:30:00", date(2026, 12, 15)),
        ("46371", date(2026, 12, 15)),  # an Excel serial written as text (a csv of a General-formatted cell)
        ("46371.5", date(2026, 12, 15)),
        ("４６３７１", date(2026, 12, 15)),
    ],
)
def test_date_forms(text, day):
    assert parse_date(text) == day


def test_values_that_are_not_text():
    assert parse_date(46371) == parse_date(46371.0) == parse_date(46371.75) == date(2026, 12, 15)  # Excel serials
    assert parse_date(datetime(2026, 12, 15, 13, 0)) == date(2026, 12, 15)
    assert parse_date(date(2026, 12, 15)) == date(2026, 12, 15)
    assert parse_date(None) is None and parse_date("") is None and parse_date("  ") is None


@pytest.mark.parametrize(
    "text,message",
    [
        ("H31.5.1", "出荷日「H31.5.1」は平成の期間外です（平成は 1989-01-08～2019-04-30）"),  # 平成 ended 2019-04-30
        ("平成31年5月1日", "出荷日「平成31年5月1日」は平成の期間外です（平成は 1989-01-08～2019-04-30）"),
        ("平成32年1月1日", "出荷日「平成32年1月1日」は平成の期間外です（平成は 1989-01-08～2019-04-30）"),
        ("令和元年4月30日", "出荷日「令和元年4月30日」は令和の期間外です（令和は 2019-05-01～）"),
        ("H1.1.7", "出荷日「H1.1.7」は平成の期間外です（平成は 1989-01-08～2019-04-30）"),
        ("S64.1.8", "出荷日「S64.1.8」は昭和の期間外です（昭和は 1926-12-25～1989-01-07）"),
        ("R0.5.1", "出荷日「R0.5.1」: 令和0年はありません（元年が1年目です）"),
        ("令和0年5月1日", "出荷日「令和0年5月1日」: 令和0年はありません（元年が1年目です）"),
    ],
)
def test_a_date_outside_its_era_is_refused_naming_the_range(text, message):
    with pytest.raises(InvalidInput) as exc:
        parse_date(text)
    assert exc.value.field == "ship_date" and exc.value.ja == message
    assert "\n" not in exc.value.en and text in exc.value.en


@pytest.mark.parametrize(
    "text",
    [
        "someday",
        "R8.2.30",  # no such day
        "令和8年13月1日",
        "X8.12.15",  # no era X
        "T15.12.24",  # 大正 is not in the data
        "M45.7.29",
        "令和八年十二月十五日",  # kanji numerals are not read
        "26/12/15",  # a two-digit year is ambiguous
        "12/15/2026",
        "15.12.2026",
        "2026-02-30",
        "202612",
        "4637",  # four digits: a year? not a serial
        "463710",
        "0",
        "R8.12",  # no day
    ],
)
def test_what_is_not_a_date(text):
    with pytest.raises(InvalidInput) as exc:
        parse_date(text)
    assert exc.value.ja == f"出荷日「{text}」を日付として読めません（例: 2026-04-01、2026/4/1、令和8年4月1日、R8.4.1）"


@pytest.mark.parametrize("value", [0, -1, 2958466, 1e12, float("nan")])
def test_numbers_outside_excel_serials_are_refused(value):
    with pytest.raises(InvalidInput, match="not a date"):
        parse_date(value)


def test_every_day_of_heisei_and_reiwa_reads_back_in_every_form():
    era_of = {e.name: e for e in eras.bundled()}
    day = date(1989, 1, 8)
    while day <= date(2035, 12, 31):
        era = era_of["令和"] if day >= date(2019, 5, 1) else era_of["平成"]
        year = day.year - era.valid_from.year + 1
        y = "元" if year == 1 else str(year)
        forms = [
            f"{era.name}{y}年{day.month}月{day.day}日",
            f"{era.abbr}{year}.{day.month}.{day.day}",
            f"{era.abbr.lower()}{year}/{day.month:02d}/{day.day:02d}",
        ]
        for text in forms:
            assert parse_date(text) == day, text
        assert parse_date(day.isoformat()) == parse_date(day.strftime("%Y%m%d")) == day
        assert parse_date((day - date(1899, 12, 30)).days) == day
        day += timedelta(days=1)


def test_the_field_is_named_in_messages():
    assert "基準日「R0.1.1」" in functions.COUNTRY_GROUP("米国", "R0.1.1")
    assert functions.COUNTRY_GROUP("米国", "H31.5.1") == (
        "入力エラー: 基準日「H31.5.1」は平成の期間外です（平成は 1989-01-08～2019-04-30）"
    )
    with pytest.raises(InvalidInput) as exc:
        parse_date("H31.5.1", "--date")
    assert exc.value.en == "--date 'H31.5.1' is outside the era 平成 (1989-01-08～2019-04-30)"


def test_the_engine_reads_wareki_ship_dates_like_iso():
    line = ("中国", "非該当", "8458.11", "Foo Co", "軍事", None, 6_800_000)
    iso = screening.decide(*line, date(2026, 12, 15))
    for text in ("令和8年12月15日", "R8.12.15", "R8/12/15", "㋿８．１２．１５", 46371, "46371"):
        d = screening.decide(*line, text)
        assert (d.code, d.as_of, d.reason_text("ja")) == (iso.code, iso.as_of, iso.reason_text("ja")), text
    assert "基準日 2026-12-15" in iso.reason_text("ja")  # data stays ISO


def test_the_engine_refuses_a_date_outside_its_era():
    d = screening.decide("米国", "非該当", None, None, None, None, None, "H31.5.1")
    assert d.code is Code.INVALID
    assert "出荷日「H31.5.1」は平成の期間外です（平成は 1989-01-08～2019-04-30）" in d.reason_text("ja")
    assert "1989-01-08" in d.reason_text("en")


def test_the_functions_take_wareki_dates():
    assert functions.COUNTRY_GROUP("韓国", "R1.8.27") == functions.COUNTRY_GROUP("韓国", date(2019, 8, 27))
    assert functions.COUNTRY_GROUP("韓国", "令和元年8月28日") == functions.COUNTRY_GROUP("韓国", "2019-08-28")
    assert functions.COUNTRY_GROUP("韓国", "R1.8.27") != functions.COUNTRY_GROUP("韓国", "R1.8.28")  # KR left Group A
    assert functions.SCREEN("中国", "非該当", "8458.11", None, "軍事", None, None, "R8.12.15") == "許可要"


def test_every_cli_date_option_uses_the_same_parser(capsys):
    from exportscreen.commands import parse_date as option_date

    for text in ("2025-10-09", "2025/10/09", "令和7年10月9日", "R7.10.9", "R7/10/9", "２０２５－１０－０９", "45939"):
        assert option_date(text, "--date") == date(2025, 10, 9), text
    assert option_date(None, "--date") is None
    for bad, message in [
        ("H31.5.1", "--from 'H31.5.1' is outside the era 平成 (1989-01-08～2019-04-30)"),
        ("R0.1.1", "--from 'R0.1.1': there is no year 0 of 令和 (the first year, 元年, is 1)"),
        ("01/10/2025", "--from '01/10/2025' is not a date (e.g. 2026-04-01, 2026/4/1, 令和8年4月1日, R8.4.1)"),
        ("", "--from '': not a date; give e.g. 2025-10-01 or 令和7年10月1日"),
    ]:
        with pytest.raises(UserError) as exc:
            option_date(bad, "--from")
        assert str(exc.value) == message

    assert main(["rules", "info", "--date", "R2.1.1", "--json"]) == 0
    wareki = capsys.readouterr().out
    assert main(["rules", "info", "--date", "2020-01-01", "--json"]) == 0
    assert capsys.readouterr().out == wareki
    assert main(["rules", "info", "--date", "H31.5.1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--date「H31.5.1」は平成の期間外です" in err
    assert main(["rules", "info", "--date", "H31.5.1", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--date 'H31.5.1' is outside the era 平成" in err


# ------------------------------------------------------------------------------------------ the era data


def test_the_bundled_eras():
    by_name = {e.name: e for e in eras.bundled()}
    assert [e.name for e in eras.bundled()] == ["令和", "平成", "昭和"]
    assert (by_name["令和"].valid_from, by_name["令和"].valid_to) == (date(2019, 5, 1), None)
    assert (by_name["平成"].valid_from, by_name["平成"].last_day) == (date(1989, 1, 8), date(2019, 4, 30))
    assert (by_name["昭和"].valid_from, by_name["昭和"].last_day) == (date(1926, 12, 25), date(1989, 1, 7))
    assert {e.abbr for e in eras.bundled()} == {"R", "H", "S"}
    assert all(e.source for e in eras.bundled())
    assert "元号を改める政令（平成31年政令第143号）" in by_name["令和"].source
    assert eras.lookup("h") is by_name["平成"] and eras.lookup("平成") is by_name["平成"] and eras.lookup("T") is None


@pytest.fixture
def folder(tmp_path):
    shutil.copy(REPO / "rules" / "eras.yaml", tmp_path / "eras.yaml")
    return tmp_path


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("  read: 2026-11-30 by exportscreen\n", "", "provenance header"),
        ("    valid_from: 1989-01-08\n", "    valid_from: 1989-01-09\n", "昭和 must end"),  # a gap
        ("    valid_to: 1989-01-08\n", "    valid_to: 1989-01-10\n", "昭和 must end"),  # an overlap
        ("    abbr: H\n", "    abbr: Hs\n", "abbr must be one capital letter"),
        ("    abbr: H\n", "    abbr: R\n", "two eras share a abbr"),
        ("  - name: 令和\n", "  - name: ㋿\n", "NFKC"),
        ("    source: 元号を改める政令（平成31年政令第143号）, in force 2019-05-01\n", "", "has no source"),
        ("    abbr: R\n", "    abbr: R\n    note: x\n", "unknown keys ['note']"),
        ("    valid_from: 2019-05-01\n", "    valid_from: 2019-05-01\n    valid_to: 2100-01-01\n", "current era"),
        ("    valid_from: 2019-05-01\n", "    valid_from: 2019-5-1x\n", "is not a date"),
    ],
)
def test_inconsistent_era_data_is_refused(folder, old, new, message):
    from exportscreen.rules import RulesError

    path = folder / "eras.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError, match="^eras.yaml: .*" + __import__("re").escape(message)):
        eras.load(folder)
    assert eras.load(REPO / "rules") == eras.bundled()
