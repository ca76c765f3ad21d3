"""Placeholders are missing facts, not answers (issue 10 §2): what clerks type for a fact they do not know yet
(不明, 未定, TBD, N/A, -, ?, 0, None …) is read as "not known" — rules/placeholders.yaml."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
import yaml
from conftest import REPO, StubList, read_rules_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exportscreen import engine
from exportscreen.engine import screen
from exportscreen.ids import InvalidInput
from exportscreen.ids.item_no import NOT_LISTED_WORDS
from exportscreen.ids.values import END_USES
from exportscreen.model import Code, Money
from exportscreen.rules import RulesError, load

# The words of the issue, per field: every one of them must be a placeholder there.
ISSUE_WORDS = [
    "不明",
    "未定",
    "未確認",
    "確認中",
    "TBD",
    "TBA",
    "N/A",
    "NA",
    "n/a",
    "?",
    "？",
    "-",
    "―",
    "ー",
    "0",
    "None",
    "null",
    "(空白)",
]
ITEM_WORDS = ["None", "-", "?", "未判定", "確認中"]
UNKNOWN_WORDS = ["不明", "未定", "未確認", "確認中", "TBD", "TBA", "?", "？"]  # "not known" (not "nothing written")


# ---------------------------------------------------------------- the vocabulary and its loader


@pytest.mark.parametrize("field", ["end_user", "end_use", "item", "value"])
def test_the_issue_words_are_placeholders(rules, field):
    words = ISSUE_WORDS + (ITEM_WORDS + ["未判定"] if field == "item" else [])
    assert [w for w in words if not rules.placeholders.match(field, w)] == []


def test_inform_placeholders_are_the_not_known_words_only(rules):
    """An inform is a notice the exporter has or has not received: 不明/TBD/? are refused, while "-", なし and N/A
    keep meaning "none received", like an empty inform cell."""
    assert all(rules.placeholders.match("inform", w) for w in UNKNOWN_WORDS)
    assert not any(rules.placeholders.match("inform", w) for w in ("-", "ー", "なし", "none", "n/a", "wmd"))


@pytest.mark.parametrize(
    "text",
    [
        "不明",
        " 不明 ",
        "ＴＢＤ",
        "tbd",
        "N / A",
        "（空白）",
        "??",
        "？？？",
        "--",
        "ー ー",
        "・",
        "0",
        "０",
        "不明?",
        "N/A TBD",
    ],
)
def test_folded_variants_are_placeholders(rules, text):
    assert rules.placeholders.match("end_user", text)


@pytest.mark.parametrize("text", ["不明（代理店経由）", "確認中 — 営業に照会", "?? ask sales", "未定(2027)"])
def test_a_cell_beginning_with_a_not_known_word_is_a_placeholder(rules, text):
    assert rules.placeholders.match("end_user", text) and rules.placeholders.match("end_use", text)


@pytest.mark.parametrize("text", ["非該当（確認中）", "非該当?", "該当なし(要確認)", "7の項(1)?", "非該当・未判定"])
def test_a_classification_still_open_anywhere_in_the_item_cell(rules, text):
    assert rules.placeholders.match("item", text)


@pytest.mark.parametrize(
    "field,text",
    [
        ("end_user", "Foo Co"),
        ("end_user", "WMD Lab"),
        ("end_user", "TBC Corporation"),  # a Latin not-known word makes only a whole cell one
        ("end_user", "Nakamura Trading"),
        ("end_user", "株式会社不二"),
        ("end_user", "0 Degrees Ltd"),
        ("item", "非該当"),
        ("item", "7の項(1)"),
        ("item", "NLR"),
        ("item", "該当なし"),
        ("end_use", "民生"),
        ("end_use", "軍事"),
        ("value", "40000"),
        ("value", "1,000"),
        ("value", "USD 100"),
        ("value", "5千円"),
    ],
)
def test_names_and_answers_are_not_placeholders(rules, field, text):
    assert not rules.placeholders.match(field, text)


@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dst)
    return dst


def _edit(folder, old, new):
    path = folder / "placeholders.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('"NaN", "0",', '"NaN", 0,', "group blank: 0 is not quoted text"),
        ('"None", "null",', '"None", null,', "group blank: None is not quoted text"),
        ('"空欄",', '"空欄", "-",', "group blank: '-' folds to nothing"),
        ("  end_use: {groups: [unknown, blank]}", "  end_use: {groups: [unknown, blanc]}", "unknown: ['blanc']"),
        ("  inform: {groups: [unknown]}\n", "", "fields must be end_user, end_use, item, inform"),
        ("  inform: {groups: [unknown]}", "  inform: {groups: [unknown], colour: red}", "unknown key 'colour'"),
        # a placeholder must never swallow an answer of its field
        ('"未分類", "判定待ち"]\n    leading', '"未分類", "判定待ち", "NLR"]\n    leading', "answer 'nlr'"),
        ('"なし", "無し"]', '"なし", "無し", "民生"]', "field end_use: the placeholders would read the answer '民生'"),
        ("  inform: {groups: [unknown]}", "  inform: {groups: [unknown, blank]}", "field inform"),
    ],
)
def test_the_loader_refuses_a_bad_vocabulary(folder, old, new, message):
    _edit(folder, old, new)
    with pytest.raises(RulesError, match=message.replace("(", r"\(").replace("[", r"\[").replace("?", r"\?")):
        load(folder)


def test_the_vocabulary_is_in_the_rules_version(folder):
    before = load(folder).version
    _edit(folder, '"未記入",', '"未記入", "記入なし",')
    after = load(folder)
    assert after.version != before and after.placeholders.match("end_user", "記入なし")


# ---------------------------------------------------------------- in decisions

TODAY = date(2026, 11, 25)
AFTER = date(2026, 1, 5)  # after the 2025-10-09 revision
L, N, R, P, X = Code.LICENSE_REQUIRED, Code.NO_LICENSE, Code.REVIEW, Code.PROHIBITED, Code.INVALID


class SpyList(StubList):
    """The stub End User List, remembering every name it was asked about."""

    def __init__(self):
        self.asked: list[str] = []

    def match(self, name, country=None):
        self.asked.append(name)
        return super().match(name, country)


@pytest.fixture
def spy(rules):
    engine.clear_caches()
    eul = SpyList()
    return rules.with_eul([eul]), eul


def _ids(d) -> list[str]:
    return [r.rule_id for r in d.reasons]


@pytest.mark.parametrize("word", [*ISSUE_WORDS, 0, 0.0, False, "  不明  ", "不明（代理店経由）", "ＴＢＤ"])
def test_a_placeholder_end_user_is_review_and_never_looked_up(spy, word):
    """Before issue 10, 不明 was looked up in the End User List, came back clean, and the line was 許可不要."""
    rules, eul = spy
    line = dict(country="中国", item="非該当", hs="8542.31", end_use="民生", ship_date=AFTER)
    clean = screen(**line, end_user="Clean Co", rules=rules, today=TODAY)
    assert clean.code == N  # a buyer on no list: cleared
    d = screen(**line, end_user=word, rules=rules, today=TODAY)
    assert d.code == R and "CATCHALL-USER-UNCHECKED" in _ids(d), d.reason_text()
    note = next(r for r in d.reasons if r.rule_id == "USER-PLACEHOLDER")
    typed = word.strip() if isinstance(word, str) else "FALSE" if word is False else "0"  # as a cell shows it
    assert note.severity == N and f"「{typed}」" in note.ja
    assert eul.asked == ["Clean Co"]


def test_a_placeholder_end_user_reads_as_an_empty_cell(spy):
    rules, _eul = spy
    for line in [
        dict(country="中国", item="6の項(2)", value_jpy=10000, end_use="民生"),  # small value: cannot be confirmed
        dict(country="アフガニスタン", item="非該当", hs="3926.90", end_use="民生"),  # 別表第三の二, 16の項(2)
        dict(country="米国", item="非該当", hs="8542.31", end_use="民生"),  # Group A: the buyer is not asked for
        dict(country="中国", item="非該当", hs="0901.11", end_use="民生"),  # outside the catch-all
    ]:
        empty = screen(**line, end_user=None, rules=rules, today=TODAY)
        d = screen(**line, end_user="未定", rules=rules, today=TODAY)
        assert d.code == empty.code and [i for i in _ids(d) if i != "USER-PLACEHOLDER"] == _ids(empty)


@pytest.mark.parametrize("word", [*ISSUE_WORDS, 0, "なし", "不明（営業に確認中）"])
def test_a_placeholder_end_use_is_unknown(rules, word):
    line = dict(country="中国", item="非該当", hs="8542.31", end_user="Clean Co", ship_date=AFTER)
    eul_rules = rules.with_eul([StubList()])
    d = screen(**line, end_use=word, rules=eul_rules, today=TODAY)
    assert d.code == R and _ids(d) == _ids(screen(**line, end_use=None, rules=eul_rules, today=TODAY))
    assert "CATCHALL-USE-UNKNOWN" in _ids(d)


@pytest.mark.parametrize("word", [*ITEM_WORDS, *ISSUE_WORDS, 0, "未判定", "非該当（確認中）", "非該当?", "該非確認中"])
def test_a_placeholder_item_is_an_input_error_naming_the_item(rules, word):
    """An unclassified good cannot be screened: 入力エラー asking for the 該非判定, never 非該当."""
    d = screen("米国", word, "0901.11", "Clean Co", "民生", value_jpy=100, rules=rules, today=TODAY)
    assert d.code == X and _ids(d) == ["INPUT-ITEM"], d.reason_text()
    assert "該非判定" in d.reasons[0].ja and "classification" in d.reasons[0].en
    with pytest.raises(InvalidInput) as exc:
        engine.describe_item(rules, word, "0901.11", TODAY)  # ITEM_CLASS
    assert exc.value.field == "item"


@pytest.mark.parametrize("word", UNKNOWN_WORDS)
def test_an_inform_not_known_is_an_input_error(rules, word):
    d = screen("米国", "非該当", "8542.31", "Clean Co", "民生", word, rules=rules, today=TODAY)
    assert d.code == X and _ids(d) == ["INPUT-INFORM"] and f"「{word}」" in d.reasons[0].ja


@pytest.mark.parametrize("word", ["-", "ー", "なし", "None", None])
def test_an_inform_of_none_is_still_none(rules, word):
    d = screen("米国", "非該当", "8542.31", "Clean Co", "民生", word, ship_date=AFTER, rules=rules, today=TODAY)
    assert d.code == N and "CATCHALL-GROUP-A" in _ids(d)


def test_the_end_use_vocabulary_agrees_with_the_placeholders(rules):
    """用途: the parser's own "unknown" words are placeholders; no civil, military or WMD word is one."""
    for key, words in END_USES.items():
        for w in words:
            assert rules.placeholders.match("end_use", w) == (key == "unknown"), (key, w)
    assert not any(rules.placeholders.match("item", w) for w in NOT_LISTED_WORDS)
    assert "none" not in NOT_LISTED_WORDS  # None is a placeholder, not a 非該当 word


