"""The audit log as it was before the store: audit_head, audit_runs, audit_records, audit_pending.

Baseline. A database of an earlier version is not under Alembic yet; this revision takes any of them as it is:
tables missing are created (checkfirst), the columns added since the first logs (audit_records.refs,
audit_runs.reviewer) are added when missing (null in the old rows: the hash chain covers refs only when present,
so old records verify unchanged), and the chain head row is created for a new log. The definitions are those of
exportscreen/audit.py (tests/store checks that the migrated schema equals its tables, on SQLite and PostgreSQL);
this file is frozen: later changes are new revisions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_S = sa.String(255)


def _tables() -> tuple[sa.MetaData, dict[str, tuple[str, ...]]]:
    md = sa.MetaData()
    sa.Table(
        "audit_head",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    sa.Table(
        "audit_runs",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started", sa.String(40), nullable=False),
        sa.Column("finished", sa.String(40)),
        sa.Column("username", _S),
        sa.Column("host", _S),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file", sa.Text),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("sheet", _S),
        sa.Column("status", sa.String(16)),
        sa.Column("n_records", sa.Integer),
        sa.Column("counts", sa.Text),
        sa.Column("first_seq", sa.BigInteger),
        sa.Column("last_seq", sa.BigInteger),
        sa.Column("seq", sa.BigInteger),
        sa.Column("reviewer", _S),
        sqlite_autoincrement=True,
    )
    sa.Table(
        "audit_records",
        md,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("rtype", sa.String(8), nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("username", _S),
        sa.Column("host", _S),
        sa.Column("file", sa.Text),
        sa.Column("file_sha256", sa.String(64)),
        sa.Column("sheet", _S),
        sa.Column("row_no", sa.Integer),
        sa.Column("inputs", sa.Text),
        sa.Column("decision", sa.String(20)),
        sa.Column("label", sa.String(20)),
        sa.Column("reasons", sa.Text),
        sa.Column("detail", sa.Text),
        sa.Column("rules_version", _S),
        sa.Column("eul_version", _S),
        sa.Column("as_of", sa.String(10)),
        sa.Column("refs", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Index("ix_audit_records_run", "run_id"),
        sa.Index("ix_audit_records_ts", "ts"),
    )
    sa.Table(
        "audit_pending",
        md,
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("output", sa.Text),
        sa.Column("output_sha256", sa.String(64)),
    )
    return md, {"audit_records": ("refs",), "audit_runs": ("reviewer",)}


def upgrade() -> None:
    bind = op.get_bind()
    md, added = _tables()
    md.create_all(bind, checkfirst=True)
    have = sa.inspect(bind)
    for name, columns in added.items():
        present = {c["name"] for c in have.get_columns(name)}
        for column in columns:
            if column not in present:  # a log created before the column
                op.add_column(name, sa.Column(column, md.tables[name].c[column].type))
    head = md.tables["audit_head"]
    if bind.execute(sa.select(head.c.id).where(head.c.id == 1)).first() is None:
        bind.execute(head.insert().values(id=1, seq=0, hash=GENESIS))


def downgrade() -> None:
    raise NotImplementedError("the audit log is never dropped")
