"""The order sheet as the reader, the writer and the clerk see it: checks before a workbook is read and written.

python-calamine (the reader) and :mod:`exportscreen.xlsxpatch` (the writer) each interpret the worksheet XML; a
hostile or odd file can make them disagree, or put a decision where the clerk does not see it. The order sheet is
read once, a chunk of whole rows at a time (:class:`SheetReader`, from :func:`open_sheet`): each chunk is checked,
then python-calamine reads just those rows from a one-sheet package (with the workbook's styles and date system; its
shared strings written inline), so memory is bounded by a chunk, not by the sheet. Refused, with one line:

* rows whose number is out of range (past 1,048,576 — calamine wraps a number past 2³²), out of order or
  repeated, and cells that claim another row (``<row r="2"><c r="A5">``) or repeat or go back a column: the
  reader and the writer would put the same line in different rows;
* comments or CDATA between the rows (invisible to one reader, not to another);
* a used area (first to last row with a value, times the last column with a value) of more than
  :data:`MAX_CELLS` cells (every row of it is a list as wide as the area), a row larger than :data:`MAX_ROW_BYTES`,
  shared strings larger than :data:`MAX_SHARED_STRINGS` or one of them larger than :data:`MAX_SHARED_STRING`;
  rows far apart are read apart (python-calamine holds a chunk's whole area: at most :data:`CHUNK_CELLS` cells).

It records what decides where 判定/理由 may go and which values are trustworthy: hidden rows and columns, merged
ranges, array/shared/dataTable formula ranges, Excel tables, sheet protection, and every formula cell (its cached
value may be stale: the line is 要確認 naming the cell, see :class:`LineFacts`). :func:`settle` then
chooses the 判定/理由 columns — existing ones, or the first columns right of everything that are empty, visible,
unmerged and outside tables and formulas — and refuses targets that are merged, hidden, part of an array or
shared formula or a calculated table column, or on a protected sheet.

Coordinates are 0-based (row, col) like python-calamine's, as in :mod:`exportscreen.orders`.
"""

from __future__ import annotations

import io
import operator
import posixpath
import re
import zipfile
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from lxml import etree

from exportscreen import xlsxpatch
from exportscreen.errors import UserError

MAX_ROWS, MAX_COLS = 1048576, 16384
MAX_CELLS = 28_000_000  # a used area larger than this is refused (26 columns × 1,048,576 rows still pass)
MAX_ROW_BYTES = 64 * 1024**2  # one row (or the XML before or after the rows) larger than this is refused
READ = 8 * 1024**2

REL_TABLE = xlsxpatch.NS_REL + "/table"


@dataclass
class Table:
    name: str
    ref: tuple[int, int, int, int]  # r1, c1, r2, c2 (0-based, inclusive)
    header_rows: int
    calculated: list[bool]  # per column of the table: has a calculated column formula


@dataclass
class SheetFacts:
    name: str
    part: str
    hidden_cols: list[tuple[int, int]] = field(default_factory=list)  # (first, last) col, 0-based
    hidden_rows: array = field(default_factory=lambda: array("q"))  # 0-based, increasing
    formulas: array = field(default_factory=lambda: array("q"))  # row * MAX_COLS + col of each formula cell
    formula_ranges: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)  # array/shared/...
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    protected: bool = False
    first_row: int = -1  # the first and last row holding a cell with content (0-based), -1 when none
    last_row: int = -1
    max_col: int = -1  # an upper bound of the last column with content (exact past column Z)

    def col_hidden(self, col: int) -> bool:
        return any(a <= col <= b for a, b in self.hidden_cols)

    def hidden_between(self, r1: int, r2: int) -> int:
        """How many hidden rows lie in r1..r2."""
        return bisect_right(self.hidden_rows, r2) - bisect_left(self.hidden_rows, r1)


def _refuse(name: str, ja: str, en: str) -> UserError:
    return UserError(f"{name}: {ja}", f"{name}: {en}")


def _range(ref: bytes | str) -> tuple[int, int, int, int]:
    """ "B2:D5" or "B2" -> (r1, c1, r2, c2), 0-based."""
    raw = ref.encode() if isinstance(ref, str) else ref
    parts = [xlsxpatch._parse_ref(x) for x in raw.split(b":")]
    (r1, c1), (r2, c2) = parts[0], parts[-1]
    return min(r1, r2) - 1, min(c1, c2) - 1, max(r1, r2) - 1, max(c1, c2) - 1


# ------------------------------------------------------------------------------------------ workbook level
def sheet_states(path: Path) -> dict[str, str]:
    """Sheet name -> "visible" | "hidden" | "veryHidden", from workbook.xml."""
    with zipfile.ZipFile(path) as zf:
        wb = xlsxpatch._parse_xml(zf, xlsxpatch._workbook_part(zf))
    return {s.get("name", ""): s.get("state", "visible") for s in wb.iter(f"{{{xlsxpatch.NS_MAIN}}}sheet")}


