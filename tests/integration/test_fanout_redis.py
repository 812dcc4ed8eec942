"""Two `crossdesk serve` processes share one database and fan out live events through the local Redis."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crossdesk.testing import ServerProcess
from tests.integration.client import LiveClient, agent_cookie, buyer_session

pytestmark = [pytest.mark.redis, pytest.mark.slow]
REDIS_URL = os.environ.get("CROSSDESK_TEST_REDIS_URL", "")


@pytest.fixture
def processes(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes on one database, fanning out through Redis."""
    if not REDIS_URL:
        pytest.skip("CROSSDESK_TEST_REDIS_URL is not set")
    # PostgreSQL when available (the production setup); otherwise one SQLite file shared by both.
    database_url = (
        request.getfixturevalue("database_url_postgres")
        if os.environ.get("CROSSDESK_TEST_POSTGRES_URL")
        else f"sqlite:///{tmp_path / 'shared.db'}"
    )
    env = {
        "CROSSDESK_REDIS_URL": REDIS_URL,
        "CROSSDESK_REDIS_CHANNEL": f"crossdesk-test-{uuid.uuid4().hex}",
        "CROSSDESK_SECRET_KEY": "shared-secret-for-both-processes",
    }
    first = ServerProcess(tmp_path / "a", database_url=database_url, env=env).start()
    try:
        second = ServerProcess(tmp_path / "b", database_url=database_url, env=env).start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


def test_buyer_on_one_process_reaches_agent_on_another(
    processes: tuple[ServerProcess, ServerProcess],
) -> None:
    asyncio.run(_scenario(*processes))


async def _scenario(first: ServerProcess, second: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=first.base_url) as http_a,
        httpx.AsyncClient(base_url=second.base_url) as http_b,
    ):
        session = await buyer_session(http_a, name="Split Brain")
        agent = await LiveClient(second.ws_url, cookie=await agent_cookie(http_b)).connect()
        buyer = await LiveClient(first.ws_url, token=session["token"]).connect()
        ack = await buyer.send("sent to process A")
        assert ack["type"] == "ack", ack
        [event] = await agent.events("message.created", 1)
        assert (event["conversation_id"], event["seq"]) == (ack["conversation_id"], ack["seq"])
        reply = await agent.send("answered from process B", conversation_id=ack["conversation_id"])
        # (send() consumed the buyer's own echo while waiting for its ack.)
        [back] = await buyer.events("message.created", 1)
        assert back["seq"] == reply["seq"]
        assert back["data"]["body"] == "answered from process B"
        # The buyer's token, signed by A, is honoured by B (shared secret), and B sees the same history.
        on_b = await LiveClient(second.ws_url, token=session["token"]).connect(
            cursors={ack["conversation_id"]: 0}, wait_ready=False
        )
        replay = await on_b.events("message.created", 2)
        assert [e["data"]["body"] for e in replay] == ["sent to process A", "answered from process B"]
        for client in (agent, buyer, on_b):
            await client.close()


def test_call_signaling_crosses_processes(processes: tuple[ServerProcess, ServerProcess]) -> None:
    """An offer meant for one socket reaches it on the other process, and only it."""
    asyncio.run(_call_scenario(*processes))


async def _call_scenario(first: ServerProcess, second: ServerProcess) -> None:
    async with (
        httpx.AsyncClient(base_url=first.base_url) as http_a,
        httpx.AsyncClient(base_url=second.base_url) as http_b,
    ):
        session = await buyer_session(http_a, name="Far Away")
        agent = await LiveClient(second.ws_url, cookie=await agent_cookie(http_b)).connect()
        buyer = await LiveClient(first.ws_url, token=session["token"]).connect()
        other_tab = await LiveClient(second.ws_url, token=session["token"]).connect()
        ack = await buyer.send("can I show you on camera?")
        await agent.send_raw(
            {"type": "call.start", "conversation_id": ack["conversation_id"], "client_id": "x"}
        )
        call = (await agent.expect("call.started", client_id="x"))["call"]
        while (await buyer.expect("event", event="call.updated"))["data"]["id"] != call["id"]:
            pass
        await buyer.send_raw({"type": "call.ring", "call_id": call["id"]})
        assert (await agent.expect("call.signal", call_id=call["id"]))["data"] == {"ringing": True}
        offer = {"description": {"type": "offer", "sdp": "v=0\r\n"}}
        await agent.send_raw({"type": "call.signal", "call_id": call["id"], "data": offer})
        assert (await buyer.expect("call.signal", call_id=call["id"]))["data"] == offer  # B -> Redis -> A
        with pytest.raises(TimeoutError):
            await other_tab.expect("call.signal", timeout=0.5)  # the buyer's tab on B is not the call's
        answer = {"description": {"type": "answer", "sdp": "v=0\r\n"}}
        await buyer.send_raw({"type": "call.signal", "call_id": call["id"], "data": answer})
        assert (await agent.expect("call.signal", call_id=call["id"]))["data"] == answer  # A -> Redis -> B
        # The buyer's page closes on A: the agent on B learns the call ended.
        await buyer.close()
        while True:
            update = await agent.expect("event", event="call.updated")
            if update["data"]["state"] == "ended":
                assert update["data"]["end_reason"] == "disconnected"
                break
        for client in (agent, other_tab):
            await client.close()
