"""Sending a message: validated, authorized, committed with its sequence number, then announced."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crossdesk.actions import insights, translations
from crossdesk.actions.access import check_conversation_access
from crossdesk.actions.errors import Invalid, NotFound, RateLimited, TooLong
from crossdesk.actions.timeline import append_message
from crossdesk.db.queries import Json, attachment_json, conversation_json, message_by_client_id
from crossdesk.db.tables import attachments, conversations
from crossdesk.desk import Desk
from crossdesk.domain.models import ConversationStatus, MessageKind, Principal, PrincipalType
from crossdesk.events.event import Event, EventName
from crossdesk.language import pinning
from crossdesk.language.text import needs_translation
from crossdesk.webhooks import outbox

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# C0 controls other than tab and newlines only break rendering and log lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class SendResult:
    message: Json
    created: bool
    events: tuple[Event, ...] = field(default=())


def check_body(desk: Desk, body: str, attachment_id: int | None) -> str:
    body = _CONTROL.sub("", body).strip()
    if len(body) > desk.settings.max_body_chars:
        raise TooLong(f"A message holds at most {desk.settings.max_body_chars} characters")
    if not body and attachment_id is None:
        raise Invalid("A message needs a body or an attachment")
    return body


def check_client_id(client_id: str | None) -> None:
    if client_id is not None and not CLIENT_ID.match(client_id):
        raise Invalid("client_id must be 1-64 characters of letters, digits and _.:-")


def check_previewed(desk: Desk, translation: dict[str, Any] | None) -> Json | None:
    """An agent's previewed buyer-language version, sent along with the original: {language, body, ...}."""
    if translation is None:
        return None
    language, text = translation.get("language"), translation.get("body")
    if not isinstance(language, str) or not isinstance(text, str):
        raise Invalid("translation needs a language and a body")
    language = translations.check_language(language)
    text = _CONTROL.sub("", text).strip()
    if not text or len(text) > 2 * desk.settings.max_body_chars:
        raise TooLong("The translation is empty or far longer than a message")
    issues = translation.get("issues", [])
    if not isinstance(issues, list) or not all(isinstance(i, str) and len(i) < 300 for i in issues[:10]):
        raise Invalid("translation issues must be a list of short strings")
    return {
        "language": language,
        "body": text,
        "engine": str(translation.get("engine", "preview"))[:32],
        "review": bool(translation.get("review", False)),
        "issues": issues[:10],
    }


