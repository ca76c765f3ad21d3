"""Order tables in workbooks and CSV files: find the header row, map its columns, list the order lines.

Reading only — writing goes through :mod:`exportscreen.xlsxpatch` (xlsx/xlsm) or :mod:`exportscreen.csvfile`
(which also reads csv files). Coordinates are 0-based (row, col), like python-calamine's.

Public API: :data:`FIELDS`, :func:`normalize_header`, :func:`match_column`, :func:`find_header`,
:func:`read_order_table`, :func:`lines_of`, :class:`Header`, :class:`OrderLine`, :class:`OrderTable`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from exportscreen.engine import ORDER_FIELDS
from exportscreen.errors import UserError
from exportscreen.model import Money
from exportscreen.technology import TECH_FIELDS

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
        "shipto",
        "仕向先",
        "仕向け先",
    ),
    # 最終仕向地: screened as well as the destination when it is another country (transit, re-export)
    "final_destination": (
        "最終仕向地",
        "最終仕向国",
        "最終仕向け地",
        "最終仕向け国",
        "最終仕向先",
        "最終目的地",
        "最終目的国",
        "finaldestination",
        "finaldestinationcountry",
        "countryoffinaldestination",
        "ultimatedestination",
        "ultimatedestinationcountry",
        "countryofultimatedestination",
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
    "end_user": ("需要者", "エンドユーザー", "enduser", "consignee", "荷受人", "荷受け人", "荷受主"),
    # 最終需要者: checked against the End User List as well as the end user / consignee
    "final_end_user": (
        "最終需要者",
        "最終ユーザー",
        "最終エンドユーザー",
        "最終使用者",
        "finalenduser",
        "ultimateenduser",
        "ultimateconsignee",
    ),
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
        "案件番号",  # the technology template's (a provision is a case, not an order)
        "案件no",
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
    # the line's other identifying columns, kept in the audit record (品番 is an engine field too: the 品番マスタ)
    "part_no": ("品番", "型番", "型式", "部品番号", "製品番号", "partno", "partnumber", "modelno", "model"),
    "item_name": ("品名", "製品名", "商品名", "品目名称", "productname", "product", "description", "goods"),
    "quantity": ("数量", "個数", "台数", "qty", "quantity"),
    # a unit price (its line's value with 数量) and a currency column: how a value not in yen is read
    "unit_price": ("単価", "販売単価", "unitprice", "priceperunit", "unitvalue"),
    "currency": ("通貨", "通貨単位", "通貨コード", "currency", "currencycode", "ccy"),
    # a technology line's own columns (TECH_COLUMNS): 取引区分, then the facts of a provision of technology
    "kind": ("取引区分", "区分", "取引種別", "kind", "transactionkind", "transactiontype"),
    "tech_country": ("提供先の国", "提供先国", "提供国", "recipientcountry", "countryofprovision", "provisioncountry"),
    "recipient": ("提供先", "受領者", "recipient"),
    "residency": ("居住性", "居住者区分", "residency"),
    "specific_type": ("特定類型", "specifictype"),
    "influence_country": ("影響国", "影響を及ぼす国", "influencecountry", "influencingcountry"),
    "tech_item": ("技術の項番", "技術項番", "技術の該非", "技術該非", "technologyitem", "technologyclassification"),
    "method": ("提供方法", "method", "provisionmethod", "methodofprovision"),
    "exemption": ("例外", "適用除外", "exemption"),
    "critical_tech": ("重要管理対象技術", "criticaltechnology", "criticaltech"),
    "purpose": ("海外生産", "海外製造", "目的", "overseasproduction", "purpose"),
    "report_date": ("報告日", "事前報告日", "reportdate", "reportedon"),
    "provision_date": ("提供日", "provisiondate"),
    "tech_part_no": ("技術番号", "技術no", "technologyno", "technologynumber"),  # a technology line's 品番マスタ key
}
# the columns that name a line (注文番号 …, 品名, 数量): every one found is kept as found in the audit record (a 品番
# column is an input, part_no, recorded as one)
REF_FIELDS = ("order_no", "item_name", "quantity")
_LOOKUP = {alias: f for f, names in ALIASES.items() for alias in names}
_BRACKETS = re.compile(r"[(\[][^()\[\]]*[)\]]")
VALUE_FIELDS = ("value_jpy", "unit_price")  # columns whose header may name a unit: 金額(USD), 単価（ドル）
# Two columns for one of these fields are refused, never one picked silently (unit_price and quantity: when the
# value is read from them).
CLASH_HINTS = {
    "country": ("最終仕向地", "final destination"),
    "end_user": ("最終需要者", "final end user"),
}
# A technology line's fields (TECH_FIELDS, the engine's argument order) -> the columns read for each: its own,
# else the goods column of the same fact (one 仕向地 column for both kinds, 需要者 as the recipient, 出荷日 as 提供日).
_TECH_OWN = {
    "country": ("tech_country", "country"),
    "recipient": ("recipient", "end_user"),
    "item": ("tech_item", "item"),
    "provision_date": ("provision_date", "ship_date"),
    "part_no": ("tech_part_no", "part_no"),
}
TECH_COLUMNS = {f: _TECH_OWN.get(f, (f,)) for f in TECH_FIELDS}
# the columns only a technology line has: a line with 取引区分 blank (or no 取引区分 column) that fills one of them is
# a technology line (screened as goods its facts would be ignored)
TECH_ONLY: tuple[str, ...] = ("tech_country", "recipient", "residency", "specific_type", "influence_country")
TECH_ONLY += ("tech_item", "method", "exemption", "critical_tech", "purpose", "report_date", "provision_date")
TECH_ONLY += ("tech_part_no",)
KIND_WORDS = {  # 取引区分 cells (after normalize_header)
    **dict.fromkeys(("貨物", "物品", "goods", "product", "products"), "goods"),
    **dict.fromkeys(("技術", "役務", "技術提供", "技術の提供", "役務取引", "technology", "tech"), "technology"),
    **dict.fromkeys(("service", "services"), "technology"),
}
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
    return _value_with_unit(base)[0]


def _value_with_unit(base: str) -> tuple[str | None, str | None]:
    """(value field, unit text) of a value header written with its unit outside brackets: 金額USD, Value_EUR,
    USD Amount, Value in USD, 単価ドル; (None, None) otherwise."""
    from exportscreen.ids.values import unit_of

    flat = base.replace("_", "").replace("-", "").replace(".", "")
    for n in range(1, min(len(flat), 8)):
        for rest, unit in ((flat[:-n], flat[-n:]), (flat[n:], flat[:n])):
            rest = rest.removesuffix("in")
            # outside brackets only a unit we know by name (Amount due is no currency DUE)
            if _LOOKUP.get(rest) in VALUE_FIELDS and unit_of(unit) is not None and not _CODE_ONLY.fullmatch(unit):
                return _LOOKUP[rest], unit
    return None, None


_CODE_ONLY = re.compile(r"(?!usd|eur|jpy|cny|gbp|krw|hkd|sgd|twd|aud|cad|chf|thb|rmb)[a-z]{3}")


def header_unit(text: Any) -> str | None:
    """The unit a value header names, as written (USD in 金額(USD), 千円 in 金額（千円）, ドル in 単価ドル), when it
    is not plain yen; None for 金額, 金額(円), 金額（税込）."""
    from exportscreen.ids.values import unit_of

    h = normalize_header(text)
    base = _BRACKETS.sub("", h).strip("・:：-_")
    units = [m[1:-1] for m in _BRACKETS.findall(h)]
    if not units and _LOOKUP.get(base) is None:
        units = [u for u in _value_with_unit(base)[1:] if u]
    for unit in units:
        named = unit_of(unit)
        if named is not None:
            return None if named == ("JPY", 1.0) else unit
    return None


QUANTITY_HEADER_UNITS = {"台数": "台", "個数": "個"}  # a 数量 header that names its unit by its word


def quantity_unit(text: Any) -> str | None:
    """The unit a 数量 header names: in brackets (数量（台）, Qty (kg)), or by its word (台数, 個数); None for 数量."""
    h = normalize_header(text)
    units = [m[1:-1].strip() for m in _BRACKETS.findall(h)]
    return next((u for u in units if u), None) or QUANTITY_HEADER_UNITS.get(_BRACKETS.sub("", h))


class ColumnClash(UserError):
    """Two columns of the header row name one field: which one to screen cannot be chosen silently."""


@dataclass
class Header:
    row: int  # 0-based row of the header
    columns: dict[str, int]  # field (FIELDS + decision/reason) -> 0-based column
    last_col: int  # last used column of the header row
    # every identifying column (REF_FIELDS) in column order: (0-based column, field, header text as found)
    refs: list[tuple[int, str, str]] = field(default_factory=list)
    unit: str | None = None  # the unit the value column's header names (USD, 千円 …), unless plain yen
    per_unit: bool = False  # the value column is a unit price (単価): the line's value is it times 数量
    free: list[int] = field(default_factory=list)  # columns for a missing 判定/理由 (xlsxcheck.settle)

    @property
    def order_ref(self) -> int | None:
        """Which of a line's refs is its order number (the first order number column), if any."""
        return next((i for i, (_c, f, _h) in enumerate(self.refs) if f == "order_no"), None)

    @property
    def quantity_ref(self) -> int | None:
        """Which of a line's refs is its 数量 (the first 数量 column), if any."""
        return next((i for i, (_c, f, _h) in enumerate(self.refs) if f == "quantity"), None)

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
    """The first row (within ``max_rows``) that names at least the country (or final destination) and item
    columns. Two columns of that row for one screened field (two 仕向地, Ship to and Destination, 需要者 and
    Consignee …) raise :class:`ColumnClash` naming both: none is picked silently."""
    for r, row in enumerate(rows):
        if r >= max_rows:
            break
        cols: dict[str, int] = {}
        found: dict[str, list[tuple[int, str]]] = {}
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
                if f:
                    found.setdefault(f, []).append((c + col_offset, " ".join(v.split())))
                if f in REF_FIELDS:
                    refs.append((c + col_offset, f, " ".join(v.split())))
        if "country" not in cols and "final_destination" in cols:  # the only destination given
            cols["country"] = cols.pop("final_destination")
            found["country"] = found.pop("final_destination")
        for goods, tech in (("country", "tech_country"), ("item", "tech_item")):  # a technology-only table
            if goods not in cols and tech in cols:
                cols[goods], found[goods] = cols[tech], found[tech]
        # 品番 (技術番号): the 品番マスタ gives the goods (the technology's code)
        if "country" in cols and ("item" in cols or "part_no" in cols or "tech_part_no" in cols):
            return _checked(Header(r, cols, last, refs), found)
    return None


