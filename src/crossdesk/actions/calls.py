"""Calls: start, ring, answer, relay the peers' signaling, end once, and keep evidence snapshots.

Only two sockets take part in a call: the agent's that started it and the first buyer page that rang.
Every signaling frame is checked against the call's row, so a third socket (another tab, another buyer,
another agent) can neither read nor inject an offer. The record ends in the conversation's timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.attachments import check_image, store_attachment
from crossdesk.actions.errors import Conflict, Invalid, NotFound, TooLong
from crossdesk.actions.timeline import append_message
from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import agents, calls
from crossdesk.desk import Desk
from crossdesk.domain.models import MessageKind, Principal
from crossdesk.events.event import Event, EventName
from crossdesk.rtc.calls import (
    PARTY_REASONS,
    CallMedia,
    CallState,
    EndReason,
    RecordingState,
    check_quality,
    check_recording,
    summary,
)
from crossdesk.webhooks import outbox

MAX_SIGNAL_BYTES = 32 * 1024  # an SDP offer with a few codecs is 3-8 KB
LIVE = (CallState.RINGING.value, CallState.ACTIVE.value)


def _call_json(row: sa.RowMapping) -> Json:
    """What both parties' pages see: never the sockets' ids."""
    duration = None
    if row["answered_at"] is not None and row["ended_at"] is not None:
        duration = int((row["ended_at"] - row["answered_at"]).total_seconds())
    return {
        "id": row["id"],
        "conversation_id": row["conversation_id"],
        "media": row["media"],
        "state": row["state"],
        "end_reason": row["end_reason"],
        "ended_by": row["ended_by"],
        "agent": {"id": row["agent_id"], "name": row["agent_name"]},
        "quality": row["quality"] or {},
        "recording": row["recording"],
        "created_at": iso(row["created_at"]),
        "answered_at": iso(row["answered_at"]) if row["answered_at"] else None,
        "ended_at": iso(row["ended_at"]) if row["ended_at"] else None,
        "duration_s": duration,
    }


def _row(conn: sa.Connection, call_id: int, *, lock: bool = False) -> sa.RowMapping | None:
    query = (
        sa.select(calls, agents.c.name.label("agent_name"))
        .join(agents, agents.c.id == calls.c.agent_id)
        .where(calls.c.id == call_id)
    )
    if lock:
        query = query.with_for_update(of=calls)
    return conn.execute(query).mappings().first()


def _party_row(
    conn: sa.Connection, principal: Principal, call_id: int, *, lock: bool = False
) -> sa.RowMapping:
    row = _row(conn, call_id, lock=lock)
    # One answer for "missing" and "not yours", as for conversations.
    if row is None or row["shop_id"] != principal.shop_id:
        raise NotFound("No such call")
    if principal.is_contact and row["contact_id"] != principal.id:
        raise NotFound("No such call")
    if not principal.is_contact and row["agent_id"] != principal.id:
        raise NotFound("No such call")
    return row


def _updated(row: sa.RowMapping) -> Event:
    return Event(
        EventName.CALL_UPDATED, row["shop_id"], row["conversation_id"], row["contact_id"], _call_json(row)
    )


def _timeline_item(
    conn: sa.Connection,
    row: sa.RowMapping,
    author: dict[str, Any],
    *,
    kind: MessageKind,
    body: str,
    now: datetime,
    meta: dict[str, Any],
    attachment: Json | None = None,
    to_contact: bool = True,
) -> tuple[Json, Event]:
    """Append one of the call's items (its record, a snapshot, a recording) to its conversation, owed to
    webhooks in the same transaction; the event to publish after the commit."""
    message = append_message(
        conn,
        row["conversation_id"],
        kind=kind,
        author=author,
        body=body,
        now=now,
        attachment=attachment,
        meta=meta,
    )
    outbox.enqueue(conn, row["shop_id"], EventName.MESSAGE_CREATED, message, now)
    event = Event(
        EventName.MESSAGE_CREATED,
        row["shop_id"],
        row["conversation_id"],
        row["contact_id"],
        message,
        seq=message["seq"],
        visible_to_contact=to_contact,
    )
    return message, event


def _author(principal: Principal) -> dict[str, Any]:
    return {"type": principal.author_type.value, "id": principal.id, "name": principal.name}


async def _publish(desk: Desk, events: list[Event]) -> None:
    for event in events:  # only after the commit
        await desk.bus.publish(event)


# --- the agent starts, the buyer's page rings and answers ---------------------------------------------
async def start_call(
    desk: Desk, principal: Principal, conversation_id: int, media: str, connection_id: str
) -> Json:
    check_agent(principal)
    try:
        kind = CallMedia(media)
    except ValueError:
        raise Invalid("media must be video or audio") from None
    now = desk.clock()

    def transaction(conn: sa.Connection) -> sa.RowMapping:
        conversation = check_conversation_access(conn, principal, conversation_id)
        busy = conn.execute(
            sa.select(calls.c.id).where(calls.c.conversation_id == conversation_id, calls.c.state.in_(LIVE))
        ).first()
        if busy is not None:
            raise Conflict("A call is already going on in this conversation")
        call_id = conn.execute(
            sa.insert(calls)
            .values(
                shop_id=principal.shop_id,
                conversation_id=conversation_id,
                contact_id=conversation["contact_id"],
                agent_id=principal.id,
                media=kind.value,
                state=CallState.RINGING.value,
                agent_connection=connection_id,
                quality={},
                created_at=now,
            )
            .returning(calls.c.id)
        ).scalar_one()
        row = _row(conn, call_id)
        assert row is not None
        return row

    row = await desk.db.write(transaction)
    await _publish(desk, [_updated(row)])
    desk.calls_ringing.set()
    return _call_json(row)


async def ring(desk: Desk, principal: Principal, call_id: int, connection_id: str) -> Json:
    """A buyer page shows the invitation: it becomes the buyer's side of the call (the first page wins),
    so the agent's offer can go to it while the buyer reads the invitation."""

    def transaction(conn: sa.Connection) -> sa.RowMapping:
        row = _party_row(conn, principal, call_id, lock=True)
        if row["state"] != CallState.RINGING:
            raise Conflict("This call is no longer ringing")
        if row["contact_connection"] not in (None, connection_id):
            raise Conflict("The call rings in another window")
        conn.execute(sa.update(calls).where(calls.c.id == call_id).values(contact_connection=connection_id))
        updated = _row(conn, call_id)
        assert updated is not None
        return updated

    row = await desk.db.write(transaction)
    await _publish(
        desk,
        [
            Event(
                EventName.CALL_SIGNAL,
                row["shop_id"],
                row["conversation_id"],
                row["contact_id"],
                {"call_id": call_id, "data": {"ringing": True}},
                to_connection=row["agent_connection"],
            )
        ],
    )
    return _call_json(row)


