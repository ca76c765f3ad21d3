"""End User List name matching: normalisation, features, thresholds, explanations, the CLI."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exportscreen import render
from exportscreen.eul import FEATURES, EndUserList, EulEntry, Hit, Thresholds, import_list, normalise

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
XLSX = REF / "eul-2025-09-29-layout.xlsx"


def _entry(no, country, name, aliases=(), concerns=("M",)):
    return EulEntry(no, country, country, name, tuple(aliases), frozenset(concerns))


@pytest.fixture(scope="module")
def eul():
    entries = (
        _entry(1, "AE", "Zarvan General Trading L.L.C.", ["Zarvan Trading LLC"]),
        _entry(2, "IR", "Kestrel Aerospace Industries Organization (KAIO)", ["Sazman Sanaye Kestrel"], ("M", "CW")),
        _entry(3, "KP", "Korea Ryonmot Trading Corporation\n(朝鮮連茂貿易会社)", [], ("B", "C", "M", "N")),
        _entry(4, "HK", "General Technology Limited\n(大眾科技有限公司)", [], ("CW",)),
        _entry(5, "CN", "Beijing Institute of Aerodynamics", [], ("M",)),
        _entry(6, "RU", "JSC Veltrum Optical Plant", ["AO Veltrum"], ("CW",)),
        _entry(7, "IR", "Tabriz Electronics Industries", [], ("M",)),
    )
    return EndUserList(date(2026, 1, 1), date(2026, 1, 1), entries, "test.xlsx", "0" * 64)


def _best(eul, name, country=None):
    hits = eul.match(name, country)
    return hits[0] if hits else None


@pytest.mark.parametrize(
    "a,b",
    [
        ("Zarvan General Trading L.L.C.", "ZARVAN GENERAL TRADING LLC"),
        ("Zarvan Co., Ltd.", "Zarvan Company Limited"),
        ("Zarvan Corp.", "zarvan corporation"),
        ("Ｚａｒｖａｎ　Ｔｒａｄｉｎｇ", "Zarvan Trading"),
        ("Zarvan-Trading, Inc.", "Zarvan Trading Incorporated"),
        ("Oil & Gas Zarvan FZE", "Oil and Gas Zarvan FZCO"),
        ("朝鮮連茂貿易株式会社", "朝鮮連茂貿易有限公司"),
        ("JSC Zarvan", "Zarvan OJSC"),
        ("Zarvan Pvt. Ltd.", "Zarvan Private Limited"),
        ("Zarvan GmbH", "Zarvan"),
    ],
)
def test_normalisation_equivalences(a, b):
    assert normalise(a).compact == normalise(b).compact


def test_generic_words_are_not_distinctive():
    assert normalise("Global General Trading LLC").generic_only
    assert normalise("International Industries Co., Ltd.").generic_only
    assert normalise("Beijing Institute of Technology").generic_only  # places are weak words
    assert normalise("Zarvan General Trading").distinctive == ("zarvan",)


def test_exact_alias_acronym_and_cjk(eul):
    h = _best(eul, "Zarvan General Trading Co., Ltd.", "AE")
    assert h.entry.no == 1 and h.kind == "hit" and h.score == 1.0
    assert h.feature_ids == ("name_exact", "country_match")
    h = _best(eul, "AO Veltrum", "RU")
    assert h.entry.no == 6 and h.kind == "hit" and "alias_match" in h.feature_ids
    h = _best(eul, "KAIO")
    assert h.entry.no == 2 and h.kind == "possible" and h.feature_ids == ("acronym_match",)
    h = _best(eul, "朝鮮連茂貿易会社")
    assert h.entry.no == 3 and h.kind == "hit"


def test_typo_and_dropped_word(eul):
    h = _best(eul, "Kestrel Aerospce Industries Organisation", "IR")
    assert h.entry.no == 2 and h.kind == "hit" and "name_fuzzy" in h.feature_ids
    h = _best(eul, "Veltrum Plant", "RU")
    assert h.entry.no == 6 and h.kind in ("hit", "possible")


def test_country_weighing(eul):
    same = _best(eul, "Zarvan Trading", "AE")
    other = _best(eul, "Zarvan Trading", "JP")
    unknown = _best(eul, "Zarvan Trading")
    assert same.score == unknown.score == 1.0
    assert other.score == pytest.approx(1.0 + FEATURES["country_mismatch"].weight)
    assert other.kind == "possible" and "country_mismatch" in other.feature_ids
    assert "country_match" not in unknown.feature_ids and "country_mismatch" not in unknown.feature_ids
    assert _best(eul, "Zarvan Trading", "アラブ首長国連邦").score == 1.0  # Japanese country names work too


@pytest.mark.parametrize(
    "name",
    [
        "General Trading LLC",
        "International Industries Co., Ltd.",
        "Global Technology Limited",
        "Technology Co., Ltd.",
        "General Engineering Services",
        "Korea Trading Corporation",
        "Beijing General Trading Co., Ltd.",
        "Beijing Institute of Technology",
    ],
)
def test_generic_names_never_hit(eul, name):
    assert all(h.kind != "hit" for h in eul.match(name))


def test_generic_only_listed_name_is_a_possible_at_most(eul):
    h = _best(eul, "General Technology Limited", "HK")
    assert h.entry.no == 4 and h.kind == "possible" and "generic_only" in h.feature_ids
    h = _best(eul, "大眾科技有限公司", "HK")  # its Chinese name is distinctive
    assert h.entry.no == 4 and h.kind == "hit"


def test_exact_listed_name_with_a_place_is_a_hit(eul):
    h = _best(eul, "TABRIZ ELECTRONICS INDUSTRIES CO.", "IR")
    assert h.entry.no == 7 and h.kind == "hit"
    h = _best(eul, "Tabriz Electronic Industries", "IR")  # not exact, and only place + generic words
    assert h.entry.no == 7 and h.kind == "possible" and "generic_only" in h.feature_ids
    assert all(h.kind != "hit" for h in eul.match("Tabriz General Trading", "IR"))


def test_shared_distinctive_word_with_other_generic_words(eul):
    assert all(h.kind != "hit" for h in eul.match("Zarvan Fashion Boutique", "AE"))
    assert eul.match("Tokyo Engineering Corporation", "JP") == ()


def test_thresholds_are_configurable(eul):
    strict = Thresholds(hit=0.99, possible=0.95)
    hits = eul.match("Kestrel Aerospce Industries Organisation", "IR", thresholds=strict)
    assert all(h.score >= 0.95 for h in hits)
    loose = Thresholds(hit=0.92, possible=0.5)
    assert len(eul.match("Zarvan Trading", "JP", thresholds=loose)) >= 1
    with pytest.raises(ValueError):
        Thresholds(hit=0.7, possible=0.8)


def test_explanations(eul):
    h = _best(eul, "Kestrel Aerospce Industries Organisation", "IR")
    ja, en = render.hit_explanation(h, "ja"), render.hit_explanation(h, "en")
    assert "\n" not in ja and "\n" not in en
    assert "外国ユーザーリスト No.2" in ja and "ミサイル・通常兵器" in ja and "スコア" in ja and "（イラン）" in ja
    assert "End User List No.2" in en and "missile, conventional weapons" in en and "(Iran)" in en
    d = render.hit_dict(h, "en")
    assert d["no"] == 2 and d["kind"] == h.kind and d["concerns"] == ["M", "CW"] and d["explanation"] == en
    assert d["score"] == h.score and d["country"] == "IR"
    assert [f["feature"] for f in d["features"]] == list(h.feature_ids)
    assert render.hit_summary(h).startswith("No.2 ") and "（M,CW）" in render.hit_summary(h)


def test_summary_line_names_what_matched_and_why(eul):
    """=EUL_MATCH: an exact match of the listed name says no more; otherwise the name that matched, the listed
    country when it is not the destination, and a word per feature."""
    assert render.hit_summary(_best(eul, "Zarvan General Trading L.L.C.", "AE")) == (
        "No.1 Zarvan General Trading L.L.C.（M） スコア1.00 該当"
    )
    line = render.hit_summary(_best(eul, "Zarvan Trading", "JP"))
    assert line.startswith(
        "No.1 Zarvan General Trading L.L.C.（M） 照合名「Zarvan Trading LLC」 掲載国 アラブ首長国連邦 "
    )
    assert "類似（要確認）" in line and "別名と一致" in line
    line = render.hit_summary(_best(eul, "Kestrel Aerospce Industries Organisation", "IR"))
    assert line.endswith("該当（表記が近い・略語・綴り）") or line.endswith("類似（要確認）（表記が近い・略語・綴り）")
    assert "close spelling" in render.hit_summary(_best(eul, "Kestrel Aerospce Industries Organisation", "IR"), "en")


def test_features_are_data(eul):
    """Each feature that fired is data (id, value, facts), as the audit log keeps it; the texts are written from it."""
    h = _best(eul, "Kestrel Aerospce Industries Organisation", "IR")
    fuzzy = h.features[0]
    assert fuzzy.id == "name_fuzzy" and fuzzy.value == pytest.approx(h.score, abs=0.01)
    facts = dict(fuzzy.facts)
    assert facts["listed"].startswith("Kestrel Aerospace") and 0.8 < facts["found"] <= 1.0
    assert {"query_words", "listed_words", "explained", "agree"} <= set(facts)
    rec = render.hit_dict(h, explain=False)  # the audit record
    assert "explanation" not in rec and rec["features"][0]["feature"] == "name_fuzzy"
    assert json.loads(json.dumps(rec, ensure_ascii=False)) == rec  # plain JSON
    assert render.hit_text(rec, "ja") == render.hit_explanation(h, "ja")  # read back, rendered alike
    country = next(f for f in rec["features"] if f["feature"] == "country_match")
    assert country["country"] == "IR"
    assert any(f["feature"] == "abbreviation" and "organisation" in f["pairs"] for f in rec["features"])


def test_japanese_explanation_is_japanese_only(eul):
    """No English words of ours in the Japanese texts: only the names themselves are in Latin letters."""
    for name, country in (
        ("Kestrel Aerospce Industries Organisation", "IR"),
        ("Zarvan Trading", "JP"),
        ("General Technology Limited", "HK"),
        ("KAIO", None),
        ("大眾科技", "HK"),
    ):
        h = _best(eul, name, country)
        d = render.hit_dict(h, explain=False)
        text = render.hit_text(d, "ja")
        data = {d["name"], d["matched_name"], *(str(v) for f in d["features"] for v in f.values() if v != f["feature"])}
        for value in sorted(data, key=len, reverse=True):  # the names and words that matched are data
            text = text.replace(value, "")
        assert not re.search(r"[A-Za-z]{3,}", text), text


def test_old_audit_records_still_render():
    """Hits recorded before features were data ({"feature", "detail"}) render with the short description; the
    Japanese text leaves the English detail out."""
    rec = {
        "no": 7,
        "name": "Tabriz Electronics Industries",
        "country": "IR",
        "concerns": ["M"],
        "score": 0.97,
        "kind": "hit",
        "matched_name": "Tabriz Electronics Industries",
        "features": [{"feature": "name_fuzzy", "detail": "0.97 'tabriz' ~ 'tabriz' (aligned)"}],
    }
    ja, en = render.hit_text(rec, "ja"), render.hit_text(rec, "en")
    assert "aligned" not in ja and FEATURES["name_fuzzy"].ja in ja and "No.7" in ja
    assert "aligned" in en


def test_hit_from_features_given_as_text():
    """Hit(…, features=("name_exact: X",)) — the form callers used before — still builds structured features."""
    e = _entry(9, "CN", "WMD Lab")
    h = Hit(e, 0.97, "WMD Lab", "hit", ("name_exact: WMD Lab",))
    assert h.feature_ids == ("name_exact",) and h.features[0].fact("detail") == "WMD Lab"
    assert render.hit_summary(h) == "No.9 WMD Lab（M） スコア0.97 該当"


def test_label_agrees_with_the_shown_score(eul):
    """The score is rounded to the two decimals shown before the thresholds are applied: a 0.92 is a hit, a 0.91
    a possible hit, whatever the digits behind."""
    for name, country in (
        ("Kestrel Aerospce Industries Organisation", "IR"),
        ("Zarvan Trading", "JP"),
        ("Veltrum Plant", "RU"),
        ("General Technology Limited", "HK"),
        ("Tabriz Electronic Industries", "IR"),
    ):
        for h in eul.match(name, country):
            assert h.score == round(h.score, 2)
            assert h.kind == ("hit" if h.score >= eul.thresholds.hit else "possible")
            assert f"{h.score:.2f}" in render.hit_summary(h)


JA_EXAMPLES = {"Univ", "University", "Centre", "Center", "TRADINGCOMPANY", "Trading", "Company", "rules", "yaml"}
JA_EXAMPLES |= {"eul_place_names"}


def test_feature_table():
    for fid in (
        "name_exact",
        "name_fuzzy",
        "alias_match",
        "acronym_match",
        "cjk_prefix",
        "query_extra",
        "place_mismatch",
        "country_match",
        "country_mismatch",
        "generic_only",
        "script_variant",
        "place_alias",
        "abbreviation",
        "run_together",
    ):
        f = FEATURES[fid]
        assert f.id == fid and f.en.endswith(".") and f.ja.endswith("。") and isinstance(f.weight, float)
        for text in (f.ja, re.sub(r"\{[a-z_]+(:[^}]*)?\}", "", f.ja_detail)):  # Japanese, but for examples
            words = set(re.findall(r"[A-Za-z_]{3,}", text)) - JA_EXAMPLES
            assert not words, (fid, words)


def test_memoised(eul):
    a = eul.match("Zarvan Trading", "AE")
    assert eul.match("Zarvan Trading", "AE") is a
    assert eul.match(None) == ()
    assert all(isinstance(h, Hit) for h in a)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from([None, "IR", "JP", "イラン", "zz", ""]))
def test_any_input_is_safe(eul, text, country):
    for h in eul.match(text, country):
        assert 0.0 <= h.score <= 1.0 and h.kind in ("hit", "possible")


# --- the CLI -----------------------------------------------------------------------------------------
def test_cli_without_a_list(tmp_path, monkeypatch, capsys):
    from exportscreen.cli import main

    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path))
    assert main(["eul", "search", "Zarvan"]) == 2
    assert "外国ユーザーリストが取り込まれていません" in capsys.readouterr().err
    assert main(["eul", "search", "Zarvan", "--lang", "en"]) == 2
    assert "no End User List imported" in capsys.readouterr().err
    assert main(["eul", "list"]) == 0
    assert capsys.readouterr().out == "外国ユーザーリストは取り込まれていません\n"


@pytest.mark.skipif(not XLSX.is_file(), reason="reference workbook not present")
def test_cli_search(tmp_path, monkeypatch, capsys):
    from exportscreen.cli import main

    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))
    src = tmp_path / "20250929_4.xlsx"
    shutil.copy(XLSX, src)
    import_list(src, effective="2025-10-09")
    assert main(["eul", "search", "Kimia Part Sivan Co., Ltd.", "--country", "IR", "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "EUL 2025-09-29 (835)" in out and "No.155" in out and "該当" in out
    assert main(["eul", "search", "KIMIA PART SIVAN", "--json", "--lang", "en", "--as-of", "2026-01-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["hits"][0]["no"] == 155 and data["hits"][0]["kind"] == "hit" and data["eul_version"].startswith("EUL")
    assert main(["eul", "search", "Tokyo Engineering Corporation", "--as-of", "2026-01-01"]) == 0
    assert "該当する掲載はありません" in capsys.readouterr().out
    assert main(["eul", "search", "X", "--as-of", "2025-10-01"]) == 2  # before the list applies
    assert "時点で適用される外国ユーザーリストがありません" in capsys.readouterr().err
    assert main(["eul", "list"]) == 0
    assert "施行 2025-10-09\t835 件" in capsys.readouterr().out
    assert main(["eul", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["entries"] == 835
