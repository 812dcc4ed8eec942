"""Delivers the outbox: signed POSTs, exponential back-off with jitter, at least once."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta

import httpx
import sqlalchemy as sa

from crossdesk.db.tables import webhook_deliveries, webhooks
from crossdesk.desk import Desk
from crossdesk.webhooks.signing import sign

log = logging.getLogger(__name__)
BATCH = 20
LEASE = timedelta(seconds=60)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s ... capped at an hour, with jitter so failed receivers are not hit in lockstep."""
    base = min(3600.0, 2.0**attempts)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


class WebhookDeliverer:
    def __init__(self, desk: Desk, poll_s: float = 1.0, client: httpx.AsyncClient | None = None) -> None:
        self.desk = desk
        self.poll_s = poll_s
        self._client = client or httpx.AsyncClient(timeout=10.0, follow_redirects=False)

    async def run(self) -> None:
        while True:
            try:
                busy = await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook delivery pass failed")
                busy = 0
            if busy < BATCH:
                await asyncio.sleep(self.poll_s)

    async def deliver_due(self) -> int:
        """One pass: claim due deliveries (a lease: other processes skip them), send, record outcomes."""
        now = self.desk.clock()
        due = (
            sa.select(webhook_deliveries, webhooks.c.url, webhooks.c.secret)
            .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
            .where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now)
            .order_by(webhook_deliveries.c.id)
            .limit(BATCH)
        )
        # Look first without the write lock: most passes find nothing.
        if not await self.desk.db.read(
            lambda conn: conn.execute(due.with_only_columns(webhook_deliveries.c.id)).first()
        ):
            return 0

        def claim(conn: sa.Connection) -> list[sa.RowMapping]:
            claimed = []
            for row in conn.execute(due).mappings().all():
                taken = conn.execute(
                    sa.update(webhook_deliveries)
                    .where(
                        webhook_deliveries.c.id == row["id"],
                        webhook_deliveries.c.next_attempt_at == row["next_attempt_at"],
                    )
                    .values(next_attempt_at=now + LEASE)
                )
                if taken.rowcount == 1:
                    claimed.append(row)
            return claimed

        claimed = await self.desk.db.write(claim)
        for row in claimed:
            await self._attempt(row)
        return len(claimed)

    async def _attempt(self, row: sa.RowMapping) -> None:
        body = row["payload"].encode()
        now = self.desk.clock()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "crossdesk-webhooks/1",
            "X-Crossdesk-Event": row["event"],
            "X-Crossdesk-Delivery": str(row["id"]),
            "X-Crossdesk-Signature": sign(row["secret"], int(now.timestamp()), body),
        }
        error: str | None = None
        try:
            response = await self._client.post(row["url"], content=body, headers=headers)
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        attempts = row["attempts"] + 1
        values: dict[str, object]
        if error is None:
            values = {"status": "delivered", "attempts": attempts, "delivered_at": self.desk.clock()}
        elif attempts >= self.desk.settings.webhook_max_attempts:
            values = {"status": "failed", "attempts": attempts, "last_error": error}
            log.warning("webhook delivery gave up", extra={"delivery": row["id"], "error": error})
        else:
            values = {
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": self.desk.clock() + backoff(attempts),
            }
        update = sa.update(webhook_deliveries).where(webhook_deliveries.c.id == row["id"]).values(**values)
        await self.desk.db.write(lambda conn: conn.execute(update))

    async def close(self) -> None:
        await self._client.aclose()