def full_calc_on_load(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        wb = xlsxpatch._parse_xml(zf, xlsxpatch._workbook_part(zf))
    calc = wb.find(f"{{{xlsxpatch.NS_MAIN}}}calcPr")
    return calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")


# ------------------------------------------------------------------------------------------- sheet scan
# The usual layout (Excel, LibreOffice, openpyxl, xlsxwriter): rows and cells with r first, no namespace prefix;
# such a chunk of whole rows is checked with a few C-speed searches, anything else goes the careful way.
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_ROW_OR_CELL = re.compile(rb'<(?:row r="(\d+)"|c r="([A-Z]{1,3})(\d+)")')
_HIDDEN_ROW = re.compile(rb'<row r="(\d+)"[^>]*?\shidden="(?:1|true)"')
_CONTENT_CELL = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"[^>]*+(?<!/)>')
_F_TAG = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s>/])[^>]*>")
_F_PLAIN = re.compile(rb"<f[\s>/][^>]*>")
_CELL_CLOSE = re.compile(rb"</(?:[\w.-]+:)?c>")
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s>/])([^>]*)>")
_WIDE = re.compile(rb'<c r="([A-Z]{2,3})\d+"[^>]*+(?<!/)>')
# what the usual layout does not have: comments, CDATA, processing instructions, namespace prefixes on rows, cells
# and formulas, rows and cells that do not start with their r
_ODD = re.compile(rb'<[!?]|<[\w.-]+:(?:row|c|f)[\s>/]|<c(?! r=")|<row(?! r=")')


