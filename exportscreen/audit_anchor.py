"""The audit log's anchor outside the database: what this machine knows the chain held.

A hash chain alone detects an edited, deleted or inserted entry in its middle, but not a chain cut short at its end
(the head row is in the same database) nor one rewritten as a whole. So the tool keeps, under EXPORTSCREEN_HOME:

* ``audit-anchor.key`` – 32 random bytes, created with mode 0600 on first use (a database user of a shared
  PostgreSQL cannot read it; give the machines of one team the same file to check each other's purges).
* ``audit-anchor/<log>.jsonl`` – one line appended at the end of every run this machine writes to that log: the seq
  and hash of the run's summary entry, signed (HMAC-SHA256 with the key). The file's first line records the chain
  head when the anchor was started (``"start": true``).

``AuditLog.verify`` reads it before the database and reports a chain that ends before an anchored seq (the missing
range), an anchored entry whose hash differs (the chain was rewritten), a line whose signature does not match, and
anchored entries deleted without a purge checkpoint signed with this key.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEY_NAME = "audit-anchor.key"
ANCHOR_DIR = "audit-anchor"
KEY_BYTES = 32
_O_BINARY = getattr(os, "O_BINARY", 0)
_keys: dict[Path, bytes] = {}


def _home() -> Path:
    from exportscreen.state import home

    return home()


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def key(create: bool = False) -> bytes | None:
    """This machine's anchor key (created, mode 0600, when ``create`` and there is none); None when there is none."""
    path = _home() / KEY_NAME
    k = _keys.get(path)
    if k is not None:
        return k
    try:
        k = path.read_bytes()
    except FileNotFoundError:
        if not create:
            return None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o600)
        except FileExistsError:  # another process made it meanwhile
            k = path.read_bytes()
        else:
            k = secrets.token_bytes(KEY_BYTES)
            try:
                os.write(fd, k)
                os.fsync(fd)
            finally:
                os.close(fd)
    if len(k) < KEY_BYTES:
        raise ValueError(f"{path}: the audit anchor key is damaged ({len(k)} bytes)")
    _keys[path] = k
    return k


def key_id(k: bytes) -> str:
    """A short name of a key (not the key): which key signed a purge checkpoint."""
    return hashlib.sha256(b"exportscreen key id" + k).hexdigest()[:16]


def sign(k: bytes, obj: Any) -> str:
    return hmac.new(k, _canonical(obj).encode("utf-8"), hashlib.sha256).hexdigest()


def signed_ok(k: bytes, obj: Any, mac: Any) -> bool:
    return isinstance(mac, str) and hmac.compare_digest(sign(k, obj), mac)


def anchor_path(log_id: str) -> Path:
    return _home() / ANCHOR_DIR / (hashlib.sha256(log_id.encode("utf-8")).hexdigest()[:24] + ".jsonl")


def append(log_id: str, seq: int, hash_: str, run_id: int | None, at: str, start: tuple[int, str]) -> None:
    """Append the line of one run's summary entry (and, in a new anchor, first the line of the chain head before
    the run, ``start``). One write of whole lines to a file opened for appending."""
    k = key(create=True)
    assert k is not None
    path = anchor_path(log_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _O_BINARY, 0o600)
    try:
        records = []
        if os.fstat(fd).st_size == 0:
            records.append({"log": log_id, "seq": start[0], "hash": start[1], "run": None, "at": at, "start": True})
        records.append({"log": log_id, "seq": seq, "hash": hash_, "run": run_id, "at": at})
        data = "".join(_canonical({**r, "mac": sign(k, r)}) + "\n" for r in records)
        os.write(fd, data.encode("utf-8"))
    finally:
        os.close(fd)


@dataclass
class Anchor:
    """What this machine's anchor says about one log."""

    key: bytes | None
    points: dict[int, tuple[str, str]] = field(default_factory=dict)  # seq -> (hash, when anchored)
    start: int | None = None  # the chain head when the anchor was started
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def read(log_id: str) -> Anchor:
    """This machine's anchor of the log ``log_id`` (nothing when it has none)."""
    path = anchor_path(log_id)
    k = key()
    anchor = Anchor(k, path=path)
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        return anchor
    with fh:
        if k is None:
            anchor.problems.append(
                f"anchor {path}: the key file {KEY_NAME} is missing, so the anchor cannot be checked (removed?)"
            )
            return anchor
        for n, raw in enumerate(fh, start=1):
            rec: Any = None
            with contextlib.suppress(ValueError):
                rec = json.loads(raw.decode("utf-8"))
            mac = rec.pop("mac", None) if isinstance(rec, dict) else None
            if not isinstance(rec, dict) or not signed_ok(k, rec, mac):
                if raw.endswith(b"\n") or n == 1:  # (an unfinished last line: a crash while appending)
                    anchor.problems.append(
                        f"anchor {path.name} line {n}: signature does not match (anchor file edited or forged)"
                    )
                continue
            if rec.get("log") != log_id:
                anchor.problems.append(f"anchor {path.name} line {n}: belongs to another log (file copied?)")
                continue
            seq, h = int(rec["seq"]), str(rec["hash"])
            if rec.get("start"):
                anchor.start = seq if anchor.start is None else min(anchor.start, seq)
                if seq == 0:
                    continue
            known = anchor.points.get(seq)
            if known is not None and known[0] != h:
                anchor.problems.append(f"anchor {path.name} line {n}: seq {seq} anchored twice with different hashes")
            anchor.points[seq] = (h, str(rec.get("at")))
    return anchor
