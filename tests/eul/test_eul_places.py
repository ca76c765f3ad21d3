"""rules/eul_place_names.yaml: the katakana / kanji / Latin place names of End User List matching, validated."""

from __future__ import annotations

import re

import pytest
import yaml

from exportscreen.eul.normalise import WEAK_WORDS, normalise
from exportscreen.eul.places import PlacesError, load, parse, places
from exportscreen.state import data_dir

FILE = data_dir("rules") / "eul_place_names.yaml"


def test_bundled_table_loads_with_its_provenance():
    text = FILE.read_text(encoding="utf-8")
    assert text.startswith("# End User List matching: place names")
    for marker in ("[W]", "[MOFA]", "[CBJ]", "[SEC]", "[U]", "read:"):
        assert marker in text
    p = load(FILE)
    assert len(p.places) >= 60 and all(pl.source for pl in p.places)
    for kana, latin in (
        ("ハルビン", "harbin"),
        ("ペキン", "beijing"),
        ("シャンハイ", "shanghai"),
        ("テヘラン", "tehran"),
    ):
        assert p.kana[kana].strip() == latin
    assert p.kana["ナンジン"] == p.kana["ナンキン"] and p.kana["カラチ"].strip() == "karachi"
    assert p.kana["タンチョン"] == "端川"  # not weak: its kanji


def test_every_place_of_the_table_is_a_weak_word():
    for pl in places().places:
        if pl.weak:
            assert pl.latin[0].casefold() in WEAK_WORDS or " " in pl.latin[0]
            for kanji in pl.kanji:
                assert normalise(kanji).generic_only, kanji  # a place alone never matches


def test_ambiguous_readings_are_left_out():
    kana = places().kana
    for reading in ("コウシュウ", "セイト", "ケイリン", "ジョウシュウ", "ゴム"):
        assert reading not in kana


def _data(**rec):
    return {"source": {"read": "2026-12-01"}, "places": [{"latin": ["Harbin"], "source": "x", **rec}]}


@pytest.mark.parametrize(
    "data,message",
    [
        (_data(kana=["harbin"]), "is not katakana"),
        (_data(kanji=["ハルビン"]), "is not Chinese characters"),
        (_data(colour="red"), "unknown key colour"),
        (_data(weak="yes"), "weak must be true or false"),
        ({"source": {"read": "x"}, "places": [{"latin": ["Harbin"]}]}, "no source"),
        ({"source": {"read": "x"}, "places": [{"source": "x"}]}, "no latin name"),
        ({"places": []}, "provenance header"),
        (
            {
                "source": {"read": "x"},
                "places": [
                    {"latin": ["Harbin"], "kana": ["ハルビン"], "source": "x"},
                    {"latin": ["Hailar"], "kana": ["ハルビン"], "source": "x"},
                ],
            },
            "given to two places",
        ),
    ],
)
def test_inconsistent_tables_are_refused(data, message):
    with pytest.raises(PlacesError, match=re.escape(message)):
        parse(data, "eul_place_names.yaml")


def test_the_file_is_plain_yaml_with_closed_keys():
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    assert set(data) == {"source", "places"}
    parse(data)  # no error