async def accept(desk: Desk, principal: Principal, call_id: int, connection_id: str) -> Json:
    now = desk.clock()

    def transaction(conn: sa.Connection) -> sa.RowMapping:
        row = _party_row(conn, principal, call_id, lock=True)
        if not principal.is_contact or row["contact_connection"] != connection_id:
            raise Conflict("Only the buyer's ringing window can answer")
        if row["state"] != CallState.RINGING:
            raise Conflict("This call is no longer ringing")
        conn.execute(
            sa.update(calls)
            .where(calls.c.id == call_id)
            .values(state=CallState.ACTIVE.value, answered_at=now)
        )
        updated = _row(conn, call_id)
        assert updated is not None
        return updated

    row = await desk.db.write(transaction)
    await _publish(desk, [_updated(row)])
    return _call_json(row)


# --- ending ------------------------------------------------------------------------------------------
def _end(conn: sa.Connection, row: sa.RowMapping, reason: EndReason, by: str, now: datetime) -> list[Event]:
    """End a live call once (a conditional update: concurrent ends, e.g. a hang-up racing the ring timer,
    leave one record) and put it in the timeline."""
    ended = conn.execute(
        sa.update(calls)
        .where(calls.c.id == row["id"], calls.c.state.in_(LIVE))
        .values(state=CallState.ENDED.value, end_reason=reason.value, ended_by=by, ended_at=now)
    ).rowcount
    if not ended:
        return []
    final = _row(conn, row["id"])
    assert final is not None
    record = _call_json(final)
    message, created = _timeline_item(
        conn,
        row,
        {"type": "agent", "id": row["agent_id"], "name": row["agent_name"]},
        kind=MessageKind.CALL,
        body=summary(row["media"], reason.value, record["duration_s"]),
        now=now,
        meta={"call": record},
    )
    conn.execute(sa.update(calls).where(calls.c.id == row["id"]).values(message_id=message["id"]))
    return [created, _updated(final)]


