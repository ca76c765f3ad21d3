"""The company database (the store): audit log, End User List versions, product master — one database.

Where: ``$EXPORTSCREEN_DB_URL`` (a SQLAlchemy URL, e.g. ``postgresql+psycopg://user:pw@host/db`` for a team), else
the SQLite file ``exportscreen.sqlite3`` under :func:`exportscreen.state.home`. A home that already has the
``audit.sqlite3`` of an earlier version (and no ``exportscreen.sqlite3``) keeps that file as its store: it is not
renamed (other processes may hold it open, and the audit anchor names the log by its URL). The audit log alone may
be put elsewhere with ``$EXPORTSCREEN_AUDIT_URL`` (see :func:`exportscreen.audit.default_url`).

Schema: versioned with Alembic; the migrations are in ``migrations/versions`` inside the package (an installed wheel
runs them). :func:`migrate` brings a database to :data:`HEAD` when it is opened: one read of ``alembic_version`` when
it is current; otherwise ``alembic upgrade head`` in one write transaction that holds the database's write lock
(SQLite ``BEGIN IMMEDIATE``, PostgreSQL an advisory lock), so processes opening it at once migrate it once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

HEAD = "0007"  # the newest migration (tests/store checks it against the migration scripts)
FILE_NAME = "exportscreen.sqlite3"
LEGACY_FILE_NAME = "audit.sqlite3"  # the audit log's file before the store: still found
SQLITE_PAGE_SIZE = 16384  # of a new SQLite database (a line's audit record is ~1.7 KB; see make_engine)
_PG_LOCK = 4242006  # the advisory lock that serialises migrations on PostgreSQL
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_url(home: str | os.PathLike | None = None) -> str:
    """$EXPORTSCREEN_DB_URL, else the SQLite file under ``home`` (default: EXPORTSCREEN_HOME)."""
    env = os.environ.get("EXPORTSCREEN_DB_URL")
    if env:
        return env
    if home is None:
        from exportscreen.state import home as state_home

        home = state_home()
    folder = Path(home)
    path = folder / FILE_NAME
    legacy = folder / LEGACY_FILE_NAME
    if legacy.exists() and not path.exists():
        path = legacy
    return f"sqlite:///{path}"


def redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def make_engine(url: str) -> Engine:
    """An engine for the store at ``url``. SQLite: WAL, 16 KiB pages for a new file, a busy timeout of two minutes,
    and ``BEGIN IMMEDIATE`` for a connection with the execution option ``audit_write`` (see :func:`transaction`)."""
    if url.startswith("sqlite"):
        db = make_url(url).database
        if db and db != ":memory:":
            Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 120})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=120000")
            # a new database: 16 KiB pages (a quarter of the pages, B-tree levels and WAL frames of 4 KiB ones for
            # the audit log's records). An existing file keeps its own.
            cur.execute(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            if conn.get_execution_options().get("audit_write"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock before reading
            else:
                conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def transaction(engine: Engine, write: bool = True, durable: bool = False) -> Iterator[Connection]:
    """A transaction. ``write``: SQLite ``BEGIN IMMEDIATE`` (reads use a plain deferred BEGIN, so they never wait
    for the write lock and see one WAL snapshot). ``durable``: on SQLite the commit is synced to disk
    (``synchronous=FULL``; the usual NORMAL may lose the last commits to a power cut, not to a crash)."""
    with engine.connect() as conn:
        if write:
            conn.execution_options(audit_write=True)
        sqlite = engine.dialect.name == "sqlite"
        dbapi = conn.connection.dbapi_connection if durable and sqlite else None
        if dbapi is not None:
            dbapi.execute("PRAGMA synchronous=FULL")
        try:
            with conn.begin():
                yield conn
        finally:
            if dbapi is not None:
                with suppress(Exception):
                    dbapi.execute("PRAGMA synchronous=NORMAL")


def version(conn: Connection) -> str | None:
    """The database's schema revision (None: not under Alembic yet — empty, or an audit log of an earlier
    version)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the database to :data:`HEAD` (nothing to do: one read)."""
    with transaction(engine, write=False) as conn:
        if version(conn) == HEAD:
            return
    with transaction(engine, durable=True) as conn:
        if engine.dialect.name == "postgresql":  # serialise concurrent migrations
            conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK})"))
        if version(conn) == HEAD:  # another process did it while we waited for the lock
            return
        from alembic import command

        command.upgrade(alembic_config(conn), "head")


def alembic_config(conn: Connection | None = None):
    """Alembic's configuration for the migrations in the package (``conn``: run them on this connection)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


class Store:
    """The store at one URL, migrated when opened: ``engine``, and :meth:`read` / :meth:`write` transactions."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        migrate(self.engine)

    def __repr__(self) -> str:
        return f"Store({redact(self.url)!r})"

    def read(self):
        return transaction(self.engine, write=False)

    def write(self, durable: bool = False):
        return transaction(self.engine, durable=durable)

    def close(self) -> None:
        self.engine.dispose()


_stores: dict[tuple[int, str], Store] = {}
_stores_lock = threading.Lock()


def open_store(url: str | None = None, home: str | os.PathLike | None = None) -> Store:
    """The store at ``url``, else :func:`default_url` (``home``: another EXPORTSCREEN_HOME); one per process and
    URL."""
    url = url or default_url(home)
    key = (os.getpid(), url)
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = Store(url)
        return store
