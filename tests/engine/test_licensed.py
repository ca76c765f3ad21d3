"""Screening with the licence register (issue 15 §2): 許可取得済 (LICENSED) when a licence in the register covers a
許可要 line, else 許可要 saying why each candidate licence does not apply. The register is given to the pure engine
inside the rules (Rules.with_licences); the version in force on the ship date is used."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from exportscreen.engine import screen
from exportscreen.licences import ItemRange, Licence, Register
from exportscreen.model import Code

C, L, R, P = Code.LICENSED, Code.LICENSE_REQUIRED, Code.REVIEW, Code.PROHIBITED
GRANTED, EXPIRES = date(2026, 1, 1), date(2028, 12, 31)
VALID, BEFORE, AFTER = date(2026, 6, 1), date(2025, 12, 31), date(2029, 1, 1)
ALL_DAYS = date(2019, 1, 1)  # effective date of the test registers: in force on every ship date used here


def licence(**kw) -> Licence:
    base = dict(
        no="L-1",
        kind="general",
        target="goods",
        granted=GRANTED,
        expires=EXPIRES,
        extended=False,
        countries=frozenset(),
        group="group_a",
        parties=(),
        items=(ItemRange("3"),),
        product="",
        parts=(),
        quantity=None,
        quantity_unit="",
        value=None,
        currency="JPY",
        conditions="",
        notes="",
    )
    base.update(kw)
    return Licence(**base)  # type: ignore[arg-type]


GENERAL = licence()
SPECIAL = licence(no="SG-1", kind="special_general", group="all")
INDIVIDUAL = licence(
    no="I-1",
    kind="individual",
    group=None,
    countries=frozenset({"CN", "AF", "IR"}),
    parties=("ABC Co., Ltd.",),
    items=(ItemRange("3", "1", "2"),),
    value=1_000_000.0,
)
SPECIFIC = licence(no="SP-1", kind="specific", group=None, countries=frozenset({"CN"}), parties=("ABC Co., Ltd.",))


def decide(rules, lics, country="US", item="3の項(1)", day=VALID, end_user="ABC Co., Ltd.", **kw):
    kw.setdefault("end_use", "民生用")
    return screen(
        country,
        item,
        end_user=end_user,
        ship_date=day,
        rules=rules.with_licences([Register(ALL_DAYS, tuple(lics))]),
        today=day,
        **kw,
    )


def why(d) -> list[str]:
    """The LICENCE-* reasons' texts: the covering licence, what is left to check, why others do not cover."""
    return [r.ja for r in d.reasons if r.rule_id.startswith("LICENCE-")]