def test_caches_are_keyed_on_the_rules_and_the_raw_value(folder, rules):
    """Memoised per rules object: a vocabulary with one more word decides the same raw value differently."""
    _edit(folder, '"未記入",', '"未記入", "記入なし",')
    more = load(folder)
    line = dict(country="中国", item="非該当", hs="8542.31", end_user="記入なし", end_use="民生", ship_date=AFTER)
    before = screen(**line, rules=rules.with_eul([StubList()]), today=TODAY)
    after = screen(**line, rules=more.with_eul([StubList()]), today=TODAY)
    assert before.code == N and after.code == R
    assert screen(**line, rules=rules.with_eul([StubList()]), today=TODAY).code == N


# ---------------------------------------------------------------- properties

VOCABULARY = yaml.safe_load((REPO / "rules" / "placeholders.yaml").read_text(encoding="utf-8"))


def _words(field: str) -> list[str]:
    groups = VOCABULARY["fields"][field]["groups"]
    out = [w for g in groups for w in VOCABULARY["groups"][g]["words"]]
    return out + [c for g in groups for c in VOCABULARY["groups"][g]["marks"]]


def _leading(field: str) -> list[str]:
    return [w for g in VOCABULARY["fields"][field]["groups"] for w in VOCABULARY["groups"][g]["leading"]]


FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@st.composite
def placeholder(draw, field: str):
    """A placeholder of ``field`` as a clerk might type it: any word of the vocabulary, in any case, full-width or
    not, in brackets or spaces, repeated marks, a not-known word leading a longer note; 0 as a number."""
    if field != "inform" and draw(st.integers(0, 12)) == 0:
        return draw(st.sampled_from([0, 0.0]))
    text = draw(st.sampled_from(_words(field)))
    text = draw(st.sampled_from([text, text.upper(), text.lower(), text.translate(FULL_WIDTH)]))
    if draw(st.booleans()):
        text = draw(st.sampled_from(["({})", "（{}）", " {} ", "{}?", "{}？", "[{}]", "「{}」"])).format(text)
    if field != "inform" and draw(st.booleans()):
        text = text + draw(st.sampled_from(["-", "ー", "", "・"])) * draw(st.integers(0, 3))
    if _leading(field) and draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from(_leading(field))) + draw(
            st.sampled_from(["（代理店経由）", " ask sales", "：2027年"])
        )
    if field == "item" and draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from(["非該当", "該当なし", "NLR"])) + draw(st.sampled_from(["（{}）", "{}"])).format(
            draw(st.sampled_from(_leading("item")))
        )
    return text


order_line = st.fixed_dictionaries(
    {
        "country": st.sampled_from(["米国", "ドイツ", "韓国", "中国", "タイ", "イラン", "アフガニスタン", "ロシア"]),
        "item": st.sampled_from(["非該当", "7の項(1)", "6の項(2)", "15の項(1)", "16の項(1)", "16の項(2)", "8の項"]),
        "hs": st.sampled_from([None, "8458.11", "3926.90", "0901.11", "8542.31", "8542", "85"]),
        "end_user": st.sampled_from([None, "Clean Co", "WMD Lab", "Arms Works", "Maybe Corp"]),
        "end_use": st.sampled_from([None, "civil", "military", "wmd", "unknown"]),
        "inform": st.sampled_from([None, "wmd", "conventional"]),
        "value_jpy": st.sampled_from([None, 40000, 900000, 5000000]),
        "ship_date": st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 12, 31)),
    }
)
REAL = {
    "end_user": [None, "Clean Co", "WMD Lab", "Arms Works", "Maybe Corp"],
    "end_use": ["civil", "military", "wmd"],
    "item": ["非該当", "7の項(1)", "6の項(2)", "16の項(1)", "16の項(2)"],
    "inform": [None, "wmd", "conventional"],
}
# A known WMD use of a good outside the catch-all, or to Group A, is reported (KNOW通達) or reviewed under the
# company's rules: a fact that is known, which an unknown use cannot raise. Everything else a real value of the
# field can raise — a licence, a prohibition, a missing fact — a placeholder must raise too.
KNOWN_USE_FLAGS = {"OUT-OF-SCOPE-WMD-USE", "GROUP-A-WMD-USE"}
SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


