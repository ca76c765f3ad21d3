"""The product master (issue 14 §2): import (good, malformed, versions) on SQLite and PostgreSQL, the CLI, the
template and its export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest_pg import pg_server, pg_url  # noqa: F401
from openpyxl import Workbook, load_workbook

from exportscreen import cli, products, state
from exportscreen.audit import open_log
from exportscreen.errors import UserError

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "workbook_templates" / "product_master.xlsx"
JA = ["品番", "品名", "該非", "技術該非", "HSコード", "判定日", "判定者", "承認者", "判定根拠", "見直し期限", "備考"]
EN = ["Part No.", "Description", "Classification", "Technology", "HS code", "Classified on", "Classified by",
      "Approved by", "Basis", "Review by", "Note"]  # fmt: skip
GOOD = [
    ["NC-5000A", "数値制御工作機械", "2の項(12)", "2の項(1)", "8458.11", date(2026, 1, 15), "山田", "佐藤",
     "項目別対比表 2025年版", date(2027, 1, 14), None],
    ["ｓｃ－ｍ６", "ねじ", "非該当", None, "7318.15", "令和8年1月15日", "山田", "佐藤", "パラメータシート", None,
     "=HYPERLINK(\"http://x\")"],
    ["PUMP-7", "ポンプ", "３の２の項（１）", "非該当", 8413.81, "2026/1/20", "鈴木", None, None, None, None],
]  # fmt: skip


def _book(path: Path, rows, header=JA, title: str | None = "品番マスタ（試験用）") -> Path:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f":
                c.data_type = "s"  # a text that looks like a formula, as a clerk's cell can be
    wb.save(path)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def home(request, tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(h))
    monkeypatch.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
    if request.param == "postgresql":
        monkeypatch.setenv("EXPORTSCREEN_DB_URL", request.getfixturevalue("pg_url"))
    else:
        monkeypatch.delenv("EXPORTSCREEN_DB_URL", raising=False)
    return h


def _imports() -> list[tuple[str, str]]:
    return [(Path(r["file"]).name, r["status"]) for r in reversed(open_log().runs()) if r["kind"] == "product_import"]


def test_a_good_master_is_stored_and_looked_up_by_part_number(home, tmp_path):
    m = products.import_master(_book(tmp_path / "master.xlsx", GOOD), effective="2026-04-01")
    assert m.version == "PM 2026-04-01 (3)" and m.effective == date(2026, 4, 1)
    got = products.in_force(date(2026, 5, 1))
    assert got is not None and got.version == m.version
    nc = got.get("nc-5000a")
    assert (nc.part_no, nc.item, nc.tech, nc.hs, nc.judged, nc.review_by, nc.row) == (
        "NC-5000A", "2の項(12)", "2の項(1)", "845811", date(2026, 1, 15), date(2027, 1, 14), 3
    )  # fmt: skip
    screw = got.get("SC-M6")  # typed ｓｃ－ｍ６: width, case and the dash folded
    assert screw.part_no == "ｓｃ－ｍ６" and screw.item == "非該当" and screw.tech is None
    assert screw.judged == date(2026, 1, 15) and screw.note == '=HYPERLINK("http://x")'
    pump = got.get("PUMP-7")
    assert (pump.item, pump.tech, pump.hs, pump.judged) == ("3の2の項(1)", "非該当", "841381", date(2026, 1, 20))
    assert got.get("NO-SUCH") is None and products.lookup("pump-7", date(2026, 4, 1)) == pump
    assert products.in_force(date(2026, 3, 31)) is None  # not in force before its date
    assert products.in_force(date(2026, 6, 1)) is got  # read from the store once per process
    assert _imports() == [("master.xlsx", "ok")]


def test_screening_reads_the_classification_columns_alone_and_they_are_the_records(home, tmp_path):
    """What screening needs of a product (品番, 該非, HS, 技術該非, 判定日, 見直し期限) is read from the products'
    columns, without their records; each is the record's value, on both databases."""
    products.import_master(_book(tmp_path / "master.xlsx", GOOD), effective="2026-04-01")
    state.reset_rules()
    master = state.rules().master_on(date(2026, 5, 1))
    nc = master.classified("ｎｃ－５０００ａ")  # folded as the records' key
    assert nc == products.Classification("NC-5000A", "2の項(12)", "845811", "2の項(1)", date(2026, 1, 15),
                                         date(2027, 1, 14))  # fmt: skip
    assert master.classified("NO-SUCH") is None and "products" not in master.__dict__  # the records not read
    for key, p in master.products.items():
        assert master.classes[key] == tuple(getattr(p, f) for f in products.CLASSIFICATION_FIELDS)
    assert len(master.classes) == len(master.products) == 3


