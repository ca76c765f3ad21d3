"""The product master's screening columns: a product's 品番, 該非, HS, 技術該非, 判定日 and 見直し期限 in columns of
their own beside its whole record (``data``, JSON), so that screening reads only what it needs
(:meth:`exportscreen.products.Master.classified`). Products stored before are filled in from their records."""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("part_no", "item", "hs", "tech", "judged", "review_by")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("part_no", sa.Text))
        batch.add_column(sa.Column("item", sa.String(64)))
        batch.add_column(sa.Column("hs", sa.String(16)))
        batch.add_column(sa.Column("tech", sa.String(64)))
        batch.add_column(sa.Column("judged", sa.String(10)))  # ISO dates, as in the record
        batch.add_column(sa.Column("review_by", sa.String(10)))
    conn = op.get_bind()
    products = sa.table(
        "products", sa.column("version_id"), sa.column("part_key"), sa.column("data"), *map(sa.column, COLUMNS)
    )
    rows = conn.execute(sa.select(products.c.version_id, products.c.part_key, products.c.data)).all()
    update = (
        products.update()
        .where(products.c.version_id == sa.bindparam("v"), products.c.part_key == sa.bindparam("k"))
        .values({c: sa.bindparam(f"new_{c}") for c in COLUMNS})
    )
    for i in range(0, len(rows), 5000):
        batch_rows = []
        for version_id, key, data in rows[i : i + 5000]:
            record = json.loads(data)
            batch_rows.append({"v": version_id, "k": key, **{f"new_{c}": record.get(c) for c in COLUMNS}})
        conn.execute(update, batch_rows)


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        for c in reversed(COLUMNS):
            batch.drop_column(c)
