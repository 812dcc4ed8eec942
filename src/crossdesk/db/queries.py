"""Reads: rows shaped into the JSON objects of docs/protocol.md. Writes live in crossdesk.actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crossdesk.db.tables import (
    agents,
    attachments,
    contacts,
    conversations,
    message_translations,
    messages,
    read_markers,
    shops,
)
from crossdesk.domain.models import STAFF_ONLY_KINDS, AuthorType, ConversationStatus, MessageKind

Json = dict[str, Any]

_agent_author = agents.alias("agent_author")
_contact_author = contacts.alias("contact_author")

_MESSAGE_COLUMNS: list[Any] = [
    messages,
    _agent_author.c.name.label("agent_name"),
    _contact_author.c.name.label("contact_name"),
    attachments.c.content_type.label("att_type"),
    attachments.c.width.label("att_w"),
    attachments.c.height.label("att_h"),
]


def _message_select() -> sa.Select[Any]:
    return (
        sa.select(*_MESSAGE_COLUMNS)
        .select_from(messages)
        .outerjoin(
            _agent_author,
            sa.and_(
                messages.c.author_type == AuthorType.AGENT.value, _agent_author.c.id == messages.c.author_id
            ),
        )
        .outerjoin(
            _contact_author,
            sa.and_(
                messages.c.author_type == AuthorType.CONTACT.value,
                _contact_author.c.id == messages.c.author_id,
            ),
        )
        .outerjoin(attachments, attachments.c.id == messages.c.attachment_id)
    )


def iso(value: datetime) -> str:
    return value.isoformat()


def attachment_json(row: sa.RowMapping | dict[str, Any]) -> Json:
    return {
        "id": row["id"],
        "url": f"/api/v1/attachments/{row['id']}",
        "content_type": row["content_type"],
        "width": row["width"],
        "height": row["height"],
    }


def message_json(row: sa.RowMapping) -> Json:
    author_type = row["author_type"]
    name = row["agent_name"] if author_type == AuthorType.AGENT else row["contact_name"]
    attachment = None
    if row["attachment_id"] is not None:
        attachment = {
            "id": row["attachment_id"],
            "url": f"/api/v1/attachments/{row['attachment_id']}",
            "content_type": row["att_type"],
            "width": row["att_w"],
            "height": row["att_h"],
        }
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "seq": row["seq"],
        "kind": row["kind"],
        "author": {"type": author_type, "id": row["author_id"], "name": name or ""},
        "body": row["body"],
        "attachment": attachment,
        "meta": row["meta"] or {},
        "client_id": row["client_id"],
        "language": row["language"],
        "translations": {},
        "created_at": iso(row["created_at"]),
    }


def translation_json(row: sa.RowMapping | dict[str, Any]) -> Json:
    return {
        "status": row["status"],
        "body": row["body"],
        "engine": row["engine"],
        "review": bool(row["review"]),
        "issues": row["issues"] or [],
    }


def with_translations(conn: sa.Connection, items: list[Json]) -> list[Json]:
    """Fill each message's `translations` ({language: translation}) with one query for the page."""
    by_id = {m["id"]: m for m in items if m["kind"] != MessageKind.ACTIVITY.value}
    if not by_id:
        return items
    rows = conn.execute(
        sa.select(message_translations).where(message_translations.c.message_id.in_(list(by_id)))
    ).mappings()
    for row in rows:
        by_id[row["message_id"]]["translations"][row["language"]] = translation_json(row)
    return items


def message_by_id(conn: sa.Connection, message_id: int) -> Json:
    row = conn.execute(_message_select().where(messages.c.id == message_id)).mappings().one()
    return with_translations(conn, [message_json(row)])[0]


# The hot path of every send runs these; plain SQL skips building and cache-keying a statement per call.
_MESSAGE_ID_BY_CLIENT_ID = sa.text(
    "SELECT id FROM messages WHERE conversation_id = :conversation_id AND client_id = :client_id"
)
_CONVERSATION_BY_ID = sa.text(
    "SELECT id, shop_id, contact_id, status, assignee_id, last_seq, language, language_pinned"
    " FROM conversations WHERE id = :id"
)


