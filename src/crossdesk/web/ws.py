"""The WebSocket endpoint: authenticate, resume, then read client frames while the writer delivers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import orjson
from starlette.types import Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from crossdesk.actions import calls as call_actions
from crossdesk.actions import conversations as conversation_actions
from crossdesk.actions import messages as message_actions
from crossdesk.actions.auth import principal_from_bearer, principal_from_session
from crossdesk.actions.errors import ActionError
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal
from crossdesk.events.event import Event, EventName
from crossdesk.realtime.connection import Connection, SlowConsumer
from crossdesk.realtime.hub import Hub
from crossdesk.security.ratelimit import TokenBucketLimiter
from crossdesk.web.auth import SESSION_COOKIE

log = logging.getLogger(__name__)
HELLO_TIMEOUT_S = 10.0
MAX_CURSORS = 500

# Close codes (RFC 6455 and the 4000 private range).
POLICY = 1008
TOO_BIG = 1009
TRY_AGAIN = 1013
UNAUTHORIZED = 4401


class BadFrame(ActionError):
    pass


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2**53:
        raise BadFrame(f"{name} must be a non-negative integer")
    return value


def _origin_allowed(ws: WebSocket, public_origin: str) -> bool:
    """Cookies ride along on cross-site socket handshakes, so a cookie-authenticated socket must come from
    the desk's own pages."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser
    host = ws.headers.get("host", "")
    return origin in {f"http://{host}", f"https://{host}", public_origin}


async def websocket_endpoint(ws: WebSocket, raw_send: Send) -> None:
    """`raw_send` is the server's own ASGI send: live frames skip Starlette's per-call state checks."""
    desk: Desk = ws.app.state.desk
    hub: Hub = ws.app.state.hub
    await ws.accept()
    try:
        raw = await asyncio.wait_for(ws.receive_text(), HELLO_TIMEOUT_S)
        hello = orjson.loads(raw) if len(raw) <= desk.settings.max_frame_bytes else None
    except (TimeoutError, WebSocketDisconnect, orjson.JSONDecodeError, KeyError):
        with contextlib.suppress(Exception):
            await ws.close(POLICY, "expected hello")
        return
    if not isinstance(hello, dict) or hello.get("type") != "hello":
        await ws.close(POLICY, "expected hello")
        return
    principal = await _authenticate(ws, desk, hello.get("token"))
    if principal is None:
        await ws.close(UNAUTHORIZED, "unauthorized")
        return
    cursors = _parse_cursors(hello.get("cursors"))
    if cursors is None:
        await ws.close(POLICY, "cursors must map at most 500 conversation ids to seqs")
        return

    async def send_text(text: str) -> None:
        await raw_send({"type": "websocket.send", "text": text})

    conn = Connection(principal, send_text, desk.db)
    conn.send_frame(
        {
            "type": "welcome",
            "heartbeat_s": desk.settings.heartbeat_s,
            "principal": {"type": principal.type.value, "id": principal.id, "shop_id": principal.shop_id},
        }
    )
    # Register and follow in one synchronous step: no event can slip between the replays and live delivery.
    hub.register(conn)
    try:
        for conversation_id, seq in cursors.items():
            conn.follow(conversation_id, seq)
        conn.send_frame({"type": "ready"})
        if principal.is_contact:
            await _announce_live_calls(desk, conn)
        await _serve(ws, desk, conn)
    except BadFrame as exc:
        with contextlib.suppress(Exception):
            await ws.close(POLICY, exc.detail[:120])
    except ActionError as exc:
        with contextlib.suppress(Exception):
            await ws.close(POLICY, exc.detail[:120])
    finally:
        hub.unregister(conn)
        if conn.in_call:
            with contextlib.suppress(Exception):
                await call_actions.connection_closed(desk, conn.id)


async def _announce_live_calls(desk: Desk, conn: Connection) -> None:
    """A buyer page that opens while a call rings for them shows the invitation."""
    for call in await call_actions.live_calls_for(desk, conn.principal):
        conn.offer(Event(EventName.CALL_UPDATED, conn.principal.shop_id, call["conversation_id"], 0, call))


async def _authenticate(ws: WebSocket, desk: Desk, token: Any) -> Principal | None:
    if isinstance(token, str) and token:
        return await principal_from_bearer(desk, token)
    if not _origin_allowed(ws, desk.settings.public_origin):
        return None
    return await principal_from_session(desk, ws.cookies.get(SESSION_COOKIE))


def _parse_cursors(raw: Any) -> dict[int, int] | None:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_CURSORS:
        return None
    cursors = {}
    for key, seq in raw.items():
        if not str(key).isdigit() or isinstance(seq, bool) or not isinstance(seq, int) or seq < 0:
            return None
        cursors[int(key)] = seq
    return cursors


async def _serve(ws: WebSocket, desk: Desk, conn: Connection) -> None:
    """Run reader, writer and heartbeat; when one ends (disconnect, dead peer, slow consumer), stop all."""
    tasks = [
        asyncio.create_task(_read_loop(ws, desk, conn), name=f"ws-read-{conn.id}"),
        asyncio.create_task(conn.run_writer(), name=f"ws-write-{conn.id}"),
        asyncio.create_task(conn.run_heartbeat(desk.settings.heartbeat_s), name=f"ws-beat-{conn.id}"),
    ]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        exc = task.exception()
        if isinstance(exc, SlowConsumer):
            await _close(ws, TRY_AGAIN, "slow consumer: reconnect and resume")
        elif isinstance(exc, BadFrame):
            await _close(ws, POLICY, exc.detail[:120])
        elif exc is not None and not isinstance(exc, WebSocketDisconnect | OSError):
            log.error("socket task failed", exc_info=exc, extra={"connection": conn.id})
            await _close(ws, 1011, "internal error")
        elif task.get_name().startswith("ws-beat"):
            await _close(ws, 1001, "heartbeat timeout")


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(Exception):
        await ws.close(code, reason)


