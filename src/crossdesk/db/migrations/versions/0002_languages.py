"""languages: message and conversation languages, translations, glossary

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import crossdesk.db.tables

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column(
        "conversations",
        sa.Column("language_pinned", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("messages", sa.Column("language", sa.String(length=16), nullable=True))
    op.create_table(
        "message_translations",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("engine", sa.String(length=32), nullable=True),
        sa.Column("review", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lease_until", crossdesk.db.tables.Timestamp(timezone=True), nullable=True),
        sa.Column("created_at", crossdesk.db.tables.Timestamp(timezone=True), nullable=False),
        sa.Column("updated_at", crossdesk.db.tables.Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_translations_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "language", name=op.f("pk_message_translations")),
    )
    op.create_index(
        "ix_message_translations_status_created", "message_translations", ["status", "created_at"]
    )
    op.create_table(
        "glossary_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_at", crossdesk.db.tables.Timestamp(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_glossary_entries_shop_id_shops")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_entries")),
    )
    op.create_index(op.f("ix_glossary_entries_shop_id"), "glossary_entries", ["shop_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_glossary_entries_shop_id"), table_name="glossary_entries")
    op.drop_table("glossary_entries")
    op.drop_index("ix_message_translations_status_created", table_name="message_translations")
    op.drop_table("message_translations")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("language_pinned")
        batch.drop_column("language")
