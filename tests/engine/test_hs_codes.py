"""HS codes are read as written, checked against the HS 2022 nomenclature, never guessed (issue 10, part 1), and a
16の項 label never narrows what the HS code says (part 3, HS half).

- text is never padded with a zero in front: an odd number of digits (8458.1, 84581, 854) is a prefix, classified
  by the real subheadings under it; a number is what Excel stored (8471.3 = 8471.30, 901.11 = 0901.11);
- a chapter, heading or subheading that does not exist is 入力エラー naming the closest real codes;
- a 16の項(2) / 16の項 label on a 16の項(1) good is corrected, with a reason;
- properties: no prefix, format or label variant of a line that needs a licence or a check is 許可不要.
"""

from __future__ import annotations

import functools
import json
import shutil
from datetime import date

import pytest
from com_shim import Excel
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportscreen import engine, functions, screening
from exportscreen.cli import main
from exportscreen.engine import describe_item, item_class, screen
from exportscreen.ids import InvalidInput, hs_code, item_no
from exportscreen.model import Code
from exportscreen.rules import RulesError, load

TODAY = date(2026, 11, 25)
N, R, L, X = Code.NO_LICENSE, Code.REVIEW, Code.LICENSE_REQUIRED, Code.INVALID
NOT_LISTED = item_no.parse("非該当")


def decide(rules, hs, item="非該当", country="中国", end_use="軍事", end_user="Clean Co", day=None):
    return screen(country, item, hs, end_user, end_use, None, None, day, rules=rules, today=TODAY)


def ids(d):
    return [r.rule_id for r in d.reasons]


# ---------------------------------------------------------------- reading (exportscreen.ids.hs_code)


@pytest.mark.parametrize(
    "raw,digits",
    [
        # text: as written, separators dropped, nothing added
        ("8471.30", "847130"),
        ("8471.30-000", "847130000"),
        ("8458 11 000", "845811000"),
        ("８４５８．１１", "845811"),
        ("0901.11", "090111"),
        ("84.58", "8458"),
        ("8458.1", "84581"),  # Excel's 8458.10 shown as text, or a code typed short: a prefix
        ("8542.9", "85429"),
        ("8471.3", "84713"),
        ("84581", "84581"),
        ("854", "854"),
        ("8542", "8542"),
        ("85", "85"),
        # numbers: what Excel stored (the point follows the heading)
        (8471.3, "847130"),
        (8542.9, "854290"),
        (8458.1, "845810"),  # the engine reads it as the prefix 8458.1: HS 2022 has no 8458.10
        (901.11, "090111"),
        (901.1, "090110"),
        (8458.11, "845811"),
        (847130, "847130"),
        (845811000, "845811000"),
        (845811000.0, "845811000"),
        # a whole number has no point: read like text, never given a leading zero
        (84581, "84581"),
        (84581.0, "84581"),
        (854, "854"),
        (90111, "90111"),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_parse(raw, digits):
    assert hs_code.parse(raw) == digits


@given(st.from_regex(r"\A[1-9][0-9]{2}([0-9]{2})?\Z"))
def test_text_with_an_odd_number_of_digits_is_never_padded_in_front(text):
    assert hs_code.parse(text) == text
    assert hs_code.parse(f"{text[:4]}.{text[4:]}" if len(text) == 5 else text) == text


@pytest.mark.parametrize("raw", ["901.11", "845.81", "090.1"])
def test_text_with_three_digits_before_the_dot_is_refused(raw):
    with pytest.raises(hs_code.LeadingZeroLost) as exc:
        hs_code.parse(raw)
    head, tail = raw.split(".")
    assert exc.value.readings == ("0" + head + tail, head + tail) and exc.value.field == "hs"


@pytest.mark.parametrize("raw", ["abc", "8", "9.01", "84581.1", "8458.1x", 84581.1, -8458.1, "12345678901"])
def test_unreadable(raw):
    with pytest.raises(InvalidInput):
        hs_code.parse(raw)


def test_format():
    assert [hs_code.format_hs(d) for d in ("85", "854", "8542", "84581", "854290", "845811000")] == [
        "85",
        "854",
        "8542",
        "8458.1",
        "8542.90",
        "8458.11-000",
    ]


# ---------------------------------------------------------------- the nomenclature (rules/hs_nomenclature.csv)


def test_the_bundled_nomenclature_is_hs_2022(rules):
    nom = rules.hs_nomenclature
    assert [len(nom.codes[k]) for k in (2, 4, 6)] == [96, 1228, 5612]
    assert "77" not in nom and "98" not in nom and "99" not in nom  # reserved; national use; UN Comtrade's "9999"
    assert {"8806", "880610", "8524", "8549", "3827", "970610"} <= nom.names.keys()  # new in HS 2022
    assert "8803" not in nom  # HS 2017 (aircraft parts, now 88.07)
    assert nom.under("8542") == ("854231", "854232", "854233", "854239", "854290")
    assert nom.under("854", 4) == tuple(f"85{n}" for n in range(40, 50))
    header = (REPO / "rules" / "hs_nomenclature.csv").read_text(encoding="utf-8").split("\ncode,")[0]
    for fact in ("datasets/harmonized-system", "ODC-PDDL", "HS 2022", "Date read"):
        assert fact in header
    assert "hs_nomenclature.csv" in rules.files  # and so in the content hash of the rules version


def test_every_14_2_code_and_every_catch_all_chapter_but_77_exists(rules):
    nom = rules.hs_nomenclature
    for group in rules.hs_groups:
        assert all(code in nom for code in group.prefixes + group.excepts), group
    for rule in rules.chapter_rules:
        assert {int(c) for c in nom.codes[2]} >= rule.chapters - {77}


@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dst)
    return dst


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_nomenclature_is_part_of_the_rules_version(folder):
    before = load(folder).version
    edit(folder / "hs_nomenclature.csv", "Date read: 2026-11-30", "Date read: 2026-12-01")
    assert load(folder).version != before


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        ("hs_nomenclature.csv", "\n845811,", "\n84581,", "hs_nomenclature.csv record"),
        ("hs_nomenclature.csv", "\n845811,", "\n845819,", "duplicate code"),
        ("hs_nomenclature.csv", "\n8458,Lathes for removing metal", "", "845811: its heading 8458 is missing"),
        ("hs_nomenclature.csv", "# rules/hs_nomenclature.csv", "rules/hs_nomenclature.csv", "provenance header"),
        ("catchall_scope.yaml", '"901420"', '"901425"', "HS 901425 is not in hs_nomenclature.csv"),
    ],
)
def test_a_broken_nomenclature_is_refused_naming_file_and_record(folder, file, old, new, message):
    edit(folder / file, old, new)
    with pytest.raises(RulesError, match=message):
        load(folder)


