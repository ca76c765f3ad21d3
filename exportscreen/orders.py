"""Order tables in workbooks and CSV files: find the header row, map its columns, list the order lines.

Reading only — writing goes through :mod:`exportscreen.xlsxpatch` (xlsx/xlsm) or :func:`write_csv`.
Coordinates are 0-based (row, col), like python-calamine's.

Public API: :data:`FIELDS`, :func:`normalize_header`, :func:`match_column`, :func:`find_header`,
:func:`read_order_table`, :func:`read_csv_rows`, :func:`write_csv`, :func:`csv_safe`,
:class:`Header`, :class:`OrderLine`, :class:`OrderTable`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any

from exportscreen.engine import ORDER_FIELDS
from exportscreen.errors import UserError

FIELDS = ORDER_FIELDS  # the engine's argument order: lines are passed to it positionally
OUTPUT_FIELDS = ("decision", "reason")
HEADER_TEXT = {"decision": "判定", "reason": "理由"}

# Header names after normalize_header (NFKC, casefold, no spaces, no bracketed suffix such as （円）).
ALIASES: dict[str, tuple[str, ...]] = {
    "country": (
        "仕向地",
        "仕向国",
        "仕向け地",
        "仕向け国",
        "仕向先国",
        "仕向地国",
        "country",
        "destination",
        "destinationcountry",
        "countryofdestination",
        "shiptocountry",
    ),
    "item": (
        "品目",
        "該非",
        "該非判定",
        "該非区分",
        "該非判定結果",
        "品目該非",
        "item",
        "classification",
        "itemclassification",
        "controlclassification",
        "項番",
    ),
    "hs": ("hsコード", "hs", "hscode", "hs番号", "統計品目番号", "hsno", "hsno."),
    "end_user": ("需要者", "最終需要者", "エンドユーザー", "enduser", "consignee", "ultimateconsignee"),
    "end_use": ("用途", "最終用途", "enduse", "use"),
    "inform": ("インフォーム", "インフォーム通知", "inform", "informnotice", "informnotification"),
    "value_jpy": ("金額", "価格", "取引金額", "value", "amount", "valuejpy", "price"),
    "ship_date": ("出荷日", "船積日", "輸出日", "shipdate", "shippingdate", "exportdate", "shipmentdate"),
    "decision": ("判定", "判定結果", "decision", "result"),
    "reason": ("理由", "判定理由", "reason", "reasons"),
    # not an engine field (kept out of FIELDS): read separately, to name the lines in the screen summary
    "order_no": (
        "注文番号",
        "受注番号",
        "発注番号",
        "注文no",
        "受注no",
        "発注no",
        "伝票番号",
        "注番",
        "orderno",
        "ordernumber",
        "orderid",
        "salesorder",
        "salesorderno",
        "po",
        "pono",
        "ponumber",
        "purchaseorder",
        "invoice",
        "invoiceno",
        "invoicenumber",
    ),
    # the line's other identifying columns, kept in the audit record (not engine fields either)
    "part_no": ("品番", "型番", "型式", "部品番号", "製品番号", "partno", "partnumber", "modelno", "model"),
    "item_name": ("品名", "製品名", "商品名", "品目名称", "productname", "product", "description", "goods"),
    "quantity": ("数量", "個数", "台数", "qty", "quantity"),
}
# the columns that name a line (注文番号 …, 品番, 品名, 数量): every one found is kept as found in the audit record
REF_FIELDS = ("order_no", "part_no", "item_name", "quantity")
_LOOKUP = {alias: f for f, names in ALIASES.items() for alias in names}
_BRACKETS = re.compile(r"[(\[][^()\[\]]*[)\]]")
TOTAL_WORDS = {"合計", "総計", "小計", "計", "total", "totals", "grandtotal", "subtotal", "sum"}
HEADER_SCAN_ROWS = 50


def normalize_header(text: Any) -> str:
    """NFKC, casefold, all white space removed."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", "", s)


def match_column(text: Any) -> str | None:
    """Which order field a header cell names (``None`` when it names none)."""
    h = normalize_header(text)
    if not h:
        return None
    base = _BRACKETS.sub("", h).strip("・:：-_")  # 金額(円) -> 金額, 品目(該非) -> 品目
    for cand in (
        h,
        base,
        base.replace("予定", ""),
        base.removesuffix("名"),
        base.removesuffix("name"),
        base.replace("_", "").replace("-", "").replace(".", ""),
    ):
        if cand in _LOOKUP:
            return _LOOKUP[cand]
    return None