def _checked(header: Header, found: dict[str, list[tuple[int, str]]]) -> Header:
    """The header with its value column's unit (and a unit price times 数量 as the value when there is no 金額),
    after refusing two columns for one screened field."""
    cols = header.columns
    if "value_jpy" not in cols and "unit_price" in cols and "quantity" in cols:
        cols["value_jpy"] = cols["unit_price"]
        found["value_jpy"] = found["unit_price"]
        header.per_unit = True
    checked = [*FIELDS, "currency", *(("quantity",) if header.per_unit else ()), "kind", *TECH_ONLY]
    for f in checked:
        both = found.get(f, [])
        if len(both) > 1:
            raise _clash(f, both[:2])
    if "value_jpy" in cols:
        header.unit = header_unit(found["value_jpy"][0][1])
    return header


FIELD_NAMES = {
    "country": ("仕向地", "destination"),
    "final_destination": ("最終仕向地", "final destination"),
    "item": ("品目", "item"),
    "hs": ("HSコード", "HS code"),
    "end_user": ("需要者", "end user"),
    "final_end_user": ("最終需要者", "final end user"),
    "end_use": ("用途", "end use"),
    "inform": ("インフォーム", "inform"),
    "value_jpy": ("金額", "value"),
    "ship_date": ("出荷日", "ship date"),
    "currency": ("通貨", "currency"),
    "quantity": ("数量", "quantity"),
    "kind": ("取引区分", "kind of transaction"),
    "tech_country": ("提供先の国", "recipient's country"),
    "recipient": ("提供先", "recipient"),
    "residency": ("居住性", "residency"),
    "specific_type": ("特定類型", "specific type"),
    "influence_country": ("影響国", "influencing country"),
    "tech_item": ("技術の項番", "technology classification"),
    "method": ("提供方法", "method of provision"),
    "exemption": ("例外", "exemption"),
    "critical_tech": ("重要管理対象技術", "critical technology"),
    "purpose": ("海外生産", "overseas production"),
    "report_date": ("報告日", "report date"),
    "provision_date": ("提供日", "provision date"),
    "tech_part_no": ("技術番号", "technology number"),
}


