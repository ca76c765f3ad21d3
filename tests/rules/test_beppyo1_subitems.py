"""rules/beppyo1_subitems.csv: the （n） sub-items of 輸出貿易管理令 別表第一, items 1–15."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import read_rules_csv

REPO = Path(__file__).resolve().parents[2]
CSV_PATH = REPO / "rules" / "beppyo1_subitems.csv"
REFERENCE = REPO.parent / "shared" / "reference" / "jp-list-control.json"

COLUMNS = ["kou", "sub", "name_ja", "name_en", "source"]
KOU = ["1", "2", "3", "3の2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"]
ARTICLE = {"2": "第1条", "3": "第2条", "3の2": "第2条の2", **{str(k): f"第{k - 1}条" for k in range(4, 16)}}
NUM = re.compile(r"^[1-9][0-9]*(の[1-9][0-9]*)?$")


@pytest.fixture(scope="module")
def table():
    return read_rules_csv(CSV_PATH)


@pytest.fixture(scope="module")
def rows(table):
    return table[1]


@pytest.fixture(scope="module")
def by_key(rows):
    return {(r["kou"], r["sub"]): r for r in rows}


def test_provenance_header():
    head = [ln for ln in CSV_PATH.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    text = "\n".join(head)
    assert "https://laws.e-gov.go.jp/law/324CO0000000378" in text
    assert "https://laws.e-gov.go.jp/law/403M50000400049" in text
    assert "2025-10-09" in text and "2026-11-25" in text
    assert "exportscreen's own summaries" in text


def test_columns(table):
    assert table[0] == COLUMNS


def test_values_are_strings_in_canonical_form(rows):
    for r in rows:
        assert r["kou"] in KOU, r
        assert r["sub"] == "" or NUM.match(r["sub"]), r
        assert unicodedata.normalize("NFKC", r["sub"]) == r["sub"], r  # half-width digits
        for v in r.values():
            assert v == v.strip(), r


def test_every_item_present(rows):
    assert {r["kou"] for r in rows} == set(KOU)


def test_no_duplicates(rows):
    keys = [(r["kou"], r["sub"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_empty_sub_only_for_items_without_subitems(rows):
    # 8の項 has no （n） in the Order; every other item is listed by sub-item.
    empty = {r["kou"] for r in rows if r["sub"] == ""}
    assert empty == {"8"}
    assert [r for r in rows if r["kou"] == "8"] and len([r for r in rows if r["kou"] == "8"]) == 1


def test_names(rows):
    for r in rows:
        assert r["name_ja"].strip() and len(r["name_ja"]) <= 30, r
        assert r["name_en"].strip() and len(r["name_en"]) <= 80, r


def test_source_cites_order_and_ordinance(rows):
    for r in rows:
        ref = f"{r['kou']}の項({r['sub']})" if r["sub"] else f"{r['kou']}の項"
        assert r["source"].startswith(f"輸出令別表第一 {ref}"), r
        if r["kou"] == "1":
            assert "貨物等省令" not in r["source"], r
        elif r["name_ja"] != "削除" and (r["kou"], r["sub"]) != ("14", "6"):
            assert r["source"].endswith(f"貨物等省令{ARTICLE[r['kou']]}"), r


def test_order_within_item_is_numeric(rows):
    def key(sub):
        a, _, b = sub.partition("の")
        return (int(a or 0), int(b or 0))

    for kou in KOU:
        subs = [r["sub"] for r in rows if r["kou"] == kou]
        assert subs == sorted(subs, key=key), kou


@pytest.mark.parametrize(
    "kou,sub,needle",
    [
        ("7", "1", "集積回路"),
        ("6", "2", "数値制御工作機械"),
        ("2", "12", "工作機械"),
        ("3の2", "1", "生物"),
        ("1", "1", "銃砲"),
        ("1", "13の2", "除染"),
        ("1", "17", "人工衛星"),
        ("7", "8の3", "半導体"),
        ("4", "1の2", "無人航空機"),
        ("8", "", "電子計算機"),
    ],
)
def test_spot_checks(by_key, kou, sub, needle):
    assert (kou, sub) in by_key
    assert needle in by_key[(kou, sub)]["name_ja"]


def test_subitem_counts(rows):
    count = {k: sum(1 for r in rows if r["kou"] == k) for k in KOU}
    assert count["1"] == 18 and count["2"] == 54 and count["7"] == 32 and count["8"] == 1


# --- cross-check against the third-party parse in ../shared/reference (read in place, never copied) ---

_KANJI = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _kanji_number(s: str) -> str:
    """'十三' -> '13', '一五' -> '15', '三十五' -> '35'; digits pass through."""
    if s.isdigit():
        return str(int(s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return str((_KANJI[tens] if tens else 1) * 10 + (_KANJI[ones] if ones else 0))
    return str(int("".join(str(_KANJI[c]) for c in s)))


def _norm_number(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).strip()
    return "の".join(_kanji_number(p) for p in s.split("の")) if s else ""


_LABEL = re.compile(
    r"^(?P<kou>[0-9〇一二三四五六七八九十]+(?:の[0-9〇一二三四五六七八九十]+)?)の項"
    r"(?:\((?P<sub>[0-9〇一二三四五六七八九十]+(?:の[0-9〇一二三四五六七八九十]+)?)\))?"
)


def reference_keys():
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    subs: dict[str, set[str]] = {}
    skipped = []
    for row in data["appendix1"]:
        label = unicodedata.normalize("NFKC", row.get("label", ""))
        m = _LABEL.match(label)
        kou = _norm_number(m["kou"]) if m else _norm_number(str(row.get("kou", "")))
        if kou not in KOU:
            continue
        sub = _norm_number(m["sub"]) if m and m["sub"] else ""
        if not sub and row.get("sub"):
            sub = _norm_number(str(row["sub"]).split("-")[0])
        subs.setdefault(kou, set())
        if sub:
            subs[kou].add(sub)
        else:
            skipped.append(label)
    keys = {(k, s) for k, ss in subs.items() for s in ss}
    keys |= {(k, "") for k, ss in subs.items() if not ss}
    return keys, skipped


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference not available")
def test_same_subitems_as_reference_parse(rows):
    ours = {(r["kou"], r["sub"]) for r in rows}
    ref, _ = reference_keys()
    assert ours == ref, f"only ours: {sorted(ours - ref)}; only reference: {sorted(ref - ours)}"