async def hang_up(desk: Desk, principal: Principal, call_id: int, reason: str | None = None) -> None:
    """A party ends the call: a hang-up, a decline, or a failure its browser met (camera refused...)."""
    try:
        said = EndReason(reason or EndReason.COMPLETED.value)
    except ValueError:
        raise Invalid("Unknown reason for ending a call") from None
    if said not in PARTY_REASONS | {EndReason.DECLINED}:
        raise Invalid("Unknown reason for ending a call")
    if said is EndReason.DECLINED and not principal.is_contact:
        raise Invalid("Only the buyer declines a call")
    now = desk.clock()

    def transaction(conn: sa.Connection) -> list[Event]:
        # Any window of the party may hang up (a page that reconnected has a new socket).
        row = _party_row(conn, principal, call_id, lock=True)
        if row["state"] == CallState.ENDED:
            return []  # already ended: a second hang-up (both sides at once) is not an error
        final = said
        if said is EndReason.COMPLETED and row["state"] == CallState.RINGING:
            final = EndReason.DECLINED if principal.is_contact else EndReason.CANCELLED
        return _end(conn, row, final, principal.author_type.value, now)

    await _publish(desk, await desk.db.write(transaction))


async def connection_closed(desk: Desk, connection_id: str) -> None:
    """A party's page closed or lost its socket: their calls end (the other side would wait forever)."""
    now = desk.clock()

    def transaction(conn: sa.Connection) -> list[Event]:
        ids = conn.execute(
            sa.select(calls.c.id).where(
                calls.c.state.in_(LIVE),
                sa.or_(
                    calls.c.agent_connection == connection_id, calls.c.contact_connection == connection_id
                ),
            )
        ).scalars()
        events: list[Event] = []
        for call_id in list(ids):
            row = _row(conn, call_id, lock=True)
            if row is not None:
                side = "agent" if row["agent_connection"] == connection_id else "contact"
                events += _end(conn, row, EndReason.DISCONNECTED, side, now)
        return events

    await _publish(desk, await desk.db.write(transaction))


