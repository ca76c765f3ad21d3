"""Append-only, hash-chained audit log of screening decisions (取引審査の記録).

Usage (the ``check``/``screen`` commands and the Excel functions call it)::

    from exportscreen.audit import open_log
    log = open_log()                       # $EXPORTSCREEN_AUDIT_URL, else the store (exportscreen.store)
    with log.run(kind="screen", file="orders.xlsx", sheet="受注") as run:
        run.record(inputs, decision, row=12)   # buffered; written at the end in one transaction
    log.runs(); log.records(run_id=run.id); log.verify()

Storage is SQLAlchemy Core, so the same code runs on the embedded SQLite file (WAL, ``BEGIN IMMEDIATE``)
and on a PostgreSQL database a team shares (``postgresql+psycopg://…``). The tables are part of the store
(:mod:`exportscreen.store`): created and migrated by its Alembic migrations when the log is opened.

The chain
---------
``audit_records`` holds every entry of the chain, numbered ``seq`` 1, 2, 3 … without gaps. Each entry
stores ``prev_hash`` (the previous entry's hash, 64 zeros for seq 1) and
``hash = sha256(prev_hash + canonical_json(content))`` where *content* is every column except the two
hashes (``seq`` included). Canonical JSON: ``sort_keys``, ``ensure_ascii=False``, ``separators=(",", ":")``.
Entry types (``rtype``):

* ``line``  – one screened order line (inputs, decision code/label, reasons, versions, who/where/when).
* ``run``   – the summary of one run (kind, file, SHA-256, sheet, started/finished, counts by decision),
  appended right after the run's lines in the same transaction. ``audit_runs`` is a convenience index of the
  same data; :meth:`AuditLog.verify` checks it against the chained ``run`` entries.
* ``purge`` – checkpoint left by :meth:`AuditLog.purge`: ``through_seq`` and ``through_hash`` of the last
  deleted entry, so the remaining chain still verifies.

``audit_head`` is a one-row table with the last ``seq`` and ``hash``. Appending locks it (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT … FOR UPDATE``), so concurrent writers produce one valid chain, and
verification compares it with the last entry (detects deletions at the end).

Limits: the hash is not keyed. Someone with write access who rewrites the whole chain *and* the head
consistently is not detected by ``verify`` alone; keep the head hash that ``verify``/the exported workbook
print (e.g. on the signed 取引審査票) as an external anchor.

Retention
---------
Default 7 years (``$EXPORTSCREEN_AUDIT_RETENTION_YEARS``). :meth:`AuditLog.purge` deletes only the oldest
whole runs whose every entry is older than the period, and leaves a ``purge`` checkpoint entry.
Nothing is deleted unless purge is run explicitly.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import pickle
import socket
import sys
import tempfile
import threading
import time as _time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from itertools import chain
from operator import itemgetter
from pathlib import Path
from sqlite3 import SQLITE_LIMIT_VARIABLE_NUMBER
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)

from exportscreen import audit_anchor, store
from exportscreen.errors import UserError
from exportscreen.model import Code, Decision
from exportscreen.render import audit_reasons

GENESIS = "0" * 64
DEFAULT_RETENTION_YEARS = 7
# eul_import / product_import / licence_import: an End User List / product master / licence register import (no
# lines; refused: failed); api: lines screened through the Python API; shipment_record: the shipped lines recorded
# against licences (exportscreen shipments record), each with its decision
KINDS = ("check", "screen", "udf", "eul_import", "api", "product_import", "licence_import", "shipment_record")
INSERT_ROWS = 5000  # rows per INSERT statement (fewer where the database takes fewer parameters) ...
INSERT_ROWS_SPOOLED = 1000  # ... and for a spooled run (a long statement takes memory: runs of a million lines)
SPOOL_BATCH = 8_000  # a run keeps this many lines in memory (~2 MB); beyond, they are spooled to disk ...
SPOOL_PIECE = 8_000  # ... in pieces of this many lines (a run's memory stays flat)
RUN_PARTS = 20_000  # decision parts a run's lines refer to by number (see Run._add); beyond, a line carries its own

metadata = MetaData()

_S = String(255)
head_t = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
runs_t = Table(
    "audit_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started", String(40), nullable=False),
    Column("finished", String(40)),
    Column("username", _S),
    Column("host", _S),
    Column("kind", String(16), nullable=False),
    Column("file", Text),
    Column("file_sha256", String(64)),
    Column("sheet", _S),
    Column("status", String(16)),
    Column("n_records", Integer),
    Column("counts", Text),
    Column("first_seq", BigInteger),
    Column("last_seq", BigInteger),
    Column("seq", BigInteger),  # seq of the run's own chain entry
    Column("reviewer", _S),  # who screened (exportscreen config set reviewer / EXPORTSCREEN_REVIEWER / OS login)
    sqlite_autoincrement=True,
)
records_t = Table(
    "audit_records",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("rtype", String(8), nullable=False),
    Column("run_id", Integer),
    Column("ts", String(40), nullable=False),
    Column("username", _S),
    Column("host", _S),
    Column("file", Text),
    Column("file_sha256", String(64)),
    Column("sheet", _S),
    Column("row_no", Integer),
    Column("inputs", Text),
    Column("decision", String(20)),
    Column("label", String(20)),
    Column("reasons", Text),
    Column("detail", Text),
    Column("rules_version", _S),
    Column("eul_version", _S),
    Column("as_of", String(10)),
    # the order's identifying columns as found ([[header, value], …]: 受注番号, PO, 品名, 数量 …); hashed
    # only when present, so records written before the column existed verify as they were written
    Column("refs", Text),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # a line's reasons and detail as stored once in audit_texts (by their SHA-256), reasons and detail then null; the
    # chain hashes the texts (a line written before these columns keeps its texts in reasons and detail)
    Column("reasons_ref", String(64)),
    Column("detail_ref", String(64)),
    Index("ix_audit_records_run", "run_id"),
    Index("ix_audit_records_ts", "ts"),
)
# the texts many lines share (their reasons, their detail), each stored once: see records_t.reasons_ref
texts_t = Table(
    "audit_texts",
    metadata,
    Column("hash", String(64), primary_key=True),  # SHA-256 of the text
    Column("text", Text, nullable=False),
)
# the journal of runs that write a file: a row from the run's start (stage "started") through the commit of its
# records ("recorded", with the SHA-256 of the file about to be renamed into place) until the rename is done; a row
# left behind is a run interrupted at that stage (see AuditLog.incomplete_runs)
pending_t = Table(
    "audit_pending",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=False),
    Column("stage", String(16), nullable=False),
    Column("pid", Integer),
    Column("output", Text),
    Column("output_sha256", String(64)),
)
CONTENT_FIELDS = tuple(
    c.name for c in records_t.columns if c.name not in ("prev_hash", "hash", "reasons_ref", "detail_ref")
)
_BASE_FIELDS = CONTENT_FIELDS[:-1]  # every content field but the last, refs (hashed only when not null)


# ----------------------------------------------------------------------------------------------------------
# helpers


def _json_default(obj: Any) -> Any:
    if isinstance(obj, (datetime, date, time)):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def canonical(obj: Any) -> str:
    """The one JSON spelling used for stored JSON text and for hashing."""
    return _ENCODER.encode(obj)


_HASH_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def chain_hash(prev_hash: str, content) -> str:
    """sha256 of the previous hash and the record's content fields (a JSON array in CONTENT_FIELDS order; the last
    one, ``refs``, only when it is not null: a record written before it existed keeps its hash)."""
    values = [content[k] for k in _BASE_FIELDS]
    refs = content.get("refs")
    if refs is not None:
        values.append(refs)
    return hashlib.sha256((prev_hash + _HASH_ENCODER.encode(values)).encode("utf-8")).hexdigest()


# -- the same texts, built from parts --------------------------------------------------------------------------
# A screened line's record is mostly made of parts many lines share: the run's who/where, the decision's code,
# reasons, detail and versions. Their JSON (stored, and as it appears inside the hashed array) is built once per
# distinct part; per line only the time stamp, the row, the inputs and the as-of date are encoded. The texts are
# exactly those canonical() and chain_hash() give (checked by `audit verify`, which uses chain_hash alone).

_encode_str = json.encoder.encode_basestring  # a str as JSON with ensure_ascii=False, as both encoders write it
_str_json: dict[str, str] = {}  # cell text -> JSON (order tables repeat countries, items, users ...)
_input_plans: dict[tuple, Any] = {}  # input names -> (format with the sorted names, positions) | None
_reason_texts: dict[int, tuple] = {}  # id(Reason) -> (the Reason, its JSON)
_reason_by_value: dict[Any, str] = {}  # Reason -> its JSON
_detail_texts: dict[int, tuple] = {}  # id(country or item dict) -> (the dict, its JSON)
_texts: dict[str, str] = {}  # the one object of each of these texts
_decision_parts: dict[tuple, tuple] = {}  # (code, versions, country, item and reasons JSON) -> part
_OBJECT_CACHE = 20_000  # entries keep their objects alive: no more than the engine keeps anyway
_as_of_tails: dict[date, tuple[str | None, bytes]] = {}
_PART_CACHE = 20_000


def _value_json(v: Any) -> str:
    """canonical(v) for one input value; the common cell types without the encoder's machinery."""
    cls = v.__class__
    if cls is str:
        text = _str_json.get(v)
        if text is None:
            if len(_str_json) >= 100_000:
                _str_json.clear()
            text = _str_json[v] = _encode_str(v)
        return text
    if v is None:
        return "null"
    if cls is float:
        return float.__repr__(v) if v - v == 0.0 else canonical(v)  # NaN and infinities: the encoder's spelling
    if cls is int:
        return int.__repr__(v)
    if cls is datetime or cls is date:
        return '"' + v.isoformat() + '"'  # _json_default; ISO text needs no escaping
    return canonical(v)


