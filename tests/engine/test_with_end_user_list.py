"""Decisions for catch-all goods when the buyer is on METI's End User List (issue 5 §3), with the list imported
from the reference reconstruction of the 2025-09-29 workbook (read in place from ../shared/reference)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import SHARED

from exportscreen.engine import screen
from exportscreen.model import Code

EUL_XLSX = SHARED / "reference" / "eul-2025-09-29-layout.xlsx"
pytestmark = pytest.mark.skipif(not EUL_XLSX.exists(), reason="shared reference End User List not available")
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def real(rules, tmp_path_factory):
    from exportscreen.eul import import_list

    eul = import_list(
        EUL_XLSX, list_date=date(2025, 9, 29), effective=date(2025, 10, 9), home=tmp_path_factory.mktemp("eulhome")
    )
    return rules.with_eul([eul]), eul


def _entry(eul, *, wmd: bool, cw: bool, country: str):
    return next(
        e
        for e in eul.entries
        if e.wmd == wmd and e.cw == cw and e.country == country and len(e.name) > 12 and "\n" not in e.name
    )


def test_wmd_listed_buyer_general_destination_needs_licence(real):
    r, eul = real
    e = _entry(eul, wmd=True, cw=False, country="PK")
    d = screen("パキスタン", "非該当", hs="3926.90", end_user=e.name.upper(), end_use="民生", rules=r, today=TODAY)
    assert d.code == Code.LICENSE_REQUIRED
    reason = next(x for x in d.reasons if x.rule_id == "CATCHALL-WMD-USER")
    assert f"No.{e.no}" in reason.ja and "スコア" in reason.ja
    assert d.eul_version == eul.version and "+EUL2025-09-29" in d.rules_version


def test_cw_only_buyer_matters_for_16_1_not_16_2_to_a_general_destination(real):
    r, eul = real
    e = _entry(eul, wmd=False, cw=True, country="RU")
    kw = dict(end_user=e.name, end_use="民生", rules=r, today=TODAY)
    # Russia adds its sanctions review; compare the catch-all reasons only.
    c1 = screen("ロシア", "非該当", hs="8458.11", **kw)
    c2 = screen("ロシア", "非該当", hs="3926.90", **kw)
    assert "CATCHALL-CONV-USER" in {x.rule_id for x in c1.reasons} and c1.code == Code.LICENSE_REQUIRED
    assert "CATCHALL-CONV-USER" not in {x.rule_id for x in c2.reasons} and "EUL-CW-NA" in {
        x.rule_id for x in c2.reasons
    }


def test_group_a_hit_is_information_only(real):
    r, eul = real
    e = _entry(eul, wmd=True, cw=False, country="IR")
    d = screen("ドイツ", "非該当", hs="8458.11", end_user=e.name, rules=r, today=TODAY)
    assert d.code == Code.NO_LICENSE and "EUL-HIT-GROUP-A" in {x.rule_id for x in d.reasons}
    d = screen("ドイツ", "非該当", hs="8458.11", end_user=e.name, inform="wmd", rules=r, today=TODAY)
    assert d.code == Code.LICENSE_REQUIRED


def test_listed_goods_carry_the_hit_in_their_reasons(real):
    r, eul = real
    e = _entry(eul, wmd=True, cw=False, country="CN")
    d = screen("中国", "7の項(1)", end_user=e.name, rules=r, today=TODAY)
    assert d.code == Code.LICENSE_REQUIRED and "EUL-HIT-LISTED" in {x.rule_id for x in d.reasons}


def test_unlisted_buyer_clears_and_list_before_its_effective_date_is_not_used(real):
    r, _ = real
    d = screen(
        "タイ", "非該当", hs="8458.11", end_user="Siam Precision Lathe Co., Ltd.", end_use="民生", rules=r, today=TODAY
    )
    assert d.code == Code.NO_LICENSE
    d = screen(
        "タイ",
        "非該当",
        hs="8458.11",
        end_user="Siam Precision Lathe Co., Ltd.",
        end_use="民生",
        ship_date="2025-10-08",
        rules=r,
        today=TODAY,
    )
    assert d.code == Code.REVIEW and any("外国ユーザーリスト" in x.ja for x in d.reasons)


def test_possible_hit_is_review(real):
    r, eul = real
    e = next(e for e in eul.entries if e.wmd and len(e.name.split()) >= 4 and "\n" not in e.name and e.country == "IR")
    words = e.name.split()
    typo = " ".join(words[:-1] + [words[-1][:-2] + words[-1][-1]])  # one letter dropped near the end
    hits = eul.match(typo, "IR")
    assert hits and hits[0].entry.no == e.no
    d = screen("イラン", "非該当", hs="3926.90", end_user=typo, end_use="民生", rules=r, today=TODAY)
    expected = Code.LICENSE_REQUIRED if hits[0].kind == "hit" else Code.REVIEW
    assert d.code == expected