# (licence, line, expected decision, a fragment of the licence reason)
CASES = [
    # 一般包括: 別表第三 on the ship date
    (GENERAL, {}, C, "一般包括許可 L-1（有効期限 2028-12-31）の対象です"),
    (GENERAL, {"country": "CN"}, L, "中華人民共和国 は出荷日に別表第三にありません"),
    # the licence's 品名 shown with it, for the clerk to see the goods are the licence's (not compared: 品番 are)
    (replace(GENERAL, product="真空ポンプ VP-200"), {}, C, "の対象です。許可の品名：真空ポンプ VP-200"),
    # a licence that could never cover the line names that, not its dates (a clerk would wait for it)
    (replace(GENERAL, granted=date(2026, 7, 1)), {"country": "CN"}, L, "中華人民共和国 は出荷日に別表第三にありません"),
    (replace(INDIVIDUAL, expires=date(2026, 5, 1)), {"country": "CN", "end_user": "XYZ"}, L, "需要者が許可の需要者"),
    (licence(group=None, countries=frozenset({"US"})), {"country": "GB"}, L, "仕向地 英国 は許可の仕向地にありません"),
    (licence(group=None, countries=frozenset({"CN"})), {"country": "CN"}, L, "別表第三にありません"),
    (GENERAL, {"day": BEFORE}, L, "許可日 2026-01-01 より前"),
    (GENERAL, {"day": AFTER}, L, "有効期限 2028-12-31 を過ぎています"),
    (GENERAL, {"item": "2の項(1)"}, L, "に 2の項(1) の アメリカ合衆国 向けの許可はありません"),
    (
        licence(items=(ItemRange("1"),)),
        {"item": "1の項(1)"},
        L,
        "1の項(1) は一般包括・特別一般包括許可の対象外として扱います（未確認[U]",
    ),  # 1の項: [U], stricter
    (GENERAL, {"inform": "大量破壊兵器"}, L, "包括許可では輸出できません"),
    (GENERAL, {"end_use": "軍事"}, L, "包括許可では輸出できません"),
    (GENERAL, {"end_use": "大量破壊兵器"}, L, "包括許可では輸出できません"),
    # Korea between 2019-08-28 and 2023-07-20: not in 別表第三 (一般包括 no), not 別表第三の二/第四 (特別一般包括 yes)
    (licence(granted=date(2019, 1, 1), expires=date(2021, 12, 31)), {"country": "KR", "day": date(2019, 5, 1)}, C, ""),
    (
        licence(granted=date(2019, 1, 1), expires=date(2021, 12, 31)),
        {"country": "KR", "day": date(2020, 5, 1)},
        L,
        "大韓民国 は出荷日に別表第三にありません",
    ),
    (
        replace(SPECIAL, granted=date(2019, 1, 1), expires=date(2021, 12, 31)),
        {"country": "KR", "day": date(2020, 5, 1)},
        C,
        "特別一般包括許可 SG-1",
    ),
    # 特別一般包括: never 別表第三の二 / 別表第四
    (SPECIAL, {"country": "CN"}, C, "特別一般包括許可 SG-1"),
    (SPECIAL, {"country": "AF"}, L, "別表第三の二・別表第四の仕向地を対象にできません"),
    (replace(SPECIAL, items=(ItemRange("5"),)), {"country": "IR", "item": "5の項(1)"}, L, "別表第三の二・別表第四"),
    # 個別: destination, end user, sub-item range, value limit
    (
        INDIVIDUAL,
        {"country": "CN", "value_jpy": 500_000},
        C,
        "個別許可 I-1（有効期限 2028-12-31、金額上限 1,000,000 JPY）",
    ),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "item": "3の項(2)"}, C, "個別許可 I-1"),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "item": "3の項(3)"}, L, "項番 3の項(3)"),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "end_user": "abc co., ltd."}, C, "個別許可 I-1"),
    (
        INDIVIDUAL,
        {"country": "CN", "value_jpy": 500_000, "end_user": "XYZ Corp."},
        L,
        "需要者が許可の需要者（ABC Co., Ltd.）と異なります",
    ),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "end_user": None}, L, "行に需要者がありません"),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 2_000_000}, L, "許可の金額上限 1,000,000円 を超えます"),
    (INDIVIDUAL, {"country": "CN"}, R, "行に金額がありません"),  # a limit but no value: 要確認 naming the licence
    (INDIVIDUAL, {"country": "US", "value_jpy": 500_000}, L, "仕向地 アメリカ合衆国 は許可の仕向地にありません"),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "inform": "大量破壊兵器"}, C, "個別許可 I-1"),
    (INDIVIDUAL, {"country": "CN", "value_jpy": 500_000, "day": AFTER}, L, "有効期限 2028-12-31 を過ぎています"),
    (replace(INDIVIDUAL, value=None, quantity=10.0, quantity_unit="kg"), {"country": "CN"}, R, "数量上限 10 kg"),
    (replace(INDIVIDUAL, currency="USD"), {"country": "CN", "value_jpy": 500_000}, R, "円ではないため"),
    # 特定包括: a bulk licence naming its party
    (SPECIFIC, {"country": "CN"}, C, "特定包括許可 SP-1"),
    (SPECIFIC, {"country": "CN", "end_user": "XYZ Corp."}, L, "需要者が許可の需要者（ABC Co., Ltd.）と異なります"),
    (SPECIFIC, {"country": "CN", "inform": "通常兵器"}, L, "包括許可では輸出できません"),
]


@pytest.mark.parametrize("lic, line, code, text", CASES)
def test_coverage(rules, lic, line, code, text):
    d = decide(rules, [lic], **line)
    assert d.code is code, why(d)
    assert any(text in t for t in why(d)), why(d)
    if code is C or code is R:  # covered: the listing kept (its requirement met by the licence), the licence named
        assert d.reasons[0].rule_id in ("LICENCE-COVERED", "LICENCE-CHECK")
        assert any(r.rule_id == "LIST-LISTED" and r.severity is C for r in d.reasons)
    else:  # one reason per candidate, the listing still 許可要
        assert [r.severity for r in d.reasons if r.rule_id == "LIST-LISTED"] == [L]
        assert sum(r.rule_id in ("LICENCE-NOT-COVERED", "LICENCE-NONE") for r in d.reasons) == 1