def message_by_client_id(conn: sa.Connection, conversation_id: int, client_id: str) -> Json | None:
    found = conn.execute(
        _MESSAGE_ID_BY_CLIENT_ID, {"conversation_id": conversation_id, "client_id": client_id}
    )
    message_id = found.scalar_one_or_none()
    return message_by_id(conn, message_id) if message_id is not None else None


def list_messages(
    conn: sa.Connection,
    conversation_id: int,
    *,
    after_seq: int | None = None,
    before_seq: int | None = None,
    until_seq: int | None = None,
    limit: int = 100,
    for_contact: bool = False,
) -> list[Json]:
    """Messages in ascending seq order: the first `limit` after `after_seq`, or the last `limit` before
    `before_seq`."""
    query = _message_select().where(messages.c.conversation_id == conversation_id)
    if for_contact:
        query = query.where(messages.c.kind.not_in(STAFF_ONLY_KINDS))
    if until_seq is not None:
        query = query.where(messages.c.seq <= until_seq)
    if before_seq is not None:
        query = query.where(messages.c.seq < before_seq).order_by(messages.c.seq.desc()).limit(limit)
        rows = list(conn.execute(query).mappings())
        rows.reverse()
    else:
        query = query.where(messages.c.seq > (after_seq or 0)).order_by(messages.c.seq).limit(limit)
        rows = list(conn.execute(query).mappings())
    return with_translations(conn, [message_json(r) for r in rows])


def _conversation_select(agent_id: int | None) -> sa.Select[Any]:
    last = messages.alias("last_message")
    assignee = agents.alias("assignee")
    columns: list[Any] = [
        conversations,
        contacts.c.name.label("contact_name"),
        contacts.c.email.label("contact_email"),
        contacts.c.country.label("contact_country"),
        contacts.c.language.label("contact_language"),
        contacts.c.timezone.label("contact_timezone"),
        assignee.c.name.label("assignee_name"),
        last.c.id.label("last_message_id"),
    ]
    query = (
        sa.select(*columns)
        .select_from(conversations)
        .join(contacts, contacts.c.id == conversations.c.contact_id)
        .outerjoin(assignee, assignee.c.id == conversations.c.assignee_id)
        .outerjoin(
            last,
            sa.and_(
                last.c.conversation_id == conversations.c.id,
                last.c.seq
                == sa.select(sa.func.max(messages.c.seq))
                .where(
                    messages.c.conversation_id == conversations.c.id,
                    messages.c.kind.not_in(STAFF_ONLY_KINDS),
                )
                .scalar_subquery(),
            ),
        )
    )
    if agent_id is not None:
        read_seq = sa.func.coalesce(
            sa.select(read_markers.c.last_read_seq)
            .where(read_markers.c.conversation_id == conversations.c.id, read_markers.c.agent_id == agent_id)
            .scalar_subquery(),
            0,
        )
        unread = (
            sa.select(sa.func.count())
            .select_from(messages)
            .where(
                messages.c.conversation_id == conversations.c.id,
                messages.c.author_type == AuthorType.CONTACT.value,
                messages.c.seq > read_seq,
            )
            .scalar_subquery()
        )
        query = query.add_columns(unread.label("unread_count"))
    return query


def _conversation_json(conn: sa.Connection, row: sa.RowMapping, *, staff: bool = False) -> Json:
    last_message = message_by_id(conn, row["last_message_id"]) if row["last_message_id"] else None
    assignee = {"id": row["assignee_id"], "name": row["assignee_name"]} if row["assignee_id"] else None
    return {
        "id": row["id"],
        "status": row["status"],
        "assignee": assignee,
        "contact": {
            "id": row["contact_id"],
            "name": row["contact_name"],
            "email": row["contact_email"],
            "country": row["contact_country"],
            "language": row["contact_language"],
            "timezone": row["contact_timezone"],
        },
        "last_seq": row["last_seq"],
        "language": row["language"],
        "language_pinned": bool(row["language_pinned"]),
        "last_message": last_message,
        "unread_count": row.get("unread_count", 0),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        **({"insight": row["insight"]} if staff else {}),
    }


