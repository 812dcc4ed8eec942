"""The desk's vocabulary. No I/O here."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConversationStatus(enum.StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"


class Role(enum.StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


class AuthorType(enum.StrEnum):
    CONTACT = "contact"
    AGENT = "agent"
    SYSTEM = "system"


class MessageKind(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    ACTIVITY = "activity"
    CALL = "call"  # a call's record, once it ends: who, when, how long, how well
    RECORDING = "recording"  # a call's recording, made with both parties' consent; staff only


# Timeline items a buyer never receives.
STAFF_ONLY_KINDS = (MessageKind.ACTIVITY.value, MessageKind.RECORDING.value)


class Intent(enum.StrEnum):
    """What a buyer message is about (the coach's labels)."""

    PRODUCT_QUESTION = "product_question"
    SHIPPING_STATUS = "shipping_status"
    DAMAGED_OR_DEFECTIVE = "damaged_or_defective"
    RETURN_OR_REFUND = "return_or_refund"
    DISCOUNT_REQUEST = "discount_request"
    COMPLAINT = "complaint"
    ORDER_CHANGE = "order_change"
    OTHER = "other"


class Sentiment(enum.StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class OrderStatus(enum.StrEnum):
    PENDING = "pending"  # placed, not paid
    PAID = "paid"
    FULFILLED = "fulfilled"  # everything shipped
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class ShipmentStatus(enum.StrEnum):
    """Where a parcel is, in the words carriers' tracking events map onto."""

    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    CUSTOMS = "customs"  # held for inspection
    CLEARED = "cleared"  # released by customs
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # lost, damaged, returned to sender


class PrincipalType(enum.StrEnum):
    AGENT = "agent"
    CONTACT = "contact"
    INTEGRATION = "integration"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting: an agent (console or token), a buyer (visitor token) or an integration token."""

    type: PrincipalType
    id: int
    shop_id: int
    name: str = ""
    role: Role = Role.AGENT

    @property
    def is_contact(self) -> bool:
        return self.type is PrincipalType.CONTACT

    @property
    def is_admin(self) -> bool:
        return self.type is PrincipalType.AGENT and self.role is Role.ADMIN

    @property
    def author_type(self) -> AuthorType:
        return AuthorType.CONTACT if self.is_contact else AuthorType.AGENT
