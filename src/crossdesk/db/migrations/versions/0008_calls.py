"""calls: video and voice calls between an agent and a buyer

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crossdesk.db.tables import Timestamp

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("media", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("end_reason", sa.String(length=24), nullable=True),
        sa.Column("ended_by", sa.String(length=16), nullable=True),
        sa.Column("agent_connection", sa.String(length=32), nullable=False),
        sa.Column("contact_connection", sa.String(length=32), nullable=True),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.Column("recording", sa.JSON(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp(timezone=True), nullable=False),
        sa.Column("answered_at", Timestamp(timezone=True), nullable=True),
        sa.Column("ended_at", Timestamp(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_calls_shop_id_shops")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversations.id"], name=op.f("fk_calls_conversation_id_conversations")
        ),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_calls_contact_id_contacts")),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_calls_agent_id_agents")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_calls_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    op.create_index(op.f("ix_calls_conversation_id"), "calls", ["conversation_id"])
    op.create_index("ix_calls_state", "calls", ["state"])


def downgrade() -> None:
    op.drop_index("ix_calls_state", "calls")
    op.drop_index(op.f("ix_calls_conversation_id"), "calls")
    op.drop_table("calls")