def _clash(f: str, both: list[tuple[int, str]]) -> ColumnClash:
    from exportscreen.xlsxpatch import col_letter

    (c1, h1), (c2, h2) = both
    ja, en = FIELD_NAMES[f]
    hint_ja, hint_en = CLASH_HINTS.get(f, ("", ""))
    return ColumnClash(
        f"列 {col_letter(c1)}「{h1}」と列 {col_letter(c2)}「{h2}」がどちらも{ja}の列です。"
        + "どちらで判定するか決められません"
        + (f"（一方が{hint_ja}なら見出しを「{hint_ja}」にしてください。両方を判定します）" if hint_ja else ""),
        f"columns {col_letter(c1)} ({h1}) and {col_letter(c2)} ({h2}) both give the {en}: cannot choose which to "
        + "screen"
        + (f" (if one is the {hint_en}, head it '{hint_ja}' and both are screened)" if hint_en else ""),
    )


@dataclass(frozen=True, slots=True)
class OrderLine:
    row: int  # 0-based worksheet row
    values: tuple  # aligned with FIELDS, raw cell values (None when empty / column absent)
    refs: tuple | None = None  # the identifying cells (Header.refs), as found; None when the table has none
    # a technology line: its cells aligned with TECH_FIELDS; a str: a 取引区分 that is neither (as written); None: goods
    tech: tuple | str | None = None

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
    csv: Any = None  # csv: how it was read and where its records end (csvfile.CsvSource), for writing back

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


