"""Fewer false alarms, by design (issue 12 §2): each rule, on a small list of made-up entries."""

from __future__ import annotations

from datetime import date

import pytest

from exportscreen.eul import EndUserList, EulEntry, normalise
from exportscreen.eul.normalise import is_acronym


def _entry(no, country, name, aliases=(), concerns=("M",)):
    return EulEntry(no, country, country, name, tuple(aliases), frozenset(concerns))


@pytest.fixture(scope="module")
def eul():
    entries = (
        _entry(1, "IR", "Electronic Components Industries"),
        _entry(2, "HK", "DULING TECHNOLOGY (HK) LIMITED\n(都灵科技香港有限公司)"),
        _entry(3, "AE", "Zarvan General Trading L.L.C."),
        _entry(4, "CN", "Nanjing University of Aeronautics and Astronautics (NUAA)"),
        _entry(5, "CN", "Beijing Tianhai Industry Co., Ltd.\n(北京天海工业有限公司)"),
        _entry(6, "AE", "Kestrel Optics FZE"),
        _entry(7, "RU", "OOO Intertech Instruments"),
        _entry(8, "KP", "Korea Rason Moran Company\n(朝鮮羅先牡丹会社)"),
    )
    return EndUserList(date(2026, 1, 1), date(2026, 1, 1), entries, "test.xlsx", "0" * 64)


def _everywhere(eul, name):
    """The hits of ``name`` screened to every country of the list (a name is a red flag wherever it goes)."""
    return [h for c in ("IR", "HK", "AE", "CN", "RU", "KP", None) for h in eul.match(name, c)]


@pytest.mark.parametrize(
    "name",
    [
        "Sakura Components Ltd.",  # shares only Components with No.1
        "Components",
        "Electronic Components",
        "Tokyo Electronics Trading Co., Ltd.",
        "Global Industries Group Holdings",
        "General Technology International",
        "Sakura Instruments (HK) Limited",  # Instruments with No.7, (HK) with No.2
        "Nagoya Optics Co., Ltd.",  # Optics with No.6
    ],
)
def test_common_words_never_match_on_their_own(eul, name):
    assert _everywhere(eul, name) == []


@pytest.mark.parametrize("code", ["HK", "LLC", "FZE", "JSC", "UAE", "PRC", "(HK)", "Pvt", "Ltd"])
def test_short_codes_are_no_names(eul, code):
    assert not is_acronym(code.strip("()"))
    assert _everywhere(eul, code) == []
    assert _everywhere(eul, f"Sakura Trading {code}") == []
    assert _everywhere(eul, f"Sakura Trading ({code}) Limited") == []


def test_a_bracketed_place_code_alone_is_no_match(eul):
    assert _everywhere(eul, "ABC Trading (HK) Limited") == []
    assert eul.match("Duling Technology (HK) Limited", "HK")[0].entry.no == 2  # the listed name still is


def test_words_the_listing_does_not_explain_lower_the_score(eul):
    """Zarvan Fashion Boutique shares the listed name's only distinctive word, but two of its own words are not
    in the listing: that costs as much as listed words missing from the query."""
    listed = eul.match("Zarvan General Trading", "AE")[0]
    assert listed.kind == "hit" and listed.score == 1.0
    assert all(h.kind != "hit" for h in eul.match("Zarvan Fashion Boutique", "AE"))
    assert eul.match("Zarvan Fashion Boutique International", "AE") == ()
    h = eul.match("Zarvan Fashion", "AE")
    assert not h or (h[0].kind == "possible" and "query_extra" in h[0].feature_ids)


def test_another_place_is_another_organisation(eul):
    assert all(h.entry.no != 4 for h in eul.match("Beijing University of Aeronautics and Astronautics", "CN"))
    h = eul.match("Nanjing Univ. of Aeronautics & Astronautics", "CN")[0]
    assert h.entry.no == 4 and h.kind == "hit"


def test_a_short_chinese_name_in_another_city_or_alone(eul):
    assert all(h.entry.no != 5 for h in _everywhere(eul, "上海天海科技有限公司"))
    assert all(h.kind != "hit" for h in _everywhere(eul, "天海"))
    assert all(h.kind != "hit" for h in _everywhere(eul, "牡丹株式会社"))


def test_surnames_one_letter_from_a_listed_word_are_no_hit(eul):
    """Short words are reached by one typo at most, and weigh their similarity in full: Morgan is not Moran."""
    for name in ("Morgan LLC", "Martin PLC", "Castro Components LLC", "Dennis Technology LLC"):
        assert all(h.kind != "hit" for h in _everywhere(eul, name)), name


def test_generic_only_names_match_only_as_written(eul):
    assert normalise("Electronic Components Industries").generic_only
    h = eul.match("ELECTRONIC COMPONENTS INDUSTRIES CO.", "IR")[0]
    assert h.entry.no == 1 and h.kind == "possible" and "generic_only" in h.feature_ids
