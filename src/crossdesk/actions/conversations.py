"""Assignment, status, read markers and typing. A state change is an update plus an activity item."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.errors import Invalid
from crossdesk.actions.timeline import append_message
from crossdesk.db.queries import Json, agent_by_id, conversation_json
from crossdesk.db.tables import conversations, read_markers
from crossdesk.desk import Desk
from crossdesk.domain.models import ConversationStatus, MessageKind, Principal
from crossdesk.events.event import Event, EventName
from crossdesk.webhooks import outbox


async def assign(desk: Desk, principal: Principal, conversation_id: int, assignee_id: int | None) -> Json:
    check_agent(principal)
    assignee = await desk.db.read(lambda conn: agent_by_id(conn, assignee_id)) if assignee_id else None
    if assignee_id is not None and (assignee is None or assignee["shop_id"] != principal.shop_id):
        raise Invalid("No such agent in this shop")
    name = assignee["name"] if assignee is not None else None
    return await _change(
        desk,
        principal,
        conversation_id,
        {"assignee_id": assignee_id},
        body=f"Assigned to {name}" if name else "Unassigned",
        meta={"action": "assigned", "assignee": {"id": assignee_id, "name": name} if assignee_id else None},
    )


async def set_status(
    desk: Desk, principal: Principal, conversation_id: int, status: ConversationStatus
) -> Json:
    check_agent(principal)
    return await _change(
        desk,
        principal,
        conversation_id,
        {"status": status.value},
        body=f"Marked {status.value}",
        meta={"action": "status", "status": status.value},
    )


async def _change(
    desk: Desk,
    principal: Principal,
    conversation_id: int,
    values: dict[str, Any],
    *,
    body: str,
    meta: dict[str, Any],
) -> Json:
    now = desk.clock()

    def transaction(conn: sa.Connection) -> tuple[Json, list[Event]]:
        row = check_conversation_access(conn, principal, conversation_id)
        if all(row[key] == value for key, value in values.items()):
            return conversation_json(conn, conversation_id, principal.id), []  # no change, no noise
        conn.execute(sa.update(conversations).where(conversations.c.id == conversation_id).values(**values))
        activity = append_message(
            conn,
            conversation_id,
            kind=MessageKind.ACTIVITY,
            body=body,
            now=now,
            meta=meta,
            author={"type": principal.author_type.value, "id": principal.id, "name": principal.name},
        )
        snapshot = conversation_json(conn, conversation_id)
        outbox.enqueue(conn, principal.shop_id, EventName.CONVERSATION_UPDATED, snapshot, now)
        contact_id = row["contact_id"]
        events = [
            Event(
                EventName.MESSAGE_CREATED,
                principal.shop_id,
                conversation_id,
                contact_id,
                activity,
                seq=activity["seq"],
                visible_to_contact=False,
            ),
            Event(EventName.CONVERSATION_UPDATED, principal.shop_id, conversation_id, contact_id, snapshot),
        ]
        return conversation_json(conn, conversation_id, principal.id), events

    mine, events = await desk.db.write(transaction)
    for event in events:
        await desk.bus.publish(event)
    return mine


async def mark_read(desk: Desk, principal: Principal, conversation_id: int, seq: int) -> None:
    """An agent's read marker (for unread counts) is stored; a buyer's is only announced."""
    if seq < 0:
        raise Invalid("seq must be >= 0")

    def store(conn: sa.Connection) -> tuple[int, int]:
        row = check_conversation_access(conn, principal, conversation_id)
        read_seq = min(seq, row["last_seq"])
        if principal.is_contact:
            return row["contact_id"], read_seq
        where = (read_markers.c.conversation_id == conversation_id, read_markers.c.agent_id == principal.id)
        current = conn.execute(sa.select(read_markers.c.last_read_seq).where(*where)).scalar_one_or_none()
        if current is None:
            conn.execute(
                sa.insert(read_markers).values(
                    conversation_id=conversation_id, agent_id=principal.id, last_read_seq=read_seq
                )
            )
        elif current < read_seq:
            conn.execute(sa.update(read_markers).where(*where).values(last_read_seq=read_seq))
        return row["contact_id"], read_seq

    contact_id, read_seq = await (desk.db.read(store) if principal.is_contact else desk.db.write(store))
    reader = {"type": principal.author_type.value, "id": principal.id}
    await desk.bus.publish(
        Event(
            EventName.READ,
            principal.shop_id,
            conversation_id,
            contact_id,
            {"reader": reader, "seq": read_seq},
        )
    )


async def announce_typing(
    desk: Desk, principal: Principal, conversation_id: int, on: bool, origin: str
) -> None:
    row = await desk.db.read(lambda conn: check_conversation_access(conn, principal, conversation_id))
    author = {"type": principal.author_type.value, "id": principal.id, "name": principal.name}
    await desk.bus.publish(
        Event(
            EventName.TYPING,
            principal.shop_id,
            conversation_id,
            row["contact_id"],
            {"author": author, "on": bool(on)},
            origin=origin,
        )
    )
