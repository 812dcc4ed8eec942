"""The bus interface. Every process subscribes to every event and routes to its own sockets."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from crossdesk.events.event import Event

Handler = Callable[[Event], None]


class Bus(ABC):
    def __init__(self) -> None:
        self._handler: Handler | None = None

    def subscribe(self, handler: Handler) -> None:
        self._handler = handler

    async def start(self) -> None:  # noqa: B027 (optional hook)
        """Connect; a no-op for buses that need nothing."""

    @abstractmethod
    async def publish(self, event: Event) -> None:
        """Hand the event to every process's handler, this one included. Call only after the commit."""

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Disconnect."""

    def _dispatch(self, event: Event) -> None:
        if self._handler is not None:
            self._handler(event)


class InProcessBus(Bus):
    async def publish(self, event: Event) -> None:
        self._dispatch(event)
