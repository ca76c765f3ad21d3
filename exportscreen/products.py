"""The product master (品番マスタ / 該非判定台帳): each product's 該非判定 by part number, in dated versions.

    from exportscreen import products
    master = products.import_master("品番マスタ.xlsx", effective="2026-04-01")  # validate, store a version
    m = products.in_force(date(2026, 5, 1))      # the version in force on a line's as-of date (None: none yet)
    p = m.get("ABC-123")                         # a Product (項番, 技術該非, HS, 判定日 …) or None; m.version

A master file (xlsx or csv) has a header row (within the first 30 rows) naming its columns in Japanese or English:
品番 / Part No. / 型番 / Model (required), 品名 / Description, 該非 / 項番 (required: a 輸出令別表第一 code, or 非該当),
技術該非 (a 外為令別表 code, or 非該当; may be blank), HSコード, 判定日 (required), 判定者, 承認者, 判定根拠,
有効期限 / 見直し期限, 備考. Every row is checked with the parsers order lines use (項番 and 技術該非 against the
bundled rules, HS codes, dates as clerks write them); one 品番 appears once (compared as the lookup compares them:
width, case and spaces folded). A file with any bad row is refused whole, naming the first rows in error (Japanese
first), and the master in force stays.

Each import is a version with an effective date (``--effective``, default today); the version in force on a date
is the one with the latest effective date on or before it. A version of the same effective date with other content
is replaced only with ``replace``. Versions live in the store (:mod:`exportscreen.store`, migration 0003); each
import is recorded in the audit log (a run of kind ``product_import`` with the file's SHA-256, ``ok`` or
``failed``). A version's products are read from the store the first time a line of the process needs them (a run
without 品番 never reads them) and kept as a dict by folded 品番 (:meth:`Master.get` is one dict lookup).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Column, Date, ForeignKey, Integer, MetaData, String, Table, Text, select

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.ids import InvalidInput
from exportscreen.ids.text import cell_text

HEADER_SCAN_ROWS = 30
MAX_ROWS = 200_000  # a company's master has thousands of parts; more is not a master
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ERRORS = 20  # row errors listed when a file is refused

# column -> header names (compared folded: NFKC, case, spaces and punctuation away)
COLUMNS: dict[str, tuple[str, ...]] = {
    "part_no": ("品番", "partno", "partnumber", "型番", "model", "modelno", "modelnumber", "品番型番"),
    "name": ("品名", "description", "productname", "name"),
    "item": ("該非", "項番", "該非項番", "該非判定", "別表第一", "classification", "itemno"),
    "tech": ("技術該非", "外為令別表", "technology", "techclassification"),
    "hs": ("hsコード", "hscode", "hs", "統計品目番号"),
    "judged": ("判定日", "classifiedon", "judgementdate", "judgmentdate", "dateofclassification"),
    "judge": ("判定者", "classifiedby"),
    "approver": ("承認者", "approvedby"),
    "basis": ("判定根拠", "basis"),
    "review_by": ("有効期限", "見直し期限", "reviewby", "validuntil", "expires"),
    "note": ("備考", "note", "notes", "remarks"),
}
REQUIRED = ("part_no", "item", "judged")
LABELS = {  # (Japanese, English) header of each column, as the template and the export write them
    "part_no": ("品番", "Part No."),
    "name": ("品名", "Description"),
    "item": ("該非", "Classification"),
    "tech": ("技術該非", "Technology"),
    "hs": ("HSコード", "HS code"),
    "judged": ("判定日", "Classified on"),
    "judge": ("判定者", "Classified by"),
    "approver": ("承認者", "Approved by"),
    "basis": ("判定根拠", "Basis"),
    "review_by": ("見直し期限", "Review by"),
    "note": ("備考", "Note"),
}


def _hkey(value: Any) -> str:
    s = unicodedata.normalize("NFKC", "" if value is None else str(value)).casefold()
    return re.sub(r"[\s・、,.．。/／()（）:：_\-]", "", s)


_HEADER = {_hkey(name): col for col, names in COLUMNS.items() for name in names}


def part_key(part_no: Any) -> str:
    """A part number as looked up: NFKC (full-width → half-width), upper case, spaces removed, dashes (‐ – — −) read
    as "-" (ABC-123 = ａｂｃ－１２３ = "ABC − 123"). The text shown stays as typed."""
    if part_no.__class__ is str and part_no.isascii() and part_no.isprintable() and " " not in part_no:
        if part_no and part_no == part_no.upper():
            return part_no  # already as looked up (NFKC leaves ASCII alone, no dash to fold): most 品番 as typed
    text = cell_text(part_no) or ""
    return _DASHES.sub("-", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).upper()))


_DASHES = re.compile("[\u2010-\u2015\u2212\uff0d]")


@dataclass(frozen=True)
class Product:
    part_no: str
    item: str  # the 別表第一 code as the parser formats it (7の項(1)), or 非該当
    judged: date
    name: str | None = None
    tech: str | None = None  # the 外為令別表 code, 非該当, or None (not judged)
    hs: str | None = None  # digits
    judge: str | None = None
    approver: str | None = None
    basis: str | None = None
    review_by: date | None = None
    note: str | None = None
    row: int | None = None  # the row of the imported file

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("judged", "review_by"):
            d[k] = d[k].isoformat() if d[k] is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Product:
        """From :meth:`to_dict`'s form, freshly decoded: ``d`` becomes the product's own, its dates parsed in it (a
        master of 50,000 parts is read at the first line by 品番); a field missing (a store written before it
        existed) takes its default, any other key is refused (TypeError)."""
        if d.keys() != _PRODUCT_FIELDS:
            if not d.keys() <= _PRODUCT_FIELDS or not _REQUIRED <= d.keys():
                return cls(**d)  # not as we store it: __init__ says what is wrong (TypeError)
            d = {**_DEFAULTS, **d}
        p = object.__new__(cls)
        d["judged"] = date.fromisoformat(d["judged"])
        d["review_by"] = date.fromisoformat(d["review_by"]) if d["review_by"] else None
        object.__setattr__(p, "__dict__", d)  # (a frozen dataclass: its own __init__ sets fields this way too)
        return p


_PRODUCT_FIELDS = frozenset(f.name for f in dataclass_fields(Product))
_REQUIRED = frozenset(f.name for f in dataclass_fields(Product) if f.default is MISSING)
_DEFAULTS = {f.name: f.default for f in dataclass_fields(Product) if f.default is not MISSING}


class Classification(NamedTuple):
    """What screening needs of a product (the products table's columns of the same names): read without the rest of
    its record, which the certificate and ``products show`` read (:class:`Product`)."""

    part_no: str
    item: str
    hs: str | None
    tech: str | None
    judged: date
    review_by: date | None


CLASSIFICATION_FIELDS = Classification._fields


@dataclass(frozen=True)
class Master:
    """One version of the master: the products by folded 品番 — given, or read from the store the first time they
    are needed (``load``: a process that screens no line by 品番 never reads them)."""

    id: int
    effective: date
    source_name: str
    sha256: str
    given: dict[str, Product] | None = field(default=None, repr=False)
    count: int | None = None  # how many products (known without reading them)
    load: Callable[[], dict[str, Product]] | None = field(default=None, repr=False, compare=False)
    load_classes: Callable[[], dict[str, Classification]] | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def products(self) -> dict[str, Product]:
        if self.given is not None:
            return self.given
        assert self.load is not None
        return self.load()

    @functools.cached_property
    def version(self) -> str:
        """The version as stamped on decisions: ``品番マスタ 2026-04-01 (1234)``."""
        return f"PM {self.effective.isoformat()} ({len(self.products) if self.count is None else self.count})"

    def get(self, part_no: Any) -> Product | None:
        return self.products.get(part_key(part_no))

    @functools.cached_property
    def classes(self) -> dict[str, Classification]:
        """What screening needs of each product, by folded 品番 (the products' columns: their records are not read)."""
        if self.load_classes is None:
            fields = CLASSIFICATION_FIELDS
            return {k: Classification(*(getattr(p, f) for f in fields)) for k, p in self.products.items()}
        return self.load_classes()

    def classified(self, part_no: Any) -> Classification | None:
        """How the master classifies a 品番 (what screening needs of it), or None."""
        return self.classes.get(part_key(part_no))

    def __len__(self) -> int:
        return len(self.products)


# --- reading a file -------------------------------------------------------------------------------------
def _rows_xlsx(path: Path) -> list[list]:
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        names = list(wb.sheet_names)
    except Exception as exc:
        why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:80]}"
        raise UserError(
            f"{path.name}: Excel のブックとして読めません（{why}）",
            f"{path.name}: not a readable Excel workbook ({why})",
        ) from None
    for sheet in names:
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:
            continue
        if _find_header(rows) is not None:
            return rows
    return []


