"""Order tables in CSV files, read and written back byte for byte except the cells we write.

Reading (:func:`read_table`) streams the file once: physical lines are split on the bytes (CRLF, LF or CR, a
missing final newline), decoded strictly (UTF-8 with or without a BOM, else Shift_JIS/CP932; a byte neither can
read refuses the file, nothing is guessed), parsed by the csv module with the delimiter found in the header row
(comma, semicolon or tab). Only each record's end offset is kept (8 bytes per record) with the file's size, mtime
and SHA-256.

Writing (:func:`write_table`) streams the source again: every record we do not touch is copied as raw bytes; in a
record we touch, the raw bytes of the clerk's fields are kept and only our 判定/理由 fields are replaced or
appended, so a clerk's cell is never re-encoded (CP932 has characters with two byte forms, 髙 ∵ ¬ ⅰ …), re-quoted
or escaped. Our own cells are escaped against formula injection (:func:`csv_safe`) and quoted like the header row
(all fields, or when needed). The bytes read while writing must hash to what was screened: a file changed in
between is refused and nothing is written.

Lines longer than :data:`MAX_LINE` bytes and records longer than :data:`MAX_RECORD` bytes (a quote that is never
closed) are refused with one line, never loaded whole.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import os
import re
import unicodedata
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from exportscreen import orders
from exportscreen.errors import UserError

ENCODINGS = ("utf-8", "cp932")  # tried in this order; strictly
DELIMITERS = (",", ";", "\t")
BOM = b"\xef\xbb\xbf"
MAX_LINE = 1 << 20  # bytes of one physical line
MAX_RECORD = 4 << 20  # bytes of one record (quoted fields may span lines)
CHUNK = 1 << 20
# what CP932 decodes but no Shift_JIS text holds: the bytes 0x80, 0xA0, 0xFD-0xFF and user-defined characters
# (外字, 0xF040-0xF9FC), as C1 controls and private-use characters; Latin-1 text read as CP932 often shows them
_CP932_ODD = re.compile("[\x80-\x9f\ue000-\uf8ff]")


@dataclass
class CsvSource:
    """How a csv file was read and where its records end: what writing it back needs."""

    encoding: str  # "utf-8" or "cp932"
    start: int  # bytes before the first record (a UTF-8 BOM)
    delimiter: str
    ends: array  # byte offset just past each record (its line ending included)
    size: int
    mtime_ns: int
    sha256: bytes
    quote_all: bool = False  # the header row quotes every field: so are ours
    moved: dict[int, int] = field(default_factory=dict)  # a created 判定/理由 column -> where it goes (see _source)


def _too_long(name: str, row: int, what_ja: str, what_en: str, limit: int) -> UserError:
    return UserError(
        f"{name}: {row} 行目の{what_ja}が長すぎます（上限 {limit >> 20} MiB）。CSV の受注表ではないようです",
        f"{name}: row {row}: {what_en} too long (limit {limit >> 20} MiB); not a csv order table",
    )


def _not_text(name: str) -> UserError:
    return UserError(f"{name}: CSV のテキストファイルではありません", f"{name}: not a CSV text file")


def _changed(name: str) -> UserError:
    """As files.Fingerprint says it: the file read is not the file being read (or written back) now."""
    return UserError(
        f"{name} は判定中に変更されました。何も書き込んでいません。もう一度実行してください",
        f"{name} changed while it was being screened; nothing was written — run again",
    )


def _breaks(b: bytes) -> int:
    return b.count(b"\n") + b.count(b"\r") - b.count(b"\r\n")


def _encoding(fh: IO[bytes], name: str) -> str:
    """UTF-8 when every byte of the file reads as UTF-8; else CP932 when every byte reads as CP932 and no odd
    character shows (:data:`_CP932_ODD`) — and the bytes before the first that is not UTF-8 were ASCII (a UTF-8
    file with one bad byte is not re-read as CP932: mojibake). Read in chunks cut after a line break (no byte of
    a line break is part of a multi-byte character in either); nothing is kept. Else UserError naming the row."""
    rows: list[int] = []
    for enc in ENCODINGS:
        fh.seek(0)
        rest, seen, ascii_so_far = b"", 0, True
        while True:
            chunk = fh.read(CHUNK)
            if b"\x00" in chunk:
                raise _not_text(name)
            buf = rest + chunk if rest else chunk
            cut = max(buf.rfind(b"\n"), buf.rfind(b"\r")) + 1 if chunk else len(buf)
            if cut == 0 and len(buf) > MAX_LINE:
                raise _too_long(name, seen + 1, "行", "line", MAX_LINE)
            piece, rest = buf[:cut], buf[cut:]
            try:
                text = piece.decode(enc)
            except UnicodeDecodeError as exc:
                rows.append(seen + _breaks(piece[: exc.start]) + 1)
                if enc == "utf-8" and not (ascii_so_far and piece[: exc.start].isascii()):
                    return _undecodable(name, rows)
                break
            m = _CP932_ODD.search(text) if enc == "cp932" else None
            if m is not None:
                rows.append(seen + text.count("\n", 0, m.start()) + text.count("\r", 0, m.start()) + 1)
                break
            if not chunk:
                return enc
            seen += _breaks(piece)
            ascii_so_far = ascii_so_far and piece.isascii()
    return _undecodable(name, rows)


def _undecodable(name: str, rows: list[int]) -> str:
    row = max(rows)
    raise UserError(
        f"{name}: {row} 行目に UTF-8 としても Shift_JIS (CP932) としても読めない文字があります。"
        "文字コードを UTF-8 か Shift_JIS にしてください",
        f"{name}: row {row} cannot be read as UTF-8 nor as Shift_JIS (CP932); save the file in one of them",
    )


class _Reader:
    """The physical lines of an open csv file (its encoding known), decoded, with the byte offset reached
    (``pos``), the end offset of each record (``ends``) and the SHA-256 of every byte read."""

    def __init__(self, fh: IO[bytes], name: str, encoding: str) -> None:
        self.fh, self.name, self.encoding = fh, name, encoding
        st = os.fstat(fh.fileno())
        self.size, self.mtime_ns = st.st_size, st.st_mtime_ns
        self.hash = hashlib.sha256()
        self.start = self.pos = self.rec_start = 0
        self.ends = array("q")

    def lines(self) -> Iterator[str]:
        fh, enc, h, name = self.fh, self.encoding, self.hash, self.name
        rest = b""
        first = True
        pos = 0
        while True:
            chunk = fh.read(CHUNK)
            h.update(chunk)
            if first:
                first = False
                if enc == "utf-8" and chunk.startswith(BOM):
                    chunk = chunk[3:]
                    self.start = self.pos = self.rec_start = pos = 3
            if chunk:
                buf = rest + chunk if rest else chunk
                lines = buf.splitlines(True)  # on \r\n, \n and \r only (bytes)
                rest = lines.pop()  # may go on in the next chunk (also a \r before its \n)
                if len(rest) > MAX_LINE:
                    raise _too_long(name, len(self.ends) + 1, "行", "line", MAX_LINE)
            else:
                lines, rest = ([rest] if rest else []), b""
            for raw in lines:
                try:
                    text = raw.decode(enc)
                except UnicodeDecodeError:  # it decoded when the encoding was found
                    raise _changed(name) from None
                pos += len(raw)
                if pos - self.rec_start > MAX_RECORD:
                    raise _too_long(name, len(self.ends) + 1, '行（引用符 " の中の改行を含む）', "record", MAX_RECORD)
                self.pos = pos
                yield text
            if not chunk:
                return

    def records(self, delimiter: str) -> Iterator[list[str]]:
        """The csv records; each one's end offset appended to ``ends``."""
        reader = csv.reader(self.lines(), delimiter=delimiter, strict=False)
        ends = self.ends
        append = ends.append
        try:
            for row in reader:
                append(self.pos)
                self.rec_start = self.pos
                yield row
        except csv.Error as exc:  # a field longer than csv.field_size_limit (a quote never closed)
            raise UserError(
                f"{self.name}: {len(ends) + 1} 行目を CSV として読めません（{exc}）。引用符が閉じられていないようです",
                f"{self.name}: row {len(ends) + 1} cannot be read as csv ({exc}); a quote seems never closed",
            ) from None


