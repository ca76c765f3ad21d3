"""Append-only, hash-chained audit log of screening decisions (取引審査の記録).

Usage (the ``check``/``screen`` commands and the Excel functions call it)::

    from exportscreen.audit import open_log
    log = open_log()                       # $EXPORTSCREEN_AUDIT_URL, else sqlite:///<home>/audit.sqlite3
    with log.run(kind="screen", file="orders.xlsx", sheet="受注") as run:
        run.record(inputs, decision, row=12)   # buffered; written at the end in one transaction
    log.runs(); log.records(run_id=run.id); log.verify()

Storage is SQLAlchemy Core, so the same code runs on the embedded SQLite file (WAL, ``BEGIN IMMEDIATE``)
and on a PostgreSQL database a team shares (``postgresql+psycopg://…``).

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
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
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
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import Engine

from exportscreen.model import Code, Decision
from exportscreen.render import audit_reasons

GENESIS = "0" * 64
DEFAULT_RETENTION_YEARS = 7
KINDS = ("check", "screen", "udf")
BATCH = 5000  # rows per INSERT executemany
SPOOL_BATCH = 20_000  # buffered records per pickled batch on disk (a run's memory stays flat)

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
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_records_run", "run_id"),
    Index("ix_audit_records_ts", "ts"),
)
CONTENT_FIELDS = tuple(c.name for c in records_t.columns if c.name not in ("prev_hash", "hash"))


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


_reasons_json: dict[tuple, str] = {}  # decisions share Reason objects: their JSON is built once
_detail_json: dict[int, tuple[Any, str]] = {}


def _reasons_text(reasons: tuple) -> str:
    text = _reasons_json.get(reasons)
    if text is None:
        if len(_reasons_json) > 20_000:
            _reasons_json.clear()
        text = _reasons_json[reasons] = canonical(audit_reasons(reasons))
    return text


def _part_json(obj: Any) -> str:
    """JSON of a decision's country or item dict, built once per dict object (the engine shares them)."""
    hit = _detail_json.get(id(obj))
    if hit is None or hit[0] is not obj:  # the object is kept with its text, so the id stays its own
        if len(_detail_json) > 20_000:
            _detail_json.clear()
        hit = _detail_json[id(obj)] = (obj, canonical(obj))
    return hit[1]


def _detail_text(country: Any, item: Any) -> str:
    # the same text canonical({"country": country, "item": item}) gives (keys sorted, compact separators)
    return '{"country":' + _part_json(country) + ',"item":' + _part_json(item) + "}"


_HASH_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)


def chain_hash(prev_hash: str, content) -> str:
    """sha256 of the previous hash and the record's content fields (a JSON array in CONTENT_FIELDS order)."""
    values = [content[k] for k in CONTENT_FIELDS]
    return hashlib.sha256((prev_hash + _HASH_ENCODER.encode(values)).encode("utf-8")).hexdigest()


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


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
            raise ValueError(f"EXPORTSCREEN_AUDIT_RETENTION_YEARS must be a whole number of years, not {env!r}")
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


def default_url() -> str:
    env = os.environ.get("EXPORTSCREEN_AUDIT_URL")
    if env:
        return env
    from exportscreen.state import home

    return f"sqlite:///{home() / 'audit.sqlite3'}"