async def expire_ringing(desk: Desk) -> int:
    """End calls no buyer page rang for within the presence timeout, and calls unanswered after the ring
    timeout. Any process may run it: ending is conditional, so each call ends once."""
    now = desk.clock()
    presence = now - timedelta(seconds=desk.settings.rtc_presence_timeout_s)
    unanswered = now - timedelta(seconds=desk.settings.rtc_ring_timeout_s)

    ringing = await desk.db.read(
        lambda conn: conn.execute(
            sa.select(calls.c.id, calls.c.contact_connection, calls.c.created_at).where(
                calls.c.state == CallState.RINGING.value
            )
        ).all()
    )
    due: list[tuple[int, EndReason]] = []
    for call_id, contact_connection, created_at in ringing:
        if contact_connection is None and created_at <= presence:
            due.append((call_id, EndReason.BUYER_OFFLINE))
        elif created_at <= unanswered:
            due.append((call_id, EndReason.NO_ANSWER))
    if not due:
        return len(ringing)  # the usual pass: a read, no write

    def transaction(conn: sa.Connection) -> list[Event]:
        events: list[Event] = []
        for call_id, reason in due:
            row = _row(conn, call_id, lock=True)
            # Checked again under the lock: a call answered (or rung) since the read stays up.
            if row is None or row["state"] != CallState.RINGING:
                continue
            if reason is EndReason.NO_ANSWER or row["contact_connection"] is None:
                events += _end(conn, row, reason, "system", now)
        return events

    await _publish(desk, await desk.db.write(transaction))
    return len(ringing)


# --- while the call is up ------------------------------------------------------------------------------
async def relay_signal(desk: Desk, principal: Principal, call_id: int, connection_id: str, data: Any) -> None:
    """Pass an offer, answer or ICE candidate to the other party's socket, and to nobody else."""
    if not isinstance(data, dict):
        raise Invalid("signal data must be an object")
    if len(orjson.dumps(data)) > MAX_SIGNAL_BYTES:
        raise TooLong("A signaling message holds at most 32 KB")
    row = await desk.db.read(lambda conn: _party_row(conn, principal, call_id))
    if row["state"] not in LIVE:
        raise Conflict("This call has ended")
    if connection_id == row["agent_connection"]:
        target = row["contact_connection"]
    elif connection_id == row["contact_connection"]:
        target = row["agent_connection"]
    else:
        raise Conflict("This window is not part of the call")
    if target is None:
        raise Conflict("The buyer's page has not rung yet")
    await desk.bus.publish(
        Event(
            EventName.CALL_SIGNAL,
            row["shop_id"],
            row["conversation_id"],
            row["contact_id"],
            {"call_id": call_id, "data": data},
            to_connection=target,
        )
    )


async def report_quality(
    desk: Desk, principal: Principal, call_id: int, connection_id: str, stats: Any
) -> None:
    """The agent's browser reports the connection's figures (getStats) now and then; the latest is kept."""
    quality = check_quality(stats)

    def transaction(conn: sa.Connection) -> None:
        row = _party_row(conn, principal, call_id)
        if principal.is_contact or row["agent_connection"] != connection_id:
            raise Conflict("Only the agent's window reports the call's quality")
        if row["state"] == CallState.ACTIVE:
            conn.execute(sa.update(calls).where(calls.c.id == call_id).values(quality=quality))

    await desk.db.write(transaction)


async def attach_snapshot(desk: Desk, principal: Principal, call_id: int, data: bytes) -> Json:
    """A frame of the buyer's video, captured by the agent, attached to the conversation as evidence."""
    content_type, width, height = check_image(data, desk.settings.max_attachment_bytes)
    now = desk.clock()

    def transaction(conn: sa.Connection) -> tuple[Json, Event]:
        row = _party_row(conn, principal, call_id)
        check_agent(principal)
        if row["state"] != CallState.ACTIVE:
            raise Conflict("Snapshots are taken during a call")
        attachment = store_attachment(
            conn, principal, row["conversation_id"], data, (content_type, width, height), now
        )
        return _timeline_item(
            conn,
            row,
            _author(principal),
            kind=MessageKind.IMAGE,
            body="Snapshot from the video call",
            now=now,
            attachment=attachment,
            meta={"snapshot": {"call_id": call_id, "captured_at": iso(now)}},
        )

    message, event = await desk.db.write(transaction)
    await desk.bus.publish(event)
    return message


