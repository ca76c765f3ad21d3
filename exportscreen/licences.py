"""The licence register (許可台帳): individual and bulk export licences, kept in the store as dated versions.

``exportscreen licences import FILE`` reads a register (the template ``workbook_templates/licence_register.xlsx``,
or a csv with the same header), validates every row — 項番 (of 輸出令別表第一 for 対象 貨物, of 外為令別表 for 技術),
countries and dates through the parsers order and technology lines use; an individual goods licence's validity
against 輸出令8条1項 (six months from grant unless the register says it was extended, 8条2項; 外為令 fixes
none for a 役務取引許可, facts §C: not checked); a 一般包括 licence's destinations against 輸出令別表第三 and a
特別一般包括 licence's against 別表第三の二・第四, on the dated lists — and stores it whole as the version effective
from ``--date`` (default today), or refuses it whole, naming every bad row. The engine is given the versions with
:meth:`Rules.with_licences`; which licence covers a line is decided by :func:`exportscreen.licensing.apply`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select

from exportscreen import files
from exportscreen.errors import UserError
from exportscreen.ids import InvalidInput, item_no
from exportscreen.ids.text import cell_text, fold

# 種類 as the register names it -> the kind's key. 個別 is the individual licence (輸出令8条); the others are the
# five 包括許可 of the 包括許可取扱要領.
KINDS = {
    "個別": "individual",
    "一般包括": "general",
    "特別一般包括": "special_general",
    "特定包括": "specific",
    "特別返品等包括": "special_return",
    "特定子会社包括": "subsidiary",
}
KIND_NAMES = {v: k for k, v in KINDS.items()}
TARGETS = {"貨物": "goods", "技術": "technology"}
NAMED_PARTY_KINDS = ("individual", "specific")  # must name the end user / consignee
# Destination groups a register may name instead of countries: 別表第三 (グループA) for 一般包括, 全地域 for
# 特別一般包括 (every destination but 別表第三の二・第四 on the ship date).
GROUPS = {"別表第三": "group_a", "グループa": "group_a", "全地域": "all", "全仕向地": "all"}
GROUP_NAMES = {"group_a": "別表第三", "all": "全地域"}
INDIVIDUAL_MONTHS = 6  # 輸出令8条1項
BULK_YEARS = 3  # 一般・特別一般包括 (facts §C [S]; other types [U]: not checked)
MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ERRORS_SHOWN = 20

# The columns: key -> header names (folded: NFKC, case, spaces and ・／ removed). 許可番号 … 備考 as issue 15 §1 lists.
COLUMNS = {
    "no": ("許可番号", "licenceno", "licenseno"),
    "kind": ("種類", "許可の種類", "type"),
    "target": ("対象", "target"),
    "granted": ("許可日", "granted"),
    "expires": ("有効期限", "expires", "expiry"),
    "extended": ("延長", "期間延長", "有効期間延長", "extended"),
    "countries": ("仕向地", "destination", "destinations"),
    "parties": ("需要者荷受人", "需要者", "荷受人", "enduser", "endusers"),
    "items": ("項番", "items"),
    "product": ("品名", "product"),
    "parts": ("品番", "partno", "parts"),
    "quantity": ("数量上限", "数量", "quantity"),
    "quantity_unit": ("数量単位", "単位", "unit"),
    "value": ("金額上限", "金額", "value"),
    "currency": ("通貨", "currency"),
    "conditions": ("条件", "conditions"),
    "notes": ("備考", "notes"),
}
HEADERS = {key: names[0] for key, names in COLUMNS.items()}  # the template's header row
HEADERS["parties"] = "需要者・荷受人"
REQUIRED = ("no", "kind", "target", "granted", "expires", "items")
_LIST_SPLIT = re.compile(r"[、,，;；\n]+")
_PARTY_SPLIT = re.compile(r"[、;；\n]+")  # not the comma: "ABC Co., Ltd." is one name
_RANGE = re.compile(r"^(?P<a>.+?)\s*[～〜~]\s*(?P<b>.+)$")
YES = {"○", "〇", "◯", "有", "あり", "済", "延長", "yes", "y", "true", "1"}


def _hkey(value: Any) -> str:
    return re.sub(r"[\s・／/()（）]", "", unicodedata.normalize("NFKC", "" if value is None else str(value)).casefold())


_HEADER_KEYS = {_hkey(name): key for key, names in COLUMNS.items() for name in names}


@dataclass(frozen=True)
class ItemRange:
    """The 項番 a licence covers: a whole 項 (``sub`` None), one sub-item, or sub-items ``sub``..``last``."""

    kou: str
    sub: str | None = None
    last: str | None = None

    def covers(self, code: item_no.ItemCode) -> bool:
        if code.kou != self.kou:
            return False
        if self.sub is None:
            return True
        if code.sub is None:  # the line gives the 項 only: it may be any of its sub-items
            return False
        if self.last is None:
            return code.sub == self.sub
        return _sub_key(self.sub) <= _sub_key(code.sub) <= _sub_key(self.last)

    def format(self) -> str:
        kou = item_no.ItemCode(self.kou, self.sub, "").format()
        return kou + (f"～({self.last})" if self.last else "")


def _sub_key(sub: str) -> tuple[int, int]:
    main, _, branch = sub.partition("の")
    return int(main), int(branch or 0)


@dataclass(frozen=True)
class Licence:
    no: str
    kind: str  # a value of KINDS
    target: str  # goods | technology
    granted: date
    expires: date
    extended: bool
    countries: frozenset[str]  # ISO codes named
    group: str | None  # group_a | all | None
    parties: tuple[str, ...]  # 需要者・荷受人 as written
    items: tuple[ItemRange, ...]
    product: str
    parts: tuple[str, ...]
    quantity: float | None
    quantity_unit: str
    value: float | None
    currency: str
    conditions: str
    notes: str

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def bulk(self) -> bool:
        return self.kind != "individual"

    def to_dict(self) -> dict:
        d = asdict(self)
        d.update(
            granted=self.granted.isoformat(),
            expires=self.expires.isoformat(),
            countries=sorted(self.countries),
            parties=list(self.parties),
            parts=list(self.parts),
            items=[[i.kou, i.sub, i.last] for i in self.items],
        )
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Licence:
        return cls(
            **{
                **d,
                "granted": date.fromisoformat(d["granted"]),
                "expires": date.fromisoformat(d["expires"]),
                "countries": frozenset(d["countries"]),
                "parties": tuple(d["parties"]),
                "parts": tuple(d["parts"]),
                "items": tuple(ItemRange(*i) for i in d["items"]),
            }
        )


@dataclass(frozen=True)
class Register:
    """One version of the register: the licences as of ``effective`` (the version in force on a ship date is the
    latest effective on or before it, as for the End User List)."""

    effective: date
    licences: tuple[Licence, ...]
    source_name: str = ""
    sha256: str = ""

    @cached_property
    def version(self) -> str:
        return self.effective.isoformat()

    @cached_property
    def index(self) -> Any:
        """Its goods licences indexed for screening (:class:`exportscreen.licensing.Index`), built once."""
        from exportscreen.licensing import Index

        return Index(self.licences)

    @cached_property
    def tech_index(self) -> Any:
        """Its technology licences (対象 技術) indexed for screening technology lines, built once."""
        from exportscreen.licensing import Index

        return Index(self.licences, "technology")

    def get(self, no: str) -> Licence | None:
        key = fold(no)
        return next((lic for lic in self.licences if fold(lic.no) == key), None)

    def content(self) -> tuple[str, str]:
        text = json.dumps([lic.to_dict() for lic in self.licences], ensure_ascii=False, separators=(",", ":"))
        return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def in_force(registers, day: date) -> Register | None:
    """The version in force on ``day``: the latest whose effective date is on or before it."""
    best = None
    for reg in registers:
        if reg.effective <= day and (best is None or reg.effective >= best.effective):
            best = reg
    return best


def expiring(reg: Register, day: date, days: int) -> list[Licence]:
    """The licences of ``reg`` still valid on ``day`` whose 有効期限 is within ``days`` days of it, soonest first."""
    until = day + timedelta(days=days)
    return sorted((lic for lic in reg.licences if day <= lic.expires <= until), key=lambda x: (x.expires, x.no))


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later (the month's last day when it has no such day): 民法143条."""
    import calendar

    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- reading and validating