def test_a_heading_without_subheadings_is_refused(folder):
    path = folder / "hs_nomenclature.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(ln for ln in lines if not ln.startswith("8458")) + "8458,Lathes\n", encoding="utf-8")
    with pytest.raises(RulesError, match="8458 has no subheadings"):
        load(folder)


# ---------------------------------------------------------------- codes that do not exist


@pytest.mark.parametrize(
    "raw,names",
    [
        ("0000.00", ["第00類", "01 Animals; live"]),
        ("9999.99", ["第99類", "97 Works of art"]),
        ("7701.10", ["第77類", "76 Aluminium", "78 Lead"]),
        ("77", ["第77類", "76 ", "78 "]),
        ("8458.50", ["号 8458.50", "8458.19 ", "8458.91 "]),
        ("8458.50-000", ["号 8458.50", "8458.19 ", "8458.91 "]),
        (8458.5, ["8458.5 で始まる", "8458.19 ", "8458.91 "]),  # no 8458.50: the prefix 8458.5 as typed
        ("8490.10", ["項 8490", "8487 "]),
        ("8803.90", ["項 8803", "8802 ", "8804 "]),  # HS 2017: aircraft parts are 88.07 in HS 2022
        ("84585", ["8458.5 で始まる", "8458.19 ", "8458.91 "]),
        ("101", ["101 で始まる", "1008 "]),
    ],
)
def test_a_code_that_does_not_exist_is_invalid_naming_the_closest(rules, raw, names):
    d = decide(rules, raw)
    assert d.code is X and ids(d) == ["INPUT-HS"]
    text = d.reasons[0].ja
    assert text.startswith("入力エラー: HSコード") and "HS2022 にありません" in text
    for name in names:
        assert name in text, (name, text)
    assert "HS 2022" in d.reasons[0].en and "closest" in d.reasons[0].en
    # the listed goods are not spared: the HS code is checked whatever the item
    assert decide(rules, raw, item="7の項(1)").code is X