def _redact(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


# ----------------------------------------------------------------------------------------------------------
# runs


@dataclass
class Run:
    """One check/screen/udf run. :meth:`record` buffers; the log writes everything when the run ends."""

    log: AuditLog
    id: int
    kind: str
    file: str | None
    file_sha256: str | None
    sheet: str | None
    started: str
    user: str
    host: str
    _buf: list = field(default_factory=list, repr=False)
    _spool: Any = field(default=None, repr=False)  # a temporary file of pickled batches, for runs of many lines
    _spooled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    first_seq: int | None = None
    last_seq: int | None = None
    counts: dict = field(default_factory=dict)

    def record(self, inputs: dict, decision: Decision, row: int | None = None) -> None:
        d = decision
        code = d.code if isinstance(d.code, Code) else Code(d.code)
        entry = {
            "rtype": "line",
            "run_id": self.id,
            "ts": utcnow(),
            "username": self.user,
            "host": self.host,
            "file": self.file,
            "file_sha256": self.file_sha256,
            "sheet": self.sheet,
            "row_no": int(row) if row is not None else None,
            "inputs": canonical(dict(inputs or {})),
            "decision": code.value,
            "label": code.label,
            "reasons": _reasons_text(tuple(d.reasons)),
            "detail": _detail_text(d.country, d.item),
            "rules_version": d.rules_version,
            "eul_version": d.eul_version,
            "as_of": d.as_of.isoformat() if d.as_of is not None else None,
        }
        with self._lock:
            self._buf.append(entry)
            if len(self._buf) >= SPOOL_BATCH:  # keep memory flat on 1M-line workbooks
                if self._spool is None:
                    self._spool = tempfile.TemporaryFile()
                pickle.dump(self._buf, self._spool, protocol=pickle.HIGHEST_PROTOCOL)
                self._spooled += len(self._buf)
                self._buf = []

    def _batches(self) -> Iterator[list]:
        """Every buffered entry, in record order, in batches (the spooled ones first)."""
        if self._spool is not None:
            self._spool.seek(0)
            for _ in range(self._spooled // SPOOL_BATCH):
                yield pickle.load(self._spool)
            self._spool.close()
            self._spool, self._spooled = None, 0
        buf, self._buf = self._buf, []
        if buf:
            yield buf

    def __len__(self) -> int:
        return self._spooled + len(self._buf)


class AuditLog:
    def __init__(self, url: str, retention: int | None = None):
        self.url = url
        self.retention_years = retention if retention is not None else retention_years()
        self.engine = _make_engine(url)
        self.dialect = self.engine.dialect.name
        self.host = socket.gethostname()
        self.user = _user()
        self._create_schema()

    def __repr__(self) -> str:
        return f"AuditLog({_redact(self.url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self):
        """A write transaction: SQLite ``BEGIN IMMEDIATE`` (reads use a plain deferred BEGIN, so they never
        wait for the write lock and see one WAL snapshot)."""
        with self.engine.connect() as conn:
            conn.execution_options(audit_write=True)
            with conn.begin():
                yield conn

    # -- schema ---------------------------------------------------------------------------------------------
    def _create_schema(self) -> None:
        with self._write() as conn:
            if self.dialect == "postgresql":  # serialise concurrent first-time creation
                conn.execute(text("SELECT pg_advisory_xact_lock(4242006)"))
            metadata.create_all(conn, checkfirst=True)
            if conn.execute(select(head_t.c.id).where(head_t.c.id == 1)).first() is None:
                conn.execute(head_t.insert().values(id=1, seq=0, hash=GENESIS))

    # -- writing --------------------------------------------------------------------------------------------
    @contextmanager
    def run(
        self,
        kind: str = "check",
        file: str | os.PathLike | None = None,
        file_sha256: str | None = None,
        sheet: str | None = None,
    ) -> Iterator[Run]:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        fname = os.fspath(file) if file is not None else None
        if fname is not None and file_sha256 is None and os.path.isfile(fname):
            file_sha256 = sha256_of_file(fname)
        started = utcnow()
        with self._write() as conn:
            run_id = conn.execute(
                runs_t.insert()
                .values(
                    started=started,
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
        r = Run(self, run_id, kind, fname, file_sha256, sheet, started, self.user, self.host)
        try:
            yield r
        except BaseException:
            self._commit(r, "failed")  # what was decided before the failure is still on record
            raise
        else:
            self._commit(r, "ok")

    def _commit(self, r: Run, status: str) -> None:
        counts: Counter = Counter()
        n = 0
        finished = utcnow()
        cols = [c.name for c in records_t.columns]
        # executemany straight to the driver: the statement is fixed, and SQLAlchemy's per-row parameter
        # processing would cost more than the database does
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = f"INSERT INTO {records_t.name} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
        with self._write() as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1).with_for_update()).one()
            seq, prev = int(h.seq), h.hash
            first = seq + 1

            def insert(entries: list) -> None:
                for i in range(0, len(entries), BATCH):
                    conn.exec_driver_sql(sql, [tuple(e[c] for c in cols) for e in entries[i : i + BATCH]])

            for entries in r._batches():
                for e in entries:
                    seq += 1
                    e["seq"] = seq
                    e["prev_hash"] = prev
                    prev = e["hash"] = chain_hash(prev, e)
                    counts[e["decision"]] += 1
                n += len(entries)
                insert(entries)
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
            }
            run_entry["prev_hash"] = prev
            prev = run_entry["hash"] = chain_hash(prev, run_entry)
            insert([run_entry])
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
        r.first_seq, r.last_seq, r.counts = summary["first_seq"], summary["last_seq"], summary["counts"]

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
        q = select(records_t).where(records_t.c.rtype == "line").order_by(records_t.c.seq)
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
                    "prev_hash": m["prev_hash"],
                    "hash": m["hash"],
                }
            )
        return out

    def head(self) -> tuple[int, str]:
        with self.engine.connect() as conn:
            h = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).one()
        return int(h.seq), h.hash

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(records_t)).scalar_one())

    # -- verification ---------------------------------------------------------------------------------------
    def verify(self) -> list[str]:
        """Problems found in the chain, each naming the seq (empty list = valid)."""
        problems: list[str] = []
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":  # one snapshot for the head and every entry
                conn.execution_options(isolation_level="REPEATABLE READ")
            head = conn.execute(select(head_t.c.seq, head_t.c.hash).where(head_t.c.id == 1)).first()
            purges = {}
            for m in conn.execute(select(records_t.c.seq, records_t.c.detail).where(records_t.c.rtype == "purge")):
                try:
                    d = json.loads(m.detail)
                    purges[int(d["through_seq"])] = d["through_hash"]
                except Exception:
                    pass  # a damaged purge entry fails its own hash check below
            run_entries: dict[int, dict] = {}
            lines_per_run: Counter = Counter()
            expected: int | None = None
            prev = GENESIS
            last_seq = 0
            result = conn.execution_options(yield_per=10000).execute(select(records_t).order_by(records_t.c.seq))
            for row in result.mappings():
                seq = int(row["seq"])
                if expected is None:  # first entry present
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
                if row["rtype"] == "line":
                    lines_per_run[row["run_id"]] += 1
                elif row["rtype"] == "run":
                    try:
                        run_entries[int(row["run_id"])] = {"seq": seq, **json.loads(row["detail"]), "row": dict(row)}
                    except Exception:
                        problems.append(f"seq {seq}: run summary is not readable")
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
            # the runs table against the chained run summaries
            purged_through = max(purges) if purges else 0
            for m in conn.execute(select(runs_t).order_by(runs_t.c.id)).mappings():
                rid = int(m["id"])
                ent = run_entries.pop(rid, None)
                if ent is None:
                    if m["finished"] is not None:
                        problems.append(
                            f"run {rid}: finished run has no summary entry in the chain (run row inserted or its entry deleted)"
                        )
                    continue
                row = ent["row"]
                table = {
                    "finished": m["finished"],
                    "status": m["status"],
                    "n_records": m["n_records"],
                    "counts": json.loads(m["counts"]) if m["counts"] else {},
                    "started": m["started"],
                    "kind": m["kind"],
                    "file": m["file"],
                    "file_sha256": m["file_sha256"],
                    "sheet": m["sheet"],
                    "username": m["username"],
                    "host": m["host"],
                    "seq": m["seq"],
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
        return problems

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
            conn.execute(records_t.delete().where(records_t.c.seq <= through))
            conn.execute(runs_t.delete().where(runs_t.c.seq <= through))
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
                "detail": canonical(
                    {
                        "through_seq": through,
                        "through_hash": through_hash,
                        "cutoff": cutoff,
                        "retention_years": self.retention_years,
                        "deleted_records": int(n_rec),
                        "deleted_runs": int(n_runs),
                    }
                ),
            }
            entry["prev_hash"] = h.hash
            entry["hash"] = chain_hash(h.hash, {k: entry[k] for k in CONTENT_FIELDS})
            conn.execute(records_t.insert(), [entry])
            conn.execute(head_t.update().where(head_t.c.id == 1).values(seq=seq, hash=entry["hash"]))
        return result


def _missing(a: int, b: int) -> str:
    return f"seq {a}: missing (entry deleted)" if a == b else f"seq {a}–{b}: missing ({b - a + 1} entries deleted)"


def _as_date(v: date | str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        db = make_url(url).database
        if db and db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 120})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=120000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            if conn.get_execution_options().get("audit_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock before reading the chain head
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


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
