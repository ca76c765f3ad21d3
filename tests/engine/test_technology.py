"""Technology lines (役務取引・みなし輸出, 外為法25条) and the pre-report scheme (外為法55条の8), one row per cell of
issue 16 §2 and §3, each with the legal point it tests (technology-and-licences.md §A, §B), then properties.

Recipients: '' = not given; 'Clean Co' = on no list; 'WMD Lab' = EUL hit (N); 'Arms Works' = EUL hit (CW);
'Maybe Corp' = a possible hit (conftest.StubList). TODAY is after the pre-report scheme began (2024-12-30).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen.engine import screen, screen_technology
from exportscreen.model import Code
from exportscreen.technology import TECH_FIELDS

TODAY = date(2026, 11, 25)
L, N, R, P, X, E = (
    Code.LICENSE_REQUIRED,
    Code.NO_LICENSE,
    Code.REVIEW,
    Code.PROHIBITED,
    Code.INVALID,
    Code.REPORT_REQUIRED,
)
# the use and user facts of a clean line, and no designated critical technology (告示178号)
CLEAN = {"recipient": "Clean Co", "end_use": "民生", "critical_tech": "なし"}
ABROAD = {"residency": "非居住者"}

# (id, fields, expected code, rule id that must appear)
CASES = [
    # --- who: provision to a resident in Japan of no 特定類型 is not controlled (25条1項 covers provision abroad or
    # to a non-resident; 役務通達 1(3)サ)
    (
        "resident-JP",
        {"country": "JP", "residency": "居住者", "specific_type": "なし", "item": "7の項(1)"},
        N,
        "TECH-DOMESTIC-RESIDENT",
    ),
    (
        "resident-JP-16",
        {"country": "日本", "residency": "居住者", "specific_type": "なし", "item": "16の項"},
        N,
        "TECH-DOMESTIC-RESIDENT",
    ),
    (
        "resident-JP-type-missing",
        {"country": "JP", "residency": "居住者", "item": "16の項", **CLEAN},
        R,
        "TECH-SPECIFIC-TYPE-UNKNOWN",
    ),
    ("residency-missing-JP", {"country": "JP", "item": "16の項", **CLEAN}, R, "TECH-RESIDENCY-UNKNOWN"),
    ("residency-missing-JP-listed", {"country": "JP", "item": "7の項(1)"}, L, "TECH-RESIDENCY-UNKNOWN"),
    # みなし輸出: a 特定類型 resident is treated as a non-resident of the influencing country
    (
        "deemed-CN-16-clean",
        {
            "country": "JP",
            "residency": "居住者",
            "specific_type": "①",
            "influence_country": "中国",
            "item": "16の項",
            **CLEAN,
        },
        N,
        "TECH-SPECIFIC-TYPE",
    ),
    (
        "deemed-CN-16-military",
        {
            "country": "JP",
            "residency": "居住者",
            "specific_type": "2",
            "influence_country": "中国",
            "item": "16の項",
            "recipient": "Clean Co",
            "end_use": "軍事",
        },
        L,
        "TECH-CATCHALL-conventional_use",
    ),
    (
        "deemed-US-16",
        {
            "country": "JP",
            "residency": "居住者",
            "specific_type": "③",
            "influence_country": "米国",
            "item": "16の項",
            **CLEAN,
        },
        N,
        "TECH-CATCHALL-GROUP-A",
    ),
    (
        "deemed-listed",
        {"country": "JP", "residency": "居住者", "specific_type": "1", "influence_country": "米国", "item": "3の項(1)"},
        L,
        "TECH-LISTED",
    ),
    (
        "deemed-influence-missing",
        {"country": "JP", "residency": "居住者", "specific_type": "1", "item": "16の項", **CLEAN},
        R,
        "TECH-INFLUENCE-UNKNOWN",
    ),
    (
        "nonresident-in-JP",
        {
            "country": "JP",
            "residency": "非居住者",
            "influence_country": "中国",
            "item": "16の項",
            "recipient": "WMD Lab",
            "end_use": "民生",
        },
        L,
        "TECH-CATCHALL-wmd_user",
    ),
    (
        "nonresident-in-JP-country-missing",
        {"country": "JP", "residency": "非居住者", "item": "16の項", **CLEAN},
        R,
        "TECH-INFLUENCE-UNKNOWN",
    ),
    # --- 外為令別表 1–15: a licence to every destination (25条1項; 外為令17条1項), no small-value exemption
    ("listed-groupA", {"country": "米国", **ABROAD, "item": "7の項(1)"}, L, "TECH-LISTED"),
    ("listed-general", {"country": "中国", **ABROAD, "item": "7の項(3)"}, L, "TECH-LISTED"),
    ("listed-item1", {"country": "英国", **ABROAD, "item": "1の項"}, L, "TECH-LISTED"),
    ("listed-abroad-resident", {"country": "ドイツ", "residency": "居住者", "item": "2の項(2)"}, L, "TECH-LISTED"),
    ("listed-email", {"country": "中国", **ABROAD, "item": "7の項(1)", "method": "メール"}, L, "TECH-ACT"),
    ("listed-media", {"country": "中国", **ABROAD, "item": "7の項(1)", "method": "USB"}, L, "TECH-ACT"),
    ("listed-eul-note", {"country": "中国", **ABROAD, "item": "7の項(1)", "recipient": "WMD Lab"}, L, "EUL-HIT-LISTED"),
    ("deleted-sub-item", {"country": "米国", **ABROAD, "item": "5の項(6)"}, R, "TECH-ITEM-DELETED"),
    ("deleted-sub-item-15", {"country": "米国", **ABROAD, "item": "15の項(2)"}, R, "TECH-ITEM-DELETED"),
    # --- exemptions (外為令17条8項 → 貿易外省令9条2項), their marks, their limits (not_for: stricter reading)
    ("exempt-public", {"country": "中国", **ABROAD, "item": "7の項(1)", "exemption": "公知"}, N, "TECH-EXEMPTION"),
    (
        "exempt-basic-research",
        {"country": "中国", **ABROAD, "item": "16の項", "exemption": "基礎研究"},
        N,
        "TECH-EXEMPTION",
    ),
    (
        "exempt-mass-market-not-9",
        {"country": "中国", **ABROAD, "item": "9の項(1)", "exemption": "市販"},
        L,
        "TECH-EXEMPTION-NOT-FOR",
    ),
    (
        "exempt-minimum-use-not-1",
        {"country": "米国", **ABROAD, "item": "1の項", "exemption": "minimum-use"},
        L,
        "TECH-EXEMPTION-NOT-FOR",
    ),
    (
        "exempt-minimum-use-7",
        {"country": "米国", **ABROAD, "item": "7の項(2)", "exemption": "最小限"},
        N,
        "TECH-EXEMPTION",
    ),
    # --- 16の項 technology: Group A → only an inform (25条2項; 外為令17条2項)
    ("16-groupA", {"country": "米国", **ABROAD, "item": "16の項"}, N, "TECH-CATCHALL-GROUP-A"),
    (
        "16-groupA-wmd-use",
        {"country": "米国", **ABROAD, "item": "16の項", "end_use": "大量破壊兵器"},
        N,
        "TECH-CATCHALL-GROUP-A",
    ),
    (
        "16-groupA-inform",
        {"country": "米国", **ABROAD, "item": "16の項", "inform": "通常兵器"},
        L,
        "TECH-CATCHALL-GROUP-A-INFORM",
    ),
    # other destinations: WMD use/user/inform, conventional use/user/inform ([U] stricter reading for "other")
    ("16-general-clean", {"country": "中国", **ABROAD, "item": "16の項", **CLEAN}, N, "TECH-CATCHALL-CLEAR"),
    (
        "16-general-wmd-use",
        {"country": "中国", **ABROAD, "item": "16の項", "recipient": "Clean Co", "end_use": "大量破壊兵器"},
        L,
        "TECH-CATCHALL-wmd_use",
    ),
    (
        "16-general-conv-use",
        {"country": "ベトナム", **ABROAD, "item": "16の項", "recipient": "Clean Co", "end_use": "軍事"},
        L,
        "TECH-CATCHALL-conventional_use",
    ),
    (
        "16-general-wmd-user",
        {"country": "中国", **ABROAD, "item": "16の項", "recipient": "WMD Lab", "end_use": "民生"},
        L,
        "TECH-CATCHALL-wmd_user",
    ),
    (
        "16-general-cw-user",
        {"country": "中国", **ABROAD, "item": "16の項", "recipient": "Arms Works", "end_use": "民生"},
        L,
        "TECH-CATCHALL-conventional_user",
    ),
    (
        "16-general-possible",
        {"country": "中国", **ABROAD, "item": "16の項", "recipient": "Maybe Corp", "end_use": "民生"},
        R,
        "TECH-CATCHALL-USER-POSSIBLE",
    ),
    (
        "16-general-inform-wmd",
        {"country": "中国", **ABROAD, "item": "16の項", **CLEAN, "inform": "大量破壊兵器"},
        L,
        "TECH-CATCHALL-inform_wmd",
    ),
    (
        "16-general-use-unknown",
        {"country": "中国", **ABROAD, "item": "16の項", "recipient": "Clean Co"},
        R,
        "TECH-CATCHALL-USE-UNKNOWN",
    ),
    (
        "16-general-user-missing",
        {"country": "中国", **ABROAD, "item": "16の項", "end_use": "民生"},
        R,
        "TECH-CATCHALL-USER-UNCHECKED",
    ),
    (
        "16-un-embargo-conv-use",
        {"country": "アフガニスタン", **ABROAD, "item": "16の項", "recipient": "Clean Co", "end_use": "軍事"},
        L,
        "TECH-CATCHALL-conventional_use",
    ),
    ("16-sub-label", {"country": "中国", **ABROAD, "item": "16の項(2)", **CLEAN}, N, "TECH-ITEM-16-SUB"),
    # non-listed technology: the HS of the goods it is for decides whether it is 16の項 (外為令別表16; 省令28条)
    (
        "nlr-hs-in-scope",
        {"country": "中国", **ABROAD, "item": "非該当", "hs": "8458.11", "recipient": "WMD Lab", "end_use": "民生"},
        L,
        "TECH-CATCHALL-wmd_user",
    ),
    (
        "nlr-hs-out-of-scope",
        {"country": "中国", **ABROAD, "item": "非該当", "hs": "0901.11", **CLEAN},
        N,
        "TECH-NOT-CONTROLLED",
    ),
    ("nlr-hs-missing", {"country": "中国", **ABROAD, "item": "非該当", **CLEAN}, R, "TECH-HS-MISSING"),
    # --- sanctions overlays read for technology
    ("kp-prohibited", {"country": "北朝鮮", **ABROAD, "item": "非該当", "hs": "0901.11"}, P, "TECH-SANCTION-KP-ALL"),
    ("ru-listed", {"country": "ロシア", **ABROAD, "item": "7の項(1)"}, P, "TECH-SANCTION-RU-LISTED"),
    ("ru-other", {"country": "ロシア", **ABROAD, "item": "16の項", **CLEAN}, R, "TECH-SANCTION-RU-OTHER"),
    ("by-listed", {"country": "ベラルーシ", **ABROAD, "item": "9の項(1)"}, P, "TECH-SANCTION-BY-LISTED"),
    ("ir-wmd", {"country": "イラン", **ABROAD, "item": "2の項(1)"}, P, "TECH-SANCTION-IR-WMD"),
    (
        "deemed-kp",
        {
            "country": "JP",
            "residency": "居住者",
            "specific_type": "③",
            "influence_country": "北朝鮮",
            "item": "非該当",
            "hs": "0901.11",
        },
        P,
        "TECH-SANCTION-KP-ALL",
    ),
    # --- the pre-report scheme (外為法55条の8; 外為令18条の8; 告示178号): 事前報告要 until the report date is given
    (
        "prereport-jv",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "MLCC",
            "purpose": "合弁",
        },
        E,
        "TECH-PREREPORT-REQUIRED",
    ),
    (
        "prereport-subsidiary-review",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            "critical_tech": "CT10",
            "purpose": "subsidiary",
        },
        E,
        "TECH-PREREPORT-REQUIRED",
    ),
    (
        "prereport-licensing",
        {
            "country": "ベトナム",
            **ABROAD,
            "item": "非該当",
            "hs": "3707.10",
            **CLEAN,
            "critical_tech": "フォトレジスト",
            "purpose": "ライセンス",
        },
        E,
        "TECH-PREREPORT-REQUIRED",
    ),
    (
        "prereport-listed-stays-licence",
        {"country": "中国", **ABROAD, "item": "7の項(1)", "critical_tech": "SAW", "purpose": "製造委託"},
        L,
        "TECH-PREREPORT-REQUIRED",
    ),
    (
        "prereport-reported",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "MLCC",
            "purpose": "合弁",
            "report_date": "2026-10-01",
        },
        N,
        "TECH-PREREPORT-DONE",
    ),
    (
        "prereport-reported-after",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "MLCC",
            "purpose": "合弁",
            "report_date": "2026-12-01",
        },
        R,
        "TECH-PREREPORT-LATE",
    ),
    (
        "prereport-group-a",
        {"country": "米国", **ABROAD, "item": "非該当", "hs": "8532.24", "critical_tech": "MLCC", "purpose": "合弁"},
        N,
        "TECH-PREREPORT-GROUP-A",
    ),
    (
        "prereport-excluded",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            "critical_tech": "MLCC",
            "purpose": "合弁",
            "exemption": "公知",
        },
        N,
        "TECH-PREREPORT-EXCLUDED",
    ),
    (
        "prereport-patent-not-excluded",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            "critical_tech": "MLCC",
            "purpose": "合弁",
            "exemption": "特許出願",
        },
        E,
        "TECH-PREREPORT-REQUIRED",
    ),
    (
        "prereport-purpose-missing",
        {"country": "中国", **ABROAD, "item": "非該当", "hs": "8532.24", **CLEAN, "critical_tech": "MLCC"},
        R,
        "TECH-PREREPORT-PURPOSE-UNKNOWN",
    ),
    (
        "prereport-not-manufacture",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "MLCC",
            "purpose": "なし",
        },
        N,
        "TECH-PREREPORT-NOT-MANUFACTURE",
    ),
    (
        "prereport-tech-missing",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": None,
            "purpose": "合弁",
        },
        R,
        "TECH-PREREPORT-TECH-UNKNOWN",
    ),
    (
        "prereport-facts-missing",
        {"country": "中国", **ABROAD, "item": "非該当", "hs": "8532.24", **CLEAN, "critical_tech": None},
        R,
        "TECH-PREREPORT-FACTS-MISSING",
    ),
    (
        "prereport-not-for-manufacture-abroad",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": None,
            "purpose": "なし",
        },
        N,
        "TECH-CATCHALL-CLEAR",
    ),
    (
        "prereport-not-in-list",
        {
            "country": "中国",
            **ABROAD,
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "全固体電池",
            "purpose": "合弁",
        },
        R,
        "TECH-PREREPORT-NOT-LISTED",
    ),
    (
        "prereport-deemed",
        {
            "country": "JP",
            "residency": "居住者",
            "specific_type": "1",
            "influence_country": "中国",
            "item": "非該当",
            "hs": "8532.24",
            **CLEAN,
            "critical_tech": "MLCC",
            "purpose": "合弁",
        },
        E,
        "TECH-PREREPORT-REQUIRED",
    ),
    # --- input that cannot be screened: 入力エラー naming the field
    ("x-country", {"country": "Atlantis", "item": "7の項(1)"}, X, "INPUT-COUNTRY"),
    ("x-item", {"country": "中国", "item": "ネジ"}, X, "INPUT-ITEM"),
    ("x-item-placeholder", {"country": "中国", "item": "確認中"}, X, "INPUT-ITEM"),
    ("x-sub", {"country": "中国", "item": "7の項(9)"}, X, "INPUT-ITEM"),
    ("x-residency", {"country": "中国", "item": "7の項(1)", "residency": "たぶん"}, X, "INPUT-RESIDENCY"),
    ("x-type", {"country": "JP", "item": "7の項(1)", "specific_type": "④"}, X, "INPUT-SPECIFIC_TYPE"),
    (
        "x-influence",
        {"country": "JP", "item": "7の項(1)", "influence_country": "Atlantis"},
        X,
        "INPUT-INFLUENCE_COUNTRY",
    ),
    ("x-method", {"country": "中国", "item": "7の項(1)", "method": "伝書鳩"}, X, "INPUT-METHOD"),
    ("x-exemption", {"country": "中国", "item": "7の項(1)", "exemption": "なんとなく"}, X, "INPUT-EXEMPTION"),
    ("x-purpose", {"country": "中国", "item": "7の項(1)", "purpose": "観光"}, X, "INPUT-PURPOSE"),
    ("x-report-date", {"country": "中国", "item": "7の項(1)", "report_date": "2026-13-01"}, X, "INPUT-REPORT_DATE"),
    (
        "x-provision-date",
        {"country": "中国", "item": "7の項(1)", "provision_date": "2018-01-01"},
        X,
        "INPUT-PROVISION_DATE",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_technology_decision_table(case, eul_rules):
    _id, fields, expected, rule = case
    d = screen_technology(**fields, rules=eul_rules, today=TODAY)
    assert d.code == expected, d.reason_text()
    assert rule in {r.rule_id for r in d.reasons}, d.reason_text()
    assert d.reasons[0].severity == d.code
    assert all(r.ref and r.ja and r.en for r in d.reasons)
    if d.code != X:
        assert d.item is not None and d.item["kind"] == "technology"


def test_prereport_reason_cites_the_law_and_the_penalty(eul_rules):
    d = screen_technology(
        "中国", item="非該当", hs="8532.24", critical_tech="CT01", purpose="合弁", rules=eul_rules, today=TODAY
    )
    (r,) = [r for r in d.reasons if r.rule_id == "TECH-PREREPORT-REQUIRED"]
    assert "外為法55条の8" in r.ref and "外為令18条の8" in r.ref and "71条9号" in r.ref
    assert "50万円" in r.ja and "契約" in r.ja
    assert d.label == "事前報告要" and d.to_dict("en")["label"] == "Prior report required"


def test_prereport_before_the_scheme_began(eul_rules):
    d = screen_technology(
        "中国",
        item="非該当",
        hs="8532.24",
        recipient="Clean Co",
        end_use="民生",
        critical_tech="MLCC",
        purpose="合弁",
        provision_date="2024-12-01",
        rules=eul_rules,
        today=TODAY,
    )
    assert d.as_of == date(2024, 12, 1)
    assert d.code == N and not any(r.rule_id.startswith("TECH-PREREPORT") for r in d.reasons)


def test_report_required_ranks_between_licence_and_review():
    assert Code.REVIEW.severity < Code.REPORT_REQUIRED.severity < Code.LICENSE_REQUIRED.severity


def test_listed_names_the_25_3_act_and_no_small_value(eul_rules):
    d = screen_technology("中国", item="7の項(1)", method="データ送信", rules=eul_rules, today=TODAY)
    text = d.reason_text()
    assert "少額特例はありません" in text and "25条3項" in text and "送信" in text


def test_memoised_and_pure(eul_rules):
    a = screen_technology(
        "中国", item="16の項", recipient="Clean Co", end_use="民生", critical_tech="なし", rules=eul_rules, today=TODAY
    )
    assert a.code == N
    b = screen_technology(
        "中国",
        "Clean Co",
        None,
        None,
        None,
        "16の項",
        None,
        None,
        None,
        None,
        "民生",
        "なし",
        rules=eul_rules,
        today=TODAY,
    )
    assert a is b
    with pytest.raises(TypeError):
        screen_technology("中国", nonsense=1, rules=eul_rules, today=TODAY)


def test_goods_decisions_unaffected(eul_rules):
    """The goods engine never says 事前報告要."""
    d = screen("中国", "非該当", hs="8532.24", end_user="Clean Co", end_use="民生", rules=eul_rules, today=TODAY)
    assert d.code == N


# ---------------------------------------------------------------- properties

_TEXT = st.sampled_from([None, "", "不明", "TBD"])
_line = st.fixed_dictionaries(
    {
        "country": st.sampled_from(["JP", "米国", "中国", "アフガニスタン", "イラン", "ロシア", "ベトナム"]),
        "recipient": st.sampled_from([None, "Clean Co", "WMD Lab", "Arms Works", "Maybe Corp", "不明"]),
        "residency": st.sampled_from([None, "居住者", "非居住者", "不明"]),
        "specific_type": st.sampled_from([None, "なし", "1", "2", "3", "不明"]),
        "influence_country": st.sampled_from([None, "中国", "米国", "JP"]),
        "item": st.sampled_from(["非該当", "16の項", "7の項(1)", "5の項(6)", "1の項", "9の項(1)"]),
        "hs": st.sampled_from([None, "8458.11", "0901.11", "8532.24"]),
        "method": st.sampled_from([None, "メール", "口頭", "媒体の持出し"]),
        "exemption": st.sampled_from([None, "公知", "市販", "最小限", "特許出願"]),
        "inform": st.sampled_from([None, "なし", "大量破壊兵器", "通常兵器"]),
        "end_use": st.sampled_from([None, "民生", "軍事", "大量破壊兵器", "不明"]),
        "critical_tech": st.sampled_from([None, "なし", "MLCC", "全固体電池"]),
        "purpose": st.sampled_from([None, "なし", "合弁", "ライセンス"]),
        "report_date": st.sampled_from([None, "2026-10-01"]),
    }
)


@settings(max_examples=400, deadline=None)
@given(line=_line)
def test_no_licence_only_with_every_fact_that_matters(line, eul_rules):
    """A 許可不要 line has a reason that says why, and the facts that reason rests on were given."""
    d = screen_technology(**line, rules=eul_rules, today=TODAY)
    if d.code != N:
        return
    ids = {r.rule_id for r in d.reasons}
    assert ids & {
        "TECH-DOMESTIC-RESIDENT",
        "TECH-EXEMPTION",
        "TECH-CATCHALL-GROUP-A",
        "TECH-CATCHALL-CLEAR",
        "TECH-NOT-CONTROLLED",
    }, d.reason_text()
    # the facts each of those rests on were given
    if "TECH-DOMESTIC-RESIDENT" in ids:
        assert line["residency"] == "居住者" and line["specific_type"] == "なし"
    if "TECH-CATCHALL-CLEAR" in ids:
        assert line["end_use"] in ("民生", "軍事", "大量破壊兵器") and line["recipient"] not in (None, "不明")
    if line["item"] == "非該当" and "TECH-EXEMPTION" not in ids and "TECH-DOMESTIC-RESIDENT" not in ids:
        assert line["hs"] is not None


@settings(max_examples=300, deadline=None)
@given(
    line=_line,
    missing=st.sampled_from(["residency", "specific_type", "recipient", "end_use", "hs", "purpose", "critical_tech"]),
)
def test_a_missing_fact_never_yields_no_licence_where_it_mattered(line, missing, eul_rules):
    """Blanking one fact of a line never turns a stricter decision into 許可不要. (Residency and 特定類型 are asked
    about for a provision in Japan; abroad the provision is controlled whoever receives it, so there a blank one
    rightly drops the deemed-export reading.)"""
    if missing in ("residency", "specific_type"):
        line = {**line, "country": "JP"}
    full = screen_technology(**line, rules=eul_rules, today=TODAY)
    blanked = screen_technology(**{**line, missing: None}, rules=eul_rules, today=TODAY)
    if full.code not in (N, X) and blanked.code == N:
        pytest.fail(f"{missing} blanked: {full.code} → 許可不要\n{blanked.reason_text()}")


@settings(max_examples=300, deadline=None)
@given(line=_line, kind=st.sampled_from(["1", "2", "3", "①", "特定類型②"]))
def test_a_specific_type_resident_is_never_a_domestic_resident(line, kind, eul_rules):
    d = screen_technology(**{**line, "residency": "居住者", "specific_type": kind}, rules=eul_rules, today=TODAY)
    assert "TECH-DOMESTIC-RESIDENT" not in {r.rule_id for r in d.reasons}


def test_fields_are_the_engine_contract():
    assert TECH_FIELDS[:3] == ("country", "recipient", "residency") and "report_date" in TECH_FIELDS


@pytest.mark.parametrize(
    "exemption, marks",
    [("公知", "貿易外省令9条2項9号 [S]"), ("市販", "号[U]・内容[S]")],  # one mark when both agree, else both named
)
def test_an_exemption_cites_its_clause_with_its_verification_marks(eul_rules, exemption, marks):
    d = screen_technology("中国", **ABROAD, item="16の項", exemption=exemption, rules=eul_rules, today=TODAY)
    refs = [r.ref for r in d.reasons if r.rule_id.startswith("TECH-EXEMPTION")]
    assert refs and marks in refs[0] and "[S][S]" not in refs[0]


@pytest.mark.parametrize(
    "fields, ja, en",
    [
        ({"country": "Atlantis"}, "提供先の国「Atlantis」が見つかりません", "unknown country of provision 'Atlantis'"),
        (
            {"country": "日本", "residency": "居住者", "specific_type": "1", "influence_country": "0"},
            "影響を及ぼす国「0」が見つかりません",
            "unknown influencing country '0'",
        ),
    ],
)
def test_a_bad_country_is_named_by_the_cell_it_was_given_in(eul_rules, fields, ja, en):
    d = screen_technology(item="16の項", **fields, rules=eul_rules, today=TODAY)
    assert d.code is Code.INVALID and ja in d.reason_text("ja") and en in d.reason_text("en")