class _Scan:
    def __init__(self, facts: SheetFacts, fname: str):
        self.facts, self.fname = facts, fname
        self.prev_row = 0  # 1-based number of the last row seen
        self.span: tuple[int, int] | None = None  # the first and last row (1-based) of the last chunk

    def refuse(self, ja: str, en: str) -> UserError:
        return _refuse(self.fname, f"シート「{self.facts.name}」: {ja}", f"sheet {self.facts.name!r}: {en}")

    def bad_row(self, r: int) -> UserError:
        if r > MAX_ROWS or r < 1:
            return self.refuse(
                f"行番号 {r} は Excel の範囲（1〜1,048,576）の外です。Excel で開いて保存し直してください",
                f"row number {r} is outside Excel's range (1-1,048,576); open and save the workbook in Excel again",
            )
        return self.refuse(
            f"行 {r} が順番どおりでないか重複しています（前の行 {self.prev_row}）。Excel で開いて保存し直してください",
            f"row {r} is out of order or repeated (after row {self.prev_row}); open and save the workbook in Excel "
            "again",
        )

    def chunk(self, data: bytes) -> None:
        """Whole rows (and white space)."""
        self.span = None
        if _ODD.search(data) is not None:  # not the usual layout: one search (each `<` is looked at once)
            if b"<!" in data or b"<?" in data:
                raise self.refuse(
                    "行の間に XML コメントか CDATA があります。Excel で開いて保存し直してください",
                    "XML comments or CDATA between the rows; open and save the workbook in Excel again",
                )
            self.careful(data)
            return
        nums = _rows_if_plain(data)
        if nums is None:  # a cell of another row, repeated or a column back: found and named the careful way
            self.careful(data)
            return
        if not nums:
            return
        if nums[0] <= self.prev_row or not all(map(operator.lt, nums, nums[1:])) or nums[-1] > MAX_ROWS:
            for r in nums:
                if r <= self.prev_row or r > MAX_ROWS:
                    raise self.bad_row(r)
                self.prev_row = r
        self.prev_row = nums[-1]
        self.span = (nums[0], nums[-1])
        f = self.facts
        if b'hidden="' in data:
            f.hidden_rows.extend(int(m.group(1)) - 1 for m in _HIDDEN_ROW.finditer(data))
        first = _CONTENT_CELL.search(data)
        if first is not None:
            if f.first_row < 0:
                f.first_row = int(first.group(1)) - 1
            pos = len(data)
            while True:  # the last cell with content: look back from the end
                i = data.rfind(b'<c r="', 0, pos)
                m = _CONTENT_CELL.match(data, i)
                if m is not None:
                    f.last_row = int(m.group(1)) - 1
                    break
                pos = i
            wide = set(_WIDE.findall(data))  # columns past Z
            last = max((xlsxpatch._parse_ref(x + b"1")[1] - 1 for x in wide), default=25)
            f.max_col = max(f.max_col, last)
        if b"<f" not in data:
            return
        for m in _F_PLAIN.finditer(data):
            i = data.rfind(b'<c r="', 0, m.start())
            cm = _CELL_REF.match(data, i)
            if cm is None:
                raise self.refuse("数式のセルの番地が読めません", "a formula cell without a readable reference")
            r, c = xlsxpatch._parse_ref(cm.group(1) + cm.group(2))
            self.formula(r - 1, c - 1, m.group())

    def careful(self, data: bytes) -> None:
        """Row by row, cell by cell: any attribute order, namespace prefixes, rows and cells without r."""
        f = self.facts
        row, col = self.prev_row, 0
        first = 0
        for m in _TAG.finditer(data):
            close, name, attrs = m.group(1), m.group(2), m.group(3)
            if close:
                continue
            a = xlsxpatch._attrs(attrs)
            if name == b"row":
                num = a.get(b"r")
                if num is not None and not num.strip().isdigit():
                    raise self.refuse(
                        f"行番号「{num.decode(errors='replace')}」が読めません", f"bad row number {num!r}"
                    )
                row = int(num) if num is not None else self.prev_row + 1
                if row <= self.prev_row or row > MAX_ROWS:
                    raise self.bad_row(row)
                self.prev_row, col = row, 0
                first = first or row
                if a.get(b"hidden") in (b"1", b"true"):
                    f.hidden_rows.append(row - 1)
                continue
            # a cell
            ref = a.get(b"r")
            if ref is not None:
                try:
                    r, c = xlsxpatch._parse_ref(ref)
                except ValueError:
                    raise self.refuse(
                        f"セル番地「{ref.decode(errors='replace')}」が読めません", f"bad cell {ref!r}"
                    ) from None
                if r != row:
                    raise self.refuse(
                        f"行 {row} にセル {ref.decode()} があります（別の行の番地）。Excel で保存し直してください",
                        f"row {row} holds cell {ref.decode()} of another row; save the workbook in Excel again",
                    )
                if c <= col:
                    raise self.refuse(
                        f"セル {ref.decode()} が行 {row} の中で重複しているか順番どおりでありません",
                        f"cell {ref.decode()} is repeated or out of order in row {row}",
                    )
            else:
                c = col + 1
            if c > MAX_COLS:
                raise self.refuse(f"行 {row} の列が XFD を超えます", f"row {row} has a cell past column XFD")
            col = c
            if not attrs.rstrip().endswith(b"/"):  # a cell with content (as in chunk(): not <c .../>)
                if f.first_row < 0:
                    f.first_row = row - 1
                f.last_row = row - 1
                f.max_col = max(f.max_col, c - 1)
                close_c = _CELL_CLOSE.search(data, m.end())
                fm = _F_TAG.search(data, m.end(), close_c.start() if close_c else len(data))
                if fm is not None:
                    self.formula(row - 1, c - 1, fm.group())
        if first:
            self.span = (first, self.prev_row)

    def check_area(self) -> None:
        """The used area so far (it only grows) against :data:`MAX_CELLS`."""
        f = self.facts
        if f.first_row >= 0 and (f.last_row - f.first_row + 1) * (f.max_col + 1) > MAX_CELLS:
            height, width = f.last_row - f.first_row + 1, f.max_col + 1
            far = xlsxpatch.cell_ref(f.last_row, f.max_col)
            raise self.refuse(
                f"使われている範囲が大きすぎます（{height:,} 行 × {width:,} 列、上限 {MAX_CELLS:,} セル）。"
                f"離れた場所の不要なセル（{far} など）を削除してください",
                f"the used area is too large ({height:,} rows × {width:,} columns, limit {MAX_CELLS:,} cells); "
                f"delete stray cells far away (such as {far})",
            )

    def formula(self, row: int, col: int, tag: bytes) -> None:
        f = self.facts
        f.formulas.append(row * MAX_COLS + col)
        a = xlsxpatch._attrs(tag)
        kind, ref = a.get(b"t"), a.get(b"ref")
        if kind in (b"array", b"shared", b"dataTable") and ref:
            try:
                f.formula_ranges.append((kind.decode(), _range(ref)))
            except ValueError:
                raise self.refuse(
                    f"数式の範囲「{ref.decode(errors='replace')}」が読めません", f"bad range {ref!r}"
                ) from None