def test_english_headers_and_a_cp932_csv(home, tmp_path):
    m = products.import_master(_book(tmp_path / "en.xlsx", GOOD[:1], header=EN, title=None), effective="2026-01-01")
    assert m.get("NC-5000A").item == "2の項(12)"
    csv = tmp_path / "master.csv"
    lines = [
        ",".join(JA),
        "A-1,ねじ,非該当,,7318.15,2026-02-01,山田,,,,",
        "B-2,旋盤,2の項(12),,8458.11,R8.2.1,山田,,,,",
    ]
    csv.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp932"))
    m2 = products.import_master(csv, effective="2026-02-01")
    assert [(p.part_no, p.item, p.judged) for p in m2.products.values()] == [
        ("A-1", "非該当", date(2026, 2, 1)),
        ("B-2", "2の項(12)", date(2026, 2, 1)),
    ]


BAD = [
    ["OK-1", "良い行", "非該当", None, "7318.15", "2026-01-15", None, None, None, None, None],
    ["X-1", "未判定の行", "未判定", None, "7318.15", "2026-01-15", None, None, None, None, None],
    ["X-2", "項番違い", "2の項(99)", None, None, "2026-01-15", None, None, None, None, None],
    ["X-3", "HS違い", "非該当", None, "84AB", "2026-01-15", None, None, None, None, None],
    ["X-4", "日付違い", "非該当", None, None, "来週", None, None, None, None, None],
    ["X-5", "判定日なし", "非該当", None, None, None, None, None, None, None, None],
    ["ok-1", "重複", "非該当", None, None, "2026-01-15", None, None, None, None, None],
    [None, "品番なし", "非該当", None, None, "2026-01-15", None, None, None, None, None],
    ["X-6", "技術該非違い", "非該当", "99の項", None, "2026-01-15", None, None, None, None, None],
    ["X-7", "HS にない項", "非該当", None, "8803.90", "2026-01-15", None, None, None, None, None],
]


