"""macros: saved replies with variables

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crossdesk.db.tables import Timestamp

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_macros_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macros")),
    )
    op.create_index(op.f("ix_macros_shop_id"), "macros", ["shop_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_macros_shop_id"), "macros")
    op.drop_table("macros")