def test_three_digits_before_a_text_dot_is_invalid_naming_both_readings(rules):
    d = decide(rules, "901.11")
    assert d.code is X and ids(d) == ["INPUT-HS"]
    assert "0901.11 Coffee" in d.reasons[0].ja and "9011.1 Microscopes" in d.reasons[0].ja
    text = decide(rules, "847.13").reasons[0].ja
    assert "8471.3 Automatic" in text and "0847.13" not in text  # only the readings that exist
    assert "どちらの読み方も" in decide(rules, "770.77").reasons[0].ja
    assert decide(rules, 901.11).item["hs"] == "0901.11"  # a number: only the leading zero can be missing


def test_a_statistical_code_classifies_by_its_first_six_digits(rules):
    for raw in ("8458.11-000", "845811000", 845811000, "8458.11.000", "8458 11 000"):
        d = decide(rules, raw)
        assert d.code is L and d.item["class"] == "16(1)" and d.item["hs"] == "8458.11-000", raw


# ---------------------------------------------------------------- prefixes and the classes under them


@pytest.mark.parametrize(
    "hs,classes",
    [
        ("8458.1", {"16(1)"}),  # the issue's lathe: never 0845.81, chapter 8, 許可不要
        ("84581", {"16(1)"}),
        ("8542.9", {"16(2)"}),  # 8542.90 only: parts of ICs are outside 14条の2
        ("8542.3", {"16(1)"}),
        ("8542", {"16(1)", "16(2)"}),
        ("854", {"16(1)", "16(2)"}),
        ("85", {"16(1)", "16(2)"}),
        ("8471.3", {"16(2)"}),
        ("8807", {"16(1)"}),
        ("880", {"16(1)", "16(2)"}),
        ("9014", {"16(1)", "16(2)"}),
        ("845", {"16(1)", "16(2)"}),
        ("8456", {"16(1)"}),
        ("0901", {"O"}),
        ("09", {"O"}),
        ("9706", {"O"}),
    ],
)
def test_a_prefix_is_classified_by_the_real_subheadings_under_it(rules, hs, classes):
    digits = engine._hs(rules, hs)
    assert item_class(rules, NOT_LISTED, digits, TODAY) == classes
    before = item_class(rules, NOT_LISTED, digits, date(2025, 1, 1))
    assert before == ({"O"} if classes == {"O"} else {"16"})


def test_the_issue_examples(rules):
    # 8458.1 typed as text was 0845.81, chapter 8, "outside the catch-all", 許可不要 for a lathe with military use.
    for raw in ("8458.1", 8458.1, "84581", 84581):
        d = decide(rules, raw)
        assert d.code is L and d.item["class"] == "16(1)" and "CATCHALL-CONV-USE" in ids(d), raw
        assert d.item["hs"] == "8458.1"
    for raw in ("8542.9", 8542.9):
        assert decide(rules, raw).item["class"] == "16(2)"
    assert decide(rules, 8542.9).item["hs"] == "8542.90"
    for raw in ("8471.3", 8471.3, "847130", "8471.30"):
        assert decide(rules, raw).item["class"] == "16(2)"
    d = decide(rules, "854")
    assert d.code is R and ids(d)[0] == "CATCHALL-HS-MISSING" and "854" in d.reasons[0].ja
    assert "16の項(1)なら許可要" in d.reasons[0].ja


