"""Looked at, not assumed: an audit workbook exported with ``audit export --pdf`` (headless LibreOffice), read back
with the boxes of its words (tests/pdfcheck.py). One page each for サマリー, 明細 and 技術情報 and one per 取引審査票;
a reason of several lines prints whole and in order on its form; no word is drawn over a word of another line; a
buyer's name that looks like a formula prints as the text it is. Skipped without LibreOffice or poppler unless
CI=true."""

from __future__ import annotations

import re
from datetime import date

import pdfcheck
import pytest
from openpyxl import load_workbook

from exportscreen import audit_export as L
from exportscreen.audit import AuditLog
from exportscreen.cli import main
from exportscreen.model import Code, Decision, Reason

A4_LANDSCAPE = (841.9, 595.3)
FORMULA_NAME = '=HYPERLINK("http://example.com","Acme")'


def _reason(n: int, text: str) -> Reason:
    return Reason(f"r{n}", Code.LICENSE_REQUIRED, text, f"reason {n}", f"輸出令第{n}条第1項第{n}号", "goods")


REASONS = (
    _reason(1, "輸出令別表第一 6の項(2)（数値制御工作機械）に該当：全地域向けに経済産業大臣の輸出許可が必要です"),
    _reason(2, "用途要件：通常兵器の開発等に用いられるおそれがあります（16の項(2)・別表第三の二向け）"),
    _reason(3, "インフォーム（通常兵器）を受けている：グループA向けでも16の項(1)の貨物に許可が必要です"),
    _reason(4, "需要者は外国ユーザーリストに掲載されていません（リスト 2025-09-29 版）"),
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The audit workbook of one run of three lines (one 許可不要), its PDF and the PDF's words."""
    pdfcheck.require_tools()
    tmp = tmp_path_factory.mktemp("auditpdf")
    log = AuditLog(f"sqlite:///{tmp / 'audit.sqlite3'}")
    country = {"iso2": "IR", "name_ja": "イラン", "name_en": "Iran", "groups": ["concern"]}
    item = {"code": "6(2)", "kou": "6", "sub": "2", "class": "listed", "name_ja": "数値制御工作機械", "hs": "8458.11"}
    many = Decision(Code.LICENSE_REQUIRED, REASONS, date(2026, 1, 5), "R2026.01", country=country, item=item)
    one = Decision(Code.NO_LICENSE, REASONS[3:], date(2026, 1, 5), "R2026.01", country=country, item=item)
    names = ("country", "item", "hs", "end_user", "value_jpy")
    with log.run(kind="screen", file="orders.xlsx", file_sha256="ab" * 32, sheet="受注", reviewer="山田 太郎") as run:
        run.set_refs(["受注番号", "品名", "数量"])
        run.record_values(
            names, ("イラン", "6の項(2)", 8458.11, FORMULA_NAME, 12000000), many, 4, ("SO-7", "旋盤\x07", 2)
        )
        run.record_values(names, ("イラン", "6の項(2)", "8458.11", "Tehran Tools", 5), one, 5, ("SO-8", None, 1))
        run.record_values(names, ("イラン", "6の項(2)", "8458.11", "Tehran Tools", 5), many, 6, ("SO-9", None, 1))
    out = tmp / "監査.xlsx"
    assert main(["audit", "export", "--url", log.url, "--run", str(run.id), "--out", str(out), "--pdf"]) == 0
    log.close()
    pdf = out.with_suffix(".pdf")
    return out, pdf, pdfcheck.words(pdf)


def test_one_page_per_sheet_on_a4_landscape(exported):
    book, pdf, words = exported
    assert load_workbook(book).sheetnames == ["サマリー", "明細", "技術情報", "審査票_SO-7", "審査票_SO-9"]
    assert pdfcheck.page_count(pdf) == 5
    assert tuple(round(x, 1) for x in pdfcheck.page_size(pdf)) == A4_LANDSCAPE
    forms = sorted({w.page for w in words if w.text.startswith("取引審査票（")})
    assert forms == [4, 5]
    page_text = {p: "".join(w.text for w in words if w.page == p) for p in range(1, 6)}
    assert "主な理由" in page_text[2] and "SO-8" in page_text[2] and "記録ハッシュ" in page_text[3]
    for p in forms:
        for label in ("出荷可否", "承認者", "承認日", "備考", "山田太郎", "¥12,000,000" if p == 4 else "¥5"):
            assert label in page_text[p], (p, label)


def test_a_reason_of_several_lines_prints_whole_and_in_order_on_its_form(exported):
    _book, _pdf, words = exported
    for page in (4, 5):
        # right of the labels, from the first word of the 理由・法令根拠 block to the checklist: the reasons, the
        # rules stamp, then the End User List result ("—": no list)
        label = next(w for w in words if w.page == page and w.text == "理由・法令根拠" and w.x0 < 100)
        first = next(w for w in words if w.page == page and w.text.startswith("輸出令別表第一") and w.x0 > label.x1)
        below = next(w for w in words if w.page == page and w.text.startswith("チェックリスト"))
        assert first.y0 < label.y0 < below.y0
        got = pdfcheck.text_between(words, page, first.y0 - 1, below.y0 - 1, label.x1 + 1)
        expected = "".join(f"{r.ja}（{r.ref}）" for r in REASONS) + "[規則R2026.01/基準日2026-01-05]" + "—"
        assert got == re.sub(r"\s", "", expected)


def test_no_text_is_drawn_over_another_line(exported):
    _book, _pdf, words = exported
    assert pdfcheck.overlaps(words) == []


def test_a_formula_in_a_cell_prints_as_text(exported):
    book, _pdf, words = exported
    ws = load_workbook(book)["審査票_SO-7"]
    cell = ws[L.form_cells()["line.end_user"]]
    assert cell.value == FORMULA_NAME and cell.data_type == "s"
    assert "=HYPERLINK" in "".join(w.text for w in words if w.page == 4)
    assert ws[L.form_cells()["line.goods"]].value == "旋盤\\x07"  # a control character, spelled out
    assert ws[L.form_cells()["line.quantity"]].value == 2 and ws[L.form_cells()["line.hs"]].value == "8458.11"
