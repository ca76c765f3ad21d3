"""rules/countries.csv: every ISO 3166-1 code with the names clerks type."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pycountry
import pytest
from conftest import read_rules_csv

REPO = Path(__file__).resolve().parents[2]
CSV_PATH = REPO / "rules" / "countries.csv"
REFERENCE = REPO.parent / "shared" / "reference" / "jp-countries.json"
COLUMNS = ["iso2", "name_ja", "name_en", "aliases", "source"]

_STRIP = re.compile(r"[\s.,\-]+")


def norm(s: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", s).casefold())


@pytest.fixture(scope="module")
def table():
    return read_rules_csv(CSV_PATH)


@pytest.fixture(scope="module")
def rows(table):
    return table[1]


def aliases(row) -> list[str]:
    return [a for a in row["aliases"].split("|") if a] if row["aliases"] else []


def pycountry_names(c) -> set[str]:
    return {
        getattr(c, k) for k in ("alpha_2", "alpha_3", "name", "common_name", "official_name") if getattr(c, k, None)
    }


@pytest.fixture(scope="module")
def index(rows):
    """normalised key -> set of iso2, built the way the loader does (codes, pycountry names, ours)."""
    idx: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        c = pycountry.countries.get(alpha_2=r["iso2"])
        for name in pycountry_names(c) | {r["name_ja"], r["name_en"], *aliases(r)}:
            idx[norm(name)].add(r["iso2"])
    return idx


def resolve(index, text: str) -> str | None:
    hits = index.get(norm(text), set())
    return next(iter(hits)) if len(hits) == 1 else None


def test_provenance_header():
    head = "\n".join(ln for ln in CSV_PATH.read_text(encoding="utf-8").splitlines() if ln.startswith("#"))
    assert "ISO 3166-1" in head and "2026-11-25" in head and "pycountry" in head


def test_columns(table):
    assert table[0] == COLUMNS


def test_all_iso_codes_once(rows):
    codes = [r["iso2"] for r in rows]
    assert len(codes) == 249
    assert len(set(codes)) == len(codes)
    assert set(codes) == {c.alpha_2 for c in pycountry.countries}


def test_fields_filled(rows):
    for r in rows:
        assert r["name_ja"].strip() and r["name_en"].strip() and r["source"].startswith("ISO 3166-1"), r
        for a in aliases(r):
            assert a == a.strip() and norm(a), r


def test_no_key_names_two_countries(index):
    clashes = {k: sorted(v) for k, v in index.items() if len(v) > 1}
    assert not clashes


def test_aliases_do_not_hit_other_countries_codes_or_names(rows):
    other: dict[str, str] = {}
    for c in pycountry.countries:
        for n in pycountry_names(c):
            other[norm(n)] = c.alpha_2
    for r in rows:
        other[norm(r["name_ja"])] = r["iso2"]
        other[norm(r["name_en"])] = r["iso2"]
    for r in rows:
        for a in aliases(r):
            assert other.get(norm(a), r["iso2"]) == r["iso2"], (r["iso2"], a)


@pytest.mark.parametrize(
    "word", ["Korea", "Congo", "Guinea", "ドミニカ", "コンゴ", "ギニア", "Virgin Islands", "Samoa", "Sudan"]
)
def test_ambiguous_words_are_not_aliases(rows, word):
    for r in rows:
        assert norm(word) not in {norm(a) for a in aliases(r)}, (r["iso2"], word)


@pytest.mark.parametrize(
    "text,iso2",
    [
        ("US", "US"),
        ("米国", "US"),
        ("アメリカ", "US"),
        ("ｱﾒﾘｶ", "US"),
        ("ＵＳＡ", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("America", "US"),
        ("KR", "KR"),
        ("韓国", "KR"),
        ("大韓民国", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("ROK", "KR"),
        ("KP", "KP"),
        ("北朝鮮", "KP"),
        ("DPRK", "KP"),
        ("North Korea", "KP"),
        ("朝鮮民主主義人民共和国", "KP"),
        ("TW", "TW"),
        ("台湾", "TW"),
        ("Taiwan", "TW"),
        ("Chinese Taipei", "TW"),
        ("Republic of China", "TW"),
        ("HK", "HK"),
        ("香港", "HK"),
        ("Hong Kong", "HK"),
        ("GB", "GB"),
        ("英国", "GB"),
        ("イギリス", "GB"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("RU", "RU"),
        ("ロシア", "RU"),
        ("ロシア連邦", "RU"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("CN", "CN"),
        ("中国", "CN"),
        ("中華人民共和国", "CN"),
        ("PRC", "CN"),
        ("China", "CN"),
        ("UAE", "AE"),
        ("アラブ首長国連邦", "AE"),
        ("イラン", "IR"),
        ("Iran", "IR"),
        ("イラク", "IQ"),
        ("独", "DE"),
        ("ドイツ", "DE"),
        ("仏", "FR"),
        ("フランス", "FR"),
        ("ベトナム", "VN"),
        ("Vietnam", "VN"),
        ("キルギス", "KG"),
        ("コンゴ民主共和国", "CD"),
        ("中央アフリカ", "CF"),
        ("南スーダン", "SS"),
        ("チェコ", "CZ"),
        ("トルコ", "TR"),
        ("Turkey", "TR"),
        ("ジョージア", "GE"),
        ("日本", "JP"),
    ],
)
def test_examples_resolve(index, text, iso2):
    assert resolve(index, text) == iso2


def test_political_names(rows):
    by = {r["iso2"]: r for r in rows}
    assert by["TW"]["name_ja"] == "台湾"
    assert all("中国領" not in r["name_ja"] and "中国領" not in r["aliases"] for r in rows)
    assert by["US"]["name_ja"] == "アメリカ合衆国" and by["GB"]["name_ja"] == "英国"
    assert by["KP"]["name_ja"] == "朝鮮民主主義人民共和国" and by["RU"]["name_ja"] == "ロシア"
    assert by["KR"]["name_en"] == "South Korea" and by["KP"]["name_en"] == "North Korea"


# Countries named in 輸出令 別表第三 (Group A), 別表第三の二, 別表第四 and 別表第二の四 (current text).
LISTED = (
    "AR AU AT BE BG CA CZ DK FI FR DE GR HU IE IT KR LU NL NZ NO PL PT ES SE CH GB US "
    "AF CF CD IQ LB LY KP SO SS SD IR AE AM CN IN KZ KG SY TH TR UZ"
).split()


def test_listed_countries_have_japanese_aliases_or_names(rows):
    by = {r["iso2"]: r for r in rows}
    for code in LISTED:
        assert by[code]["name_ja"], code
        assert "輸出令別表" in by[code]["source"], code


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference not available")
def test_order_spellings_resolve(index):
    """Each Japanese name as the Order writes it (third-party parse, read in place) resolves to its ISO code."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    tables = {
        "別表第三": "groupA",
        "別表第三の二": "unArmsEmbargo",
        "別表第四": "concern",
        "別表第二の四": "russiaDiversion",
    }
    checked = 0
    for table, key in tables.items():
        names = data["raw"][table].split("、")
        codes = data[key]
        assert len(names) == len(codes), table
        for name, code in zip(names, codes):
            assert resolve(index, name) == code, (table, name, code)
            checked += 1
    assert checked == 27 + 10 + 3 + 10