def _lines(
    rows: Iterator[list[Any]],
    header: Header,
    table: OrderTable,
    col_offset: int,
    first_row: int,
    cells: _Cells | None = None,
) -> None:
    idx = [header.columns.get(f) for f in FIELDS]
    idx = [None if c is None else c - col_offset for c in idx]
    shifted = Header(header.row, {k: v - col_offset for k, v in header.columns.items()}, header.last_col)
    # The usual line, fast: its fields picked in one go (an absent column reads the None appended to the row),
    # texts looked up in `cells`, and a country or item that is not a totals word: neither blank nor a totals row.
    tech_of = _tech_reader(header, col_offset)  # None: a table of goods only
    fast = tech_of is None and all(c is None or c >= 0 for c in idx) and FIELDS[:2] == ("country", "item")
    pick = itemgetter(*[-1 if c is None else c for c in idx])
    if cells is None:  # one per call, unless the caller keeps one across batches of rows (see _xlsx_lines)
        cells = _Cells({None: None})
    value = cells.__getitem__
    intern = cells.setdefault  # one object per distinct text: big sheets repeat countries, items, users
    pad = [None]
    lines = table.lines
    rc = [c - col_offset for c, _f, _h in header.refs if c >= col_offset]
    pick_refs = itemgetter(*rc) if len(rc) > 1 else (lambda row: (row[rc[0]],)) if rc else None
    money = money_of(header, col_offset)
    for r, row in enumerate(rows, start=first_row):
        if fast:
            try:
                vals = tuple(map(value, pick(row + pad)))
            except (IndexError, TypeError):  # a short row, an unhashable value
                pass
            else:
                if money is not None:
                    vals = money(vals, row)
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
        tech = None if tech_of is None else tech_of(row)
        if tech is None and all(v is None for v in vals):
            # only decision/reason or unrelated columns filled in: nothing to screen
            table.blank_rows += 1
            continue
        if money is not None:
            vals = money(vals, row)
        lines.append(OrderLine(r, vals, None if pick_refs is None else _refs(row, rc), tech))


