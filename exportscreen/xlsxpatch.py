"""Lossless cell writes into an existing xlsx/xlsm workbook.

openpyxl rewrites every part of a workbook on save and drops what it does not model (text boxes, form
controls, header pictures, in-cell pictures, dynamic-array metadata ...). This module never does that:

* every zip member is copied unchanged (its decompressed bytes are identical), except
* the one target worksheet, whose XML is streamed in chunks: rows that get no new cell are copied byte for
  byte, the rows that do are spliced (new cells are inline strings, so ``sharedStrings.xml`` is untouched),
  missing rows are created in order and ``<dimension ref>`` is widened; and
* ``xl/calcChain.xml`` (plus its relationship and content-type override when it becomes empty), only when
  a cell that held a formula was overwritten.

Memory stays bounded whatever the sheet size: the sheet XML is read in chunks, the rewritten sheet goes to
a temporary file, and only the XML before ``<sheetData>`` (sheet properties, views, column widths) is held
in memory. Coordinates in this API are 0-based ``(row, col)`` like python-calamine's.

Public API: :func:`check_workbook`, :func:`sheet_names`, :func:`sheet_part`, :func:`patch_workbook`,
:func:`cell_ref`, :func:`col_letter`, :func:`escape_cell_text`, :class:`PatchResult`, :class:`RowTexts`. Atomic
writes, the write lock and the "open in Excel" check are in :mod:`exportscreen.files`.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import io
import os
import posixpath
import queue
import re
import shutil
import tempfile
import threading
import zipfile
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from lxml import etree

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.xlsxstyles import CellFormat, Formatter, Styles

MAX_TOTAL_UNCOMPRESSED = 2 * 1024**3  # 2 GiB for all members together
MAX_RATIO = 200  # compression ratio above which a large member is treated as a zip bomb ...
RATIO_MIN_SIZE = 10 * 1024**2  # ... when it also inflates to more than 10 MiB
CHUNK = 1 << 20
# Streams are read, compressed and written in large pieces: each call that does so lets go of the GIL, and a thread
# that works alongside (the audit log, see audit.Run.commit_in_background) then holds it for up to the switch
# interval (5 ms) before this one gets it back; fewer, larger pieces wait less.
BIG_CHUNK = 4 * CHUNK

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_CALCCHAIN = NS_REL + "/calcChain"


class PatchError(UserError):
    """The workbook cannot be written without breaking something (reported to the user, file untouched)."""


@dataclass
class PatchResult:
    part: str  # the worksheet part that was rewritten, e.g. "xl/worksheets/sheet2.xml"
    cells_written: int = 0
    rows_created: int = 0
    formulas_replaced: list[str] = field(default_factory=list)  # A1 refs whose formula was overwritten
    calc_chain: str = "untouched"  # "untouched" | "updated" | "removed"


# --------------------------------------------------------------------------------------------- references
@functools.lru_cache(maxsize=4096)
def col_letter(col: int) -> str:
    """0-based column index -> letters (0 -> A, 26 -> AA)."""
    col += 1
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) -> A1 reference."""
    return f"{col_letter(col)}{row + 1}"


_REF = re.compile(rb"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def _parse_ref(ref: bytes) -> tuple[int, int]:
    """A1 reference -> 1-based (row, col)."""
    m = _REF.match(ref.strip())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    return int(m.group(2)), col


# ------------------------------------------------------------------------------------------------ escapes
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\r]")
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")


def escape_cell_text(text: str) -> str:
    """Text as it must appear (before XML escaping) in an OOXML ``<t>``: characters XML 1.0 cannot hold
    (and CR, which parsers would normalise away) become the OOXML escape ``_xHHHH_``; a literal ``_xHHHH_``
    is protected as ``_x005F_xHHHH_`` so that it reads back unchanged."""
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    return _INVALID_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


@functools.lru_cache(maxsize=65536)
def _xml_text(text: str) -> bytes:
    s = escape_cell_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.encode("utf-8")