async def send_message(
    desk: Desk,
    principal: Principal,
    *,
    conversation_id: int | None,
    body: str,
    client_id: str | None,
    attachment_id: int | None = None,
    translation: dict[str, Any] | None = None,
) -> SendResult:
    body = check_body(desk, body, attachment_id)
    check_client_id(client_id)
    previewed = check_previewed(desk, translation)
    # Detection is a fraction of a millisecond: done here, not in the model worker.
    detection = desk.language.detector.detect(body) if principal.is_contact and body else None
    translating = desk.language.translator is not None
    now = desk.clock()

    def transaction(conn: sa.Connection) -> SendResult:
        conversation, created = _target_conversation(conn, principal, conversation_id, now)
        if client_id is not None:
            existing = message_by_client_id(conn, conversation["id"], client_id)
            if existing is not None:
                return SendResult(existing, created=False)  # a resend: the original answer, nothing new
        # Counted only for new messages, so resending after a reconnect is never refused.
        if principal.is_contact and not desk.visitor_limiter.allow(f"contact:{principal.id}"):
            raise RateLimited("Slow down a little: too many messages")
        attachment = (
            _claim_attachment(conn, principal, attachment_id, conversation["id"]) if attachment_id else None
        )
        changed = created
        language, targets = None, set[str]()
        if detection is not None:
            choice = pinning.choose(
                conversation["language"], bool(conversation["language_pinned"]), detection, body
            )
            language = choice.message_language
            if choice.conversation_language != conversation["language"]:
                conn.execute(
                    sa.update(conversations)
                    .where(conversations.c.id == conversation["id"])
                    .values(language=choice.conversation_language)
                )
                changed = True
            if translating and language and needs_translation(body):
                targets = translations.agent_languages(conn, principal.shop_id) - {language}
        elif principal.type is PrincipalType.AGENT:
            language = translations.agent_language(conn, principal.id)
            buyer = translations.buyer_language(conn, conversation)
            if body and buyer and language and buyer != language and needs_translation(body):
                previewed_here = previewed is not None and previewed["language"] == buyer
                if translating or previewed_here:
                    targets = {buyer}
        if principal.is_contact and conversation["status"] == ConversationStatus.RESOLVED:
            # A buyer writing again reopens the conversation, as in every help desk.
            conn.execute(
                sa.update(conversations)
                .where(conversations.c.id == conversation["id"])
                .values(status=ConversationStatus.OPEN.value)
            )
            changed = True
        message = append_message(
            conn,
            conversation["id"],
            kind=MessageKind.IMAGE if attachment else MessageKind.TEXT,
            author={"type": principal.author_type.value, "id": principal.id, "name": principal.name},
            body=body,
            now=now,
            client_id=client_id,
            attachment=attachment,
            language=language,
        )
        if principal.is_contact and body and desk.coach is not None:
            insights.owe_insight(conn, message["id"], conversation["id"], now)
        if targets:
            done = {previewed["language"]: previewed} if previewed else None
            message["translations"] = translations.owe_translations(conn, message["id"], targets, now, done)
        outbox.enqueue(conn, principal.shop_id, EventName.MESSAGE_CREATED, message, now)
        events = [
            Event(
                EventName.MESSAGE_CREATED,
                principal.shop_id,
                conversation["id"],
                conversation["contact_id"],
                message,
                seq=message["seq"],
            )
        ]
        if changed:
            snapshot = conversation_json(conn, conversation["id"])
            outbox.enqueue(conn, principal.shop_id, EventName.CONVERSATION_UPDATED, snapshot, now)
            events.append(
                Event(
                    EventName.CONVERSATION_UPDATED,
                    principal.shop_id,
                    conversation["id"],
                    conversation["contact_id"],
                    snapshot,
                )
            )
        return SendResult(message, created=True, events=tuple(events))

    result = await desk.db.write(transaction)
    for event in result.events:  # only after the commit
        await desk.bus.publish(event)
    if any(t["status"] == translations.PENDING for t in result.message.get("translations", {}).values()):
        desk.translations_due.set()
    if result.created and principal.is_contact and desk.coach is not None:
        desk.insights_due.set()
    return result


def _target_conversation(
    conn: sa.Connection, principal: Principal, conversation_id: int | None, now: datetime
) -> tuple[sa.RowMapping, bool]:
    if conversation_id is not None:
        return check_conversation_access(conn, principal, conversation_id), False
    if not principal.is_contact:
        raise Invalid("conversation_id is required")
    latest = (
        conn.execute(
            sa.select(conversations)
            .where(conversations.c.contact_id == principal.id)
            .order_by(conversations.c.id.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if latest is not None:
        return latest, False
    new_id = conn.execute(
        sa.insert(conversations)
        .values(
            shop_id=principal.shop_id,
            contact_id=principal.id,
            status=ConversationStatus.OPEN.value,
            last_seq=0,
            created_at=now,
            updated_at=now,
        )
        .returning(conversations.c.id)
    ).scalar_one()
    return conn.execute(sa.select(conversations).where(conversations.c.id == new_id)).mappings().one(), True


def _claim_attachment(
    conn: sa.Connection, principal: Principal, attachment_id: int, conversation_id: int
) -> Json:
    row = (
        conn.execute(
            sa.select(
                attachments.c.id,
                attachments.c.shop_id,
                attachments.c.uploader_id,
                attachments.c.uploader_type,
                attachments.c.conversation_id,
                attachments.c.content_type,
                attachments.c.width,
                attachments.c.height,
            ).where(attachments.c.id == attachment_id)
        )
        .mappings()
        .first()
    )
    if (
        row is None
        or row["shop_id"] != principal.shop_id
        or row["uploader_id"] != principal.id
        or row["uploader_type"] != principal.author_type.value
        or row["conversation_id"] not in (None, conversation_id)
    ):
        raise NotFound("No such attachment")
    conn.execute(
        sa.update(attachments)
        .where(attachments.c.id == attachment_id)
        .values(conversation_id=conversation_id)
    )
    return attachment_json(row)