def _sniff(head: bytes, encoding: str, at_eof: bool) -> tuple[str, orders.Header] | None:
    """The delimiter whose parse of the first lines has an order table header (the most columns named, then the
    most fields), with that header; None when none has one."""
    lines = head.splitlines(True)
    if not at_eof and lines:
        lines.pop()  # may be cut
    text = [line.decode(encoding, "replace") for line in lines]
    best = None
    for d in DELIMITERS:
        rows: list[list[str]] = []
        with contextlib.suppress(csv.Error):  # the rows before it (the full read names the row)
            rows.extend(islice(csv.reader(text, delimiter=d, strict=False), orders.HEADER_SCAN_ROWS))
        header = orders.find_header(rows)
        if header is not None:
            key = (len(header.columns), len(rows[header.row]))
            if best is None or key > best[0]:
                best = (key, d, header)
    return None if best is None else (best[1], best[2])


class StreamedLines:
    """The order lines of a csv file, read while they are iterated (once): a big file is screened as it is read
    and its lines are not kept. ``len()`` counts the lines given out so far (all of them once iterated); the
    table's skipped rows and ``csv`` are complete once the iteration has ended."""

    def __init__(self, lines: Iterator[orders.OrderLine]) -> None:
        self._lines = lines
        self.count = 0

    def __iter__(self) -> Iterator[orders.OrderLine]:
        return self._lines

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0


