"""SIGKILL the server while buyers and agents are sending; after a restart every acknowledged message is
there exactly once, in order, and every client received exactly what the database holds."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets

from crossdesk.testing import ServerProcess
from tests.integration.client import DEMO_PASSWORD

pytestmark = pytest.mark.slow

_ids = itertools.count()


@dataclass
class ResilientClient:
    """Behaves like the widget and console: keeps unacked sends, reconnects with its cursors, resends."""

    name: str
    ws_url: str
    token: str | None = None
    cookie: str | None = None
    conversation_id: int | None = None
    cursors: dict[int, int] = field(default_factory=dict)
    received: dict[int, list[int]] = field(default_factory=dict)  # conversation -> seqs in arrival order
    acked: dict[str, tuple[int, int]] = field(default_factory=dict)  # client_id -> (conversation, seq)
    pending: dict[str, str] = field(default_factory=dict)  # client_id -> body, in send order
    sent_order: list[str] = field(default_factory=list)
    reconnects: int = 0

    async def run(self, stop_at: float, sending: bool, pace_s: float) -> None:
        while time.monotonic() < stop_at:
            try:
                await self._session(stop_at, sending, pace_s)
            except (OSError, websockets.WebSocketException, TimeoutError):
                self.reconnects += 1
                await asyncio.sleep(0.1)
        # Drain: keep trying to get every pending message acknowledged.
        drain_until = time.monotonic() + 20
        while self.pending and time.monotonic() < drain_until:
            try:
                await self._session(time.monotonic() + 1.0, False, pace_s)
            except (OSError, websockets.WebSocketException, TimeoutError):
                await asyncio.sleep(0.1)

    async def _session(self, stop_at: float, sending: bool, pace_s: float) -> None:
        headers = {"Cookie": f"crossdesk_session={self.cookie}"} if self.cookie else None
        async with websockets.connect(self.ws_url, additional_headers=headers, open_timeout=2) as ws:
            hello: dict[str, Any] = {"type": "hello", "cursors": {str(k): v for k, v in self.cursors.items()}}
            if self.token:
                hello["token"] = self.token
            await ws.send(orjson.dumps(hello).decode())
            for client_id, body in list(self.pending.items()):  # resend what was never acknowledged
                await self._send(ws, client_id, body)
            reader = asyncio.create_task(self._read(ws))
            try:
                while time.monotonic() < stop_at and not reader.done():
                    if not sending and not self.pending:
                        break  # draining, and everything is acknowledged
                    if sending:
                        client_id = f"{self.name}-{next(_ids)}"
                        self.sent_order.append(client_id)
                        self.pending[client_id] = f"{self.name} says {client_id}"
                        await self._send(ws, client_id, self.pending[client_id])
                    await asyncio.sleep(pace_s)
                if not reader.done():
                    await asyncio.sleep(0.3)  # let the last acks and events arrive
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, websockets.WebSocketException):
                    await reader

    async def catch_up(self) -> None:
        """Reconnect once with the cursors and take the replay: what others sent after this client stopped."""
        headers = {"Cookie": f"crossdesk_session={self.cookie}"} if self.cookie else None
        async with websockets.connect(self.ws_url, additional_headers=headers, open_timeout=5) as ws:
            hello: dict[str, Any] = {"type": "hello", "cursors": {str(k): v for k, v in self.cursors.items()}}
            if self.token:
                hello["token"] = self.token
            await ws.send(orjson.dumps(hello).decode())
            async with asyncio.timeout(10):
                while True:
                    frame = orjson.loads(await ws.recv())
                    if frame["type"] == "ready":
                        return
                    if frame["type"] == "event" and frame["event"] == "message.created":
                        cid, seq = frame["conversation_id"], frame["seq"]
                        self.received.setdefault(cid, []).append(seq)
                        self.cursors[cid] = max(seq, self.cursors.get(cid, 0))

    async def _send(self, ws: websockets.ClientConnection, client_id: str, body: str) -> None:
        await ws.send(
            orjson.dumps(
                {
                    "type": "send",
                    "conversation_id": self.conversation_id,
                    "client_id": client_id,
                    "body": body,
                }
            ).decode()
        )

    async def _read(self, ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            frame = orjson.loads(raw)
            kind = frame["type"]
            if kind == "ack":
                self.pending.pop(frame["client_id"], None)
                self.acked[frame["client_id"]] = (frame["conversation_id"], frame["seq"])
                self.conversation_id = self.conversation_id or frame["conversation_id"]
            elif kind == "event" and frame["event"] == "message.created":
                cid, seq = frame["conversation_id"], frame["seq"]
                self.received.setdefault(cid, []).append(seq)
                self.cursors[cid] = max(seq, self.cursors.get(cid, 0))
            elif kind == "ping":
                await ws.send('{"type":"pong"}')
            elif kind == "error":
                raise AssertionError(f"server error frame: {frame}")


async def _scenario(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        buyers = []
        for i in range(6):
            session = (
                await http.post("/api/v1/widget/session", json={"shop": "demo", "name": f"B{i}"})
            ).json()
            buyers.append(ResilientClient(f"b{i}", server.ws_url, token=session["token"]))
        # Each buyer opens its conversation first, so the agents can follow them all from seq 0.
        for buyer in buyers:
            buyer.pending[f"{buyer.name}-open"] = "hello"
            buyer.sent_order.append(f"{buyer.name}-open")
            await buyer.run(time.monotonic(), sending=False, pace_s=0.01)
            assert buyer.conversation_id is not None
        agents = []
        for email in ("liwei@demo.shop", "chenjing@demo.shop"):
            login = await http.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            agent = ResilientClient(
                email.split("@")[0], server.ws_url, cookie=login.cookies["crossdesk_session"]
            )
            agent.cursors = {b.conversation_id: 0 for b in buyers if b.conversation_id}
            agent.conversation_id = buyers[len(agents)].conversation_id  # each agent answers one buyer
            agents.append(agent)

    stop_at = time.monotonic() + 4.0
    clients = [*buyers, *agents]
    runs = [asyncio.create_task(c.run(stop_at, sending=True, pace_s=0.06)) for c in clients]
    await asyncio.sleep(1.5)
    server.kill()  # SIGKILL mid-traffic
    await asyncio.sleep(0.3)
    await asyncio.to_thread(server.start)
    await asyncio.wait_for(asyncio.gather(*runs), 40)

    assert all(not c.pending for c in clients), "some sends were never acknowledged"
    for client in clients:
        await client.catch_up()
    assert sum(c.reconnects for c in clients) >= len(clients), "the kill did not interrupt the clients"
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        await http.post("/api/v1/auth/login", json={"email": "admin@demo.shop", "password": DEMO_PASSWORD})
        stored: dict[int, list[dict[str, Any]]] = {}
        for buyer in buyers:
            cid = buyer.conversation_id
            assert cid is not None
            page = (await http.get(f"/api/v1/conversations/{cid}/messages", params={"limit": 200})).json()
            items = page["items"]
            while page["has_more"]:
                page = (
                    await http.get(
                        f"/api/v1/conversations/{cid}/messages",
                        params={"limit": 200, "after_seq": items[-1]["seq"]},
                    )
                ).json()
                items += page["items"]
            stored[cid] = items

    total_acked = 0
    for cid, items in stored.items():
        seqs = [m["seq"] for m in items]
        assert seqs == list(range(1, len(seqs) + 1)), f"gaps or disorder in conversation {cid}"
        client_ids = [m["client_id"] for m in items]
        assert len(client_ids) == len(set(client_ids)), f"duplicates in conversation {cid}"
    by_client_id = {m["client_id"]: (cid, m["seq"]) for cid, items in stored.items() for m in items}
    for client in clients:
        for client_id, where in client.acked.items():
            assert by_client_id.get(client_id) == where, f"{client_id} acked as {where}"
            total_acked += 1
        # A client's own messages are stored in the order it sent them.
        own = [by_client_id[c][1] for c in client.sent_order if c in by_client_id]
        assert own == sorted(own)
        # What each client received is exactly the database, once each, in order.
        for cid, seqs in client.received.items():
            if cid in stored:
                assert seqs == [m["seq"] for m in stored[cid]], f"{client.name} saw {cid} wrongly"
    assert total_acked > 100
    for agent in agents:
        assert set(agent.received) == set(stored)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_loses_and_duplicates_nothing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database_url = ""
    if backend == "postgres":
        database_url = request.getfixturevalue("database_url_postgres")
    server = ServerProcess(
        tmp_path / "server",
        database_url=database_url,
        env={"CROSSDESK_VISITOR_BURST": "10000", "CROSSDESK_VISITOR_RATE_PER_S": "10000"},
    )
    server.start()
    try:
        asyncio.run(_scenario(server))
    finally:
        server.stop()
