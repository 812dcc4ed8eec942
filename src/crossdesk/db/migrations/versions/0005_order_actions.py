"""order actions: refunds, reships, coupons, address changes and cancellations under a shop policy

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crossdesk.db.tables import Timestamp

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", Timestamp(timezone=True), nullable=False),
        sa.Column("decided_at", Timestamp(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_order_actions_conversation_id_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["agents.id"], name=op.f("fk_order_actions_decided_by_agents")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_actions_order_id_orders")),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["agents.id"], name=op.f("fk_order_actions_requested_by_agents")
        ),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_order_actions_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_actions")),
        sa.UniqueConstraint("shop_id", "idempotency_key", name="uq_order_actions_shop_key"),
    )
    op.create_index(op.f("ix_order_actions_order_id"), "order_actions", ["order_id"])
    op.create_index("ix_order_actions_shop_status", "order_actions", ["shop_id", "status"])
    op.create_table(
        "coupons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("expires_at", Timestamp(timezone=True), nullable=True),
        sa.Column("created_at", Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_coupons_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("shop_id", "code", name="uq_coupons_shop_code"),
    )
    op.create_table(
        "shop_policies",
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_shop_policies_shop_id_shops")),
        sa.PrimaryKeyConstraint("shop_id", name=op.f("pk_shop_policies")),
    )


def downgrade() -> None:
    op.drop_table("shop_policies")
    op.drop_table("coupons")
    op.drop_index("ix_order_actions_shop_status", "order_actions")
    op.drop_index(op.f("ix_order_actions_order_id"), "order_actions")
    op.drop_table("order_actions")
