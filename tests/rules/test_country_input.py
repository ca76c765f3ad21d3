"""Country input (issue 10, part 4): suggestions never cross a border that matters, Korea is asked, Japan is not
an export, and the engine and the End User List importer resolve countries through the one table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from exportscreen.engine import (
    SUGGEST_GUARD,
    SUGGEST_MIN_LEN,
    SUGGEST_SCORE,
    lookup_country,
    lookup_destination,
    screen,
    suggest_country,
)
from exportscreen.eul.countries import name_en, name_ja, to_iso2
from exportscreen.ids import InvalidInput
from exportscreen.ids.text import fold
from exportscreen.model import Code
from exportscreen.rules import RulesError, bundled, country_names, load

TODAY = date(2026, 11, 25)
RULES = bundled()
EUL_XLSX = SHARED / "reference" / "eul-2025-09-29-layout.xlsx"
SETTINGS = settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def _ever(periods) -> bool:
    """A membership on some day the rules cover."""
    return any(p.valid_to is None or p.valid_to > RULES.coverage_from for p in periods)


def group(iso2: str) -> tuple[bool, bool, bool, bool]:
    """The coarse standing of the issue, computed here independently of the engine: (Group A, 別表第三の二,
    別表第四, sanctioned by an overlay) on some covered day; all False: another country."""
    lists = RULES.lists
    return (
        _ever(lists["group_a"].members.get(iso2, ())),
        _ever(lists["un_arms_embargo"].members.get(iso2, ())),
        _ever(lists["concern"].members.get(iso2, ())),
        _ever([o.period for o in RULES.overlays if iso2 in o.countries]),
    )


SENSITIVE = sorted(c for c in RULES.countries if any(group(c)[1:]))
NAMES: dict[str, list[str]] = {}  # iso2 -> every folded name that resolves to it
for _key, _iso in RULES.aliases.items():
    NAMES.setdefault(_iso, []).append(_key)


def test_the_sensitive_countries():
    assert set(SENSITIVE) == {"KP", "IR", "IQ", "RU", "BY", "AF", "CF", "CD", "LB", "LY", "SO", "SS", "SD"}


def error(text) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        lookup_destination(RULES, text)
    assert exc.value.field == "country"
    return exc.value


# ------------------------------------------------------------------------------------------ names


@pytest.mark.parametrize(
    "text,iso2",
    [
        *[
            (t, "KP")
            for t in [
                "北朝鮮",
                "朝鮮民主主義人民共和国",
                "北韓",
                "N. Korea",
                "N Korea",
                "North Korea",
                "Korea (North)",
                "Korea, North",
                "KOREA NORTH",
                "DPRK",
                "D.P.R.K.",
                "DPR Korea",
                "D.P.R. Korea",
                "Korea, DPR",
                "Korea DPR",
                "DPR of Korea",
                "Democratic People's Republic of Korea",
                "Democratic Peoples Republic of Korea",
                "Korea, Democratic People's Republic of",
                "Korea, Dem. People's Rep.",
                "KP",
                "PRK",
                "ＤＰＲＫ",
            ]
        ],
        *[
            (t, "KR")
            for t in [
                "韓国",
                "大韓民国",
                "South Korea",
                "Korea, South",
                "Korea (South)",
                "S. Korea",
                "Republic of Korea",
                "Korea, Republic of",
                "Korea, Rep.",
                "ROK",
                "南韓",
            ]
        ],
        *[
            (t, "HK")
            for t in [
                "香港",
                "Hong Kong",
                "Hong Kong, China",
                "Hong Kong (China)",
                "中国(香港)",
                "中国（香港）",
                "中国香港",
            ]
        ],
        *[(t, "MO") for t in ["マカオ", "Macau", "Macao", "Macau, China", "Macao, China", "中国澳門", "中国(マカオ)"]],
        ("コンゴ民主共和国", "CD"),
        ("Congo (Kinshasa)", "CD"),
        ("DR Congo", "CD"),
        ("コンゴ共和国", "CG"),
        ("Congo (Brazzaville)", "CG"),
        ("ウクライナ", "UA"),
        ("Ukraine", "UA"),
        ("ベラルーシ", "BY"),
        ("Republic of Belarus", "BY"),
        ("イラン・イスラム共和国", "IR"),
        ("Iran (Islamic Republic of)", "IR"),
    ],
)
def test_names_resolve(text, iso2):
    assert lookup_country(RULES, text) == iso2
    assert to_iso2(text) == iso2  # the End User List importer agrees


@pytest.mark.parametrize("text", ["Korea", "KOREA", "ｋｏｒｅａ", " Korea ", "コリア", "朝鮮"])
def test_bare_korea_asks_the_clerk_to_choose(text):
    e = error(text)
    assert "大韓民国 (KR)" in e.ja and "北朝鮮 (KP)" in e.ja and "もしかして" not in e.ja
    assert "South Korea (KR)" in e.en and "North Korea (KP)" in e.en
    d = screen(text, "非該当", "0901.11", rules=RULES, today=TODAY)
    assert d.code == Code.INVALID and d.reasons[0].rule_id == "INPUT-COUNTRY"
    assert "大韓民国 (KR)、北朝鮮 (KP)" in d.reasons[0].ja
    assert to_iso2(text) is None


@pytest.mark.parametrize(
    "text,choices",
    [("Congo", ["コンゴ共和国 (CG)", "コンゴ民主共和国 (CD)"]), ("コンゴ", ["CG", "CD"]), ("ドミニカ", ["DM", "DO"])],
)
def test_other_ambiguous_names(text, choices):
    e = error(text)
    assert all(c in e.ja for c in choices) and "もしかして" not in e.ja


@pytest.mark.parametrize("text", ["日本", "日本国", "Japan", "JAPAN", "ＪＰ", "jp", "JPN", "Nippon"])
def test_japan_is_not_an_export(text):
    assert lookup_country(RULES, text) == "JP"  # the name resolves …
    e = error(text)  # … but not as a destination
    assert e.ja == "国内向け（輸出ではありません）"
    for item in ("非該当", "7の項(1)"):
        d = screen(text, item, "8458.11", "Foo Co", "民生", rules=RULES, today=TODAY)
        assert d.code == Code.INVALID and len(d.reasons) == 1
        assert (
            d.reasons[0].rule_id == "INPUT-COUNTRY" and d.reasons[0].ja == "入力エラー: 国内向け（輸出ではありません）"
        )


# ------------------------------------------------------------------------------------------ suggestions


@pytest.mark.parametrize(
    "text,iso2",
    [
        ("Germeny", "DE"),  # was エリトリア (ER)
        ("Germny", "DE"),
        ("Frnace", "FR"),
        ("Swizerland", "CH"),
        ("Untied States", "US"),
        ("Russsia", "RU"),
        ("Afganistan", "AF"),
        ("シンガポー", "SG"),
        ("Irak", None),  # Iraq or Iran: no guess between two standings
        ("Iram", None),
        ("Sout Korea", None),  # one letter from South Korea, close to North Korea: never steered either way
        ("Nort Korea", None),
        ("Koreaa", None),
        ("Belarussia", None),  # Belarus or Russia
        ("Lybia", None),
        ("Kosovo", None),
        ("Atlantis", None),
        ("Ira", None),  # too short
        ("Ger", None),
        ("ドイ", None),
        ("Congoo", None),  # near the ambiguous Congo: CG or CD
    ],
)
def test_suggestions(text, iso2):
    assert suggest_country(RULES, text) == iso2
    e = error(text)
    if iso2:
        c = RULES.countries[iso2]
        assert f"もしかして: {c.name_ja} ({iso2})" in e.ja and f"did you mean {c.name_en} ({iso2})?" in e.en
    else:
        assert "もしかして" not in e.ja


def _check_suggestion(text: str) -> None:
    """The properties every suggestion has (suggestions are made for names that do not resolve)."""
    key = fold(text)
    s = None if key in RULES.aliases else suggest_country(RULES, text)
    if s is None:
        return
    assert len(key) >= SUGGEST_MIN_LEN, (text, s)
    assert max(fuzz.ratio(key, n) for n in NAMES[s]) >= SUGGEST_SCORE, (text, s)  # strict similarity
    for iso2 in SENSITIVE:
        # a name close to a 別表第四 / 別表第三の二 / sanctioned country is never steered to another standing
        close = max(fuzz.ratio(key, n) for n in NAMES[iso2])
        one_edit = min(Levenshtein.distance(key, n) for n in NAMES[iso2]) <= 1
        if close >= SUGGEST_GUARD or one_edit:
            assert group(s) == group(iso2), (text, s, iso2)
    if any(group(s)[1:]):  # and nothing is steered into one from a country of another standing
        for iso2, names in NAMES.items():
            if group(iso2) != group(s):
                assert max(fuzz.ratio(key, n) for n in names) < SUGGEST_GUARD, (text, s, iso2)


SENSITIVE_NAMES = sorted({n for iso2 in SENSITIVE for n in NAMES[iso2]})
ALPHABET = "abcdefghijklmnopqrstuvwxyz" + "".join(sorted({ch for n in SENSITIVE_NAMES for ch in n if not ch.isascii()}))


@st.composite
def near_misses(draw) -> str:
    """A name of a sensitive country with one to three random edits, in random case and width."""
    chars = list(draw(st.sampled_from(SENSITIVE_NAMES)))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, max(len(chars) - 1, 0)))
        op = draw(st.sampled_from(["insert", "delete", "substitute", "transpose"]))
        ch = draw(st.sampled_from(ALPHABET))
        if op == "insert":
            chars.insert(i, ch)
        elif op == "delete" and len(chars) > 1:
            del chars[i]
        elif op == "transpose" and i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif chars:
            chars[i] = ch
    text = "".join(chars)
    if draw(st.booleans()):
        text = text.upper()
    if draw(st.booleans()):
        text = _fullwidth(text)
    return text


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@SETTINGS
@given(st.one_of(near_misses(), st.text(max_size=25), st.text(alphabet=ALPHABET, min_size=4, max_size=12)))
def test_a_suggestion_never_crosses_a_border_that_matters(text):
    _check_suggestion(text)


def test_every_single_edit_of_a_sensitive_name():
    """Exhaustively: each name of a sensitive country with one letter left out, or two neighbours swapped."""
    checked = 0
    for name in SENSITIVE_NAMES:
        variants = {name[:i] + name[i + 1 :] for i in range(len(name))}
        variants |= {name[:i] + name[i + 1] + name[i] + name[i + 2 :] for i in range(len(name) - 1)}
        for text in variants - set(RULES.aliases):
            _check_suggestion(text)
            checked += 1
    assert checked > 1000


@SETTINGS
@given(st.integers(0, 10**9), st.sampled_from(SENSITIVE_NAMES))
def test_no_input_naming_a_sanctioned_country_resolves_elsewhere(seed, name):
    """Any way of typing a name of a sensitive country (case, width, spaces, dots, hyphens, 中黒, brackets) names it."""
    import random

    rnd = random.Random(seed)
    iso2 = RULES.aliases[name]
    text = "".join(ch + rnd.choice(["", "", "", " ", ".", "-", "・", "　"]) for ch in name)
    text = rnd.choice([str.upper, str.lower, str.title, lambda s: s])(text)
    if rnd.random() < 0.5:
        text = _fullwidth(text)
    text = rnd.choice(["", " ", "("]) + text + rnd.choice(["", " ", ")", "\u3000"])
    assert lookup_country(RULES, text) == iso2
    assert to_iso2(text) == iso2


@SETTINGS
@given(st.one_of(near_misses(), st.text(max_size=25)))
def test_a_name_resolves_exactly_or_not_at_all(text):
    """Resolution is never by similarity: a cell resolves only to the country one of whose names it folds to."""
    try:
        iso2 = lookup_country(RULES, text)
    except InvalidInput:
        assert fold(text) not in RULES.aliases
        return
    assert RULES.aliases[fold(text)] == iso2
    if "\n" not in text and "\r" not in text:  # the End User List reads each line of a cell on its own
        assert to_iso2(text) == iso2


@pytest.mark.parametrize("iso2", SENSITIVE)
def test_every_name_of_a_sensitive_country_is_its_own(iso2):
    """Its names in our table and pycountry's names and codes all resolve to it (none lost to a clash)."""
    import pycountry

    pc = pycountry.countries.get(alpha_2=iso2)
    names = [getattr(pc, a) for a in ("alpha_2", "alpha_3", "name", "official_name", "common_name") if hasattr(pc, a)]
    c = RULES.countries[iso2]
    for name in [*names, c.name_ja, c.name_en]:
        assert lookup_country(RULES, name) == iso2, name


