"""Corrections of the law data and references (issue: every 許可不要 earned), each checked against the engine.

Sources are cited in the rules files; the cases here state the legal point they test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from exportscreen.engine import screen
from exportscreen.ids import item_no
from exportscreen.model import Code

TODAY = date(2026, 11, 25)
L, N, R = Code.LICENSE_REQUIRED, Code.NO_LICENSE, Code.REVIEW


def _ids(d):
    return {r.rule_id for r in d.reasons}


def _reason(d, rid):
    (r,) = [r for r in d.reasons if r.rule_id == rid]
    return r


@pytest.mark.parametrize("day", [date(2019, 1, 1), date(2022, 6, 1), date(2025, 10, 9), TODAY])
def test_liberia_is_not_in_schedule_3_2_on_any_covered_day(rules, eul_rules, day):
    """The UN embargo on Liberia ended in 2016 (UNSCR 2288); METI's list of the 10 areas has no Liberia."""
    assert not rules.lists["un_arms_embargo"].contains("LR", day)
    assert len(rules.lists["un_arms_embargo"].on(day)) == 10
    d = screen(
        "リベリア",
        "非該当",
        hs="3926.90",
        end_user="Clean Co",
        end_use="軍事",
        ship_date=day,
        rules=eul_rules,
        today=TODAY,
    )
    assert d.code == N  # 16の項(2), general destination: the conventional use requirement is inform-only


def test_schedule_2_4_notice_starts_with_the_first_third_country_designation(rules):
    before = screen("タイ", "非該当", hs="0901.11", ship_date="2023-12-14", rules=rules, today=TODAY)
    after = screen("タイ", "非該当", hs="0901.11", ship_date="2023-12-15", rules=rules, today=TODAY)
    assert "NOTICE-RU-THIRD-COUNTRY" not in _ids(before)
    assert "NOTICE-RU-THIRD-COUNTRY" in _ids(after)
    early = screen("中国", "非該当", hs="0901.11", ship_date="2020-05-01", rules=rules, today=TODAY)
    assert "NOTICE-RU-THIRD-COUNTRY" not in _ids(early)


@pytest.mark.parametrize("ship", [None, "2025-06-01"])
@pytest.mark.parametrize("hs", ["8458.11", "3926.90"])
def test_group_a_with_a_known_wmd_use_of_a_catch_all_good_is_reported(rules, hs, ship):
    """No licence to Group A without an inform (輸出令4条2項3号), but knowing of a WMD use means a report to METI
    (KNOW通達): 要確認, never a quiet 許可不要 — before and after the 2025-10-09 revision."""
    d = screen(
        "ドイツ", "非該当", hs=hs, end_user="Clean Co", end_use="大量破壊兵器", ship_date=ship, rules=rules, today=TODAY
    )
    assert d.code == R
    assert "KNOW通達" in _reason(d, "GROUP-A-WMD-USE").ref
    civil = screen(
        "ドイツ", "非該当", hs=hs, end_user="Clean Co", end_use="民生", ship_date=ship, rules=rules, today=TODAY
    )
    assert civil.code == N and "GROUP-A-WMD-USE" not in _ids(civil)


def test_wmd_use_outside_the_catch_all_is_reviewed_under_company_rules_not_know(rules):
    d = screen("中国", "非該当", hs="0901.11", end_user="Clean Co", end_use="大量破壊兵器", rules=rules, today=TODAY)
    assert d.code == R
    r = _reason(d, "OUT-OF-SCOPE-WMD-USE")
    assert "KNOW" not in r.ref and "KNOW" not in r.ja and "社内" in r.ref


def test_a_conventional_end_user_list_hit_cites_the_conventional_ordinance(eul_rules):
    cw = screen("中国", "7の項(1)", end_user="Arms Works", rules=eul_rules, today=TODAY)
    assert _reason(cw, "EUL-HIT-LISTED").ref == "外国ユーザーリスト; 通常兵器おそれ省令2号・3号"
    wmd = screen("中国", "7の項(1)", end_user="WMD Lab", rules=eul_rules, today=TODAY)
    assert _reason(wmd, "EUL-HIT-LISTED").ref == "外国ユーザーリスト; 核兵器等おそれ省令2号・3号"
    assert "WMD Lab" in _reason(wmd, "EUL-HIT-LISTED").ja and _reason(wmd, "EUL-HIT-LISTED").hits


@pytest.mark.parametrize(
    "country, hs, limbs, conventional",
    [
        ("中国", "8458.11", "イ・ハ", True),  # 16の項(1): the conventional end-user limb applies
        ("アフガニスタン", "3926.90", "イ・ハ", True),  # 別表第三の二
        ("中国", "3926.90", "イ", False),  # 16の項(2) to a general destination: WMD limbs only
    ],
)
def test_a_missing_end_user_cites_the_limbs_that_apply(rules, country, hs, limbs, conventional):
    d = screen(country, "非該当", hs=hs, end_use="民生", rules=rules, today=TODAY)
    assert d.code == R
    ref = _reason(d, "CATCHALL-USER-UNCHECKED").ref
    assert f"{limbs};" in ref and "核兵器等おそれ省令2号・3号" in ref
    assert ("通常兵器おそれ省令2号・3号" in ref) is conventional


def test_sanctions_texts(rules):
    ru = screen("ロシア", "非該当", hs="3926.90", rules=rules, today=TODAY)
    assert "第1号の2" in _reason(ru, "SANCTION-RU-OTHER").ja
    ua = screen("ウクライナ", "非該当", hs="0901.11", rules=rules, today=TODAY)
    assert "（三四の項を除く）" in _reason(ua, "NOTICE-UA-DESIGNATED-AREAS").ja


@pytest.mark.parametrize("ship, article", [("2025-10-08", "輸出令4条1項4号"), ("2025-10-09", "輸出令4条1項5号")])
def test_the_small_value_article_is_the_one_in_force(rules, ship, article):
    d = screen("ドイツ", "6の項(2)", value_jpy=500000, ship_date=ship, rules=rules, today=TODAY)
    assert d.code == N
    assert _reason(d, "SMALL-VALUE-APPLIES").ref.startswith(article)


@pytest.mark.parametrize("typed", ["7の項1", "7-(1)", "７の項１", "7の項(1)"])
def test_item_numbers_are_printed_in_full_form(rules, typed):
    assert item_no.parse(typed).format() == "7の項(1)"
    d = screen("米国", typed, rules=rules, today=TODAY)
    assert d.item["code"] == "7の項(1)" and "7の項(1)" in _reason(d, "LIST-LISTED").ja


def test_law_dates_are_day_precise(rules):
    """The day before and the day of each change give the old and the new answer (half-open periods)."""
    day = date(2023, 12, 15)
    assert not rules.lists["russia_third_countries"].contains("CN", day - timedelta(days=1))
    assert rules.lists["russia_third_countries"].contains("CN", day)
