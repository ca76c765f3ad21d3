"""The 該非判定書 (issue 14 §5): `exportscreen products certificate 品番` from a real master in a real store, the
workbook read back, and its PDF as LibreOffice prints it (tests/pdfcheck.py): A4 portrait, one or two pages, every
項 row whole and in order, no word drawn over another line. Refusals: a 品番 not in the master, --out a special
file. The PDF tests are skipped without LibreOffice or poppler unless CI=true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pdfcheck
import pytest
from openpyxl import Workbook, load_workbook

from exportscreen import certificate as C
from exportscreen import cli, products
from exportscreen.rules import bundled

REPO = Path(__file__).resolve().parents[2]
HEADER = ["品番", "品名", "該非", "技術該非", "HSコード", "判定日", "判定者", "承認者", "判定根拠", "見直し期限"]
FORMULA_NAME = '=HYPERLINK("http://x","ねじ")'
ROWS = [
    ["NC-5000A", "数値制御工作機械", "2の項(12)", "2の項(1)", "8458.11", "2025-01-15", "技術部 山田", "責任者 佐藤",
     "項目別対比表 2025年版 第2版", "2027-01-14"],
    ["SC-M6", FORMULA_NAME, "非該当", "非該当", "7318.15", "2025-01-15", "山田", None, "パラメータシート", None],
    ["BIO-1", "発酵槽", "3の2の項(2)", None, None, "2025-01-20", "鈴木", None, None, None],
]  # fmt: skip


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """A store with the master above in force from 2025-01-01; the tests run with it as EXPORTSCREEN_HOME."""
    tmp = tmp_path_factory.mktemp("cert")
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in ROWS:
        ws.append(row)
    ws["B3"].data_type = "s"  # a name that looks like a formula, as a clerk's cell can be
    wb.save(tmp / "master.xlsx")
    with _home(tmp):
        products.import_master(tmp / "master.xlsx", effective="2025-01-01")
    return tmp


@contextmanager
def _home(tmp: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EXPORTSCREEN_HOME", str(tmp / "home"))
        mp.delenv("EXPORTSCREEN_DB_URL", raising=False)
        mp.delenv("EXPORTSCREEN_AUDIT_URL", raising=False)
        yield


@pytest.fixture(autouse=True)
def _master_home(master):
    """Each test reads the module's store (the shared autouse fixture gives each test an empty home)."""
    with _home(master):
        yield


def _cells(path: Path) -> tuple[dict, list[tuple]]:
    ws = load_workbook(path)[C.SHEET]
    info = {key: ws[cell] for key, cell in C.info_cells().items()}
    rows = [tuple(ws.cell(r, c).value for c in range(1, 5)) for r in range(C.TABLE_FIRST_ROW, C.ROW16 + 1)]
    return info, rows


def test_the_judgement_for_every_item_row_by_row(master, capsys):
    out = master / "nc.xlsx"
    assert cli.main(["products", "certificate", "nc-5000a", "--out", str(out), "--company", "株式会社テスト"]) == 0
    assert f"{out} に該非判定書を書きました（PM 2025-01-01 (3)）" in capsys.readouterr().out
    info, rows = _cells(out)
    rules = bundled()
    assert [r[0] for r in rows] == [f"{k}の項" for k in rules.items] and len(rows) == 17  # 1–15 with 3の2, then 16
    assert [r[1] for r in rows] == [item.name_ja for item in rules.items.values()]
    goods = f"該当：2の項(12) {rules.subitems[('2', '12')].name_ja}"
    tech = f"該当：2の項(1) {rules.technology.subitems[('2', '1')].name_ja}"
    for kou, _name, g, t in rows[:-1]:
        assert (g, t) == ((goods, tech) if kou == "2の項" else ("非該当", "非該当")), kou
    assert rows[-1][2].startswith("—（2の項(12) に該当し") and rows[-1][3] == "—"  # no catch-all for a listed good
    shown = {k: c.value for k, c in info.items()}
    assert shown["company"] == "株式会社テスト" and shown["part_no"] == "NC-5000A" and shown["hs"] == "8458.11"
    assert shown["goods"] == goods and shown["tech"] == tech and shown["basis"] == "項目別対比表 2025年版 第2版"
    assert (shown["judge"], shown["approver"]) == ("技術部 山田", "責任者 佐藤")
    assert shown["judged"].date() == date(2025, 1, 15) and shown["review_by"].date() == date(2027, 1, 14)
    assert shown["master_version"] == "PM 2025-01-01 (3)" and shown["rules_version"] == rules.version
    assert shown["as_of"].date() == date.today()
    assert shown["review"] == C.NO_REVIEW  # 2の項: no amendment since 2025-01-15 touches it; review date ahead


