"""The final destination (最終仕向地), the final end user (最終需要者) and values not in yen, checked against the
engine table by table. A line whose final destination is another country is screened for both destinations (the
stricter decision wins, each destination's own reasons marked with it); the End User List is consulted for the end
user and the final end user; a value in a currency is converted with the rate the user gives, never read as yen.

End users as in test_decision_table: 'Clean Co' on no list, 'WMD Lab' a hit (N), 'Arms Works' a hit (CW),
'Maybe Corp' a possible hit (conftest.StubList). TODAY is after the 2025-10-09 revision.
"""

from __future__ import annotations

from datetime import date

import pytest

from exportscreen.engine import screen
from exportscreen.model import Code, Money

TODAY = date(2026, 11, 25)
L, N, R, P, X = Code.LICENSE_REQUIRED, Code.NO_LICENSE, Code.REVIEW, Code.PROHIBITED, Code.INVALID

# (id, country, final destination, item, hs, end user, final end user, end use, value, expected, rule that must appear,
#  the decision for the destination alone)
FINAL = [
    # Group A ship-to, final destination outside Group A: the catch-all of the final destination applies
    ("groupA-to-general-military", "米国", "中国", "非該当", "8458.11", "Clean Co", None, "軍事", None, L,
     "CATCHALL-CONV-USE", N),
    ("groupA-to-general-civil", "ドイツ", "中国", "非該当", "8458.11", "Clean Co", None, "民生", None, N,
     "CATCHALL-CLEAR", N),
    ("groupA-to-groupA", "米国", "ドイツ", "非該当", "8458.11", "Clean Co", None, "軍事", None, N,
     "CATCHALL-GROUP-A", N),
    # 別表第三の二 final destination: the conventional use requirement reaches 16の項(2) goods (4号ハ)
    ("general-to-un-embargo", "中国", "アフガニスタン", "非該当", "3901.10", "Clean Co", None, "軍事", None, L,
     "CATCHALL-CONV-USE", N),
    ("groupA-to-un-embargo-listed-small", "フランス", "アフガニスタン", "6の項(2)", None, "Clean Co", None, "軍事",
     500000, L, "SMALL-VALUE-LOST", N),
    # sanctions on the final destination: 輸出禁止 whatever the destination
    ("transit-to-north-korea", "シンガポール", "北朝鮮", "非該当", "0901.11", "Clean Co", None, "民生", None, P,
     "SANCTION-KP-ALL", N),
    ("groupA-to-north-korea", "米国", "北朝鮮", "非該当", "0901.11", "Clean Co", None, "民生", None, P,
     "SANCTION-KP-ALL", N),
    ("transit-to-iran-item-3", "タイ", "イラン", "3の項(1)", None, "Clean Co", None, "民生", None, P,
     "SANCTION-IR-WMD", L),
    # 別表第四 final destination: the small-value exemption is lost
    ("groupA-to-iran-small-value", "フランス", "イラン", "6の項(2)", None, "Clean Co", None, "民生", 500000, L,
     "SMALL-VALUE-CONCERN", N),
    # the same country twice is one destination
    ("same-country", "中国", "中国", "非該当", "8458.11", "Clean Co", None, "民生", None, N, "CATCHALL-CLEAR", N),
    ("same-country-by-code", "中国", "CN", "7の項(1)", None, "Clean Co", None, "民生", None, L, "LIST-LISTED", L),
    # the final end user is checked against the End User List with the end user
    ("eul-hit-only-final-end-user", "中国", None, "非該当", "8458.11", "Clean Co", "WMD Lab", "民生", None, L,
     "CATCHALL-WMD-USER", N),
    ("eul-cw-hit-only-final-end-user", "中国", None, "非該当", "8458.11", "Clean Co", "Arms Works", "民生", None, L,
     "CATCHALL-CONV-USER", N),
    ("eul-possible-only-final-end-user", "中国", None, "非該当", "8458.11", "Clean Co", "Maybe Corp", "民生", None,
     R, "CATCHALL-USER-POSSIBLE", N),
    ("eul-hit-final-end-user-listed-small", "中国", None, "6の項(2)", None, "Clean Co", "WMD Lab", "民生", 500000, L,
     "SMALL-VALUE-LOST", N),
    ("eul-hit-final-end-user-groupA", "米国", None, "非該当", "8458.11", "Clean Co", "WMD Lab", "民生", None, N,
     "EUL-HIT-GROUP-A", N),
    ("final-end-user-placeholder", "中国", None, "非該当", "8458.11", "Clean Co", "不明", "民生", None, R,
     "CATCHALL-USER-UNCHECKED", N),
    ("only-final-end-user-given", "中国", None, "非該当", "8458.11", None, "Clean Co", "民生", None, N,
     "CATCHALL-CLEAR", R),
    # both at once: a transit to the final end user's country, the hit found against it
    ("transit-and-final-end-user-hit", "シンガポール", "中国", "非該当", "8458.11", "Clean Co", "WMD Lab", "民生",
     None, L, "CATCHALL-WMD-USER", N),
    # a final destination that cannot be screened is an input error naming it
    ("final-destination-unknown", "シンガポール", "Atlantis", "非該当", "8458.11", "Clean Co", None, "民生", None, X,
     "INPUT-FINAL_DESTINATION", N),
    ("final-destination-japan", "シンガポール", "日本", "非該当", "8458.11", "Clean Co", None, "民生", None, X,
     "INPUT-FINAL_DESTINATION", N),
    ("final-destination-placeholder", "シンガポール", "不明", "非該当", "8458.11", "Clean Co", None, "民生", None, X,
     "INPUT-FINAL_DESTINATION", N),
]  # fmt: skip