class SheetReader:
    """Worksheet ``sheet`` read once, a chunk of whole rows at a time (bounded memory): each chunk is checked (see the
    module text) and its values are read by python-calamine from a one-sheet package of just those rows (with the
    workbook's styles, shared strings and date system), so that neither the sheet XML nor the values of the whole
    sheet are ever held. :meth:`rows` gives the rows; :attr:`facts` and :attr:`end_col` are complete once it has
    ended. Made by :func:`open_sheet`."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, sheet: str, part: str):
        self.fname, self.zf = path.name, zf
        self.facts = SheetFacts(sheet, part)
        self.scan = _Scan(self.facts, self.fname)
        self.end_col = -1  # the last column holding a value (0-based), as python-calamine reads them
        self.fh = zf.open(part)
        buf, m = _read_until(self.fh, b"", _SHEET_DATA, self.scan)
        head = buf[: m.start()]
        _parse_head(head, self.facts, self.scan)
        root = _ROOT.search(head)
        if root is None:
            raise self.scan.refuse("シートの XML が壊れています", "the sheet XML is broken (no worksheet element)")
        sheet_data = m.group(1)
        self.sheet_head = head[: root.end()] + b"<" + sheet_data + b">"
        self.sheet_tail = b"</" + sheet_data + b"></" + root.group(1) + b">"
        self.body = b"</" + sheet_data + b">" + buf[m.end() :] if m.group(2) else buf[m.end() :]  # <sheetData/>
        self.package, self.strings = _package_parts(zf, self.scan)

    def close(self) -> None:
        self.fh.close()
        self.zf.close()

    def rows(self) -> Generator[list, None, None]:
        """Every row from the first (0-based row 0) to the last holding a value, as lists of cell values from
        column A (python-calamine's values; "" for an empty cell, [] for a row without values)."""
        nxt = 0
        try:
            for data, before in self._guarded(self._chunks()):
                for start, values in self._values(data, before):
                    r0, c0 = start
                    if r0 > nxt:
                        yield from repeat([], r0 - nxt)
                    if c0:
                        pad = [""] * c0
                        for v in values:
                            yield pad + v
                    else:
                        yield from values
                    nxt = r0 + len(values)
        finally:
            self.close()

    def _guarded(self, chunks: Iterator[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
        """``chunks``, a damaged zip member or deflate stream refused with one line."""
        try:
            yield from chunks
        except UNREADABLE as exc:
            raise UserError(
                f"{self.fname}: ブックを読めません（{type(exc).__name__}: {str(exc)[:120]}）",
                f"{self.fname}: cannot read the workbook ({type(exc).__name__}: {str(exc)[:120]})",
            ) from None

    def _chunks(self) -> Iterator[tuple[bytes, int]]:
        """The rows chunk by chunk (each ending after a whole row), checked, with the row number before each; then
        the XML after </sheetData> is read."""
        buf, scan = self.body, self.scan
        self.body = b""
        while True:
            end = _END.search(buf) if b"sheetData" in buf else None
            cut = end.start() if end is not None else _last_row_start(buf)
            if cut > 0:
                before = scan.prev_row
                scan.chunk(buf[:cut])
                scan.check_area()
                if scan.span is not None:
                    yield buf[:cut], before
            if end is not None:
                _parse_tail(
                    self.zf, self.facts.part, buf[end.end() :] + self.fh.read(MAX_ROW_BYTES + 1), self.facts, scan
                )
                return
            buf = buf[cut:] if cut > 0 else buf
            if len(buf) > MAX_ROW_BYTES:
                raise scan.refuse("行が大きすぎます（64 MB 超）", "a row is larger than 64 MB")
            data = self.fh.read(READ)
            if not data:
                raise scan.refuse("シートの XML が途中で切れています", "the sheet XML is truncated")
            buf += data

    def _values(self, data: bytes, before: int) -> Iterator[tuple[tuple[int, int], list]]:
        """((first row, first column), rows of values) of the rows in ``data``, read by python-calamine in parts
        of at most :data:`CHUNK_CELLS` cells (python-calamine holds a part's whole area: rows far apart are read
        apart)."""
        import python_calamine as pc

        first, last = self.scan.span or (0, 0)
        width = self.facts.max_col + 1
        parts = [data] if (last - first + 1) * width <= CHUNK_CELLS else _split(data, before, width)
        for part in parts:
            try:
                with pc.CalamineWorkbook.from_filelike(io.BytesIO(self._package(part))) as wb:
                    ws = wb.get_sheet_by_name("s")
                    start, end = ws.start, ws.end
                    if start is None or end is None:
                        continue
                    values = ws.to_python(skip_empty_area=True)
            except Exception as exc:  # calamine raises several types (CalamineError, XmlError, ...)
                raise UserError(
                    f"{self.fname}: ブックを読めません（{type(exc).__name__}: {str(exc)[:120]}）",
                    f"{self.fname}: cannot read the workbook ({type(exc).__name__}: {str(exc)[:120]})",
                ) from None
            self.end_col = max(self.end_col, end[1])
            yield start, values

    def _package(self, rows: bytes) -> bytes:
        strings = self.strings
        if strings is not None and b't="s"' in rows:
            rows = strings.inline(rows)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for name, data in self.package:
                if name != SST or b't="s"' in rows:  # a shared string left (an unusual cell): the whole table
                    z.writestr(name, data)
            z.writestr("xl/worksheets/sheet1.xml", b"".join((self.sheet_head, rows, self.sheet_tail)))
        return out.getvalue()


UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, OSError)  # a damaged package
CHUNK_CELLS = 2_000_000  # python-calamine reads at most this many cells (rows × columns) at a time
_ROOT = re.compile(rb"<((?:[\w.-]+:)?worksheet)(?=[\s>/])[^>]*>")
_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?sheetData)(?:\s[^>]*)?(/?)>")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row(?=[\s>/])([^>]*)>")
_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_PKG_CT = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


MAX_SHARED_STRINGS = 256 * 1024**2  # sharedStrings.xml larger than this is refused ...
MAX_SHARED_STRING = 1024**2  # ... and so is one shared string larger than this (Excel: 32,767 characters a cell)
SST = "xl/sharedStrings.xml"
_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_S_CELL = re.compile(rb'<c ((?:[^>]*? )?)t="s"([^>]*)><v>(\d+)</v></c>')


