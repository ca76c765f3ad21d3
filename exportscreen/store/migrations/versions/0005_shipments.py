"""Shipments recorded against the licences of the register (issue 15 §3): one row per shipped line, unique per file
name and line (its order number)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("licence_no", sa.String(100), nullable=False),
        sa.Column("licence_key", sa.String(100), nullable=False),
        sa.Column("register_version", sa.String(10), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("sheet", sa.String(255)),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("line_ref", sa.String(255), nullable=False),
        sa.Column("value_jpy", sa.Float),
        sa.Column("quantity", sa.Float),
        sa.Column("ship_date", sa.String(10), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(255)),
        sa.Column("run_id", sa.Integer),
        sa.UniqueConstraint("file_name", "line_ref", name="uq_shipments_line"),
    )
    op.create_index("ix_shipments_licence", "shipments", ["licence_key"])


def downgrade() -> None:
    op.drop_index("ix_shipments_licence", "shipments")
    op.drop_table("shipments")