# ------------------------------------------------------------------------------------------ one authority


def test_the_end_user_list_resolves_through_the_rules_table():
    names = country_names()
    assert names.aliases == RULES.aliases and names.ambiguous == RULES.names.ambiguous
    for iso2, c in RULES.countries.items():
        assert to_iso2(f"{c.name_ja}\n{c.name_en}") == iso2
        assert name_ja(iso2) == c.name_ja and name_en(iso2) == c.name_en
    for key, iso2 in RULES.aliases.items():
        assert to_iso2(key) == iso2 == lookup_country(RULES, key)
    assert name_ja("UA") == "ウクライナ" and name_ja("KP") == "朝鮮民主主義人民共和国"


@pytest.mark.parametrize(
    "cell,iso2",
    [
        ("中華人民共和国\nChina", "CN"),
        ("北朝鮮\nNorth Korea", "KP"),
        ("韓国\nKorea", "KR"),  # the ambiguous line decides nothing, the other one does
        ("Korea", None),
        ("コンゴ\nCongo", None),
        ("北朝鮮\nSouth Korea", None),  # lines that disagree
        ("イラン\r\nIslamic Republic of Iran", "IR"),
        ("ナルニア\nNarnia", None),
        ("Germeny", None),  # no fuzzy matching in the importer
        ("", None),
        (None, None),
    ],
)
def test_end_user_list_cells(cell, iso2):
    assert to_iso2(cell) == iso2


@pytest.mark.skipif(not EUL_XLSX.is_file(), reason="../shared/reference not available")
def test_every_country_cell_of_the_reference_list_maps():
    from openpyxl import load_workbook

    wb = load_workbook(EUL_XLSX, read_only=True)
    cells = {row[1] for row in wb["ユーザーリスト"].iter_rows(values_only=True) if row and len(row) > 1 and row[1]}
    cells.discard("国名、地域名")
    assert len(cells) == 15
    for cell in cells:
        iso2 = to_iso2(cell)
        assert iso2 is not None, cell
        lines = [ln for ln in str(cell).splitlines() if ln.strip()]
        assert len(lines) == 2 and all(lookup_country(RULES, ln) == iso2 for ln in lines), cell  # both lines


# ------------------------------------------------------------------------------------------ the loader


@pytest.fixture
def folder(tmp_path) -> Path:
    import shutil

    dst = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dst)
    return dst


def test_an_ambiguous_name_is_never_an_alias(folder):
    path = folder / "countries.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"韓国|韓|', '"Korea|韓国|韓|', 1), encoding="utf-8")
    with pytest.raises(RulesError, match="'Korea' may mean more than one country"):
        load(folder)