# ------------------------------------------------------------------------------------------ input checks
def check_workbook(path: str | os.PathLike) -> None:
    """Raise :class:`UserError` (one line) unless ``path`` is a readable, sane xlsx/xlsm package."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise UserError(f"{name}: ファイルが見つかりません", f"{name}: file not found")
    if not path.is_file():
        raise UserError(f"{name}: ファイルではありません", f"{name}: not a file")
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_SIGNATURE:
        raise UserError(
            f"{name}: パスワード付き（暗号化）のブックか古い .xls 形式です。"
            "Excel でパスワードを外すか .xlsx で保存してから実行してください",
            f"{name}: the workbook is password-protected (encrypted) or an old binary .xls; "
            "remove the password / save it as .xlsx in Excel and try again",
        )
    if not head.startswith(b"PK"):
        raise UserError(
            f"{name}: Excel のブック（.xlsx/.xlsm）ではありません", f"{name}: not an Excel workbook (.xlsx/.xlsm)"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            _check_members(zf, name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise UserError(
            f"{name}: ブックが壊れているか途中で切れています（{exc}）",
            f"{name}: the workbook is corrupt or truncated ({exc})",
        ) from None


def _check_members(zf: zipfile.ZipFile, name: str) -> None:
    total = 0
    names = set()
    for info in zf.infolist():
        names.add(info.filename)
        total += info.file_size
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UserError(
                f"{name}: refused, member {info.filename} inflates {info.file_size // info.compress_size}x (zip bomb?)"
            )
        if info.flag_bits & 0x1:
            raise UserError(
                f"{name}: ブックが暗号化されています。Excel でパスワードを外してから実行してください",
                f"{name}: the workbook is encrypted; remove the password in Excel and try again",
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UserError(f"{name}: refused, contents inflate to {total / 1024**3:.1f} GiB (limit 2 GiB)")
    if "[Content_Types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
        raise UserError(
            f"{name}: Excel のブックではありません（workbook 部がありません）",
            f"{name}: not an Excel workbook (no workbook part in the package)",
        )


# --------------------------------------------------------------------------------------- package mapping
def _parse_xml(zf: zipfile.ZipFile, part: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    return etree.fromstring(zf.read(part), parser)


def _rels_part(part: str) -> str:
    d, f = posixpath.split(part)
    return posixpath.join(d, "_rels", f + ".rels")


def _resolve(base_part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _workbook_part(zf: zipfile.ZipFile) -> str:
    try:
        rels = _parse_xml(zf, "_rels/.rels")
        for rel in rels.iter(f"{{{NS_PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument"):
                return _resolve("", rel.get("Target", ""))
    except KeyError:
        pass
    return "xl/workbook.xml"


def _sheets(zf: zipfile.ZipFile) -> list[tuple[str, str, str, str]]:
    """[(name, sheetId, part, relationship type)] in workbook order."""
    wb_part = _workbook_part(zf)
    wb = _parse_xml(zf, wb_part)
    rels = {}
    with contextlib.suppress(KeyError):
        for rel in _parse_xml(zf, _rels_part(wb_part)).iter(f"{{{NS_PKG_REL}}}Relationship"):
            rels[rel.get("Id")] = (_resolve(wb_part, rel.get("Target", "")), rel.get("Type", ""))
    out = []
    for sh in wb.iter(f"{{{NS_MAIN}}}sheet"):
        part, typ = rels.get(sh.get(f"{{{NS_REL}}}id"), ("", ""))
        out.append((sh.get("name", ""), sh.get("sheetId", ""), part, typ))
    return out


def sheet_names(path: str | os.PathLike) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [s[0] for s in _sheets(zf)]


def sheet_part(zf: zipfile.ZipFile, sheet: str) -> tuple[str, str]:
    """Worksheet name -> (part path inside the package, sheetId), via workbook.xml and its relationships."""
    for name, sheet_id, part, typ in _sheets(zf):
        if name == sheet:
            if not typ.endswith("/worksheet") or part not in zf.namelist():
                raise UserError(f"sheet {sheet!r} is not a worksheet that can be written")
            return part, sheet_id
    raise UserError(f"シート「{sheet}」がありません", f"no sheet named {sheet!r}")


# ---------------------------------------------------------------------------------------- sheet rewriting
class _Reader:
    """A growing window over a zip member, read in chunks."""

    def __init__(self, stream):
        self.stream = stream
        self.buf = b""
        self.eof = False

    def fill(self) -> bool:
        if self.eof:
            return False
        data = self.stream.read(2 * CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def search(self, pattern: re.Pattern, pos: int, margin: int = 64):
        """First match at or after pos that cannot grow with more data (or None at end of data)."""
        while True:
            m = pattern.search(self.buf, pos)
            if m and (self.eof or m.end() + margin <= len(self.buf)):
                return m
            if not self.fill():
                return pattern.search(self.buf, pos)

    def find(self, needle: bytes, pos: int) -> int:
        while True:
            i = self.buf.find(needle, pos)
            if i >= 0:
                return i
            pos = max(pos, len(self.buf) - len(needle))
            if not self.fill():
                return -1

    def drop(self, upto: int) -> int:
        """Forget bytes before ``upto``; returns the new offset of ``upto`` (0)."""
        self.buf = self.buf[upto:]
        return 0


_R_ATTR = re.compile(rb"""\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d+["']""")
_S_ATTR = re.compile(rb"""\ss\s*=\s*["'](\d+)["']""")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


_TAG_NAME_END = frozenset(b" >/\t\n\r")


def _plain_cell(p: bytes) -> re.Pattern:
    """A cell start tag as spreadsheet programs write it: ``<c r="I4" s="3" t="n">`` (s and t optional)."""
    return re.compile(b"<" + re.escape(p) + rb'c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="[A-Za-z]+")?>')


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTR.finditer(tag)}


@functools.lru_cache(maxsize=64)
def _attr_pattern(name: bytes) -> re.Pattern:
    return re.compile(rb"(\s" + re.escape(name) + rb"""\s*=\s*)(?:"[^"]*"|'[^']*')""")


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    pat = _attr_pattern(name)
    if pat.search(tag):
        return pat.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    # insert right after the element name
    m = re.match(rb"<[\w:.-]+", tag)
    assert m is not None  # a tag starts with its name
    return tag[: m.end()] + b" " + name + b'="' + value + b'"' + tag[m.end() :]


class _Lines(MutableMapping):
    """{row: texts} kept as an array of rows and a list of texts while rows come in increasing order (a dict of a
    million rows, with an int object per row, costs several times as much); a row given out of order goes to a
    dict beside them. Iterates in row order."""

    def __init__(self):
        self.rows = array("q")
        self.texts: list = []
        self.others: dict[int, Any] = {}

    def __setitem__(self, row: int, texts) -> None:
        rows = self.rows
        if not rows or row > rows[-1]:
            rows.append(row)
            self.texts.append(texts)
            return
        i = bisect_left(rows, row)
        if i < len(rows) and rows[i] == row:
            self.texts[i] = texts
        else:
            self.others[row] = texts

    def get(self, row: int, default=None):
        rows = self.rows
        i = bisect_left(rows, row)
        if i < len(rows) and rows[i] == row:
            return self.texts[i]
        return self.others.get(row, default) if self.others else default

    def __getitem__(self, row: int):
        texts = self.get(row, _MISSING)
        if texts is _MISSING:
            raise KeyError(row)
        return texts

    def __delitem__(self, row: int) -> None:
        i = bisect_left(self.rows, row)
        if i < len(self.rows) and self.rows[i] == row:
            del self.rows[i], self.texts[i]
        else:
            del self.others[row]

    def __iter__(self):
        return heapq.merge(self.rows, sorted(self.others)) if self.others else iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) + len(self.others)

    def bounds(self) -> tuple[int, int] | None:
        """(first row, last row), None when empty."""
        ends = [r for r in (self.rows[:1] + self.rows[-1:]).tolist() + [*self.others]]
        return (min(ends), max(ends)) if ends else None


_MISSING = object()


class RowTexts(Mapping):
    """{0-based row: {0-based col: text}} for many rows that get the same columns (the 判定/理由 of each order
    line): one tuple of texts per row, ``lines[row] = (text of cols[0], text of cols[1], ...)``, so that a million
    lines cost a tuple each rather than a dict each (and rows set in increasing order, no dict entry: see _Lines);
    ``extra`` holds the cells of other rows (a header), and cells of ``extra`` in a row of ``lines`` are written
    too (the line's own texts win). :func:`patch_workbook` reads it without building a dict per row."""

    def __init__(self, cols: tuple[int, ...]):
        self.cols = tuple(cols)
        self.lines: MutableMapping[int, tuple] = _Lines()
        self.extra: dict[int, dict[int, str]] = {}

    def __getitem__(self, row: int) -> dict[int, str]:
        line = self.lines.get(row)
        cols = dict(self.extra.get(row, ()))
        if line is not None:
            cols.update(zip(self.cols, line))
        elif not cols:
            raise KeyError(row)
        return cols

    def __iter__(self):
        """The rows in order."""
        lines = self.lines if isinstance(self.lines, _Lines) else sorted(self.lines)
        last = None
        for r in heapq.merge(lines, sorted(self.extra)) if self.extra else lines:
            if r != last:
                yield r
                last = r

    def __len__(self) -> int:
        return len(self.lines) + sum(1 for r in self.extra if r not in self.lines)

    def bounds(self) -> tuple[int, int] | None:
        """(first row, last row) of the lines, None when there are none."""
        if isinstance(self.lines, _Lines):
            return self.lines.bounds()
        return (min(self.lines), max(self.lines)) if self.lines else None