class _Strings:
    """The workbook's shared strings as read once (the XML and where each <si>'s content is), to write a chunk's
    shared-string cells as the same rich text inline (<is>): python-calamine then never reads the whole table
    for each chunk."""

    def __init__(self, data: bytes, spans: array):
        self.data, self.spans = data, spans

    def inline(self, rows: bytes) -> bytes:
        data, spans, n = self.data, self.spans, len(self.spans) // 2

        def cell(m: re.Match) -> bytes:
            i = int(m.group(3))
            if i >= n:
                return m.group()  # left to python-calamine (with the table): as it reads it
            return (
                b"".join(
                    (b"<c ", m.group(1), b't="inlineStr"', m.group(2), b"><is>", data[spans[2 * i] : spans[2 * i + 1]])
                )
                + b"</is></c>"
            )

        return _S_CELL.sub(cell, rows)


def _shared_strings(zf: zipfile.ZipFile, part: str, scan: _Scan) -> tuple[bytes, _Strings | None]:
    """sharedStrings.xml (refused above :data:`MAX_SHARED_STRINGS` or with one string above
    :data:`MAX_SHARED_STRING`) and, in the usual layout, its strings for :meth:`_Strings.inline`."""
    with zf.open(part) as fh:
        data = fh.read(MAX_SHARED_STRINGS + 1)
    if len(data) > MAX_SHARED_STRINGS:
        raise _refuse(
            scan.fname,
            f"共有文字列（sharedStrings.xml）が大きすぎます（{MAX_SHARED_STRINGS // 1024**2} MB 超）",
            f"the shared strings (sharedStrings.xml) are larger than {MAX_SHARED_STRINGS // 1024**2} MB",
        )
    spans = array("q")
    for m in _SI.finditer(data):
        a, b = m.span(1) if m.group(1) is not None else (m.end(), m.end())
        if b - a > MAX_SHARED_STRING:
            raise _refuse(
                scan.fname,
                f"共有文字列の {len(spans) // 2 + 1} 番目が大きすぎます（{MAX_SHARED_STRING // 1024**2} MB 超）",
                f"shared string {len(spans) // 2 + 1} is larger than {MAX_SHARED_STRING // 1024**2} MB",
            )
        spans.extend((a, b))
    if b"<!" in data or data.count(b"<si") != len(spans) // 2:  # comments, CDATA, prefixes: the whole table
        return data, None
    return data, _Strings(data, spans)


def check_shared_strings(path: Path) -> None:
    """Refuse a workbook whose shared strings are too large (see :func:`_shared_strings`) before python-calamine
    opens it (it reads them all at once)."""
    try:
        with zipfile.ZipFile(path) as zf:
            part = _rels_of(zf).get("sharedStrings")
            if part in zf.namelist():
                _shared_strings(zf, part, _Scan(SheetFacts("", ""), path.name))
    except (etree.XMLSyntaxError, ValueError, KeyError, *UNREADABLE):
        return  # a broken package: refused, with one line, where the workbook is opened


def _rels_of(zf: zipfile.ZipFile) -> dict[str, str]:
    """The workbook's related parts: kind (styles, sharedStrings …) -> part name."""
    wb_part = xlsxpatch._workbook_part(zf)
    rels: dict[str, str] = {}
    try:
        for rel in xlsxpatch._parse_xml(zf, xlsxpatch._rels_part(wb_part)).iter(
            f"{{{xlsxpatch.NS_PKG_REL}}}Relationship"
        ):
            rels.setdefault(rel.get("Type", "").rsplit("/", 1)[-1], xlsxpatch._resolve(wb_part, rel.get("Target", "")))
    except KeyError:
        pass
    return rels