def _needs_something(d, field: str) -> bool:
    """The line needs a licence, is prohibited or needs a check (beyond a known-use report)."""
    if d.code in (L, P):
        return True
    return d.code == R and not (
        field == "end_use" and {r.rule_id for r in d.reasons if r.severity == R} <= KNOWN_USE_FLAGS
    )


@pytest.mark.parametrize("field", ["end_user", "end_use", "item", "inform"])
def test_no_placeholder_turns_a_line_needing_a_licence_or_a_check_into_no_licence(field, eul_rules):
    @SETTINGS
    @given(line=order_line, p=placeholder(field))
    def check(line, p):
        d = screen(**{**line, field: p}, rules=eul_rules, today=TODAY)
        if d.code != N:
            return
        for v in REAL[field]:
            real = screen(**{**line, field: v}, rules=eul_rules, today=TODAY)
            assert not _needs_something(real, field), (field, p, v, line, d.reason_text(), real.reason_text())

    check()


@SETTINGS
@given(line=order_line, p=placeholder("end_user"))
def test_a_placeholder_end_user_decides_as_an_empty_cell_and_is_never_looked_up(line, p, rules):
    eul = SpyList()
    r = rules.with_eul([eul])
    d = screen(**{**line, "end_user": p}, rules=r, today=TODAY)
    empty = screen(**{**line, "end_user": None}, rules=r, today=TODAY)
    assert d.code == empty.code and [i for i in _ids(d) if i != "USER-PLACEHOLDER"] == _ids(empty)
    assert eul.asked == []


@SETTINGS
@given(line=order_line, p=placeholder("end_use"))
def test_a_placeholder_end_use_decides_as_unknown(line, p, eul_rules):
    assert screen(**{**line, "end_use": p}, rules=eul_rules, today=TODAY) == screen(
        **{**line, "end_use": "unknown"}, rules=eul_rules, today=TODAY
    )


@SETTINGS
@given(line=order_line, field=st.sampled_from(["item", "inform"]), data=st.data())
def test_a_placeholder_item_or_inform_is_an_input_error(line, field, data, eul_rules):
    p = data.draw(placeholder(field))
    d = screen(**{**line, field: p}, rules=eul_rules, today=TODAY)
    assert d.code == X and _ids(d) == [f"INPUT-{field.upper()}"], (p, d.reason_text())


