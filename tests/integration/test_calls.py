"""Calls over the live protocol: who may ring, answer and signal; how a call ends and what the timeline
keeps. The media itself is peer to peer between browsers (tests/e2e/test_video_call.py)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.conftest import LiveServer
from tests.integration.client import CSRF, LiveClient, agent_cookie, buyer_session

OFFER = {"description": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}}


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as client:
        yield client


async def _nothing(client: LiveClient, kind: str, wait_s: float = 0.3) -> None:
    """No frame of this kind arrives (other frames are dropped)."""
    with pytest.raises(TimeoutError):
        await client.expect(kind, timeout=wait_s)


async def _call_update(client: LiveClient, state: str) -> dict[str, Any]:
    while True:
        frame = await client.expect("event", event="call.updated")
        if frame["data"]["state"] == state:
            data: dict[str, Any] = frame["data"]
            return data


async def _until_ended(client: LiveClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The call's end, and the messages that arrived before it (the call's record comes first)."""
    messages = []
    while True:
        frame = await client.expect("event")
        if frame["event"] == "message.created":
            messages.append(frame["data"])
        elif frame["event"] == "call.updated" and frame["data"]["state"] == "ended":
            return frame["data"], messages


async def _recording(client: LiveClient, state: str) -> dict[str, Any]:
    while True:
        frame = await client.expect("event", event="call.updated")
        if (frame["data"]["recording"] or {}).get("state") == state:
            recording: dict[str, Any] = frame["data"]["recording"]
            return recording


class Parties:
    """An agent, a buyer with two open tabs, and outsiders: another agent and another buyer."""

    def __init__(self, live: LiveServer, http: httpx.AsyncClient) -> None:
        self.live, self.http = live, http

    async def __aenter__(self) -> Parties:
        live, http = self.live, self.http
        self.agent_cookie = await agent_cookie(http)
        self.agent = await LiveClient(live.ws_url, cookie=self.agent_cookie).connect()
        self.other_agent = await LiveClient(
            live.ws_url, cookie=await agent_cookie(http, "chenjing@demo.shop")
        ).connect()
        session = await buyer_session(http, name="Ana")
        self.buyer_token = session["token"]
        self.tab1 = await LiveClient(live.ws_url, token=self.buyer_token).connect()
        self.tab2 = await LiveClient(live.ws_url, token=self.buyer_token).connect()
        stranger = await buyer_session(http, name="Mallory")
        self.stranger = await LiveClient(live.ws_url, token=stranger["token"]).connect()
        ack = await self.tab1.send("A costura está solta, posso mostrar?")
        self.conversation_id = ack["conversation_id"]
        await self.stranger.send("hello")
        return self

    async def __aexit__(self, *_: object) -> None:
        for client in (self.agent, self.other_agent, self.tab1, self.tab2, self.stranger):
            await client.close()

    async def start(self, media: str = "video") -> int:
        await self.agent.send_raw(
            {"type": "call.start", "conversation_id": self.conversation_id, "media": media, "client_id": "c1"}
        )
        started = await self.agent.expect("call.started", client_id="c1")
        assert started["call"]["state"] == "ringing" and started["call"]["media"] == media
        call_id: int = started["call"]["id"]
        return call_id

    async def ring(self, call_id: int) -> None:
        invite = await _call_update(self.tab1, "ringing")
        assert invite["id"] == call_id and invite["agent"]["name"]
        assert "agent_connection" not in invite and "contact_connection" not in invite
        await self.tab1.send_raw({"type": "call.ring", "call_id": call_id})
        ringing = await self.agent.expect("call.signal", call_id=call_id)
        assert ringing["data"] == {"ringing": True}