def _screen(rules, country, final, item, hs, user, final_user, use, value, **kw):
    return screen(
        country,
        item,
        hs,
        user,
        use,
        None,
        value,
        None,
        final,
        final_user,
        rules=rules,
        today=TODAY,
        **kw,
    )


@pytest.mark.parametrize("case", FINAL, ids=[c[0] for c in FINAL])
def test_final_destination_and_final_end_user(case, eul_rules):
    _id, country, final, item, hs, user, final_user, use, value, expected, rule, alone = case
    d = _screen(eul_rules, country, final, item, hs, user, final_user, use, value)
    assert d.code == expected, d.reason_text()
    assert rule in {r.rule_id for r in d.reasons}, d.reason_text()
    assert all(r.ref for r in d.reasons)
    # without the final destination / final end user the line decides as it always did
    before = _screen(eul_rules, country, None, item, hs, user, None, use, value)
    assert before.code == alone, before.reason_text()
    if user is not None:  # another destination or party screened never makes a line less strict
        assert d.code.severity >= before.code.severity


def test_both_destinations_are_named_in_the_reasons(eul_rules):
    d = _screen(eul_rules, "米国", "中国", "非該当", "8458.11", "Clean Co", None, "軍事", None)
    assert d.reasons[0].rule_id == "FINAL-DESTINATION"
    text = d.reason_text()
    assert "最終仕向地 中華人民共和国（CN）は仕向地 アメリカ合衆国（US）と異なる" in text
    assert "［最終仕向地 中華人民共和国（CN）］用途要件" in text  # the final destination's own reason, marked
    assert "［仕向地 アメリカ合衆国（US）］グループA" in text
    assert "[final destination China (CN)] use requirement" in d.reason_text("en")
    assert d.country["iso2"] == "US" and d.final_destination["iso2"] == "CN"
    assert d.to_dict()["final_destination"]["iso2"] == "CN"
    # a reason both destinations give is said once, unmarked
    d = _screen(eul_rules, "タイ", "イラン", "3の項(1)", None, "Clean Co", None, "民生", None)
    listed = [r for r in d.reasons if r.rule_id == "LIST-LISTED"]
    assert len(listed) == 1 and listed[0].ja.startswith("輸出令別表第一")


def test_one_destination_keeps_its_decision_object(eul_rules):
    """No final destination, or the same one: the very decision of the line without it (memoised, unchanged)."""
    a = _screen(eul_rules, "中国", None, "非該当", "8458.11", "Clean Co", None, "民生", None)
    b = _screen(eul_rules, "中国", "中華人民共和国", "非該当", "8458.11", "Clean Co", None, "民生", None)
    c = _screen(eul_rules, "中国", None, "非該当", "8458.11", "Clean Co", "Clean Co", "民生", None)
    assert a is b is c and "FINAL-DESTINATION" not in {r.rule_id for r in a.reasons}