def test_text_number_csv_cli_and_functions_read_alike(rules, tmp_path, capsys):
    line = dict(country="中国", item="非該当", end_user="Clean Co", end_use="軍事", ship_date=date(2026, 1, 15))
    excel = Excel()
    for text, number in (("8458.1", 8458.1), ("8542.9", 8542.9), ("8471.30", 8471.3), ("0901.11", 901.11)):
        by_text = screening.decide(hs=text, **line)
        by_number = screening.decide(hs=number, **line)
        assert by_text.code == by_number.code and by_text.item["class"] == by_number.item["class"], text
        # Excel delivers numbers as floats and text as str
        args = ("中国", "非該当", number, "Clean Co", "軍事", None, None, date(2026, 1, 15))
        assert excel.call(functions.SCREEN, *args) == by_text.code.label
        assert excel.call(functions.SCREEN, *args[:2], text, *args[3:]) == by_text.code.label
        assert excel.call(functions.ITEM_CLASS, "非該当", number, date(2026, 1, 15)) == describe_item(
            rules, "非該当", text, date(2026, 1, 15)
        )
        # the command line
        assert (
            main(
                ["check", "--country", "中国", "--item", "非該当", "--hs", text, "--end-use", "military"]
                + ["--end-user", "Clean Co", "--date", "2026-01-15", "--json"]
            )
            == 0
        )
        out = json.loads(capsys.readouterr().out)
        assert out["decision"] == by_text.code.name and out["item"]["class"] == by_text.item["class"]
    # a csv file: every cell is text
    src = tmp_path / "orders.csv"
    src.write_text("仕向地,品目,HSコード,需要者,用途,出荷日\n中国,非該当,8458.1,Clean Co,軍事,2026-01-15\n", "utf-8")
    assert main(["screen", str(src), "--out", str(tmp_path / "out.csv")]) == 0
    assert ",許可要," in (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert excel.call(functions.ITEM_CLASS, "非該当", "8458.1") == "16の項(1)"
    assert excel.call(functions.ITEM_CLASS, "非該当", "0000.00").startswith("入力エラー: HSコード 0000.00")


# ---------------------------------------------------------------- the label never narrows the law


def test_a_16_2_or_16_label_on_a_16_1_good_is_corrected(rules):
    for label in ("16の項(2)", "16の項", "16", "１６の項（２）"):
        d = decide(rules, "8458.11", item=label)
        assert d.code is L and d.item["class"] == "16(1)", label
        assert ids(d)[:2] == ["CATCHALL-CONV-USE", "CATCHALL-LABEL-CORRECTED"]
        corrected = d.reasons[1]
        assert corrected.severity is N and corrected.topic == "goods"
        assert "HSコード 8458.11 は16の項(1)に当たるため、16の項(1)として判定しました" in corrected.ja
        assert "8458.11" in corrected.en and "16(1)" in corrected.en
        assert describe_item(rules, label, "8458.11", TODAY) == "16の項(1)"
    # civil use: the answer would be the same, the class is still corrected
    d = decide(rules, "8458.11", item="16の項(2)", end_use="民生")
    assert "CATCHALL-LABEL-CORRECTED" in ids(d) and d.item["class"] == "16(1)"
    # a prefix all in 16の項(1) corrects too
    assert "CATCHALL-LABEL-CORRECTED" in ids(decide(rules, "8458.1", item="16の項(2)"))


def test_a_stricter_label_stands_and_a_matching_one_says_nothing(rules):
    d = decide(rules, "3926.90", item="16の項(1)")
    assert d.code is L and d.item["class"] == "16(1)" and "CATCHALL-LABEL-CORRECTED" not in ids(d)
    d = decide(rules, "3926.90", item="16の項(2)")
    assert d.item["class"] == "16(2)" and "CATCHALL-LABEL-CORRECTED" not in ids(d)
    d = decide(rules, "8458.11", item="16の項(1)")
    assert d.item["class"] == "16(1)" and "CATCHALL-LABEL-CORRECTED" not in ids(d)
    assert decide(rules, "0901.11", item="16の項(2)").item["class"] == "16(2)"


def test_a_16_2_label_without_an_hs_code_is_not_taken_on_trust(rules):
    # 16の項(1) would need a licence (conventional military use), 16の項(2) would not: 要確認, never 許可不要.
    d = decide(rules, None, item="16の項(2)")
    assert d.code is R and ids(d)[0] == "CATCHALL-HS-MISSING"
    assert decide(rules, "8542", item="16の項(2)").code is R  # a prefix with 16の項(1) under it: the same
    # where the class does not change the answer, the label's class gives the reasons
    d = decide(rules, None, item="16の項(2)", country="ドイツ", end_use="民生")
    assert d.code is N and ids(d) == ["CATCHALL-GROUP-A"] and "16の項(2)" in d.reasons[0].ja
    assert decide(rules, None, item="16の項(1)").code is L


def test_before_2025_10_09_a_16_label_is_item_16(rules):
    d = decide(rules, "8458.11", item="16の項(2)", day=date(2025, 6, 1))
    assert d.item["class"] == "16" and "CATCHALL-LABEL-CORRECTED" not in ids(d)


# ---------------------------------------------------------------- properties

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
COUNTRIES = ["中国", "米国", "ドイツ", "アフガニスタン", "イラン", "インド", "ロシア"]
USERS = [None, "Clean Co", "WMD Lab", "Arms Works", "Maybe Corp"]
USES = [None, "民生", "軍事", "大量破壊兵器", "不明"]
INFORMS = [None, "wmd", "conventional"]
LABELS = ["16", "16の項", "16の項(1)", "16の項(2)", "１６の項（２）"]


def _subheadings(rules_):
    """Every HS 2022 subheading in a catch-all chapter, the 14条の2 ones first, and some outside."""
    nom = rules_.hs_nomenclature
    listed = [s for s in nom.codes[6] if engine._hs_16_1(rules_, s, "x") == "16(1)"]
    return listed + [s for s in nom.codes[6] if s not in listed]


def _variants(s: str) -> list:
    """Every way a clerk or Excel may write the subheading ``s`` short or long."""
    out: list = [
        s[:2],
        s[:3],
        s[:4],
        s[:5],
        f"{s[:4]}.{s[4:5]}",
        f"{s[:4]}.{s[4:]}-000",
        f"{s}000",
        f"{s[:2]}.{s[2:4]}",
    ]
    floats = [float(f"{s[:4]}.{s[4:]}"), float(f"{s[:4]}.{s[4]}")]  # Excel drops the zeros, the point stays
    # ... unless nothing follows it: 0205.00 is stored as 205, a whole number without its leading zero (below)
    out += [f for f in floats if s[0] != "0" or not f.is_integer()]
    if s[0] != "0":  # a whole number (Excel drops a leading zero: 0901 is another code, 901, not a variant)
        out += [int(s[:4]), int(s[:5]), int(s), int(f"{s}000")]
    return out


@functools.lru_cache(maxsize=1)
def subheadings() -> tuple[str, ...]:
    from exportscreen.rules import bundled

    return tuple(_subheadings(bundled()))


line = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "end_user": st.sampled_from(USERS),
        "end_use": st.sampled_from(USES),
        "inform": st.sampled_from(INFORMS),
        "ship_date": st.sampled_from([None, date(2024, 5, 1), date(2025, 10, 9), date(2026, 3, 1)]),
    }
)