def _read_rows(path: Path) -> list[list]:
    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        for enc in ("utf-8-sig", "cp932"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserError(
                f"{path.name}: 文字コードを読めません（UTF-8 または Shift_JIS にしてください）",
                f"{path.name}: unreadable text encoding (use UTF-8 or Shift_JIS)",
            )
        return [list(r) for r in csv.reader(io.StringIO(text))]
    try:
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if _header(rows) is not None:
                return rows
    except Exception as exc:
        why = f"{exc.__class__.__name__}: {' '.join(str(exc).split())[:80]}"
        raise UserError(
            f"{path.name}: Excel のブックとして読めません（{why}）", f"{path.name}: not a readable workbook ({why})"
        ) from None
    return []


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:20]):
        cols: dict[str, int] = {}
        for c, v in enumerate(row):
            key = _HEADER_KEYS.get(_hkey(v))
            if key and key not in cols:
                cols[key] = c
        if "no" in cols and "kind" in cols:
            return r, cols
    return None


class _RowError(Exception):
    def __init__(self, ja: str, en: str):
        self.ja, self.en = ja, en


def _text(value: Any) -> str:
    return cell_text(value) or ""


def _split(value: Any, sep: re.Pattern = _LIST_SPLIT) -> list[str]:
    return [p.strip() for p in sep.split(_text(value)) if p.strip()]