def test_a_classification_to_judge_again_says_so_on_the_certificate_and_the_console(master, capsys):
    """非該当 judged 2025-01-15, before the 2025-10-09 amendment: judged against every 項, so it is touched; the
    same reason screening gives (PART-STALE). Before that amendment, nothing to review."""
    from exportscreen import engine

    out = master / "sc-review.xlsx"
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(out), "--date", "2026-01-05"]) == 0
    said = capsys.readouterr().out.splitlines()
    sc = products.in_force(date(2026, 1, 5)).get("SC-M6")
    stale = engine.product_stale(bundled(), sc, date(2026, 1, 5))
    assert stale is not None and stale.rule_id == "PART-STALE" and "2025-10-09" in stale.ja
    assert said[1:] == [f"注意: {stale.ja}"]
    info, _rows = _cells(out)
    assert info["review"].value == f"要：{stale.ja}"
    early = master / "sc-early.xlsx"
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(early), "--date", "2025-06-01"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert _cells(early)[0]["review"].value == C.NO_REVIEW


def test_non_listed_goods_show_the_catch_all_class_of_their_hs_on_the_as_of_date(master):
    out = master / "sc.xlsx"
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(out)]) == 0
    info, rows = _cells(out)
    assert all(r[2:] == ("非該当", "非該当") for r in rows[:-1])
    assert rows[-1][2] == "HS 7318.15 → 16の項(2)" == info["class16"].value  # chapter 73, not in the 16の項(1) list
    name = info["name"]
    assert name.value == FORMULA_NAME and name.data_type == "s"  # data, never a formula
    before = master / "sc-2025.xlsx"  # before 16の項 was split (2025-10-09)
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(before), "--date", "2025-06-01"]) == 0
    info, rows = _cells(before)
    assert rows[-1][2] == "HS 7318.15 → 16の項" and info["as_of"].value.date() == date(2025, 6, 1)


def test_technology_not_judged_is_said_so_on_every_row(master, monkeypatch):
    monkeypatch.chdir(master)
    assert cli.main(["products", "certificate", "ｂｉｏ－１"]) == 0  # typed full width
    info, rows = _cells(master / "該非判定書_ｂｉｏ－１.xlsx")
    assert info["tech"].value == C.NOT_JUDGED and {r[3] for r in rows[:-1]} == {"未判定"}
    assert rows[3][2].startswith("該当：3の2の項(2)") and info["hs"].value.startswith("—")


def test_no_class_is_stated_without_the_hs_that_decides_it():
    """A non-listed good without an HS code: the 16の項 row says what is missing (要確認), never a class."""
    bare = products.Product(part_no="X-1", item="非該当", judged=date(2026, 1, 15), tech="16の項")
    v = C.values(bare, "PM 2026-01-01 (1)", date(2026, 2, 1), "")
    assert v["class16"].startswith("要確認") and "16の項(1)" in v["class16"] and "16の項(2)" in v["class16"]
    assert (
        v["hs"].startswith("—")
        and v["row16"][3] == "該当：16の項"
        and v["tech"].startswith("1〜15の項のいずれにも非該当")
    )


def test_a_part_not_in_the_master_is_one_line_and_exit_2(master, capsys):
    out = master / "none.xlsx"
    assert cli.main(["products", "certificate", "NOPE", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == "exportscreen: 品番 NOPE は品番マスタ（PM 2025-01-01 (3)）にありません\n"
    assert cli.main(["products", "certificate", "NOPE", "--out", str(out), "--lang", "en"]) == 2
    assert (
        capsys.readouterr().err == "exportscreen: part number NOPE is not in the product master (PM 2025-01-01 (3))\n"
    )
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(out), "--date", "2024-12-31"]) == 2
    assert "2024-12-31 に適用される品番マスタがありません" in capsys.readouterr().err
    assert not out.exists()