@SETTINGS
@given(line=order_line, p=placeholder("value"))
def test_a_placeholder_value_decides_as_no_value_and_says_what_was_typed(line, p, eul_rules):
    """不明, TBD, -, N/A, 0 … in the value column: the line is decided as one without a value (never a value of 0
    within the small-value limit), and the note names the cell as typed instead of saying it is empty."""
    d = screen(**{**line, "value_jpy": p}, rules=eul_rules, today=TODAY)
    empty = screen(**{**line, "value_jpy": None}, rules=eul_rules, today=TODAY)
    ours = {"SMALL-VALUE-PLACEHOLDER", "SMALL-VALUE-ZERO"}
    assert d.code == empty.code
    assert [i if i not in ours else "SMALL-VALUE-NO-VALUE" for i in _ids(d)] == _ids(empty)
    if "SMALL-VALUE-NO-VALUE" in _ids(empty):
        (note,) = [r for r in d.reasons if r.rule_id in ours]
        assert str(p).strip() in note.ja or str(p).translate(FULL_WIDTH) in note.ja or isinstance(p, (int, float))


@pytest.mark.parametrize(
    ("value", "rid"),
    [
        ("不明", "SMALL-VALUE-PLACEHOLDER"),
        ("TBD", "SMALL-VALUE-PLACEHOLDER"),
        ("-", "SMALL-VALUE-PLACEHOLDER"),
        ("N/A", "SMALL-VALUE-PLACEHOLDER"),
        (0, "SMALL-VALUE-ZERO"),
        ("０", "SMALL-VALUE-ZERO"),
        ("0円", "SMALL-VALUE-ZERO"),
        (Money("不明", "USD"), "SMALL-VALUE-PLACEHOLDER"),
    ],
)
def test_a_listed_good_within_the_limit_needs_its_value(rules, value, rid):
    """7の項(1) to the US: ¥40,000 is within the small-value limit (許可不要); a value not known, or 0 (goods
    given free still have a value), is never read as within it: 許可要 with the note naming the cell."""
    line = {"country": "米国", "item": "7の項(1)", "ship_date": date(2026, 4, 1)}
    assert screen(**line, value_jpy=40000, rules=rules, today=TODAY).code == N
    d = screen(**line, value_jpy=value, rules=rules, today=TODAY)
    assert d.code == L and rid in _ids(d), d.reason_text()


# ---------------------------------------------------------------- deleted sub-items (issue 10 §3)

DELETED = [("5", "2"), ("5", "9"), ("9", "4"), ("9", "9"), ("14", "4"), ("14", "8")]


def test_the_deleted_sub_items_are_those_the_data_marks_deleted(rules):
    _cols, rows = read_rules_csv(REPO / "rules" / "beppyo1_subitems.csv")
    assert sorted((r["kou"], r["sub"]) for r in rows if r["name_ja"] == "削除") == sorted(DELETED)
    assert sorted(k for k, s in rules.subitems.items() if s.name_ja == engine.DELETED) == sorted(DELETED)


@pytest.mark.parametrize("kou,sub", DELETED)
@pytest.mark.parametrize("form", ["{k}の項({s})", "{k}({s})", "{k}-{s}", "{k}の項{s}", "{k}の項({s})イ", "FULL"])
def test_a_deleted_sub_item_is_an_input_error_never_a_listing_or_small_value(rules, kou, sub, form):
    text = f"{kou}の項（{sub}）".translate(FULL_WIDTH) if form == "FULL" else form.format(k=kou, s=sub)
    for country, value in [("米国", 1), ("中国", 1), ("ドイツ", 5_000_000), ("イラン", None)]:
        d = screen(country, text, None, "Clean Co", "民生", value_jpy=value, rules=rules, today=TODAY)
        assert d.code == X and _ids(d) == ["INPUT-ITEM"], (text, d.reason_text())
        assert f"{kou}の項({sub})は削除された項番です" in d.reasons[0].ja and "deleted" in d.reasons[0].en
    with pytest.raises(InvalidInput, match="deleted"):
        engine.describe_item(rules, text, None, TODAY)  # ITEM_CLASS


@pytest.mark.parametrize("text,hint", [("14の項(4の2)", "3"), ("5の項(2の2)", "1"), ("9の項(9の2)", "10")])
def test_a_deleted_sub_item_is_never_suggested(rules, text, hint):
    d = screen("米国", text, rules=rules, today=TODAY)
    assert d.code == X and d.reasons[0].ja.endswith(f"の項({hint})）"), d.reasons[0].ja


@SETTINGS
@given(line=order_line, deleted=st.sampled_from(DELETED))
def test_a_deleted_sub_item_is_never_decided(line, deleted, eul_rules):
    d = screen(**{**line, "item": f"{deleted[0]}の項({deleted[1]})"}, rules=eul_rules, today=TODAY)
    assert d.code == X and _ids(d) == ["INPUT-ITEM"]
