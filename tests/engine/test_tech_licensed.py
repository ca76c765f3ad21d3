"""Technology lines screened with the licence register (issue 15 §2 for 役務取引): a technology line whose 許可要
comes only from the listing (外為令別表 1–15, TECH-LISTED) — or, for the catch-all (16の項), an individual licence
naming the technology and the recipient — is 許可取得済 when a technology licence (対象 技術) of the register in force
on its provision date covers it, with the same checks as goods (tests/engine/test_licensed.py); else it stays 許可要
saying why each candidate does not apply, worded for a provision (提供日, 提供先, 外為法25条). Goods licences never
cover technology lines, and technology licences never cover goods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from test_licensed import AFTER, ALL_DAYS, BEFORE, VALID, _master, licence  # noqa: E402  (tests/engine is on the path)

from exportscreen.engine import screen, screen_technology
from exportscreen.licences import ItemRange, Register
from exportscreen.model import Code

C, L, R, P = Code.LICENSED, Code.LICENSE_REQUIRED, Code.REVIEW, Code.PROHIBITED

GENERAL = licence(no="TG-1", target="technology", items=(ItemRange("7"),))
SPECIAL = licence(no="TS-1", target="technology", kind="special_general", group="all", items=(ItemRange("7"),))
INDIVIDUAL = licence(
    no="TI-1",
    kind="individual",
    target="technology",
    group=None,
    countries=frozenset({"CN"}),
    parties=("ABC Co., Ltd.",),
    items=(ItemRange("7", "1", "2"),),
)
CATCH_ALL = replace(INDIVIDUAL, no="TI-16", items=(ItemRange("16"),))


def provide(rules, lics, country="米国", item="7の項(1)", day=VALID, recipient="ABC Co., Ltd.", **kw):
    """A technology provided abroad to a non-resident (no designated critical technology), screened with ``lics``."""
    kw.setdefault("residency", "非居住者")
    kw.setdefault("critical_tech", "なし")
    return screen_technology(
        country=country,
        item=item,
        recipient=recipient,
        provision_date=day,
        rules=rules.with_licences([Register(ALL_DAYS, tuple(lics))]),
        today=day,
        **kw,
    )


def why(d) -> list[str]:
    return [r.ja for r in d.reasons if r.rule_id.startswith("LICENCE-")]


# (licence, line, expected decision, a fragment of the licence reasons)
CASES = [
    # 一般包括 (技術): 別表第三 on the provision date
    (GENERAL, {}, C, "一般包括許可 TG-1（役務取引、有効期限 2028-12-31）の対象です"),
    (GENERAL, {"country": "中国"}, L, "中華人民共和国 は提供日に別表第三にありません"),
    (GENERAL, {"day": BEFORE}, L, "提供日が許可日 2026-01-01 より前です"),
    (GENERAL, {"day": AFTER}, L, "提供日に有効期限 2028-12-31 を過ぎています"),
    (GENERAL, {"item": "2の項(1)"}, L, "に 2の項(1) の アメリカ合衆国 向けの役務取引の許可はありません"),
    (
        replace(GENERAL, items=(ItemRange("1"),)),
        {"item": "1の項"},
        L,
        "一般包括・特別一般包括許可の対象外として扱います（未確認[U]",
    ),
    # Korea outside 別表第三 from 2019-08-28 to 2023-07-20
    (
        replace(GENERAL, granted=date(2019, 1, 1), expires=date(2021, 12, 31)),
        {"country": "韓国", "day": date(2019, 5, 1)},
        C,
        "TG-1",
    ),
    (
        replace(GENERAL, granted=date(2019, 1, 1), expires=date(2021, 12, 31)),
        {"country": "韓国", "day": date(2020, 5, 1)},
        L,
        "大韓民国 は提供日に別表第三にありません",
    ),
    # a bulk licence never with an inform, an End User List hit, or a WMD or military use
    (GENERAL, {"inform": "大量破壊兵器"}, L, "包括許可では提供できません"),
    (GENERAL, {"end_use": "軍事"}, L, "包括許可では提供できません"),
    (SPECIAL, {"country": "中国", "recipient": "WMD Lab"}, L, "包括許可では提供できません"),
    # 特別一般包括: never 別表第三の二 / 別表第四
    (SPECIAL, {"country": "中国"}, C, "特別一般包括許可 TS-1（役務取引"),
    (SPECIAL, {"country": "アフガニスタン"}, L, "別表第三の二・別表第四の国を対象にできませんが、アフガニスタン"),
    # 個別: destination, recipient, sub-item range, validity, value limit (a technology line has no value)
    (INDIVIDUAL, {"country": "中国"}, C, "個別許可 TI-1（役務取引、有効期限 2028-12-31）の対象です"),
    (INDIVIDUAL, {"country": "中国", "item": "7の項(2)", "recipient": "abc co., ltd."}, C, "個別許可 TI-1"),
    (INDIVIDUAL, {"country": "中国", "item": "7の項(3)"}, L, "項番 7の項(3) は許可の対象（7の項(1)～(2)）にありません"),
    (
        INDIVIDUAL,
        {"country": "中国", "recipient": "XYZ Corp."},
        L,
        "提供先が許可の提供先（ABC Co., Ltd.）と異なります",
    ),
    (
        INDIVIDUAL,
        {"country": "中国", "recipient": None},
        L,
        "許可は提供先（ABC Co., Ltd.）を特定していますが、行に提供先がありません",
    ),
    (INDIVIDUAL, {}, L, "提供先の国 アメリカ合衆国 は許可の仕向地にありません"),
    (INDIVIDUAL, {"country": "中国", "day": AFTER}, L, "提供日に有効期限 2028-12-31 を過ぎています"),
    (INDIVIDUAL, {"country": "中国", "inform": "大量破壊兵器"}, C, "個別許可 TI-1"),
    (replace(INDIVIDUAL, value=1_000_000.0), {"country": "中国"}, R, "行に金額がありません"),
    # the catch-all (16の項): only an individual licence naming the technology and the recipient
    (CATCH_ALL, {"country": "中国", "item": "16の項", "inform": "大量破壊兵器"}, C, "個別許可 TI-16（役務取引"),
    (
        CATCH_ALL,
        {"country": "中国", "item": "16の項", "end_use": "大量破壊兵器", "recipient": "XYZ Corp."},
        L,
        "提供先が許可の提供先（ABC Co., Ltd.）と異なります",
    ),
    (
        replace(CATCH_ALL, parties=()),
        {"country": "中国", "item": "16の項", "inform": "大量破壊兵器"},
        L,
        "技術と提供先を特定した個別の役務取引許可でなければ対象になりません",
    ),
    (
        replace(SPECIAL, items=(ItemRange("16"),)),
        {"country": "中国", "item": "16の項", "inform": "大量破壊兵器"},
        L,
        "技術と提供先を特定した個別の役務取引許可でなければ対象になりません",
    ),
    (
        replace(CATCH_ALL, countries=frozenset({"US"})),
        {"item": "16の項", "inform": "大量破壊兵器"},  # Group A with an inform: 25条2項
        C,
        "個別許可 TI-16",
    ),
]


@pytest.mark.parametrize("lic, line, code, text", CASES)
def test_coverage(eul_rules, lic, line, code, text):
    d = provide(eul_rules, [lic], **line)
    assert d.code is code, why(d)
    assert any(text in t for t in why(d)), why(d)
    blocking = [r for r in d.reasons if r.rule_id in ("TECH-LISTED",) or r.rule_id.startswith("TECH-CATCHALL-")]
    if code is C or code is R:  # covered: the requirement kept (met by the licence), the licence named
        assert d.reasons[0].rule_id in ("LICENCE-COVERED", "LICENCE-CHECK")
        assert d.licence is not None and d.licence["no"] == lic.no and d.licence["value"] is None
        assert blocking and all(r.severity is C for r in blocking if r.severity is not Code.NO_LICENSE)
        assert "外為法25条" in next(r.ref for r in d.reasons if r.rule_id == "LICENCE-COVERED")
    else:  # one reason per candidate, the requirement still 許可要
        assert d.licence is None
        assert any(r.severity is L for r in blocking)
        assert sum(r.rule_id in ("LICENCE-NOT-COVERED", "LICENCE-NONE") for r in d.reasons) == 1


def test_goods_and_technology_licences_never_cover_each_other(eul_rules):
    as_goods = replace(GENERAL, target="goods")
    d = provide(eul_rules, [as_goods])
    assert d.code is L and d.licence is None and why(d) == []  # no technology licence: nothing to name
    assert provide(eul_rules, [as_goods, GENERAL]).licence == {
        "no": "TG-1",
        "version": "2019-01-01",
        "value": None,
        "left": None,
        "quantity": None,
        "quantity_left": None,
        "quantity_limit": None,
        "quantity_unit": "",
    }
    goods = screen(
        "米国",
        "7の項(1)",
        end_user="ABC Co., Ltd.",
        end_use="民生",
        ship_date=VALID,
        rules=eul_rules.with_licences([Register(ALL_DAYS, (GENERAL,))]),
        today=VALID,
    )
    assert goods.code is L and goods.licence is None
    assert not any(r.rule_id == "LICENCE-COVERED" for r in goods.reasons)


def test_sanctions_and_a_prohibition_are_never_covered(eul_rules):
    lic = replace(INDIVIDUAL, group="all", items=(ItemRange("7"), ItemRange("2")))
    assert provide(eul_rules, [lic], country="ロシア").licence is None
    assert provide(eul_rules, [lic], country="北朝鮮").code is P
    d = provide(eul_rules, [lic], country="イラン", item="2の項(1)")
    assert d.code is P and d.licence is None


def test_every_destination_of_a_deemed_provision_by_one_licence(eul_rules):
    """A 特定類型 resident abroad: the provision country and the influencing country both apply ([U]: one licence
    naming both, the stricter reading); a destination not known: never covered."""
    deemed = {"country": "米国", "residency": "居住者", "specific_type": "1", "influence_country": "中国"}
    d = provide(eul_rules, [INDIVIDUAL], **deemed)
    assert d.code is L and any("提供先の国 アメリカ合衆国 は許可の仕向地にありません" in t for t in why(d)), why(d)
    both = replace(INDIVIDUAL, countries=frozenset({"CN", "US"}))
    assert provide(eul_rules, [both], **deemed).code is C
    us = replace(INDIVIDUAL, no="TI-US", countries=frozenset({"US"}))
    d = provide(eul_rules, [INDIVIDUAL, us], **deemed)
    assert d.code is L and d.licence is None
    assert any("すべてを対象とする1件の許可がありません" in t and "TI-1" in t and "TI-US" in t for t in why(d)), why(d)
    # a non-resident in Japan: the country the recipient belongs to
    in_japan = {"country": "日本", "residency": "非居住者", "influence_country": "中国"}
    assert provide(eul_rules, [INDIVIDUAL], **in_japan).code is C
    unknown = provide(eul_rules, [INDIVIDUAL], country="日本", residency="非居住者")
    assert unknown.code is L and unknown.licence is None and why(unknown) == []


def test_no_register_changes_nothing(eul_rules):
    for line in ({}, {"country": "中国"}, {"country": "中国", "item": "16の項", "inform": "大量破壊兵器"}):
        plain, empty = (
            screen_technology(
                country=line.get("country", "米国"),
                item=line.get("item", "7の項(1)"),
                residency="非居住者",
                recipient="ABC",
                inform=line.get("inform"),
                provision_date=VALID,
                rules=ruled,
                today=VALID,
            )
            for ruled in (eul_rules, eul_rules.with_licences([]))
        )
        assert plain == empty


def test_english_texts(eul_rules):
    d = provide(eul_rules, [GENERAL], country="中国", recipient="XYZ")
    (r,) = [r for r in d.reasons if r.rule_id == "LICENCE-NOT-COVERED"]
    assert r.en.startswith("not covered by general bulk licence TG-1 (technology): a general bulk licence")
    assert "China" in r.en and r.en.endswith("on the provision date")
    covered = provide(eul_rules, [GENERAL])
    assert covered.reasons[0].en.startswith("covered by general bulk licence TG-1 (technology, valid until 2028-12-31)")


def test_a_licence_never_hides_the_pre_report(eul_rules):
    """A covered line that is also a designated 重要管理対象技術 for manufacture abroad stays 事前報告要 (the scheme is
    independent of licensing), naming the licence."""
    d = provide(eul_rules, [INDIVIDUAL], country="中国", critical_tech="積層セラミックコンデンサ", purpose="合弁")
    assert d.code is Code.REPORT_REQUIRED and d.licence is not None and d.licence["no"] == "TI-1"
    assert d.reasons[0].rule_id == "TECH-PREREPORT-REQUIRED" and any(r.rule_id == "LICENCE-COVERED" for r in d.reasons)


@pytest.mark.parametrize(
    "line, code, text",
    [
        ({"part_no": "TN-1", "item": None}, C, "一般包括許可 TG-1"),
        ({"part_no": "TN-2", "item": None}, L, "品番が許可の品番（TN-1）にありません"),
        ({}, L, "許可は品番・技術番号（TN-1）に限られますが、行に品番がありません"),
    ],
)
def test_a_technology_licence_naming_its_parts(eul_rules, line, code, text):
    ruled = _master(eul_rules, ("TN-1", "非該当", "7の項(1)"), ("TN-2", "非該当", "7の項(1)"))
    d = provide(ruled, [replace(GENERAL, parts=("TN-1",))], **line)
    assert d.code is code and any(text in t for t in why(d)), why(d)
    assert provide(ruled, [GENERAL], **line).code is C