def _tech_reader(header: Header, col_offset: int) -> Callable[[list], tuple | str | None] | None:
    """For a table with a 取引区分 column or a technology-only column, the function that tells a row's kind: None
    for goods (or a row that gives nothing but its 取引区分), its cells aligned with TECH_FIELDS for technology, the
    取引区分 text when it names neither; None for a table of goods only."""
    cols = header.columns
    if "kind" not in cols and not any(f in cols for f in TECH_ONLY):
        return None

    def at(f: str) -> int | None:
        c = cols.get(f)
        return None if c is None or c < col_offset else c - col_offset

    kind_col = at("kind")
    tech_cols = [[c for c in map(at, fs) if c is not None] for fs in TECH_COLUMNS.values()]  # the first one filled
    only = [c for c in map(at, TECH_ONLY) if c is not None]

    def cell(row: list, c: int | None) -> Any:
        return None if c is None or c >= len(row) or _empty(row[c]) else row[c]

    def tech_of(row: list) -> tuple | str | None:
        kind = cell(row, kind_col)
        if kind is None:
            if all(cell(row, c) is None for c in only):
                return None
        else:
            word = KIND_WORDS.get(normalize_header(kind))
            if word == "goods":
                return None
            if word is None:
                return cell_text(kind)
        vals = tuple(next((v for c in cs if (v := cell(row, c)) is not None), None) for cs in tech_cols)
        return None if all(v is None for v in vals) else vals

    return tech_of


def used_columns(header: Header) -> dict[int, str]:
    """The columns a line's decision depends on (column -> field), for tables that are not files (the Python API,
    =SCREEN_TABLE): the screened fields, the currency, for a unit price 数量, and a technology line's (取引区分 and
    the technology-only columns)."""
    fields = (*FIELDS, "currency", *(("quantity",) if header.per_unit else ()), "kind", *TECH_ONLY)
    return {header.columns[f]: f for f in fields if f in header.columns}


def lines_of(rows: Iterable[list[Any]], header: Header) -> OrderTable:
    """The order lines of ``rows`` (the cells of the rows below ``header``, numbered from 0), read as a workbook's
    are: blank and totals rows skipped, a value not in yen as :class:`~exportscreen.model.Money`. For tables that are
    not files (the Python API, :mod:`exportscreen.api`)."""
    table = OrderTable(Path(), "rows", None, header)
    _lines(iter(rows), header, table, 0, 0)
    return table


_VALUE = FIELDS.index("value_jpy")


def money_of(header: Header, col_offset: int = 0) -> Callable[[tuple, list], tuple] | None:
    """For a table whose value is not plain yen — its header names a unit (金額(USD), 金額（千円）), it is a unit
    price (単価 with 数量), or a 通貨 column gives each line's currency —, the function that turns a line's values
    (aligned with FIELDS) into the same with the value as a :class:`~exportscreen.model.Money` (read by the
    engine with the run's rates); None for a plain yen column (values as they are)."""
    cols = header.columns
    cur = cols.get("currency")
    qty = cols.get("quantity") if header.per_unit else None
    if header.unit is None and not header.per_unit and cur is None:
        return None
    cur = None if cur is None or cur < col_offset else cur - col_offset
    qty = None if qty is None or qty < col_offset else qty - col_offset

    def money(vals: tuple, row: list) -> tuple:
        amount = vals[_VALUE]
        if amount is None:
            return vals
        unit = header.unit
        if cur is not None and cur < len(row) and not _empty(row[cur]):
            unit = str(row[cur]).strip()
        quantity = row[qty] if qty is not None and qty < len(row) and not _empty(row[qty]) else None
        return (*vals[:_VALUE], Money(amount, unit, quantity, header.per_unit), *vals[_VALUE + 1 :])

    return money