def _input_plan(names: tuple) -> Any:
    """How to spell a dict with these keys canonically (keys sorted): a format string with one field per value, for
    each field the position of its value in ``names`` and its key's JSON, a function picking the values in that
    order, and caches of each field's JSON by its value, one list of caches per combination of value types. None
    when canonical() must do it (keys that are not all distinct strings)."""
    plan = _input_plans.get(names, False)
    if plan is False:
        plan = None
        if names and all(k.__class__ is str for k in names) and len(set(names)) == len(names):
            order = tuple(sorted(range(len(names)), key=names.__getitem__))
            keys = tuple(_encode_str(names[i]) + ":" for i in order)
            fmt = "{{" + ",".join(k.replace("{", "{{").replace("}", "}}") + "{}" for k in keys) + "}}"
            pick = itemgetter(*order) if len(order) > 1 else lambda values: (values[order[0]],)
            plan = (fmt, order, keys, pick, {})
        if len(_input_plans) >= 1000:
            _input_plans.clear()
        _input_plans[names] = plan
    return plan


def _inputs_json(inputs: Any) -> str:
    """canonical(dict(inputs))."""
    if inputs.__class__ is not dict:
        inputs = dict(inputs or {})
    plan = _input_plan(tuple(inputs))
    if plan is None:
        return canonical(inputs)
    values = list(inputs.values())
    return plan[0].format(*[_value_json(values[i]) for i in plan[1]])


def _same_json_when_equal(v: Any) -> bool:
    """Whether every value of v's type equal to v has v's JSON (not so for 0.0 and -0.0, NaN, or datetimes with
    time zones), so that v's JSON can be looked up by value among values of its type."""
    cls = v.__class__
    if cls is str or v is None or cls is int or cls is bool or cls is date:
        return True
    if cls is float:
        return v == v and v != 0.0
    return cls is datetime and v.tzinfo is None


def _values_json(names: tuple, values: tuple) -> str:
    """canonical(dict(zip(names, values))) for as many values as names. Order tables repeat each field's values
    (countries, uses, users, dates ...): each field's '"key":value' JSON is looked up by its value, in caches kept
    for the combination of the line's value types (so that 1, 1.0 and TRUE, equal as keys, never meet)."""
    plan = _input_plan(names)
    if plan is None or len(values) != len(names):
        return canonical(dict(zip(names, values)))
    fmt, order, keys, pick, by_types = plan
    values = pick(values)
    types = tuple(map(type, values))
    caches = by_types.get(types)
    if caches is None:
        if len(by_types) >= 64:
            by_types.clear()
        caches = by_types[types] = [{} for _ in order]
    try:
        parts: list[Any] = list(map(dict.get, caches, values))
    except TypeError:  # an unhashable value
        return fmt.format(*map(_value_json, values))
    i = -1
    for _ in range(parts.count(None)):  # the values not met before (a column of new values: one a line)
        i = parts.index(None, i + 1)
        v = values[i]
        # (a text straight to JSON: remembered below, not in _value_json's cache too)
        part = parts[i] = keys[i] + (_encode_str(v) if v.__class__ is str else _value_json(v))
        if _same_json_when_equal(v):
            cache = caches[i]
            if len(cache) >= 100_000:
                cache.clear()
            cache[v] = part
    return "{" + ",".join(parts) + "}"


def _refs_json(heads: tuple[str, ...], values: Any) -> str | None:
    """A line's identifying columns as stored: ``[[header, value], …]`` (``heads``: each header's JSON and a comma,
    see :meth:`Run.set_refs`) for the cells that are not blank; None when all are."""
    if values is None:
        return None
    parts = [
        "[" + h + _value_json(v) + "]"
        for h, v in zip(heads, values)
        if v is not None and (v.__class__ is not str or v.strip())
    ]
    return "[" + ",".join(parts) + "]" if parts else None


def _interned(table: dict, text: str) -> str:
    """One string object per distinct text (so that keys made of them hash and compare by their cached hash and
    identity)."""
    hit = table.get(text)
    if hit is None:
        if len(table) >= _PART_CACHE:
            table.clear()
        hit = table[text] = text
    return hit


def _object_json(cache: dict, obj: Any, build) -> str:
    """JSON of an object the engine shares between decisions (a Reason, a country or item dict), built once per
    object: the object is kept with its text, so its id stays its own while it is in the cache."""
    hit = cache.get(id(obj))
    if hit is None or hit[0] is not obj:
        if len(cache) >= _OBJECT_CACHE:
            cache.clear()
        hit = cache[id(obj)] = (obj, _interned(_texts, build(obj)))
    return hit[1]


def _reason_json(reason: Any) -> str:
    """A reason's JSON, looked up by value (the engine makes many equal Reason objects, one per day, say)."""
    try:
        text = _reason_by_value.get(reason)
    except TypeError:  # unhashable hits
        return canonical(audit_reasons((reason,))[0])
    if text is None:
        if len(_reason_by_value) >= _PART_CACHE:
            _reason_by_value.clear()
        text = _reason_by_value[reason] = canonical(audit_reasons((reason,))[0])
    return text