def test_no_register_changes_nothing(rules):
    for country, item in (("US", "3の項(1)"), ("CN", "3の項(1)"), ("CN", "16の項"), ("KP", "3の項(1)")):
        plain = screen(country, item, end_user="ABC", ship_date=VALID, rules=rules, today=VALID)
        empty = screen(country, item, end_user="ABC", ship_date=VALID, rules=rules.with_licences([]), today=VALID)
        assert plain == empty


def test_the_version_in_force_on_the_ship_date_is_used(rules):
    old, new = Register(date(2026, 1, 1), (GENERAL,)), Register(date(2026, 7, 1), ())
    r = rules.with_licences([new, old])
    assert screen("US", "3の項(1)", ship_date=date(2026, 6, 30), rules=r, today=VALID).code is C
    assert screen("US", "3の項(1)", ship_date=date(2026, 7, 1), rules=r, today=VALID).code is L
    assert screen("US", "3の項(1)", ship_date=date(2025, 12, 1), rules=r, today=VALID).code is L  # before any


def test_sanctions_and_a_prohibition_are_never_covered(rules):
    lic = licence(kind="individual", group="all", parties=("ABC Co., Ltd.",), items=(ItemRange("3"), ItemRange("4")))
    assert decide(rules, [lic], country="RU").code is P
    assert decide(rules, [lic], country="KP").code is P
    assert decide(rules, [lic], country="IR", item="4の項(1)").code is P


def test_catch_all_only_by_an_individual_licence_naming_goods_and_end_user(rules):
    line = dict(country="CN", item="16の項", hs="8471.30", inform="大量破壊兵器")
    assert decide(rules, [], **line).code is L
    named = licence(kind="individual", group=None, countries=frozenset({"CN"}), parties=("ABC Co., Ltd.",))
    named = replace(named, items=(ItemRange("16"),))
    assert decide(rules, [named], **line).code is C
    for lic in (
        replace(named, parties=()),
        replace(named, kind="specific"),
        replace(SPECIAL, items=(ItemRange("16"),)),
    ):
        d = decide(rules, [lic], **line)
        assert d.code is L and any("個別許可でなければ" in t for t in why(d)), why(d)


def test_a_line_needing_a_check_stays_to_be_checked(rules):
    """許可取得済 never hides 要確認: a covered line with an unconfirmed small-value question or a possible match
    stays 要確認 (severity 許可不要 < 許可取得済 < 要確認 < 事前報告要 < 許可要 < 輸出禁止 < 入力エラー)."""
    order = [Code.NO_LICENSE, C, R, Code.REPORT_REQUIRED, L, P, Code.INVALID]
    assert [c.severity for c in order] == sorted(c.severity for c in order)
    lic = replace(GENERAL, items=(ItemRange("7"),))
    d = decide(rules, [lic], item="7の項(1)", value_jpy="USD 100")  # no rate for USD: small value unknown, 要確認
    assert d.code is R and any(r.rule_id == "LICENCE-COVERED" for r in d.reasons)