def _text(t) -> str:
    return t if t.__class__ is str else ("" if t is None else str(t))


class _Targets:
    """1-based view of the caller's 0-based {row: {col: text}} (no copy of the data): the rows in order and, per
    row, its [(col, text)] in column order."""

    def __init__(self, rows: Mapping[int, Mapping[int, str]]):
        self.rows = rows
        self._row: int | None = None
        self._cells: list[tuple[int, str]] = []
        self._lines = None
        self._next = 0  # cols_texts: index in a _Lines of the row expected next
        if isinstance(rows, RowTexts) and len(set(rows.cols)) == len(rows.cols):
            self._lines, self._extra = rows.lines, rows.extra
            self._order = sorted(range(len(rows.cols)), key=rows.cols.__getitem__)
            self._cols = [rows.cols[i] + 1 for i in self._order]
            self._cols_t = tuple(self._cols)
            self._in_order = self._order == list(range(len(rows.cols)))

    def cells(self, row: int) -> list[tuple[int, str]]:
        """[(1-based col, text)] of a 1-based row, in column order."""
        if row != self._row:
            line = self._lines.get(row - 1) if self._lines is not None else None
            if line is not None and row - 1 not in self._extra:
                if not self._in_order:
                    line = tuple([line[i] for i in self._order])
                self._cells = [(c, _text(t)) for c, t in zip(self._cols, line)]
            else:
                self._cells = sorted([(c + 1, _text(t)) for c, t in self.rows[row - 1].items()])
            self._row = row
        return self._cells

    def cols_texts(self, row: int) -> tuple[tuple[int, ...], list[str]]:
        """(1-based cols, texts) of a 1-based row, in column order; for the lines of a RowTexts, always the same
        tuple of cols."""
        lines = self._lines
        if lines.__class__ is _Lines:  # rows are asked in order: look at the next one first
            i = self._next
            if i < len(lines.rows) and lines.rows[i] == row - 1:
                self._next = i + 1
                line = lines.texts[i]
            else:
                line = lines.get(row - 1)
                self._next = bisect_left(lines.rows, row)
        else:
            line = lines.get(row - 1) if lines is not None else None
        if line is not None and row - 1 not in self._extra:
            if not self._in_order:
                line = tuple([line[i] for i in self._order])
            return self._cols_t, [t if t.__class__ is str else _text(t) for t in line]
        cells = self.cells(row)
        return tuple([c for c, _ in cells]), [t for _, t in cells]

    def columns(self) -> set[int]:
        """Every 1-based column that gets a cell."""
        if self._lines is not None:
            cols = set(self._cols) if self._lines else set()
            for cs in self._extra.values():
                cols.update(c + 1 for c in cs)
            return cols
        return {c + 1 for cs in self.rows.values() for c in cs}

    def pending(self):
        """The 1-based rows in order (for RowTexts an array: no int object per row)."""
        if isinstance(self.rows, RowTexts):
            return array("q", (r + 1 for r in self.rows))
        return sorted(r + 1 for r in self.rows)

    def __iter__(self):
        return (r + 1 for r in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class _SheetPatcher:
    def __init__(
        self,
        targets: _Targets,
        style_left_rows: set[int],
        formatter: Formatter | None = None,
        widths: Mapping[int, float] | None = None,
    ):
        # 1-based internally
        self.targets = targets
        self.formatter = formatter  # formats of the cells of rows not in style_left_rows, and their rows' heights
        self.widths = widths or {}  # widths of columns that have none
        self.pending = targets.pending()
        self.style_left_rows = style_left_rows
        self.p = b""  # namespace prefix of the main namespace, e.g. b"x:" (usually empty)
        self._cell_end = b"</t></is></c>"  # these four with the prefix
        self._cell_open = b"<c"
        self._row_close = b"</row>"
        self._plain_cell = _plain_cell(b"")
        self._row_shapes: dict[tuple, tuple[bytes, tuple]] = {}
        self.col_styles: list[tuple[int, int, bytes]] = []
        self.formulas: list[str] = []
        self.cells_written = 0
        self.rows_created = 0
        self._cell_parts: dict[tuple[int, bytes | None], tuple[bytes, bytes]] = {}
        self._col_default: dict[int, bytes | None] = {}

    # -- head
    def _patch_head(self, head: bytes) -> bytes:
        spans = []
        for m in re.finditer(rb"<(?:\w+:)?col\s[^>]*>", head):
            a = _attrs(m.group())
            if b"style" in a and b"min" in a and b"max" in a:
                self.col_styles.append((int(a[b"min"]), int(a[b"max"]), a[b"style"]))
            if a.get(b"min", b"").isdigit() and a.get(b"max", b"").isdigit():
                spans.append((int(a[b"min"]), int(a[b"max"]), m, a.get(b"width")))
        head = self._add_widths(head, spans)
        if self.formatter is not None:
            self._read_sizes(head, spans)
        dim = re.search(rb"<(?:\w+:)?dimension\s[^>]*>", head)
        if not dim or not self.pending:
            return head
        ref = _attrs(dim.group()).get(b"ref", b"")
        try:
            parts = [_parse_ref(x) for x in ref.split(b":")] if ref else []
        except ValueError:
            parts = []
        rows = [r for r, _ in parts] + [self.pending[0], self.pending[-1]]
        cols = [c for _, c in parts] + list(self.targets.columns())
        new = f"{cell_ref(min(rows) - 1, min(cols) - 1)}:{cell_ref(max(rows) - 1, max(cols) - 1)}".encode()
        if len(parts) == 1 and min(rows) == max(rows) and min(cols) == max(cols):
            new = new.split(b":")[0]
        return head[: dim.start()] + _set_attr(dim.group(), b"ref", new) + head[dim.end() :]

    def _add_widths(self, head: bytes, spans: list) -> bytes:
        """``<col>`` entries for the columns of ``self.widths`` that have none, in order among the others (a
        ``<cols>`` made before ``<sheetData>`` when there is none)."""
        new = sorted((c, w) for c, w in self.widths.items() if not any(lo <= c <= hi for lo, hi, _, _ in spans))
        if not new:
            return head
        p = self.p
        for c, w in reversed(new):
            el = b"<" + p + b'col min="%d" max="%d" width="%g" customWidth="1"/>' % (c, c, w)
            after = [m for lo, _, m, _ in spans if lo < c]
            if after:
                at = after[-1].end()
                if not after[-1].group().endswith(b"/>"):
                    at = head.index(b">", head.index(b"</", at)) + 1
            else:
                cols = re.search(rb"<(?:\w+:)?cols(\s[^>]*)?>", head)
                if cols is None:
                    head += b"<" + p + b"cols>" + el + b"</" + p + b"cols>"
                    spans.append((c, c, None, b"%g" % w))
                    continue
                at = cols.end()
            head = head[:at] + el + head[at:]
            spans.append((c, c, None, b"%g" % w))
        return head

    def _read_sizes(self, head: bytes, spans: list) -> None:
        """The column widths and default row height that the heights of rows are estimated from."""
        f = self.formatter
        assert f is not None
        for lo, hi, _, width in spans:
            with contextlib.suppress(TypeError, ValueError):
                for c in range(lo, min(hi, lo + 64) + 1):
                    f.widths[c] = float(width)
        m = re.search(rb"<(?:\w+:)?sheetFormatPr\s[^>]*>", head)
        a = _attrs(m.group()) if m else {}
        with contextlib.suppress(ValueError):
            if b"defaultColWidth" in a:
                f.default_width = float(a[b"defaultColWidth"])
            elif b"baseColWidth" in a:
                f.default_width = float(a[b"baseColWidth"]) + 0.71
            if b"defaultRowHeight" in a:
                f.default_height = float(a[b"defaultRowHeight"])

    def _styled(self, row: int, col: int, text: str, style: bytes | None) -> bytes | None:
        """The style of a cell written into a row of lines (a row not in style_left_rows): its format on top."""
        if self.formatter is None or row in self.style_left_rows:
            return style
        return self.formatter.style(col, text, style)

    def _grown(self, tag: bytes, row_attrs: Mapping[bytes, bytes], height: float) -> bytes:
        """The row's start tag with the height ``height`` (points) unless it is as high already."""
        assert self.formatter is not None
        try:
            current = float(row_attrs[b"ht"]) if b"ht" in row_attrs else self.formatter.default_height
        except ValueError:
            current = 0.0
        if height <= current:
            return tag
        value = b"%g" % height
        if b"ht" not in row_attrs and b"customHeight" not in row_attrs:
            return tag[:-1] + b' ht="' + value + b'" customHeight="1">'
        return _set_attr(_set_attr(tag, b"ht", value), b"customHeight", b"1")

    def _height(self, row: int, cells) -> float:
        """Points a row needs to show its written cells [(col, style, text)] whole (0 when none is wrapped)."""
        f = self.formatter
        if f is None or row in self.style_left_rows:
            return 0.0
        h = 0.0
        for col, style, text in cells:
            fmt = f.format(col, text)
            if fmt is not None and fmt.wrap:
                h = max(h, f.height(col, style, text))
        return h

    # -- cells
    def _cell_start(self, col: int, style: bytes | None) -> tuple[bytes, bytes]:
        """The bytes of a new cell in ``col`` with ``style`` before and after its row number (the text follows)."""
        key = (col, style)
        hit = self._cell_parts.get(key)
        if hit is None:
            p = self.p
            s = b' s="' + style + b'"' if style and style != b"0" else b""
            hit = self._cell_parts[key] = (
                b"<" + p + b'c r="' + col_letter(col - 1).encode(),
                b'"' + s + b' t="inlineStr"><' + p + b"is><" + p + b't xml:space="preserve">',
            )
        return hit

    def _new_cell(self, row: int, col: int, text: str, style: bytes | None) -> bytes:
        p = self.p
        before, after = self._cell_start(col, style)
        return before + b"%d" % row + after + _xml_text(text) + b"</" + p + b"t></" + p + b"is></" + p + b"c>"

    def _default_style(self, col: int, row_attrs: dict[bytes, bytes]) -> bytes | None:
        if row_attrs.get(b"customFormat") in (b"1", b"true") and b"s" in row_attrs:
            return row_attrs[b"s"]
        try:
            return self._col_default[col]
        except KeyError:
            pass
        style = None
        for lo, hi, st in self.col_styles:
            if lo <= col <= hi:
                style = st
                break
        self._col_default[col] = style
        return style

    def _new_row(self, row: int) -> bytes:
        cells = self.targets.cells(row)
        out, left, written = [], None, []
        for col, text in cells:
            style = left if row in self.style_left_rows else self._default_style(col, {})
            left = style
            style = self._styled(row, col, text, style)
            out.append(self._new_cell(row, col, text, style))
            written.append((col, style, text))
        self.cells_written += len(cells)
        self.rows_created += 1
        p = self.p
        tag = b"<" + p + b'row r="' + str(row).encode() + b'">'
        height = self._height(row, written)
        if height:
            tag = self._grown(tag, {}, height)
        return tag + b"".join(out) + b"</" + p + b"row>"

    def _patch_row(self, row_xml: bytes, row: int, start_tag: bytes, row_attrs: dict[bytes, bytes]) -> bytes:
        p = self.p
        if b"<!" in row_xml or b"<?" in row_xml:
            raise PatchError(f"row {row} of the sheet holds XML comments or CDATA; cannot write safely")
        if start_tag.endswith(b"/>"):
            start_tag = start_tag[:-2].rstrip() + b">"
            body, close = b"", b"</" + p + b"row>"
        else:
            close_i = row_xml.rindex(b"</")
            body, close = row_xml[len(start_tag) : close_i], row_xml[close_i:]
        start_tag = _set_attr(start_tag, b"r", str(row).encode()) if b"r" not in row_attrs else start_tag
        fast = self._append_after_last(row, row_attrs, start_tag, body, close)
        if fast is not None:
            return fast
        cells = dict(self.targets.cells(row))
        # existing cells: (col, start, end, attrs, inner)
        existing = []
        cell_start = re.compile(rb"<" + re.escape(p) + rb"c[\s/>]")
        cell_end = b"</" + p + b"c>"
        pos, col = 0, 0
        while True:
            m = cell_start.search(body, pos)
            if not m:
                break
            gt = body.index(b">", m.start())
            tag = body[m.start() : gt + 1]
            if tag.endswith(b"/>"):
                end, inner = gt + 1, b""
            else:
                e = body.index(cell_end, gt)
                end, inner = e + len(cell_end), body[gt + 1 : e]
            a = _attrs(tag)
            col = _parse_ref(a[b"r"])[1] if b"r" in a else col + 1
            existing.append((col, m.start(), end, a, inner, tag))
            pos = end
        new_cols = sorted(cells)
        # rebuild the body: original bytes between cells kept, targets replaced/inserted in column order
        out = []
        cursor = 0
        left_style = None
        queue = list(new_cols)
        written = []

        def emit_new(c: int) -> None:
            nonlocal left_style
            style = left_style if row in self.style_left_rows else self._default_style(c, row_attrs)
            left_style = style
            style = self._styled(row, c, cells[c], style)
            out.append(self._new_cell(row, c, cells[c], style))
            written.append((c, style, cells[c]))

        for c, s, e, a, inner, tag in existing:
            while queue and queue[0] < c:
                emit_new(queue.pop(0))
            out.append(body[cursor:s])
            cursor = e
            if queue and queue[0] == c:
                queue.pop(0)
                self._check_overwrite(row, c, inner)
                style = self._styled(row, c, cells[c], a.get(b"s"))
                out.append(self._new_cell(row, c, cells[c], style))
                written.append((c, style, cells[c]))
                left_style = a.get(b"s")
            else:
                if b"r" not in a:  # give position-less cells an explicit ref: insertions must not shift them
                    tag2 = _set_attr(tag, b"r", cell_ref(row - 1, c - 1).encode())
                    out.append(tag2 + body[s + len(tag) : e])
                else:
                    out.append(body[s:e])
                left_style = a.get(b"s")
        out.append(body[cursor:])
        for c in queue:
            emit_new(c)
        self.cells_written += len(cells)
        spans = row_attrs.get(b"spans")
        if spans and re.fullmatch(rb"\d+:\d+", spans):
            lo, hi = (int(x) for x in spans.split(b":"))
            lo2, hi2 = min([lo] + new_cols), max([hi] + new_cols)
            if (lo2, hi2) != (lo, hi):
                start_tag = _set_attr(start_tag, b"spans", f"{lo2}:{hi2}".encode())
        height = self._height(row, written)
        if height:
            start_tag = self._grown(start_tag, row_attrs, height)
        return start_tag + b"".join(out) + close

    def _append_after_last(self, row, row_attrs, start_tag, body, close) -> bytes | None:
        """Fast path for the usual case: every target column lies right of the row's last cell, which has
        an explicit reference. Returns None when the general path is needed."""
        p = self.p
        needle = b"<" + p + b"c"
        last, end = -1, len(body)
        while True:
            last = body.rfind(needle, 0, end)
            if last < 0 or body[last + len(needle) : last + len(needle) + 1] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                break
            end = last  # <color ...> in a rich-text run, keep looking
        cells = self.targets.cells(row)
        first_col = cells[0][0]
        if last < 0:
            last_col, last_style = 0, None
        else:
            gt = body.find(b">", last)
            m = _R_ATTR.search(body, last, gt)
            if not m:
                return None
            last_col = self._col_of(m.group(1))
            if last_col >= first_col:
                return None
            sm = _S_ATTR.search(body, last, gt)
            last_style = sm.group(1) if sm else None
        out = [start_tag, body]
        left = last_style
        inherit = row in self.style_left_rows
        rownum = b"%d" % row
        cell_end = b"</" + p + b"t></" + p + b"is></" + p + b"c>"
        cell_start = self._cell_parts.get
        written = []
        for c, text in cells:
            style = left if inherit else self._default_style(c, row_attrs)
            left = style
            if self.formatter is not None:
                style = self._styled(row, c, text, style)
                written.append((c, style, text))
            before_after = cell_start((c, style)) or self._cell_start(c, style)
            out += (before_after[0], rownum, before_after[1], _xml_text(text), cell_end)
        out.append(close)
        self.cells_written += len(cells)
        spans = row_attrs.get(b"spans")
        if spans:
            lo, _, hi = spans.partition(b":")
            last_new = cells[-1][0]
            if lo.isdigit() and hi.isdigit() and last_new > int(hi):
                out[0] = _set_attr(start_tag, b"spans", b"%d:%d" % (min(int(lo), first_col), last_new))
        height = self._height(row, written)
        if height:
            out[0] = self._grown(out[0], row_attrs, height)
        return b"".join(out)

    def _append_in_place(self, buf: bytes, start: int, end: int, tag: bytes, row_attrs, row: int) -> bytes | None:
        """_patch_row for the usual row, read in place from the reader's buffer (the row is ``buf[start:end]``,
        ending with its close tag; its start tag ``tag``; the caller has checked that it holds no comment or
        processing instruction): a row with an explicit reference and every target column right of its last cell
        (see _append_after_last, whose output this is). None otherwise."""
        if b"r" not in row_attrs or tag[-2:] == b"/>":
            return None
        body_start = start + len(tag)
        close_i = end - len(self._row_close)
        needle = self._cell_open
        n = len(needle)
        last, stop = -1, close_i
        while True:
            last = buf.rfind(needle, body_start, stop)
            if last < 0 or (last + n < close_i and buf[last + n] in _TAG_NAME_END):
                break
            stop = last  # <color ...> in a rich-text run, keep looking
        cols, texts = self.targets.cols_texts(row)
        if last < 0:
            last_style = None
        else:
            gt = buf.find(b">", last, close_i)
            if gt < 0:
                return None
            m = self._plain_cell.match(buf, last, gt + 1)  # <c r="I4" s="3" t="n">, the usual layout
            if m is not None:
                letters, last_style = m.group(1), m.group(2)
            else:
                m = _R_ATTR.search(buf, last, gt)
                if not m:
                    return None
                letters = m.group(1)
                sm = _S_ATTR.search(buf, last, gt)
                last_style = sm.group(1) if sm else None
            if self._col_of(letters) >= cols[0]:
                return None
        custom = row_attrs.get(b"customFormat") in (b"1", b"true") and b"s" in row_attrs
        key: tuple = (cols, last_style, row_attrs[b"s"] if custom else None, row in self.style_left_rows)
        f = self.formatter
        if f is not None and not key[3]:  # rows alike in the texts their cells' formats depend on, too
            varying = f.varying(cols)
            key += (texts[varying[0]],) if len(varying) == 1 else tuple([texts[i] for i in varying])
        shape = self._row_shapes.get(key)
        if shape is None:
            shape = self._row_shape(key, row_attrs, texts)
        cells, wraps = shape
        if len(texts) == 2:  # the usual 判定 and 理由
            new = cells % (row, _xml_text(texts[0]), row, _xml_text(texts[1]))
        else:
            new = cells % tuple(chain.from_iterable((row, _xml_text(t)) for t in texts))
        out = [buf[start:close_i], new, buf[close_i:end]]
        self.cells_written += len(texts)
        new_tag = tag
        spans = row_attrs.get(b"spans")
        if spans:
            lo, _, hi = spans.partition(b":")
            last_new = cols[-1]
            if lo.isdigit() and hi.isdigit() and last_new > int(hi):
                new_tag = _set_attr(tag, b"spans", b"%d:%d" % (min(int(lo), cols[0]), last_new))
        if wraps:
            assert f is not None  # wrapped cells have a format
            new_tag = self._grown(new_tag, row_attrs, max([heights(texts[i]) for i, heights in wraps]))
        if new_tag is not tag:
            out[0] = new_tag + buf[body_start:close_i]
        return b"".join(out)

    def _row_shape(self, key: tuple, row_attrs, texts) -> tuple[bytes, tuple]:
        """The new cells, a %-format of the row number and the text of each, for rows alike in the target columns,
        the style of their last cell, their own style, whether new cells take the style of the cell to their left
        and the formats of their cells (those of ``texts``); and the wrapped cells, [(index, col, style)]."""
        cols, left, _, inherit = key[:4]
        cells, wraps = [], []
        for i, (c, text) in enumerate(zip(cols, texts)):
            style = left if inherit else self._default_style(c, row_attrs)
            left = style
            fmt = None if inherit or self.formatter is None else self.formatter.format(c, text)
            if fmt is not None:
                style = self.formatter.styles.derive(style, fmt)  # type: ignore[union-attr]
                if fmt.wrap:
                    wraps.append((i, self.formatter.heights(c, style)))  # type: ignore[union-attr]
            before, after = self._cell_start(c, style)
            cells.append(before.replace(b"%", b"%%") + b"%d" + after.replace(b"%", b"%%") + b"%b" + self._cell_end)
        shape = self._row_shapes[key] = (b"".join(cells), tuple(wraps))
        return shape

    _col_cache: dict[bytes, int] = {}

    def _col_of(self, letters: bytes) -> int:
        c = self._col_cache.get(letters)
        if c is None:
            c = 0
            for ch in letters.upper():
                c = c * 26 + ch - 64
            self._col_cache[letters] = c
        return c

    def _check_overwrite(self, row: int, col: int, inner: bytes) -> None:
        m = re.search(rb"<(?:\w+:)?f(\s[^>]*)?(/?)>", inner)
        if not m:
            return
        a = _attrs(m.group())
        ref = cell_ref(row - 1, col - 1)
        if a.get(b"ref") and a.get(b"t") in (b"shared", b"array") and b":" in a[b"ref"]:
            kind = "shared" if a[b"t"] == b"shared" else "array"
            raise PatchError(
                f"cell {ref} holds the master of a {kind} formula ({a[b'ref'].decode()}) used by other cells; "
                "clear it or move the 判定/理由 columns, then try again"
            )
        self.formulas.append(ref)

    # -- whole part
    def run(self, src, dst) -> None:
        rd = _Reader(src)
        m = rd.search(re.compile(rb"<(\w+:)?sheetData[\s/>]"), 0, margin=8)
        if not m:
            raise PatchError("the worksheet has no <sheetData>; cannot write")
        self.p = m.group(1) or b""
        p = self.p
        self._cell_end = b"</" + p + b"t></" + p + b"is></" + p + b"c>"
        self._cell_open = b"<" + p + b"c"
        self._row_close = b"</" + p + b"row>"
        self._plain_cell = _plain_cell(p)
        dst.write(self._patch_head(rd.buf[: m.start()]))
        gt = rd.find(b">", m.start())
        sd_tag = rd.buf[m.start() : gt + 1]
        pos = gt + 1
        if sd_tag.endswith(b"/>"):
            dst.write(sd_tag[:-2].rstrip() + b">")
            for r in self.pending:
                dst.write(self._new_row(r))
            dst.write(b"</" + p + b"sheetData>")
        else:
            dst.write(sd_tag)
            pos = self._rows(rd, dst, pos)
        # tail: copy the rest verbatim
        dst.write(rd.buf[pos:])
        rd.buf = b""
        while True:
            data = rd.stream.read(BIG_CHUNK)
            if not data:
                break
            dst.write(data)

    def _rows(self, rd: _Reader, dst, pos: int) -> int:
        p = self.p
        token = re.compile(rb"<" + re.escape(p) + rb"row[\s/>]|</" + re.escape(p) + rb"sheetData\s*>")
        row_close = b"</" + p + b"row>"
        pending = self.pending
        n_pending = len(pending)
        write = dst.write
        pi = 0
        prev = 0
        inserted = False
        special = -1  # offset in rd.buf of the next <! or <? (len(rd.buf) when there is none)
        _PLAIN_ROW = re.compile(rb"<" + re.escape(p) + rb'row r="(\d+)">')
        row_open = b"<" + p + b"row "  # the usual next row, right where the last one ended
        while True:
            buf = rd.buf
            if buf.startswith(row_open, pos):
                start = pos
            else:
                m = rd.search(token, pos, margin=16)
                if not m:
                    raise PatchError("the worksheet XML is truncated (no </sheetData>)")
                buf = rd.buf
                start = m.start()
                if start > pos:
                    gap = buf[pos:start]
                    if b"<" in gap:
                        raise PatchError("unexpected markup between rows of the worksheet; cannot write safely")
                    write(gap)
                if buf[start + 1 : start + 2] == b"/":
                    while pi < n_pending:
                        write(self._new_row(pending[pi]))
                        pi += 1
                    write(m.group())
                    return m.end()
            gt = buf.find(b">", start)
            if gt < 0:
                gt = rd.find(b">", start)
                buf = rd.buf
            tag = buf[start : gt + 1]
            if tag.endswith(b"/>"):
                end = gt + 1
            else:
                e = buf.find(row_close, gt)
                if e < 0:
                    e = rd.find(row_close, gt)
                    buf = rd.buf
                    if e < 0:
                        raise PatchError("the worksheet XML is truncated (row not closed)")
                end = e + len(row_close)
            plain = _PLAIN_ROW.match(tag)  # <row r="12">: no other attribute
            a = {b"r": plain.group(1)} if plain is not None and len(tag) == plain.end() else _attrs(tag)
            has_r = b"r" in a
            row = int(a[b"r"]) if has_r else prev + 1
            while pi < n_pending and pending[pi] < row:
                write(self._new_row(pending[pi]))
                pi += 1
                inserted = True
            if pi < n_pending and pending[pi] == row:
                if special < end:  # where the next <! or <? is: once per buffer, not once per row
                    special = min(i if i >= 0 else len(buf) for i in (buf.find(b"<!", start), buf.find(b"<?", start)))
                data = self._append_in_place(buf, start, end, tag, a, row) if special >= end else None
                write(data if data is not None else self._patch_row(buf[start:end], row, tag, a))
                pi += 1
            elif inserted and not has_r:
                write(_set_attr(tag, b"r", str(row).encode()) + buf[start + len(tag) : end])
            else:
                write(buf[start:end])
            if has_r:
                inserted = False
            prev = row
            pos = end
            if pos > 4 * CHUNK:
                pos = rd.drop(pos)
                special = -1


# ------------------------------------------------------------------------------------------- calcChain
def _patch_calc_chain(data: bytes, sheet_id: str, refs: set[str]) -> bytes | None:
    """calcChain without the given cells of one sheet; None when nothing is left."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    current = None
    carry = False
    for c in list(root):
        i = c.get("i")
        if i is not None:
            current = i
        elif carry:
            c.set("i", current)
        carry = False
        if current == sheet_id and c.get("r") in refs:
            root.remove(c)
            carry = True
    if len(root) == 0:
        return None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_calc_chain_refs(content_types: bytes, rels: bytes, part: str) -> tuple[bytes, bytes]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    ct = etree.fromstring(content_types, parser)
    for o in list(ct):
        if o.get("PartName", "").lstrip("/") == part:
            ct.remove(o)
    rl = etree.fromstring(rels, parser)
    for r in list(rl):
        if r.get("Type") == REL_CALCCHAIN:
            rl.remove(r)
    dump = lambda el: etree.tostring(el, xml_declaration=True, encoding="UTF-8", standalone=True)  # noqa: E731
    return dump(ct), dump(rl)


# --------------------------------------------------------------------------------------------- public
def patch_workbook(
    src: str | os.PathLike,
    dst: str | os.PathLike,
    sheet: str,
    cells: Mapping[tuple[int, int], str] | None = None,
    *,
    rows: Mapping[int, Mapping[int, str]] | None = None,
    style_from_left_rows: set[int] | frozenset[int] = frozenset(),
    formats: Mapping[int, Mapping[str | None, CellFormat]] | None = None,
    widths: Mapping[int, float] | None = None,
    atomic: bool = True,
    before_replace: Callable[[Path], None] | None = None,
) -> PatchResult:
    """Copy workbook ``src`` to ``dst`` (may be the same path) with ``cells`` set as inline strings in
    worksheet ``sheet``. ``cells`` maps 0-based (row, col) to text; alternatively ``rows`` maps a 0-based row
    to {0-based col: text} (less memory for a million lines). A new cell (one that did not exist) in a
    row listed in ``style_from_left_rows`` takes the style of the cell to its left (for header cells);
    other new cells take the row's or column's default style; overwritten cells keep their own style.
    ``formats`` ({0-based col: {text: CellFormat}}, the text None for any other) puts a format on top of that style
    for the cells of the other rows (styles.xml gains the fonts, fills and cell formats it needs), and a row whose
    wrapped cell needs more room than the row's height is made high enough to show it whole (``ht``,
    ``customHeight``). ``widths`` ({0-based col: characters}) gives a width to those of the columns that have none.
    The write is atomic (temporary file beside ``dst``, fsync, rename) unless ``atomic=False``; ``before_replace``
    is :func:`exportscreen.files.atomic_write`'s (the audit log commits the run there)."""
    src, dst = Path(src), Path(dst)
    check_workbook(src)
    if rows is None:
        by_row: dict[int, dict[int, str]] = {}
        for (r, c), text in (cells or {}).items():
            by_row.setdefault(r, {})[c] = text
        rows = by_row
    if isinstance(rows, RowTexts) and rows.cols:
        if any(not cols for cols in rows.extra.values()):
            fixed = RowTexts(rows.cols)
            fixed.lines, fixed.extra = rows.lines, {r: cols for r, cols in rows.extra.items() if cols}
            rows = fixed
        _check_range(rows.bounds() or (), rows.cols)
        for r, cols in rows.extra.items():
            _check_range((r,), cols)
        targets = _Targets(rows)
    else:
        for r, row_cols in rows.items():
            if row_cols:
                _check_range((r,), row_cols)
        targets = _Targets({r: c for r, c in rows.items() if c} if any(not v for v in rows.values()) else rows)
    left_rows = {r + 1 for r in style_from_left_rows}
    col_widths = {c + 1: w for c, w in (widths or {}).items()}

    def write_file(write) -> None:
        if atomic:
            files.atomic_write(dst, write, mode_from=src, before_replace=before_replace)
        else:
            with open(dst, "wb") as fh:
                write(fh)

    try:
        with zipfile.ZipFile(src) as zin:
            part, sheet_id = sheet_part(zin, sheet)
            styles_part = _styles_part(zin) if formats else None

            def patcher() -> _SheetPatcher:
                formatter = None
                if formats:
                    styles = Styles(zin.read(styles_part) if styles_part else None)
                    formatter = Formatter(styles, {c + 1: f for c, f in formats.items()})
                return _SheetPatcher(targets, left_rows, formatter, col_widths)

            def styles_xml(p: _SheetPatcher) -> dict[str, Callable[[], bytes | None]]:
                """styles.xml with the formats the sheet's cells took, known once the sheet is written."""
                f = p.formatter
                return {styles_part: f.styles.render} if f is not None and styles_part else {}

            if zin.getinfo(part).file_size <= STREAM_MAX_INPUT:
                p = patcher()
                streamed = _StreamedSheet(p, zin, part, sheet_id)
                try:
                    write_file(lambda fh: _write_package(zin, fh, part, streamed, {}, styles_xml(p)))
                    assert streamed.result is not None  # set when the sheet has been written
                    return streamed.result
                except _Restart:
                    pass
            # the sheet rewritten to a temporary file first; a large write buffer: few system calls
            p = patcher()
            with tempfile.TemporaryFile(dir=dst.parent, buffering=4 * CHUNK) as sheet_tmp:
                with zin.open(part) as fh:
                    p.run(fh, sheet_tmp)
                result = PatchResult(part, p.cells_written, p.rows_created, p.formulas)
                overrides = _calc_chain_overrides(zin, sheet_id, set(p.formulas), result)
                sheet_size = sheet_tmp.tell()
                sheet_tmp.seek(0)
                write_file(lambda fh: _write_package(zin, fh, part, (sheet_tmp, sheet_size), overrides, styles_xml(p)))
    except zipfile.BadZipFile as exc:
        raise UserError(f"{src.name}: the workbook is corrupt ({exc})") from None
    except (zlib.error, EOFError) as exc:
        raise UserError(f"{src.name}: the workbook is corrupt or truncated ({exc})") from None
    return result


