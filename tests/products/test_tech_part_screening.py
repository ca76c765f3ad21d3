"""Technology lines by part number (issue 16 §4, last point): the 品番マスタ's 技術該非 column gives a technology
line's 外為令別表 code — in the engine, a workbook (品番 or 技術番号 column), `check --kind technology --part` and
=SCREEN_TECH's part_no argument — with a master imported from a real workbook into a real SQLite store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from test_part_screening import _book  # noqa: E402  (tests/products is on the path as the test's folder)

from exportscreen import cli, functions, products, render, screening, state
from exportscreen.audit import open_log
from exportscreen.engine import screen, screen_technology
from exportscreen.model import Code

ROWS = [
    ["NC-5000A", "工作機械", "2の項(12)", "2の項(1)", "8458.11", date(2026, 1, 15), "山田", "佐藤", "対比", None, None],
    ["SC-M6", "ねじ", "非該当", None, "7318.15", date(2026, 1, 15), "山田", None, None, None, None],
    ["LATHE-9", "旋盤", "非該当", "非該当", "8458.11", date(2026, 1, 15), "山田", None, None, None, None],
    ["BEAN-T", "焙煎機用豆", "非該当", "非該当", "0901.21", date(2026, 1, 15), "山田", None, None, None, None],
    ["OLD-N", "旧旋盤", "非該当", "非該当", "8458.11", date(2025, 1, 10), "山田", None, None, None, None],
    # goods 非該当 (touched by every amendment), technology 2の項(1) (the 2025-10-09 amendment touches 16の項 only)
    ["OLD-2", "旧装置", "非該当", "2の項(1)", "8458.11", date(2025, 1, 10), "山田", None, None, None, None],
    ["DUE-T", "旋盤", "非該当", "非該当", "8458.11", date(2026, 1, 15), "山田", None, None, date(2026, 3, 1), None],
    # goods 2の項(12) (not touched by the 2025-10-09 amendment), technology 非該当 (touched by every amendment)
    ["OLD-T", "旧工作機械", "2の項(12)", "非該当", "8458.11", date(2025, 1, 10), "山田", None, None, None, None],
]  # fmt: skip
DAY = date(2026, 4, 1)
CLEAN = {"residency": "非居住者", "recipient": "ABC Ltd", "end_use": "民生", "critical_tech": "なし"}


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(h))
    for var in ("EXPORTSCREEN_AUDIT_URL", "EXPORTSCREEN_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    state.reset_rules()
    yield h
    state.reset_rules()


@pytest.fixture
def master(home, tmp_path):
    products.import_master(_book(tmp_path / "master.xlsx", ROWS), effective="2026-02-01")
    return state.rules()


def _tech(rules, **fields):
    return screen_technology(**fields, rules=rules, today=DAY)


def _ids(d) -> list[str]:
    return [r.rule_id for r in d.reasons]


def test_blank_code_takes_the_masters_technology_classification(master):
    by_part = _tech(master, country="中国", part_no="ｎｃ－５０００ａ", **CLEAN)
    typed = _tech(master, country="中国", item="2の項(1)", hs="8458.11", **CLEAN)
    assert by_part.code is typed.code is Code.LICENSE_REQUIRED
    assert by_part.item == typed.item and by_part.item["code"] == "2の項(1)"
    stamp = next(r for r in by_part.reasons if r.rule_id == "PART-TECH-FROM-MASTER")
    assert "PM 2026-02-01 (8)" in stamp.ja and "2の項(1)" in stamp.ja and "外為令別表" in stamp.ref
    # the master's HS of the goods reaches the technology catch-all (16の項 technology for 8458.11; Group A: clear)
    by_part = _tech(master, country="米国", part_no="LATHE-9", **CLEAN)
    assert by_part.code is _tech(master, country="米国", item="非該当", hs="8458.11", **CLEAN).code is Code.NO_LICENSE
    assert "TECH-CATCHALL-GROUP-A" in _ids(by_part)
    # goods of a chapter outside 16の項: the technology is not controlled
    assert "TECH-NOT-CONTROLLED" in _ids(_tech(master, country="中国", part_no="BEAN-T", **CLEAN))


def test_the_goods_classification_is_never_used_for_technology(master):
    # NC-5000A's goods are 2の項(12); its technology 2の項(1): the technology line is decided by the latter
    d = _tech(master, country="中国", part_no="NC-5000A", **CLEAN)
    assert d.item["code"] == "2の項(1)"
    # and a goods line by the former
    assert screen("中国", part_no="NC-5000A", rules=master, today=DAY).item["code"] == "2の項(12)"


@pytest.mark.parametrize("country", ["米国", "中国", "JP", "北朝鮮"])
@pytest.mark.parametrize("typed", [None, "非該当"])
def test_unjudged_unknown_or_no_master_is_never_no_license(master, country, typed):
    for part, rid in (("SC-M6", "PART-TECH-UNJUDGED"), ("NOPE-1", "PART-UNKNOWN")):
        d = _tech(master, country=country, item=typed, hs="7318.15", part_no=part, **CLEAN)
        assert d.code is not Code.NO_LICENSE and d.code.severity >= Code.REVIEW.severity, (part, d.reason_text())
        reason = next(r for r in d.reasons if r.rule_id == rid)
        assert part in reason.ja and "PM 2026-02-01" in reason.ja
        if typed is None and country == "北朝鮮":  # what applies whatever the code: the embargo
            assert d.code is Code.PROHIBITED and _ids(d) == ["TECH-SANCTION-KP-ALL", rid]
        elif typed is None:
            assert d.code is Code.REVIEW and _ids(d) == [rid]
    unjudged = _tech(master, country="米国", part_no="SC-M6", **CLEAN).reasons[0]
    assert unjudged.ja.startswith("技術該非未判定") and "not classified" in unjudged.en


@pytest.mark.parametrize("kind", ["goods", "technology"])
def test_a_code_not_known_never_hides_an_embargo_or_an_input_error(master, kind):
    """A 品番 the master cannot classify (unknown, or its 技術該非 blank) on a line that types no code: the reasons
    that apply whatever the code — the sanctions a listed and a non-listed code share — are kept, and a bad cell
    elsewhere stays 入力エラー (engine.code_unknown, for goods and technology alike)."""

    def line(country, part):
        if kind == "goods":
            return screen(country, part_no=part, rules=master, today=DAY)
        return _tech(master, country=country, residency="非居住者", part_no=part)

    parts = ["NOPE-1"] if kind == "goods" else ["NOPE-1", "SC-M6"]
    for part in parts:
        d = line("北朝鮮", part)
        assert d.code is Code.PROHIBITED and d.reasons[0].rule_id.endswith("SANCTION-KP-ALL"), d.reason_text()
        assert d.reasons[1].rule_id in ("PART-UNKNOWN", "PART-TECH-UNJUDGED") and part in d.reasons[1].ja
        assert d.country["iso2"] == "KP"  # what the 仕向地区分 column of the Python API shows
        assert line("Atlantis", part).code is Code.INVALID
        # Russia: listed technology and goods prohibited, the rest 要確認 — which one is not known: 要確認, never less
        ru = line("ロシア", part)
        assert ru.code is Code.REVIEW
        # which measure: the ones the code would decide are named, as 要確認 (listed: prohibited; else: to check)
        measures = [r for r in ru.reasons if r.topic == "sanctions"]
        assert len(measures) >= 2 and all(r.severity is Code.REVIEW and "ロシア" in r.ja for r in measures), [
            r.ja for r in ru.reasons
        ]
    # no master on the line's date: the same
    early = screen("北朝鮮", part_no="X", ship_date="2026-01-10", rules=master, today=DAY)
    if kind == "technology":
        early = _tech(master, country="北朝鮮", residency="非居住者", part_no="X", provision_date="2026-01-10")
    assert early.code is Code.PROHIBITED and early.reasons[-1].rule_id == "PART-NO-MASTER"


def test_no_master_in_force(home):
    rules = state.rules()
    d = _tech(rules, country="米国", part_no="NC-5000A", **CLEAN)
    assert d.code is Code.REVIEW and _ids(d) == ["PART-NO-MASTER"] and "NC-5000A" in d.reasons[0].ja
    # a code typed: decided by it, as before any master existed
    typed = _tech(rules, country="米国", item="非該当", hs="8458.11", **CLEAN)
    assert _tech(rules, country="米国", item="非該当", hs="8458.11", part_no="NC-5000A", **CLEAN) == typed


def test_master_of_a_later_date_not_used_before_it(master):
    d = _tech(master, country="米国", part_no="LATHE-9", provision_date="2026-01-31", **CLEAN)
    assert d.code is Code.REVIEW and _ids(d) == ["PART-NO-MASTER"] and d.as_of == date(2026, 1, 31)


def test_disagreement_takes_the_stricter_and_says_so(master):
    # typed 非該当 but the master says 2の項(1): 許可要 (the master's), with PART-TECH-DISAGREE
    d = _tech(master, country="米国", item="非該当", hs="8458.11", part_no="NC-5000A", **CLEAN)
    assert d.code is Code.LICENSE_REQUIRED and d.item["code"] == "2の項(1)"
    why = next(r for r in d.reasons if r.rule_id == "PART-TECH-DISAGREE")
    assert "非該当 / HS 8458.11" in why.ja and "2の項(1)" in why.ja and "厳しい方" in why.ja
    # typed 7の項(1) for a 非該当 lathe technology: the typed one is stricter
    d = _tech(master, country="米国", item="7の項(1)", part_no="LATHE-9", **CLEAN)
    assert d.code is Code.LICENSE_REQUIRED and d.item["code"] == "7の項(1)" and "PART-TECH-DISAGREE" in _ids(d)
    # the same classification typed: no disagreement
    d = _tech(master, country="米国", item="非該当", part_no="LATHE-9", **CLEAN)
    assert d.code is Code.NO_LICENSE and "PART-TECH-DISAGREE" not in _ids(d)
    # a bad typed code stays an input error
    assert _tech(master, country="米国", item="99の項", part_no="LATHE-9", **CLEAN).code is Code.INVALID


def test_stale_classification_by_the_technology_code(master):
    # 非該当 technology judged before the 2025-10-09 amendment (it touches 16の項 — and every 非該当)
    d = _tech(master, country="米国", part_no="OLD-N", **CLEAN)
    assert d.code is Code.REVIEW
    assert next(r for r in d.reasons if r.rule_id == "PART-STALE").ja.startswith("該非判定の見直しが必要（2025-10-09")
    # OLD-2: goods 非該当 (stale), technology 2の項(1) (not touched): the technology line is not stale
    assert "PART-STALE" in _ids(screen("米国", part_no="OLD-2", rules=master, today=DAY))
    d = _tech(master, country="米国", part_no="OLD-2", **CLEAN)
    assert "PART-STALE" not in _ids(d) and d.code is Code.LICENSE_REQUIRED
    # past its 見直し期限
    assert "PART-REVIEW-DUE" in _ids(_tech(master, country="米国", part_no="DUE-T", **CLEAN))
    d = _tech(master, country="米国", part_no="DUE-T", provision_date="2026-02-15", **CLEAN)
    assert d.code is Code.NO_LICENSE


def test_products_stale_lists_what_technology_lines_get(master, capsys):
    """products stale lists a product whose 技術該非 must be judged again though its 該非 stands (OLD-T), with the
    reason technology lines using it get; one stale by its 該非 is listed once, as before."""
    assert "PART-STALE" not in _ids(screen("米国", part_no="OLD-T", rules=master, today=DAY))
    tech = _tech(master, country="米国", part_no="OLD-T", **CLEAN)
    reason = next(r for r in tech.reasons if r.rule_id == "PART-STALE")
    assert cli.main(["products", "stale", "--date", DAY.isoformat()]) == 0
    listed = {ln.split("\t")[0]: ln.split("\t")[1:] for ln in capsys.readouterr().out.splitlines()[1:]}
    assert listed["OLD-T"] == ["技術該非 非該当", "2025-01-10", reason.ja]
    assert listed["OLD-2"][0] == "非該当" and listed["OLD-N"][0] == "非該当"  # by their 該非, listed once
    assert set(listed) == {"OLD-N", "OLD-2", "DUE-T", "OLD-T"}
    assert cli.main(["products", "stale", "--date", DAY.isoformat(), "--json", "--lang", "en"]) == 0
    got = {s["part_no"]: s for s in json.loads(capsys.readouterr().out)["stale"]}
    assert got["OLD-T"]["classification"] == "technology" and got["OLD-T"]["reason"] == reason.en
    assert got["OLD-2"]["classification"] == "goods"


def test_domestic_and_input_errors(master):
    # a resident in Japan of no 特定類型: not controlled, whatever the code — the master's is still named
    d = _tech(master, country="JP", residency="居住者", specific_type="なし", part_no="NC-5000A")
    assert d.code is Code.NO_LICENSE and {"TECH-DOMESTIC-RESIDENT", "PART-TECH-FROM-MASTER"} <= set(_ids(d))
    assert _tech(master, country="ナルニア", part_no="LATHE-9").code is Code.INVALID
    assert _tech(master, country="米国", part_no="LATHE-9", provision_date="2026-13-01").code is Code.INVALID


def test_memoised_and_pure(master):
    a = _tech(master, country="中国", part_no="NC-5000A", **CLEAN)
    assert _tech(master, country="中国", part_no="NC-5000A", **CLEAN) is a
    assert screening.decide_technology(as_of=DAY, country="中国", part_no="NC-5000A", **CLEAN) is a


def test_check_kind_technology_part(master, capsys):
    argv = ["check", "--kind", "technology", "--country", "中国", "--residency", "非居住者", "--part", "NC-5000A"]
    assert cli.main([*argv, "--date", "2026-04-01"]) == 0
    out = capsys.readouterr().out
    assert "許可要" in out and "NC-5000A" in out and "技術該非" in out and "PM 2026-02-01" in out
    assert cli.main([*argv, "--date", "2026-04-01", "--item", "非該当", "--json", "--lang", "en"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["decision"] == "LICENSE_REQUIRED" and got["item"]["code"] == "2の項(1)"
    assert any("differs from the product master's" in r["text"] for r in got["reasons"])
    argv[-1] = "SC-M6"
    assert cli.main([*argv, "--date", "2026-04-01"]) == 0
    assert "要確認" in capsys.readouterr().out
    # the audit record of a check names the 品番
    log = open_log()
    recs = [rec for run in log.runs() if run["kind"] == "check" for rec in log.records(run["id"])]
    assert {(r["inputs"]["kind"], r["inputs"]["part_no"], r["label"]) for r in recs} == {
        ("technology", "NC-5000A", "許可要"),
        ("technology", "SC-M6", "要確認"),
    }


def test_audit_export_names_the_part_of_a_check(master, tmp_path, capsys):
    """A line checked by 品番 alone (no workbook, so no identifying cells) shows its 品番 in the audit workbook's
    品名／品番 column, goods and technology alike."""
    argv = ["check", "--country", "中国", "--part", "NC-5000A", "--date", "2026-04-01"]
    assert cli.main([*argv, "--kind", "technology", "--residency", "非居住者"]) == 0
    assert cli.main(argv) == 0
    out = tmp_path / "audit.xlsx"
    assert cli.main(["audit", "export", "--from", "2000-01-01", "--to", "2100-01-01", "--out", str(out)]) == 0
    capsys.readouterr()
    rows = list(load_workbook(out)["明細"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    assert [(r[col["品名／品番"]], r[col["判定"]]) for r in rows[1:]] == [("NC-5000A", "許可要")] * 2


def test_check_technology_needs_item_or_part(home, capsys):
    assert cli.main(["check", "--kind", "technology", "--country", "米国", "--residency", "非居住者"]) == 2
    assert capsys.readouterr().err.strip().endswith("--item（項番）か --part（品番）を指定してください")


def test_screen_tech_function_part_argument(master):
    args = dict(country="中国", residency="非居住者", recipient="ABC Ltd", end_use="民生", critical_tech="なし")
    for part in ("NC-5000A", "SC-M6", "NOPE-1", "LATHE-9"):
        d = screening.decide_technology(**args, part_no=part, provision_date=DAY)
        assert functions.SCREEN_TECH(**args, part_no=part, provision_date=DAY) == d.label
        assert functions.SCREEN_TECH_REASON(**args, part_no=part, provision_date=DAY).startswith(d.reasons[0].ja)


def test_workbook_technology_lines_by_part_number(master, tmp_path):
    """A real workbook of goods and technology lines with a 品番 column: a technology line without 技術の項番 takes the
    master's 技術該非; with both, the stricter; a 技術番号 column works as the technology line's 品番. Each line is
    decided as the engine decides it, and the audit record carries the 品番 among the technology line's inputs."""
    head = ["注文番号", "取引区分", "仕向地", "品番", "品目", "居住性", "技術の項番", "提供先", "用途"]
    head += ["重要管理対象技術", "出荷日", "判定", "理由"]
    rows = [
        ["G1", "貨物", "中国", "NC-5000A", None, None, None, "ABC Ltd", "民生", None, DAY],
        ["T1", "技術", "中国", "NC-5000A", None, "非居住者", None, "ABC Ltd", "民生", "なし", DAY],
        ["T2", "技術", "米国", "LATHE-9", None, "非居住者", "7の項(1)", "ABC Ltd", "民生", "なし", DAY],
        ["T3", "技術", "米国", "SC-M6", None, "非居住者", None, "ABC Ltd", "民生", "なし", DAY],
        ["T4", "技術", "米国", "LATHE-9", None, "非居住者", None, "ABC Ltd", "民生", "なし", DAY],
    ]
    path = tmp_path / "mixed.xlsx"
    wb = Workbook()
    wb.active.append(head)
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    assert cli.main(["screen", str(path)]) == 0
    got = {r[0].value: (r[11].value, r[12].value) for r in load_workbook(path).active.iter_rows(min_row=2)}
    clean = dict(recipient="ABC Ltd", end_use="民生", critical_tech="なし", provision_date=DAY, residency="非居住者")
    expected = {
        "G1": screen("中国", None, None, "ABC Ltd", "民生", ship_date=DAY, part_no="NC-5000A", rules=master, today=DAY),
        "T1": _tech(master, country="中国", part_no="NC-5000A", **clean),
        "T2": _tech(master, country="米国", item="7の項(1)", part_no="LATHE-9", **clean),
        "T3": _tech(master, country="米国", part_no="SC-M6", **clean),
        "T4": _tech(master, country="米国", part_no="LATHE-9", **clean),
    }
    for no, d in expected.items():
        assert got[no] == (d.label, render.reason_cell(d, "ja")), no
    assert [got[n][0] for n in ("G1", "T1", "T2", "T3", "T4")] == ["許可要", "許可要", "許可要", "要確認", "許可不要"]
    assert "2の項(12)" in got["G1"][1] and "2の項(1)" in got["T1"][1] and "技術該非未判定" in got["T3"][1]
    assert "厳しい方" in got["T2"][1]
    log = open_log()
    run = next(r for r in log.runs() if r["kind"] == "screen")
    t1 = next(r for r in log.records(run["id"]) if r["row"] == 3)
    assert t1["inputs"]["kind"] == "technology" and t1["inputs"]["part_no"] == "NC-5000A"

    # a 技術番号 column: the technology line's key in the master (a goods line's 品番 column stays its own)
    head2 = ["取引区分", "提供先の国", "技術番号", "居住性", "提供先", "用途", "重要管理対象技術", "提供日"]
    path2 = tmp_path / "tech.xlsx"
    wb = Workbook()
    wb.active.append(head2)
    wb.active.append(["技術", "中国", "NC-5000A", "非居住者", "ABC Ltd", "民生", "なし", DAY])
    wb.save(path2)
    assert cli.main(["screen", str(path2)]) == 0
    row = [c.value for c in next(load_workbook(path2).active.iter_rows(min_row=2))]
    assert row[8] == "許可要" and "NC-5000A" in row[9] and "2の項(1)" in row[9]
