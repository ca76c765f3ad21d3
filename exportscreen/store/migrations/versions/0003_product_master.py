"""The product master (品番マスタ): dated versions and their products (exportscreen/products.py)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("effective", sa.Date, nullable=False, unique=True),
        sa.Column("source_name", sa.Text),
        sa.Column("sha256", sa.String(64)),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("n_products", sa.Integer, nullable=False),
        sa.Column("imported", sa.String(40), nullable=False),
        sa.Column("imported_by", sa.String(255)),
    )
    op.create_table(
        "products",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("product_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("part_key", sa.String(255), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("products")
    op.drop_table("product_versions")
