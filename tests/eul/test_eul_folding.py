"""End User List names as clerks write them (issue 12 §1): each folding rule, on a small list of made-up entries."""

from __future__ import annotations

from datetime import date

import pytest

from exportscreen.eul import EndUserList, EulEntry, normalise
from exportscreen.eul.script import fold_variants


def _entry(no, country, name, aliases=(), concerns=("M",)):
    return EulEntry(no, country, country, name, tuple(aliases), frozenset(concerns))


@pytest.fixture(scope="module")
def eul():
    entries = (
        _entry(1, "CN", "BEIJING SHINY NIGHTS TECHNOLOGY DEVELOPMENT CO., LTD.\n(北京闪亮之夜科技发展有限公司)"),
        _entry(2, "CN", "Harbin Institute of Technology (HIT)\n(哈爾浜工業大学)"),
        _entry(3, "CN", "Changzhou Utek Composite Co., Limited.\n(常州联拓复合材料有限公司)"),
        _entry(4, "KP", "Pyongyang Trading Company\n(平壌貿易会社)"),
        _entry(5, "IR", "Tehran Raymand Electronics Company"),
        _entry(6, "CN", "Beijing University of Aeronautics and Astronautics (BUAA)"),
        _entry(7, "AE", "SAMAN TEJARAT BARMAN TRADINGCOMPANY"),
        _entry(8, "IR", "BAKHTAR RAAD SEPAHAN COMPANY", ["RADSEPAHAN"]),
        _entry(9, "RU", "Joint Stock Company Institute for Scientific Research Microelectronic Equipment Progress"),
        _entry(10, "PK", "National Engineering and Scientific Commission Research Centre"),
        _entry(11, "CN", "Dandong Haotong Commercial Trade Co. Ltd.\n(丹東浩通商貿有限公司)"),
        _entry(12, "KP", "Tanchon Commercial Bank\n(端川商業銀行)"),
        _entry(13, "SY", "Megatrade"),
    )
    return EndUserList(date(2026, 1, 1), date(2026, 1, 1), entries, "test.xlsx", "0" * 64)


def _found(eul, name, country=None):
    return {h.entry.no: h for h in eul.match(name, country)}


# --- 1. Chinese-character variants: simplified = traditional = Japanese shinjitai ---------------------------------
@pytest.mark.parametrize(
    "a,b",
    [
        ("发", "發"),
        ("发", "発"),
        ("兴", "興"),
        ("闪", "閃"),
        ("滨", "濱"),
        ("滨", "浜"),
        ("团", "団"),
        ("联", "連"),  # Japanese writes 連 for 聯 (連合)
        ("联", "聯"),
        ("广", "広"),
        ("气", "気"),
    ],
)
def test_character_variants_fold_to_one(a, b):
    assert fold_variants(a) == fold_variants(b)


def test_folding_is_character_by_character():
    """The first characters of a name fold as they do inside the whole name (no phrase tables)."""
    name = "北京閃亮之夜科技発展有限公司"
    assert fold_variants(name)[:6] == fold_variants(name[:6])
    assert fold_variants("髪") == fold_variants("發") == fold_variants("发")


@pytest.mark.parametrize(
    "query",
    [
        "北京闪亮之夜科技发展有限公司",  # simplified, as listed
        "北京閃亮之夜科技發展有限公司",  # traditional
        "北京閃亮之夜科技発展有限公司",  # Japanese
        "北京閃亮之夜科技発展株式会社",  # Japanese legal form
    ],
)
def test_a_name_in_any_form_matches_a_listing_in_another(eul, query):
    h = _found(eul, query, "CN")[1]
    assert h.kind == "hit" and h.score == 1.0
    if query != "北京闪亮之夜科技发展有限公司":
        assert "script_variant" in h.feature_ids


def test_japanese_form_of_a_simplified_listing(eul):
    h = _found(eul, "常州連拓複合材料有限公司", "CN")[3]  # 联 → 連, 复 → 複 as a Japanese clerk writes them
    assert h.kind == "hit"


# --- 2. the distinctive part of a Chinese-script name -----------------------------------------------------------
def test_chinese_name_cut_into_place_own_words_and_generic_words():
    n = normalise("北京閃亮之夜科技発展有限公司")
    assert n.cjk_lead == "beijing" and n.cjk_rest == "闪亮之夜科技发展" and n.cjk_kinds == "ccccgggg"
    assert n.distinctive == ("beijing", "闪亮之夜") and n.strong
    n = normalise("丹東浩通商貿有限公司")  # matched from the end: 浩通 商贸, not 浩 通商 贸
    assert n.full == "dandong 浩通 商贸"
    assert normalise("三河市戎邦光电设备股份有限公司").full == "sanhe 市 戎邦 光电 设备"


@pytest.mark.parametrize(
    "query,kind",
    [
        ("闪亮之夜", "hit"),  # its own words: all of them
        ("閃亮之夜科技", "hit"),  # first characters, Japanese forms, no city, no legal form
        ("闪亮之夜科技发展有限公司", "hit"),  # without the city
        ("北京闪亮之夜科技发展", "hit"),  # without the legal form
        ("闪亮之夜科技发展有限", "hit"),  # a legal form cut short
        ("北京闪亮", "possible"),  # half of its own words
        ("浩通商贸", "hit"),  # the name without 丹东
    ],
)
def test_first_characters_of_a_chinese_name(eul, query, kind):
    no = 11 if "浩通" in query else 1
    h = _found(eul, query, "CN").get(no)
    assert h is not None and h.kind == kind, (query, h)
    assert h.kind == "possible" or h.score >= 0.92


