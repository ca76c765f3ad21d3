"""Shipments recorded against the licences of the register (issue 15 §3): what a limited licence has left.

``exportscreen shipments record FILE`` reads a screened order table (xlsx/xlsm or csv, found as ``screen`` finds it)
and records its shipped lines against the licence that covers each. Which lines are shipped: those whose 出荷済
column (``--column``, default 出荷済) is marked — ○, 済, 出荷済, yes, true, 1, or a date —; a table without that
column is taken as a list of shipped lines (an invoice, a packing list) and every line is recorded; with
``--column`` given, the column must be there. A cell in that column that is neither marked nor blank / × / 未 / no /
0 refuses the file (never guess whether goods left). Each line is decided again by the engine, as screening decides
it (the adapters never decide): a line a licence covers (the decision names it, :attr:`Decision.licence` — 許可取得済,
or 要確認 with checks left) is recorded against it with its value in yen, its quantity (数量 column) and its ship
date (the as-of date it was decided for); a marked line no licence covers is listed, not recorded.

A line is recorded once: the key is the file's name and the line's order number (受注番号 …; the n-th line of an
order number that repeats in the file is ``No. (n)``; a table without an order number column: its row). The file is
recorded whole or not at all: one line already recorded refuses it, naming the line — also when another process
records the same file at the same moment (the unique key decides, SQLite or PostgreSQL). With ``skip_recorded``
(``--skip-recorded``: an order book marked day by day and recorded again), the lines already recorded from a file of
that name are left out and listed, and the others recorded (still whole or not at all). Each recording is an
audit run of kind ``shipment_record`` with every recorded line and its decision.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError

from exportscreen import files, orders
from exportscreen.errors import UserError
from exportscreen.ids.text import fold
from exportscreen.model import Decision

DEFAULT_COLUMN = "出荷済"
MARKED = {"○", "〇", "◯", "済", "出荷済", "出荷済み", "済み", "yes", "y", "true", "1", "shipped", "✓", "✔"}
NOT_MARKED = {"", "×", "✕", "未", "未出荷", "no", "n", "false", "0", "-", "－", "ー"}
MAX_LISTED = 20  # lines named in a refusal or in the list of lines not recorded

metadata = MetaData()
shipments_t = Table(
    "shipments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("licence_no", String(100), nullable=False),  # as the register writes it
    Column("licence_key", String(100), nullable=False),  # folded: what balances are summed on
    Column("register_version", String(10), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("sheet", String(255)),
    Column("row", Integer, nullable=False),  # 1-based, as Excel shows it
    Column("line_ref", String(255), nullable=False),  # the order number (or 行 N)
    Column("value_jpy", Float),  # None: the line's value is not known
    Column("quantity", Float),
    Column("ship_date", String(10), nullable=False),
    Column("recorded_at", String(40), nullable=False),  # UTC
    Column("recorded_by", String(255)),
    Column("run_id", Integer),  # the audit run that recorded it
    UniqueConstraint("file_name", "line_ref", name="uq_shipments_line"),
)
Index("ix_shipments_licence", shipments_t.c.licence_key)


@dataclass(frozen=True)
class Usage:
    """What the shipments recorded against one licence add up to."""

    value: float = 0.0  # yen, of the shipments whose value is known
    unknown: int = 0  # shipments recorded without a value
    quantity: float = 0.0  # of the shipments whose quantity is known
    lines: int = 0
    quantity_unknown: int = 0  # shipments recorded without a quantity (none given, or not in a 数量上限's unit)


@dataclass
class Recorded:
    """What ``shipments record`` did: the lines recorded (per licence) and the marked lines no licence covers."""

    file: Path
    sheet: str | None
    column: str | None  # the 出荷済 column used (None: every line)
    lines: list[dict] = field(default_factory=list)  # each: row, ref, licence, value, quantity, ship_date
    not_covered: list[tuple[int, str, Decision]] = field(default_factory=list)  # (row, ref, decision)
    over: dict[str, float] = field(default_factory=dict)  # licence -> balance below zero after this recording
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, ref) recorded before (skip_recorded)


def _mark(value: Any) -> bool | None:
    """True: marked shipped; False: not; None: cannot tell."""
    if value is None:
        return False
    if isinstance(value, (date, datetime)):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return value == 1
        return True if 20000 < value < 80000 else None  # an Excel date serial (1954 … 2119)
    text = fold(str(value))
    if text in NOT_MARKED:
        return False
    if text in MARKED:
        return True
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.values import parse_date

    try:
        return True if parse_date(str(value)) is not None else None
    except InvalidInput:
        return None


def _raw_rows(table: orders.OrderTable) -> list[list]:
    """Every row of the table's sheet or csv file, as read (row index = the lines' ``row``)."""
    if table.kind == "csv":
        src = table.csv
        text = table.path.read_bytes()[src.start :].decode(src.encoding)
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=src.delimiter)]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(table.path))
    try:
        return wb.get_sheet_by_name(table.sheet or wb.sheet_names[0]).to_python(skip_empty_area=False)
    finally:
        wb.close()


def _shipped_column(rows: list[list], header_row: int, column: str | None) -> int | None:
    """The column of the 出荷済 marks: ``column`` (must be in the header row), else 出荷済 when the table has it,
    else None (every line is shipped)."""
    head = rows[header_row] if header_row < len(rows) else []
    want = orders.normalize_header(column or DEFAULT_COLUMN)
    for c, v in enumerate(head):
        if isinstance(v, str) and orders.normalize_header(v) == want:
            return c
    if column is not None:
        raise UserError(f"列「{column}」が見出し行にありません", f"column {column!r} is not in the header row")
    return None


def _line_refs(table: orders.OrderTable) -> list[str]:
    """Each line's key within the file: its order number (the n-th line of a repeated one: 'No. (n)'), else its
    row."""
    at = table.header.order_ref
    seen: Counter = Counter()
    out = []
    for line in table.lines:
        no = None if at is None or line.refs is None else line.refs[at]
        if no is None or not orders.cell_text(no):
            out.append(f"行 {line.row + 1}")
            continue
        text = orders.cell_text(no)
        seen[text] += 1
        out.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return out


def _quantity(table: orders.OrderTable, line: orders.OrderLine, licence: dict) -> float | None:
    """The line's quantity as recorded: for a licence with a 数量上限, the quantity the decision compared with it —
    in the licence's unit, else None (not known: the balance is then unknown, never counted in another unit); for
    another, the 数量 cell's number."""
    from exportscreen.ids import InvalidInput
    from exportscreen.ids.values import parse_quantity

    if licence["quantity_limit"] is not None:
        return licence["quantity"]
    at = table.header.quantity_ref
    if at is None or line.refs is None:
        return None
    try:
        return parse_quantity(line.refs[at])
    except InvalidInput:
        return None