def _decision_part(d: Decision) -> tuple:
    """The columns a line's record takes from its decision: (decision, label, reasons, detail, rules_version,
    eul_version), the same six values as they are spelled inside the hashed JSON array (UTF-8, comma-separated, with
    a trailing comma), and the SHA-256 of the reasons and of the detail (the texts are stored once: audit_texts).
    One tuple per distinct part, shared by the lines that have it.

    The engine builds many equal Reason objects and country/item dicts (one per day, say): their JSON is looked up
    by object (one text object per distinct text), and the part by those texts."""
    # _object_json, inlined for the usual hits (this runs for every line)
    cache = _detail_texts
    country, item = d.country, d.item
    hit = cache.get(id(country))
    cj = hit[1] if hit is not None and hit[0] is country else _object_json(cache, country, canonical)
    hit = cache.get(id(item))
    ij = hit[1] if hit is not None and hit[0] is item else _object_json(cache, item, canonical)
    fields: list[Any] = [d.code, d.rules_version, d.eul_version, cj, ij]
    cache = _reason_texts
    for r in d.reasons:
        hit = cache.get(id(r))
        fields.append(hit[1] if hit is not None and hit[0] is r else _object_json(cache, r, _reason_json))
    key = tuple(fields)
    part = _decision_parts.get(key)
    if part is None:
        part = _new_decision_part(key)
    return part


def _new_decision_part(key: tuple) -> tuple:
    code, rules_version, eul_version, cj, ij, *reasons = key
    code = code if isinstance(code, Code) else Code(code)
    # the texts canonical() gives for the list of reasons and for {"country": country, "item": item}
    rtext = _interned(_texts, "[" + ",".join(reasons) + "]")
    dtext = _interned(_texts, '{"country":' + cj + ',"item":' + ij + "}")
    cols = (code.value, code.label, rtext, dtext, rules_version, eul_version)
    if len(_decision_parts) >= _PART_CACHE:
        _decision_parts.clear()
    hashed = (_HASH_ENCODER.encode(cols)[1:-1] + ",").encode()
    refs = (_text_ref(rtext), _text_ref(dtext))  # where the texts are stored (audit_texts)
    part = _decision_parts[key] = (*cols, hashed, *refs)
    return part


def _text_ref(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _as_of_texts(as_of: Any) -> tuple[str | None, bytes]:
    """A line's as-of date as stored, and the end of its hashed JSON array."""
    texts = _as_of_tails.get(as_of) if as_of.__class__ is date else None
    if texts is None:
        text = as_of.isoformat() if as_of is not None else None
        texts = (text, (("null" if text is None else _encode_str(text)) + "]").encode())
        if as_of.__class__ is date:
            if len(_as_of_tails) >= _PART_CACHE:
                _as_of_tails.clear()
            _as_of_tails[as_of] = texts
    return texts


def _sha256_hex(*pieces: bytes) -> str:
    """The SHA-256 of the pieces one after the other. hashlib lets go of the GIL for an input of 2 KiB or more; a
    record is hashed in smaller pieces so that a thread hashing while another works (Run.commit_in_background) does
    not wait for the GIL after each one."""
    h = hashlib.sha256()
    for data in pieces:
        if len(data) < 2048:
            h.update(data)
        else:
            mv = memoryview(data)
            for i in range(0, len(data), 2047):
                h.update(mv[i : i + 2047])
    return h.hexdigest()


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


_second: tuple[int, str] = (-1, "")  # the last second a line was stamped in, and its ISO text up to the seconds


def _line_ts() -> int:
    """When a line is recorded, in microseconds since the epoch (its text, see _ts_text, is made when written)."""
    return _time.time_ns() // 1000


def _ts_text(us: int) -> str:
    """utcnow()'s text for a time from _line_ts() (the text up to the seconds is made once a second)."""
    global _second
    sec, frac = divmod(us, 1_000_000)
    stamp = _second
    if stamp[0] != sec:
        stamp = _second = (sec, datetime.fromtimestamp(sec, UTC).isoformat(timespec="seconds")[:19] + ".")
    return f"{stamp[1]}{frac:06d}+00:00"


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without passwd entry)
        return (
            os.environ.get("USER")
            or os.environ.get("USERNAME")
            or f"uid{os.getuid() if hasattr(os, 'getuid') else '?'}"
        )


def sha256_of_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def retention_years() -> int:
    env = os.environ.get("EXPORTSCREEN_AUDIT_RETENTION_YEARS")
    if env:
        try:
            years = int(env)
        except ValueError:
            raise ValueError(
                f"EXPORTSCREEN_AUDIT_RETENTION_YEARS must be a whole number of years, not {env!r}"
            ) from None
        if years < 1:
            raise ValueError("EXPORTSCREEN_AUDIT_RETENTION_YEARS must be at least 1")
        return years
    return DEFAULT_RETENTION_YEARS


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def _local_day_start_utc(d: date) -> str:
    """Local midnight of ``d`` as a UTC ISO string (dates typed by the user are local dates)."""
    return datetime.combine(d, time()).astimezone().astimezone(UTC).isoformat(timespec="microseconds")


def default_url(home: str | os.PathLike | None = None) -> str:
    """$EXPORTSCREEN_AUDIT_URL, else the store's (:func:`exportscreen.store.default_url`; ``home``: another
    EXPORTSCREEN_HOME than the one in use)."""
    return os.environ.get("EXPORTSCREEN_AUDIT_URL") or store.default_url(home)


# ----------------------------------------------------------------------------------------------------------
# runs