def _rows_csv(path: Path) -> list[list]:
    from exportscreen import csvfile

    with open(path, "rb") as fh:
        enc = csvfile._encoding(fh, path.name)
        for delimiter in (",", "\t", ";"):
            fh.seek(0)
            rows = list(csvfile._Reader(fh, path.name, enc).records(delimiter))
            if _find_header(rows) is not None:
                return rows
    return []


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols: dict[str, int] = {}
        for c, value in enumerate(row):
            col = _HEADER.get(_hkey(value))
            if col is not None and col not in cols:
                cols[col] = c
        if all(k in cols for k in REQUIRED):
            return r, cols
    return None


def _text(value: Any) -> str | None:
    text = cell_text(value)
    return unicodedata.normalize("NFC", text).strip() or None if text is not None else None


def parse_file(path: str | Path) -> list[Product]:
    """The products of a master file (xlsx/xlsm or csv); :class:`UserError` listing the first rows in error."""
    from exportscreen import engine, technology
    from exportscreen.ids.values import parse_date
    from exportscreen.state import rules

    path = files.check_source(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(
            f"{path.name}: {MAX_FILE_BYTES // 2**20} MB を超えます。品番マスタではないと考えられます",
            f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MB; not a product master",
        )
    rows = _rows_csv(path) if path.suffix.lower() in (".csv", ".txt") else _rows_xlsx(path)
    found = _find_header(rows)
    if found is None:
        raise UserError(
            f"{path.name}: 品番マスタの見出し（品番, 該非, 判定日）が最初の {HEADER_SCAN_ROWS} 行にありません",
            f"{path.name}: no product master header (品番 / Part No., 該非 / Classification, 判定日 / Classified on) "
            f"in the first {HEADER_SCAN_ROWS} rows",
        )
    header_row, cols = found
    r_ = rules()
    products: list[Product] = []
    seen: dict[str, int] = {}
    errors: list[tuple[str, str]] = []

    def cell(row: list, col: str) -> Any:
        c = cols.get(col)
        return row[c] if c is not None and c < len(row) else None

    for r in range(header_row + 1, len(rows)):
        row, excel_row = rows[r], r + 1
        if all(_text(v) is None for v in row):
            continue
        if len(products) + len(errors) >= MAX_ROWS:
            raise UserError(
                f"{path.name}: {MAX_ROWS:,} 行を超えます。品番マスタではないと考えられます",
                f"{path.name}: more than {MAX_ROWS:,} rows; not a product master",
            )
        row_errors: list[tuple[str, str]] = []
        part_no = _text(cell(row, "part_no"))
        if part_no is None:
            row_errors.append(("品番が空です", "the part number is empty"))
        else:
            key = part_key(part_no)
            if key in seen:
                row_errors.append(
                    (
                        f"品番 {part_no} が重複しています（{seen[key]} 行目にもあります）",
                        f"part number {part_no} is repeated (also on row {seen[key]})",
                    )  # fmt: skip
                )
            else:
                seen[key] = excel_row
        values: dict[str, Any] = {}
        for col, parse in (
            ("item", lambda v: engine._item(r_, v).format()),
            ("tech", lambda v: technology._tech_item(r_, v).format() if _text(v) is not None else None),
            ("hs", lambda v: engine._hs(r_, v)),  # as an order line's: its chapter, heading and subheading exist
            ("judged", parse_date),
            ("review_by", parse_date),
        ):
            try:
                values[col] = parse(cell(row, col))
            except InvalidInput as exc:
                if col in ("judged", "review_by"):  # named by the column, not as a ship date
                    ja, en = LABELS[col]
                    shown = _text(cell(row, col))
                    row_errors.append((f"{ja}「{shown}」を日付として読めません", f"{en} {shown!r} is not a date"))
                else:
                    row_errors.append((exc.ja, exc.en))
        if values.get("judged") is None and "judged" in values:
            row_errors.append(("判定日が空です", "the classification date (判定日) is empty"))
        if row_errors:
            errors.extend((f"{excel_row} 行目: {ja}", f"row {excel_row}: {en}") for ja, en in row_errors)
            continue
        assert part_no is not None
        products.append(
            Product(
                part_no=part_no,
                row=excel_row,
                name=_text(cell(row, "name")),
                judge=_text(cell(row, "judge")),
                approver=_text(cell(row, "approver")),
                basis=_text(cell(row, "basis")),
                note=_text(cell(row, "note")),
                **values,
            )
        )
    if errors:
        first = errors[:MAX_ERRORS]
        more_ja = f"\n  … ほか {len(errors) - len(first)} 件" if len(errors) > len(first) else ""
        more_en = f"\n  … and {len(errors) - len(first)} more" if len(errors) > len(first) else ""
        raise UserError(
            f"{path.name}: {len(errors)} 件の誤りがあるため取り込みませんでした（品番マスタは変わりません）\n  "
            + "\n  ".join(ja for ja, _ in first)
            + more_ja,
            f"{path.name}: not imported, {len(errors)} errors (the master in force is unchanged)\n  "
            + "\n  ".join(en for _, en in first)
            + more_en,
        )
    if not products:
        raise UserError(
            f"{path.name}: 見出しは {header_row + 1} 行目にありますが、品番の行がありません",
            f"{path.name}: the header is on row {header_row + 1} but no product follows",
        )
    return products


# --- the store ------------------------------------------------------------------------------------------
metadata = MetaData()
versions_t = Table(
    "product_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("effective", Date, nullable=False, unique=True),
    Column("source_name", Text),
    Column("sha256", String(64)),  # of the imported file
    Column("content_sha256", String(64), nullable=False),  # of the products as stored
    Column("n_products", Integer, nullable=False),
    Column("imported", String(40), nullable=False),  # UTC
    Column("imported_by", String(255)),
)
products_t = Table(
    "products",
    metadata,
    Column("version_id", Integer, ForeignKey("product_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("part_key", String(255), primary_key=True),
    Column("data", Text, nullable=False),  # Product.to_dict() as JSON
    # what screening reads (Master.classified), from the record: the 判定日 and 見直し期限 as ISO dates
    Column("part_no", Text),
    Column("item", String(64)),
    Column("hs", String(16)),
    Column("tech", String(64)),
    Column("judged", String(10)),
    Column("review_by", String(10)),
)


def _content_sha(products: list[Product]) -> str:
    h = hashlib.sha256()
    for p in sorted(products, key=lambda p: part_key(p.part_no)):
        d = p.to_dict()
        d.pop("row")
        h.update(json.dumps(d, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")
    return h.hexdigest()


def _store(home=None):
    from exportscreen.store import open_store

    return open_store(home=home)


def import_master(path, effective=None, replace: bool = False, home=None) -> Master:
    """Validate a master file and store it as the version effective from ``effective`` (default today). Nothing is
    stored when anything is wrong. Recorded in the audit log (kind ``product_import``)."""
    from exportscreen.audit import _user, default_url, open_log, utcnow

    path = files.check_source(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    log = open_log(None if home is None else default_url(home))
    with log.run(kind="product_import", file=path, file_sha256=digest):
        eff = _as_date(effective) or date.today()
        products = parse_file(path)
        content = _content_sha(products)
        st = _store(home)
        with st.write() as conn:
            old = conn.execute(
                select(versions_t.c.id, versions_t.c.content_sha256, versions_t.c.n_products).where(
                    versions_t.c.effective == eff
                )
            ).first()
            if old is not None and old.content_sha256 != content and not replace:
                raise UserError(
                    f"{eff} から適用の品番マスタは取込済みで、内容が違います（{old.n_products} → {len(products)} 件）。"
                    "置き換えるときは --replace を付けてください",
                    f"a product master effective {eff} is already stored with different content "
                    f"({old.n_products} → {len(products)} products); give --replace to replace it",
                )
            if old is not None:
                conn.execute(products_t.delete().where(products_t.c.version_id == old.id))
                conn.execute(versions_t.delete().where(versions_t.c.id == old.id))
            vid = conn.execute(
                versions_t.insert()
                .values(
                    effective=eff,
                    source_name=path.name,
                    sha256=digest,
                    content_sha256=content,
                    n_products=len(products),
                    imported=utcnow(),
                    imported_by=_user(),
                )
                .returning(versions_t.c.id)
            ).scalar_one()
            rows = [
                {
                    "version_id": vid,
                    "part_key": part_key(p.part_no),
                    "data": json.dumps(d, ensure_ascii=False),
                    **{c: d[c] for c in CLASSIFICATION_FIELDS},
                }
                for p in products
                for d in (p.to_dict(),)
            ]
            for i in range(0, len(rows), 5000):
                conn.execute(products_t.insert(), rows[i : i + 5000])
    from exportscreen import state

    state.reset_rules()  # the rules in use carry the masters (Rules.with_products)
    return Master(vid, eff, path.name, digest, {part_key(p.part_no): p for p in products})


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    from exportscreen.commands import parse_date

    return parse_date(str(value), "--effective")


@dataclass(frozen=True)
class VersionInfo:
    id: int
    effective: date
    source_name: str
    sha256: str
    content_sha256: str
    n_products: int
    imported: str
    imported_by: str | None


def versions(home=None) -> list[VersionInfo]:
    """The stored versions, oldest effective date first."""
    with _store(home).read() as conn:
        rows = conn.execute(select(versions_t).order_by(versions_t.c.effective)).all()
    return [VersionInfo(**r._mapping) for r in rows]


_masters: dict[tuple[str, int, str], Master] = {}  # (store URL, version id, content hash) -> the version
_masters_lock = threading.Lock()


def load(info: VersionInfo, home=None) -> Master:
    """One version with its products (read from the store once per process)."""
    st = _store(home)
    key = (st.url, info.id, info.content_sha256)
    with _masters_lock:
        m = _masters.get(key)
    if m is None:

        def read() -> dict[str, Product]:
            with st.read() as conn:  # one read transaction: the version as this process knows it, and its products
                _check_not_replaced(conn, info)
                rows = conn.execute(
                    select(products_t.c.part_key, products_t.c.data).where(products_t.c.version_id == info.id)
                ).all()
            data = json.loads("[" + ",".join(d for _k, d in rows) + "]")  # one decode, not one per product
            return {k: Product.from_dict(d) for (k, _d), d in zip(rows, data)}

        def read_classes() -> dict[str, Classification]:
            cols = [products_t.c[f] for f in CLASSIFICATION_FIELDS]
            with st.read() as conn:
                _check_not_replaced(conn, info)
                rows = conn.execute(
                    select(products_t.c.part_key, *cols).where(products_t.c.version_id == info.id)
                ).all()
            # A master has few distinct codes and dates: one object each (a date parsed once; a code's hash worked
            # out once, and the engine's memo keys made of them compared by identity).
            days: dict[str, date] = {}
            codes: dict[str | None, str | None] = {}

            def day(text: str | None) -> date | None:
                if text is None:
                    return None
                d = days.get(text)
                if d is None:
                    d = days[text] = date.fromisoformat(text)
                return d

            one, new = codes.setdefault, tuple.__new__
            return {
                k: new(
                    Classification,
                    (
                        part_no,
                        one(item, item),
                        one(hs, hs),
                        one(tech, tech),
                        day(judged),
                        day(review_by),
                    ),
                )
                for k, part_no, item, hs, tech, judged, review_by in rows
            }

        m = Master(
            info.id,
            info.effective,
            info.source_name,
            info.sha256,
            count=info.n_products,
            load=read,
            load_classes=read_classes,
        )
        with _masters_lock:
            if len(_masters) >= 16:
                _masters.clear()
            _masters[key] = m
    return m


def _check_not_replaced(conn, info: VersionInfo) -> None:
    """Refuses a version replaced (--replace) since this process read the list of versions."""
    same = versions_t.c.content_sha256 == info.content_sha256
    if conn.execute(select(versions_t.c.id).where(versions_t.c.id == info.id, same)).first() is None:
        raise UserError(
            f"品番マスタ PM {info.effective}（{info.n_products}）は置き換えられました。もう一度実行してください",
            f"product master PM {info.effective} ({info.n_products}) was replaced; run again",
        )


def load_all(home=None) -> list[Master]:
    """Every stored version (what the rules carry to the engine: :meth:`exportscreen.rules.Rules.with_products`)."""
    return [load(v, home) for v in versions(home)]


def in_force(as_of: date, home=None) -> Master | None:
    """The version in force on ``as_of`` (latest effective date on or before it); None when there is none."""
    best = None
    for v in versions(home):
        if v.effective <= as_of:
            best = v
    return load(best, home) if best is not None else None


def lookup(part_no: Any, as_of: date, home=None) -> Product | None:
    m = in_force(as_of, home)
    return m.get(part_no) if m is not None else None


def export(out: str | Path, as_of: date | None = None, home=None) -> Master:
    """Write the version in force on ``as_of`` (default today) as a workbook in the template's layout."""
    m = in_force(as_of or date.today(), home)
    if m is None:
        raise UserError(
            "品番マスタは取り込まれていません（exportscreen products import FILE）",
            "no product master imported (exportscreen products import FILE)",
        )
    from openpyxl import load_workbook

    from exportscreen.audit_export import put
    from exportscreen.ids.hs_code import format_hs
    from exportscreen.state import data_dir

    wb = load_workbook(data_dir("workbook_templates") / "product_master.xlsx")
    ws = wb["品番マスタ"]
    cols = list(LABELS)
    for r, p in enumerate(sorted(m.products.values(), key=lambda p: part_key(p.part_no)), start=2):
        d = p.to_dict()
        for c, col in enumerate(cols, start=1):
            v = d.get(col)
            if col in ("judged", "review_by") and v:
                v = date.fromisoformat(v)
            elif col == "hs" and v:
                v = format_hs(v)
            put(ws.cell(r, c), v, "yyyy-mm-dd" if col in ("judged", "review_by") else None)  # data, never a formula
    files.atomic_write(out, wb.save)
    return m
