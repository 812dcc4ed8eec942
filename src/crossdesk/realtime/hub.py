"""This process's sockets, indexed so an event from the bus reaches exactly the sockets that may see it."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from crossdesk.events.event import Event

if TYPE_CHECKING:
    from crossdesk.realtime.connection import Connection


class Hub:
    def __init__(self) -> None:
        self._agents_by_shop: dict[int, set[Connection]] = defaultdict(set)
        self._by_contact: dict[int, set[Connection]] = defaultdict(set)
        self._by_id: dict[str, Connection] = {}

    def _index(self, conn: Connection) -> dict[int, set[Connection]]:
        return self._by_contact if conn.principal.is_contact else self._agents_by_shop

    def _key(self, conn: Connection) -> int:
        return conn.principal.id if conn.principal.is_contact else conn.principal.shop_id

    def register(self, conn: Connection) -> None:
        self._index(conn)[self._key(conn)].add(conn)
        self._by_id[conn.id] = conn

    def unregister(self, conn: Connection) -> None:
        index, key = self._index(conn), self._key(conn)
        index[key].discard(conn)
        self._by_id.pop(conn.id, None)
        if not index[key]:
            del index[key]

    def dispatch(self, event: Event) -> None:
        """Called by the bus for every event; must not block."""
        if event.to_connection is not None:
            target = self._by_id.get(event.to_connection)  # in this process or another one's
            if target is not None:
                target.offer(event)
            return
        for conn in tuple(self._agents_by_shop.get(event.shop_id, ())):
            conn.offer(event)
        if event.visible_to_contact:
            for conn in tuple(self._by_contact.get(event.contact_id, ())):
                conn.offer(event)

    def online_agent_ids(self, shop_id: int) -> set[int]:
        return {c.principal.id for c in self._agents_by_shop.get(shop_id, ())}

    @property
    def connection_count(self) -> int:
        return sum(map(len, self._agents_by_shop.values())) + sum(map(len, self._by_contact.values()))