@dataclass
class Run:
    """One check/screen/udf run. :meth:`record` buffers; the log writes everything when the run ends (or, after
    :meth:`commit_in_background`, while the caller does something else)."""

    log: AuditLog
    id: int
    kind: str
    file: str | None
    file_sha256: str | None
    sheet: str | None
    started: str
    user: str
    host: str
    # buffered lines: see _add
    _buf: list = field(default_factory=list, repr=False)
    _spool: Any = field(default=None, repr=False)  # a temporary file of pickled batches, for runs of many lines
    _spooled: int = 0
    # the distinct decision parts of the run's lines (_decision_part): a buffered or spooled line names its part by its
    # number here, so that a spooled piece does not carry (and reading it back does not copy) the texts many lines share
    _parts: list = field(default_factory=list, repr=False)
    _part_no: dict = field(default_factory=dict, repr=False)  # id(part) -> its number (the part is kept in _parts)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _committer: Any = field(default=None, repr=False)
    output: str | None = None  # the file the run writes (see AuditLog.run)
    output_sha256: str | None = None  # of that file as about to be renamed into place (see before_replace)
    _state: str = "open"  # "recorded" once the run's entries are committed, "broken" when committing failed
    _chain: tuple = ()  # (seq, hash) of the chain head before the run, and of the run's summary entry
    first_seq: int | None = None
    last_seq: int | None = None
    counts: dict = field(default_factory=dict)
    commit_seconds: float | None = None  # time spent writing the run to the log (in the background or not)
    reviewer: str | None = None  # who screened (recorded on the run and in its chained summary)
    ref_heads: tuple[str, ...] = ()  # the identifying columns' headers (see set_refs), as JSON with a comma

    def set_refs(self, headers: Any) -> None:
        """The headers of the order's identifying columns (受注番号, PO, 品名, 数量 … as found), in the order
        of the values each line passes to :meth:`record_values` as ``refs``."""
        self.ref_heads = tuple(_encode_str(str(h)) + "," for h in headers)

    def record(self, inputs: dict, decision: Decision, row: int | None = None) -> None:
        """One decided line: its inputs (field name -> cell value), the decision, the worksheet row (1-based)."""
        self._add(None, _inputs_json(inputs), decision, row)

    def _add(self, names: tuple | None, inputs: Any, d: Decision, row: int | None = None, refs: Any = None) -> None:
        # (time, row, input names or None, input values or their JSON, decision part or its number in _parts, as-of
        # date, identifying values or None): what is the same for many lines is one object, and the texts are made
        # when the run is written (_insert_lines)
        part: Any = _decision_part(d)
        ts, row = _line_ts(), int(row) if row is not None else None
        with self._lock:
            if self._committer is not None:
                raise RuntimeError("audit run is being written: no more records")
            no = self._part_no.get(id(part))
            if no is None and len(self._parts) < RUN_PARTS:
                no = self._part_no[id(part)] = len(self._parts)
                self._parts.append(part)
            entry = (ts, row, names, inputs, part if no is None else no, d.as_of, refs)
            buf = self._buf
            buf.append(entry)
            # keep memory flat on 1M-line workbooks: once a run is spooled, it spools every piece
            if len(buf) >= (SPOOL_BATCH if self._spool is None else min(SPOOL_BATCH, SPOOL_PIECE)):
                self._spill()

    record_values = _add  # (one call per line, not two)
    record_values.__doc__ = """record_values(names, values, decision, row=None, refs=None): :meth:`record` with the
        inputs as names and values (``dict(zip(names, values))``, without the dict), and the line's identifying
        cells ``refs`` in the order of :meth:`set_refs`. The values are encoded when the run is written: they must not
        change until then (cell values do not)."""

    def _spill(self) -> None:
        """The buffered lines to the spool file (under the lock)."""
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()
        buf = self._buf
        for i in range(0, len(buf), SPOOL_PIECE):  # read back a piece at a time
            data = pickle.dumps(buf[i : i + SPOOL_PIECE], protocol=pickle.HIGHEST_PROTOCOL)
            self._spool.write(len(data).to_bytes(8, "little"))
            self._spool.write(data)
        self._spooled += len(buf)
        self._buf = []

    def commit_in_background(self) -> bool:
        """Start writing the recorded lines to the log in a thread while the caller goes on (e.g. writes the
        workbook); the run's summary entry, with its status, follows when the run ends, in the same transaction.
        Nothing can be recorded after this. The log's write lock is held from now until the run ends. Returns
        False (and does nothing) where a thread cannot share the database (an in-memory SQLite database)."""
        if self._committer is not None:
            return True
        if self.log.engine.pool.__class__.__name__ == "SingletonThreadPool":  # one connection per thread
            return False
        with self._lock:
            if self._spool is not None and self._buf:  # a big run: its last lines are read back a piece at a time
                self._spill()
            self._committer = _Committer(self)
        self._committer.start()
        return True

    def before_replace(self, tmp: str | os.PathLike) -> None:
        """Commit the run's records, with the SHA-256 of ``tmp`` (the written file, not yet renamed into place), to
        the log: the ``before_replace`` callback of :func:`exportscreen.files.atomic_write`. A database error (disk
        full, read-only, connection lost) raises :class:`UserError`, which makes the write remove ``tmp`` and leave
        the target as it was. Call :meth:`replaced` after the rename."""
        self.output_sha256 = sha256_of_file(tmp)
        try:
            self.log._commit(self, "ok")
        except Exception as exc:
            self._state = "broken"
            why = f"{exc.__class__.__name__}: {(str(exc).splitlines() or [''])[0]}"[:300]
            name = Path(self.output or "").name
            raise UserError(
                f"監査ログに記録できませんでした（{why}）。{name} は変更していません",
                f"could not record the run in the audit log ({why}); {name} was not changed",
            ) from exc

    def replaced(self) -> None:
        """The file is in place: the run is complete (its line in this machine's anchor, its journal row gone)."""
        self.log._complete(self)

    def _batches(self) -> Iterator[list]:
        """Every buffered entry, in record order, in batches (the spooled ones first)."""
        if self._spool is not None:
            spool = self._spool
            spool.seek(0)
            while True:
                size = spool.read(8)
                if not size:
                    break
                yield pickle.loads(spool.read(int.from_bytes(size, "little")))  # one read: one GIL release
            spool.close()
            self._spool, self._spooled = None, 0
        buf, self._buf = self._buf, []
        if buf:
            yield buf

    def __len__(self) -> int:
        return self._spooled + len(self._buf)


class _Committer(threading.Thread):
    """Writes a run's lines in the background, then waits for the run's status to finish the transaction."""

    def __init__(self, run: Run):
        super().__init__(name=f"audit-run-{run.id}", daemon=True)
        self.run_ = run
        self.status: str | None = None
        self.status_known = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.run_.log._write_run(self.run_, self._wait_status)
        except BaseException as exc:  # handed to the thread that ends the run
            self.error = exc

    def _wait_status(self) -> str:
        self.status_known.wait()
        return self.status or "failed"

    def finish(self, status: str) -> None:
        self.status = status
        self.status_known.set()
        self.join()
        if self.error is not None:
            raise self.error