def record(
    path: str | Path,
    sheet: str | None = None,
    column: str | None = None,
    as_of: date | None = None,
    rates: tuple = (),
    skip_recorded: bool = False,
) -> Recorded:
    """Record the shipped lines of ``path`` (see the module's description); :class:`UserError` when the file
    cannot be read, a mark cannot be read, or a line is already recorded (then nothing is recorded) — unless
    ``skip_recorded``: then such lines are left out and listed in :attr:`Recorded.skipped`."""
    from exportscreen import state
    from exportscreen.audit import open_log

    src = files.check_source(path)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    log = open_log()
    with log.run(kind="shipment_record", file=src, file_sha256=digest, sheet=sheet) as run:
        table = orders.read_order_table(src, sheet)
        rows = _raw_rows(table)
        col = _shipped_column(rows, table.header.row, column)
        out = Recorded(src, table.sheet, None if col is None else str(rows[table.header.row][col]).strip())
        rules, today = state.rules(), as_of or date.today()
        refs = _line_refs(table)
        bad = []
        picked = []
        for line, ref in zip(table.lines, refs):
            if col is not None:
                cell = rows[line.row][col] if line.row < len(rows) and col < len(rows[line.row]) else None
                mark = _mark(None if cell == "" else cell)
                if mark is None:
                    bad.append((line.row + 1, cell))
                    continue
                if not mark:
                    continue
            picked.append((line, ref))
        if bad:
            shown = "、".join(f"{r}行目「{v}」" for r, v in bad[:MAX_LISTED])
            shown_en = ", ".join(f"row {r} {v!r}" for r, v in bad[:MAX_LISTED])
            raise UserError(
                f"{src.name}: {out.column} 列の値が読めません（○・済・日付 か 空欄・× にしてください）: {shown}",
                f"{src.name}: {out.column} cells not understood (use ○, 済 or a date, or blank / ×): {shown_en}",
            )
        if skip_recorded and picked:  # recorded before from a file of this name: left out (and never double counted)
            done = _recorded(src.name, [ref for _line, ref in picked])
            out.skipped = [(line.row + 1, ref) for line, ref in picked if ref in done]
            picked = [(line, ref) for line, ref in picked if ref not in done]
        from exportscreen.screening import decide_line, quantity_reader

        run.set_refs([h for _c, _f, h in table.header.refs])
        now, user = _now_user()
        new = []
        quantity = quantity_reader(table.header, rules)
        for line, ref in picked:
            d = decide_line(line, rules, today, rates, quantity=quantity)
            if d.licence is None:
                out.not_covered.append((line.row + 1, ref, d))
                continue
            fields, values = (orders.FIELDS, line.values) if line.tech is None else _kind_record(line)
            run.record_values(fields, values, d, line.row + 1, line.refs)
            item = {
                "row": line.row + 1,
                "ref": ref,
                "licence": d.licence["no"],
                "value": d.licence["value"],
                "quantity": _quantity(table, line, d.licence),
                "ship_date": d.as_of.isoformat(),
            }
            out.lines.append(item)
            new.append(
                {
                    "licence_no": item["licence"],
                    "licence_key": fold(item["licence"]),
                    "register_version": d.licence["version"],
                    "file_name": src.name,
                    "file_sha256": digest,
                    "sheet": table.sheet,
                    "row": item["row"],
                    "line_ref": ref,
                    "value_jpy": item["value"],
                    "quantity": item["quantity"],
                    "ship_date": item["ship_date"],
                    "recorded_at": now,
                    "recorded_by": user,
                    "run_id": run.id,
                }
            )
        if new:
            _insert(src.name, new)
            state.reset_rules()  # the balances changed
            out.over = _over({n["licence_key"] for n in new}, today)
    return out