def test_many_candidates_are_named_up_to_a_limit(rules):
    # licences for the line's 項 and destination (its group): up to three named, the rest counted
    # (the licences failing the line the same way are one reason)
    lics = [licence(no=f"N-{i}", items=(ItemRange("3", "5"),)) for i in range(8)]
    d = decide(rules, lics)
    assert d.code is L
    (r,) = [r for r in d.reasons if r.rule_id == "LICENCE-NOT-COVERED"]
    assert r.ja.startswith("一般包括許可 N-0・N-1・N-2 の対象外：項番 3の項(1) は許可の対象")
    assert r.en.startswith("not covered by general bulk licences N-0, N-1, N-2: item 3の項(1)")
    assert any(r.rule_id == "LICENCE-MORE" and "この項番・仕向地のほか 5 件" in r.ja for r in d.reasons)
    # failing it in different ways: one reason each, nearest first; kinds named apart
    lics = [licence(no="N-0", items=(ItemRange("3", "5"),)), replace(SPECIAL, expires=date(2026, 5, 1)), GENERAL]
    d = decide(rules, lics, inform="大量破壊兵器")
    assert [r.ja.split("：")[0] for r in d.reasons if r.rule_id == "LICENCE-NOT-COVERED"] == [
        "特別一般包括許可 SG-1、一般包括許可 L-1 の対象外",
        "一般包括許可 N-0 の対象外",
    ]
    # none for its 項 and destination: the first one of its 項 named, the rest counted
    far = [licence(no=f"F-{i}", items=(ItemRange("2"),)) for i in range(8)]
    other = licence(no="X-1", kind="individual", group=None, countries=frozenset({"FR"}), parties=("P",))
    d = decide(rules, [*far, other])
    named = [r.ja for r in d.reasons if r.rule_id == "LICENCE-NOT-COVERED"]
    assert len(named) == 1 and "X-1" in named[0] and "仕向地 アメリカ合衆国 は許可の仕向地にありません" in named[0]
    assert not any(r.rule_id == "LICENCE-MORE" for r in d.reasons)  # the others are for other 項 or destinations
    # none of its 項 at all: the line says so, naming no licence of another 項
    d = decide(rules, far)
    assert d.code is L and not any(r.rule_id in ("LICENCE-NOT-COVERED", "LICENCE-MORE") for r in d.reasons)
    (none,) = [r for r in d.reasons if r.rule_id == "LICENCE-NONE"]
    assert "許可台帳（" in none.ja and "8 件）に 3の項(1) の アメリカ合衆国 向けの許可はありません" in none.ja
    assert none.en.endswith("has no licence for 3の項(1) to United States")


def test_english_texts(rules):
    d = decide(rules, [GENERAL], country="CN")
    (r,) = [r for r in d.reasons if r.rule_id == "LICENCE-NOT-COVERED"]
    assert r.en.startswith("not covered by general bulk licence L-1: a general bulk licence") and "China" in r.en


def _master(rules, *products):
    """``rules`` with a 品番マスタ of ``products`` ((品番, 該非, 技術該非)), in force on every ship date used here."""
    from exportscreen.products import Master, Product, part_key

    given = {part_key(no): Product(no, item, date(2026, 1, 1), tech=tech) for no, item, tech in products}
    return rules.with_products([Master(1, ALL_DAYS, "master.csv", "0" * 64, given)])


# A licence naming its 品番 covers only the lines of one of them: a line by another 品番, or one whose goods are typed
# (no 品番 to compare), is not covered — the goods of a licence are what it names (the stricter reading).
PARTS = [
    ({"part_no": "PN-1", "item": None}, C, "一般包括許可 L-1"),
    ({"part_no": "ｐｎ－１", "item": None}, C, "一般包括許可 L-1"),  # the 品番 as the master folds it
    ({"part_no": "PN-2", "item": None}, L, "品番が許可の品番（PN-1）にありません"),
    ({}, L, "許可は品番（PN-1）に限られますが、行に品番がありません"),
]


@pytest.mark.parametrize("line, code, text", PARTS)
def test_a_licence_naming_its_parts(rules, line, code, text):
    ruled = _master(rules, ("PN-1", "3の項(1)", None), ("PN-2", "3の項(1)", None))
    d = decide(ruled, [replace(GENERAL, parts=("PN-1",))], **line)
    assert d.code is code and any(text in t for t in why(d)), why(d)
    assert decide(ruled, [GENERAL], **line).code is C  # the same licence without 品番 covers each of them


# A 数量上限 (issue 15 §3): the line's 数量 against the licence's limit and what the recorded shipments leave of it —
# never converted: the cell's unit, else its column's (quantity_unit: 数量（台）), must be the licence's 数量単位.
Q_LIC = replace(INDIVIDUAL, value=None, quantity=10.0, quantity_unit="台")
NO_UNIT = replace(Q_LIC, quantity_unit="")


def usage(quantity=0.0, lines=1, unknown=0):
    from exportscreen.shipments import Usage

    return Usage(quantity=quantity, lines=lines, quantity_unknown=unknown)


