"""Appending to a conversation's timeline: the one place a sequence number is handed out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import Timestamp
from crossdesk.domain.models import AuthorType, MessageKind

# Plain SQL on the hot path (both backends support RETURNING); typed binds keep UTC and JSON handling.
_BUMP = sa.text(
    "UPDATE conversations SET last_seq = last_seq + 1, updated_at = :now WHERE id = :id RETURNING last_seq"
).bindparams(sa.bindparam("now", type_=Timestamp()))
_INSERT = sa.text(
    "INSERT INTO messages (conversation_id, seq, kind, author_type, author_id, body, attachment_id, meta,"
    " client_id, language, created_at) VALUES (:conversation_id, :seq, :kind, :author_type, :author_id,"
    " :body, :attachment_id, :meta, :client_id, :language, :created_at) RETURNING id"
).bindparams(sa.bindparam("meta", type_=sa.JSON()), sa.bindparam("created_at", type_=Timestamp()))


def append_message(
    conn: sa.Connection,
    conversation_id: int,
    *,
    kind: MessageKind,
    author: dict[str, Any],
    body: str,
    now: datetime,
    client_id: str | None = None,
    attachment: Json | None = None,
    meta: dict[str, Any] | None = None,
    language: str | None = None,
) -> Json:
    """Bump the conversation's counter (the UPDATE takes the row's write lock, so concurrent appends to one
    conversation get consecutive numbers) and insert the message with it. Runs inside the caller's
    transaction: nothing is visible until it commits. Returns the message as the API shows it."""
    seq = conn.execute(_BUMP, {"id": conversation_id, "now": now}).scalar_one()
    author_type = AuthorType(author["type"])
    message_id = conn.execute(
        _INSERT,
        {
            "conversation_id": conversation_id,
            "seq": seq,
            "kind": kind.value,
            "author_type": author_type.value,
            "author_id": author["id"],
            "body": body,
            "attachment_id": attachment["id"] if attachment else None,
            "meta": meta or {},
            "client_id": client_id,
            "language": language,
            "created_at": now,
        },
    ).scalar_one()
    return {
        "id": message_id,
        "conversation_id": conversation_id,
        "seq": seq,
        "kind": kind.value,
        "author": {"type": author_type.value, "id": author["id"], "name": author["name"]},
        "body": body,
        "attachment": attachment,
        "meta": meta or {},
        "client_id": client_id,
        "language": language,
        "translations": {},
        "created_at": iso(now),
    }
