"""A throwaway PostgreSQL server for tests (import the fixtures into a test module).

* Binaries: ``initdb``/``pg_ctl`` on PATH, else the newest ``/usr/lib/postgresql/*/bin``. None found: the
  tests skip, unless ``CI=true``, where they fail (CI must run them).
* The cluster lives in a fresh ``/tmp/exs-pg-*`` folder (short path: the unix socket goes there too; no TCP,
  ``listen_addresses=''``). ``initdb`` refuses to run as root, so as root the folder is given to the
  ``postgres`` system user (created as ``exs_pg`` if there is none) and the server runs as that user via
  ``runuser``. Trust authentication, superuser ``postgres``; the server stops and the folder is removed at
  the end of the session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.parent.name.split(".")],
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _service_user() -> str | None:
    """The user to run PostgreSQL as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "exs_pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "exs_pg"], check=True)
    return "exs_pg"


class PgServer:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="exs-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = _service_user()
        self._n = 0
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.dir, 0o755)

    def _run(self, *args: str, **kw) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=self.dir, **kw)

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        opts = (
            f"-c listen_addresses='' -k {self.dir} -p {self.port} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.dir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            )
        except subprocess.CalledProcessError as exc:
            log = (self.dir / "server.log").read_text(errors="replace") if (self.dir / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {exc.stderr}\n{log}") from exc

    def stop(self) -> None:
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except Exception:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{db}?host={self.dir}&port={self.port}"

    def new_database(self, prefix: str = "t") -> str:
        """Create an empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(
            host=str(self.dir), port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server():
    bindir = find_pg_bin()
    if bindir is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) not found, and CI=true requires the PostgreSQL tests")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found")
    server = PgServer(bindir)
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    return pg_server.new_database()


# ---------------------------------------------------------------------------------------------------------
# sample decisions for the audit tests (the log stores decisions; it does not make them)


def sample_lines():
    """(inputs, Decision, row) for a small order sheet with every decision code."""
    from datetime import date

    from exportscreen.model import Code, Decision, Reason

    as_of = date(2025, 4, 1)
    cn = {"iso2": "CN", "name_ja": "中国", "name_en": "China", "groups": ["A以外"]}
    us = {"iso2": "US", "name_ja": "アメリカ合衆国", "name_en": "United States", "groups": ["A"]}
    kp = {"iso2": "KP", "name_ja": "北朝鮮", "name_en": "North Korea", "groups": ["D"]}
    item_listed = {
        "code": "2(12)",
        "kou": 2,
        "sub": "12",
        "class": "リスト規制",
        "name_ja": "数値制御工作機械",
        "name_en": "NC machine tools",
        "hs": "8457.10",
    }
    item_free = {
        "code": "16",
        "kou": 16,
        "sub": None,
        "class": "キャッチオール",
        "name_ja": "ねじ",
        "name_en": "screws",
        "hs": "7318.15",
    }

    def dec(code, reasons, country, item, eul="2025-02-28"):
        return Decision(code, tuple(reasons), as_of, "2025.04", country=country, item=item, eul_version=eul)

    r_list = Reason(
        "list.2",
        Code.LICENSE_REQUIRED,
        "別表第一2の項(12)に該当",
        "listed item 2(12)",
        "輸出令別表第一 2の項(12); 外為法48条1項",
        "goods",
    )
    r_eul = Reason(
        "eul.hit",
        Code.REVIEW,
        "需要者が外国ユーザーリストに掲載（大量破壊兵器）",
        "end user on EUL",
        "外国ユーザーリスト 2025-02-28 No.123",
        "user",
    )
    r_emb = Reason(
        "sanctions.kp",
        Code.PROHIBITED,
        "北朝鮮向け輸出は全面禁止",
        "exports to North Korea banned",
        "外為法48条3項; 輸出貿易管理令別表第二",
        "sanctions",
    )
    r_free = Reason(
        "catchall.none",
        Code.NO_LICENSE,
        "キャッチオール規制の要件に該当せず",
        "catch-all not met",
        "輸出令別表第一 16の項",
        "goods",
    )
    r_inv = Reason("input.country", Code.INVALID, "仕向地が不明です", "unknown destination", "—", "input")
    base = {"hs": "8457.10", "end_use": "自動車部品の加工", "inform": "なし", "ship_date": "2025-04-10"}
    return [
        (
            {
                **base,
                "order_no": "A-1001",
                "country": "US",
                "item": "2(12)",
                "end_user": "Acme Corp",
                "value_jpy": 1200000,
            },
            dec(Code.NO_LICENSE, [r_free], us, item_free),
            2,
        ),
        (
            {
                **base,
                "order_no": "A-1002",
                "country": "CN",
                "item": "2(12)",
                "end_user": "Beijing Tools",
                "value_jpy": 35000000,
            },
            dec(Code.LICENSE_REQUIRED, [r_list], cn, item_listed),
            3,
        ),
        (
            {
                **base,
                "order_no": "A-1003",
                "country": "CN",
                "item": "16",
                "end_user": "Suspicious Institute",
                "value_jpy": 480000,
            },
            dec(Code.REVIEW, [r_eul], cn, item_free),
            4,
        ),
        (
            {**base, "order_no": "A-1004", "country": "KP", "item": "16", "end_user": "—", "value_jpy": 10000},
            dec(Code.PROHIBITED, [r_emb], kp, item_free),
            5,
        ),
        (
            {**base, "order_no": "A-1005", "country": "ZZ", "item": "16", "end_user": "Foo", "value_jpy": None},
            dec(Code.INVALID, [r_inv], None, item_free, eul=None),
            6,
        ),
        (
            {**base, "order_no": "A-1006", "country": "US", "item": "16", "end_user": "Acme Corp", "value_jpy": 80000},
            dec(Code.NO_LICENSE, [r_free], us, item_free),
            7,
        ),
    ]