class AuditLog:
    def __init__(self, url: str, retention: int | None = None):
        self.url = url
        self.retention_years = retention if retention is not None else retention_years()
        self.engine = store.make_engine(url)
        self.log_id = store.redact(url)  # names this log in the anchor
        self.dialect = self.engine.dialect.name
        self.host = socket.gethostname()
        self.user = _user()
        self._sql_cache: dict[tuple, str] = {}
        self._max_params = 65535 if self.dialect == "postgresql" else 999  # bound parameters per statement
        self._mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"  # a bound parameter in raw SQL
        self._create_schema()

    def __repr__(self) -> str:
        return f"AuditLog({store.redact(self.url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def _write(self, durable: bool = False):
        """A write transaction (see :func:`exportscreen.store.transaction`)."""
        return store.transaction(self.engine, durable=durable)

    # -- schema ---------------------------------------------------------------------------------------------
    def _create_schema(self) -> None:
        store.migrate(self.engine)  # the audit tables are the store's baseline migration
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                dbapi: Any = conn.connection.dbapi_connection
                self._max_params = dbapi.getlimit(SQLITE_LIMIT_VARIABLE_NUMBER) if hasattr(dbapi, "getlimit") else 999

    # -- writing --------------------------------------------------------------------------------------------
    @contextmanager
    def run(
        self,
        kind: str = "check",
        file: str | os.PathLike | None = None,
        file_sha256: str | None = None,
        sheet: str | None = None,
        reviewer: str | None = None,
        output: str | os.PathLike | None = None,
    ) -> Iterator[Run]:
        """A run; ``reviewer`` defaults to :func:`exportscreen.config.reviewer` (the configured name, else the OS
        login).

        A run that writes a file (``output``) is journalled: its start is committed durably (stage "started", with
        the file and its SHA-256); the writer passes :meth:`Run.before_replace` to the atomic write, which commits
        the records before the rename, and calls :meth:`Run.replaced` after it. A crash at any point leaves the
        journal row, reported by :meth:`incomplete_runs` and :meth:`verify`."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        fname = os.fspath(file) if file is not None else None
        if fname is not None and file_sha256 is None and os.path.isfile(fname):
            file_sha256 = sha256_of_file(fname)
        started = utcnow()
        if reviewer is None:
            from exportscreen.config import reviewer as configured_reviewer

            reviewer = configured_reviewer()
        with self._write(durable=output is not None) as conn:
            run_id = conn.execute(
                runs_t.insert()
                .values(
                    started=started,
                    reviewer=reviewer,
                    username=self.user,
                    host=self.host,
                    kind=kind,
                    file=fname,
                    file_sha256=file_sha256,
                    sheet=sheet,
                    status="running",
                )
                .returning(runs_t.c.id)
            ).scalar_one()
            if output is not None:
                conn.execute(
                    pending_t.insert().values(run_id=run_id, stage="started", pid=os.getpid(), output=str(output))
                )
        r = Run(self, run_id, kind, fname, file_sha256, sheet, started, self.user, self.host, reviewer=reviewer)
        r.output = os.fspath(output) if output is not None else None
        _running.add(run_id)
        try:
            yield r
        except BaseException:
            if r._state == "open":
                try:
                    self._commit(r, "failed")  # what was decided before the failure is still on record
                except Exception:
                    if r.output is None:
                        raise
                    # the log fails too: the first error is the one to report; the journal row stays and
                    # reports the run as interrupted
            raise
        else:
            if r._state == "open":
                self._commit(r, "ok")
        finally:
            _running.discard(run_id)

    def _commit(self, r: Run, status: str) -> None:
        committer = r._committer
        if committer is not None:
            committer.finish(status)
        else:
            self._write_run(r, lambda: status)
        r._state = "recorded"
        if r.output is None:
            self._anchor(r)

    def _complete(self, r: Run) -> None:
        """After the rename: this machine's anchor, then the journal row goes (a crash between the two leaves the
        run reported as interrupted after its records)."""
        self._anchor(r)
        with self._write() as conn:
            conn.execute(pending_t.delete().where(pending_t.c.run_id == r.id))

    def _anchor(self, r: Run) -> None:
        """The run's summary entry into this machine's anchor (a failure to write it is a warning: the run itself is
        complete)."""
        try:
            (before, entry) = r._chain
            audit_anchor.append(self.log_id, entry[0], entry[1], r.id, utcnow(), before)
        except Exception as exc:
            print(f"exportscreen: warning: the audit anchor was not written: {exc}", file=sys.stderr)

    def _write_run(self, r: Run, status_of_run) -> None:
        """One transaction: the run's lines, then (once ``status_of_run()`` tells the status) its summary entry,
        the chain head and the runs row."""
        t0 = _time.perf_counter()
        with self._write(durable=r.output is not None) as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()).one()
            seq, prev = int(h.seq), h.hash
            before = (seq, prev)
            first = seq + 1
            seq, prev, counts = self._insert_lines(conn, r, seq, prev)
            n = seq - first + 1
            t_wait = _time.perf_counter()
            status = status_of_run()
            waited = _time.perf_counter() - t_wait
            finished = utcnow()
            summary = {
                "run_id": r.id,
                "kind": r.kind,
                "started": r.started,
                "finished": finished,
                "status": status,
                "counts": dict(sorted(counts.items())),
                "n_records": n,
                "first_seq": first if n else None,
                "last_seq": seq if n else None,
            }
            if r.reviewer is not None:
                summary["reviewer"] = r.reviewer
            if r.output is not None and r.output_sha256 is not None:  # about to be renamed into place
                summary["output"], summary["output_sha256"] = r.output, r.output_sha256
            seq += 1
            run_entry = {
                "seq": seq,
                "rtype": "run",
                "run_id": r.id,
                "ts": finished,
                "username": r.user,
                "host": r.host,
                "file": r.file,
                "file_sha256": r.file_sha256,
                "sheet": r.sheet,
                "row_no": None,
                "inputs": None,
                "decision": None,
                "label": None,
                "reasons": None,
                "detail": canonical(summary),
                "rules_version": None,
                "eul_version": None,
                "as_of": None,
                "refs": None,
                "reasons_ref": None,
                "detail_ref": None,
            }
            run_entry["prev_hash"] = prev
            prev = run_entry["hash"] = chain_hash(prev, run_entry)
            cols = [c.name for c in records_t.columns]
            conn.exec_driver_sql(self._insert_sql(cols, 1), tuple(run_entry[c] for c in cols))
            conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=seq, hash=prev))
            conn.execute(
                runs_t.update()
                .where(runs_t.c.id == r.id)
                .values(
                    finished=finished,
                    status=status,
                    n_records=summary["n_records"],
                    counts=canonical(summary["counts"]),
                    first_seq=summary["first_seq"],
                    last_seq=summary["last_seq"],
                    seq=seq,
                )
            )
            if r.output is not None:
                journal = pending_t.c.run_id == r.id
                if r.output_sha256 is None:  # the run ends without writing its file: nothing to follow up
                    conn.execute(pending_t.delete().where(journal))
                else:
                    conn.execute(
                        pending_t.update().where(journal).values(stage="recorded", output_sha256=r.output_sha256)
                    )
        r._chain = (before, (seq, prev))
        r.first_seq, r.last_seq, r.counts = summary["first_seq"], summary["last_seq"], summary["counts"]
        r.commit_seconds = _time.perf_counter() - t0 - waited  # writing, not waiting for the status

    _LINE_COLS = (
        "seq",
        "ts",
        "row_no",
        "inputs",
        "as_of",
        "prev_hash",
        "hash",
        "rtype",
        "run_id",
        "username",
        "host",
        "file",
        "file_sha256",
        "sheet",
        "decision",
        "label",
        "reasons",
        "detail",
        "rules_version",
        "eul_version",
        "refs",
        "reasons_ref",
        "detail_ref",
    )

    def _insert_sql(self, cols, rows: int) -> str:
        """INSERT of ``rows`` rows in one statement (one round trip, one step of the database engine)."""
        key = (tuple(cols), rows)
        sql = self._sql_cache.get(key)
        if sql is None:
            one = "(" + ",".join([self._mark] * len(cols)) + ")"
            sql = self._sql_cache[key] = f"INSERT INTO {records_t.name} ({', '.join(cols)}) VALUES " + ",".join(
                [one] * rows
            )
        return sql

    def _insert_lines(self, conn, r: Run, seq: int, prev: str) -> tuple[int, str, dict]:
        """Chain and insert the run's buffered lines after entry ``seq`` (hash ``prev``): (last seq, its hash,
        lines per decision code). The hashed text of each line is put together from the pre-encoded parts (see
        _decision_part); it is the text chain_hash() builds from the stored columns."""
        cols = self._LINE_COLS
        # SQLite: many rows per INSERT (one statement step, which lets go of the GIL, per batch); elsewhere one row
        # per INSERT, executemany (psycopg pipelines it; a PostgreSQL statement of thousands of rows plans slowly)
        multirow = self.dialect == "sqlite"
        per_stmt = INSERT_ROWS_SPOOLED if r._spooled else INSERT_ROWS
        if multirow:
            per_stmt = max(1, min(per_stmt, self._max_params // len(cols)))
        full_sql = self._insert_sql(cols, per_stmt if multirow else 1)
        run_cols = ("line", r.id, r.user, r.host, r.file, r.file_sha256, r.sheet)
        # seq, "line", run_id, ts, username, host, file, file_sha256, sheet, row_no, inputs, <part>, as_of
        head = ',"line",' + _HASH_ENCODER.encode(r.id) + ',"'
        mid = '",' + _HASH_ENCODER.encode([r.user, r.host, r.file, r.file_sha256, r.sheet])[1:-1] + ","
        enc, sha256, values_json = _encode_str, hashlib.sha256, _values_json
        as_of_texts, as_of_cache = _as_of_texts, _as_of_tails
        ref_heads, refs_json = r.ref_heads, _refs_json
        parts = r._parts
        second, second_text = -1, ""
        counts: dict[str, int] = {}
        pending: list = []
        texts: dict[str, str] = {}  # the run's texts by their SHA-256 (stored once, with the lines)
        for entries in r._batches():
            for us, row, names, inputs, part, as_of, refs in entries:
                seq += 1
                if part.__class__ is int:
                    part = parts[part]
                sec, frac = divmod(us, 1_000_000)
                if sec != second:  # _ts_text, its text up to the seconds once a second
                    second, second_text = sec, _ts_text(us)[:20]
                ts = f"{second_text}{frac:06d}+00:00"
                if names is not None:
                    inputs = values_json(names, inputs)
                as_of, tail = as_of_cache.get(as_of) or as_of_texts(as_of)
                data = f"{prev}[{seq}{head}{ts}{mid}{'null' if row is None else row},{enc(inputs)},".encode()
                if refs is not None:
                    refs = refs_json(ref_heads, refs)
                if refs is not None:  # hashed after the as-of date (see chain_hash)
                    tail = tail[:-1] + f",{enc(refs)}]".encode()
                # hashed piece by piece (the decision's part is not copied), each under 2 KiB (see _sha256_hex)
                prev_hash = prev
                if len(data) < 2048 and len(part[6]) < 2048 and len(tail) < 2048:
                    h = sha256(data)
                    h.update(part[6])
                    h.update(tail)
                    prev = h.hexdigest()
                else:
                    prev = _sha256_hex(data, part[6], tail)
                rref, dref = part[7], part[8]
                # reasons and detail null: stored once (texts), by reference
                pending.append(
                    (seq, ts, row, inputs, as_of, prev_hash, prev, *run_cols, *part[:2], None, None, *part[4:6])
                    + (refs, rref, dref)
                )
                if rref not in texts:
                    texts[rref] = part[2]
                if dref not in texts:
                    texts[dref] = part[3]
                counts[part[0]] = counts.get(part[0], 0) + 1
                if len(pending) == per_stmt:
                    conn.exec_driver_sql(full_sql, tuple(chain.from_iterable(pending)) if multirow else pending)
                    pending = []
        if pending and multirow:
            conn.exec_driver_sql(self._insert_sql(cols, len(pending)), tuple(chain.from_iterable(pending)))
        elif pending:
            conn.exec_driver_sql(full_sql, pending)
        if texts:  # in the same transaction: a text another run stored already is not stored again
            conn.exec_driver_sql(
                f"INSERT INTO {texts_t.name} (hash, text) VALUES ({self._mark}, {self._mark}) ON CONFLICT (hash) "
                "DO NOTHING",
                list(texts.items()),
            )
        return seq, prev, counts

    # -- reading --------------------------------------------------------------------------------------------
    def runs(self, limit: int | None = None) -> list[dict]:
        q = select(runs_t).order_by(runs_t.c.id.desc())
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return list(self._runs_from(rows))

    def run_info(self, run_id: int) -> dict | None:
        with self.engine.connect() as conn:
            m = conn.execute(select(runs_t).where(runs_t.c.id == run_id)).mappings().first()
        if m is None:
            return None
        return next(r for r in self._runs_from([m]))

    def _runs_from(self, rows):
        for m in rows:
            yield {
                "id": m["id"],
                "started": m["started"],
                "finished": m["finished"],
                "user": m["username"],
                "reviewer": m["reviewer"],
                "host": m["host"],
                "kind": m["kind"],
                "file": m["file"],
                "file_sha256": m["file_sha256"],
                "sheet": m["sheet"],
                "status": m["status"],
                "n_records": m["n_records"] or 0,
                "counts": json.loads(m["counts"]) if m["counts"] else {},
                "seq": m["seq"],
            }

    def records(
        self, run_id: int | None = None, date_from: date | str | None = None, date_to: date | str | None = None
    ) -> list[dict]:
        """Screened lines (oldest first). Dates are local calendar days, both ends inclusive."""
        q = _records_select().where(records_t.c.rtype == "line").order_by(records_t.c.seq)
        if run_id is not None:
            q = q.where(records_t.c.run_id == int(run_id))
        if date_from is not None:
            q = q.where(records_t.c.ts >= _local_day_start_utc(_as_date(date_from)))
        if date_to is not None:
            q = q.where(records_t.c.ts < _local_day_start_utc(_as_date(date_to) + timedelta(days=1)))
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        out = []
        for m in rows:
            detail = json.loads(m["detail"]) if m["detail"] else {}
            out.append(
                {
                    "seq": m["seq"],
                    "run_id": m["run_id"],
                    "ts": m["ts"],
                    "user": m["username"],
                    "host": m["host"],
                    "file": m["file"],
                    "file_sha256": m["file_sha256"],
                    "sheet": m["sheet"],
                    "row": m["row_no"],
                    "inputs": json.loads(m["inputs"]) if m["inputs"] else {},
                    "decision": m["decision"],
                    "label": m["label"],
                    "reasons": json.loads(m["reasons"]) if m["reasons"] else [],
                    "country": detail.get("country"),
                    "item": detail.get("item"),
                    "rules_version": m["rules_version"],
                    "eul_version": m["eul_version"],
                    "as_of": m["as_of"],
                    "refs": json.loads(m["refs"]) if m["refs"] else [],
                    "prev_hash": m["prev_hash"],
                    "hash": m["hash"],
                }
            )
        return out

    def chain_head(self) -> str:
        """The chain head as printed for people to keep (サマリー of the audit workbook, ``audit verify``):
        ``seq N · <first 16 hex digits of its hash>``."""
        seq, h = self.head()
        return f"seq {seq} · {h[:16]}"

    def head(self) -> tuple[int, str]:
        with self.engine.connect() as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).one()
        return int(h.seq), h.hash

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(records_t)).scalar_one())

    # -- verification ---------------------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """Problems found in the chain, each naming the seq (empty list = valid); see :meth:`check`."""
        return self.check().problems

    def check(self) -> Verification:
        """The chain checked entry by entry, against the runs table, this machine's anchor (see
        :mod:`exportscreen.audit_anchor`) and the journal of runs that write a file (interrupted runs are
        problems), with notes that are not problems (where the anchor started, unsigned old purge checkpoints)."""
        problems: list[str] = []
        notes: list[str] = []
        anchor = audit_anchor.read(self.log_id)  # before the database: every anchored entry is committed
        problems += anchor.problems
        if anchor.start:
            notes.append(
                f"anchor started at seq {anchor.start} (entries up to it were written before this machine "
                "kept an anchor of this log)"
            )
        elif anchor.key is None or not anchor.points:
            notes.append("no anchor of this log on this machine yet (written at the end of each run)")
        kid = audit_anchor.key_id(anchor.key) if anchor.key else None
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":  # one snapshot for the head and every entry
                conn.execution_options(isolation_level="REPEATABLE READ")
            head = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).first()
            purges = {}
            signed_through = 0  # the last seq deleted by a purge checkpoint signed with this machine's key
            for m in conn.execute(select(records_t.c.seq, records_t.c.detail).where(records_t.c.rtype == "purge")):
                try:
                    d = json.loads(m.detail)
                    purges[int(d["through_seq"])] = d["through_hash"]
                except Exception:
                    continue  # a damaged purge entry fails its own hash check below
                mac, signer = d.pop("mac", None), d.pop("key_id", None)
                if mac is None:
                    notes.append(f"seq {m.seq}: purge checkpoint not signed (made before checkpoints were signed)")
                elif signer != kid or anchor.key is None:
                    notes.append(f"seq {m.seq}: purge checkpoint signed with another machine's key (not checked here)")
                elif not audit_anchor.signed_ok(anchor.key, d, mac):
                    problems.append(f"seq {m.seq}: purge checkpoint signature does not match (checkpoint forged)")
                else:
                    signed_through = max(signed_through, int(d["through_seq"]))
            points = anchor.points
            first_seq: int | None = None
            run_entries: dict[int, dict] = {}
            lines_per_run: Counter = Counter()
            expected: int | None = None
            prev = GENESIS
            last_seq = 0
            result = conn.execution_options(yield_per=10000).execute(_records_select().order_by(records_t.c.seq))
            for row in result.mappings():
                seq = int(row["seq"])
                point = points.get(seq)
                if point is not None and point[0] != row["hash"]:
                    problems.append(
                        f"seq {seq}: hash differs from this machine's anchor of {point[1]} (chain rewritten)"
                    )
                if expected is None:  # first entry present
                    first_seq = seq
                    if seq == 1:
                        prev = GENESIS
                    elif seq - 1 in purges:
                        prev = purges[seq - 1]
                    else:
                        problems.append(_missing(max(purges) + 1 if purges and max(purges) < seq else 1, seq - 1))
                        prev = row["prev_hash"]
                elif seq != expected:
                    problems.append(_missing(expected, seq - 1))
                if row["prev_hash"] != prev:
                    problems.append(
                        f"seq {seq}: prev_hash does not match the hash of the entry before it "
                        "(an entry was inserted, deleted or moved here)"
                    )
                if chain_hash(row["prev_hash"], row) != row["hash"]:
                    problems.append(f"seq {seq}: content does not match its hash (entry edited, forged or moved)")
                for ref, text in (("reasons_ref", "reasons"), ("detail_ref", "detail")):
                    if row[ref] is not None and row[text] is None:
                        problems.append(f"seq {seq}: its {text} text {row[ref][:12]} is missing from audit_texts")
                if row["rtype"] == "line":
                    lines_per_run[row["run_id"]] += 1
                elif row["rtype"] == "run":
                    try:
                        run_entries[int(row["run_id"])] = {"seq": seq, **json.loads(row["detail"]), "row": dict(row)}
                    except Exception:
                        problems.append(f"seq {seq}: run summary is not readable")
                elif row["rtype"] == "note":
                    notes.append(_note_text(seq, row))
                elif row["rtype"] != "purge":
                    problems.append(f"seq {seq}: unknown entry type {row['rtype']!r}")
                prev = row["hash"]
                expected = seq + 1
                last_seq = seq
            if head is None:
                problems.append("chain head row is missing")
            else:
                if int(head.seq) != last_seq:
                    problems.append(
                        f"chain head is at seq {head.seq} but the last entry is seq {last_seq} "
                        + (
                            "(entries deleted at the end)"
                            if int(head.seq) > last_seq
                            else "(entries appended outside the log)"
                        )
                    )
                elif head.hash != prev:
                    problems.append(f"seq {last_seq}: hash differs from the chain head's (last entry replaced)")
            if points:  # the end of the chain and its purged start against this machine's anchor
                top = max(points)
                if top > last_seq:
                    h, at = points[top]
                    problems.append(
                        f"{_seqs(last_seq + 1, top)}: missing at the end — this machine's anchor of {at} records "
                        f"seq {top} (hash {h[:12]}), the log ends at seq {last_seq} (entries deleted, or the log "
                        "replaced by an older copy)"
                    )
                gone = [q for q in points if q <= last_seq and (first_seq is None or q < first_seq)]
                gone = [q for q in gone if q > signed_through]
                if gone:
                    problems.append(
                        f"{_seqs(min(gone), max(gone))}: anchored on this machine, deleted without a purge checkpoint "
                        "signed with this machine's key"
                    )
            # the runs table against the chained run summaries
            purged_through = max(purges) if purges else 0
            for rm in conn.execute(select(runs_t).order_by(runs_t.c.id)).mappings():
                rid = int(rm["id"])
                ent = run_entries.pop(rid, None)
                if ent is None:
                    if rm["finished"] is not None:
                        problems.append(
                            f"run {rid}: finished run has no summary entry in the chain "
                            "(run row inserted or its entry deleted)"
                        )
                    continue
                row = ent["row"]
                table = {
                    "finished": rm["finished"],
                    "status": rm["status"],
                    "n_records": rm["n_records"],
                    "counts": json.loads(rm["counts"]) if rm["counts"] else {},
                    "started": rm["started"],
                    "kind": rm["kind"],
                    "file": rm["file"],
                    "file_sha256": rm["file_sha256"],
                    "sheet": rm["sheet"],
                    "username": rm["username"],
                    "host": rm["host"],
                    "seq": rm["seq"],
                    "reviewer": rm["reviewer"],
                }
                chained = {
                    "finished": ent.get("finished"),
                    "status": ent.get("status"),
                    "n_records": ent.get("n_records"),
                    "counts": ent.get("counts"),
                    "started": ent.get("started"),
                    "kind": ent.get("kind"),
                    "file": row["file"],
                    "file_sha256": row["file_sha256"],
                    "sheet": row["sheet"],
                    "username": row["username"],
                    "host": row["host"],
                    "seq": ent["seq"],
                    "reviewer": ent.get("reviewer"),
                }
                diff = sorted(k for k in table if table[k] != chained[k])
                if diff:
                    problems.append(
                        f"run {rid} (seq {ent['seq']}): runs table differs from the chain in {', '.join(diff)}"
                    )
                first = ent.get("first_seq")
                if ent.get("n_records") != lines_per_run.get(rid, 0) and not (first and first <= purged_through):
                    problems.append(
                        f"run {rid} (seq {ent['seq']}): chain says {ent.get('n_records')} lines, "
                        f"{lines_per_run.get(rid, 0)} found"
                    )
            for rid, ent in run_entries.items():
                problems.append(f"run {rid} (seq {ent['seq']}): row missing from the runs table")
        problems += [describe_incomplete(r) for r in self.incomplete_runs()]
        return Verification(problems, notes)

    def incomplete_runs(self, exclude: int | None = None) -> list[dict]:
        """Runs that write a file and did not finish (their journal rows), but those of a live process on this
        host, oldest first: the run's id, kind, file and SHA-256 as read, who/where/when, the stage it reached
        ("started": nothing recorded; "recorded": records committed, the rename not confirmed), the output and the
        SHA-256 it was to have, and ``now_sha256``: the output's SHA-256 now (None when it is not on this host)."""
        cols = (runs_t.c.kind, runs_t.c.file, runs_t.c.file_sha256, runs_t.c.started, runs_t.c.username)
        q = (
            select(pending_t, runs_t.c.host, *cols, runs_t.c.first_seq, runs_t.c.last_seq)
            .select_from(pending_t.outerjoin(runs_t, runs_t.c.id == pending_t.c.run_id))
            .order_by(pending_t.c.run_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        out = []
        for m in rows:
            here = m["host"] == self.host
            if m["run_id"] == exclude or (here and _alive(m["pid"], m["run_id"])):
                continue
            now = None
            if here and m["output"]:
                with suppress(OSError):
                    now = sha256_of_file(m["output"])
            out.append({**m, "now_sha256": now})
        return out

    def resolve(self, run_id: int, note: str) -> int:
        """Close an interrupted run (see :meth:`incomplete_runs`) once a person has looked at its file: a chained
        ``note`` entry records who, when, their note, the stage the run reached and the file's SHA-256 now; the
        journal row goes (verify then lists the run among its notes). Returns the entry's seq."""
        found = [r for r in self.incomplete_runs() if r["run_id"] == run_id]
        if not found:
            raise UserError(
                f"実行 {run_id} は中断された実行ではありません（audit verify で確認）",
                f"run {run_id} is not an interrupted run (see audit verify)",
            )
        r = found[0]
        detail = {
            "resolves_run": run_id,
            "stage": r["stage"],
            "note": note,
            "output": r["output"],
            "output_sha256": r["output_sha256"],
            "sha256_now": r["now_sha256"],
        }
        with self._write(durable=True) as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()).one()
            if conn.execute(pending_t.delete().where(pending_t.c.run_id == run_id)).rowcount != 1:
                raise UserError(f"実行 {run_id} は解決済みです", f"run {run_id} was resolved meanwhile")
            entry: dict[str, Any] = dict.fromkeys(CONTENT_FIELDS)
            entry.update(seq=int(h.seq) + 1, rtype="note", run_id=run_id, ts=utcnow(), username=self.user)
            entry.update(host=self.host, file=r["file"], file_sha256=r["file_sha256"], detail=canonical(detail))
            entry["prev_hash"] = h.hash
            entry["hash"] = chain_hash(h.hash, entry)
            conn.execute(records_t.insert(), [entry])
            conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=entry["seq"], hash=entry["hash"]))
        with suppress(Exception):
            audit_anchor.append(self.log_id, entry["seq"], entry["hash"], run_id, entry["ts"], (int(h.seq), h.hash))
        return int(entry["seq"])

    # -- retention ------------------------------------------------------------------------------------------
    def purge(self, now: datetime | None = None, dry_run: bool = False) -> dict:
        """Delete the oldest whole runs whose every entry is older than the retention period.

        Leaves a ``purge`` checkpoint entry (through_seq, through_hash) so the remaining chain verifies.
        Returns ``{"cutoff", "through_seq", "deleted_records", "deleted_runs"}``."""
        now = now or datetime.now(UTC)
        cutoff = _years_before(now.astimezone(UTC), self.retention_years).isoformat(timespec="microseconds")
        with self._write() as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()).one()
            young = conn.execute(select(func.min(records_t.c.seq)).where(records_t.c.ts >= cutoff)).scalar()
            limit = (int(young) - 1) if young is not None else int(h.seq)
            # cut only right after a run summary (or an earlier checkpoint): whole runs go, never half of one
            through = conn.execute(
                select(func.max(records_t.c.seq)).where(
                    records_t.c.seq <= limit, records_t.c.rtype.in_(("run", "purge"))
                )
            ).scalar()
            first_present = conn.execute(select(func.min(records_t.c.seq))).scalar()
            result = {"cutoff": cutoff, "through_seq": None, "deleted_records": 0, "deleted_runs": 0}
            if through is None or first_present is None or int(through) < int(first_present):
                return result
            through = int(through)
            n_rec = conn.execute(
                select(func.count()).select_from(records_t).where(records_t.c.seq <= through)
            ).scalar_one()
            n_runs = conn.execute(select(func.count()).select_from(runs_t).where(runs_t.c.seq <= through)).scalar_one()
            result.update(through_seq=through, deleted_records=int(n_rec), deleted_runs=int(n_runs))
            if dry_run:
                return result
            through_hash = conn.execute(select(records_t.c.hash).where(records_t.c.seq == through)).scalar_one()
            detail = {
                "through_seq": through,
                "through_hash": through_hash,
                "cutoff": cutoff,
                "retention_years": self.retention_years,
                "deleted_records": int(n_rec),
                "deleted_runs": int(n_runs),
            }
            conn.execute(records_t.delete().where(records_t.c.seq <= through))
            conn.execute(runs_t.delete().where(runs_t.c.seq <= through))
            conn.execute(  # the texts no line refers to any more go with them
                texts_t.delete().where(
                    texts_t.c.hash.not_in(select(records_t.c.reasons_ref).where(records_t.c.reasons_ref.is_not(None))),
                    texts_t.c.hash.not_in(select(records_t.c.detail_ref).where(records_t.c.detail_ref.is_not(None))),
                )
            )
            seq = int(h.seq) + 1
            ts = utcnow()
            entry = {
                "seq": seq,
                "rtype": "purge",
                "run_id": None,
                "ts": ts,
                "username": self.user,
                "host": self.host,
                "file": None,
                "file_sha256": None,
                "sheet": None,
                "row_no": None,
                "inputs": None,
                "decision": None,
                "label": None,
                "reasons": None,
                "rules_version": None,
                "eul_version": None,
                "as_of": None,
                "refs": None,
                "detail": canonical(_signed(detail)),
            }
            entry["prev_hash"] = h.hash
            entry["hash"] = chain_hash(h.hash, {k: entry[k] for k in CONTENT_FIELDS})
            conn.execute(records_t.insert(), [entry])
            conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=seq, hash=entry["hash"]))
        return result


