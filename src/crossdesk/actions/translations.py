"""Translations of messages: owed rows written with the message, filled in by the translation worker,
previews for an agent's draft, language overrides and the shop glossary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.errors import Forbidden, Invalid, NotFound, TooLong, Unavailable
from crossdesk.db import queries
from crossdesk.db.queries import Json
from crossdesk.db.tables import (
    agents,
    contacts,
    conversations,
    glossary_entries,
    message_translations,
    messages,
)
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType
from crossdesk.events.event import Event, EventName
from crossdesk.language import languages
from crossdesk.language.glossary import KEEP, MAX_TERM_CHARS, Glossary
from crossdesk.language.translator import Translation, TranslationError, TranslationRequest
from crossdesk.webhooks import outbox

PENDING, DONE, FAILED = "pending", "done", "failed"
MAX_ATTEMPTS = 3
LEASE = timedelta(minutes=5)
MAX_GLOSSARY_ENTRIES = 500


# --- inside a message's transaction ---------------------------------------------------------------------
def agent_languages(conn: sa.Connection, shop_id: int) -> set[str]:
    rows = conn.execute(sa.select(agents.c.language).where(agents.c.shop_id == shop_id).distinct())
    return {r[0] for r in rows if r[0]}


def agent_language(conn: sa.Connection, agent_id: int) -> str | None:
    return conn.execute(sa.select(agents.c.language).where(agents.c.id == agent_id)).scalar_one_or_none()


def buyer_language(conn: sa.Connection, conversation: sa.RowMapping) -> str | None:
    """The conversation's pinned language, else the language the buyer's browser announced."""
    if conversation["language"]:
        return str(conversation["language"])
    found = conn.execute(
        sa.select(contacts.c.language).where(contacts.c.id == conversation["contact_id"])
    ).scalar_one_or_none()
    return found or None


def owe_translations(
    conn: sa.Connection, message_id: int, targets: Iterable[str], now: datetime, done: Json | None = None
) -> dict[str, Json]:
    """Record the translations a new message needs: `done` (an agent's previewed text, keyed by language)
    is stored as is; every other target is owed (pending). Returns them as the message JSON shows them."""
    shown: dict[str, Json] = {}
    for language in sorted(set(targets)):
        preview = (done or {}).get(language)
        row = {
            "message_id": message_id,
            "language": language,
            "status": DONE if preview else PENDING,
            "body": preview["body"] if preview else None,
            "engine": preview["engine"] if preview else None,
            "review": bool(preview["review"]) if preview else False,
            "issues": list(preview.get("issues", [])) if preview else [],
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        conn.execute(sa.insert(message_translations).values(**row))
        shown[language] = queries.translation_json(row)
    return shown


# --- the worker's side ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TranslationJob:
    message_id: int
    language: str
    attempts: int
    body: str
    source: str
    seq: int
    conversation_id: int
    shop_id: int
    contact_id: int
    to_contact: bool  # an agent's message: the buyer reads this translation
    glossary: Glossary


async def claim_next(desk: Desk) -> TranslationJob | None:
    """Lease the newest owed translation (other processes skip it until the lease ends)."""
    now = desk.clock()

    def transaction(conn: sa.Connection) -> TranslationJob | None:
        row = (
            conn.execute(
                sa.select(
                    message_translations.c.message_id,
                    message_translations.c.language,
                    message_translations.c.attempts,
                    messages.c.body,
                    messages.c.language.label("source"),
                    messages.c.seq,
                    messages.c.author_type,
                    conversations.c.id.label("conversation_id"),
                    conversations.c.shop_id,
                    conversations.c.contact_id,
                )
                .join(messages, messages.c.id == message_translations.c.message_id)
                .join(conversations, conversations.c.id == messages.c.conversation_id)
                .where(
                    message_translations.c.status == PENDING,
                    sa.or_(
                        message_translations.c.lease_until.is_(None),
                        message_translations.c.lease_until < now,
                    ),
                )
                # Newest first: agents are looking at the live conversation, not at a backlog.
                .order_by(message_translations.c.created_at.desc(), message_translations.c.message_id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        conn.execute(
            sa.update(message_translations)
            .where(
                message_translations.c.message_id == row["message_id"],
                message_translations.c.language == row["language"],
            )
            .values(lease_until=now + LEASE, attempts=row["attempts"] + 1, updated_at=now)
        )
        return TranslationJob(
            message_id=row["message_id"],
            language=row["language"],
            attempts=row["attempts"] + 1,
            body=row["body"],
            source=row["source"] or "und",
            seq=row["seq"],
            conversation_id=row["conversation_id"],
            shop_id=row["shop_id"],
            contact_id=row["contact_id"],
            to_contact=row["author_type"] == "agent",
            glossary=shop_glossary(conn, row["shop_id"]),
        )

    # Look first without the write lock: most passes find nothing.
    if not await desk.db.read(_anything_owed):
        return None
    return await desk.db.write(transaction)


def _anything_owed(conn: sa.Connection) -> bool:
    found = conn.execute(
        sa.select(message_translations.c.message_id).where(message_translations.c.status == PENDING).limit(1)
    ).first()
    return found is not None


async def record_outcome(
    desk: Desk, job: TranslationJob, translation: Translation | None, error: str | None = None
) -> None:
    """Store the translation (or the failure, once out of attempts) and announce it after the commit."""
    now = desk.clock()
    if translation is not None:
        values: dict[str, Any] = {
            "status": DONE,
            "body": translation.text,
            "engine": translation.engine,
            "review": translation.review,
            "issues": list(translation.issues),
        }
    elif job.attempts >= MAX_ATTEMPTS:
        values = {"status": FAILED, "issues": [error or "translation failed"]}
    else:
        # Try again after a pause; the lease is the back-off.
        values = {"lease_until": now + timedelta(seconds=10 * job.attempts)}

    def transaction(conn: sa.Connection) -> Json | None:
        conn.execute(
            sa.update(message_translations)
            .where(
                message_translations.c.message_id == job.message_id,
                message_translations.c.language == job.language,
                message_translations.c.status == PENDING,
            )
            .values(updated_at=now, **values)
        )
        if "status" not in values:
            return None
        row = (
            conn.execute(
                sa.select(message_translations).where(
                    message_translations.c.message_id == job.message_id,
                    message_translations.c.language == job.language,
                )
            )
            .mappings()
            .one()
        )
        shown = queries.translation_json(row)
        payload = {"message_id": job.message_id, "language": job.language, "translation": shown}
        outbox.enqueue(conn, job.shop_id, EventName.MESSAGE_TRANSLATED, payload, now)
        return shown

    shown = await desk.db.write(transaction)
    if shown is None:
        return
    await desk.bus.publish(
        Event(
            EventName.MESSAGE_TRANSLATED,
            job.shop_id,
            job.conversation_id,
            job.contact_id,
            {"message_id": job.message_id, "seq": job.seq, "language": job.language, "translation": shown},
            visible_to_contact=job.to_contact,
        )
    )


# --- agents' tools ----------------------------------------------------------------------------------------
def check_language(code: str) -> str:
    code = code.strip().lower()
    if not languages.is_known(code):
        raise Invalid(f"Unknown language {code!r}; use an ISO 639-1 code such as pt, zh or ar")
    return code


async def preview_translation(desk: Desk, principal: Principal, conversation_id: int, text: str) -> Json:
    """The buyer-language version of an agent's draft, before it is sent (it is not stored)."""
    check_agent(principal)
    if len(text) > desk.settings.max_body_chars:
        raise TooLong(f"A message holds at most {desk.settings.max_body_chars} characters")

    def read(conn: sa.Connection) -> tuple[str | None, str | None, Glossary]:
        conversation = check_conversation_access(conn, principal, conversation_id)
        own = agent_language(conn, principal.id) if principal.type is PrincipalType.AGENT else None
        return own, buyer_language(conn, conversation), shop_glossary(conn, principal.shop_id)

    own, target, glossary = await desk.db.read(read)
    if target is None:
        return {"needed": False, "target_language": None, "reason": "the buyer's language is not known yet"}
    source = own or desk.language.detector.detect(text).language or target
    translator = desk.language.translator
    if translator is None:
        return {"needed": source != target, "target_language": target, "reason": "translation is off"}
    try:
        translation = await translator.translate(TranslationRequest(text, source, target, glossary))
    except TranslationError as exc:
        raise Unavailable(f"No translation engine could translate this draft: {exc}") from exc
    return translation.as_json()


async def set_conversation_language(
    desk: Desk, principal: Principal, conversation_id: int, language: str | None
) -> Json:
    """An agent fixes the buyer's language (or, with None, hands it back to detection)."""
    check_agent(principal)
    code = check_language(language) if language is not None else None

    def transaction(conn: sa.Connection) -> tuple[Json, int]:
        conversation = check_conversation_access(conn, principal, conversation_id)
        conn.execute(
            sa.update(conversations)
            .where(conversations.c.id == conversation_id)
            .values(language=code if code else conversation["language"], language_pinned=code is not None)
        )
        return queries.conversation_json(conn, conversation_id), conversation["contact_id"]

    snapshot, contact_id = await desk.db.write(transaction)
    await desk.bus.publish(
        Event(EventName.CONVERSATION_UPDATED, principal.shop_id, conversation_id, contact_id, snapshot)
    )
    return snapshot


async def set_agent_language(desk: Desk, principal: Principal, language: str) -> Json:
    if principal.type is not PrincipalType.AGENT:
        raise Forbidden("Only a signed-in agent has a working language")
    code = check_language(language)

    def transaction(conn: sa.Connection) -> Json:
        conn.execute(sa.update(agents).where(agents.c.id == principal.id).values(language=code))
        row = queries.agent_by_id(conn, principal.id)
        assert row is not None
        return queries.agent_json(row, online=True)

    return await desk.db.write(transaction)


# --- the glossary -----------------------------------------------------------------------------------------
def shop_glossary(conn: sa.Connection, shop_id: int) -> Glossary:
    rows = conn.execute(sa.select(glossary_entries.c.terms).where(glossary_entries.c.shop_id == shop_id))
    return Glossary.of(r[0] for r in rows)


def _glossary_json(row: sa.RowMapping) -> Json:
    return {"id": row["id"], "terms": row["terms"], "created_at": queries.iso(row["created_at"])}


async def list_glossary(desk: Desk, principal: Principal) -> list[Json]:
    check_agent(principal)
    query = sa.select(glossary_entries).where(glossary_entries.c.shop_id == principal.shop_id)
    rows = await desk.db.read(
        lambda conn: list(conn.execute(query.order_by(glossary_entries.c.id)).mappings())
    )
    return [_glossary_json(r) for r in rows]


def check_terms(terms: dict[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for code, term in terms.items():
        key = code if code == KEEP else check_language(code)
        value = " ".join(term.split())
        if not value or len(value) > MAX_TERM_CHARS:
            raise Invalid(f"A glossary term holds 1-{MAX_TERM_CHARS} characters")
        clean[key] = value
    if KEEP in clean and len(clean) > 1:
        raise Invalid('A keep-verbatim entry ("*") holds no other language')
    if KEEP not in clean and len(clean) < 2:
        raise Invalid('A glossary entry maps at least two languages, or keeps one term verbatim with "*"')
    return clean


async def add_glossary_entry(desk: Desk, principal: Principal, terms: dict[str, str]) -> Json:
    check_agent(principal)
    clean = check_terms(terms)
    now = desk.clock()

    def transaction(conn: sa.Connection) -> Json:
        count = conn.execute(
            sa.select(sa.func.count()).where(glossary_entries.c.shop_id == principal.shop_id)
        ).scalar_one()
        if count >= MAX_GLOSSARY_ENTRIES:
            raise Invalid(f"A glossary holds at most {MAX_GLOSSARY_ENTRIES} entries")
        new_id = conn.execute(
            sa.insert(glossary_entries)
            .values(shop_id=principal.shop_id, terms=clean, created_at=now)
            .returning(glossary_entries.c.id)
        ).scalar_one()
        row = (
            conn.execute(sa.select(glossary_entries).where(glossary_entries.c.id == new_id)).mappings().one()
        )
        return _glossary_json(row)

    return await desk.db.write(transaction)


async def delete_glossary_entry(desk: Desk, principal: Principal, entry_id: int) -> None:
    check_agent(principal)

    def transaction(conn: sa.Connection) -> None:
        deleted = conn.execute(
            sa.delete(glossary_entries).where(
                glossary_entries.c.id == entry_id, glossary_entries.c.shop_id == principal.shop_id
            )
        )
        if deleted.rowcount == 0:
            raise NotFound("No such glossary entry")

    await desk.db.write(transaction)