STREAM_BATCH = 1024  # lines made at a time while streaming


def read_table(path: Path, stream: bool = False) -> orders.OrderTable:
    """The order table of a csv file (see the module's description). ``stream``: its ``lines`` are a
    :class:`StreamedLines`, read while they are iterated; else a list, read now. The file is opened once, here."""
    name = path.name
    fh = open(path, "rb")  # noqa: SIM115 - closed by _lines, which reads it to the end
    try:
        reader = _Reader(fh, name, _encoding(fh, name))
        fh.seek(0)
        head = fh.read(MAX_LINE)
        fh.seek(0)
        start = 3 if reader.encoding == "utf-8" and head.startswith(BOM) else 0
        found = _sniff(head[start:], reader.encoding, len(head) < MAX_LINE)
        if found is None:
            raise UserError(
                f"{name}: 受注表が見つかりません（仕向地・品目 の列のある見出し行が必要です）",
                f"{name}: no order table: no header row with a country and an item column (e.g. 仕向地, 品目)",
            )
    except BaseException:
        fh.close()
        raise
    delimiter, header = found
    table = orders.OrderTable(path, "csv", None, header)
    streamed = StreamedLines(_lines(reader, delimiter, table, stream))
    if stream:
        table.lines = streamed  # type: ignore[assignment]
    else:
        for _ in streamed:
            pass
    return table


def _lines(reader: _Reader, delimiter: str, table: orders.OrderTable, stream: bool) -> Iterator[orders.OrderLine]:
    """Read the file once: the order lines (in batches when streaming, else appended to ``table.lines``), then
    ``table.csv``."""
    header, path, fh = table.header, table.path, reader.fh
    with fh:
        records = reader.records(delimiter)
        width = header.last_col + 1

        def rows() -> Iterator[list[str]]:
            # every record; the last used column of them all widened into `width` (cells right of the header)
            nonlocal width
            for row in records:
                n = len(row)
                if n > width:
                    while n > width and not row[n - 1].strip():
                        n -= 1
                    width = n
                yield row

        it = rows()
        if sum(1 for _ in islice(it, header.row + 1)) <= header.row:
            raise _changed(path.name)
        if stream:
            part = orders.OrderTable(path, "csv", None, header, total_rows=table.total_rows)
            streamed = table.lines
            assert isinstance(streamed, StreamedLines)  # set by read_table before the first line is asked for
            r = header.row + 1
            while batch := list(islice(it, STREAM_BATCH)):
                orders._lines(iter(batch), header, part, 0, r)
                r += len(batch)
                streamed.count += len(part.lines)
                yield from part.lines
                part.lines.clear()
            table.blank_rows = part.blank_rows
        else:
            orders._lines(it, header, table, 0, header.row + 1)
        if reader.pos != reader.size:  # bytes past the last line read: the file grew while it was read
            raise _changed(path.name)
        table.csv = _source(fh, reader, delimiter, header, width)


