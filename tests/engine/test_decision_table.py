"""The decision table of the law (facts §3.3, §6.2, §9), one row per cell, checked against the engine.

Each case states the legal point it tests. Dates: TODAY is after the 2025-10-09 revision; PRE is before it.
End users: '' = not given; 'Clean Co' = on no list; 'WMD Lab' = EUL hit (N); 'Arms Works' = EUL hit (CW);
'Maybe Corp' = a possible EUL hit (see conftest.StubList).
"""

from __future__ import annotations

from datetime import date

import pytest

from exportscreen.engine import screen
from exportscreen.model import Code

TODAY = date(2026, 11, 25)
PRE = "2025-06-01"
L, N, R, P, X = Code.LICENSE_REQUIRED, Code.NO_LICENSE, Code.REVIEW, Code.PROHIBITED, Code.INVALID

# (id, country, item, hs, end_user, end_use, inform, value, ship_date, expected code, rule id that must appear)
CASES = [
    # --- list control: 1–15の項 need a licence to every destination (外為法48条1項; 輸出令1条1項)
    ("L-groupA", "米国", "7の項(1)", None, "Clean Co", "民生", None, None, None, L, "LIST-LISTED"),
    ("L-general", "中国", "7の項(1)", None, "Clean Co", "民生", None, None, None, L, "LIST-LISTED"),
    ("L-un-embargo", "アフガニスタン", "7の項(1)", None, "Clean Co", "民生", None, None, None, L, "LIST-LISTED"),
    ("L-item1", "米国", "1の項(1)", None, "Clean Co", "民生", None, 1000, None, L, "LIST-LISTED"),
    # --- small value (輸出令4条1項5号): items 5–13 and 15; ¥1m, or ¥50k for 別表第三の三
    ("SV-15-under-50k", "フランス", "15の項(1)", None, "", None, None, 40000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-15-over-50k", "フランス", "15の項(1)", None, "", None, None, 60000, None, L, "SMALL-VALUE-OVER"),
    ("SV-6-at-1m", "ドイツ", "6の項(2)", None, "", None, None, 1000000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-6-over-1m", "ドイツ", "6の項(2)", None, "", None, None, 1000001, None, L, "SMALL-VALUE-OVER"),
    ("SV-8-is-3-3", "ドイツ", "8の項", None, "", None, None, 60000, None, L, "SMALL-VALUE-OVER"),
    ("SV-7-2-is-3-3", "ドイツ", "7の項(2)", None, "", None, None, 60000, None, L, "SMALL-VALUE-OVER"),
    ("SV-7-1-not-3-3", "ドイツ", "7の項(1)", None, "", None, None, 60000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-no-value", "ドイツ", "6の項(2)", None, "", None, None, None, None, L, "SMALL-VALUE-NO-VALUE"),
    ("SV-item2-never", "米国", "2の項(1)", None, "", None, None, 10000, None, L, "LIST-LISTED"),
    ("SV-item4-never", "米国", "4の項(1)", None, "", None, None, 10000, None, L, "LIST-LISTED"),
    ("SV-item14-never", "米国", "14の項(1)", None, "", None, None, 10000, None, L, "LIST-LISTED"),
    ("SV-IR-never", "イラン", "6の項(2)", None, "Clean Co", "民生", None, 900000, None, L, "SMALL-VALUE-CONCERN"),
    ("SV-IQ-never", "イラク", "6の項(2)", None, "Clean Co", "民生", None, 900000, None, L, "SMALL-VALUE-CONCERN"),
    ("SV-groupA-inform-lost", "フランス", "6の項(2)", None, "", None, "通常兵器", 500000, None, L, "SMALL-VALUE-LOST"),
    ("SV-groupA-enduse-irrelevant", "フランス", "6の項(2)", None, "", "軍事", None, 500000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-general-clear", "中国", "6の項(2)", None, "Clean Co", "民生", None, 500000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-general-wmd-use-lost", "中国", "6の項(2)", None, "Clean Co", "大量破壊兵器", None, 500000, None, L, "SMALL-VALUE-LOST"),
    ("SV-general-conv-use-kept", "中国", "6の項(2)", None, "Clean Co", "軍事", None, 500000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-general-conv-inform-lost", "中国", "6の項(2)", None, "Clean Co", "民生", "通常兵器", 500000, None, L, "SMALL-VALUE-LOST"),
    ("SV-general-wmd-user-lost", "中国", "6の項(2)", None, "WMD Lab", "民生", None, 500000, None, L, "SMALL-VALUE-LOST"),
    ("SV-general-cw-user-kept", "中国", "6の項(2)", None, "Arms Works", "民生", None, 500000, None, N, "SMALL-VALUE-APPLIES"),
    ("SV-general-use-unknown", "中国", "6の項(2)", None, "Clean Co", "不明", None, 500000, None, L, "SMALL-VALUE-UNCONFIRMED"),
    ("SV-general-no-end-user", "中国", "6の項(2)", None, "", "民生", None, 500000, None, L, "SMALL-VALUE-UNCONFIRMED"),
    ("SV-un-embargo-conv-use-lost", "アフガニスタン", "6の項(2)", None, "Clean Co", "軍事", None, 500000, None, L, "SMALL-VALUE-LOST"),
    ("SV-un-embargo-cw-user-lost", "アフガニスタン", "6の項(2)", None, "Arms Works", "民生", None, 500000, None, L, "SMALL-VALUE-LOST"),
    # --- catch-all 16の項(1) (8458.11 lathe; 貨物等省令14条の2第1号)
    ("C1-groupA", "ドイツ", "非該当", "8458.11", "", None, None, None, None, N, "CATCHALL-GROUP-A"),
    ("C1-groupA-listed-user-info", "ドイツ", "非該当", "8458.11", "WMD Lab", None, None, None, None, N, "EUL-HIT-GROUP-A"),
    ("C1-groupA-inform", "米国", "非該当", "8458.11", "", None, "通常兵器", None, None, L, "CATCHALL-GROUP-A-INFORM"),
    ("C1-groupA-wmd-inform", "米国", "非該当", "8458.11", "", None, "大量破壊兵器", None, None, L, "CATCHALL-GROUP-A-INFORM"),
    ("C1-general-clear", "中国", "非該当", "8458.11", "Clean Co", "民生", None, None, None, N, "CATCHALL-CLEAR"),
    ("C1-general-conv-use", "中国", "非該当", "8458.11", "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    ("C1-general-wmd-use", "中国", "非該当", "8458.11", "Clean Co", "大量破壊兵器", None, None, None, L, "CATCHALL-WMD-USE"),
    ("C1-general-wmd-inform", "中国", "非該当", "8458.11", "Clean Co", "民生", "wmd", None, None, L, "CATCHALL-WMD-INFORM"),
    ("C1-general-conv-inform", "中国", "非該当", "8458.11", "Clean Co", "民生", "conventional", None, None, L, "CATCHALL-CONV-INFORM"),
    ("C1-general-wmd-user", "中国", "非該当", "8458.11", "WMD Lab", "民生", None, None, None, L, "CATCHALL-WMD-USER"),
    ("C1-general-cw-user", "中国", "非該当", "8458.11", "Arms Works", "民生", None, None, None, L, "CATCHALL-CONV-USER"),
    ("C1-general-possible-user", "中国", "非該当", "8458.11", "Maybe Corp", "民生", None, None, None, R, "CATCHALL-USER-POSSIBLE"),
    ("C1-general-use-unknown", "中国", "非該当", "8458.11", "Clean Co", "不明", None, None, None, R, "CATCHALL-USE-UNKNOWN"),
    ("C1-general-use-blank", "中国", "非該当", "8458.11", "Clean Co", None, None, None, None, R, "CATCHALL-USE-UNKNOWN"),
    ("C1-general-no-end-user", "中国", "非該当", "8458.11", "", "民生", None, None, None, R, "CATCHALL-USER-UNCHECKED"),
    ("C1-IR-general-row", "イラン", "非該当", "8458.11", "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    ("C1-un-embargo-conv-use", "イラク", "非該当", "8458.11", "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    # --- catch-all 16の項(2) (3926.90 plastics, ch. 39): conventional is inform-only outside 別表第三の二 (4条1項4号)
    ("C2-groupA", "フランス", "非該当", "3926.90", "", None, None, None, None, N, "CATCHALL-GROUP-A"),
    ("C2-general-clear", "中国", "非該当", "3926.90", "Clean Co", "民生", None, None, None, N, "CATCHALL-CLEAR"),
    ("C2-general-conv-use-na", "中国", "非該当", "3926.90", "Clean Co", "軍事", None, None, None, N, "CATCHALL-CONV-USE-NA"),
    ("C2-general-conv-inform", "中国", "非該当", "3926.90", "Clean Co", "軍事", "通常兵器", None, None, L, "CATCHALL-CONV-INFORM"),
    ("C2-general-wmd-use", "中国", "非該当", "3926.90", "Clean Co", "大量破壊兵器", None, None, None, L, "CATCHALL-WMD-USE"),
    ("C2-general-wmd-user", "中国", "非該当", "3926.90", "WMD Lab", "民生", None, None, None, L, "CATCHALL-WMD-USER"),
    ("C2-general-cw-user-na", "中国", "非該当", "3926.90", "Arms Works", "民生", None, None, None, N, "EUL-CW-NA"),
    ("C2-general-use-unknown", "中国", "非該当", "3926.90", "Clean Co", "不明", None, None, None, R, "CATCHALL-USE-UNKNOWN"),
    ("C2-un-embargo-conv-use", "イラク", "非該当", "3926.90", "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    ("C2-un-embargo-cw-user", "イラク", "非該当", "3926.90", "Arms Works", "民生", None, None, None, L, "CATCHALL-CONV-USER"),
    ("C2-854290-is-16-2", "中国", "非該当", "8542.90", "Clean Co", "軍事", None, None, None, N, "CATCHALL-CONV-USE-NA"),
    ("C1-854231-is-16-1", "中国", "非該当", "8542.31", "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    # --- outside the catch-all chapters (0901.11 coffee, ch. 9; 6109.10 T-shirts, ch. 61)
    ("O-general", "中国", "非該当", "0901.11", "", None, None, None, None, N, "CATCHALL-OUT-OF-SCOPE"),
    ("O-un-embargo", "イラク", "非該当", "6109.10", "", "軍事", None, None, None, N, "CATCHALL-OUT-OF-SCOPE"),
    ("O-wmd-use-is-reviewed", "中国", "非該当", "0901.11", "", "大量破壊兵器", None, None, None, R, "OUT-OF-SCOPE-WMD-USE"),
    ("O-inform-is-reviewed", "イラク", "非該当", "6109.10", "", None, "通常兵器", None, None, R, "OUT-OF-SCOPE-INFORM"),
    # --- HS code missing or too short: 要確認 when the class matters, not when it does not
    ("HS-missing-general", "中国", "非該当", None, "Clean Co", "民生", None, None, None, N, "CATCHALL-CLEAR"),
    ("HS-missing-military", "中国", "非該当", None, "Clean Co", "軍事", None, None, None, R, "CATCHALL-HS-MISSING"),
    ("HS-missing-groupA", "ドイツ", "非該当", None, "", None, None, None, None, N, "CATCHALL-GROUP-A"),
    ("HS-missing-unknown-use", "中国", "非該当", None, "", None, None, None, None, R, "CATCHALL-HS-MISSING"),
    ("HS-4digit-8542-military", "中国", "非該当", "8542", "Clean Co", "軍事", None, None, None, R, "CATCHALL-HS-MISSING"),
    ("HS-chapter-85-military", "中国", "非該当", "85", "Clean Co", "軍事", None, None, None, R, "CATCHALL-HS-MISSING"),
    ("item-16-1-given", "中国", "16の項(1)", None, "Clean Co", "軍事", None, None, None, L, "CATCHALL-CONV-USE"),
    # --- before 2025-10-09: one 16の項; Group A outside the catch-all; conventional = inform only except 別表第三の二
    ("PRE-groupA-inform", "米国", "非該当", "8458.11", "", None, "通常兵器", None, PRE, N, "CATCHALL-GROUP-A-PRE2025"),
    ("PRE-general-conv-use", "中国", "非該当", "8458.11", "Clean Co", "軍事", None, None, PRE, N, "CATCHALL-CONV-USE-NA"),
    ("PRE-general-conv-inform", "中国", "非該当", "8458.11", "Clean Co", "民生", "通常兵器", None, PRE, L, "CATCHALL-CONV-INFORM"),
    ("PRE-general-wmd-user", "中国", "非該当", "3926.90", "WMD Lab", "民生", None, None, PRE, L, "CATCHALL-WMD-USER"),
    ("PRE-general-no-cw-user-limb", "イラク", "非該当", "3926.90", "Arms Works", "民生", None, None, PRE, N, "EUL-CW-NA"),
    ("PRE-un-embargo-conv-use", "イラク", "非該当", "8458.11", "Clean Co", "軍事", None, None, PRE, L, "CATCHALL-CONV-USE"),
    ("REV-day-conv-use", "中国", "非該当", "8458.11", "Clean Co", "軍事", None, None, "2025-10-09", L, "CATCHALL-CONV-USE"),
    ("REV-eve-conv-use", "中国", "非該当", "8458.11", "Clean Co", "軍事", None, None, "2025-10-08", N, "CATCHALL-CONV-USE-NA"),
    # --- South Korea: out of Group A 2019-08-28 – 2023-07-20 (WMD inform before 2025: Group A outside catch-all)
    ("KR-2019-08-27-groupA", "韓国", "非該当", "8458.11", "", None, "wmd", None, "2019-08-27", N, "CATCHALL-GROUP-A-PRE2025"),
    ("KR-2019-08-28-general", "韓国", "非該当", "8458.11", "", None, "wmd", None, "2019-08-28", L, "CATCHALL-WMD-INFORM"),
    ("KR-2023-07-20-general", "大韓民国", "非該当", "8458.11", "", None, "wmd", None, "2023-07-20", L, "CATCHALL-WMD-INFORM"),
    ("KR-2023-07-21-groupA", "Republic of Korea", "非該当", "8458.11", "", None, "wmd", None, "2023-07-21", N, "CATCHALL-GROUP-A-PRE2025"),
    # --- sanctions overlays (外為法48条3項)
    ("KP-anything", "北朝鮮", "非該当", "0901.11", "", None, None, None, None, P, "SANCTION-KP-ALL"),
    ("KP-2019", "DPRK", "7の項(1)", None, "", None, None, None, "2019-01-01", P, "SANCTION-KP-ALL"),
    ("RU-listed", "ロシア", "7の項(1)", None, "", None, None, None, "2022-03-18", P, "SANCTION-RU-LISTED"),
    ("RU-listed-eve", "ロシア", "7の項(1)", None, "", None, None, None, "2022-03-17", L, "LIST-LISTED"),
    ("RU-unlisted-review", "ロシア連邦", "非該当", "0901.11", "", None, None, None, "2022-03-18", R, "SANCTION-RU-OTHER"),
    ("RU-unlisted-eve", "ロシア連邦", "非該当", "0901.11", "", None, None, None, "2022-03-17", N, "CATCHALL-OUT-OF-SCOPE"),
    ("BY-listed", "ベラルーシ", "9の項(1)", None, "", None, None, None, None, P, "SANCTION-BY-LISTED"),
    ("BY-unlisted", "ベラルーシ", "非該当", "0901.11", "", None, None, None, None, R, "SANCTION-BY-OTHER"),
    ("IR-wmd-goods", "イラン", "2の項(1)", None, "", None, None, None, "2025-09-29", P, "SANCTION-IR-WMD"),
    ("IR-wmd-goods-eve", "イラン", "2の項(1)", None, "", None, None, None, "2025-09-28", L, "LIST-LISTED"),
    ("third-country-notice", "タイ", "非該当", "0901.11", "", None, None, None, None, N, "NOTICE-RU-THIRD-COUNTRY"),
    ("UA-designated-areas-notice", "ウクライナ", "非該当", "0901.11", "", None, None, None, None, N, "NOTICE-UA-DESIGNATED-AREAS"),
    # --- input that cannot be screened: 入力エラー naming the field
    ("X-country-empty", "", "7の項(1)", None, "", None, None, None, None, X, "INPUT-COUNTRY"),
    ("X-country-unknown", "Atlantis", "7の項(1)", None, "", None, None, None, None, X, "INPUT-COUNTRY"),
    ("X-country-ambiguous", "Congo", "7の項(1)", None, "", None, None, None, None, X, "INPUT-COUNTRY"),
    ("X-item-empty", "米国", None, None, "", None, None, None, None, X, "INPUT-ITEM"),
    ("X-item-99", "米国", "99の項", None, "", None, None, None, None, X, "INPUT-ITEM"),
    ("X-sub-99", "米国", "7の項(99)", None, "", None, None, None, None, X, "INPUT-ITEM"),
    ("X-16-3", "米国", "16の項(3)", None, "", None, None, None, None, X, "INPUT-ITEM"),
    ("X-item-text", "米国", "ネジ", None, "", None, None, None, None, X, "INPUT-ITEM"),
    ("X-hs", "米国", "非該当", "abc", "", None, None, None, None, X, "INPUT-HS"),
    ("X-end-use", "米国", "非該当", "8458.11", "", "たぶん", None, None, None, X, "INPUT-END_USE"),
    ("X-inform", "米国", "非該当", "8458.11", "", None, "かも", None, None, X, "INPUT-INFORM"),
    ("X-value", "米国", "6の項(2)", None, "", None, None, "たくさん", None, X, "INPUT-VALUE_JPY"),
    ("X-value-negative", "米国", "6の項(2)", None, "", None, None, -5, None, X, "INPUT-VALUE_JPY"),
    ("X-date", "米国", "非該当", None, "", None, None, None, "2026-13-01", X, "INPUT-SHIP_DATE"),
    ("X-date-before-coverage", "米国", "非該当", None, "", None, None, None, "2018-12-31", X, "INPUT-SHIP_DATE"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_decision_table(case, eul_rules):
    _id, country, item, hs, end_user, end_use, inform, value, ship, expected, rule = case
    d = screen(country, item, hs=hs, end_user=end_user or None, end_use=end_use, inform=inform, value_jpy=value,
               ship_date=ship, rules=eul_rules, today=TODAY)
    assert d.code == expected, d.reason_text()
    assert rule in {r.rule_id for r in d.reasons}, d.reason_text()
    assert all(r.ref for r in d.reasons)
    assert d.rules_version.startswith(eul_rules.version)


def test_no_end_user_list_loaded_is_review_naming_the_list(rules):
    d = screen("中国", "非該当", hs="8458.11", end_user="Clean Co", end_use="民生", rules=rules, today=TODAY)
    assert d.code == Code.REVIEW
    assert any("外国ユーザーリストが読み込まれていない" in r.ja for r in d.reasons)


def test_ukraine_note_starts_with_the_2022_measures(rules):
    before = screen("ウクライナ", "非該当", hs="0901.11", ship_date="2022-03-17", rules=rules, today=TODAY)
    assert "NOTICE-UA-DESIGNATED-AREAS" not in {r.rule_id for r in before.reasons} and before.code == Code.NO_LICENSE


def test_as_of_is_ship_date_else_today(rules):
    assert screen("米国", "7の項(1)", ship_date="2024-05-01", rules=rules, today=TODAY).as_of == date(2024, 5, 1)
    assert screen("米国", "7の項(1)", rules=rules, today=TODAY).as_of == TODAY


def test_reasons_in_english(rules):
    d = screen("中国", "非該当", hs="8458.11", end_user="x", end_use="military", rules=rules, today=TODAY)
    text = d.reason_text("en")
    assert "use requirement" in text and "輸出令4条1項3号ハ" in text
    assert d.to_dict("en")["label"] == "Licence required"


def test_suggestions_for_near_misses(rules):
    d = screen("Germny", "7の項(1)", rules=rules, today=TODAY)
    assert d.code == Code.INVALID and "DE" in d.reasons[0].ja
    d = screen("米国", "7の項(26)", rules=rules, today=TODAY)
    assert d.code == Code.INVALID and "もしかして: 7の項(25)" in d.reasons[0].ja
