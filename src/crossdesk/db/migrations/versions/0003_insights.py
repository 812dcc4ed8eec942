"""insights: the coach's reading of buyer messages and conversations

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crossdesk.db.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("intent", sa.String(length=32), nullable=True))
    op.add_column("conversations", sa.Column("sentiment", sa.String(length=16), nullable=True))
    op.add_column(
        "conversations", sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("conversations", sa.Column("insight", sa.JSON(), nullable=True))
    op.create_table(
        "message_insights",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=True),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", crossdesk.db.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("analyzed_at", crossdesk.db.tables.Timestamp(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_insights_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_message_insights_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_insights")),
    )
    op.create_index("ix_message_insights_status", "message_insights", ["status"])


def downgrade() -> None:
    op.drop_index("ix_message_insights_status", table_name="message_insights")
    op.drop_table("message_insights")
    with op.batch_alter_table("conversations") as batch:
        for column in ("insight", "urgent", "sentiment", "intent"):
            batch.drop_column(column)