def _date(value: Any, ja: str, en: str) -> date:
    from exportscreen.ids.values import parse_date

    try:
        day = parse_date(value, ja)
    except InvalidInput:
        raise _RowError(
            f"{ja}「{_text(value)}」を日付として読めません", f"{en} {_text(value)!r} is not a date"
        ) from None
    if day is None:
        raise _RowError(f"{ja}が空です", f"{en} is empty")
    return day


def _number(value: Any, ja: str, en: str) -> float | None:
    from exportscreen.ids.values import parse_quantity

    try:
        return parse_quantity(value)
    except InvalidInput:
        raise _RowError(
            f"{ja}「{_text(value)}」を数値として読めません", f"{en} {_text(value)!r} is not a number"
        ) from None


def _items(rules, value: Any, target: str = "goods") -> tuple[ItemRange, ...]:
    """The 項番 of a licence: of 輸出令別表第一 for goods, of 外為令別表 for technology."""
    from exportscreen.engine import _check_item
    from exportscreen.technology import check_tech_item

    check = _check_item if target == "goods" else check_tech_item
    out = []
    for part in _split(value):
        m = _RANGE.match(part)
        try:
            if m:
                a = item_no.parse(m.group("a"))
                b_text = m.group("b").strip("() （）")
                b = item_no.parse(
                    b_text if not re.fullmatch(r"[\d０-９]+(の[\d０-９]+)?", b_text) else f"{a.kou}の項({b_text})"
                )
                if not a.sub or not b.sub or a.kou != b.kou:
                    raise _RowError(
                        f"項番の範囲「{part}」は同じ項の号どうしで指定してください（例 3の項(1)～(5)）",
                        f"item range {part!r} must join sub-items of one item (e.g. 3の項(1)～(5))",
                    )
                check(rules, a)
                check(rules, b)
                out.append(ItemRange(a.kou, a.sub, b.sub))
            else:
                code = item_no.parse(part)
                check(rules, code)
                out.append(ItemRange(code.kou, code.sub))
        except InvalidInput as exc:
            raise _RowError(exc.ja, exc.en) from None
    if not out:
        raise _RowError("項番が空です", "項番 (items) is empty")
    return tuple(out)


def _destinations(rules, value: Any) -> tuple[frozenset[str], str | None]:
    from exportscreen.engine import lookup_destination

    countries, group = set(), None
    for part in _split(value):
        g = GROUPS.get(_hkey(part))
        if g is not None:
            group = g
            continue
        try:
            countries.add(lookup_destination(rules, part))
        except InvalidInput as exc:
            raise _RowError(exc.ja, exc.en) from None
    if not countries and group is None:
        raise _RowError(
            "仕向地が空です（国名、または 別表第三 / 全地域）",
            "仕向地 (destination) is empty (countries, 別表第三 or 全地域)",
        )
    return frozenset(countries), group