@dataclass
class Verification:
    problems: list[str]  # each naming the seq or run; none: the log is intact and every run complete
    notes: list[str]  # what was not checked, or is worth knowing (not problems)


def _records_select() -> Any:
    """audit_records with each line's reasons and detail as stored: in the row, or once in audit_texts."""
    rt, dt = texts_t.alias("rt"), texts_t.alias("dt")
    shared = {"reasons": rt, "detail": dt}
    cols = [func.coalesce(c, shared[c.name].c.text).label(c.name) if c.name in shared else c for c in records_t.columns]
    joined = records_t.outerjoin(rt, rt.c.hash == records_t.c.reasons_ref).outerjoin(
        dt, dt.c.hash == records_t.c.detail_ref
    )
    return select(*cols).select_from(joined)


def _seqs(a: int, b: int) -> str:
    return f"seq {a}" if a == b else f"seq {a}–{b}"


_running: set[int] = set()  # runs open in this process


def _alive(pid: int | None, run_id: int) -> bool:
    """Whether run ``run_id`` of process ``pid`` of this host is still going (never so on Windows, where os.kill
    would end the process)."""
    if pid == os.getpid():
        return run_id in _running
    if not pid or os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's
    return True


def describe_incomplete(r: dict) -> str:
    """One line for an interrupted run (see AuditLog.incomplete_runs)."""
    what = f"run {r['run_id']} ({r['kind']}, {r['file']}, SHA-256 {r['file_sha256']}, started {r['started']} by "
    what += f"{r['username']}@{r['host']})"
    out, now = r["output"], r["now_sha256"]
    if r["stage"] != "recorded":
        return f"{what}: interrupted before its decisions were recorded; {out} was not replaced by this run"
    if now is None:
        found = "the file is not on this host"
    elif now == r["output_sha256"]:
        found = "the file has it now: it was written"
    elif now == r["file_sha256"]:
        found = "the file still has the SHA-256 it was read with: it was not written"
    else:
        found = f"the file now has SHA-256 {now}"
    recorded = f"seq {r['first_seq']}–{r['last_seq']}" if r["first_seq"] else "no lines"
    return (
        f"{what}: interrupted after its decisions were recorded ({recorded}), before the write of {out} "
        f"(SHA-256 {r['output_sha256']}) was confirmed; {found}"
    )