def test_out_is_refused_when_special_or_not_xlsx(master, capsys):
    folder = master / "folder.xlsx"
    folder.mkdir()
    real = master / "real.xlsx"
    real.write_bytes(b"keep")
    link = master / "link.xlsx"
    link.symlink_to(real)
    fifo = master / "fifo.xlsx"
    os.mkfifo(fifo)
    for target, says in (
        (folder, "フォルダです"),
        (link, "シンボリックリンク"),
        (fifo, "通常のファイルではありません"),
    ):
        assert cli.main(["products", "certificate", "SC-M6", "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1, err
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(master / "c.pdf")]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert real.read_bytes() == b"keep"


def test_the_template_as_generated(tmp_path):
    made = tmp_path / "made.xlsx"
    subprocess.run([sys.executable, str(REPO / "tools" / "make_gaihi_certificate_template.py"), str(made)], check=True)
    committed = load_workbook(REPO / "workbook_templates" / C.TEMPLATE_NAME)[C.SHEET]
    ws = load_workbook(made)[C.SHEET]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [[c.value for c in row] for row in committed]
    assert tuple(k for k in bundled().items if k != "16") == C.KOU
    assert ws.page_setup.paperSize == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "portrait"
    assert ws[f"A{C.SIGN_HEAD_ROW}"].value == "区分" and ws[f"A{C.SIGN_FIRST_ROW + 2}"].value == "承認者"


# --- as it prints --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(master):
    """Two certificates as PDFs: NC-5000A through `--pdf`, SC-M6 rendered by tests/pdfcheck.py."""
    pdfcheck.require_tools()
    with _home(master):
        return _print(master)


def _print(master: Path) -> dict:
    nc = master / "print-nc.xlsx"
    assert cli.main(["products", "certificate", "NC-5000A", "--out", str(nc), "--pdf"]) == 0
    sc = master / "print-sc.xlsx"
    assert cli.main(["products", "certificate", "SC-M6", "--out", str(sc)]) == 0
    (sc_pdf,) = pdfcheck.render_pdf([sc], master / "pdf")
    return {name: (xlsx, pdf) for name, xlsx, pdf in (("NC", nc, nc.with_suffix(".pdf")), ("SC", sc, sc_pdf))}


@pytest.mark.parametrize("name", ["NC", "SC"])
def test_a4_portrait_every_item_row_whole_and_in_order_nothing_overlapping(printed, name):
    xlsx, pdf = printed[name]
    assert 1 <= pdfcheck.page_count(pdf) <= 2
    assert tuple(round(x, 1) for x in pdfcheck.page_size(pdf)) == (595.3, 841.9)
    words = pdfcheck.words(pdf)
    assert pdfcheck.overlaps(words) == []
    _info, rows = _cells(xlsx)
    # the 項 labels of column A, top to bottom, are 1の項 … 15の項, 16の項: the rows in order
    name_1 = next(w for w in words if w.text == "武器")
    labels = [w for w in words if re.fullmatch(r"[0-9]+(の2)?の項", w.text) and w.x1 < name_1.x0]
    assert [w.text for w in sorted(labels, key=lambda w: (w.page, w.y0))] == [r[0] for r in rows]
    # the columns' left edges, from the first row (its texts begin at their columns' left edge)
    first = sorted((w for w in words if w.page == labels[0].page and abs(w.y0 - labels[0].y0) < 2), key=lambda w: w.x0)
    edges = [w.x0 - 1 for w in first[1:4]] + [1e9]
    heading = next(w for w in words if w.text == "確認・承認")
    for i, (label, row) in enumerate(zip(labels, rows)):
        top = (labels[i - 1].y0 + label.y0) / 2 if i else label.y0 - 4
        bottom = (label.y0 + labels[i + 1].y0) / 2 if i + 1 < len(labels) else heading.y0
        for c in range(1, 4):  # 品目, 貨物, 技術: each cell whole, its lines in order
            got = pdfcheck.text_between(words, label.page, top, bottom, edges[c - 1], edges[c])
            assert got == re.sub(r"\s", "", row[c]), (row[0], c)
    text = "".join(w.text for w in words)
    assert "該非判定書" in text and "作成者" in text and "承認者" in text and "印" in text
    if name == "SC":
        assert "=HYPERLINK" in text