def _on_some_day(lst, iso2: str, start: date, end: date) -> bool:
    """``iso2`` is on the dated list on some day from ``start`` to ``end``."""
    return any(
        (p.valid_from is None or p.valid_from <= end) and (p.valid_to is None or p.valid_to > start)
        for p in lst.members.get(iso2, ())
    )


def _all_days(lst, iso2: str, start: date, end: date) -> bool:
    return any(
        (p.valid_from is None or p.valid_from <= start) and (p.valid_to is None or p.valid_to > end)
        for p in lst.members.get(iso2, ())
    )


def parse_row(rules, cells: dict[str, Any]) -> Licence:
    """One register row as a :class:`Licence`; :class:`_RowError` naming the first problem."""
    for key in REQUIRED:
        if not _text(cells.get(key)):
            raise _RowError(f"{HEADERS[key]}が空です", f"{HEADERS[key]} is empty")
    kind_text = re.sub(r"許可$", "", unicodedata.normalize("NFKC", _text(cells["kind"])).replace(" ", ""))
    kind = KINDS.get(kind_text)
    if kind is None:
        raise _RowError(
            f"種類「{_text(cells['kind'])}」は {' / '.join(KINDS)} のいずれかにしてください",
            f"種類 (type) {_text(cells['kind'])!r} is not one of {', '.join(KINDS)}",
        )
    target = TARGETS.get(_text(cells["target"]).strip())
    if target is None:
        raise _RowError(
            f"対象「{_text(cells['target'])}」は 貨物 / 技術 のいずれかにしてください",
            f"対象 (target) {_text(cells['target'])!r} is not 貨物 or 技術",
        )
    granted = _date(cells["granted"], "許可日", "grant date")
    expires = _date(cells["expires"], "有効期限", "expiry date")
    extended = fold(_text(cells.get("extended"))) in YES
    if expires < granted:
        raise _RowError(
            f"有効期限 {expires} が許可日 {granted} より前です", f"expiry {expires} is before grant {granted}"
        )
    if kind == "individual" and target == "goods" and not extended:
        limit = add_months(granted, INDIVIDUAL_MONTHS)
        if expires > limit:
            raise _RowError(
                f"個別許可（貨物）の有効期間は許可日から6か月（{limit} まで、輸出令8条1項）です。"
                f"有効期限 {expires} は延長されたものなら 延長 欄に ○ を入れてください（8条2項）",
                f"an individual goods licence is valid 6 months from grant (to {limit}, 輸出令8条1項); if the expiry "
                f"{expires} was extended, mark 延長 (8条2項)",
            )
    if kind in ("general", "special_general") and expires > add_months(granted, 12 * BULK_YEARS):
        raise _RowError(
            f"{KIND_NAMES[kind]}許可の有効期間は3年です（有効期限 {expires} が許可日 {granted} の3年後より後）",
            f"a {KIND_NAMES[kind]} licence is valid 3 years (expiry {expires} is later than 3 years after {granted})",
        )
    countries, group = _destinations(rules, cells.get("countries"))
    lists = rules.lists
    if group == "group_a" and kind != "general":
        raise _RowError(
            "仕向地 別表第三 は一般包括許可の範囲です", "仕向地 別表第三 is the scope of a 一般包括 licence"
        )
    if group == "all" and kind != "special_general":
        raise _RowError(
            "仕向地 全地域 は特別一般包括許可の範囲です", "仕向地 全地域 is the scope of a 特別一般包括 licence"
        )
    for iso2 in sorted(countries):
        if kind == "general" and not _on_some_day(lists["group_a"], iso2, granted, expires):
            raise _RowError(
                f"一般包括許可の仕向地は別表第三に限られます: {iso2} は {granted}〜{expires} に別表第三にありません",
                f"a 一般包括 licence covers 別表第三 only: {iso2} is not in 別表第三 from {granted} to {expires}",
            )
        if kind == "special_general" and any(
            _all_days(lists[lid], iso2, granted, expires) for lid in ("un_arms_embargo", "concern")
        ):
            raise _RowError(
                f"特別一般包括許可は別表第三の二・別表第四の仕向地を含みません: {iso2}",
                f"a 特別一般包括 licence never covers 別表第三の二 / 別表第四 destinations: {iso2}",
            )
    parties = tuple(_split(cells.get("parties"), _PARTY_SPLIT))
    if kind in NAMED_PARTY_KINDS and not parties:
        raise _RowError(
            f"{KIND_NAMES[kind]}許可には需要者・荷受人を記入してください",
            f"a {KIND_NAMES[kind]} licence names its end user",
        )
    items = _items(rules, cells["items"], target)
    if kind != "individual" and any(i.kou in ("", "16") for i in items):
        what = ("貨物", "goods") if target == "goods" else ("技術", "technology")
        raise _RowError(
            f"キャッチオール（16の項・非該当）の{what[0]}は個別許可でのみ記入できます",
            f"catch-all {what[1]} (16の項, non-listed) are licensed individually only",
        )
    value = _number(cells.get("value"), "金額上限", "value limit")
    currency = (_text(cells.get("currency")) or "JPY").upper()
    if currency in ("円", "YEN", "¥"):
        currency = "JPY"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise _RowError(
            f"通貨「{currency}」は JPY, USD のような3文字で記入してください",
            f"currency {currency!r} is not a 3-letter code",
        )
    return Licence(
        no=_text(cells["no"]),
        kind=kind,
        target=target,
        granted=granted,
        expires=expires,
        extended=extended,
        countries=countries,
        group=group,
        parties=parties,
        items=items,
        product=_text(cells.get("product")),
        parts=tuple(_split(cells.get("parts"))),
        quantity=_number(cells.get("quantity"), "数量上限", "quantity limit"),
        quantity_unit=_text(cells.get("quantity_unit")),
        value=value,
        currency=currency,
        conditions=_text(cells.get("conditions")),
        notes=_text(cells.get("notes")),
    )


