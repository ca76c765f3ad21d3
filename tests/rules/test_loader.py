"""Loading rules/ validates the law data and names the file and record of any inconsistency."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from conftest import REPO

from exportscreen.rules import RulesError, load


@pytest.fixture
def folder(tmp_path):
    dst = tmp_path / "rules"
    shutil.copytree(REPO / "rules", dst)
    return dst


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_rules_load_with_a_version(folder):
    r = load(folder)
    assert r.version.startswith("R") and len(r.countries) == 249
    assert len(r.lists["group_a"].on(date(2026, 1, 1))) == 27 and len(r.lists["group_a"].on(date(2020, 1, 1))) == 26
    assert len(r.lists["un_arms_embargo"].on(date(2026, 11, 25))) == 10
    assert r.lists["concern"].on(date(2026, 1, 1)) == ["IQ", "IR", "KP"]


def test_version_changes_with_content(folder):
    before = load(folder).version
    edit(folder / "beppyo4_concern.yaml", "read: 2026-11-25 by exportscreen", "read: 2026-11-26 by exportscreen")
    assert load(folder).version != before


@pytest.mark.parametrize(
    "file,old,new,message",
    [
        (
            "beppyo4_concern.yaml",
            "  - {iso2: IR, source: 輸出令別表第四}",
            "  - {iso2: IR}",
            "beppyo4_concern.yaml member 1 (IR): record has no source",
        ),
        (
            "beppyo4_concern.yaml",
            "  - {iso2: IR, source: 輸出令別表第四}",
            "  - {iso2: XX, source: 輸出令別表第四}",
            "beppyo4_concern.yaml member 1 (XX): 'XX' is not a known country",
        ),
        (
            "beppyo3_group_a.yaml",
            "    valid_to: 2019-08-28",
            "    valid_to: 2019-08-28\n    valid_from: 2019-09-01",
            "valid_from 2019-09-01 is not before valid_to 2019-08-28",
        ),
        (
            "beppyo3_2_un_arms_embargo.yaml",
            "  - {iso2: AF, source: 輸出令別表第三の二}",
            "  - {iso2: AF, source: 輸出令別表第三の二}\n  - {iso2: FR, source: test}",
            "FR is in both group_a and un_arms_embargo",
        ),
        ("countries.csv", "\nFR,", "\nXF,", "countries.csv record"),
        (
            "beppyo4_concern.yaml",
            "source:\n  instrument:",
            "origin:\n  instrument:",
            "beppyo4_concern.yaml: provenance header",
        ),
        (
            "small_value.yaml",
            "    threshold_jpy: 1000000",
            "    threshold_jpy: 1000000\n    valid_to: 2001-01-01\n    valid_from: 2002-01-01",
            "small_value.yaml rule 1: valid_from",
        ),
        ("beppyo1_subitems.csv", "\n7,1,", "\n99,1,", "item '99' is not one of items 1–15"),
    ],
)
def test_inconsistent_data_is_refused_naming_file_and_record(folder, file, old, new, message):
    edit(folder / file, old, new)
    with pytest.raises(RulesError) as err:
        load(folder)
    assert message in str(err.value)


def test_a_name_that_maps_to_two_countries_is_refused(folder):
    edit(folder / "countries.csv", "\nFR,フランス", "\nFR,ドイツ")
    with pytest.raises(RulesError, match="maps to both"):
        load(folder)


def test_a_bad_rules_folder_is_one_line_from_the_command(folder, monkeypatch, capsys):
    from exportscreen import rules
    from exportscreen.cli import main

    edit(
        folder / "beppyo4_concern.yaml",
        "  - {iso2: IR, source: 輸出令別表第四}",
        "  - {iso2: XX, source: 輸出令別表第四}",
    )
    monkeypatch.setattr(rules, "bundled", lambda: load(folder))
    assert main(["check", "--country", "US", "--item", "7(1)"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("exportscreen: ") and err.count("\n") == 1 and "XX" in err


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        # a typo must never silently weaken the law (goods: listd would make Russia's listed goods 許可要)
        ("sanctions.yaml", "goods: listed", "goods: listd", r"overlay 2 \(SANCTION-RU-LISTED\): goods 'listd'"),
        ("sanctions.yaml", "outcome: PROHIBITED", "outcome: PROHIBTED", r"overlay 1 \(SANCTION-KP-ALL\): outcome"),
        ("sanctions.yaml", 'goods: [ "2", "3", "3の2", "4" ]', 'goods: [ "2", "3", "3-2", "4" ]', "'3-2'"),
        (
            "sanctions.yaml",
            "    outcome: REVIEW\n",
            "    outcome: REVIEW\n    outcom: PROHIBITED\n",
            "unknown key 'outcom'",
        ),
        ("sanctions.yaml", "  - id: NOTICE-RU-THIRD-COUNTRY", "  - id: SANCTION-KP-ALL", "used twice"),
        ("beppyo3_group_a.yaml", "list: group_a", "list: group-a", "list id 'group-a'"),
        (
            "beppyo4_concern.yaml",
            "  - {iso2: IR,",
            "  - {iso2: IR, valid_form: 2020-01-01,",
            "unknown key 'valid_form'",
        ),
        ("small_value.yaml", '"13": ["5"]', '"13": ["55"]', r"13の項\(55\)"),
        ("small_value.yaml", "    not_to: concern", "    not_to: concern\n    threshold: 5", "unknown key 'threshold'"),
        ("catchall_scope.yaml", 'class: "16(2)"', 'class: "16(3)"', r"chapters 2: class '16\(3\)'"),
        ("reasons.yaml", "    topic: exemption", "    topic: exemptions", "topic 'exemptions'"),
    ],
)
def test_the_loader_refuses_what_it_does_not_understand(folder, file, old, new, message):
    edit(folder / file, old, new)
    with pytest.raises(RulesError, match=message):
        load(folder)
