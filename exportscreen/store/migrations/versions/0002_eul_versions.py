"""End User List versions in the store: one row per list date, the list as parsed (JSON).

Versions kept as files under home()/eul/ by earlier versions are imported by exportscreen/eul/store.py when it first
reads the store (files renamed to .imported), not here: a migration does not read a home folder.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eul_versions",
        sa.Column("list_date", sa.String(10), primary_key=True),
        sa.Column("effective", sa.String(10), nullable=False),
        sa.Column("source_name", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("imported", sa.String(40), nullable=False),
        sa.Column("imported_by", sa.String(255)),
    )


def downgrade() -> None:
    op.drop_table("eul_versions")
