"""Queue webhook deliveries inside the transaction of the change they announce."""

from __future__ import annotations

from datetime import datetime

import orjson
import sqlalchemy as sa

from crossdesk.db.queries import Json
from crossdesk.db.tables import webhook_deliveries
from crossdesk.events.event import EventName

# Runs with every message; plain SQL keeps it cheap. The events column is JSON.
_HOOKS = sa.text("SELECT id, events FROM webhooks WHERE shop_id = :shop_id").columns(
    sa.column("id", sa.Integer), sa.column("events", sa.JSON)
)


def enqueue(conn: sa.Connection, shop_id: int, event: EventName, data: Json, now: datetime) -> None:
    hooks = conn.execute(_HOOKS, {"shop_id": shop_id}).all()
    wanted = [hook_id for hook_id, events in hooks if event.value in events]
    if not wanted:
        return
    payload = orjson.dumps(
        {"event": event.value, "shop_id": shop_id, "created_at": now.isoformat(), "data": data}
    ).decode()
    conn.execute(
        sa.insert(webhook_deliveries),
        [
            {
                "webhook_id": hook_id,
                "event": event.value,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for hook_id in wanted
        ],
    )
