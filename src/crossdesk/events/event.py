"""The event envelope that travels on the bus, and its one-time JSON encoding for sockets."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import orjson


class EventName(enum.StrEnum):
    MESSAGE_CREATED = "message.created"
    CONVERSATION_UPDATED = "conversation.updated"
    MESSAGE_TRANSLATED = "message.translated"
    CONVERSATION_INSIGHT = "conversation.insight"  # the coach's reading; agents only
    ORDER_ACTION = "order.action"  # a refund, reship... asked for, done, approved or rejected; agents only
    CALL_UPDATED = "call.updated"  # a call rang, was answered or ended
    CALL_SIGNAL = "call.signal"  # an offer, answer or ICE candidate for one party's socket only
    TYPING = "typing"
    READ = "read"


# Events that are also offered to webhooks (the others are ephemeral presence signals).
WEBHOOK_EVENTS = frozenset(
    {
        EventName.MESSAGE_CREATED,
        EventName.CONVERSATION_UPDATED,
        EventName.MESSAGE_TRANSLATED,
        EventName.ORDER_ACTION,
    }
)


@dataclass(frozen=True, slots=True)
class Event:
    name: EventName
    shop_id: int
    conversation_id: int
    contact_id: int
    data: dict[str, Any]
    seq: int | None = None
    # False for timeline items the buyer does not see (agents' activity notes).
    visible_to_contact: bool = True
    # The socket that caused it (typing): not echoed back to it.
    origin: str | None = None
    # The one socket it is for (call signaling), wherever that socket's process is; None: everyone allowed.
    to_connection: str | None = None
    _frame: list[str] = field(default_factory=list, compare=False, repr=False)

    def frame(self) -> str:
        """The socket frame, encoded once however many sockets receive it."""
        if not self._frame:
            if self.name in (EventName.TYPING, EventName.READ, EventName.CALL_SIGNAL):
                body = {"type": self.name.value, "conversation_id": self.conversation_id, **self.data}
            else:
                body = {
                    "type": "event",
                    "event": self.name.value,
                    "conversation_id": self.conversation_id,
                    "seq": self.seq,
                    "data": self.data,
                }
            self._frame.append(orjson.dumps(body).decode())
        return self._frame[0]

    def to_wire(self) -> bytes:
        return orjson.dumps(
            {
                "name": self.name.value,
                "shop_id": self.shop_id,
                "conversation_id": self.conversation_id,
                "contact_id": self.contact_id,
                "data": self.data,
                "seq": self.seq,
                "visible_to_contact": self.visible_to_contact,
                "origin": self.origin,
                "to_connection": self.to_connection,
            }
        )

    @classmethod
    def from_wire(cls, raw: bytes | str) -> Event:
        d = orjson.loads(raw)
        return cls(
            name=EventName(d["name"]),
            shop_id=d["shop_id"],
            conversation_id=d["conversation_id"],
            contact_id=d["contact_id"],
            data=d["data"],
            seq=d["seq"],
            visible_to_contact=d["visible_to_contact"],
            origin=d["origin"],
            to_connection=d.get("to_connection"),
        )
