"""The technology law data: 外為令別表 (gaitamerei_beppyo.yaml), the technology catch-all, exemptions, 特定類型
and 提供方法 (technology_provision.yaml), the pre-report scheme (prereport_technologies.yaml); the loader's refusals."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date

import pytest
from conftest import REPO
from test_beppyo1_subitems import _norm_number

from exportscreen.ids.item_no import parse as parse_item
from exportscreen.rules import (
    EXEMPTION_IDS,
    METHOD_IDS,
    SPECIFIC_TYPE_IDS,
    RulesError,
    load,
)

REFERENCE = REPO.parent / "shared" / "reference" / "jp-list-control.json"

# The sub-items of each item as the facts note lists them from the law text (technology-and-licences.md §A1), written
# out here independently of the data: "" = an item without sub-items; deleted ones are checked separately.
EXPECTED = {
    "1": [""],
    "2": ["1", "2"],
    "3": ["1", "2"],
    "3の2": ["1", "2"],
    "4": ["1", "2", "3", "4", "5"],
    "5": ["1", "2", "3", "4", "5", "6", "7", "8"],
    "6": ["1", "2", "3", "4", "5", "6"],
    "7": ["1", "2", "3", "4", "5"],
    "8": ["1", "2"],
    "9": ["1", "2", "3", "4"],
    "10": ["1", "2", "3", "4", "5", "6", "7"],
    "11": ["1", "2", "3", "4"],
    "12": ["1", "2", "3"],
    "13": ["1", "2", "3", "4", "5"],
    "14": [""],
    "15": ["1", "2", "3", "4", "5", "5の2", "6"],
    "16": [""],
}
DELETED = {("5", "6"), ("10", "5"), ("11", "3"), ("15", "2")}
NO_ORDINANCE = {("1", ""), ("3", "1"), ("3の2", "1")}  # 中欄 needs no 省令 spec


@pytest.fixture(scope="module")
def tech(rules):
    return rules.technology


def test_items_and_subitems_are_those_of_the_law(tech):
    assert list(tech.items) == list(EXPECTED)
    assert {k: [s for kk, s in tech.subitems if kk == k] for k in tech.items} == EXPECTED
    assert tech.text_as_of == date(2026, 6, 5)


def test_the_area_is_all_destinations_except_for_16(tech):
    assert {k for k, i in tech.items.items() if i.area == "all_but_group_a"} == {"16"}
    assert all(i.area == "all" for k, i in tech.items.items() if k != "16")


def test_every_record_cites_its_item_of_the_law(tech):
    for item in tech.items.values():
        assert item.source.startswith(f"外為令別表 {item.kou}の項") and "[V]" in item.source, item
        assert item.name_ja and item.name_en
    for s in tech.subitems.values():
        assert s.source.startswith(f"外為令別表 {s.code}") and "[V]" in s.source, s


def test_deleted_subitems_are_marked(tech):
    deleted = {k for k, s in tech.subitems.items() if s.deleted}
    assert deleted == DELETED
    for key in deleted:
        s = tech.subitems[key]
        assert s.name_ja == "削除" and "削除" in s.source and not s.phases and not s.goods and not s.ordinance
    assert all(s.name_ja != "削除" and s.phases for k, s in tech.subitems.items() if k not in DELETED)


@pytest.mark.parametrize("spelling", ["{kou}の項({sub})", "{kou}({sub})", "{kou}項（{sub}）", "{kou}-{sub}"])
def test_codes_parse_as_goods_codes_do(tech, spelling):
    for (kou, sub), s in tech.subitems.items():
        text = spelling.format(kou=kou, sub=sub) if sub else f"{kou}の項"
        code = parse_item(text)
        assert (code.kou, code.sub or "") == (kou, sub), text
        assert code.format() == s.code


def test_goods_references_exist_and_sub_items_beyond_the_goods_list_are_known(tech, rules):
    for s in tech.subitems.values():
        for kou, sub in s.goods:
            assert kou in rules.items and (not sub or (kou, sub) in rules.subitems), s
    beyond = {s.code for s in tech.subitems.values() if not s.deleted and not s.goods}
    assert {"2の項(2)", "7の項(3)", "13の項(4)", "13の項(5)"} <= beyond  # facts §A1: reach beyond the goods list
    assert tech.subitems[("7", "2")].goods == (("7", "16"),) and tech.subitems[("3の2", "1")].phases == {
        "design",
        "manufacture",
    }


def test_ordinance_articles_follow_the_article_table(tech):
    # facts §2.1: 2の項 → 第15条, 3 → 第15条の2, 3の2 → 第15条の3, 4–15 → 第16条–第27条, 16 → 第28条
    article = {"2": "第15条", "3": "第15条の2", "3の2": "第15条の3", "16": "第28条"}
    article |= {str(k): f"第{k + 12}条" for k in range(4, 16)}
    for key, s in tech.subitems.items():
        if key in NO_ORDINANCE or s.deleted:
            assert s.ordinance == "", s
        else:
            assert re.fullmatch(rf"貨物等省令{article[s.kou]}(第\d項)?", s.ordinance), s


def test_the_catchall_is_the_goods_chapters_and_stricter_where_unverified(tech, rules):
    ca = tech.catchall
    assert ca.item == "16" and ca.end_user_list
    assert all(rule.chapters == ca.chapters for rule in rules.chapter_rules)
    assert {25, 40, 54, 59, 63, 68, 93, 95} <= ca.chapters and not {24, 41, 53, 60, 94, 96} & ca.chapters
    assert ca.requirements["group_a"].requires == {"inform_wmd", "inform_conventional"}
    everything = {"wmd_use", "wmd_user", "inform_wmd", "conventional_use", "conventional_user", "inform_conventional"}
    assert ca.requirements["un_arms_embargo"].requires == everything
    other = ca.requirements["other"]
    assert other.requires == everything and other.mark.startswith("[U] stricter reading")
    assert [i.period.valid_from for i in ca.informs] == [date(2024, 10, 30)]


def test_exemptions_are_the_cli_vocabulary_with_marks_and_sources(tech):
    assert set(tech.exemptions) == set(EXEMPTION_IDS)
    for e in tech.exemptions.values():
        assert e.clause_mark in ("[V]", "[S]", "[U]") and e.mark in ("[V]", "[S]", "[U]"), e
        assert e.clause.startswith("貿易外省令9条2項") and e.source.startswith("[S]") and e.ja and e.en, e
    assert tech.exemptions["public"].clause == "貿易外省令9条2項9号"
    assert tech.exemptions["basic-research"].clause == "貿易外省令9条2項10号"
    assert {e.id for e in tech.exemptions.values() if e.clause_mark == "[U]"} == {"minimum-use", "mass-market"}
    assert tech.exemptions["mass-market"].not_for == {"9"}  # [U] crypto limit, stricter reading


@pytest.mark.parametrize(
    "text,eid",
    [
        ("公知", "public"),
        ("ＰＵＢＬＩＣ", "public"),
        ("基礎研究", "basic-research"),
        ("特許出願", "patent"),
        ("必要最小限", "minimum-use"),
        ("市販プログラム", "mass-market"),
        ("mass-market", "mass-market"),
    ],
)
def test_exemptions_are_found_by_what_clerks_type(tech, text, eid):
    assert tech.exemption(text).id == eid


def test_unknown_words_are_not_an_exemption_method_or_technology(tech):
    assert tech.exemption("社内規程") is None and tech.method("伝書鳩") is None and tech.critical_tech("DRAM") is None


def test_specific_types_from_the_2022_revision(tech):
    assert list(tech.specific_types) == list(SPECIFIC_TYPE_IDS)
    for t in tech.specific_types.values():
        assert t.period.valid_from == date(2022, 5, 1) and t.period.valid_to is None
        assert t.mark.startswith("[S]") and "[S]" in t.period.source and t.ja and t.en
    assert "25%" in tech.specific_types["2"].ja


@pytest.mark.parametrize(
    "text,mid,act",
    [
        ("書面", "document", "provision"),
        ("Ｅメール", "email", "transmission"),
        ("データ送信", "data_transmission", "transmission"),
        ("媒体の持出し", "media", "media"),
        ("口頭/技術指導", "oral", "provision"),
        ("研修受入れ", "trainee", "provision"),
    ],
)
def test_methods_are_the_issue_vocabulary(tech, text, mid, act):
    assert set(tech.methods) == set(METHOD_IDS)
    m = tech.method(text)
    assert (m.id, m.act) == (mid, act) and "外為法25条" in m.source


def test_prereport_scheme_dates_sources_and_the_ten_technologies(tech, rules):
    p = tech.prereport
    assert p.period.valid_from == date(2024, 12, 30) and p.not_to == "group_a"
    assert p.ref == "外為法55条の8; 外為令18条の8第1項" and p.penalty_ref.startswith("外為法71条9号")
    assert set(p.channels) == {"subsidiary", "joint_venture", "outsourcing", "licensing"}
    assert set(p.exclusions) == {"public", "basic-research", "minimum-use"}
    assert len(p.technologies) == 10 and not p.list_verified  # the 告示 text was not read
    for t in p.technologies.values():
        assert t.mark == "[S]" and "令和6年経済産業省告示第178号" in t.period.source
        assert t.period.valid_from == date(2024, 12, 30) and t.name_ja.endswith("の設計・製造技術")
    assert tech.critical_tech("積層セラミックコンデンサ").id == "CT01"
    assert tech.critical_tech("ct10") == tech.critical_tech("電子顕微鏡") == p.technologies["CT10"]
    assert rules.lists[p.not_to].contains("US", date(2025, 1, 1))


def test_technology_dates_take_part_in_the_rules_version(rules):
    assert rules.latest_effective >= date(2024, 12, 30)
    assert {"gaitamerei_beppyo.yaml", "technology_provision.yaml", "prereport_technologies.yaml"} <= set(rules.files)


# --- the loader refuses what it does not understand, naming the file and the record ---


@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dst)
    return dst


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "gaitamerei_beppyo.yaml",
            "phases: [use], goods: [], ordinance: 貨物等省令第15条第2項",
            "phases: [usage], goods: [], ordinance: 貨物等省令第15条第2項",
            "gaitamerei_beppyo.yaml subitem 3 (2の項(2)): phase 'usage' is not one of design, manufacture, use",
        ),
        (
            "gaitamerei_beppyo.yaml",
            '{kou: "5", sub: "6", deleted: true, source: "外為令別表 5の項(6) 削除 [V]"}',
            '{kou: "5", sub: "6", deleted: true, name_ja: 何か, source: "外為令別表 5の項(6) 削除 [V]"}',
            "gaitamerei_beppyo.yaml subitem 18 (5の項(6)): a deleted sub-item has no name_ja",
        ),
        (
            "gaitamerei_beppyo.yaml",
            'goods: ["7の項(16)"]',
            'goods: ["7の項(99)"]',
            "gaitamerei_beppyo.yaml subitem 28 (7の項(2)): goods '7の項(99)' is not an item or sub-item of 別表第一",
        ),
        (
            "gaitamerei_beppyo.yaml",
            '{kou: "9", sub: "4", name_ja',
            '{kou: "9", sub: "4", colour: red, name_ja',
            "gaitamerei_beppyo.yaml subitem 37 (9の項(4)): unknown key 'colour'",
        ),
        (
            "gaitamerei_beppyo.yaml",
            '{kou: "15", sub: "5の2",',
            '{kou: "15", sub: "5-2",',
            "gaitamerei_beppyo.yaml subitem 63 (15の項(5-2)): sub '5-2' is not a sub-item number",
        ),
        (
            "gaitamerei_beppyo.yaml",
            "area: all_but_group_a",
            "area: everywhere",
            "gaitamerei_beppyo.yaml item 17 (16): area 'everywhere' is not one of all, all_but_group_a",
        ),
        (
            "technology_provision.yaml",
            'chapters: "25-40, 54-59, 63, 68-93, 95"',
            'chapters: "25-40, 54-59, 63, 68-92, 95"',
            "technology_provision.yaml catchall: chapters differ from catchall_scope.yaml",
        ),
        (
            "technology_provision.yaml",
            "requires: [inform_wmd, inform_conventional]",
            "requires: [inform_wmd, conventional_use]",
            "technology_provision.yaml catchall: to Group A only an inform can require a licence",
        ),
        (
            "technology_provision.yaml",
            "requires: [inform_wmd, inform_conventional]",
            "requires: [inform_wmd, inform_conv]",
            "technology_provision.yaml catchall requirement 1: requirement 'inform_conv' is not one of",
        ),
        (
            "technology_provision.yaml",
            "  - id: basic-research",
            "  - id: basic_research",
            "technology_provision.yaml exemption 2 (basic_research): id 'basic_research' is not one of",
        ),
        (
            "technology_provision.yaml",
            'clause_mark: "[S]"\n    mark: "[S]"\n    aliases: [公知',
            'clause_mark: "S"\n    mark: "[S]"\n    aliases: [公知',
            "technology_provision.yaml exemption 1 (public): clause_mark 'S' must be one of [V], [S], [U]",
        ),
        (
            "technology_provision.yaml",
            "aliases: [基礎科学, 基礎研究,",
            "aliases: [基礎科学, 公知,",
            "technology_provision.yaml exemption basic-research: the name '公知' is also a name of public",
        ),
        (
            "technology_provision.yaml",
            '    not_for: ["9"]',
            '    not_for: ["99"]',
            "technology_provision.yaml exemption 5 (mass-market): not_for names '99'",
        ),
        (
            "technology_provision.yaml",
            '  - id: "3"\n    name_ja: 特定類型③（外国政府等の指示の下で本邦において行動する者）\n',
            '  - id: "4"\n    name_ja: 特定類型③（外国政府等の指示の下で本邦において行動する者）\n',
            "technology_provision.yaml specific_type 3 (4): id '4' is not one of 1, 2, 3",
        ),
        (
            "technology_provision.yaml",
            "act: transmission, aliases: [メール",
            "act: fax, aliases: [メール",
            "technology_provision.yaml method 2 (email): act 'fax' is not one of provision, transmission, media",
        ),
        (
            "prereport_technologies.yaml",
            "exclusions: [public, basic-research, minimum-use]",
            "exclusions: [public, basic-research, minimum-use, patent]",
            "prereport_technologies.yaml scheme: exclusion 'patent' has pre_report false",
        ),
        (
            "prereport_technologies.yaml",
            "field_ja: 電子部品, aliases: [電解銅箔], valid_from: 2024-12-30",
            "field_ja: 電子部品, aliases: [電解銅箔], valid_from: 2024-12-01",
            "prereport_technologies.yaml technology 3 (CT03): valid_from is missing or before the scheme's 2024-12-30",
        ),
        (
            "prereport_technologies.yaml",
            'mark: "[S]", source: "令和6年経済産業省告示第178号 [S-BM]"}\n  - {id: CT05',
            'mark: "[S]"}\n  - {id: CT05',
            "prereport_technologies.yaml technology 4 (CT04): record has no source",
        ),
        (
            "prereport_technologies.yaml",
            "  not_to: group_a",
            "  not_to: group_z",
            "prereport_technologies.yaml scheme: not_to 'group_z' is not a country list",
        ),
    ],
)
def test_the_loader_refuses_bad_technology_data(folder, file, old, new, message):
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load(folder)
    assert message in str(exc.value)


# --- cross-check against the third-party parse of 貨物等省令 in ../shared/reference (read in place, never copied) ---

_NUM = "[〇一二三四五六七八九十]+(?:の[一二三四五六七八九十]+)?"
_DEFINES = re.compile(
    rf"^(?:(?P<para>[０-９0-9]+)\s)?(?:外為令|外国為替令（以下「外為令」という。）)別表の(?P<kou>{_NUM})の項"
    rf"(?:（(?P<sub>{_NUM})）)?の経済産業省令で定める技術",
    re.MULTILINE,
)
_ARTICLE = re.compile(r"^第(?P<n>[〇一二三四五六七八九十]+)条(?:の(?P<branch>[一二三四五六七八九十]+))?")


def reference_ordinance():
    """(kou, sub) -> the 貨物等省令 paragraph that defines it, from the parse's technology articles (第15条–第28条)."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    out: dict[tuple[str, str], str] = {}
    for art in data["ministerialArticles"]:
        if "techKou" not in art:
            continue
        a = _ARTICLE.match(art["article"])
        article = f"第{_norm_number(a['n'])}条" + (f"の{_norm_number(a['branch'])}" if a["branch"] else "")
        found = list(_DEFINES.finditer(art["text"]))
        for m in found:
            para = f"第{_norm_number(m['para']) if m['para'] else 1}項" if len(found) > 1 else ""
            key = (_norm_number(m["kou"]), _norm_number(m["sub"]) if m["sub"] else "")
            assert key not in out, key
            out[key] = f"貨物等省令{article}{para}"
    return out


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference not available")
def test_each_subitem_is_defined_by_the_ordinance_paragraph_the_reference_gives(tech):
    ref = reference_ordinance()
    ours = {k: s.ordinance for k, s in tech.subitems.items() if s.ordinance}
    assert ours == ref, f"only ours: {sorted(set(ours.items()) - set(ref.items()))}; only reference: " + str(
        sorted(set(ref.items()) - set(ours.items()))
    )
    # what the 省令 does not define is either deleted or needs no 省令 spec (1の項, 3の項(1), 3の2の項(1))
    assert set(tech.subitems) - set(ref) == DELETED | NO_ORDINANCE


@pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference not available")
def test_the_catchall_chapters_are_those_of_ordinance_article_28(tech):
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    text = next(a["text"] for a in data["ministerialArticles"] if a.get("techKou") == "16")
    chapters: set[int] = set()
    for lo, hi in re.findall(rf"第({_NUM})類(?:から第({_NUM})類まで)?", text):
        chapters.update(range(int(_norm_number(lo)), int(_norm_number(hi or lo)) + 1))
    assert "専ら" in text and chapters == tech.catchall.chapters
