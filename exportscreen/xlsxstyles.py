"""Cell formats for the cells :mod:`exportscreen.xlsxpatch` writes, and the height of a row that shows them whole.

A :class:`CellFormat` (fill, font colour, bold, wrap, top alignment) is applied on top of the style a written cell
would have had (its own, its row's or column's): :class:`Styles` adds to ``styles.xml`` one font, one fill and one
cell format (``cellXfs``) per style and format actually used, copied from that style so that the clerk's borders,
number formats and fonts stay, and inserts them as bytes before each list's end (every other byte of the part
stays). :func:`row_height` estimates the height (points) of a row whose wrapped cell shows a text whole, from the
column's width, the font's size and the East Asian width of each character.
"""

from __future__ import annotations

import copy
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lxml import etree

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAX_ROW_HEIGHT = 409.5  # points; Excel's limit
DEFAULT_COL_WIDTH = 8.43  # characters, Excel's default when the sheet states none


@dataclass(frozen=True)
class CellFormat:
    """What a written cell looks like on top of its own style: ``fill``/``font_color`` as RRGGBB."""

    fill: str | None = None
    font_color: str | None = None
    bold: bool = False
    wrap: bool = False
    top: bool = False


def _local(el) -> str:
    return etree.QName(el).localname


class Styles:
    """The ``styles.xml`` of a package and the cell formats derived from its own (:meth:`derive`); :meth:`render`
    gives the part with them added. A part that cannot be read (or none) derives nothing: cells keep their style."""

    def __init__(self, data: bytes | None):
        self.data = data
        self.ok = False
        self._derived: dict[tuple[bytes | None, CellFormat], bytes | None] = {}
        self._new: dict[str, list[bytes]] = {"fonts": [], "fills": [], "cellXfs": []}
        self._index: dict[str, dict[bytes, int]] = {}  # each list's elements as written -> their index
        if not data:
            return
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            return
        lists = {_local(el): el for el in root if _local(el) in self._new}
        if len(lists) != 3 or etree.QName(root).namespace != NS_MAIN:
            return
        self.prefix = root.prefix
        self.fonts = list(lists["fonts"])
        self.xfs = list(lists["cellXfs"])
        if not self.fonts or not self.xfs:
            return
        self._index = {name: {} for name in self._new}
        self._count = {name: len(el) for name, el in lists.items()}
        for name, el in lists.items():
            for i, child in enumerate(el):
                self._index[name].setdefault(self._bytes(child), i)
        self.ok = all(re.search(self._end_tag(name), data) for name in self._new)

    def _end_tag(self, name: str) -> bytes:
        p = (self.prefix + ":").encode() if self.prefix else b""
        return rb"</" + re.escape(p + name.encode()) + rb"\s*>"

    def _xf(self, base: bytes | None):
        """The cell format ``s=base`` (one derived here included)."""
        i = int(base) if base is not None and base.isdigit() else 0
        return self.xfs[i] if i < len(self.xfs) else self.xfs[0]

    def _add(self, name: str, el) -> int:
        """The index of ``el`` in list ``name``: of an equal element there, else of ``el`` added."""
        data = self._bytes(el)
        i = self._index[name].get(data)
        if i is None:
            i = self._index[name][data] = self._count[name]
            self._count[name] += 1
            self._new[name].append(data)
            if name == "fonts":
                self.fonts.append(el)
            elif name == "cellXfs":
                self.xfs.append(el)
        return i

    def font_size(self, base: bytes | None) -> float:
        """The size (points) of the font of style ``base`` (11 when not stated)."""
        if not self.ok:
            return 11.0
        font = self._font(self._xf(base))
        sz = next((el.get("val") for el in font if _local(el) == "sz"), None)
        try:
            return float(sz) if sz else 11.0
        except ValueError:
            return 11.0

    def font_name(self, base: bytes | None) -> str:
        if not self.ok:
            return ""
        return next((el.get("val", "") for el in self._font(self._xf(base)) if _local(el) == "name"), "")

    def _font(self, xf):
        i = xf.get("fontId", "0")
        return self.fonts[int(i)] if i.isdigit() and int(i) < len(self.fonts) else self.fonts[0]

    def derive(self, base: bytes | None, fmt: CellFormat) -> bytes | None:
        """The index (as written in ``s=""``) of style ``base`` with ``fmt`` on top; ``base`` when nothing can be
        derived."""
        key = (base, fmt)
        got = self._derived.get(key, b"")
        if got != b"":
            return got
        if not self.ok:
            self._derived[key] = base
            return base
        xf = copy.deepcopy(self._xf(base))
        q = lambda name: f"{{{NS_MAIN}}}{name}"  # noqa: E731
        if fmt.bold or fmt.font_color:
            font = copy.deepcopy(self._font(xf))
            for el in list(font):
                if (_local(el) == "b" and fmt.bold) or (_local(el) == "color" and fmt.font_color):
                    font.remove(el)
            if fmt.bold:
                font.insert(0, etree.Element(q("b")))
            if fmt.font_color:
                after = [i for i, el in enumerate(font) if _local(el) in ("b", "i", "strike", "u", "vertAlign", "sz")]
                font.insert(after[-1] + 1 if after else 0, etree.Element(q("color"), rgb="FF" + fmt.font_color))
            xf.set("fontId", str(self._add("fonts", font)))
            xf.set("applyFont", "1")
        if fmt.fill:
            fill = etree.Element(q("fill"))
            pattern = etree.SubElement(fill, q("patternFill"), patternType="solid")
            etree.SubElement(pattern, q("fgColor"), rgb="FF" + fmt.fill)
            etree.SubElement(pattern, q("bgColor"), indexed="64")
            xf.set("fillId", str(self._add("fills", fill)))
            xf.set("applyFill", "1")
        if fmt.wrap or fmt.top:
            align = next((el for el in xf if _local(el) == "alignment"), None)
            if align is None:
                align = etree.Element(q("alignment"))
                xf.insert(0, align)
            if fmt.top:
                align.set("vertical", "top")
            if fmt.wrap:
                align.set("wrapText", "1")
                align.attrib.pop("shrinkToFit", None)
            xf.set("applyAlignment", "1")
        index = str(self._add("cellXfs", xf)).encode()
        self._derived[key] = index
        return index

    def _bytes(self, el) -> bytes:
        """The element as it is written inside the part (whose root declares the main namespace)."""
        text = etree.tostring(el, encoding="UTF-8", xml_declaration=False)
        decl = f' xmlns:{self.prefix}="{NS_MAIN}"' if self.prefix else f' xmlns="{NS_MAIN}"'
        return text.replace(decl.encode(), b"")

    def render(self) -> bytes | None:
        """The part with the derived fonts, fills and cell formats added (None when none was derived)."""
        if not self.ok or not self._new["cellXfs"]:
            return None
        data = self.data
        assert data is not None  # ok implies data
        for name, new in self._new.items():
            if not new:
                continue
            end = re.search(self._end_tag(name), data)
            assert end is not None  # checked in __init__
            data = data[: end.start()] + b"".join(new) + data[end.start() :]
            start = re.search(rb"<(?:\w+:)?" + name.encode() + rb"(\s[^>]*)?>", data)
            assert start is not None  # the end tag has a start tag
            total = self._count[name]
            tag = start.group()
            count = re.search(rb"""\scount\s*=\s*["'][^"']*["']""", tag)
            new_tag = (
                tag[: count.start()] + b' count="%d"' % total + tag[count.end() :]
                if count
                else tag[:-1] + b' count="%d">' % total
            )
            data = data[: start.start()] + new_tag + data[start.end() :]
        return data