def read_register(path, rules) -> tuple[Licence, ...]:
    """Every licence of a register file; UserError listing every bad row (nothing is taken from a bad file)."""
    path = files.check_source(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UserError(f"{path.name}: ファイルが大きすぎます", f"{path.name}: file too large")
    rows = _read_rows(path)
    found = _header(rows)
    if found is None:
        raise UserError(
            f"{path.name}: 許可台帳の見出し（許可番号, 種類, 対象, 許可日, 有効期限, 仕向地, 項番 …）がありません",
            f"{path.name}: no licence register header (許可番号, 種類, 対象, 許可日, 有効期限, 仕向地, 項番 …)",
        )
    top, cols = found
    missing = [HEADERS[k] for k in (*REQUIRED, "countries") if k not in cols]
    if missing:
        raise UserError(
            f"{path.name}: 列がありません: {', '.join(missing)}", f"{path.name}: missing columns: {', '.join(missing)}"
        )
    out: list[Licence] = []
    errors: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for r, row in enumerate(rows[top + 1 :], start=top + 2):
        cells = {k: (row[c] if c < len(row) else None) for k, c in cols.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        if len(out) + len(errors) >= MAX_ROWS:
            raise UserError(f"{path.name}: {MAX_ROWS} 行を超えます", f"{path.name}: more than {MAX_ROWS} rows")
        try:
            lic = parse_row(rules, cells)
        except _RowError as exc:
            errors.append((f"{r}行目: {exc.ja}", f"row {r}: {exc.en}"))
            continue
        key = fold(lic.no)
        if key in seen:
            errors.append(
                (
                    f"{r}行目: 許可番号 {lic.no} が {seen[key]}行目と重複しています",
                    f"row {r}: 許可番号 {lic.no} repeats row {seen[key]}",
                )
            )
            continue
        seen[key] = r
        out.append(lic)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        ja = "\n".join(e[0] for e in shown) + (f"\n…ほか {more} 件" if more else "")
        en = "\n".join(e[1] for e in shown) + (f"\n… and {more} more" if more else "")
        raise UserError(
            f"{path.name}: 許可台帳を取り込みません（{len(errors)} 行に誤り）\n{ja}",
            f"{path.name}: register not imported ({len(errors)} bad rows)\n{en}",
        )
    if not out:
        raise UserError(f"{path.name}: 許可が1件もありません", f"{path.name}: no licences")
    return tuple(out)


# ---------------------------------------------------------------- the store

metadata = MetaData()
versions_t = Table(
    "licence_versions",
    metadata,
    Column("effective", String(10), primary_key=True),
    Column("source_name", Text),
    Column("sha256", String(64)),  # of the imported file
    Column("content", Text, nullable=False),  # the licences as JSON (Licence.to_dict)
    Column("content_sha256", String(64), nullable=False),
    Column("n_licences", Integer, nullable=False),
    Column("imported", String(40), nullable=False),  # UTC
    Column("imported_by", String(255)),
)


def import_register(path, rules, effective: date | None = None, replace: bool = False, home=None) -> Register:
    """Validate a register file and store it as the version effective from ``effective`` (default today). A version
    of that date with other content is replaced only with ``replace``; the same content again changes nothing."""
    from exportscreen.audit import default_url, open_log

    path = files.check_source(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    log = open_log(None if home is None else default_url(home))
    with log.run(kind="licence_import", file=path, file_sha256=digest):  # refused: a failed run
        return _store_register(path, rules, effective, replace, home, digest)


def _store_register(path, rules, effective: date | None, replace: bool, home, digest: str) -> Register:
    from exportscreen.audit import _user, utcnow
    from exportscreen.store import open_store

    reg = Register(effective or date.today(), read_register(path, rules), path.name, digest)
    text, content_sha = reg.content()
    with open_store(home=home).write() as conn:
        old = conn.execute(select(versions_t.c.content_sha256).where(versions_t.c.effective == reg.version)).scalar()
        if old is not None and old != content_sha and not replace:
            raise UserError(
                f"{reg.version} 付けの許可台帳は取込済みで内容が違います。置き換えるときは --replace を付けてください",
                f"a licence register effective {reg.version} is already stored with other content; "
                "give --replace to replace it",
            )
        conn.execute(versions_t.delete().where(versions_t.c.effective == reg.version))
        conn.execute(
            versions_t.insert().values(
                effective=reg.version,
                source_name=reg.source_name,
                sha256=digest,
                content=text,
                content_sha256=content_sha,
                n_licences=len(reg.licences),
                imported=utcnow(),
                imported_by=_user(),
            )
        )
    return reg


_parsed: dict[str, Register] = {}


def load_registers(home=None) -> tuple[Register, ...]:
    """Every stored version, oldest first; parsed once per process (keyed on the content hash)."""
    from exportscreen.store import open_store

    out = []
    with open_store(home=home).read() as conn:
        for row in conn.execute(select(versions_t.c.effective, versions_t.c.content_sha256, versions_t.c.source_name)):
            key = f"{row.effective}:{row.content_sha256}"
            reg = _parsed.get(key)
            if reg is None:
                content = conn.execute(
                    select(versions_t.c.content).where(versions_t.c.effective == row.effective)
                ).scalar_one()
                lics = tuple(Licence.from_dict(d) for d in json.loads(content))
                reg = _parsed[key] = Register(date.fromisoformat(row.effective), lics, row.source_name or "")
            out.append(reg)
    return tuple(sorted(out, key=lambda r: r.effective))


def cells_of(lic: Licence) -> dict[str, Any]:
    """A licence as the register's row (export)."""
    return {
        "no": lic.no,
        "kind": lic.kind_name,
        "target": {v: k for k, v in TARGETS.items()}[lic.target],
        "granted": lic.granted,
        "expires": lic.expires,
        "extended": "○" if lic.extended else "",
        "countries": "、".join([*sorted(lic.countries), *([GROUP_NAMES[lic.group]] if lic.group else [])]),
        "parties": "、".join(lic.parties),
        "items": "、".join(i.format() for i in lic.items),
        "product": lic.product,
        "parts": "、".join(lic.parts),
        "quantity": lic.quantity,
        "quantity_unit": lic.quantity_unit,
        "value": lic.value,
        "currency": lic.currency,
        "conditions": lic.conditions,
        "notes": lic.notes,
    }
