"""Hostile and odd workbooks (issue 11): each test builds the file (zip and XML written here) and checks what
``screen`` does — refuses with one line, exit 2 and the file untouched, or writes each decision where the clerk
sees it. See exportscreen/xlsxcheck.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import python_calamine as pc

from exportscreen import cli

CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
WS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{WS_REL}" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{WS_REL}" Target="worksheets/sheet2.xml"/></Relationships>'
)
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def cell(ref: str | None, text: str) -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


def row(n: int | str | None, *cells: str, attrs: str = "") -> str:
    r = f' r="{n}"' if n is not None else ""
    return f"<row{r}{attrs}>{''.join(cells)}</row>"


HEADER = row(1, cell("A1", "仕向地"), cell("B1", "品目"))


def line(n: int, country: str, item: str = "非該当") -> str:
    return row(n, cell(f"A{n}", country), cell(f"B{n}", item))


def build(
    path: Path,
    rows: str,
    *,
    head: str = "",
    tail: str = "",
    calc: str = "",
    states: tuple[str, str] = ("visible", "visible"),
    other: str = "",
    extra: dict[str, str] | None = None,
) -> Path:
    """A two-sheet workbook: 受注 with ``rows`` (and ``head`` before, ``tail`` after the sheet data), メモ."""
    sheets = "".join(
        f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"' + (f' state="{s}"' if s != "visible" else "") + "/>"
        for i, (n, s) in enumerate(zip(("受注", "メモ"), states))
    )
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    wb = f"{decl}<workbook {MAIN} {R_NS}><sheets>{sheets}</sheets>{calc}</workbook>"
    parts = {
        "[Content_Types].xml": CT,
        "_rels/.rels": RELS,
        "xl/workbook.xml": wb,
        "xl/_rels/workbook.xml.rels": WB_RELS,
        "xl/worksheets/sheet1.xml": f"<worksheet {MAIN} {R_NS}>{head}<sheetData>{rows}</sheetData>{tail}</worksheet>",
        "xl/worksheets/sheet2.xml": f"<worksheet {MAIN}><sheetData>{other}</sheetData></worksheet>",
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def screen(path: Path, *args: str) -> int:
    return cli.main(["screen", str(path), "--date", "2026-01-05", *args])


def refused(path: Path, capsys, *words: str) -> str:
    before = path.read_bytes()
    assert screen(path) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    for w in words:
        assert w in err, err
    assert path.read_bytes() == before
    return err


def grid(path: Path, sheet: str = "受注") -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


# --------------------------------------------------------------------------------- rows the reader and writer agree on
@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (HEADER + line(5, "北朝鮮") + line(3, "米国"), ["行 3", "順番"]),  # out of order
        (HEADER + line(2, "北朝鮮") + line(2, "米国"), ["行 2", "重複"]),  # the same row twice
        (HEADER + row(1048577, cell("A1048577", "北朝鮮")), ["1048577", "範囲"]),  # past Excel's last row
        (HEADER + row(4294967298, cell("A4294967298", "北朝鮮"), cell("B4294967298", "非該当")), ["4294967298"]),
        (HEADER + row(2, cell("A5", "北朝鮮"), cell("B5", "非該当")), ["行 2", "A5"]),  # a cell of another row
        (HEADER + row(2, cell("A3", "北朝鮮")) + line(3, "米国"), ["行 2", "A3"]),  # row 3 exists
        (HEADER + row(2, cell("A2", "米国"), cell("A2", "北朝鮮"), cell("B2", "非該当")), ["A2", "重複"]),
        (HEADER + row(2, cell("B2", "非該当"), cell("A2", "北朝鮮")), ["A2", "順番"]),  # a column back
        (HEADER + line(2, "米国") + row(3, cell("AA3", "x"), cell("Z3", "北朝鮮")), ["Z3", "順番"]),  # AA > Z
        (HEADER + "<!-- " + line(2, "北朝鮮") + " -->" + line(3, "米国"), ["コメント"]),
    ],
    ids=[
        "out-of-order",
        "duplicate-row",
        "past-1048576",
        "past-2**32",
        "cell-of-another-row",
        "cell-of-a-later-row-in-the-sheet",
        "repeated-cell",
        "cell-a-column-back",
        "cell-back-from-two-letters",
        "comment",
    ],
)
def test_rows_that_reader_and_writer_would_read_differently_are_refused(tmp_path, capsys, rows, words):
    refused(build(tmp_path / "o.xlsx", rows), capsys, *words)


def test_rows_and_cells_without_r_get_their_own_decisions(tmp_path, capsys):
    rows = (
        HEADER
        + row(None, cell(None, "北朝鮮"), cell(None, "非該当"))
        + row(None, cell(None, "米国"), cell(None, "非該当"))
    )
    p = build(tmp_path / "o.xlsx", rows)
    assert screen(p) == 0
    g = grid(p)
    assert g[1][:3] == ["北朝鮮", "非該当", "輸出禁止"] and g[2][:3] == ["米国", "非該当", "許可不要"]


def test_a_far_cell_is_refused_before_the_whole_sheet_is_read(tmp_path, capsys):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "米国") + row(1048576, cell("XFD1048576", "x")))
    refused(p, capsys, "大きすぎ", "XFD1048576")


def test_a_claimed_extent_alone_is_harmless(tmp_path, capsys):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "北朝鮮"), head='<dimension ref="A1:XFD1048576"/>')
    assert screen(p) == 0 and grid(p)[1][2] == "輸出禁止"


# ------------------------------------------------------------------------------------------------ the target cells
def test_merged_decision_cell_is_refused(tmp_path, capsys):
    rows = row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "判定"), cell("D1", "理由")) + line(2, "北朝鮮")
    p = build(tmp_path / "o.xlsx", rows, tail='<mergeCells count="1"><mergeCell ref="C2:C3"/></mergeCells>')
    refused(p, capsys, "C 列", "結合")


def test_array_formula_over_the_decision_column_is_refused(tmp_path, capsys):
    rows = (
        row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "判定"), cell("D1", "理由"))
        + row(2, cell("A2", "北朝鮮"), cell("B2", "非該当"), '<c r="C2"><f t="array" ref="C2:C3">1</f><v>1</v></c>')
        + line(3, "米国")
    )
    refused(build(tmp_path / "o.xlsx", rows), capsys, "C 列", "配列数式")


def test_hidden_decision_column_is_refused(tmp_path, capsys):
    rows = row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "判定")) + line(2, "北朝鮮")
    p = build(tmp_path / "o.xlsx", rows, head='<cols><col min="3" max="3" width="9" hidden="1"/></cols>')
    refused(p, capsys, "C 列", "非表示")


def test_new_columns_skip_hidden_merged_and_unlabelled_columns(tmp_path, capsys):
    rows = (
        row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "備考"))
        + row(2, cell("A2", "北朝鮮"), cell("B2", "非該当"), cell("E2", "担当メモ"))  # E: content, no header text
        + line(3, "米国")
    )
    head = '<cols><col min="6" max="6" width="9" hidden="1"/></cols>'  # F hidden
    tail = '<mergeCells count="1"><mergeCell ref="G1:G2"/></mergeCells>'  # G merged
    p = build(tmp_path / "o.xlsx", rows, head=head, tail=tail)
    assert screen(p) == 0
    g = grid(p)
    assert g[1][4] == "担当メモ"  # never overwritten
    assert g[0][7:9] == ["判定", "理由"] and g[1][7] == "輸出禁止" and g[2][7] == "許可不要"  # H and I
    assert all(r[5] in ("", None) and r[6] in ("", None) for r in g)


def test_protected_sheet_is_refused(tmp_path, capsys):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "北朝鮮"), tail='<sheetProtection sheet="1" objects="1"/>')
    refused(p, capsys, "保護")


def test_table_calculated_decision_column_is_refused(tmp_path, capsys):
    rows = row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "判定"), cell("D1", "理由")) + line(2, "北朝鮮")
    table = (
        f'<table {MAIN} id="1" name="T" displayName="T" ref="A1:D2"><tableColumns count="4">'
        '<tableColumn id="1" name="仕向地"/><tableColumn id="2" name="品目"/>'
        '<tableColumn id="3" name="判定"><calculatedColumnFormula>1</calculatedColumnFormula></tableColumn>'
        '<tableColumn id="4" name="理由"/></tableColumns></table>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"'
        ' Target="../tables/table1.xml"/></Relationships>'
    )
    p = build(
        tmp_path / "o.xlsx",
        rows,
        tail='<tableParts count="1"><tablePart r:id="rId1"/></tableParts>',
        extra={"xl/tables/table1.xml": table, "xl/worksheets/_rels/sheet1.xml.rels": rels},
    )
    refused(p, capsys, "テーブル")


def test_table_decision_column_with_plain_cells_is_written(tmp_path, capsys):
    rows = row(1, cell("A1", "仕向地"), cell("B1", "品目"), cell("C1", "判定"), cell("D1", "理由")) + line(2, "北朝鮮")
    table = (
        f'<table {MAIN} id="1" name="T" displayName="T" ref="A1:D2"><tableColumns count="4">'
        '<tableColumn id="1" name="仕向地"/><tableColumn id="2" name="品目"/><tableColumn id="3" name="判定"/>'
        '<tableColumn id="4" name="理由"/></tableColumns></table>'
    )
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"'
        ' Target="../tables/table1.xml"/></Relationships>'
    )
    p = build(
        tmp_path / "o.xlsx",
        rows,
        tail='<tableParts count="1"><tablePart r:id="rId1"/></tableParts>',
        extra={"xl/tables/table1.xml": table, "xl/worksheets/_rels/sheet1.xml.rels": rels},
    )
    assert screen(p) == 0 and grid(p)[1][2] == "輸出禁止"


def test_missing_table_part_is_one_line(tmp_path, capsys):
    p = build(
        tmp_path / "o.xlsx",
        HEADER + line(2, "北朝鮮"),
        tail='<tableParts count="1"><tablePart r:id="rId9"/></tableParts>',
    )
    refused(p, capsys)


def test_malformed_workbook_rels_is_one_line(tmp_path, capsys):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "北朝鮮"), extra={"xl/_rels/workbook.xml.rels": "<Relationships"})
    refused(p, capsys)


# ---------------------------------------------------------------------------------------------------- sheets
def test_hidden_sheet_is_never_chosen_by_default(tmp_path, capsys):
    # the hidden first sheet holds an order table; the visible メモ sheet holds the one the clerk sees
    p = build(
        tmp_path / "o.xlsx", HEADER + line(2, "米国"), states=("hidden", "visible"), other=HEADER + line(2, "北朝鮮")
    )
    assert screen(p) == 0
    assert grid(p, "メモ")[1][2] == "輸出禁止" and len(grid(p)[1]) == 2


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_explicit_hidden_sheet_is_refused(tmp_path, capsys, state):
    p = build(tmp_path / "o.xlsx", HEADER + line(2, "北朝鮮"), states=(state, "visible"))
    before = p.read_bytes()
    assert screen(p, "--sheet", "受注") == 2
    assert "非表示" in capsys.readouterr().err and p.read_bytes() == before


# ----------------------------------------------------------------------------------------- hidden order rows
def test_hidden_order_rows_are_screened(tmp_path, capsys):
    rows = HEADER + row(2, cell("A2", "北朝鮮"), cell("B2", "非該当"), attrs=' hidden="1"') + line(3, "米国")
    p = build(tmp_path / "o.xlsx", rows)
    assert screen(p) == 0
    assert grid(p)[1][2] == "輸出禁止"


# ------------------------------------------------------------------------------------------- cached formula values
@pytest.mark.parametrize("calc", ["", '<calcPr calcId="191029" fullCalcOnLoad="1"/>'], ids=["cached", "fullCalcOnLoad"])
def test_a_formula_in_a_screened_cell_is_review_naming_the_cell(tmp_path, capsys, calc):
    # the saved result says 米国 (許可不要), the formula says 北朝鮮: Excel recalculates and shows 北朝鮮
    rows = HEADER + row(2, '<c r="A2" t="str"><f>"北朝鮮"</f><v>米国</v></c>', cell("B2", "非該当")) + line(3, "米国")
    p = build(tmp_path / "o.xlsx", rows, calc=calc)
    assert screen(p) == 0
    g = grid(p)
    assert g[1][2] == "要確認" and "A2" in g[1][3] and "数式" in g[1][3]
    assert g[2][2] == "許可不要"  # the line without a formula is decided as before


def test_a_line_of_formulas_without_saved_results_still_gets_a_decision(tmp_path, capsys):
    rows = HEADER + row(2, '<c r="A2"><f>"北朝鮮"</f></c>', '<c r="B2"><f>"非該当"</f></c>') + line(3, "米国")
    p = build(tmp_path / "o.xlsx", rows)
    assert screen(p) == 0
    g = grid(p)
    assert g[1][2] in ("要確認", "入力エラー") and "A2, B2" in g[1][3]