def test_a_bad_file_is_refused_whole_with_its_rows_and_the_master_in_force_stays(home, tmp_path, capsys):
    good = products.import_master(_book(tmp_path / "good.xlsx", GOOD), effective="2026-01-01")
    bad = _book(tmp_path / "bad.xlsx", BAD)
    assert cli.main(["products", "import", str(bad), "--effective", "2026-02-01"]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == "exportscreen: bad.xlsx: 9 件の誤りがあるため取り込みませんでした（品番マスタは変わりません）"
    rows = [ln.strip().split(" 行目")[0] for ln in lines[1:]]
    assert rows == ["4", "5", "6", "7", "8", "9", "10", "11", "12"]
    assert "未判定" in lines[1] and "84AB" in lines[3]
    # an HS code checked as an order line's is (HS2022 has no heading 8803): not every line by 品番 入力エラー later
    assert "12 行目: HSコード 8803.90 の項 8803 は HS2022 にありません" in lines[9]
    assert "判定日「来週」を日付として読めません" in err and "判定日が空です" in err
    assert "品番 ok-1 が重複しています（3 行目にもあります）" in err and "品番が空です" in err
    assert cli.main(["products", "import", str(bad), "--lang", "en"]) == 2
    assert "row 9: part number ok-1 is repeated (also on row 3)" in capsys.readouterr().err
    assert [v.effective for v in products.versions()] == [date(2026, 1, 1)]
    assert products.in_force(date(2026, 3, 1)).version == good.version
    assert _imports() == [("good.xlsx", "ok"), ("bad.xlsx", "failed"), ("bad.xlsx", "failed")]


def test_many_errors_are_cut_to_the_first_ones(home, tmp_path):
    rows = [[f"P-{i}", None, "未判定", None, None, "2026-01-15"] for i in range(30)]
    with pytest.raises(UserError) as err:
        products.import_master(_book(tmp_path / "m.xlsx", rows))
    assert err.value.ja.count("\n") == products.MAX_ERRORS + 1 and err.value.ja.endswith("… ほか 10 件")


def test_versions_by_effective_date_and_replace(home, tmp_path):
    v1 = products.import_master(_book(tmp_path / "v1.xlsx", GOOD[:2]), effective="2026-01-01")
    v2 = products.import_master(_book(tmp_path / "v2.xlsx", GOOD), effective="2026-04-01")
    assert products.in_force(date(2026, 3, 31)).version == v1.version == "PM 2026-01-01 (2)"
    assert products.in_force(date(2026, 4, 1)).version == v2.version
    assert products.lookup("PUMP-7", date(2026, 3, 1)) is None and products.lookup("PUMP-7", date(2026, 4, 2))
    # the same content again for a date: accepted; other content: refused unless --replace
    products.import_master(tmp_path / "v1.xlsx", effective="2026-01-01")
    with pytest.raises(UserError, match="give --replace"):
        products.import_master(tmp_path / "v2.xlsx", effective="2026-01-01")
    assert products.in_force(date(2026, 1, 2)).version == "PM 2026-01-01 (2)"
    products.import_master(tmp_path / "v2.xlsx", effective="2026-01-01", replace=True)
    assert products.in_force(date(2026, 1, 2)).version == "PM 2026-01-01 (3)"
    assert [(v.effective, v.n_products) for v in products.versions()] == [(date(2026, 1, 1), 3), (date(2026, 4, 1), 3)]


def test_products_are_read_at_the_first_line_that_needs_them_and_never_from_a_replaced_version(home, tmp_path):
    """The rules in use carry the versions without their products; the first look-up reads them. A version replaced
    (--replace) after that process listed the versions is never read as if it were the old one: one clear error,
    and a new run reads the new content."""
    products.import_master(_book(tmp_path / "v1.xlsx", GOOD[:2]), effective="2026-01-01")
    state.reset_rules()
    rules = state.rules()
    master = rules.master_on(date(2026, 2, 1))
    assert master.version == "PM 2026-01-01 (2)" and "products" not in master.__dict__  # not read yet
    products.import_master(_book(tmp_path / "v2.xlsx", GOOD), effective="2026-01-01", replace=True)
    with pytest.raises(UserError, match="was replaced; run again"):
        master.get("NC-5000A")
    with pytest.raises(UserError, match="was replaced; run again"):
        master.classified("NC-5000A")
    fresh = state.rules().master_on(date(2026, 2, 1))  # the import reset the rules in use
    assert fresh.version == "PM 2026-01-01 (3)" and fresh.get("PUMP-7") is not None


def test_cli_list_show_export_and_the_export_imports_again(home, tmp_path, capsys):
    src = _book(tmp_path / "master.xlsx", GOOD)
    assert cli.main(["products", "import", str(src), "--effective", "2026-01-01"]) == 0
    assert "PM 2026-01-01 (3) を取り込みました: 3 品番、2026-01-01 から適用" in capsys.readouterr().out
    assert cli.main(["products", "show", "nc-5000a"]) == 0
    out = capsys.readouterr().out
    assert "品番: NC-5000A" in out and "該非: 2の項(12)" in out and "HSコード: 8458.11" in out
    assert cli.main(["products", "show", "NOPE"]) == 2
    assert "品番 NOPE は品番マスタ（PM 2026-01-01 (3)）にありません" in capsys.readouterr().err
    assert cli.main(["products", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "PM 2026-01-01 (3)" and len(out) == 4 and out[1].startswith("NC-5000A\t2の項(12)")
    assert cli.main(["products", "list", "--versions"]) == 0
    assert capsys.readouterr().out.startswith("2026-01-01\t3 品番\tmaster.xlsx")
    out_xlsx = tmp_path / "export.xlsx"
    assert cli.main(["products", "export", "--out", str(out_xlsx)]) == 0
    ws = load_workbook(out_xlsx)["品番マスタ"]
    assert [c.value for c in ws[1]] == JA
    cells = {ws.cell(r, 1).value: ws.cell(r, 11) for r in range(2, 5)}
    assert cells["ｓｃ－ｍ６"].value == '=HYPERLINK("http://x")' and cells["ｓｃ－ｍ６"].data_type == "s"  # data
    again = products.import_master(out_xlsx, effective="2026-06-01")
    first = products.in_force(date(2026, 1, 1))
    strip = {k: p.to_dict() | {"row": None} for k, p in first.products.items()}
    assert {k: p.to_dict() | {"row": None} for k, p in again.products.items()} == strip


def test_the_template_has_the_columns_and_dropdowns_and_imports(home, tmp_path):
    import subprocess
    import sys

    made = tmp_path / "made.xlsx"
    subprocess.run([sys.executable, str(REPO / "tools" / "make_product_master_template.py"), str(made)], check=True)
    for path in (TEMPLATE, made):
        wb = load_workbook(path)
        ws = wb["品番マスタ"]
        assert [c.value for c in ws[1]] == JA
        assert wb["選択肢"].sheet_state == "hidden"
        lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
        goods = [c.value for c in wb["選択肢"]["A"]]
        assert goods[0] == "非該当" and "7の項(1)" in goods and "3の2の項(1)" in goods and "16の項" not in goods
        tech = [c.value for c in wb["選択肢"]["B"] if c.value]
        assert tech[0] == "非該当" and "2の項(1)" in tech
        assert lists["C2"] == f"'選択肢'!$A$1:$A${len(goods)}" and lists["D2"] == f"'選択肢'!$B$1:$B${len(tech)}"
    m = products.import_master(TEMPLATE, effective="2026-01-01")  # its example rows are valid
    assert sorted(m.products) == ["NC-5000A", "SC-M6-20"]


def test_a_product_is_read_back_as_it_was_stored():
    """Product.from_dict reads to_dict's form (the store's JSON), fields a store written before them existed take
    their defaults, and a key that is no field is refused."""
    from exportscreen.products import Product

    p = Product("AB-1", "2の項(12)", date(2026, 1, 15), name="工作機械", hs="845811", review_by=date(2027, 1, 1))
    assert Product.from_dict(p.to_dict()) == p
    old = {"part_no": "AB-1", "item": "非該当", "judged": "2025-01-10", "hs": "731815"}  # no tech, review_by, row …
    assert Product.from_dict(old) == Product("AB-1", "非該当", date(2025, 1, 10), hs="731815")
    with pytest.raises(TypeError):
        Product.from_dict({**p.to_dict(), "colour": "red"})
    with pytest.raises(TypeError):
        Product.from_dict({"part_no": "AB-1", "item": "非該当"})  # no 判定日