XLSX_BATCH = 4096  # rows made into lines at a time
XLSX_TEXTS = 100_000  # distinct texts kept across batches (one object each), then forgotten


def _xlsx_lines(reader, rows: Iterator[list[Any]], table: OrderTable) -> Iterator[OrderLine]:
    """The order lines of a worksheet's ``rows`` (those after the header), a batch at a time, with what the
    sheet's facts tell about them (xlsxcheck.LineFacts); once read, where 判定/理由 go (xlsxcheck.settle). A
    :class:`~exportscreen.csvfile.StreamedLines` in ``table.lines`` counts them."""
    from exportscreen import xlsxcheck

    header = table.header
    part = OrderTable(table.path, "xlsx", table.sheet, header, total_rows=table.total_rows)
    facts = xlsxcheck.LineFacts(table, reader.facts)
    streamed: Any = None if isinstance(table.lines, list) else table.lines  # set before the first line is asked
    r, last = header.row + 1, header.row
    cells = _Cells({None: None})
    while batch := list(islice(rows, XLSX_BATCH)):
        if len(cells) > XLSX_TEXTS:  # the texts of the batches before (order numbers are all different)
            cells = _Cells({None: None})
        _lines(iter(batch), header, part, 0, r, cells)
        r += len(batch)
        lines = facts.add(part.lines, r, part)
        part.lines = []
        if lines:
            last = lines[-1].row
            if streamed is not None:
                streamed.count += len(lines)
            yield from lines
    lines = facts.add([], None, part)  # lines of formulas without a cached value past the last row read
    if lines:
        last = lines[-1].row
        if streamed is not None:
            streamed.count += len(lines)
        yield from lines
    table.blank_rows = part.blank_rows
    xlsxcheck.settle(table, reader.facts, reader.end_col, last)


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


def read_order_table(
    path: str | Path, sheet: str | None = None, kind: str | None = None, stream: bool = False
) -> OrderTable:
    """Find the order table in an xlsx/xlsm (python-calamine) or csv file. ``kind`` ("xlsx" or "csv")
    defaults to what the file name says. ``stream``: a csv file's lines are read while they are iterated
    (:class:`exportscreen.csvfile.StreamedLines`), not kept."""
    path = Path(path)
    if kind is None:
        kind = "csv" if path.suffix.lower() in (".csv", ".txt") else "xlsx"
    try:
        if kind == "csv":
            if not path.is_file():
                raise UserError(f"{path.name}: ファイルが見つかりません", f"{path.name}: file not found")
            from exportscreen import csvfile

            return csvfile.read_table(path, stream)
        return _read_xlsx(path, sheet, stream)
    except ColumnClash as exc:
        raise UserError(f"{path.name}: {exc.ja}", f"{path.name}: {exc.en}") from None


def _read_xlsx(path: Path, sheet: str | None, stream: bool) -> OrderTable:
    from exportscreen import xlsxcheck
    from exportscreen.xlsxpatch import check_workbook

    check_workbook(path)
    xlsxcheck.check_shared_strings(path)  # before python-calamine reads them all
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
            reader = xlsxcheck.open_sheet(path, name)  # checked and read a chunk at a time: see xlsxcheck
            if reader is None:
                continue
            rows = reader.rows()  # every row from row 0, cells from column A
            head_rows = list(islice(rows, HEADER_SCAN_ROWS))
            header = find_header(head_rows)
            if header is None:
                rows.close()
                continue
            table = OrderTable(path, "xlsx", name, header)
            lines = _xlsx_lines(reader, chain(head_rows[header.row + 1 :], rows), table)
            if stream:
                from exportscreen.csvfile import StreamedLines

                table.lines = StreamedLines(lines)  # type: ignore[assignment]
            else:
                table.lines = list(lines)
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
