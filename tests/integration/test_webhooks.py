"""Webhooks: queued with the change in one transaction, signed, retried with back-off until delivered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crossdesk.actions.messages import send_message
from crossdesk.actions.webhooks import create_webhook
from crossdesk.db.tables import webhook_deliveries
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType, Role
from crossdesk.testing import free_port
from crossdesk.webhooks.delivery import WebhookDeliverer
from crossdesk.webhooks.signing import verify


class Receiver:
    """A real HTTP endpoint on loopback that fails the first `failures` requests."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []

    async def handle(self, request: Request) -> Response:
        self.requests.append((dict(request.headers), await request.body()))
        if len(self.requests) <= self.failures:
            return Response("try later", status_code=503)
        return Response(status_code=204)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver(failures=2)
    port = free_port()
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield receiver, f"http://127.0.0.1:{port}/hook"
    server.should_exit = True
    await task


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_webhook_is_signed_retried_and_delivered_once(
    desk: Desk, receiver: tuple[Receiver, str]
) -> None:
    server, url = receiver
    clock = Clock()
    desk.clock = clock
    admin = Principal(PrincipalType.AGENT, 1, 1, "Zhang Min", Role.ADMIN)
    hook = await create_webhook(desk, admin, url, ["message.created"])
    buyer = Principal(PrincipalType.CONTACT, 2, 1, "John Miller")
    sent = await send_message(desk, buyer, conversation_id=2, body="Is 3XL in stock?", client_id="w-1")

    deliverer = WebhookDeliverer(desk)
    try:
        assert await deliverer.deliver_due() == 1  # 503
        assert await deliverer.deliver_due() == 0  # backing off: nothing due yet
        clock.now += timedelta(seconds=3)
        assert await deliverer.deliver_due() == 1  # 503 again
        clock.now += timedelta(seconds=3)
        assert await deliverer.deliver_due() == 0  # the second back-off is longer (4 s +- jitter)
        clock.now += timedelta(seconds=10)
        assert await deliverer.deliver_due() == 1  # 204
        clock.now += timedelta(hours=2)
        assert await deliverer.deliver_due() == 0  # delivered: never again
    finally:
        await deliverer.close()

    assert len(server.requests) == 3
    headers, body = server.requests[-1]
    payload = orjson.loads(body)
    assert payload["event"] == "message.created" and payload["data"]["id"] == sent.message["id"]
    assert payload["data"]["body"] == "Is 3XL in stock?"
    assert verify(
        hook["secret"], headers["x-crossdesk-signature"], body, now=int(clock.now.timestamp()) - 7200
    )
    assert not verify(
        "whsec_wrong", headers["x-crossdesk-signature"], body, now=int(clock.now.timestamp()) - 7200
    )
    assert headers["x-crossdesk-delivery"] == server.requests[0][0]["x-crossdesk-delivery"]  # same id: dedupe
    rows = await desk.db.read(lambda c: c.execute(sa.select(webhook_deliveries)).mappings().all())
    assert [(r["status"], r["attempts"]) for r in rows] == [("delivered", 3)]


async def test_gives_up_after_max_attempts(desk: Desk) -> None:
    clock = Clock()
    desk.clock = clock
    desk.settings.webhook_max_attempts = 2
    admin = Principal(PrincipalType.AGENT, 1, 1, "Zhang Min", Role.ADMIN)
    await create_webhook(desk, admin, f"http://127.0.0.1:{free_port()}/nobody-listens", ["message.created"])
    await send_message(
        desk, Principal(PrincipalType.CONTACT, 2, 1, "John"), conversation_id=2, body="hi", client_id="w-2"
    )
    deliverer = WebhookDeliverer(desk)
    try:
        for _ in range(4):
            await deliverer.deliver_due()
            clock.now += timedelta(minutes=5)
    finally:
        await deliverer.close()
    rows = await desk.db.read(lambda c: c.execute(sa.select(webhook_deliveries)).mappings().all())
    assert [(r["status"], r["attempts"], r["last_error"]) for r in rows] == [("failed", 2, "ConnectError")]


async def test_webhook_events_are_validated(desk: Desk) -> None:
    admin = Principal(PrincipalType.AGENT, 1, 1, "Zhang Min", Role.ADMIN)
    agent = Principal(PrincipalType.AGENT, 2, 1, "Li Wei", Role.AGENT)
    from crossdesk.actions.errors import Forbidden, Invalid

    with pytest.raises(Invalid):
        await create_webhook(desk, admin, "https://example.invalid/x", ["message.deleted"])
    with pytest.raises(Forbidden):
        await create_webhook(desk, agent, "https://example.invalid/x", ["message.created"])
