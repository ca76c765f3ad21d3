"""The technology decision table crossed (issue 16 §7): who is provided with it (居住性 × 特定類型 × where) × 項番
class × destination group × exemption × inform × pre-report, every combination against the decision issue 16 §2–§3
asks for, written here as a table of rules rather than taken from the engine. The use and user facts are those of a
clean line (a recipient on no list, civil use), so the cells test the dimensions named, and each decision is also
checked to explain itself (the reasons that make it). tests/engine/test_technology.py has one row per legal point;
this file makes sure no combination of them falls through to 許可不要 where it must not."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from exportscreen.engine import screen, screen_technology
from exportscreen.model import Code

TODAY = date(2026, 11, 25)  # after the pre-report scheme began (2024-12-30) and the 2025-10-09 revision
L, N, R, P, E = Code.LICENSE_REQUIRED, Code.NO_LICENSE, Code.REVIEW, Code.PROHIBITED, Code.REPORT_REQUIRED

# who is provided with it, and where: (fields; how the destination is reached)
WHO = {
    "abroad-nonresident": ({"residency": "非居住者"}, "at"),  # provided abroad, to a non-resident there
    "abroad-resident": ({"residency": "居住者"}, "at"),  # abroad: controlled whoever receives it
    "jp-resident": ({"residency": "居住者", "specific_type": "なし"}, "domestic"),  # not a controlled provision
    "jp-deemed": ({"residency": "居住者", "specific_type": "①"}, "influence"),  # みなし輸出: the influencing country
    "jp-nonresident": ({"residency": "非居住者"}, "influence"),  # a non-resident in Japan: of which country
    "jp-type-missing": ({"residency": "居住者"}, "unknown"),  # a resident in Japan, 特定類型 not given
}
# 項番 class: (item, HS of the goods it is for)
CLASSES = {
    "listed": ("7の項(1)", None),
    "16": ("16の項", "8532.24"),
    "nlr-in-scope": ("非該当", "8532.24"),  # chapter 85: 16の項 technology
    "nlr-out-of-scope": ("非該当", "0901.11"),  # chapter 9: no item of 外為令別表
}
DESTS = {"A": "米国", "general": "中国", "un-embargo": "アフガニスタン", "kp": "北朝鮮", "ru": "ロシア"}
EXEMPTIONS = {"none": None, "public": "公知"}  # 貿易外省令9条2項 公知の技術 ([S]): also outside the pre-report
INFORMS = {"none": "なし", "wmd": "大量破壊兵器"}
PREREPORT = {  # a designated technology (MLCC, 告示178号) for a joint venture abroad
    "not-designated": {"critical_tech": "なし"},
    "due": {"critical_tech": "MLCC", "purpose": "合弁"},
    "reported": {"critical_tech": "MLCC", "purpose": "合弁", "report_date": "2026-10-01"},
}
CLEAN = {"recipient": "Clean Co", "end_use": "民生"}


def _line(who, cls, dest, exemption, inform, pre) -> dict:
    fields, reach = WHO[who]
    item, hs = CLASSES[cls]
    line = {**CLEAN, **fields, "item": item, "hs": hs, "inform": INFORMS[inform], **PREREPORT[pre]}
    if EXEMPTIONS[exemption]:
        line["exemption"] = EXEMPTIONS[exemption]
    if reach == "at":
        line["country"] = DESTS[dest]
    else:
        line["country"] = "日本"
        if reach == "influence":
            line["influence_country"] = DESTS[dest]
    return line


def _expected(who, cls, dest, exemption, inform, pre) -> tuple[Code, set[str]]:
    """Issue 16 §2–§3 as a table: (decision, reason ids that must be among the reasons)."""
    reach = WHO[who][1]
    if reach == "domestic":  # a resident in Japan of no 特定類型: not controlled, whatever else (§2)
        return N, {"TECH-DOMESTIC-RESIDENT"}
    codes: list[tuple[Code, str]] = []
    if reach == "unknown":  # the 特定類型 decides whether it is controlled: 要確認 naming it
        codes.append((R, "TECH-SPECIFIC-TYPE-UNKNOWN"))
    else:
        # sanctions overlays (§2 last point): North Korea all technology; Russia listed technology prohibited,
        # the other measures 要確認 naming them
        if dest == "kp":
            codes.append((P, "TECH-SANCTION-KP-ALL"))
        if dest == "ru":
            codes.append((P, "TECH-SANCTION-RU-LISTED") if cls == "listed" else (R, "TECH-SANCTION-RU-OTHER"))
    if exemption == "public":  # a valid exemption: 許可不要 naming it (and the technology is outside the scheme)
        codes.append((N, "TECH-EXEMPTION"))
    elif cls == "listed":  # 外為令別表 1–15: every destination, no small-value relief
        codes.append((L, "TECH-LISTED"))
    elif cls == "nlr-out-of-scope":
        codes.append((N, "TECH-NOT-CONTROLLED"))
        if inform != "none":  # an inform for technology in no item: which technology does it cover? (as goods)
            codes.append((R, "TECH-OUT-OF-SCOPE-INFORM"))
    elif reach == "unknown":  # 16の項: the destination whose rules apply is not known
        codes.append((R, "TECH-CATCHALL-DEST-UNKNOWN"))
    elif dest == "A":  # Group A: only an inform requires a licence (25条2項)
        codes.append((L, "TECH-CATCHALL-GROUP-A-INFORM") if inform != "none" else (N, "TECH-CATCHALL-GROUP-A"))
    elif inform != "none":  # elsewhere: the WMD inform
        codes.append((L, "TECH-CATCHALL-inform_wmd"))
    else:  # use and user checked clean
        codes.append((N, "TECH-CATCHALL-CLEAR"))
    # the pre-report (§3): independent of licensing; not to Group A; not for a 公知 technology; blocked until the
    # report date is given
    if pre != "not-designated" and exemption == "none":
        if reach == "unknown":
            codes.append((N, "TECH-PREREPORT-DEST-UNKNOWN"))
        elif dest == "A":
            codes.append((N, "TECH-PREREPORT-GROUP-A"))
        elif pre == "due":
            codes.append((E, "TECH-PREREPORT-REQUIRED"))
        else:
            codes.append((N, "TECH-PREREPORT-DONE"))
    code = max((c for c, _ in codes), key=lambda c: c.severity)
    return code, {rid for _, rid in codes}


CELLS = list(itertools.product(WHO, CLASSES, DESTS, EXEMPTIONS, INFORMS, PREREPORT))


def test_the_table_is_complete():
    assert len(CELLS) == 6 * 4 * 5 * 2 * 2 * 3
    decided = {_expected(*c)[0] for c in CELLS}
    assert decided == {L, N, R, P, E}  # every decision a technology line can get, but 入力エラー


@pytest.mark.parametrize("who", WHO)
def test_technology_decisions_crossed(who, eul_rules):
    wrong = []
    for cell in (c for c in CELLS if c[0] == who):
        line = _line(*cell)
        d = screen_technology(**line, rules=eul_rules, today=TODAY)
        code, ids = _expected(*cell)
        got = {r.rule_id for r in d.reasons}
        if d.code is not code or not ids <= got:
            missing = sorted(ids - got)
            wrong.append(f"{cell}: {d.code.name} (expected {code.name}, {missing} missing)\n{d.reason_text()}")
        assert d.reasons[0].severity is d.code and d.item["kind"] == "technology"
    assert not wrong, "\n\n".join(wrong[:5]) + f"\n… {len(wrong)} cells"


def test_kind_goods_and_technology_differ_where_the_law_does(eul_rules):
    """The kind dimension: the same facts screened as goods (輸出令) and as technology (外為令) — a listed item needs
    a licence (or is prohibited) under both, to every destination; the pre-report is technology's alone."""
    for dest in DESTS.values():
        goods = screen(dest, "7の項(1)", None, "Clean Co", "民生", rules=eul_rules, today=TODAY)
        tech = screen_technology(dest, item="7の項(1)", residency="非居住者", **CLEAN, rules=eul_rules, today=TODAY)
        assert goods.code.severity >= L.severity and tech.code.severity >= L.severity, dest
    line = {"country": "中国", "item": "非該当", "hs": "8532.24", **CLEAN, "critical_tech": "MLCC", "purpose": "合弁"}
    assert screen_technology(**line, residency="非居住者", rules=eul_rules, today=TODAY).code is E
    goods = screen("中国", "非該当", "8532.24", "Clean Co", "民生", rules=eul_rules, today=TODAY)
    assert goods.code is N