@pytest.mark.parametrize(
    "query", ["北京", "北京市", "北京有限公司", "有限公司", "科技发展", "北京科技发展有限公司", "闪"]
)
def test_places_legal_forms_and_generic_words_alone_never_match(eul, query):
    assert _found(eul, query, "CN") == {}


def test_two_characters_in_another_city_are_another_company(eul):
    assert 11 not in _found(eul, "上海浩通", "CN")
    assert 11 in _found(eul, "丹东浩通", "CN")


# --- 3. places in katakana (rules/eul_place_names.yaml) -----------------------------------------------------------
@pytest.mark.parametrize(
    "query,no",
    [
        ("ハルビン工業大学", 2),
        ("ハルピン工業大學", 2),
        ("ペキン閃亮之夜科技発展有限公司", 1),
        ("ピョンヤン貿易会社", 4),
        ("ピョンヤン・貿易会社", 4),
        ("チャンジョウ連拓複合材料有限公司", 3),
        ("タンチョン商業銀行", 12),  # a town that names the entity: read as its kanji
    ],
)
def test_katakana_places_reach_the_listing(eul, query, no):
    h = _found(eul, query).get(no)
    assert h is not None and h.kind == "hit", (query, h)
    assert "place_alias" in h.feature_ids


def test_katakana_places_read_as_one_word_in_any_script():
    assert (
        normalise("ハルビン工業大学").compact
        == normalise("哈爾浜工業大学").compact
        == normalise("哈尔滨工业大学").compact
    )
    assert normalise("テヘラン Raymand").distinctive == ("tehran", "raymand")
    assert normalise("ハルビン Institute of Technology").compact == normalise("Harbin Institute of Technology").compact
    # only a whole katakana word is a place: ハルビンスカヤ is not Harbin
    assert normalise("ハルビンスカヤ").full == "ハルビンスカヤ"


def test_latin_place_spellings():
    assert normalise("Peking University").compact == normalise("Beijing University").compact
    assert normalise("Teheran Raymand").compact == normalise("Tehran Raymand").compact


def test_katakana_place_with_latin_listing(eul):
    h = _found(eul, "テヘラン Raymand Electronics Company", "IR")[5]
    assert h.kind == "hit"


# --- 4. abbreviations, British spellings, words written together ------------------------------------------------
@pytest.mark.parametrize(
    "a,b",
    [
        ("Beijing Univ. of Aeronautics and Astronautics", "Beijing University of Aeronautics and Astronautics"),
        ("Harbin Inst. of Tech.", "Harbin Institute of Technology"),
        ("Zarvan Intl Trading", "Zarvan International Trading"),
        ("Zarvan Mfg. Co.", "Zarvan Manufacturing Company"),
        ("Zarvan Corp.", "Zarvan Corporation"),
        ("Zarvan Electronic Ind.", "Zarvan Electronic Industries"),
        ("Harbin Eng. Univ.", "Harbin Engineering University"),
        ("Natl Univ. of Defense Tech.", "National University of Defense Technology"),
        ("Zarvan Research Centre", "Zarvan Research Center"),
        ("Zarvan Organisation", "Zarvan Organization"),
        ("Zarvan Defence Industries", "Zarvan Defense Industries"),
        ("SAMAN TEJARAT BARMAN TRADINGCOMPANY", "Saman Tejarat Barman Trading Company"),
        ("Zarvan TRADINGLLC", "Zarvan Trading LLC"),
        ("Mirza ANDCO", "Mirza and Co"),
        ("Zarvan PAINTCOMPANY", "Zarvan Paint Company"),
        ("Golden STARCO", "Golden Star Co"),
    ],
)
def test_abbreviations_spellings_and_words_together_read_alike(a, b):
    assert normalise(a).compact == normalise(b).compact


@pytest.mark.parametrize("name", ["Megatrade", "Intertech", "Medialab", "Costco", "Rosoboronexport"])
def test_names_that_contain_generic_words_stay_whole(name):
    assert normalise(name).distinctive == (name.casefold(),)


@pytest.mark.parametrize(
    "query,no",
    [
        ("Beijing Univ. of Aeronautics & Astronautics", 6),
        ("NATIONAL ENGINEERING AND SCIENTIFIC COMMISSION RESEARCH CENTER", 10),
        ("Saman Tejarat Barman Trading Co.", 7),
        ("Saman Tejarat BarmanTrading Co.", 7),
        ("Bakhtar RaadSepahan Co", 8),  # two listed words written together
        ("Rad Sepahan", 8),  # a listed word (the alias RADSEPAHAN) written apart
        ("Mega Trade", 13),
        ("JSC Institute for Scientific Research Microelectronic Equipment PROGRESS", 9),
        ("Joint Stock COMPANYINSTITUTE for Scientific Research Microelectronic Equipment Progress", 9),
    ],
)
def test_abbreviated_and_run_together_queries_match(eul, query, no):
    h = _found(eul, query).get(no)
    assert h is not None and h.kind == "hit", (query, h)


def test_a_typo_of_a_british_spelling_reaches_the_listed_word(eul):
    h = _found(eul, "National Engineering and Scientific Commission Research Cantre").get(10)
    assert h is not None and h.kind == "hit"


def test_notes_say_which_folding_made_the_names_meet(eul):
    h = _found(eul, "Beijing Univ. of Aeronautics and Astronautics")[6]
    assert "abbreviation" in h.feature_ids
    note = next(f for f in h.features if f.id == "abbreviation")
    assert "univ＝university" in note.fact("pairs")
    h = _found(eul, "Saman Tejarat Barman TRADINGCOMPANY")[7]
    assert h.score == 1.0