# ------------------------------------------------------------------------------------------------ row height
def _char_units(ch: str) -> float:
    """Width of a character in the units of a column's width (the default font's digit) at 11 points."""
    return 2.1 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.05


_WORDS = re.compile(r"[^\s\u3000-\u9fff\uff00-\uffef]+\s*|.", re.S)  # a Latin word and its spaces, or a character


def line_count(text: str, width: float, size: float = 11.0) -> int:
    """Lines that ``text`` takes in a wrapped cell of a column ``width`` characters wide (greedy wrapping: Latin words
    whole, East Asian characters one by one), at least one per line of the text."""
    room = max(width - 1.0, 1.0) * 11.0 / size
    return sum([_wrapped(line, room) for line in text.split("\n")])


@functools.lru_cache(maxsize=16384)
def _wrapped(line: str, room: float) -> int:
    """Lines that one line of text takes in ``room`` (the lines of reasons recur: each is measured once)."""
    lines, used = 1, 0.0
    for word in _WORDS.findall(line):
        body = sum([_char_units(ch) for ch in word.rstrip()])  # trailing spaces may hang past the edge
        if used and used + body > room:
            lines += 1
            used = 0.0
        used += body + 1.05 * (len(word) - len(word.rstrip()))
        while used > room:  # a word wider than the column is broken
            lines += 1
            used -= room
    return lines


