"""The live protocol over real WebSockets: delivery, acks, resume, idempotent resend, isolation, limits."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import websockets
from PIL import Image

from tests.conftest import LiveServer
from tests.integration.client import CSRF, LiveClient, agent_cookie, buyer_session


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as client:
        yield client


async def _buyer(live: LiveServer, http: httpx.AsyncClient, **profile: object) -> tuple[LiveClient, dict]:
    session = await buyer_session(http, **profile)
    return await LiveClient(live.ws_url, token=session["token"]).connect(), session


async def _agent(live: LiveServer, http: httpx.AsyncClient, email: str = "liwei@demo.shop") -> LiveClient:
    return await LiveClient(live.ws_url, cookie=await agent_cookie(http, email)).connect()


async def test_buyer_and_agents_talk_live(live: LiveServer, http: httpx.AsyncClient) -> None:
    agent_a = await _agent(live, http)
    agent_b = await _agent(live, http, "chenjing@demo.shop")
    buyer, _ = await _buyer(live, http, name="Ana")
    ack = await buyer.send("Olá, meu pedido chegou quebrado")
    assert ack["type"] == "ack" and ack["seq"] == 1
    cid = ack["conversation_id"]
    for agent in (agent_a, agent_b):
        [event] = await agent.events("message.created", 1)
        assert event["conversation_id"] == cid and event["seq"] == 1
        assert event["data"]["body"] == "Olá, meu pedido chegou quebrado"
        assert event["data"]["author"] == {
            "type": "contact",
            "id": ack["message_id"] and event["data"]["author"]["id"],
            "name": "Ana",
        }
        # A new conversation is announced with its snapshot, so inboxes can show it.
        update = await agent.expect("event", event="conversation.updated")
        assert update["data"]["status"] == "open"
    reply = await agent_a.send("Sinto muito! Vamos resolver.", conversation_id=cid)
    assert reply["seq"] == 2
    [event] = await buyer.events("message.created", 1)
    assert event["seq"] == 2 and event["data"]["author"]["type"] == "agent"
    await buyer.send_raw({"type": "typing", "conversation_id": cid, "on": True})
    typing = await agent_a.expect("typing")
    assert typing["conversation_id"] == cid and typing["on"] is True and typing["author"]["name"] == "Ana"
    for client in (buyer, agent_a, agent_b):
        await client.close()


async def test_reconnect_with_cursor_gets_exactly_what_was_missed(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    buyer, session = await _buyer(live, http)
    ack = await buyer.send("first")
    cid = ack["conversation_id"]
    await buyer.close()
    agent = await _agent(live, http)
    for i in range(3):
        assert (await agent.send(f"missed {i}", conversation_id=cid))["type"] == "ack"
    await agent.send_raw({"type": "typing", "conversation_id": cid, "on": True})  # ephemeral: not replayed
    back = LiveClient(live.ws_url, token=session["token"])
    await back.connect(cursors={cid: 1}, wait_ready=False)
    replayed = await back.events("message.created", 3)
    assert [e["seq"] for e in replayed] == [2, 3, 4]
    assert [e["data"]["body"] for e in replayed] == ["missed 0", "missed 1", "missed 2"]
    synced = await back.expect("synced", conversation_id=cid)
    assert synced["seq"] == 4
    await back.expect("ready")
    # Live again: the next message arrives once, in order.
    await agent.send("live", conversation_id=cid)
    [event] = await back.events("message.created", 1)
    assert event["seq"] == 5
    assert back.frames.empty() or all(f.get("type") != "event" for f in list(back.frames._queue))  # type: ignore[attr-defined]
    await back.close()
    await agent.close()


async def test_resend_after_reconnect_creates_no_duplicate(live: LiveServer, http: httpx.AsyncClient) -> None:
    buyer, session = await _buyer(live, http)
    first = await buyer.send("Where is my parcel?", client_id="c-1")
    await buyer.close()
    again = await LiveClient(live.ws_url, token=session["token"]).connect()
    second = await again.send("Where is my parcel?", client_id="c-1")
    assert (second["seq"], second["message_id"]) == (first["seq"], first["message_id"])
    await agent_cookie(http)
    items = (await http.get(f"/api/v1/conversations/{first['conversation_id']}/messages")).json()["items"]
    assert [m["body"] for m in items] == ["Where is my parcel?"]
    await again.close()


async def test_buyer_cannot_reach_another_buyers_conversation(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    alice, _ = await _buyer(live, http)
    ack = await alice.send("private: my address is ...")
    mallory, _ = await _buyer(live, http)
    error = await mallory.send("hello?", conversation_id=ack["conversation_id"])
    assert error == {
        "type": "error",
        "code": "not_found",
        "detail": "No such conversation",
        "client_id": error["client_id"],
    }
    await mallory.send_raw({"type": "sync", "conversation_id": ack["conversation_id"], "after_seq": 0})
    assert (await mallory.expect("error"))["code"] == "not_found"
    # Alice's later messages never reach Mallory.
    await alice.send("second private message")
    await asyncio.sleep(0)  # let the server route it
    own = await mallory.send("mine")
    assert own["type"] == "ack"
    frames = [mallory.frames.get_nowait() for _ in range(mallory.frames.qsize())]
    assert all("private" not in orjson.dumps(f).decode() for f in frames)
    cookie_forged = LiveClient(live.ws_url, token="cdv_1.1.forged")
    with pytest.raises(TimeoutError):
        await cookie_forged.connect()
    assert cookie_forged.close_code == 4401
    for client in (alice, mallory):
        await client.close()


async def test_agent_socket_from_another_origin_is_refused(live: LiveServer, http: httpx.AsyncClient) -> None:
    cookie = await agent_cookie(http)
    async with websockets.connect(
        live.ws_url,
        additional_headers={"Cookie": f"crossdesk_session={cookie}", "Origin": "https://evil.example"},
    ) as ws:
        await ws.send('{"type":"hello"}')
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_bad_frames_get_errors_and_store_nothing(live: LiveServer, http: httpx.AsyncClient) -> None:
    buyer, _ = await _buyer(live, http)
    ack = await buyer.send("hello")
    await buyer.send_raw("{not json")
    assert (await buyer.expect("error"))["code"] == "bad_request"
    await buyer.send_raw({"type": "nonsense"})
    assert (await buyer.expect("error"))["code"] == "bad_request"
    too_long = await buyer.send("x" * 5001)
    assert too_long["type"] == "error" and too_long["code"] == "too_long"
    empty = await buyer.send(" \n ")
    assert empty["code"] == "invalid"
    bad_id = await buyer.send("hi", client_id="not a valid id!")
    assert bad_id["code"] == "invalid"
    await buyer.send_raw("x" * 70_000)  # over the 64 KiB frame limit: the socket is closed
    await asyncio.wait_for(buyer.closed.wait(), 5)
    assert buyer.close_code == 1009
    await agent_cookie(http)
    items = (await http.get(f"/api/v1/conversations/{ack['conversation_id']}/messages")).json()["items"]
    assert [m["body"] for m in items] == ["hello"]


async def test_visitor_rate_limit(live: LiveServer, http: httpx.AsyncClient) -> None:
    buyer, _ = await _buyer(live, http)
    results = [await buyer.send(f"spam {i}") for i in range(live.desk.settings.visitor_burst + 3)]
    codes = [r.get("code", "ack") for r in results]
    assert codes[: live.desk.settings.visitor_burst] == ["ack"] * live.desk.settings.visitor_burst
    assert "rate_limited" in codes[live.desk.settings.visitor_burst :]
    await buyer.close()


def _png(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def test_image_attachments_are_checked_by_content(live: LiveServer, http: httpx.AsyncClient) -> None:
    buyer, session = await _buyer(live, http)
    auth = {"Authorization": f"Bearer {session['token']}"}
    fake = await http.post(
        "/api/v1/attachments",
        headers=auth,
        files={"file": ("photo.png", b"<svg onload=alert(1)>", "image/png")},
    )
    assert fake.status_code == 422 and fake.headers["content-type"].startswith("application/problem+json")
    gif_header_only = base64.b64decode("R0lGODlhAQABAAAAACw=")
    assert (
        await http.post(
            "/api/v1/attachments", headers=auth, files={"file": ("x.gif", gif_header_only, "image/gif")}
        )
    ).status_code == 422
    huge = await http.post(
        "/api/v1/attachments",
        headers=auth,
        files={"file": ("big.png", b"\x89PNG" + b"0" * (5 * 1024 * 1024 + 10), "image/png")},
    )
    assert huge.status_code == 422
    uploaded = await http.post(
        "/api/v1/attachments", headers=auth, files={"file": ("a.bin", _png(), "text/plain")}
    )
    assert uploaded.status_code == 201
    info = uploaded.json()
    assert (info["content_type"], info["width"], info["height"]) == ("image/png", 4, 3)
    ack = await buyer.send("", attachment_id=info["id"])
    assert ack["type"] == "ack"
    image = await http.get(info["url"], headers=auth)
    assert (
        image.status_code == 200 and image.content == _png() and image.headers["content-type"] == "image/png"
    )
    other = await buyer_session(http)
    denied = await http.get(info["url"], headers={"Authorization": f"Bearer {other['token']}"})
    assert denied.status_code == 404
    stolen = await LiveClient(live.ws_url, token=other["token"]).connect()
    assert (await stolen.send("mine now", attachment_id=info["id"]))["code"] == "not_found"
    await agent_cookie(http)  # the client keeps the session cookie
    agent_view = await http.get(info["url"])
    assert agent_view.status_code == 200
    await buyer.close()
    await stolen.close()


async def test_read_markers_clear_unread_counts(live: LiveServer, http: httpx.AsyncClient) -> None:
    await agent_cookie(http)
    conversation = next(
        c for c in (await http.get("/api/v1/conversations")).json()["items"] if c["unread_count"]
    )
    response = await http.post(
        f"/api/v1/conversations/{conversation['id']}/read",
        json={"seq": conversation["last_seq"]},
        headers=CSRF,
    )
    assert response.status_code == 204
    after = (await http.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert after["unread_count"] == 0


async def test_socket_flooding_frames_is_closed(live: LiveServer, http: httpx.AsyncClient) -> None:
    buyer, _ = await _buyer(live, http)
    for _ in range(live.desk.settings.socket_frame_burst + 20):
        await buyer.send_raw({"type": "pong"})
    await asyncio.wait_for(buyer.closed.wait(), 5)
    assert buyer.close_code == 1008