async def test_signaling_reaches_only_the_two_parties(live: LiveServer, http: httpx.AsyncClient) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        # Every agent of the shop sees the call ringing (the inbox shows it); both buyer tabs are invited.
        assert (await _call_update(p.other_agent, "ringing"))["id"] == call_id
        assert (await _call_update(p.tab2, "ringing"))["id"] == call_id
        await _nothing(p.stranger, "event")
        # Before any buyer page rang there is nobody to send an offer to.
        await p.agent.send_raw({"type": "call.signal", "call_id": call_id, "data": OFFER})
        refused = await p.agent.expect("error", call_id=call_id)
        assert refused["code"] == "conflict"

        await p.ring(call_id)
        # The first page that rang is the buyer's side; the other tab is told the call is elsewhere.
        await p.tab2.send_raw({"type": "call.ring", "call_id": call_id})
        assert (await p.tab2.expect("error", call_id=call_id))["code"] == "conflict"

        await p.agent.send_raw({"type": "call.signal", "call_id": call_id, "data": OFFER})
        offer = await p.tab1.expect("call.signal", call_id=call_id)
        assert offer["data"] == OFFER and offer["conversation_id"] == p.conversation_id
        for outsider in (p.tab2, p.other_agent, p.stranger):
            await _nothing(outsider, "call.signal")
        candidate = {"candidate": {"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"}}
        await p.tab1.send_raw({"type": "call.signal", "call_id": call_id, "data": candidate})
        assert (await p.agent.expect("call.signal", call_id=call_id))["data"] == candidate

        # Outsiders can neither inject signals nor answer; to them the call does not exist.
        for outsider in (p.stranger, p.other_agent):
            await outsider.send_raw({"type": "call.signal", "call_id": call_id, "data": OFFER})
            assert (await outsider.expect("error", call_id=call_id))["code"] == "not_found"
        await p.tab2.send_raw({"type": "call.signal", "call_id": call_id, "data": OFFER})
        assert (await p.tab2.expect("error", call_id=call_id))["code"] == "conflict"
        await p.tab2.send_raw({"type": "call.accept", "call_id": call_id})
        assert (await p.tab2.expect("error", call_id=call_id))["code"] == "conflict"
        await p.stranger.send_raw({"type": "call.accept", "call_id": call_id})
        assert (await p.stranger.expect("error", call_id=call_id))["code"] == "not_found"
        await p.tab1.send_raw({"type": "call.signal", "call_id": call_id, "data": {"sdp": "x" * 40_000}})
        assert (await p.tab1.expect("error", call_id=call_id))["code"] == "too_long"

        await p.tab1.send_raw({"type": "call.accept", "call_id": call_id})
        active = await _call_update(p.agent, "active")
        assert active["answered_at"] is not None


