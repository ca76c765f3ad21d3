"""Placeholders are missing facts, not answers (issue 10 §2): what clerks type for a fact they do not know yet
(不明, 未定, TBD, N/A, -, ?, 0, None …) is read as "not known" — rules/placeholders.yaml."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO

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


@pytest.mark.parametrize("field", ["end_user", "end_use", "item"])
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