def _check_range(rows, cols) -> None:
    """Refuse cells outside the worksheet (rows and cols 0-based)."""
    if not rows or not cols:
        return
    lo, hi = min(rows), max(rows)
    r = lo if lo < 0 else hi
    if r < 0 or r >= 1048576 or min(cols) < 0 or max(cols) >= 16384:
        raise PatchError(f"cell ({r}, {max(cols)}) is outside the worksheet")


def _calc_chain_overrides(zin, sheet_id, refs, result) -> dict[str, bytes | None]:
    """Replacement contents for parts other than the sheet (None = drop the part)."""
    if not refs:
        return {}
    wb_part = _workbook_part(zin)
    rels_part = _rels_part(wb_part)
    try:
        rels = zin.read(rels_part)
    except KeyError:
        return {}
    chain = None
    for rel in etree.fromstring(rels).iter(f"{{{NS_PKG_REL}}}Relationship"):
        if rel.get("Type") == REL_CALCCHAIN:
            chain = _resolve(wb_part, rel.get("Target", ""))
    if chain is None or chain not in zin.namelist():
        return {}
    new = _patch_calc_chain(zin.read(chain), sheet_id, refs)
    if new is not None:
        result.calc_chain = "updated"
        return {chain: new}
    result.calc_chain = "removed"
    ct, rl = _drop_calc_chain_refs(zin.read("[Content_Types].xml"), rels, chain)
    return {chain: None, "[Content_Types].xml": ct, rels_part: rl}