@dataclass
class Header:
    row: int  # 0-based row of the header
    columns: dict[str, int]  # field (FIELDS + decision/reason) -> 0-based column
    last_col: int  # last used column of the header row
    # every identifying column (REF_FIELDS) in column order: (0-based column, field, header text as found)
    refs: list[tuple[int, str, str]] = field(default_factory=list)
    free: list[int] = field(default_factory=list)  # columns for a missing 判定/理由 (xlsxcheck.settle)

    @property
    def order_ref(self) -> int | None:
        """Which of a line's refs is its order number (the first order number column), if any."""
        return next((i for i, (_c, f, _h) in enumerate(self.refs) if f == "order_no"), None)

    def output_columns(self) -> tuple[int, int, list[str]]:
        """(decision col, reason col, [fields whose header cell must be created])."""
        missing = []
        free = iter(self.free)
        nxt = self.last_col + 1
        cols = {}
        for f in OUTPUT_FIELDS:
            if f in self.columns:
                cols[f] = self.columns[f]
            else:
                cols[f] = next(free) if self.free else nxt
                nxt += 1
                missing.append(f)
        return cols["decision"], cols["reason"], missing


def find_header(rows: Iterable[list[Any]], max_rows: int = HEADER_SCAN_ROWS, col_offset: int = 0) -> Header | None:
    """The first row (within ``max_rows``) that names at least the country and item columns."""
    for r, row in enumerate(rows):
        if r >= max_rows:
            break
        cols: dict[str, int] = {}
        refs = []
        last = -1
        for c, v in enumerate(row):
            if v is None or v == "":
                continue
            last = c + col_offset
            if isinstance(v, str):
                f = match_column(v)
                if f and f not in cols:
                    cols[f] = c + col_offset
                if f in REF_FIELDS:
                    refs.append((c + col_offset, f, " ".join(v.split())))
        if "country" in cols and "item" in cols:
            return Header(r, cols, last, refs)
    return None


@dataclass(frozen=True, slots=True)
class OrderLine:
    row: int  # 0-based worksheet row
    values: tuple  # aligned with FIELDS, raw cell values (None when empty / column absent)
    refs: tuple | None = None  # the identifying cells (Header.refs), as found; None when the table has none

    def kwargs(self) -> dict[str, Any]:
        return dict(zip(FIELDS, self.values))


@dataclass
class OrderTable:
    path: Path
    kind: str  # "xlsx" | "csv"
    sheet: str | None
    header: Header
    lines: list[OrderLine] = field(default_factory=list)
    blank_rows: int = 0
    total_rows: list[int] = field(default_factory=list)  # 0-based rows skipped as totals rows
    formula_cells: dict[int, str] = field(default_factory=dict)  # xlsx: row -> its screened cells that are formulas
    hidden_lines: int = 0  # xlsx: lines in hidden rows (screened and written all the same)
    encoding: str = "utf-8"
    rows: list[list[Any]] = field(default_factory=list)  # csv: every row as read (kept for writing back)

    @property
    def skipped(self) -> dict[str, int]:
        out = {}
        if self.blank_rows:
            out["blank"] = self.blank_rows
        if self.total_rows:
            out["totals row"] = len(self.total_rows)
        return out