# --- recording, with both parties' consent ---------------------------------------------------------------
async def decide_recording(desk: Desk, principal: Principal, call_id: int, action: str) -> Json:
    """The agent asks (their own consent) or stops; the buyer allows or refuses. Each step is stored with
    its time and announced, so both screens show whether the call is being recorded."""
    now = desk.clock()
    # action -> (done by the buyer?, from which states, to which state)
    moves: dict[str, tuple[bool, set[RecordingState | None], RecordingState]] = {
        "ask": (False, {None, RecordingState.REFUSED, RecordingState.STOPPED}, RecordingState.ASKED),
        "allow": (True, {RecordingState.ASKED}, RecordingState.ALLOWED),
        "refuse": (True, {RecordingState.ASKED}, RecordingState.REFUSED),
        "stop": (False, {RecordingState.ASKED, RecordingState.ALLOWED}, RecordingState.STOPPED),
    }
    if action not in moves:
        raise Invalid("action must be ask, allow, refuse or stop")
    by_buyer, allowed_from, target = moves[action]

    def transaction(conn: sa.Connection) -> sa.RowMapping:
        row = _party_row(conn, principal, call_id, lock=True)
        if principal.is_contact != by_buyer:
            raise Conflict("The agent asks and stops; the buyer allows or refuses")
        if row["state"] != CallState.ACTIVE:
            raise Conflict("Recording is decided during an answered call")
        current = row["recording"] or {}
        if current.get("state") not in allowed_from:
            raise Conflict(f"Cannot {action}: recording is {current.get('state') or 'not asked'}")
        recording = {**current, "state": target.value, f"{target.value}_at": iso(now)}
        if target is RecordingState.ASKED:
            recording = {"state": target.value, "asked_at": iso(now)}  # a fresh request, fresh consent
        conn.execute(sa.update(calls).where(calls.c.id == call_id).values(recording=recording))
        updated = _row(conn, call_id)
        assert updated is not None
        return updated

    row = await desk.db.write(transaction)
    await _publish(desk, [_updated(row)])
    return _call_json(row)


async def attach_recording(desk: Desk, principal: Principal, call_id: int, data: bytes) -> Json:
    """The recording the agent's browser made, kept with the conversation for staff (the buyer agreed to
    it; the timeline shows them the call's record, not the file). Accepted after the call too: uploading
    starts when the recording stops, which is often the hang-up."""
    content_type = check_recording(data, desk.settings.max_recording_bytes)
    now = desk.clock()

    def transaction(conn: sa.Connection) -> tuple[Json, Event]:
        row = _party_row(conn, principal, call_id)
        check_agent(principal)
        consent = row["recording"] or {}
        if consent.get("state") not in (RecordingState.ALLOWED, RecordingState.STOPPED) or not consent.get(
            "allowed_at"
        ):
            raise Conflict("The buyer has not allowed recording this call")
        attachment = store_attachment(
            conn, principal, row["conversation_id"], data, (content_type, 0, 0), now
        )
        return _timeline_item(
            conn,
            row,
            _author(principal),
            kind=MessageKind.RECORDING,
            body="Recording of the call",
            now=now,
            attachment=attachment,
            meta={"recording": {"call_id": call_id, "consent": consent, "size": len(data)}},
            to_contact=False,  # staff only
        )

    message, event = await desk.db.write(transaction)
    await desk.bus.publish(event)
    return message


async def live_calls_for(desk: Desk, principal: Principal) -> list[Json]:
    """Calls still ringing or going on that this socket's owner takes part in: a buyer page that
    (re)connects while a call rings shows the invitation."""

    def transaction(conn: sa.Connection) -> list[Json]:
        who = calls.c.contact_id if principal.is_contact else calls.c.agent_id
        rows = (
            conn.execute(
                sa.select(calls, agents.c.name.label("agent_name"))
                .join(agents, agents.c.id == calls.c.agent_id)
                .where(calls.c.shop_id == principal.shop_id, who == principal.id, calls.c.state.in_(LIVE))
            )
            .mappings()
            .all()
        )
        return [_call_json(row) for row in rows]

    return await desk.db.read(transaction)