def _package_parts(zf: zipfile.ZipFile, scan: _Scan) -> tuple[list[tuple[str, bytes]], _Strings | None]:
    """The parts of the one-sheet package python-calamine reads a chunk of rows from (all but the sheet): the
    workbook's date system, styles (which numbers are dates) and shared strings; and the shared strings to write
    inline."""
    wb_part = xlsxpatch._workbook_part(zf)
    wb = xlsxpatch._parse_xml(zf, wb_part)
    pr = wb.find(f"{{{xlsxpatch.NS_MAIN}}}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    pr_xml = '<workbookPr date1904="1"/>' if date1904 else ""
    rels = _rels_of(zf)
    strings = None
    rel_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{xlsxpatch.NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{xlsxpatch.NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    )
    parts = [("[Content_Types].xml", _PKG_CT)]
    names = set(zf.namelist())
    for i, (kind, name) in enumerate((("styles", "styles.xml"), ("sharedStrings", "sharedStrings.xml")), start=2):
        src = rels.get(kind)
        if src in names:
            if kind == "styles":
                parts.append((f"xl/{name}", zf.read(src)))
            else:
                sst, strings = _shared_strings(zf, src, scan)
                parts.append((SST, sst))
            rel_xml += f'<Relationship Id="rId{i}" Type="{xlsxpatch.NS_REL}/{kind}" Target="{name}"/>'
    parts += [
        (
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{xlsxpatch.NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{xlsxpatch.NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>".encode(),
        ),
        ("xl/_rels/workbook.xml.rels", (rel_xml + "</Relationships>").encode()),
        (
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{xlsxpatch.NS_MAIN}" '
            f'xmlns:r="{xlsxpatch.NS_REL}">{pr_xml}'
            '<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'.encode(),
        ),
    ]
    return parts, strings


def _split(data: bytes, before: int, width: int) -> list[bytes]:
    """``data`` (whole rows, the row before them numbered ``before``) cut at row starts into parts whose area
    (first to last row × ``width``) is at most :data:`CHUNK_CELLS` cells (a part of one row always)."""
    parts, start, first, row = [], 0, 0, before
    for m in _ROW_TAG.finditer(data):
        num = xlsxpatch._attrs(m.group(1)).get(b"r")
        row = int(num) if num is not None else row + 1
        if not first:
            first = row
        elif (row - first + 1) * width > CHUNK_CELLS:
            parts.append(data[start : m.start()])
            start, first = m.start(), row
    parts.append(data[start:])
    return parts


def open_sheet(path: Path, sheet: str) -> SheetReader | None:
    """Worksheet ``sheet`` of the workbook at ``path``, to be read by :meth:`SheetReader.rows`, which raises
    UserError (one line) when the reader and the writer would disagree about it or when it is too large to read
    (see the module text). None: not a worksheet."""
    fname = path.name
    zf = zipfile.ZipFile(path)
    try:
        try:
            sheets = {name: (part, typ) for name, _id, part, typ in xlsxpatch._sheets(zf)}
        except (etree.XMLSyntaxError, ValueError) as exc:
            raise _refuse(
                fname, f"ブックの構成（_rels）が壊れています（{exc}）", f"broken package relationships ({exc})"
            ) from None
        part, typ = sheets.get(sheet, ("", ""))
        if not typ.endswith("/worksheet"):
            zf.close()
            return None
        if part not in zf.namelist():
            raise _refuse(
                fname, f"シート「{sheet}」の部品 {part} がありません", f"the part {part} of sheet {sheet!r} is missing"
            )
        return SheetReader(path, zf, sheet, part)
    except BaseException:
        zf.close()
        raise


def _read_until(fh, buf: bytes, pattern: re.Pattern, scan: _Scan) -> tuple[bytes, re.Match]:
    while True:
        m = pattern.search(buf)
        if m is not None:
            return buf, m
        if len(buf) > MAX_ROW_BYTES:
            raise scan.refuse(
                "XML の一部（行など）が大きすぎます（64 MB 超）", "a part of the sheet XML (a row) is larger than 64 MB"
            )
        data = fh.read(READ)
        if not data:
            raise scan.refuse("シートの XML が途中で切れています", "the sheet XML is truncated")
        buf += data


def _rows_if_plain(data: bytes) -> list[int] | None:
    """The numbers of the rows in ``data`` (whole rows in the usual layout), or None when a cell is not where both
    the reader and the writer would put it: a cell of another row, a cell repeated, or a column back (calamine
    places a cell by its reference, the writer by the row it is in, Excel repairs such a file)."""
    nums = []
    row = col = b""
    for r, letters, cell_row in _ROW_OR_CELL.findall(data):
        if r:
            nums.append(r)
            row, col = r, b""
        elif cell_row != row or len(letters) < len(col) or (len(letters) == len(col) and letters <= col):
            return None
        else:
            col = letters
    return list(map(int, nums))


def _last_row_start(buf: bytes) -> int:
    """Where the last row of ``buf`` starts (it may be incomplete): -1 when none does."""
    cut = buf.rfind(b"<row")
    end = len(buf)
    while (i := buf.rfind(b":row", max(cut, 0), end)) >= 0:  # a prefixed <x:row, not a </x:row>
        j = buf.rfind(b"<", 0, i)
        if buf[j + 1 : j + 2] != b"/":
            return j
        end = j
    return cut


def _el(xml: bytes, scan: _Scan):
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise scan.refuse(f"シートの XML が壊れています（{exc}）", f"the sheet XML is broken ({exc})") from None


def _parse_head(head: bytes, facts: SheetFacts, scan: _Scan) -> None:
    for m in re.finditer(rb"<(?:[\w.-]+:)?col\s[^>]*>", head):
        a = xlsxpatch._attrs(m.group())
        width = a.get(b"width")
        hidden = a.get(b"hidden") in (b"1", b"true")
        try:
            if hidden or (width is not None and float(width) == 0):
                facts.hidden_cols.append((int(a.get(b"min", b"1")) - 1, int(a.get(b"max", b"16384")) - 1))
        except ValueError:
            raise scan.refuse("列の設定（<col>）が読めません", "bad column settings (<col>)") from None


def _parse_tail(zf: zipfile.ZipFile, part: str, tail: bytes, facts: SheetFacts, scan: _Scan) -> None:
    ns = xlsxpatch.NS_MAIN
    # the elements after the rows, wrapped so that they parse alone (their namespaces from the root element)
    if len(tail) > MAX_ROW_BYTES:
        raise scan.refuse("XML の一部が大きすぎます（64 MB 超）", "a part of the sheet XML is larger than 64 MB")
    end = tail.rfind(b"</")
    body = tail[:end] if end >= 0 else tail
    wrapped = (
        b'<w xmlns="' + ns.encode() + b'" xmlns:r="' + xlsxpatch.NS_REL.encode() + b'" '
        b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        b'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
        b'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision">' + body + b"</w>"
    )
    try:
        root = etree.fromstring(wrapped, etree.XMLParser(resolve_entities=False, no_network=True, recover=False))
    except etree.XMLSyntaxError:
        root = None  # an unusual prefix: look for the elements by regex below
    if root is not None:
        prot = root.find(f"{{{ns}}}sheetProtection")
        facts.protected = prot is not None and prot.get("sheet") in ("1", "true")
        for mc in root.iter(f"{{{ns}}}mergeCell"):
            try:
                facts.merged.append(_range(mc.get("ref", "")))
            except ValueError:
                raise scan.refuse("結合セルの範囲が読めません", "bad merged cell range") from None
        table_ids = [tp.get(f"{{{xlsxpatch.NS_REL}}}id") for tp in root.iter(f"{{{ns}}}tablePart")]
    else:
        facts.protected = re.search(rb"<(?:[\w.-]+:)?sheetProtection\s[^>]*\ssheet=\"(?:1|true)\"", tail) is not None
        for m in re.finditer(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*>", tail):
            facts.merged.append(_range(xlsxpatch._attrs(m.group()).get(b"ref", b"")))
        table_ids = [
            xlsxpatch._attrs(m.group()).get(b"r:id", b"").decode()
            for m in re.finditer(rb"<(?:[\w.-]+:)?tablePart\s[^>]*>", tail)
        ]
    if table_ids:
        facts.tables = _tables(zf, part, table_ids, scan)


def _tables(zf: zipfile.ZipFile, part: str, ids: list, scan: _Scan) -> list[Table]:
    rels_part = xlsxpatch._rels_part(part)
    try:
        rels = _el(zf.read(rels_part), scan)
    except KeyError:
        raise scan.refuse("テーブルの関係（_rels）がありません", f"{rels_part} is missing") from None
    targets = {
        r.get("Id"): xlsxpatch._resolve(part, r.get("Target", ""))
        for r in rels.iter(f"{{{xlsxpatch.NS_PKG_REL}}}Relationship")
        if r.get("Type") == REL_TABLE
    }
    out = []
    ns = xlsxpatch.NS_MAIN
    for rid in ids:
        target = targets.get(rid)
        if target is None or target not in zf.namelist():
            raise scan.refuse(
                f"テーブルの部品がありません（{posixpath.basename(target or str(rid))}）",
                f"a table part is missing ({target or rid})",
            )
        t = _el(zf.read(target), scan)
        try:
            ref = _range(t.get("ref", ""))
        except ValueError:
            raise scan.refuse("テーブルの範囲が読めません", "bad table range") from None
        calculated = [tc.find(f"{{{ns}}}calculatedColumnFormula") is not None for tc in t.iter(f"{{{ns}}}tableColumn")]
        out.append(Table(t.get("displayName") or t.get("name", ""), ref, int(t.get("headerRowCount", "1")), calculated))
    return out


# ------------------------------------------------------------------------------------ after the header is found
class LineFacts:
    """What the lines of the order table ``table`` (orders.OrderTable) need from the sheet's facts, given batch by
    batch in row order while they are read (:meth:`add`): ``table.formula_cells`` ({row: "B5, H5"}: the line's
    screened cells that are formulas), ``table.hidden_lines``; a line whose screened cells are all formulas without
    a cached value (read as blank) is added."""

    def __init__(self, table, facts: SheetFacts):
        from exportscreen.orders import FIELDS, TECH_ONLY

        self.table, self.facts = table, facts
        self.field_cols = {c for f, c in table.header.columns.items() if f in FIELDS or f in TECH_ONLY or f == "kind"}
        self.blank = (None,) * len(FIELDS)
        self.next_formula = 0  # index in facts.formulas of the first formula not yet looked at

    def add(self, lines: list, upto: int | None, read) -> list:
        """``lines`` (the order lines of the rows before ``upto``, after those of earlier calls) with the lines
        made of formulas added; ``read`` (an OrderTable): where the rows were counted — a row before ``upto`` that
        the reader counted as blank and that becomes a line is no longer counted (``upto`` None: the rows after the
        last row read, never counted)."""
        from exportscreen.orders import OrderLine

        table, forms, header_row = self.table, self.facts.formulas, self.table.header.row
        found: dict[int, list[int]] = {}
        i, n = self.next_formula, len(forms)
        limit = MAX_ROWS * MAX_COLS if upto is None else upto * MAX_COLS
        while i < n and forms[i] < limit:
            r, c = divmod(forms[i], MAX_COLS)
            if r > header_row and c in self.field_cols:
                found.setdefault(r, []).append(c)
            i += 1
        self.next_formula = i
        totals = table.total_rows
        for r in [r for r in found if _in_sorted(totals, r)]:
            del found[r]
        if found:
            rows = [ln.row for ln in lines]
            for r in sorted(found):
                j = bisect_left(rows, r)
                if j == len(rows) or rows[j] != r:
                    lines.insert(j, OrderLine(r, self.blank))
                    rows.insert(j, r)
                    if upto is not None:
                        read.blank_rows -= 1
                table.formula_cells[r] = ", ".join(xlsxpatch.cell_ref(r, c) for c in sorted(found[r]))
        if lines and self.facts.hidden_rows:
            hidden = _hidden_set(self.facts, lines[0].row, lines[-1].row)
            if hidden:
                table.hidden_lines += sum(1 for ln in lines if ln.row in hidden)
        return lines


def _in_sorted(values, x: int) -> bool:
    i = bisect_left(values, x)
    return i < len(values) and values[i] == x


def settle(table, facts: SheetFacts, used_col: int, last: int) -> None:
    """Decide where 判定/理由 go in the order table ``table`` (orders.OrderTable, its lines read, the last in row
    ``last``): sets ``table.header.free`` (the columns for missing 判定/理由). Raises UserError (one line) when a
    target cell is merged, hidden, in an array/shared/data-table formula or a calculated table column, or the sheet
    is protected."""
    header, fname = table.header, table.path.name
    where = f"シート「{facts.name}」"

    def refuse(ja: str, en: str) -> UserError:
        return _refuse(fname, f"{where}: {ja}", f"sheet {facts.name!r}: {en}")

    if facts.protected:
        raise refuse(
            "シートが保護されています。保護を解除してから実行してください（判定・理由を書き込めません）",
            "the sheet is protected; unprotect it and try again (判定/理由 cannot be written)",
        )

    def covered(col: int, r1: int, r2: int) -> str | None:
        """What makes cells r1..r2 of ``col`` no place for a decision (None: nothing)."""
        if facts.col_hidden(col):
            return "hidden"
        for a, b, c, d in facts.merged:
            if b <= col <= d and a <= r2 and c >= r1:
                return "merged"
        for kind, (a, b, c, d) in facts.formula_ranges:
            if b <= col <= d and a <= r2 and c >= r1:
                return kind
        for t in facts.tables:
            a, b, c, d = t.ref
            if b <= col <= d and a <= r2 and c >= r1:
                i = col - b
                if a + t.header_rows - 1 != header.row or (i < len(t.calculated) and t.calculated[i]):
                    return "table"
        return None

    # the existing 判定/理由 columns: their cells of the lines
    for f in ("decision", "reason"):
        col = header.columns.get(f)
        if col is None:
            continue
        why = covered(col, header.row + 1, last)
        if why is not None:
            raise _target_error(refuse, xlsxpatch.col_letter(col), why)
    # new ones: the first columns right of everything used that nothing covers in the header and line rows
    formula_cols = {rc % MAX_COLS for rc in facts.formulas if header.row <= rc // MAX_COLS <= last}
    used = max([header.last_col, used_col, *formula_cols])
    need = sum(1 for f in ("decision", "reason") if f not in header.columns)
    free: list[int] = []
    col = used + 1
    while len(free) < need:
        if col >= MAX_COLS:
            raise refuse(
                "判定・理由を書ける空いた表示列がありません（XFD 列まで使用中か非表示です）",
                "no free visible column for 判定/理由 (every column up to XFD is used or hidden)",
            )
        if covered(col, header.row, last) is None and not any(
            t.ref[1] <= col <= t.ref[3] and t.ref[0] <= last and t.ref[2] >= header.row for t in facts.tables
        ):
            free.append(col)
        col += 1
    header.free = free


def _hidden_set(facts: SheetFacts, r1: int, r2: int) -> set[int]:
    lo, hi = bisect_left(facts.hidden_rows, r1), bisect_right(facts.hidden_rows, r2)
    return set(facts.hidden_rows[lo:hi])


def _target_error(refuse, col: str, why: str) -> UserError:
    ja = {
        "hidden": f"{col} 列（判定・理由）が非表示です。表示してから実行してください",
        "merged": f"{col} 列（判定・理由）に結合セルがあります。結合を解除してから実行してください",
        "table": f"{col} 列（判定・理由）がテーブルの計算列か別の見出しのテーブルの中です。外に移してください",
    }.get(
        why, f"{col} 列（判定・理由）に配列数式・共有数式・データテーブルがあります。数式を消してから実行してください"
    )
    en = {
        "hidden": f"column {col} (判定/理由) is hidden; unhide it and try again",
        "merged": f"column {col} (判定/理由) has merged cells; unmerge them and try again",
        "table": f"column {col} (判定/理由) is a calculated column of a table or in a table with another header row",
    }.get(why, f"column {col} (判定/理由) holds an {why} formula; remove it and try again")
    return refuse(ja, en)