def _write_package(zin: zipfile.ZipFile, fh, part: str, sheet, overrides: dict, late: Mapping | None = None) -> None:
    """Write the package to ``fh``: every member of ``zin`` copied except ``part``, which is written from ``sheet``
    (the rewritten sheet as ``(file, size)``, or a _StreamedSheet that rewrites it as it is written), and the
    members in ``overrides`` (content, or None: left out). A streamed sheet gives the overrides when it is done;
    when they concern a member already written, _Restart is raised. The members in ``late`` are written after the
    sheet, with the content their function gives then (None: as they are)."""
    written: set[str] = set()
    late = late or {}
    postponed: list[zipfile.ZipInfo] = []
    with zipfile.ZipFile(fh, "w", allowZip64=True) as zout:
        for info in zin.infolist():
            name = info.filename
            if name in overrides and overrides[name] is None:
                continue
            if name in late:
                postponed.append(info)
                continue
            zi = _member_info(info)
            if name == part and isinstance(sheet, _StreamedSheet):
                overrides = sheet.write(zout, zi, info)
                if not written.isdisjoint(overrides):
                    raise _Restart
            elif name == part:
                sheet_tmp, sheet_size = sheet
                with zout.open(zi, "w", force_zip64=sheet_size > (1 << 31)) as out:
                    shutil.copyfileobj(sheet_tmp, out, BIG_CHUNK)
            elif name in overrides:
                zout.writestr(zi, overrides[name])
            elif info.file_size > 8 * CHUNK:
                with zin.open(info) as src, zout.open(zi, "w", force_zip64=info.file_size > (1 << 31)) as out:
                    shutil.copyfileobj(src, out, CHUNK)
            else:
                zout.writestr(zi, zin.read(info))
            written.add(name)
        for info in postponed:
            zout.writestr(_member_info(info), late[info.filename]() or zin.read(info))


