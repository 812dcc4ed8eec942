"""The baseline for bench/realtime.py: a bare WebSocket broadcast server with crossdesk's delivery pattern and
none of its work (no database, no auth, no ordering or gap filling, no per-socket writer tasks).

Same wire shapes as crossdesk's `/ws`, so the bench client is identical for both:
  client -> {"type": "hello", "role": "agent" | "buyer"}           server -> {"type": "ready"}
  buyer  -> {"type": "send", "client_id", "body", ...}
  server -> a `message.created` event frame (about the size of crossdesk's) to every agent socket and to the
            sender, then {"type": "ack", ...} to the sender.

Run: python bench/bare_server.py --port 8765   (loopback only; prints "ready <port>" once listening)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys
from datetime import UTC, datetime

import orjson
from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed

AGENTS: set[ServerConnection] = set()
_ids = itertools.count(1)


async def handler(ws: ServerConnection) -> None:
    try:
        hello = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    except (TimeoutError, ConnectionClosed, orjson.JSONDecodeError):
        return
    role = hello.get("role") if isinstance(hello, dict) else None
    if role not in ("agent", "buyer"):
        await ws.close(1008, "expected hello")
        return
    await ws.send('{"type":"ready"}')
    if role == "agent":
        AGENTS.add(ws)
        try:
            async for _ in ws:  # pongs and the like; agents send nothing the bench needs
                pass
        except ConnectionClosed:
            pass
        finally:
            AGENTS.discard(ws)
        return
    conversation_id = next(_ids)
    seq = 0
    try:
        async for raw in ws:
            frame = orjson.loads(raw)
            if frame.get("type") != "send":
                continue
            seq += 1
            message_id = next(_ids)
            event = orjson.dumps(
                {
                    "type": "event",
                    "event": "message.created",
                    "conversation_id": conversation_id,
                    "seq": seq,
                    "data": {
                        "id": message_id,
                        "conversation_id": conversation_id,
                        "seq": seq,
                        "kind": "text",
                        "author": {"type": "contact", "id": conversation_id, "name": "Visitor"},
                        "body": frame.get("body", ""),
                        "attachment": None,
                        "meta": {},
                        "client_id": frame.get("client_id"),
                        "created_at": datetime.now(UTC).isoformat(),
                    },
                }
            ).decode()
            broadcast(AGENTS, event)  # encoded once, written to every agent without waiting
            await ws.send(event)
            await ws.send(
                orjson.dumps(
                    {
                        "type": "ack",
                        "client_id": frame.get("client_id"),
                        "conversation_id": conversation_id,
                        "seq": seq,
                        "message_id": message_id,
                    }
                ).decode()
            )
    except ConnectionClosed:
        pass


async def main(port: int) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with serve(
        handler,
        "127.0.0.1",
        port,
        ping_interval=None,
        max_size=64 * 1024,
        backlog=4096,
    ):
        print(f"ready {port}", flush=True)
        await stop


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        try:  # the same loop uvicorn picks for crossdesk when it is installed
            import uvloop
        except ImportError:  # pragma: no cover
            asyncio.run(main(args.port))
        else:
            uvloop.run(main(args.port))
    sys.exit(0)
