"""The audit log's shared texts: a line's reasons and detail (country, goods) are stored once per distinct text in
``audit_texts`` (by their SHA-256) and the line refers to them (``reasons_ref``, ``detail_ref``); the chain hashes
the texts themselves, as before. Lines written before keep their texts in ``reasons`` and ``detail``."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_texts",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("reasons_ref", sa.String(64)))
        batch.add_column(sa.Column("detail_ref", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_column("detail_ref")
        batch.drop_column("reasons_ref")
    op.drop_table("audit_texts")