# (licence, recorded shipments, line's 数量, its column's unit, decision, the line's quantity in the licence's unit
# as the covered decision names it, a fragment of the licence reasons)
QUANTITY_CASES = [
    (Q_LIC, None, "5台", None, C, 5.0, "個別許可 I-1（有効期限 2028-12-31、数量上限 10 台）の対象です"),
    (Q_LIC, None, "１０ 台", None, C, 10.0, "数量上限 10 台）"),  # the whole limit, full width
    (Q_LIC, None, 5, "台", C, 5.0, "数量上限 10 台）"),  # a number in a 数量（台） column
    (replace(Q_LIC, quantity_unit="PCS"), None, "5 pcs", None, C, 5.0, "数量上限 10 PCS）"),  # folded, not converted
    (NO_UNIT, None, 5, None, C, 5.0, "数量上限 10 ）"),  # neither names a unit
    (Q_LIC, None, "11台", None, L, None, "数量が許可の数量上限 10 台 を超えます"),
    (Q_LIC, None, 11, "台", L, None, "数量が許可の数量上限 10 台 を超えます"),
    (Q_LIC, None, None, None, R, None, "数量上限 10 台 がありますが、行に数量がない"),
    (Q_LIC, None, "約5台", None, R, None, "行に数量がない（または数値として読めない）"),
    (Q_LIC, None, 5, None, R, None, "行の数量に許可の単位「台」が書かれていない"),  # a bare number: not taken to be 台
    (Q_LIC, None, "5kg", None, R, None, "許可の単位「台」が書かれていない（または単位が異なる）"),
    (Q_LIC, None, "5kg", "台", R, None, "許可の単位「台」"),  # the cell's unit, not its column's
    (Q_LIC, None, "50kg", None, R, None, "許可の単位「台」"),  # over 10 in another unit: not compared, not over
    (NO_UNIT, None, "5台", None, R, None, "許可の数量上限 10 に単位がなく"),
    # the balance: the shipments recorded against the licence
    (Q_LIC, usage(7.0), "3台", None, C, 3.0, "数量上限 10 台・残 3 台）の対象です"),
    (Q_LIC, usage(7.0), "4台", None, R, 4.0, "数量が残量 3 台（数量上限 10 台 から出荷実績を引いた量）を超えます"),
    (Q_LIC, usage(7.0), None, None, R, None, "行に数量がない"),
    (Q_LIC, usage(10.0), "1台", None, L, None, "数量上限 10 台 を出荷実績 10 台 で使い切っています"),
    (Q_LIC, usage(3.0, 2, 1), "1台", None, R, 1.0, "数量の分からない出荷実績が 1 件あり、数量上限 10 台 の残量"),
    (Q_LIC, usage(12.0, 3, 1), "1台", None, L, None, "使い切っています"),  # unknown ones can only add to it
    # a value limit too: both checked
    (replace(Q_LIC, value=1_000_000.0), None, "5台", None, C, 5.0, "金額上限 1,000,000 JPY、数量上限 10 台"),
]


@pytest.mark.parametrize("lic, used, quantity, unit, code, in_unit, text", QUANTITY_CASES)
def test_a_quantity_limit(rules, lic, used, quantity, unit, code, in_unit, text):
    from exportscreen.ids.text import fold

    ruled = rules.with_shipments({fold(lic.no): used} if used else {})
    value = {"value_jpy": 500_000} if lic.value is not None else {}
    d = decide(ruled, [lic], country="CN", quantity=quantity, quantity_unit=unit, **value)
    assert d.code is code, why(d)
    assert any(text in t for t in why(d)), why(d)
    if code is L:
        assert d.licence is None
        return
    # covered: the licence names the line's quantity in its unit (None: not comparable), its limit and what is left
    assert d.licence["quantity"] == in_unit
    assert d.licence["quantity_limit"] == 10.0 and d.licence["quantity_unit"] == lic.quantity_unit
    known = used is None or not used.quantity_unknown
    assert d.licence["quantity_left"] == ((10.0 - (used.quantity if used else 0.0)) if known else None)


def test_the_quantity_enters_no_memo_without_a_quantity_limit(rules):
    """Without a licence with a 数量上限 the quantity is dropped before any memo: the same decision object."""
    plain = rules.with_licences([Register(ALL_DAYS, (INDIVIDUAL,))])
    assert not plain.quantity_limits and not rules.quantity_limits
    line = dict(end_user="ABC Co., Ltd.", end_use="民生", value_jpy=500_000, ship_date=VALID, rules=plain, today=VALID)
    d = screen("CN", "3の項(1)", **line)
    assert d.code is C
    assert all(screen("CN", "3の項(1)", quantity=q, **line) is d for q in ("5台", 11, "約5台", None))
    limited = rules.with_licences([Register(ALL_DAYS, (INDIVIDUAL, replace(Q_LIC, no="Q-9", items=(ItemRange("4"),))))])
    assert limited.quantity_limits
    line["rules"] = limited
    d = screen("CN", "3の項(1)", **line)
    assert screen("CN", "3の項(1)", quantity="5台", **line) == d  # no licence of its 項 reads it
    assert screen("CN", "4の項(1)", quantity="5台", **line) is screen("CN", "4の項(1)", quantity="5 台", **line)