@SETTINGS
@given(line=line, pick=st.integers(0, 10**6), listed_first=st.booleans())
def test_no_prefix_or_format_variant_turns_a_licence_or_a_check_into_no_licence(line, pick, listed_first, eul_rules):
    s = subheadings()[pick % (60 if listed_first else len(subheadings()))]
    base = screen(item="非該当", hs=s, **line, rules=eul_rules, today=TODAY)
    assert base.code is not X
    for v in _variants(s):
        d = screen(item="非該当", hs=v, **line, rules=eul_rules, today=TODAY)
        assert d.code is not X, (s, v, d.reason_text())
        if base.code is not N:
            assert d.code is not N, (s, v, line, base.reason_text(), d.reason_text())


@SETTINGS
@given(line=line, pick=st.integers(0, 10**6), listed_first=st.booleans(), label=st.sampled_from(LABELS))
def test_no_label_variant_turns_a_licence_or_a_check_into_no_licence(line, pick, listed_first, label, eul_rules):
    s = subheadings()[pick % (60 if listed_first else len(subheadings()))]
    base = screen(item="非該当", hs=s, **line, rules=eul_rules, today=TODAY)
    for hs in (s, s[:4], s[:5], f"{s[:4]}.{s[4]}", None):  # without an HS code the label is all there is
        d = screen(item=label, hs=hs, **line, rules=eul_rules, today=TODAY)
        if base.code is not N:
            assert d.code is not N, (s, hs, label, line, base.reason_text(), d.reason_text())


@SETTINGS
@given(line=line, pick=st.integers(0, 10**6), short=st.integers(2, 5))
def test_a_prefix_answers_no_licence_only_when_every_subheading_under_it_does(line, pick, short, eul_rules):
    s = subheadings()[pick % len(subheadings())]
    prefix = s[:short]
    d = screen(item="非該当", hs=prefix, **line, rules=eul_rules, today=TODAY)
    if d.code is N:
        for sub in eul_rules.hs_nomenclature.under(prefix):
            assert screen(item="非該当", hs=sub, **line, rules=eul_rules, today=TODAY).code is N, (prefix, sub)


def test_a_prefix_has_every_class_of_the_subheadings_under_it(rules):
    nom = rules.hs_nomenclature
    for day in (TODAY, date(2025, 1, 1)):
        for prefix in [*nom.codes[2], *nom.codes[4], *{s[:3] for s in nom.codes[6]}, *{s[:5] for s in nom.codes[6]}]:
            subs = nom.under(prefix)
            expected = set().union(*(item_class(rules, NOT_LISTED, s, day) for s in subs))
            assert item_class(rules, NOT_LISTED, prefix, day) == expected, prefix