def conversation_json(
    conn: sa.Connection, conversation_id: int, agent_id: int | None = None, *, staff: bool = False
) -> Json:
    """`staff`: include what only the shop's people may see (the coach's insight). Snapshots that go out
    as events reach the buyer too, so they are built without it."""
    query = _conversation_select(agent_id).where(conversations.c.id == conversation_id)
    return _conversation_json(conn, conn.execute(query).mappings().one(), staff=staff)


def conversation_row(conn: sa.Connection, conversation_id: int) -> sa.RowMapping | None:
    """The fields that authorize and route (not the timestamps)."""
    return conn.execute(_CONVERSATION_BY_ID, {"id": conversation_id}).mappings().first()


def _inbox_filter(shop_id: int, agent_id: int | None, assignee: str) -> list[sa.ColumnElement[bool]]:
    where = [conversations.c.shop_id == shop_id]
    if assignee == "mine" and agent_id is not None:
        where.append(conversations.c.assignee_id == agent_id)
    elif assignee == "unassigned":
        where.append(conversations.c.assignee_id.is_(None))
    return where


def list_conversations(
    conn: sa.Connection,
    shop_id: int,
    *,
    agent_id: int | None,
    status: ConversationStatus,
    assignee: str,
    before: datetime | None,
    limit: int,
    intent: str | None = None,
    sentiment: str | None = None,
    urgent: bool | None = None,
) -> tuple[list[Json], str | None, dict[str, int]]:
    """An inbox page (staff only, so with insights); `intent`, `sentiment` and `urgent` narrow the items,
    not the tab counts."""
    where = [*_inbox_filter(shop_id, agent_id, assignee), conversations.c.status == status.value]
    if intent is not None:
        where.append(conversations.c.intent == intent)
    if sentiment is not None:
        where.append(conversations.c.sentiment == sentiment)
    if urgent is not None:
        where.append(conversations.c.urgent == urgent)
    query = _conversation_select(agent_id).where(*where)
    if before is not None:
        query = query.where(conversations.c.updated_at < before)
    query = query.order_by(conversations.c.updated_at.desc(), conversations.c.id.desc()).limit(limit + 1)
    rows = list(conn.execute(query).mappings())
    items = [_conversation_json(conn, r, staff=True) for r in rows[:limit]]
    next_cursor = items[-1]["updated_at"] if len(rows) > limit else None
    counts = {}
    for name in ("mine", "unassigned", "all"):
        count_where = [*_inbox_filter(shop_id, agent_id, name), conversations.c.status == status.value]
        count_query = sa.select(sa.func.count()).select_from(conversations).where(*count_where)
        counts[name] = int(conn.execute(count_query).scalar_one())
    return items, next_cursor, counts


def agent_json(row: sa.RowMapping, online: bool = False) -> Json:
    return {
        "id": row["id"],
        "name": row["name"],
        "email": row["email"],
        "role": row["role"],
        "language": row["language"],
        "timezone": row["timezone"],
        "online": online,
    }


def list_agents(conn: sa.Connection, shop_id: int) -> list[sa.RowMapping]:
    query = sa.select(agents).where(agents.c.shop_id == shop_id).order_by(agents.c.name)
    return list(conn.execute(query).mappings())


def agent_by_id(conn: sa.Connection, agent_id: int) -> sa.RowMapping | None:
    return conn.execute(sa.select(agents).where(agents.c.id == agent_id)).mappings().first()


def shop_by_id(conn: sa.Connection, shop_id: int) -> sa.RowMapping | None:
    return conn.execute(sa.select(shops).where(shops.c.id == shop_id)).mappings().first()


def contact_conversations(conn: sa.Connection, contact_id: int) -> list[Json]:
    query = (
        _conversation_select(None)
        .where(conversations.c.contact_id == contact_id)
        .order_by(conversations.c.updated_at.desc())
        .limit(20)
    )
    return [_conversation_json(conn, r) for r in conn.execute(query).mappings()]
