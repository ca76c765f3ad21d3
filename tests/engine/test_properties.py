"""Properties the law implies for every line, checked with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportscreen.engine import screen
from exportscreen.model import Code

TODAY = date(2026, 11, 25)
COUNTRIES = [
    "米国",
    "ドイツ",
    "韓国",
    "中国",
    "タイ",
    "イラン",
    "イラク",
    "アフガニスタン",
    "北朝鮮",
    "ロシア",
    "ベラルーシ",
    "シンガポール",
    "インド",
]
ITEMS = ["非該当", "7の項(1)", "6の項(2)", "15の項(1)", "2の項(1)", "16の項(1)", "16の項(2)", "8の項", "1の項(1)"]
HS = [None, "8458.11", "3926.90", "0901.11", "8542.90", "8542", "85", "9030.20", "8806.10"]
USERS = [None, "Clean Co", "WMD Lab", "Arms Works", "Maybe Corp"]
USES = [None, "civil", "military", "wmd", "unknown"]
INFORMS = [None, "wmd", "conventional", "wmd,conventional"]
DATES = st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31))
SEV = lambda d: d.code.severity  # noqa: E731

order_line = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "item": st.sampled_from(ITEMS),
        "hs": st.sampled_from(HS),
        "end_user": st.sampled_from(USERS),
        "end_use": st.sampled_from(USES),
        "inform": st.sampled_from(INFORMS),
        "value_jpy": st.sampled_from([None, 0, 40000, 50000, 900000, 1000000, 5000000]),
        "ship_date": DATES,
    }
)
junk = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)
SETTINGS = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(args=st.tuples(junk, junk, junk, junk, junk, junk, junk, junk))
def test_no_input_crashes_the_engine(args, eul_rules):
    d = screen(*args, rules=eul_rules, today=TODAY)
    assert d.code in Code and d.reasons and all(r.ja and r.ref for r in d.reasons)


@SETTINGS
@given(line=order_line, extra=st.sampled_from(["wmd", "conventional"]))
def test_an_inform_never_lowers_severity(line, extra, eul_rules):
    before = screen(**line, rules=eul_rules, today=TODAY)
    informs = {x for x in (line["inform"] or "").split(",") if x} | {extra}
    after = screen(**{**line, "inform": ",".join(sorted(informs))}, rules=eul_rules, today=TODAY)
    assert SEV(after) >= SEV(before), (line, before.reason_text(), after.reason_text())


@SETTINGS
@given(line=order_line, use=st.sampled_from(["wmd", "military"]))
def test_a_weapons_end_use_never_lowers_severity(line, use, eul_rules):
    base = {**line, "end_use": "civil"}
    before = screen(**base, rules=eul_rules, today=TODAY)
    after = screen(**{**base, "end_use": use}, rules=eul_rules, today=TODAY)
    assert SEV(after) >= SEV(before), (line, before.reason_text(), after.reason_text())


@SETTINGS
@given(line=order_line, other=st.sampled_from(["タイ", "インド", "シンガポール", "イラク", "アフガニスタン", "イラン"]))
def test_group_a_is_never_stricter_than_another_destination(line, other, eul_rules):
    a = screen(**{**line, "country": "ドイツ"}, rules=eul_rules, today=TODAY)
    b = screen(**{**line, "country": other}, rules=eul_rules, today=TODAY)
    assert SEV(a) <= SEV(b), (line, a.reason_text(), b.reason_text())


@SETTINGS
@given(line=order_line)
def test_missing_end_use_never_gives_no_licence_where_civil_use_would_not(line, eul_rules):
    """A wrong 許可不要 is the worst bug: if the answer with end use unknown is 許可不要, it is with any end use."""
    unknown = screen(**{**line, "end_use": None}, rules=eul_rules, today=TODAY)
    if unknown.code == Code.NO_LICENSE:
        for use in ("civil", "military", "wmd"):
            known = screen(**{**line, "end_use": use}, rules=eul_rules, today=TODAY)
            assert known.code != Code.INVALID
            if use == "civil":
                assert known.code == Code.NO_LICENSE


@SETTINGS
@given(line=order_line)
def test_memoised_answer_equals_fresh_answer(line, eul_rules):
    from exportscreen.state import reset_rules

    first = screen(**line, rules=eul_rules, today=TODAY)
    reset_rules()
    assert screen(**line, rules=eul_rules, today=TODAY) == first


def test_day_boundaries_are_half_open(eul_rules):
    rev = date(2025, 10, 9)
    kw = dict(hs="8458.11", end_user="Clean Co", end_use="military", rules=eul_rules, today=TODAY)
    assert screen("中国", "非該当", ship_date=rev - timedelta(days=1), **kw).code == Code.NO_LICENSE
    assert screen("中国", "非該当", ship_date=rev, **kw).code == Code.LICENSE_REQUIRED


def test_equal_but_differently_typed_cells_are_parsed_by_their_own_type(rules):
    """1 and True are equal in Python; a memoised answer for 1 must not be given for TRUE (a checkbox), which is
    not an amount."""
    kw = dict(rules=rules, today=TODAY)
    assert screen("ドイツ", "6の項(2)", value_jpy=True, **kw).code == Code.INVALID
    assert screen("ドイツ", "6の項(2)", value_jpy=1, **kw).code == Code.NO_LICENSE
    assert screen("ドイツ", "6の項(2)", value_jpy=True, **kw).code == Code.INVALID
    assert screen("ドイツ", "6の項(2)", value_jpy=1.0, **kw).code == Code.NO_LICENSE
