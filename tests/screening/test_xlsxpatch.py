"""Lossless cell writes (exportscreen/xlsxpatch.py) on workbooks saved by Excel and on crafted edge cases."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine as pc

from exportscreen import xlsxpatch
from exportscreen.errors import UserError
from exportscreen.xlsxpatch import PatchError, patch_workbook, sheet_names

REPO = Path(__file__).resolve().parents[2]
EXCEL_MADE = REPO.parent / "shared" / "reference" / "excel-made"
EXCEL_FILES = sorted(EXCEL_MADE.glob("*.xls[xm]")) if EXCEL_MADE.is_dir() else []
PNG_1x1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("EXPORTSCREEN_HOME", str(tmp_path / "home"))


# ------------------------------------------------------------------------------------------- helpers
def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any openpyxl warning fails the test
        wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    if getattr(wb, "vba_archive", None) is not None:
        wb.vba_archive.close()  # openpyxl keeps the zip open for the macros
    return wb


def cell_snapshot(ws) -> dict[str, tuple]:
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            v = c.value
            if hasattr(v, "ref") and hasattr(v, "text"):  # ArrayFormula / DataTableFormula compare by identity
                v = (type(v).__name__, v.ref, v.text)
            # styles.xml is compared byte for byte elsewhere, so the style indices say it all
            out[c.coordinate] = (v, c.data_type, c.number_format, tuple(c._style), repr(c.font), repr(c.fill))
    return out


def calamine_rows(path: Path, sheet: str) -> list[list]:
    return pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def first_worksheet(path: Path) -> str:
    wb = load(path)
    return wb.worksheets[0].title


def assert_lossless(
    src: Path, out: Path, sheet: str, cells: dict[tuple[int, int], str], allowed: set[str] = frozenset()
):
    before, after = members(src), members(out)
    with zipfile.ZipFile(src) as zf:
        part = xlsxpatch.sheet_part(zf, sheet)[0]
    assert list(before) == list(after) or set(before) - set(after) <= allowed
    for name, data in before.items():
        if name == part or name in allowed:
            continue
        assert after[name] == data, f"{name} changed"
    wb0, wb1 = load(src), load(out)
    assert wb0.sheetnames == wb1.sheetnames
    for ws0 in wb0.worksheets:
        ws1 = wb1[ws0.title]
        s0, s1 = cell_snapshot(ws0), cell_snapshot(ws1)
        if ws0.title == sheet:
            written = {xlsxpatch.cell_ref(r, c) for r, c in cells}
            for ref in written:
                s0.pop(ref, None)
                s1.pop(ref, None)
            for ref, text in ((xlsxpatch.cell_ref(r, c), t) for (r, c), t in cells.items()):
                assert ws1[ref].value == text
            assert ws0.freeze_panes == ws1.freeze_panes
            assert ws0.merged_cells.ranges == ws1.merged_cells.ranges
            assert len(ws0.data_validations.dataValidation) == len(ws1.data_validations.dataValidation)
            assert len(ws0.conditional_formatting) == len(ws1.conditional_formatting)
            assert {k: v.width for k, v in ws0.column_dimensions.items()} == {
                k: v.width for k, v in ws1.column_dimensions.items()
            }
        assert s0 == s1, ws0.title
    rows = calamine_rows(out, sheet)
    for (r, c), text in cells.items():
        assert rows[r][c] == text


# ---------------------------------------------------------------------------------- Excel-made corpus
@pytest.mark.skipif(not EXCEL_FILES, reason="shared/reference/excel-made not available")
@pytest.mark.parametrize("src", EXCEL_FILES, ids=lambda p: p.name)
def test_excel_made_workbooks_stay_lossless(src, tmp_path):
    sheet = first_worksheet(src)
    ws = load(src)[sheet]
    right = ws.max_column  # 0-based index of the first column after the used range
    cells = {
        (0, right): "判定",
        (0, right + 1): "理由",
        (1, right): '=HYPERLINK("http://evil.example","x")',
        (1, right + 1): "根拠（外為法48条1項）\n2行目 & <tag>",
        (ws.max_row + 3, 1): "+cmd|' /C calc'!A0",
    }
    out = tmp_path / src.name
    res = patch_workbook(src, out, sheet, cells, style_from_left_rows={0})
    assert res.cells_written == len(cells)
    assert res.formulas_replaced == [] and res.calc_chain == "untouched"
    assert_lossless(src, out, sheet, cells)
    # text that looks like a formula is an inline string, never a formula
    xml = members(out)[res.part].decode()
    ref = xlsxpatch.cell_ref(1, right)
    cell = re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml).group()
    assert 't="inlineStr"' in cell and "<f>" not in cell
    assert members(out).get("xl/sharedStrings.xml") == members(src).get("xl/sharedStrings.xml")


@pytest.mark.skipif(not EXCEL_FILES, reason="shared/reference/excel-made not available")
def test_macro_workbook_keeps_vba_project(tmp_path):
    src = EXCEL_MADE / "macro01.xlsm"
    out = tmp_path / "macro01.xlsm"
    patch_workbook(src, out, first_worksheet(src), {(0, 5): "x"})
    assert members(out)["xl/vbaProject.bin"] == members(src)["xl/vbaProject.bin"]
    assert members(out)["[Content_Types].xml"] == members(src)["[Content_Types].xml"]


@pytest.mark.skipif(not EXCEL_FILES, reason="shared/reference/excel-made not available")
def test_overwriting_formula_updates_calc_chain(tmp_path):
    src = EXCEL_MADE / "escapes01.xlsx"
    chain = members(src)["xl/calcChain.xml"].decode()
    refs = re.findall(r'<c r="([A-Z]+\d+)"', chain)
    assert len(refs) >= 1
    sheet = first_worksheet(src)
    # one formula overwritten -> entry removed, rest kept
    out = tmp_path / "one.xlsx"
    ref = refs[0]
    m = re.match(r"([A-Z]+)(\d+)", ref)
    col = openpyxl.utils.column_index_from_string(m.group(1)) - 1
    cells = {(int(m.group(2)) - 1, col): "上書き"}
    res = patch_workbook(src, out, sheet, cells)
    assert res.formulas_replaced == [ref]
    after = members(out)
    if len(refs) == 1:
        assert res.calc_chain == "removed" and "xl/calcChain.xml" not in after
        assert "calcChain" not in after["[Content_Types].xml"].decode()
        assert "calcChain" not in after["xl/_rels/workbook.xml.rels"].decode()
    else:
        assert res.calc_chain == "updated" and f'r="{ref}"' not in after["xl/calcChain.xml"].decode()
    assert_lossless(
        src, out, sheet, cells, allowed={"xl/calcChain.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}
    )


@pytest.mark.skipif(shutil.which("soffice") is None or not EXCEL_FILES, reason="LibreOffice not installed")
def test_libreoffice_opens_the_result(tmp_path):
    src = EXCEL_MADE / "table01.xlsx"
    out = tmp_path / "lo.xlsx"
    patch_workbook(src, out, first_worksheet(src), {(0, 9): "判定", (1, 9): "=許可要 <&>", (20, 0): "最終行"})
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path / "csv"),
            str(out),
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    text = (tmp_path / "csv" / "lo.csv").read_text(encoding="utf-8")
    assert "判定" in text and "=許可要 <&>" in text and "最終行" in text


# ----------------------------------------------------------------------------- xlsxwriter-made workbook
@pytest.fixture
def rich_workbook(tmp_path) -> Path:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "rich.xlsx"
    img = tmp_path / "dot.png"
    img.write_bytes(PNG_1x1)
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": "受注", "author": "tester"})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEEFF", "border": 1})
    money = wb.add_format({"num_format": "#,##0"})
    ws = wb.add_worksheet("受注一覧")
    ws.write("A1", "受注一覧")
    for c, h in enumerate(["仕向地", "品目", "金額"]):
        ws.write(2, c, h, bold)
    data = [("米国", "7の項(1)", 100), ("中国", "非該当", 2500), ("ドイツ", "非該当", 30)]
    for r, row in enumerate(data, start=3):
        ws.write(r, 0, row[0])
        ws.write(r, 1, row[1])
        ws.write_number(r, 2, row[2], money)
    ws.write_formula("C7", "=SUM(C4:C6)", money, 2630)
    ws.write_comment("A4", "確認済み")
    ws.data_validation("B4:B100", {"validate": "list", "source": ["非該当", "7の項(1)"]})
    ws.conditional_format(
        "C4:C6", {"type": "cell", "criteria": ">", "value": 1000, "format": wb.add_format({"bg_color": "#FFC7CE"})}
    )
    ws.insert_image("G2", str(img))
    ws.set_column("A:A", 18)
    ws.freeze_panes(3, 0)
    wb.define_name("Amounts", "=受注一覧!$C$4:$C$6")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": "=受注一覧!$C$4:$C$6"})
    ws.insert_chart("G10", chart)
    t = wb.add_worksheet("表")
    t.add_table(
        "A1:C4",
        {"data": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "columns": [{"header": "a"}, {"header": "b"}, {"header": "c"}]},
    )
    wb.close()
    return path


def test_xlsxwriter_workbook_with_charts_images_comments_validation_table(rich_workbook, tmp_path):
    out = tmp_path / "out.xlsx"
    cells = {
        (2, 3): "判定",
        (2, 4): "理由",
        (3, 3): "許可要",
        (3, 4): "7の項(1)\n外為法48条1項",
        (4, 3): "要確認",
        (5, 3): "許可不要",
        (30, 0): "追加行",
    }
    res = patch_workbook(rich_workbook, out, "受注一覧", cells, style_from_left_rows={2})
    assert res.rows_created == 1
    assert_lossless(rich_workbook, out, "受注一覧", cells)
    ws = load(out)["受注一覧"]
    # new header cells take the style of the header cell to their left
    assert ws["D3"].font.b and ws["E3"].fill.fgColor.rgb == ws["C3"].fill.fgColor.rgb
    assert ws["D4"].font.b is False
    # dimension widened
    assert load(out)["受注一覧"].dimensions == "A1:E31"


def test_second_patch_overwrites_inline_cells_and_keeps_style(rich_workbook, tmp_path):
    one, two = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    patch_workbook(rich_workbook, one, "受注一覧", {(2, 3): "判定", (3, 3): "A"}, style_from_left_rows={2})
    patch_workbook(one, two, "受注一覧", {(2, 3): "判定", (3, 3): "B", (3, 0): "上書き"})
    ws = load(two)["受注一覧"]
    assert ws["D4"].value == "B" and ws["A4"].value == "上書き" and ws["D3"].font.b
    assert ws["A4"].comment is not None  # the comment lives in another part


# --------------------------------------------------------------------------------- crafted sheet XML
def craft(tmp_path: Path, sheet_xml: str, name: str = "c.xlsx") -> Path:
    """A valid package (from xlsxwriter) whose sheet1.xml is replaced by ``sheet_xml``."""
    xlsxwriter = pytest.importorskip("xlsxwriter")
    base = tmp_path / "base.xlsx"
    wb = xlsxwriter.Workbook(str(base))
    wb.add_worksheet("S").write("A1", "x")
    wb.close()
    out = tmp_path / name
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            data = sheet_xml.encode() if i.filename == "xl/worksheets/sheet1.xml" else zin.read(i)
            zout.writestr(i.filename, data)
    return out


def sheet_xml(body: str, prefix: str = "", dim: str = "A1") -> str:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns{":" + prefix if prefix else ""}="{MAIN_NS}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
        f'<{p}dimension ref="{dim}"/><{p}sheetData>{body}</{p}sheetData></{p}worksheet>'
    )


def out_sheet(path: Path) -> str:
    return members(path)["xl/worksheets/sheet1.xml"].decode()


def test_rows_and_cells_inserted_in_order(tmp_path):
    src = craft(
        tmp_path,
        sheet_xml(
            '<row r="2"><c r="B2" s="1"><v>1</v></c><c r="D2"><v>2</v></c></row>'
            '<row r="5"><c r="A5"><v>3</v></c></row>',
            dim="B2:D5",
        ),
    )
    out = tmp_path / "o.xlsx"
    patch_workbook(
        src, out, "S", {(0, 0): "top", (1, 2): "mid", (1, 0): "first", (1, 1): "over", (3, 4): "r4", (9, 0): "end"}
    )
    xml = out_sheet(out)
    assert re.findall(r'<row r="(\d+)"', xml) == ["1", "2", "4", "5", "10"]
    assert re.findall(r'<c r="([A-Z]+)2"', xml) == ["A", "B", "C", "D"]
    assert '<c r="B2" s="1" t="inlineStr"><is><t xml:space="preserve">over</t></is></c>' in xml
    assert '<dimension ref="A1:E10"/>' in xml
    rows = calamine_rows(out, "S")
    assert rows[1][:4] == ["first", "over", "mid", 2.0] and rows[9][0] == "end" and rows[4][0] == 3.0


def test_cells_and_rows_without_r_attribute_keep_their_place(tmp_path):
    src = craft(tmp_path, sheet_xml("<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"))
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, "S", {(0, 3): "x"})
    rows = calamine_rows(out, "S")
    assert rows[0] == [1.0, 2.0, "", "x"] and rows[1][0] == 3.0


def test_prefixed_namespace_and_empty_sheet(tmp_path):
    src = craft(tmp_path, sheet_xml('<x:row r="1"><x:c r="A1"><x:v>5</x:v></x:c></x:row>', prefix="x"))
    out = tmp_path / "o.xlsx"
    patch_workbook(src, out, "S", {(0, 1): "p", (2, 0): "q"})
    assert '<x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">p</x:t></x:is></x:c>' in out_sheet(out)
    assert calamine_rows(out, "S")[2][0] == "q"
    empty = craft(tmp_path, f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>', "e.xlsx")
    patch_workbook(empty, out, "S", {(1, 1): "only"})
    assert calamine_rows(out, "S")[1][1] == "only"


def test_shared_formula_master_is_refused_and_file_untouched(tmp_path):
    src = craft(
        tmp_path,
        sheet_xml(
            '<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">B1*2</f><v>0</v></c></row>'
            '<row r="2"><c r="A2"><f t="shared" si="0"/><v>0</v></c></row>'
        ),
    )
    before = src.read_bytes()
    with pytest.raises(PatchError, match="shared formula"):
        patch_workbook(src, src, "S", {(0, 0): "x"})
    assert src.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []
    # a dependent of a shared formula may be overwritten
    out = tmp_path / "o.xlsx"
    res = patch_workbook(src, out, "S", {(1, 0): "y"})
    assert res.formulas_replaced == ["A2"] and calamine_rows(out, "S")[1][0] == "y"


def test_control_characters_and_literal_escapes_round_trip(tmp_path):
    src = craft(tmp_path, sheet_xml(""))
    out = tmp_path / "o.xlsx"
    text = "a\x01b\x1fc\rd\ne _x0041_ \ufffe"
    patch_workbook(src, out, "S", {(0, 0): text})
    xml = out_sheet(out)
    assert "_x0001_" in xml and "_x005F_x0041_" in xml and "\x01" not in xml
    from lxml import etree

    etree.fromstring(xml.encode())  # well-formed
    assert "_xFFFE_" in xml  # a non-character XML cannot hold
    assert calamine_rows(out, "S")[0][0] == text.replace("\ufffe", "_xFFFE_")


def test_small_chunks_give_identical_output(tmp_path, rich_workbook, monkeypatch):
    cells = {(r, 5): f"row {r}" for r in range(0, 40, 3)}
    big = tmp_path / "big.xlsx"
    patch_workbook(rich_workbook, big, "受注一覧", cells)
    monkeypatch.setattr(xlsxpatch, "CHUNK", 7)
    small = tmp_path / "small.xlsx"
    patch_workbook(rich_workbook, small, "受注一覧", cells)
    assert members(big) == members(small)


def test_sheet_name_mapped_through_relationships(rich_workbook, tmp_path):
    assert sheet_names(rich_workbook) == ["受注一覧", "表"]
    out = tmp_path / "o.xlsx"
    res = patch_workbook(rich_workbook, out, "表", {(0, 5): "z"})
    assert res.part == "xl/worksheets/sheet2.xml"
    with pytest.raises(UserError, match="no sheet named"):
        patch_workbook(rich_workbook, out, "nope", {(0, 0): "z"})


# ------------------------------------------------------------------------------------------ safety
def test_crash_mid_write_leaves_original_and_no_temp_file(rich_workbook, monkeypatch):
    before = rich_workbook.read_bytes()
    real = xlsxpatch._write_package

    def boom(zin, fh, *a, **k):
        fh.write(b"PK partial garbage")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(xlsxpatch, "_write_package", boom)
    with pytest.raises(RuntimeError):
        patch_workbook(rich_workbook, rich_workbook, "受注一覧", {(0, 5): "x"})
    assert rich_workbook.read_bytes() == before
    assert sorted(p.name for p in rich_workbook.parent.iterdir()) == ["dot.png", "rich.xlsx"]
    monkeypatch.setattr(xlsxpatch, "_write_package", real)
    patch_workbook(rich_workbook, rich_workbook, "受注一覧", {(0, 5): "x"})  # in place works
    assert calamine_rows(rich_workbook, "受注一覧")[0][5] == "x"


def _bad_inputs(tmp_path: Path, good: Path) -> dict[str, Path]:
    files = {}
    ole = tmp_path / "encrypted.xlsx"
    ole.write_bytes(xlsxpatch.OLE_SIGNATURE + b"\0" * 1024)
    files["password"] = ole
    text = tmp_path / "notes.xlsx"
    text.write_text("just text")
    files["not a workbook"] = text
    trunc = tmp_path / "trunc.xlsx"
    trunc.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    files["truncated"] = trunc
    nowb = tmp_path / "other.xlsx"
    with zipfile.ZipFile(nowb, "w") as zf:
        zf.writestr("hello.txt", "hi")
    files["zip without workbook"] = nowb
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for i in zin.infolist():
            zout.writestr(i.filename, zin.read(i))
        zout.writestr("xl/media/zeros.bin", b"\0" * (24 * 1024 * 1024))
    files["zip bomb"] = bomb
    corrupt = tmp_path / "corrupt.xlsx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 5
    data[start : start + 20] = b"\xff" * 20
    corrupt.write_bytes(bytes(data))
    files["corrupt member"] = corrupt
    return files


def test_bad_inputs_raise_user_error_and_stay_untouched(rich_workbook, tmp_path):
    for why, path in _bad_inputs(tmp_path, rich_workbook).items():
        before = path.read_bytes()
        with pytest.raises(UserError) as exc:
            patch_workbook(path, path, "受注一覧", {(0, 0): "x"})
        assert "\n" not in str(exc.value), why
        assert path.read_bytes() == before, why
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]


def test_zip_bomb_ratio_message(rich_workbook, tmp_path):
    bomb = _bad_inputs(tmp_path, rich_workbook)["zip bomb"]
    with pytest.raises(UserError, match="zip bomb"):
        xlsxpatch.check_workbook(bomb)
    with pytest.raises(UserError, match="password"):
        xlsxpatch.check_workbook(_bad_inputs(tmp_path, rich_workbook)["password"])


def test_cell_ref_helpers():
    assert xlsxpatch.col_letter(0) == "A" and xlsxpatch.col_letter(25) == "Z" and xlsxpatch.col_letter(26) == "AA"
    assert xlsxpatch.cell_ref(0, 16383) == "XFD1"


def test_array_formula_master_is_refused(tmp_path):
    src = craft(
        tmp_path,
        sheet_xml(
            '<row r="1"><c r="A1"><f t="array" ref="A1:A2">B1:B2*2</f><v>0</v></c>'
            '</row><row r="2"><c r="A2"><v>0</v></c></row>'
        ),
    )
    with pytest.raises(PatchError, match="array formula"):
        patch_workbook(src, tmp_path / "o.xlsx", "S", {(0, 0): "x"})
    with pytest.raises(PatchError, match="outside"):
        patch_workbook(src, tmp_path / "o.xlsx", "S", {(0, 16384): "x"})