def _source(fh: IO[bytes], reader: _Reader, delimiter: str, header: orders.Header, width: int) -> CsvSource:
    source = CsvSource(
        reader.encoding, reader.start, delimiter, reader.ends, reader.size, reader.mtime_ns, reader.hash.digest()
    )
    ends, d, name = source.ends, delimiter.encode(), reader.name
    head_start = ends[header.row - 1] if header.row else source.start
    fields = _raw_fields(_body(os.pread(fh.fileno(), ends[header.row] - head_start, head_start))[0], d)
    source.quote_all = fields is not None and all(f.startswith(b'"') for f in fields)
    last = ends[-1] - (ends[-2] if len(ends) > 1 else source.start)
    if _raw_fields(_body(os.pread(fh.fileno(), last, ends[-1] - last))[0], d) is None:
        raise UserError(
            f'{name}: 最後の行の引用符 " が閉じられていません', f"{name}: a quote in the last row is never closed"
        )
    # 判定/理由 columns the header lacks go after the last column used in any row (not only the header's)
    dcol, rcol, missing = header.output_columns()
    created = sorted(dcol if f == "decision" else rcol for f in missing)
    if created and created[0] < width:
        source.moved = {c: width + i for i, c in enumerate(created)}
    return source


# ---------------------------------------------------------------------------------------------------- writing
_FIELDS: dict[bytes, re.Pattern] = {
    d: re.compile(rb'"(?:[^"]|"")*+"[^' + d + rb"]*|[^" + d + rb'"][^' + d + rb"]*|") for d in (b",", b";", b"\t")
}
_QUOTED = re.compile(r'"((?:[^"]|"")*)"(.*)', re.S)


def _body(raw: bytes) -> tuple[bytes, bytes]:
    """A record's bytes without and with only its line ending."""
    if raw.endswith(b"\r\n"):
        return raw[:-2], b"\r\n"
    if raw.endswith((b"\n", b"\r")):
        return raw[:-1], raw[-1:]
    return raw, b""


def _raw_fields(body: bytes, d: bytes) -> list[bytes] | None:
    """The fields of a record as their raw bytes (quotes and all), as the csv module splits them; None when a
    quoted field is never closed. Works on the undecoded bytes: no byte of a delimiter, quote or line ending is
    part of a multi-byte character in UTF-8 or CP932."""
    if b'"' not in body:
        return body.split(d)
    pat, out, pos, end = _FIELDS[d], [], 0, len(body)
    while True:
        m = pat.match(body, pos)
        assert m is not None  # the last alternative matches the empty string
        out.append(m.group())
        pos = m.end()
        if pos == end:
            return out
        if body[pos : pos + 1] != d:
            return None
        pos += 1


def _unquote(field: str) -> str:
    m = _QUOTED.fullmatch(field)
    return field if m is None else m.group(1).replace('""', '"') + m.group(2)


_FORMULA = re.compile(r"[\s\u3000]*[=+\-@＝＋－＠]|[\t\r\n]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*)(\.\d+)?")


def csv_safe(value: Any) -> str:
    """Text of ours as a CSV cell that no spreadsheet application evaluates as a formula (OWASP CSV injection):
    text starting with = + - @ (also full-width ＝＋－＠, also after spaces or tabs), a TAB, CR or LF gets a
    leading single quote; plain numbers like -5 are kept."""
    s = "" if value is None else str(value)
    if _FORMULA.match(s) and not _PLAIN_NUMBER.fullmatch(s):
        return "'" + s
    return s