def test_the_earlier_lines_of_a_run_count_against_the_quantity_left(rules):
    """licensing.in_run, as the screening pipeline calls it in row order: 7 of 10 台 recorded, 3 left."""
    from exportscreen.ids.text import fold
    from exportscreen.licensing import in_run

    ruled = rules.with_shipments({fold("I-1"): usage(7.0)})
    used: dict = {}
    got = []
    for quantity in ("1台", "2台", "1台", None, "1台", "5kg"):
        d = in_run(ruled, decide(ruled, [Q_LIC], country="CN", quantity=quantity), used)
        got.append((d.code, [r.rule_id for r in d.reasons if r.rule_id.startswith("LICENCE-BALANCE-RUN")]))
    assert got == [
        (C, []),
        (C, []),  # 1 + 2 = 3: the whole balance
        (R, ["LICENCE-BALANCE-RUN-QUANTITY"]),  # 3 before it, 0 left
        (R, []),  # no quantity: 要確認 of its own (LICENCE-CHECK-NO-QUANTITY)
        (R, ["LICENCE-BALANCE-RUN-QUANTITY-UNKNOWN"]),  # a line before it of unknown quantity
        (R, []),  # another unit: 要確認 of its own
    ]
    d = in_run(ruled, decide(ruled, [Q_LIC], country="CN", quantity="2台"), {})
    assert d.code is C  # a run of its own
    d = in_run(ruled, decide(ruled, [Q_LIC], country="CN", quantity="2台"), {"I-1": (0.0, 2.0, 0, 0)})
    (r,) = [r for r in d.reasons if r.rule_id == "LICENCE-BALANCE-RUN-QUANTITY"]
    assert "この表の前の行（計 2 台）を差し引くと数量の残りは 1 台 で、この行の数量 2 台 を超えます" in r.ja
    assert "less the earlier lines of this table (2 台 in all) 1 台 is left, below this line's 2 台" in r.en


def test_a_line_screened_by_its_part_number_passes_its_quantity(rules):
    ruled = _master(rules, ("PN-1", "3の項(1)", None))
    by_part = dict(country="CN", item=None, part_no="PN-1")
    assert decide(ruled, [Q_LIC], quantity="5台", **by_part).code is C
    d = decide(ruled, [Q_LIC], quantity="11台", **by_part)
    assert d.code is L and any("数量が許可の数量上限 10 台 を超えます" in t for t in why(d)), why(d)
    assert decide(ruled, [Q_LIC], **by_part).code is R  # no quantity


def test_the_earlier_lines_of_a_run_count_against_the_value_left(rules):
    """licensing.in_run for a 金額上限 (I-1: ¥1,000,000): a line after an earlier one of unknown value is 要確認 — the
    balance is not known (the stricter reading); before it, the earlier values are subtracted."""
    from exportscreen.licensing import in_run

    used: dict = {}
    got = []
    for value in (400_000, 500_000, 200_000, None, 50_000):
        d = in_run(rules, decide(rules, [INDIVIDUAL], country="CN", value_jpy=value), used)
        got.append((d.code, [r.rule_id for r in d.reasons if r.rule_id.startswith("LICENCE-BALANCE-RUN")]))
    assert got == [
        (C, []),
        (C, []),  # 400,000 + 500,000 of 1,000,000
        (R, ["LICENCE-BALANCE-RUN"]),  # 100,000 left
        (R, []),  # no value: 要確認 of its own (LICENCE-CHECK-NO-VALUE)
        (R, ["LICENCE-BALANCE-RUN-VALUE-UNKNOWN"]),  # a line before it of unknown value
    ]
    (r,) = [
        r
        for r in in_run(rules, decide(rules, [INDIVIDUAL], country="CN", value_jpy=1), used).reasons
        if r.rule_id == "LICENCE-BALANCE-RUN-VALUE-UNKNOWN"
    ]
    assert "この表の前の 1 行は金額が分からないため、金額上限の残高が分かりません" in r.ja