async def _read_loop(ws: WebSocket, desk: Desk, conn: Connection) -> None:
    # Every frame costs a lookup or a write: a socket sending more than this is misbehaving.
    frames = TokenBucketLimiter(desk.settings.socket_frame_burst, desk.settings.socket_frames_per_s)
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        raw = message.get("text") or message.get("bytes") or b""
        conn.last_heard = time.monotonic()
        if len(raw) > desk.settings.max_frame_bytes:
            await _close(ws, TOO_BIG, "frame too large")
            return
        if not frames.allow(conn.id):
            await _close(ws, POLICY, "too many frames")
            return
        try:
            frame = orjson.loads(raw)
        except orjson.JSONDecodeError:
            conn.send_frame({"type": "error", "code": "bad_request", "detail": "frames are JSON objects"})
            continue
        if not isinstance(frame, dict):
            conn.send_frame({"type": "error", "code": "bad_request", "detail": "frames are JSON objects"})
            continue
        try:
            await _handle(desk, conn, frame)
        except ActionError as exc:
            error: dict[str, Any] = {"type": "error", "code": exc.code, "detail": exc.detail}
            if isinstance(frame.get("client_id"), str):
                error["client_id"] = frame["client_id"][:64]
            if isinstance(frame.get("call_id"), int):
                error["call_id"] = frame["call_id"]
            conn.send_frame(error)


async def _handle(desk: Desk, conn: Connection, frame: dict[str, Any]) -> None:
    kind = frame.get("type")
    principal = conn.principal
    if kind == "pong":
        return
    if kind == "send":
        body, client_id, conversation_id = (
            frame.get("body", ""),
            frame.get("client_id"),
            frame.get("conversation_id"),
        )
        attachment_id = frame.get("attachment_id")
        translation = frame.get("translation")
        if not isinstance(body, str) or not isinstance(client_id, str):
            raise BadFrame("send needs a string body and client_id")
        if translation is not None and (principal.is_contact or not isinstance(translation, dict)):
            raise BadFrame("translation is an object, and only agents send one")
        result = await message_actions.send_message(
            desk,
            principal,
            body=body,
            client_id=client_id,
            conversation_id=None if conversation_id is None else _int(conversation_id, "conversation_id"),
            attachment_id=None if attachment_id is None else _int(attachment_id, "attachment_id"),
            translation=translation,
        )
        message = result.message
        conn.send_frame(
            {
                "type": "ack",
                "client_id": client_id,
                "conversation_id": message["conversation_id"],
                "seq": message["seq"],
                "message_id": message["id"],
            }
        )
    elif kind == "sync":
        conn.follow(
            _int(frame.get("conversation_id"), "conversation_id"),
            _int(frame.get("after_seq", 0), "after_seq"),
        )
    elif kind == "typing":
        await conversation_actions.announce_typing(
            desk,
            principal,
            _int(frame.get("conversation_id"), "conversation_id"),
            bool(frame.get("on")),
            origin=conn.id,
        )
    elif kind == "read":
        await conversation_actions.mark_read(
            desk,
            principal,
            _int(frame.get("conversation_id"), "conversation_id"),
            _int(frame.get("seq"), "seq"),
        )
    elif isinstance(kind, str) and kind.startswith("call."):
        await _handle_call(desk, conn, kind, frame)
    else:
        raise BadFrame("unknown frame type")


async def _handle_call(desk: Desk, conn: Connection, kind: str, frame: dict[str, Any]) -> None:
    """Call frames (docs/protocol.md, "Calls"). Errors carry the call id so the page can tell which."""
    principal = conn.principal
    if kind == "call.start":
        media = frame.get("media", "video")
        if not isinstance(media, str):
            raise BadFrame("media must be a string")
        conversation_id = _int(frame.get("conversation_id"), "conversation_id")
        conn.in_call = True
        call = await call_actions.start_call(desk, principal, conversation_id, media, conn.id)
        reply: dict[str, Any] = {"type": "call.started", "call": call}
        if isinstance(frame.get("client_id"), str):
            reply["client_id"] = frame["client_id"][:64]
        conn.send_frame(reply)
        return
    call_id = _int(frame.get("call_id"), "call_id")
    if kind == "call.ring":
        conn.in_call = True
        await call_actions.ring(desk, principal, call_id, conn.id)
    elif kind == "call.accept":
        await call_actions.accept(desk, principal, call_id, conn.id)
    elif kind == "call.signal":
        await call_actions.relay_signal(desk, principal, call_id, conn.id, frame.get("data"))
    elif kind == "call.stats":
        await call_actions.report_quality(desk, principal, call_id, conn.id, frame.get("stats"))
    elif kind == "call.record":
        action = frame.get("action")
        if not isinstance(action, str):
            raise BadFrame("action must be a string")
        await call_actions.decide_recording(desk, principal, call_id, action)
    elif kind == "call.hangup":
        reason = frame.get("reason")
        if reason is not None and not isinstance(reason, str):
            raise BadFrame("reason must be a string")
        await call_actions.hang_up(desk, principal, call_id, reason)
    else:
        raise BadFrame("unknown frame type")
