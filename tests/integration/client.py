"""A small protocol client for tests: speaks docs/protocol.md over a real WebSocket."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import orjson
import websockets
from websockets.asyncio.client import ClientConnection

DEMO_PASSWORD = "demo-password"
CSRF = {"X-Requested-With": "crossdesk"}


class LiveClient:
    def __init__(self, ws_url: str, token: str | None = None, cookie: str | None = None) -> None:
        self.ws_url = ws_url
        self.token = token
        self.cookie = cookie
        self.ws: ClientConnection | None = None
        self.frames: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    async def connect(self, cursors: dict[int, int] | None = None, wait_ready: bool = True) -> LiveClient:
        headers = {"Cookie": f"crossdesk_session={self.cookie}"} if self.cookie else None
        self.ws = await websockets.connect(self.ws_url, additional_headers=headers, max_size=2**22)
        self.closed.clear()
        hello: dict[str, Any] = {"type": "hello", "cursors": {str(k): v for k, v in (cursors or {}).items()}}
        if self.token:
            hello["token"] = self.token
        await self.ws.send(orjson.dumps(hello).decode())
        self.reader = asyncio.create_task(self._read())
        if wait_ready:
            await self.expect("ready")
        return self

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for raw in self.ws:
                frame = orjson.loads(raw)
                if frame.get("type") == "ping":
                    await self.ws.send('{"type":"pong"}')
                    continue
                await self.frames.put(frame)
        except websockets.ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()

    async def send_raw(self, frame: dict[str, Any] | str) -> None:
        assert self.ws is not None
        await self.ws.send(frame if isinstance(frame, str) else orjson.dumps(frame).decode())

    async def expect(self, kind: str, timeout: float = 5.0, **match: Any) -> dict[str, Any]:
        """The next frame of this type (and matching fields); other frames are kept in `skipped`."""
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.frames.get()
                if frame.get("type") == kind and all(frame.get(k) == v for k, v in match.items()):
                    return frame

    async def events(self, name: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while len(got) < count:
                frame = await self.frames.get()
                if frame.get("type") == "event" and frame.get("event") == name:
                    got.append(frame)
        return got

    async def send(
        self, body: str, conversation_id: int | None = None, client_id: str | None = None, **extra: Any
    ) -> dict[str, Any]:
        """Send and wait for the ack (or an error for this client_id)."""
        client_id = client_id or uuid.uuid4().hex
        await self.send_raw(
            {
                "type": "send",
                "conversation_id": conversation_id,
                "client_id": client_id,
                "body": body,
                **extra,
            }
        )
        async with asyncio.timeout(5):
            while True:
                frame = await self.frames.get()
                if frame.get("client_id") == client_id and frame.get("type") in ("ack", "error"):
                    return frame

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait_for(self.reader, 5)


async def buyer_session(http: httpx.AsyncClient, token: str | None = None, **profile: Any) -> dict[str, Any]:
    response = await http.post("/api/v1/widget/session", json={"shop": "demo", "token": token, **profile})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def agent_cookie(http: httpx.AsyncClient, email: str = "liwei@demo.shop") -> str:
    response = await http.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.cookies.get("crossdesk_session")
    assert cookie
    return cookie