async def test_an_answered_call_keeps_quality_snapshots_and_its_record(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        await p.ring(call_id)
        await p.tab1.send_raw({"type": "call.accept", "call_id": call_id})
        await _call_update(p.agent, "active")

        stats = {"rtt_ms": 12.34, "packet_loss_pct": 0.5, "width": 1280, "height": 720, "fps": 29.7}
        await p.agent.send_raw({"type": "call.stats", "call_id": call_id, "stats": {**stats, "relay": True}})
        await p.agent.send_raw({"type": "call.stats", "call_id": call_id, "stats": {"fps": 10_000}})
        assert (await p.agent.expect("error", call_id=call_id))["code"] == "invalid"
        await p.tab1.send_raw({"type": "call.stats", "call_id": call_id, "stats": stats})
        assert (await p.tab1.expect("error", call_id=call_id))["code"] == "conflict"

        # The agent's snapshot of the buyer's video lands in the conversation for both.
        frame = io.BytesIO()
        Image.new("RGB", (1280, 720), (200, 30, 30)).save(frame, "PNG")
        as_agent = {**CSRF, "Cookie": f"crossdesk_session={p.agent_cookie}"}
        files = {"file": ("snapshot.png", frame.getvalue(), "image/png")}
        response = await http.post(f"/api/v1/calls/{call_id}/snapshots", files=files, headers=as_agent)
        assert response.status_code == 201, response.text
        snapshot = response.json()
        assert snapshot["kind"] == "image" and snapshot["attachment"]["width"] == 1280
        assert snapshot["meta"]["snapshot"]["call_id"] == call_id
        [seen] = await p.tab1.events("message.created", 1)
        assert seen["data"]["attachment"]["id"] == snapshot["attachment"]["id"]
        image = await http.get(
            snapshot["attachment"]["url"], headers={"Authorization": f"Bearer {p.buyer_token}"}
        )
        assert image.status_code == 200 and image.content == frame.getvalue()
        # Not an image, or not the caller: refused.
        bad = {"file": ("x.png", b"<script>", "image/png")}
        response = await http.post(f"/api/v1/calls/{call_id}/snapshots", files=bad, headers=as_agent)
        assert response.status_code == 422
        response = await http.post(
            f"/api/v1/calls/{call_id}/snapshots",
            files=files,
            headers={"Authorization": f"Bearer {p.buyer_token}"},
        )
        assert response.status_code == 403

        await asyncio.sleep(1.1)  # a duration of at least a second
        await p.tab1.send_raw({"type": "call.hangup", "call_id": call_id})
        ended, seen_by_agent = await _until_ended(p.agent)
        assert ended["end_reason"] == "completed" and ended["ended_by"] == "contact"
        assert ended["duration_s"] >= 1
        assert ended["quality"] == {**{k: round(v, 1) for k, v in stats.items()}, "relay": True}
        # The record is in both timelines, and a hang-up racing it changes nothing.
        record = seen_by_agent[-1]
        assert record["kind"] == "call" and record["meta"]["call"]["id"] == call_id
        assert record["body"].startswith("Video call, 0:0")
        _, seen_by_buyer = await _until_ended(p.tab1)
        assert seen_by_buyer[-1]["meta"]["call"]["quality"]["relay"] is True
        await p.agent.send_raw({"type": "call.hangup", "call_id": call_id})
        await _nothing(p.agent, "error")
        listed = await http.get(f"/api/v1/conversations/{p.conversation_id}/messages", headers=as_agent)
        assert [m["kind"] for m in listed.json()["items"]].count("call") == 1
        # The call is over: no more signals, snapshots or a second answer.
        await p.tab1.send_raw({"type": "call.signal", "call_id": call_id, "data": OFFER})
        assert (await p.tab1.expect("error", call_id=call_id))["code"] == "conflict"


@pytest.mark.parametrize(
    ("who", "reason", "expected"),
    [
        ("agent", None, "cancelled"),
        ("buyer", "declined", "declined"),
        ("buyer", "camera_denied", "camera_denied"),
    ],
)
async def test_a_call_ended_before_it_is_answered_says_why(
    live: LiveServer, http: httpx.AsyncClient, who: str, reason: str | None, expected: str
) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        await p.ring(call_id)
        party = p.agent if who == "agent" else p.tab1
        await party.send_raw({"type": "call.hangup", "call_id": call_id, "reason": reason})
        ended = await _call_update(p.agent, "ended")
        assert ended["end_reason"] == expected and ended["duration_s"] is None


async def test_only_buyers_decline_and_reasons_are_known(live: LiveServer, http: httpx.AsyncClient) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        for reason in ("declined", "because"):
            await p.agent.send_raw({"type": "call.hangup", "call_id": call_id, "reason": reason})
            assert (await p.agent.expect("error", call_id=call_id))["code"] == "invalid"
        # One call at a time per conversation.
        await p.agent.send_raw({"type": "call.start", "conversation_id": p.conversation_id})
        assert (await p.agent.expect("error"))["code"] == "conflict"
        await p.tab1.send_raw({"type": "call.start", "conversation_id": p.conversation_id})
        assert (await p.tab1.expect("error"))["code"] == "forbidden"


async def test_calls_nobody_answers_end_by_themselves(live: LiveServer, http: httpx.AsyncClient) -> None:
    live.desk.settings.rtc_presence_timeout_s = 0.5
    live.desk.settings.rtc_ring_timeout_s = 1.5
    async with Parties(live, http) as p:
        # No buyer page rings: the buyer is not there.
        await p.tab1.close()
        await p.tab2.close()
        call_id = await p.start()
        offline = await _call_update(p.agent, "ended")
        assert offline["id"] == call_id and offline["end_reason"] == "buyer_offline"
        # A page rings but nobody answers within the ring timeout.
        await p.tab1.connect()
        call_id = await p.start()
        await p.ring(call_id)
        missed = await _call_update(p.agent, "ended")
        assert missed["end_reason"] == "no_answer" and missed["ended_by"] == "system"


async def test_closing_a_party_page_ends_the_call(live: LiveServer, http: httpx.AsyncClient) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        await p.ring(call_id)
        await p.tab1.send_raw({"type": "call.accept", "call_id": call_id})
        await _call_update(p.agent, "active")
        await p.tab1.close()
        ended = await _call_update(p.agent, "ended")
        assert ended["end_reason"] == "disconnected" and ended["ended_by"] == "contact"


async def test_a_page_opened_while_a_call_rings_is_invited(live: LiveServer, http: httpx.AsyncClient) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        late = await LiveClient(live.ws_url, token=p.buyer_token).connect()
        try:
            invite = await _call_update(late, "ringing")
            assert invite["id"] == call_id
        finally:
            await late.close()


# An EBML header with DocType "webm", as MediaRecorder writes it, then stand-in cluster bytes.
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm\x42\x87\x81\x04" + b"\x00" * 64


async def test_recording_needs_the_buyers_consent_and_stays_with_staff(
    live: LiveServer, http: httpx.AsyncClient
) -> None:
    async with Parties(live, http) as p:
        call_id = await p.start()
        await p.ring(call_id)
        await p.tab1.send_raw({"type": "call.accept", "call_id": call_id})
        await _call_update(p.agent, "active")
        as_agent = {**CSRF, "Cookie": f"crossdesk_session={p.agent_cookie}"}
        url = f"/api/v1/calls/{call_id}/recording"

        async def upload(data: bytes) -> httpx.Response:
            return await http.post(url, files={"file": ("call.webm", data, "video/webm")}, headers=as_agent)

        # Nothing is recorded before the buyer allows it; the buyer cannot ask, the agent cannot allow.
        assert (await upload(WEBM)).status_code == 409
        await p.tab1.send_raw({"type": "call.record", "call_id": call_id, "action": "ask"})
        assert (await p.tab1.expect("error", call_id=call_id))["code"] == "conflict"
        await p.agent.send_raw({"type": "call.record", "call_id": call_id, "action": "ask"})
        await _recording(p.tab1, "asked")
        await p.agent.send_raw({"type": "call.record", "call_id": call_id, "action": "allow"})
        assert (await p.agent.expect("error", call_id=call_id))["code"] == "conflict"
        await p.tab1.send_raw({"type": "call.record", "call_id": call_id, "action": "refuse"})
        await _recording(p.agent, "refused")
        assert (await upload(WEBM)).status_code == 409

        # Asked again and allowed: the consent's times are kept with the recording.
        await p.agent.send_raw({"type": "call.record", "call_id": call_id, "action": "ask"})
        await _recording(p.tab1, "asked")
        await p.tab1.send_raw({"type": "call.record", "call_id": call_id, "action": "allow"})
        consent = await _recording(p.agent, "allowed")
        assert consent["asked_at"] <= consent["allowed_at"]
        bad = await upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        assert bad.status_code == 422 and "WebM" in bad.json()["detail"]
        # Larger than an image may be (5 MB), within a recording's limit.
        big = WEBM + b"\x00" * (6 * 1024 * 1024)
        response = await upload(big)
        assert response.status_code == 201, response.text
        recording = response.json()
        assert recording["kind"] == "recording" and recording["attachment"]["content_type"] == "video/webm"
        assert recording["meta"]["recording"]["consent"]["allowed_at"] == consent["allowed_at"]
        [seen] = await p.agent.events("message.created", 1)
        assert seen["data"]["id"] == recording["id"]
        played = await http.get(recording["attachment"]["url"], headers=as_agent)
        assert played.status_code == 200 and played.content == big

        # The buyer agreed to it but the file stays with staff: no event, no history, no download.
        while True:  # what reached the buyer: their own consent updates, not the recording
            try:
                frame = await p.tab1.expect("event", timeout=0.3)
            except TimeoutError:
                break
            assert frame["event"] == "call.updated", frame
        buyer_auth = {"Authorization": f"Bearer {p.buyer_token}"}
        history = await http.get(
            f"/api/v1/widget/conversations/{p.conversation_id}/messages", headers=buyer_auth
        )
        assert "recording" not in [m["kind"] for m in history.json()["items"]]
        assert (await http.get(recording["attachment"]["url"], headers=buyer_auth)).status_code == 404
