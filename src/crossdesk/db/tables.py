"""The schema, as SQLAlchemy Core tables. Alembic migrations under migrations/ must match it."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Timestamp(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset; we put it back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


shops = sa.Table(
    "shops",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("widget_key", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", Timestamp(), nullable=False),
)

agents = sa.Table(
    "agents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("language", sa.String(16), nullable=False, server_default="en"),
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("created_at", Timestamp(), nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("agent_id", sa.ForeignKey("agents.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("expires_at", Timestamp(), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_by", sa.ForeignKey("agents.id"), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("timezone", sa.String(64), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("last_seen_at", Timestamp(), nullable=False),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("contact_id", sa.ForeignKey("contacts.id"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("assignee_id", sa.ForeignKey("agents.id"), nullable=True),
    # The last sequence number handed out: the per-conversation counter, bumped under the row's write lock.
    sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
    # The buyer's language (crossdesk.language.pinning): detected, or fixed by an agent.
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("language_pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    # The coach's reading of the latest analysed buyer message (crossdesk.coach): columns to filter the
    # inbox by, and the rest (urgency cues, customer state, which message) as JSON.
    sa.Column("intent", sa.String(32), nullable=True),
    sa.Column("sentiment", sa.String(16), nullable=True),
    sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("insight", sa.JSON, nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.Index("ix_conversations_shop_updated", "shop_id", "updated_at"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("author_type", sa.String(16), nullable=False),
    sa.Column("author_id", sa.Integer, nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("attachment_id", sa.ForeignKey("attachments.id"), nullable=True),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("client_id", sa.String(64), nullable=True),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("conversation_id", "seq", name="uq_messages_conversation_seq"),
    sa.UniqueConstraint("conversation_id", "client_id", name="uq_messages_conversation_client"),
)

attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), nullable=True),
    sa.Column("uploader_type", sa.String(16), nullable=False),
    sa.Column("uploader_id", sa.Integer, nullable=False),
    sa.Column("content_type", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    # Kept in the database so every server process sees it and it commits with the message.
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
)

read_markers = sa.Table(
    "read_markers",
    metadata,
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), primary_key=True),
    sa.Column("agent_id", sa.ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("last_read_seq", sa.Integer, nullable=False),
)

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("url", sa.String(2000), nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("events", sa.JSON, nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
)

# The outbox: written in the same transaction as the change it announces, so nothing is lost or invented.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("webhook_id", sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", Timestamp(), nullable=False),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("delivered_at", Timestamp(), nullable=True),
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
)

# One row per message and target language. Inserted as `pending` in the message's own transaction, so a
# translation owed is never forgotten across a restart; the translation worker fills it in.
message_translations = sa.Table(
    "message_translations",
    metadata,
    sa.Column("message_id", sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("language", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending | done | failed
    sa.Column("body", sa.Text, nullable=True),
    sa.Column("engine", sa.String(32), nullable=True),
    sa.Column("review", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("issues", sa.JSON, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("lease_until", Timestamp(), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.Index("ix_message_translations_status_created", "status", "created_at"),
)

# One row per buyer message the coach owes or has read: pending until the analysis worker fills it in.
message_insights = sa.Table(
    "message_insights",
    metadata,
    sa.Column("message_id", sa.ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | done | failed
    sa.Column("intent", sa.String(32), nullable=True),
    sa.Column("sentiment", sa.String(16), nullable=True),
    sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("confidence", sa.Float, nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("analyzed_at", Timestamp(), nullable=True),
    sa.Index("ix_message_insights_status", "status"),
)

glossary_entries = sa.Table(
    "glossary_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    # {"zh": "藏蓝色", "en": "navy blue"}; {"*": "3XL"} for a term every language keeps
    sa.Column("terms", sa.JSON, nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
)


# --- commerce: the shop's orders, shipments and coupons (crossdesk.commerce). Money is in minor units
# (cents) of the order's currency, never floats.
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("number", sa.String(64), nullable=False),  # what the buyer sees: "#10482"
    sa.Column("external_id", sa.String(128), nullable=True),  # the store's own id (a Shopify gid)
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("customer_name", sa.String(200), nullable=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("subtotal", sa.BigInteger, nullable=False),
    sa.Column("shipping", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total", sa.BigInteger, nullable=False),
    sa.Column("paid", sa.BigInteger, nullable=False),
    sa.Column("refunded", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("shipping_address", sa.JSON, nullable=True),
    sa.Column("placed_at", Timestamp(), nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("shop_id", "number", name="uq_orders_shop_number"),
    sa.Index("ix_orders_shop_email", "shop_id", "email"),
)

order_items = sa.Table(
    "order_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("variant", sa.String(200), nullable=True),  # "L / Navy"
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
)

shipments = sa.Table(
    "shipments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.ForeignKey("orders.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("carrier", sa.String(64), nullable=False),
    sa.Column("tracking_number", sa.String(64), nullable=False),
    sa.Column("tracking_url", sa.String(500), nullable=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("shipped_at", Timestamp(), nullable=True),
    sa.Column("eta", Timestamp(), nullable=True),
)

shipment_events = sa.Table(
    "shipment_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shipment_id", sa.ForeignKey("shipments.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("description", sa.String(300), nullable=False),
    sa.Column("location", sa.String(200), nullable=True),
    sa.Column("occurred_at", Timestamp(), nullable=False),
)

# Every refund, reship, coupon, address change or cancellation an agent asks for: the audit log (who,
# when, why, which conversation) and the approval queue. The idempotency key makes a double click one action.
order_actions = sa.Table(
    "order_actions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("order_id", sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), nullable=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=True),  # minor units of the order's currency
    sa.Column("params", sa.JSON, nullable=False),  # percent, keep_item, address...
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),  # pending_approval | done | rejected
    sa.Column("requested_by", sa.ForeignKey("agents.id"), nullable=False),
    sa.Column("decided_by", sa.ForeignKey("agents.id"), nullable=True),
    sa.Column("decision_note", sa.String(500), nullable=True),
    sa.Column("idempotency_key", sa.String(64), nullable=False),
    sa.Column("result", sa.JSON, nullable=True),  # e.g. the coupon code
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("decided_at", Timestamp(), nullable=True),
    sa.UniqueConstraint("shop_id", "idempotency_key", name="uq_order_actions_shop_key"),
    sa.Index("ix_order_actions_shop_status", "shop_id", "status"),
)

coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("code", sa.String(32), nullable=False),
    sa.Column("percent_off", sa.Integer, nullable=False),
    sa.Column("email", sa.String(320), nullable=True),  # whom it was given to
    sa.Column("expires_at", Timestamp(), nullable=True),
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.UniqueConstraint("shop_id", "code", name="uq_coupons_shop_code"),
)

shop_policies = sa.Table(
    "shop_policies",
    metadata,
    sa.Column("shop_id", sa.ForeignKey("shops.id"), primary_key=True),
    sa.Column("rules", sa.JSON, nullable=False),
    sa.Column("updated_at", Timestamp(), nullable=False),
)

# Saved replies with {{variables}} filled from the conversation's order (crossdesk.commerce.facts).
macros = sa.Table(
    "macros",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", Timestamp(), nullable=False),
)

# The shop's catalogue: products and their variants (size, colour), with price and stock per variant.
products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False, index=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("url", sa.String(500), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
)

product_variants = sa.Table(
    "product_variants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("product_id", sa.ForeignKey("products.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("sku", sa.String(64), nullable=False),
    sa.Column("size", sa.String(32), nullable=True),
    sa.Column("colour", sa.String(64), nullable=True),
    sa.Column("price", sa.BigInteger, nullable=False),  # minor units of `currency`
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("stock", sa.Integer, nullable=False, server_default="0"),
    sa.UniqueConstraint("shop_id", "sku", name="uq_product_variants_shop_sku"),
)

# Calls between an agent and a buyer (media is peer to peer; this is the record and the routing of the
# peers' signaling): the two sockets that may exchange offers and candidates, and how it went.
calls = sa.Table(
    "calls",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("shop_id", sa.ForeignKey("shops.id"), nullable=False),
    sa.Column("conversation_id", sa.ForeignKey("conversations.id"), nullable=False, index=True),
    sa.Column("contact_id", sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("agent_id", sa.ForeignKey("agents.id"), nullable=False),
    sa.Column("media", sa.String(8), nullable=False),  # video | audio
    sa.Column("state", sa.String(8), nullable=False),  # ringing | active | ended
    sa.Column("end_reason", sa.String(24), nullable=True),
    sa.Column("ended_by", sa.String(16), nullable=True),  # agent | contact | system
    # The sockets (connection ids) of the two parties: signaling goes only between them.
    sa.Column("agent_connection", sa.String(32), nullable=False),
    sa.Column("contact_connection", sa.String(32), nullable=True),
    sa.Column("quality", sa.JSON, nullable=False),  # the agent's getStats figures, latest
    # Recording consent: {state: asked|allowed|refused|stopped, asked_at, answered_at}; null: never asked.
    sa.Column("recording", sa.JSON, nullable=True),
    sa.Column("message_id", sa.ForeignKey("messages.id"), nullable=True),  # the timeline item at the end
    sa.Column("created_at", Timestamp(), nullable=False),
    sa.Column("answered_at", Timestamp(), nullable=True),
    sa.Column("ended_at", Timestamp(), nullable=True),
    sa.Index("ix_calls_state", "state"),
)
