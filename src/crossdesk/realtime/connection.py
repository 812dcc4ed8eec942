"""One live socket: a single writer task delivers events in sequence order, filling gaps from the database."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import orjson

from crossdesk.actions.access import check_conversation_access
from crossdesk.actions.errors import ActionError
from crossdesk.db.database import Database
from crossdesk.db.queries import conversation_json, list_messages
from crossdesk.domain.models import Principal
from crossdesk.events.event import Event, EventName

log = logging.getLogger(__name__)

SendText = Callable[[str], Awaitable[None]]
REPLAY_PAGE = 200


@dataclass(frozen=True, slots=True)
class Replay:
    """Deliver what came after the conversation's cursor, then say `synced`."""

    conversation_id: int


class SlowConsumer(Exception):
    """The socket's queue overflowed; the client will reconnect and resume from its cursors."""


class Connection:
    def __init__(
        self, principal: Principal, send_text: SendText, db: Database, queue_size: int = 2000
    ) -> None:
        self.id = uuid.uuid4().hex
        self.principal = principal
        self._send_text = send_text
        self._db = db
        self._queue: asyncio.Queue[Event | Replay | str] = asyncio.Queue(queue_size)
        # Highest seq delivered per followed conversation; everything at or below it has been delivered.
        self.cursors: dict[int, int] = {}
        self.last_heard = time.monotonic()
        self.overflowed = False
        # Set once this socket starts or rings a call: only then does its closing have to end calls.
        self.in_call = False

    # --- producers (any task; never block) -------------------------------------------------------------
    def offer(self, event: Event) -> None:
        if event.origin == self.id:
            return
        self._put(event)

    def send_frame(self, frame: dict[str, object]) -> None:
        self._put(orjson.dumps(frame).decode())

    def follow(self, conversation_id: int, after_seq: int) -> None:
        """Deliver this conversation from `after_seq` on, in order. Synchronous on purpose: the cursor is set
        before any later event can be queued, so nothing slips between the replay and live delivery."""
        self.cursors[conversation_id] = max(0, after_seq)
        self._put(Replay(conversation_id))

    def _put(self, item: Event | Replay | str) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True

    # --- the single writer -----------------------------------------------------------------------------
    async def run_writer(self) -> None:
        while True:
            if self.overflowed:
                raise SlowConsumer
            item = await self._queue.get()
            if isinstance(item, str):
                await self._send_text(item)
            elif isinstance(item, Replay):
                await self._follow(item.conversation_id)
            else:
                await self._deliver(item)

    async def _deliver(self, event: Event) -> None:
        if event.name is EventName.MESSAGE_CREATED and event.seq is not None:
            cursor = self.cursors.get(event.conversation_id)
            if cursor is None and self.principal.is_contact:
                # A buyer follows all of their conversations: a new one is delivered from its start.
                cursor = 0
            if cursor is not None:
                if event.seq <= cursor:
                    return  # already delivered (by a replay or a gap fill)
                if event.seq > cursor + 1:
                    await self._replay(event.conversation_id, cursor, event.seq - 1)
                self.cursors[event.conversation_id] = event.seq
        await self._send_text(event.frame())

    async def _follow(self, conversation_id: int) -> None:
        try:
            await self._db.read(
                partial(check_conversation_access, principal=self.principal, conversation_id=conversation_id)
            )
        except ActionError as exc:
            # Events of a conversation this reader may not see are never routed here; just stop following.
            self.cursors.pop(conversation_id, None)
            await self._send_text(
                orjson.dumps(
                    {
                        "type": "error",
                        "code": exc.code,
                        "detail": exc.detail,
                        "conversation_id": conversation_id,
                    }
                ).decode()
            )
            return
        await self._replay(conversation_id, self.cursors.get(conversation_id, 0), None)
        await self._announce_synced(conversation_id)

    async def _replay(self, conversation_id: int, after_seq: int, until_seq: int | None) -> None:
        cursor = after_seq
        while True:
            page = await self._db.read(
                partial(
                    list_messages,
                    conversation_id=conversation_id,
                    after_seq=cursor,
                    until_seq=until_seq,
                    limit=REPLAY_PAGE,
                    for_contact=self.principal.is_contact,
                )
            )
            for message in page:
                event = Event(
                    EventName.MESSAGE_CREATED,
                    self.principal.shop_id,
                    conversation_id,
                    0,
                    message,
                    seq=message["seq"],
                )
                await self._send_text(event.frame())
                cursor = message["seq"]
            if len(page) < REPLAY_PAGE:
                break
        if until_seq is not None:
            cursor = max(cursor, until_seq)  # what is left below until_seq is not for this reader
        self.cursors[conversation_id] = max(cursor, self.cursors.get(conversation_id, 0))

    async def _announce_synced(self, conversation_id: int) -> None:
        agent_id = None if self.principal.is_contact else self.principal.id
        staff = not self.principal.is_contact
        snapshot = await self._db.read(
            lambda conn: conversation_json(conn, conversation_id, agent_id, staff=staff)
        )
        update = Event(EventName.CONVERSATION_UPDATED, self.principal.shop_id, conversation_id, 0, snapshot)
        await self._send_text(update.frame())
        await self._send_text(
            orjson.dumps(
                {"type": "synced", "conversation_id": conversation_id, "seq": self.cursors[conversation_id]}
            ).decode()
        )

    # --- heartbeats ------------------------------------------------------------------------------------
    async def run_heartbeat(self, interval_s: float) -> None:
        """Ping every interval; give up on a client silent for two intervals (a dead socket)."""
        while True:
            await asyncio.sleep(interval_s)
            if time.monotonic() - self.last_heard > 2 * interval_s:
                log.info("closing silent socket", extra={"connection": self.id})
                return
            self.send_frame({"type": "ping"})
