"""Heartbeats find dead sockets: a client that stops answering pings is dropped; one that answers stays."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import websockets

from tests.conftest import LiveServer
from tests.integration.client import buyer_session


async def test_silent_client_is_dropped_and_live_one_kept(live: LiveServer) -> None:
    live.desk.settings.heartbeat_s = 0.2
    async with httpx.AsyncClient(base_url=live.base_url) as http:
        token = (await buyer_session(http))["token"]
    hello = orjson.dumps({"type": "hello", "token": token}).decode()
    async with websockets.connect(live.ws_url) as silent, websockets.connect(live.ws_url) as lively:
        await silent.send(hello)
        await lively.send(hello)

        async def answer_pings() -> int:
            pings = 0
            async for raw in lively:
                if orjson.loads(raw)["type"] == "ping":
                    pings += 1
                    await lively.send('{"type":"pong"}')
                    if pings == 6:
                        return pings
            return pings

        answering = asyncio.create_task(answer_pings())
        # The silent client reads (its TCP stays open) but never answers: the server must give up on it.
        frames = []
        with_reason = None
        try:
            async with asyncio.timeout(3):
                async for raw in silent:
                    frames.append(orjson.loads(raw)["type"])
        except websockets.ConnectionClosed as closed:
            with_reason = closed
        assert silent.close_code == 1001, (silent.close_code, with_reason)
        assert "ping" in frames
        # Meanwhile the lively one kept answering and is still connected after 6 pings (> 2 intervals).
        assert await asyncio.wait_for(answering, 5) == 6
        assert lively.close_code is None
