"""The coach at work on conversations: buyer messages owe an analysis (a row written with the message),
the analysis worker fills it in and updates the conversation's insight, and agents ask for a drafted reply
or a check of their own draft.

Insights are for agents only: they are never put into what a buyer's socket or the widget API returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crossdesk.actions import translations
from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.errors import Invalid, TooLong, Unavailable
from crossdesk.coach.analyzer import Analysis, CustomerState, customer_state
from crossdesk.coach.service import Coach
from crossdesk.coach.suggester import variant_for
from crossdesk.commerce.facts import order_facts
from crossdesk.db import queries
from crossdesk.db.orders import buyer_orders
from crossdesk.db.queries import Json
from crossdesk.db.tables import contacts, conversations, message_insights, messages
from crossdesk.desk import Desk
from crossdesk.domain.models import AuthorType, Principal, PrincipalType
from crossdesk.events.event import Event, EventName

PENDING, DONE, FAILED = "pending", "done", "failed"
FALLBACK_LANGUAGE = "en"  # for API tokens, which have no working language
CLAIM_BATCH = 16


def owe_insight(conn: sa.Connection, message_id: int, conversation_id: int, now: datetime) -> None:
    conn.execute(
        sa.insert(message_insights).values(
            message_id=message_id, conversation_id=conversation_id, status=PENDING, created_at=now
        )
    )


@dataclass(frozen=True)
class InsightJob:
    message_id: int
    conversation_id: int
    shop_id: int
    contact_id: int
    body: str


async def pending_jobs(desk: Desk, limit: int = CLAIM_BATCH) -> list[InsightJob]:
    """The newest owed analyses first: a buyer writing now matters more than a backlog. Analysis is
    idempotent, so two processes reading the same row only do the work twice; no lease is needed."""
    query = (
        sa.select(
            message_insights.c.message_id,
            message_insights.c.conversation_id,
            conversations.c.shop_id,
            conversations.c.contact_id,
            messages.c.body,
        )
        .join(messages, messages.c.id == message_insights.c.message_id)
        .join(conversations, conversations.c.id == message_insights.c.conversation_id)
        .where(message_insights.c.status == PENDING)
        .order_by(message_insights.c.message_id.desc())
        .limit(limit)
    )
    rows = await desk.db.read(lambda conn: list(conn.execute(query).mappings()))
    return [
        InsightJob(r["message_id"], r["conversation_id"], r["shop_id"], r["contact_id"], r["body"])
        for r in rows
    ]


def _customer(conn: sa.Connection, conversation_id: int, contact_id: int, urgent: bool) -> CustomerState:
    earlier = conn.execute(
        sa.select(sa.func.count())
        .select_from(conversations)
        .where(conversations.c.contact_id == contact_id, conversations.c.id != conversation_id)
    ).scalar_one()
    last_agent_seq = conn.execute(
        sa.select(sa.func.coalesce(sa.func.max(messages.c.seq), 0)).where(
            messages.c.conversation_id == conversation_id, messages.c.author_type == AuthorType.AGENT.value
        )
    ).scalar_one()
    unanswered = conn.execute(
        sa.select(sa.func.count())
        .select_from(messages)
        .where(
            messages.c.conversation_id == conversation_id,
            messages.c.author_type == AuthorType.CONTACT.value,
            messages.c.seq > last_agent_seq,
        )
    ).scalar_one()
    return customer_state(int(earlier), int(unanswered), urgent)


async def record_insight(desk: Desk, coach: Coach, job: InsightJob, analysis: Analysis) -> Json | None:
    """Store one message's analysis; if it is the conversation's newest, that becomes the conversation's
    insight and agents hear of it. Returns the new conversation insight, if it changed."""
    now = desk.clock()

    def transaction(conn: sa.Connection) -> Json | None:
        updated = conn.execute(
            sa.update(message_insights)
            .where(message_insights.c.message_id == job.message_id, message_insights.c.status == PENDING)
            .values(
                status=DONE,
                intent=analysis.intent,
                sentiment=analysis.sentiment,
                urgent=analysis.urgent,
                confidence=analysis.intent_confidence,
                analyzed_at=now,
            )
        )
        if updated.rowcount == 0:
            return None  # another process got here first
        current = conn.execute(
            sa.select(conversations.c.insight).where(conversations.c.id == job.conversation_id)
        ).scalar_one()
        if current and int(current.get("message_id", 0)) > job.message_id:
            return None  # a newer message already speaks for the conversation
        customer = _customer(conn, job.conversation_id, job.contact_id, analysis.urgent)
        insight = {
            **analysis.as_json(),
            "intent_label": coach.playbook.intent_labels[analysis.intent],
            "customer": customer.as_json(),
            "message_id": job.message_id,
            "analyzed_at": queries.iso(now),
        }
        conn.execute(
            sa.update(conversations)
            .where(conversations.c.id == job.conversation_id)
            .values(
                intent=analysis.intent, sentiment=analysis.sentiment, urgent=analysis.urgent, insight=insight
            )
        )
        return insight

    insight = await desk.db.write(transaction)
    if insight is not None:
        payload = {"conversation_id": job.conversation_id, "insight": insight}
        await desk.bus.publish(
            Event(
                EventName.CONVERSATION_INSIGHT,
                job.shop_id,
                job.conversation_id,
                job.contact_id,
                payload,
                visible_to_contact=False,
            )
        )
    return insight


async def record_failure(desk: Desk, job: InsightJob) -> None:
    """Give up on one message (it stays unread by the coach); the conversation keeps its last insight."""
    now = desk.clock()
    await desk.db.write(
        lambda conn: conn.execute(
            sa.update(message_insights)
            .where(message_insights.c.message_id == job.message_id, message_insights.c.status == PENDING)
            .values(status=FAILED, analyzed_at=now)
        )
    )


# --- agents' tools ----------------------------------------------------------------------------------------
def _coach(desk: Desk) -> Coach:
    if desk.coach is None:
        raise Unavailable("The reply coach is off on this desk (CROSSDESK_COACH=none)")
    return desk.coach


@dataclass(frozen=True)
class _Context:
    """What the coach needs to know about a conversation, read once."""

    insight: Json | None
    name: str
    latest: sa.Row[Any, Any] | None  # the buyer's newest text message: (id, body)
    agent_language: str | None
    contact_id: int
    latest_order: Json | None  # the buyer's newest order, for the facts a reply can quote
    buyer_zone: str | None


async def _context(desk: Desk, principal: Principal, conversation_id: int, with_orders: bool) -> _Context:
    """`with_orders`: also read the buyer's orders (for a drafted reply's facts; a draft check, run as the
    agent types, does not need them)."""
    check_agent(principal)

    def read(conn: sa.Connection) -> _Context:
        conversation = check_conversation_access(conn, principal, conversation_id)
        row = conn.execute(
            sa.select(conversations.c.insight, contacts.c.name)
            .join(contacts, contacts.c.id == conversations.c.contact_id)
            .where(conversations.c.id == conversation_id)
        ).one()
        latest = conn.execute(
            sa.select(messages.c.id, messages.c.body)
            .where(
                messages.c.conversation_id == conversation_id,
                messages.c.author_type == AuthorType.CONTACT.value,
                messages.c.body != "",
            )
            .order_by(messages.c.seq.desc())
            .limit(1)
        ).first()
        own = (
            translations.agent_language(conn, principal.id) if principal.type is PrincipalType.AGENT else None
        )
        contact_id = conversation["contact_id"]
        if not with_orders:
            return _Context(row.insight, row.name or "", latest, own, contact_id, None, None)
        buyer = buyer_orders(conn, principal.shop_id, contact_id, conversation_id)
        return _Context(row.insight, row.name or "", latest, own, contact_id, buyer.latest, buyer.timezone)

    return await desk.db.read(read)


async def suggest_reply(
    desk: Desk,
    principal: Principal,
    conversation_id: int,
    intent_override: str | None = None,
    refuse: bool = False,
) -> Json:
    """A draft in the agent's language that follows the playbook for what the buyer last asked; with
    `refuse`, a warm but firm no with an alternative."""
    coach = _coach(desk)
    context = await _context(desk, principal, conversation_id, with_orders=True)
    if context.insight is None:
        if context.latest is None:
            raise Invalid("The buyer has not written anything to answer yet")
        analysis = await coach.analyze_async(context.latest.body)
        state = await desk.db.read(
            lambda conn: _customer(conn, conversation_id, context.contact_id, analysis.urgent)
        )
        intent, sentiment = analysis.intent, analysis.sentiment
    else:
        state = CustomerState.from_json(context.insight["customer"])
        intent, sentiment = context.insight["intent"], context.insight["sentiment"]
    intent = intent_override or intent
    language = context.agent_language or FALLBACK_LANGUAGE
    draft = coach.suggest(
        intent=intent,
        sentiment=sentiment,
        state=state,
        language=language,
        name=context.name,
        facts=order_facts(context.latest_order, language, context.buyer_zone),
        variant=variant_for(conversation_id, context.latest.id if context.latest is not None else 0),
        refuse=refuse,
    )
    return {**draft.as_json(), "intent": intent, "sentiment": sentiment, "customer": state.as_json()}


async def check_draft(
    desk: Desk,
    principal: Principal,
    conversation_id: int,
    text: str,
    translation: tuple[str, str] | None = None,
) -> Json:
    """Flags on the agent's draft, given what the buyer asked and how they feel; with `translation`
    (language, text), also what only the buyer-language version says (a machine translation can turn a
    plain sentence into "this is normal")."""
    coach = _coach(desk)
    limit = desk.settings.max_body_chars
    if len(text) > limit or (translation and len(translation[1]) > 2 * limit):  # translations run longer
        raise TooLong(f"A message holds at most {limit} characters")
    context = await _context(desk, principal, conversation_id, with_orders=False)
    insight = context.insight or {}
    language = context.agent_language or desk.language.detector.detect(text).language or FALLBACK_LANGUAGE
    flags = [
        {**flag.as_json(), "in": "draft"}
        for flag in await coach.check_async(text, language, insight.get("intent"), insight.get("sentiment"))
    ]
    if translation is not None and translation[0] != language:
        seen = {flag["kind"] for flag in flags}
        # Phrasing only: what the reply lacks (empathy, a next step) is judged on the draft itself.
        flags += [
            {**flag.as_json(), "in": "translation", "language": translation[0]}
            for flag in await coach.check_async(translation[1], translation[0], advice_language=language)
            if flag.kind not in seen and flag.start >= 0
        ]
    return {"language": language, "flags": flags}