# (id, country, item, value cell, rates, expected, rule that must appear, rule that must not)
USD = (("USD", 150.0),)
MONEY = [
    ("usd-text-no-rate", "フランス", "6の項(2)", "USD 5,000", (), L, "SMALL-VALUE-NO-RATE", "SMALL-VALUE-APPLIES"),
    ("dollar-text-no-rate", "フランス", "6の項(2)", "5,000ドル", (), L, "SMALL-VALUE-NO-RATE", "SMALL-VALUE-APPLIES"),
    ("usd-text-rate-within", "フランス", "6の項(2)", "USD 5,000", USD, N, "SMALL-VALUE-APPLIES", "SMALL-VALUE-NO-RATE"),
    ("usd-text-rate-over", "フランス", "6の項(2)", "USD 7,000", USD, L, "SMALL-VALUE-OVER", "SMALL-VALUE-APPLIES"),
    ("usd-column-no-rate", "フランス", "6の項(2)", Money(5000, "USD"), (), L, "SMALL-VALUE-NO-RATE",
     "SMALL-VALUE-APPLIES"),
    ("usd-column-rate", "フランス", "6の項(2)", Money(5000, "usd"), USD, N, "VALUE-CONVERTED", "SMALL-VALUE-NO-RATE"),
    ("eur-column-only-usd-rate", "フランス", "6の項(2)", Money(5000, "EUR"), USD, L, "SMALL-VALUE-NO-RATE",
     "SMALL-VALUE-APPLIES"),
    ("unknown-currency", "フランス", "6の項(2)", Money(10, "abc"), USD, L, "SMALL-VALUE-NO-RATE",
     "SMALL-VALUE-APPLIES"),
    ("foreign-currency-word", "フランス", "6の項(2)", "10 外貨", USD, L, "SMALL-VALUE-NO-RATE", "SMALL-VALUE-APPLIES"),
    ("currency-cell-text", "フランス", "6の項(2)", Money(5000, "US Dollar"), USD, N, "SMALL-VALUE-APPLIES",
     "SMALL-VALUE-NO-RATE"),
    ("cell-unit-over-column-unit", "フランス", "6の項(2)", Money("5000円", "USD"), (), N, "SMALL-VALUE-APPLIES",
     "SMALL-VALUE-NO-RATE"),
    ("thousand-yen-within", "フランス", "6の項(2)", Money(500, "千円"), (), N, "VALUE-CONVERTED", "SMALL-VALUE-OVER"),
    ("thousand-yen-over", "フランス", "6の項(2)", Money(5000, "千円"), (), L, "SMALL-VALUE-OVER",
     "SMALL-VALUE-APPLIES"),
    ("thousand-yen-text", "フランス", "6の項(2)", "5,000千円", (), L, "SMALL-VALUE-OVER", "SMALL-VALUE-APPLIES"),
    ("thousand-usd-column", "フランス", "6の項(2)", Money(5, "千USD"), USD, N, "VALUE-CONVERTED", "SMALL-VALUE-OVER"),
    ("thousand-usd-over", "フランス", "6の項(2)", Money(7, "千USD"), USD, L, "SMALL-VALUE-OVER",
     "SMALL-VALUE-APPLIES"),
    ("unit-price-times-quantity", "フランス", "6の項(2)", Money(1000, "USD", 5, True), USD, N, "VALUE-CONVERTED",
     "SMALL-VALUE-OVER"),
    ("unit-price-times-quantity-over", "フランス", "6の項(2)", Money(1000, "USD", 7, True), USD, L,
     "SMALL-VALUE-OVER", "SMALL-VALUE-APPLIES"),
    ("unit-price-yen-over", "フランス", "6の項(2)", Money(300000, None, 4, True), (), L, "SMALL-VALUE-OVER",
     "SMALL-VALUE-APPLIES"),
    ("unit-price-no-quantity", "フランス", "6の項(2)", Money(300000, None, None, True), (), L,
     "SMALL-VALUE-NO-VALUE", "SMALL-VALUE-APPLIES"),
    ("bad-quantity", "フランス", "6の項(2)", Money(3, None, "many", True), (), X, "INPUT-VALUE_JPY",
     "SMALL-VALUE-APPLIES"),
    ("concern-needs-no-rate", "イラン", "6の項(2)", "USD 10", (), L, "SMALL-VALUE-CONCERN", "SMALL-VALUE-NO-RATE"),
    # the value matters only against the small-value limit of listed goods: no rate asked for elsewhere
    ("unlisted-no-rate-asked", "米国", "非該当", "USD 5,000", (), N, "CATCHALL-GROUP-A", "SMALL-VALUE-NO-RATE"),
    ("yen-text-as-before", "フランス", "6の項(2)", "¥500,000", (), N, "SMALL-VALUE-APPLIES", "VALUE-CONVERTED"),
]  # fmt: skip


@pytest.mark.parametrize("case", MONEY, ids=[c[0] for c in MONEY])
def test_values_not_in_yen(case, eul_rules):
    _id, country, item, value, rates, expected, rule, absent = case
    hs = "8458.11" if item == "非該当" else None
    d = _screen(eul_rules, country, None, item, hs, "Clean Co", None, "民生", value, rates=rates)
    assert d.code == expected, d.reason_text()
    ids = {r.rule_id for r in d.reasons}
    assert rule in ids and absent not in ids, d.reason_text()


def test_conversion_is_explained_and_review_names_the_currency(eul_rules):
    d = _screen(eul_rules, "フランス", None, "6の項(2)", None, "Clean Co", None, "民生", Money(1000, "USD", 5, True),
                rates=USD)  # fmt: skip
    how = "金額の円換算：単価 1,000 × 数量 5 = 5,000、5,000 USD × 150円（--rate USD=150）= 750,000円"
    assert how in d.reason_text()
    d = _screen(eul_rules, "フランス", None, "6の項(2)", None, "Clean Co", None, "民生", "EUR 100")
    (review,) = [r for r in d.reasons if r.rule_id == "SMALL-VALUE-NO-RATE"]
    assert review.severity == R and review.ja.startswith("要確認：円換算が必要") and "EUR" in review.ja
    assert "conversion to yen needed" in review.en and "EUR" in review.en


def test_a_bad_final_destination_is_named_as_such(eul_rules):
    d = screen("シンガポール", "非該当", "8471.30", final_destination="Atlantis", rules=eul_rules, today=TODAY)
    assert d.code is Code.INVALID and "最終仕向地「Atlantis」が見つかりません" in d.reason_text("ja")
    assert [r.rule_id for r in d.reasons] == ["INPUT-FINAL_DESTINATION"]
    d = screen("Atlantis", "非該当", "8471.30", rules=eul_rules, today=TODAY)
    assert "仕向地「Atlantis」が見つかりません" in d.reason_text("ja") and "unknown destination" in d.reason_text("en")
