"""The licence register (許可台帳): one row per version (its effective date), the licences as parsed (JSON)."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "licence_versions",
        sa.Column("effective", sa.String(10), primary_key=True),
        sa.Column("source_name", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("n_licences", sa.Integer, nullable=False),
        sa.Column("imported", sa.String(40), nullable=False),
        sa.Column("imported_by", sa.String(255)),
    )


def downgrade() -> None:
    op.drop_table("licence_versions")
