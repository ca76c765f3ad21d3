"""Names and codes as clerks type them (countries, 別表第一 item codes, HS codes, dates, amounts)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from exportscreen.engine import lookup_country
from exportscreen.ids import InvalidInput, hs_code, item_no
from exportscreen.ids.values import parse_date, parse_end_use, parse_inform, parse_value


@pytest.mark.parametrize(
    "name,iso2",
    [
        ("米国", "US"),
        ("アメリカ", "US"),
        ("アメリカ合衆国", "US"),
        ("USA", "US"),
        ("US", "US"),
        ("United States", "US"),
        ("ｱﾒﾘｶ", "US"),
        ("ＵＳＡ", "US"),
        ("usa", "US"),
        ("U.S.A.", "US"),
        ("韓国", "KR"),
        ("大韓民国", "KR"),
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("北朝鮮", "KP"),
        ("朝鮮民主主義人民共和国", "KP"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("台湾", "TW"),
        ("Taiwan", "TW"),
        ("香港", "HK"),
        ("英国", "GB"),
        ("イギリス", "GB"),
        ("UK", "GB"),
        ("ロシア", "RU"),
        ("ロシア連邦", "RU"),
        ("中国", "CN"),
        ("中華人民共和国", "CN"),
        ("DEU", "DE"),
        (" ドイツ ", "DE"),
    ],
)
def test_country_names(name, iso2, rules):
    assert lookup_country(rules, name) == iso2


@pytest.mark.parametrize(
    "text,kou,sub",
    [
        ("7の項(1)", "7", "1"),
        ("7(1)", "7", "1"),
        ("7項(1)", "7", "1"),
        ("７の項（１）", "7", "1"),
        ("3の2の項(1)", "3の2", "1"),
        ("2の項(12)", "2", "12"),
        ("1の項(13の2)", "1", "13の2"),
        ("7-1", "7", "1"),
        ("7の項", "7", None),
        ("16の項(1)", "16", "1"),
        ("2の項(12)1", "2", "12"),
        ("非該当", "", None),
        ("該当なし", "", None),
        ("NLR", "", None),
        ("nlr", "", None),
    ],
)
def test_item_codes(text, kou, sub):
    code = item_no.parse(text)
    assert (code.kou, code.sub) == (kou, sub)


@pytest.mark.parametrize(
    "raw,digits",
    [
        ("8471.30", "847130"),
        ("847130", "847130"),
        ("8471.30-000", "847130000"),
        (8471.3, "847130"),
        (847130, "847130"),
        (901.11, "090111"),
        ("0901.11", "090111"),
        ("８４７１．３０", "847130"),
        ("8542", "8542"),
        (None, None),
        ("", None),
    ],
)
def test_hs_codes(raw, digits):
    assert hs_code.parse(raw) == digits


def test_dates_and_values():
    assert parse_date("2025/10/09") == date(2025, 10, 9)
    assert parse_date("2025年10月9日") == date(2025, 10, 9)
    assert parse_date(45939.0) == date(2025, 10, 9)  # Excel serial
    assert parse_date(datetime(2025, 10, 9, 13, 0)) == date(2025, 10, 9)
    assert parse_value("¥1,000,000") == 1_000_000 and parse_value("40000円") == 40000 and parse_value(None) is None
    assert parse_end_use("民生") == "civil" and parse_end_use(None) == "unknown" and parse_end_use("軍事") == "military"
    assert parse_inform("通常兵器、大量破壊兵器") == {"wmd", "conventional"} and parse_inform("なし") == frozenset()
    for bad in (lambda: parse_date("someday"), lambda: hs_code.parse("84-xx"), lambda: item_no.parse("ABC")):
        with pytest.raises(InvalidInput):
            bad()