_CP932_LIKE = {"\u2014": "\u2015", "\u00a5": "\uffe5", "\u2212": "\uff0d", "\u301c": "\uff5e", "\u2016": "\u2225"}
_CP932_LIKE.update({"\u00a2": "\uffe0", "\u00a3": "\uffe1", "\u00ac": "\uffe2"})


def _encodable(text: str, encoding: str) -> str:
    """``text`` with each character the encoding lacks replaced by its CP932 look-alike (— ¥ − 〜), its NFKC form or
    ?; our 理由 texts may quote End User List names in any script. The audit log keeps the full text."""
    out = []
    for ch in text:
        for cand in (ch, _CP932_LIKE.get(ch, ""), unicodedata.normalize("NFKC", ch)):
            if cand:
                try:
                    cand.encode(encoding)
                except UnicodeEncodeError:
                    continue
                out.append(cand)
                break
        else:
            out.append("?")
    return "".join(out)


class _Cells:
    """Our texts as the raw bytes of csv fields, each distinct text encoded once."""

    def __init__(self, source: CsvSource) -> None:
        self.encoding, self.quote_all = source.encoding, source.quote_all
        self.needs_quotes = re.compile(r'[\x00-\x1f\x7f"' + re.escape(source.delimiter) + "]")
        self.done: dict[str, bytes] = {}

    def __call__(self, text: str) -> bytes:
        raw = self.done.get(text)
        if raw is None:
            s = csv_safe(text)
            if self.quote_all or self.needs_quotes.search(s):
                s = '"' + s.replace('"', '""') + '"'
            try:
                raw = s.encode(self.encoding)
            except UnicodeEncodeError:
                raw = _encodable(s, self.encoding).encode(self.encoding)
            if len(self.done) < 10_000:
                self.done[text] = raw
        return raw


def write_table(
    source: CsvSource, path: Path, out: IO[bytes], cells: Mapping[int, Mapping[int, str]], name: str | None = None
) -> None:
    """Stream the csv file ``path`` (as read into ``source``) to ``out`` with ``cells`` ({0-based record:
    {0-based field: our text}}, iterated in record order) written in. Raises UserError (nothing of use written)
    when the file is not the one screened."""
    name = name or path.name
    d = source.delimiter.encode()
    cell = _Cells(source)
    ends, moved = source.ends, source.moved
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        if (st.st_size, st.st_mtime_ns) != (source.size, source.mtime_ns):
            raise _changed(name)
        h = hashlib.sha256()
        read, write, update = fh.read, out.write, h.update

        def copy(n: int) -> None:
            while n > 0:
                piece = read(min(n, CHUNK))
                if not piece:
                    raise _changed(name)
                update(piece)
                write(piece)
                n -= len(piece)

        pos = 0
        for r in cells:
            begin = ends[r - 1] if r else source.start
            copy(begin - pos)
            raw = read(ends[r] - begin)
            update(raw)
            body, eol = _body(raw)
            fields = _raw_fields(body, d)
            if fields is None or (b'"' in body and not _same_fields(fields, body, source)):
                raise UserError(
                    f'{name}: {r + 1} 行目を元のとおりに書き戻せません（引用符 " の使い方）',
                    f"{name}: row {r + 1} cannot be written back as it was (its quotes)",
                )
            for c, text in cells[r].items():
                c = moved.get(c, c)
                if c >= len(fields):
                    fields.extend([b""] * (c + 1 - len(fields)))
                fields[c] = cell(text)
            write(d.join(fields) + eol)
            pos = ends[r]
        copy(source.size - pos)
        if read(1) or h.digest() != source.sha256:
            raise _changed(name)


def _same_fields(fields: list[bytes], body: bytes, source: CsvSource) -> bool:
    """The raw fields, unquoted, are the fields the csv module reads (checked for a record with quotes)."""
    enc = source.encoding
    parsed = next(csv.reader([body.decode(enc)], delimiter=source.delimiter, strict=False), [""])
    return [_unquote(f.decode(enc)) for f in fields] == parsed