def _kind_record(line: orders.OrderLine) -> tuple[tuple, tuple]:
    from exportscreen.screening import _kind_record as kind_record

    return kind_record(line)


def _now_user() -> tuple[str, str]:
    from exportscreen.audit import _user, utcnow

    return utcnow(), _user()


def _insert(file_name: str, new: list[dict]) -> None:
    """Insert the lines in one transaction, or refuse them all when one of them is already recorded."""
    from exportscreen.store import open_store

    keys = [n["line_ref"] for n in new]
    try:
        with open_store().write() as conn:
            done = _done(conn, file_name, keys)
            if done:
                raise _already(file_name, done)
            conn.execute(shipments_t.insert(), new)
    except IntegrityError:  # another process recorded the same lines between our read and our insert
        with open_store().read() as conn:
            raise _already(file_name, _done(conn, file_name, keys)) from None


def _done(conn, file_name: str, keys: list[str]) -> list:
    """The lines of ``keys`` recorded before from a file of this name: (line_ref, recorded_at, licence_no)."""
    found = []
    for i in range(0, len(keys), 500):  # IN lists of a bounded size
        found += conn.execute(
            select(shipments_t.c.line_ref, shipments_t.c.recorded_at, shipments_t.c.licence_no).where(
                shipments_t.c.file_name == file_name, shipments_t.c.line_ref.in_(keys[i : i + 500])
            )
        ).all()
    return found


def _recorded(file_name: str, keys: list[str]) -> set[str]:
    from exportscreen.store import open_store

    with open_store().read() as conn:
        return {r.line_ref for r in _done(conn, file_name, keys)}


def _already(file_name: str, done) -> UserError:
    order = {r.line_ref: r for r in done}
    first = sorted(order.values(), key=lambda r: r.line_ref)[:MAX_LISTED]
    ja = "、".join(f"{r.line_ref}（許可 {r.licence_no}、{r.recorded_at[:19]}）" for r in first)
    en = ", ".join(f"{r.line_ref} (licence {r.licence_no}, {r.recorded_at[:19]})" for r in first)
    more_ja = f" ほか {len(order) - len(first)} 行" if len(order) > len(first) else ""
    more_en = f" and {len(order) - len(first)} more" if len(order) > len(first) else ""
    return UserError(
        f"{file_name}: 出荷実績は記録済みです（{len(order)} 行）: {ja}{more_ja}。何も記録していません",
        f"{file_name}: shipments already recorded ({len(order)} lines): {en}{more_en}; nothing recorded",
    )


def load_usage() -> dict[str, Usage]:
    """Every licence's recorded shipments, summed (folded 許可番号 -> :class:`Usage`): one query."""
    from exportscreen.store import open_store

    c = shipments_t.c
    with open_store().read() as conn:
        rows = conn.execute(
            select(
                c.licence_key,
                func.coalesce(func.sum(c.value_jpy), 0.0),
                func.count() - func.count(c.value_jpy),
                func.coalesce(func.sum(c.quantity), 0.0),
                func.count(),
                func.count() - func.count(c.quantity),
            ).group_by(c.licence_key)
        ).all()
    return {k: Usage(float(v), int(u), float(q), int(n), int(qu)) for k, v, u, q, n, qu in rows}


def of_licence(no: str) -> list[dict]:
    """The shipments recorded against one licence, oldest first."""
    from exportscreen.store import open_store

    c = shipments_t.c
    with open_store().read() as conn:
        rows = conn.execute(
            select(shipments_t).where(c.licence_key == fold(no)).order_by(c.ship_date, c.recorded_at, c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def _over(keys: set[str], day: date) -> dict[str, float]:
    """The licences (of ``keys``, in the register in force on ``day``) whose yen value limit the shipments recorded
    now exceed: licence -> balance (below zero)."""
    from exportscreen import state

    rules = state.rules()
    usage, reg = rules.licence_usage, rules.licences_on(day)
    out: dict[str, float] = {}
    if reg is not None:
        for lic in reg.licences:
            key = fold(lic.no)
            u = usage.get(key)
            if key in keys and u is not None and lic.value is not None and lic.currency == "JPY":
                if u.value > lic.value:
                    out[lic.no] = lic.value - u.value
    return out