def row_height(text: str, width: float, size: float = 11.0, font: str = "") -> float:
    """The height (points) of a row that shows ``text`` whole in a wrapped cell (see :func:`line_count`); the line
    spacing of the Japanese UI fonts (游ゴシック, メイリオ) is wider than that of the others."""
    lines = line_count(text, width, size)
    if lines == 1:
        return size * 15 / 11  # a row of the default height shows one line
    wide = any(name in font for name in ("游", "Yu ", "メイリオ", "Meiryo"))
    per_line = size * (1.75 if wide else 1.45)
    return min(MAX_ROW_HEIGHT, math.ceil((lines * per_line + 3) * 4) / 4)


class Formatter:
    """The formats of the cells written into a sheet, by 1-based column and text (``{col: {text: format}}``, the
    text ``None`` standing for any other), and the heights of the rows whose wrapped cells they fill. The sheet's
    column widths and default row height are set by the sheet patcher once it has read them."""

    def __init__(self, styles: Styles, formats: Mapping[int, Mapping[str | None, CellFormat]]):
        self.styles = styles
        self.formats = formats
        self.widths: dict[int, float] = {}
        self.default_width = DEFAULT_COL_WIDTH
        self.default_height = 15.0
        self._heights: dict[tuple, Callable[[str], float]] = {}
        self._varying: dict[tuple, tuple[int, ...]] = {}

    def format(self, col: int, text: str) -> CellFormat | None:
        by_text = self.formats.get(col)
        if by_text is None:
            return None
        return by_text.get(text) or by_text.get(None)

    def style(self, col: int, text: str, base: bytes | None) -> bytes | None:
        fmt = self.format(col, text)
        return base if fmt is None else self.styles.derive(base, fmt)

    def varying(self, cols: tuple[int, ...]) -> tuple[int, ...]:
        """The indexes in ``cols`` of the columns whose format depends on the text."""
        got = self._varying.get(cols)
        if got is None:
            got = self._varying[cols] = tuple(
                i for i, c in enumerate(cols) if any(t is not None for t in self.formats.get(c, ()))
            )
        return got

    def height(self, col: int, style: bytes | None, text: str) -> float:
        """Points that ``text`` needs in a wrapped cell of ``col`` with ``style``."""
        return self.heights(col, style)(text)

    def heights(self, col: int, style: bytes | None) -> Callable[[str], float]:
        """:meth:`height` for one column and style (remembers the last texts' heights)."""
        got = self._heights.get((col, style))
        if got is None:
            width = self.widths.get(col, self.default_width)
            size, font = self.styles.font_size(style), self.styles.font_name(style)
            got = self._heights[(col, style)] = functools.lru_cache(maxsize=65536)(
                lambda text: row_height(text, width, size, font)
            )
        return got