def _signed(detail: dict) -> dict:
    """A purge checkpoint's detail with its signature (this machine's anchor key, see audit_anchor)."""
    k = audit_anchor.key(create=True)
    assert k is not None
    return {**detail, "mac": audit_anchor.sign(k, detail), "key_id": audit_anchor.key_id(k)}


def _note_text(seq: int, row: Any) -> str:
    """A resolved interrupted run, as verify notes it."""
    try:
        d = json.loads(row["detail"])
        return (
            f"run {d['resolves_run']} was interrupted ({d['stage']}); resolved at seq {seq} by {row['username']}@"
            f"{row['host']} on {row['ts']}: {d['note']} (file SHA-256 then: {d['sha256_now']})"
        )
    except Exception:
        return f"seq {seq}: a note that is not readable"


def _missing(a: int, b: int) -> str:
    return f"seq {a}: missing (entry deleted)" if a == b else f"seq {a}–{b}: missing ({b - a + 1} entries deleted)"


def _as_date(v: date | str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


_logs: dict[tuple[int, str, int | None], AuditLog] = {}
_logs_lock = threading.Lock()


def open_log(url: str | None = None, retention: int | None = None) -> AuditLog:
    """The audit log at ``url`` (SQLAlchemy URL), else $EXPORTSCREEN_AUDIT_URL, else the SQLite file under
    EXPORTSCREEN_HOME. Cached per process and URL, so per-cell callers (Excel functions) stay cheap."""
    url = url or default_url()
    key = (os.getpid(), url, retention)
    with _logs_lock:
        log = _logs.get(key)
        if log is None:
            log = _logs[key] = AuditLog(url, retention)
        return log