def _empty(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _is_total_word(v: Any) -> bool:
    return isinstance(v, str) and normalize_header(v).strip(":：") in TOTAL_WORDS


def is_total_row(row: list[Any], header: Header) -> bool:
    """合計 / Total / 計 in a text cell (which may be the country or item cell), no country and no item."""
    for f in ("country", "item"):
        c = header.columns[f]
        if c < len(row) and not _empty(row[c]) and not _is_total_word(row[c]):
            return False
    return any(_is_total_word(v) for v in row)


class _Cells(dict):
    """Cell value -> the value a line keeps: one object per distinct text (big sheets repeat countries, items,
    users), None for blank text, one object per distinct number and date (kept apart by type: TRUE must not become
    1; and 0.0, NaN and datetimes with a time zone as they are, as equal ones may differ); other values as they are.
    Only texts are keys of the dict itself."""

    __slots__ = ("others",)

    def __init__(self, *a: Any):
        super().__init__(*a)
        self.others: dict[type, dict] = {float: {}, date: {}, datetime: {}}

    def __missing__(self, v: Any) -> Any:
        cls = v.__class__
        if cls is str:
            kept = self[v] = v if v.strip() else None
            return kept
        same = self.others.get(cls)
        if same is None or (cls is float and (v != v or v == 0.0)) or (cls is datetime and v.tzinfo is not None):
            return None if _empty(v) else v
        if len(same) >= 100_000:
            same.clear()
        return same.setdefault(v, v)


_total_words: dict[str, bool] = {}


def _is_total_text(v: Any) -> bool:
    """_is_total_word, remembered for the texts seen (a country or item cell of every line is checked)."""
    if v.__class__ is not str:
        return _is_total_word(v)
    hit = _total_words.get(v)
    if hit is None:
        if len(_total_words) >= 100_000:
            _total_words.clear()
        hit = _total_words[v] = _is_total_word(v)
    return hit


def _lines(rows: Iterator[list[Any]], header: Header, table: OrderTable, col_offset: int, first_row: int) -> None:
    idx = [header.columns.get(f) for f in FIELDS]
    idx = [None if c is None else c - col_offset for c in idx]
    shifted = Header(header.row, {k: v - col_offset for k, v in header.columns.items()}, header.last_col)
    # The usual line, fast: its fields picked in one go (an absent column reads the None appended to the row),
    # texts looked up in `cells`, and a country or item that is not a totals word: neither blank nor a totals row.
    fast = all(c is None or c >= 0 for c in idx) and FIELDS[:2] == ("country", "item")
    pick = itemgetter(*[-1 if c is None else c for c in idx])
    cells = _Cells({None: None})
    value = cells.__getitem__
    intern = cells.setdefault  # one object per distinct text: big sheets repeat countries, items, users
    pad = [None]
    lines = table.lines
    rc = [c - col_offset for c, _f, _h in header.refs if c >= col_offset]
    pick_refs = itemgetter(*rc) if len(rc) > 1 else (lambda row: (row[rc[0]],)) if rc else None
    for r, row in enumerate(rows, start=first_row):
        if fast:
            try:
                vals = tuple(map(value, pick(row + pad)))
            except (IndexError, TypeError):  # a short row, an unhashable value
                pass
            else:
                country, item = vals[0], vals[1]
                if (country is not None and not _is_total_text(country)) or (
                    item is not None and not _is_total_text(item)
                ):
                    if pick_refs is None:
                        lines.append(OrderLine(r, vals))
                    else:
                        try:
                            lines.append(OrderLine(r, vals, tuple(map(value, pick_refs(row)))))
                        except (IndexError, TypeError):
                            lines.append(OrderLine(r, vals, _refs(row, rc)))
                    continue
        if all(_empty(v) for v in row):
            table.blank_rows += 1
            continue
        if is_total_row(row, shifted):
            table.total_rows.append(r)
            continue
        vals = tuple(
            None
            if c is None or c < 0 or c >= len(row) or _empty(row[c])
            else intern(row[c], row[c])
            if row[c].__class__ is str
            else row[c]  # TRUE must not become 1
            for c in idx
        )
        if all(v is None for v in vals):
            # only decision/reason or unrelated columns filled in: nothing to screen
            table.blank_rows += 1
            continue
        lines.append(OrderLine(r, vals, None if pick_refs is None else _refs(row, rc)))


def _refs(row: list[Any], cols: list[int]) -> tuple:
    """The identifying cells of a row (None where the row is short or the cell blank)."""
    return tuple(None if c >= len(row) or _empty(row[c]) else row[c] for c in cols)


def cell_text(v: Any) -> str:
    """A cell value as a short text: 1234.0 -> "1234", a date as ISO, text stripped."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v).strip()


def read_order_table(path: str | Path, sheet: str | None = None, kind: str | None = None) -> OrderTable:
    """Find the order table in an xlsx/xlsm (python-calamine) or csv file. ``kind`` ("xlsx" or "csv")
    defaults to what the file name says."""
    path = Path(path)
    if kind is None:
        kind = "csv" if path.suffix.lower() in (".csv", ".txt") else "xlsx"
    if kind == "csv":
        if not path.is_file():
            raise UserError(f"{path.name}: ファイルが見つかりません", f"{path.name}: file not found")
        rows, enc = read_csv_rows(path)
        header = find_header(rows)
        if header is None:
            raise UserError(
                f"{path.name}: 受注表が見つかりません（仕向地・品目 の列のある見出し行が必要です）",
                f"{path.name}: no order table: no header row with a country and an item column (e.g. 仕向地, 品目)",
            )
        table = OrderTable(path, "csv", None, header, encoding=enc, rows=rows)
        _lines(iter(rows[header.row + 1 :]), header, table, 0, header.row + 1)
        return table
    return _read_xlsx(path, sheet)


def _read_xlsx(path: Path, sheet: str | None) -> OrderTable:
    from exportscreen import xlsxcheck
    from exportscreen.xlsxpatch import check_workbook

    check_workbook(path)
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types (CalamineError, PasswordError, ZipError, XmlError)
        raise UserError(f"{path.name}: cannot read the workbook ({type(exc).__name__}: {str(exc)[:120]})") from None
    try:
        names = list(wb.sheet_names)
        if sheet is not None and sheet not in names:
            raise UserError(
                f"{path.name}: シート「{sheet}」がありません（シート: {', '.join(names)}）",
                f"{path.name}: no sheet named {sheet!r} (sheets: {', '.join(names)})",
            )
        states = xlsxcheck.sheet_states(path)
        if sheet is not None and states.get(sheet, "visible") != "visible":
            raise UserError(
                f"{path.name}: シート「{sheet}」は非表示です。判定が見えないため書き込みません（再表示してください）",
                f"{path.name}: sheet {sheet!r} is hidden; a decision there would not be seen (unhide it and try again)",
            )
        for name in [sheet] if sheet is not None else [n for n in names if states.get(n, "visible") == "visible"]:
            facts = xlsxcheck.inspect_sheet(path, name)  # before calamine reads the sheet: see xlsxcheck
            if facts is None:
                continue
            try:
                ws = wb.get_sheet_by_name(name)
            except Exception:  # chartsheets and other non-worksheets
                continue
            start = ws.start or (0, 0)
            col_offset = start[1]
            it = iter(ws.iter_rows())  # absolute rows, columns relative to the used area's first column
            head_rows = []
            for _ in range(HEADER_SCAN_ROWS):
                try:
                    head_rows.append(next(it))
                except StopIteration:
                    break
            header = find_header(head_rows, col_offset=col_offset)
            if header is None:
                continue
            table = OrderTable(path, "xlsx", name, header)
            rest = head_rows[header.row + 1 :]
            _lines(chain(rest, it), header, table, col_offset, header.row + 1)
            xlsxcheck.settle(table, facts, ws.end)
            return table
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f"{path.name}: cannot read the workbook ({type(exc).__name__}: {str(exc)[:120]})") from None
    finally:
        wb.close()
    where = f"sheet {sheet!r}" if sheet else "any sheet"
    raise UserError(
        f"{path.name}: {where} に受注表が見つかりません（仕向地・品目 の列のある見出し行が必要です）",
        f"{path.name}: no order table found in {where} (need a header row with 仕向地/Country and 品目/Item)",
    )


# --------------------------------------------------------------------------------------------------- csv
def read_csv_rows(path: Path) -> tuple[list[list[str]], str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(
            f"{path.name}: CSV の文字コードを読めません（UTF-8 か Shift_JIS にしてください）",
            f"{path.name}: cannot decode the CSV file (expected UTF-8 or Shift_JIS)",
        )
    if "\x00" in text:
        raise UserError(f"{path.name}: CSV のテキストファイルではありません", f"{path.name}: not a CSV text file")
    enc = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") or enc == "cp932" else "utf-8"
    try:
        sample = text[:8192]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)], enc


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)(\.\d+)?$")


def csv_safe(value: Any) -> str:
    """A cell as CSV text that no spreadsheet application evaluates as a formula (OWASP CSV injection):
    text starting with = + - @ TAB or CR gets a leading single quote (plain numbers like -5 are kept)."""
    s = "" if value is None else str(value)
    if s.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(s):
        return "'" + s
    return s


def write_csv(rows: list[list[Any]], out, encoding: str = "utf-8-sig") -> None:
    """Write rows (every cell made formula-safe with :func:`csv_safe`) to a binary file object."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    for row in rows:
        w.writerow([csv_safe(v) for v in row])
    out.write(buf.getvalue().encode(encoding, errors="strict"))