def _member_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A new member's header like that of ``info``."""
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    zi.create_system = info.create_system
    zi.comment = info.comment
    return zi


def _styles_part(zin: zipfile.ZipFile) -> str | None:
    """The workbook's styles part (None when it has none)."""
    wb_part = _workbook_part(zin)
    with contextlib.suppress(KeyError, etree.XMLSyntaxError):
        for rel in _parse_xml(zin, _rels_part(wb_part)).iter(f"{{{NS_PKG_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/styles"):
                part = _resolve(wb_part, rel.get("Target", ""))
                return part if part in zin.namelist() else None
    return None


class _Restart(Exception):
    """The package cannot be streamed (see _StreamedSheet): it is written again, the sheet rewritten first."""


STREAM_MAX_INPUT = 1 << 30  # a bigger sheet part is rewritten to a temporary file first (its size decides zip64)


class _StreamedSheet:
    """The worksheet part rewritten while the package is written: the patcher's output goes to the zip member
    through a thread that compresses it (zlib lets go of the GIL: compressing overlaps with rewriting), with no
    temporary copy of the sheet. The calcChain changes are known only at the end: _write_package restarts when
    they concern a member written before the sheet (the calcChain made empty: [Content_Types].xml)."""

    def __init__(self, patcher: _SheetPatcher, zin: zipfile.ZipFile, part: str, sheet_id: str):
        self.patcher, self.zin, self.part, self.sheet_id = patcher, zin, part, sheet_id
        self.result: PatchResult | None = None

    def write(self, zout: zipfile.ZipFile, zi: zipfile.ZipInfo, info: zipfile.ZipInfo) -> dict:
        try:
            with zout.open(zi, "w") as out:
                pipe = _Pipe(out)
                try:
                    with self.zin.open(self.part) as fh:
                        self.patcher.run(fh, pipe)
                finally:
                    pipe.close()
        except RuntimeError as exc:  # zipfile: "File size too large, try using force_zip64"
            if "zip64" in str(exc):
                raise _Restart from exc
            raise
        p = self.patcher
        self.result = PatchResult(self.part, p.cells_written, p.rows_created, p.formulas)
        return _calc_chain_overrides(self.zin, self.sheet_id, set(p.formulas), self.result)


class _Pipe(io.BufferedWriter):
    """A file that hands what is written to it, in pieces of BIG_CHUNK, to a thread writing them to ``out``."""

    def __init__(self, out):
        self.pieces: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._drain, args=(out,), name="xlsx-write", daemon=True)
        self.thread.start()
        super().__init__(_PipeEnd(self.pieces), buffer_size=BIG_CHUNK)

    def _drain(self, out) -> None:
        while (piece := self.pieces.get()) is not None:
            if self.error is None:
                try:
                    out.write(piece)
                except BaseException as exc:  # reported by close(); the pieces still queued are dropped
                    self.error = exc

    def close(self) -> None:
        if self.closed:
            return
        try:
            super().close()  # the last piece
        finally:
            self.pieces.put(None)
            self.thread.join()
        if self.error is not None:
            raise self.error


class _PipeEnd(io.RawIOBase):
    def __init__(self, pieces: queue.Queue):
        self.pieces = pieces

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.pieces.put(bytes(data))
        return len(data)
