"""Fan-out across `crossdesk serve` processes through Redis pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as aioredis

from crossdesk.bus.base import Bus
from crossdesk.events.event import Event

log = logging.getLogger(__name__)


class RedisBus(Bus):
    """Publishes to one channel; each process's listener routes what it hears (its own events too, so a
    process delivers in the same order as its peers). Pub/sub is at-most-once: a socket that misses an event
    while Redis is away catches up by sequence from the database, which is the source of truth."""

    def __init__(self, url: str, channel: str) -> None:
        super().__init__()
        self._channel = channel
        self._redis = aioredis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._pubsub.subscribe(self._channel)
        self._listener = asyncio.create_task(self._listen(), name="redis-bus-listener")

    async def publish(self, event: Event) -> None:
        await self._redis.publish(self._channel, event.to_wire())

    async def _listen(self) -> None:
        while True:
            try:
                async for message in self._pubsub.listen():
                    if message["type"] == "message":
                        self._dispatch(Event.from_wire(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("redis bus listener failed; resubscribing")
                await asyncio.sleep(1.0)
                with contextlib.suppress(Exception):
                    await self._pubsub.subscribe(self._channel)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()
