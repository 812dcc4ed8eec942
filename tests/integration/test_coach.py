"""The coach through the real desk, with the real embedding model on both databases: a buyer message is
analysed in the background and its reading reaches agents (never the buyer); the inbox filters by it;
an agent asks for a drafted reply and has a draft checked."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from crossdesk.actions.auth import visitor_session
from crossdesk.actions.messages import send_message
from crossdesk.coach.analyzer import Analysis
from crossdesk.coach.worker import AnalysisWorker
from crossdesk.db.queries import conversation_json
from crossdesk.db.tables import conversations, message_insights
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType
from tests.conftest import LiveServer, serve_desk
from tests.integration.client import CSRF, LiveClient, agent_cookie, buyer_session

HAN = re.compile(r"[\u4e00-\u9fff]")
ANGRY = "My blender arrived with a cracked jar!!! This is the second broken one, I am so angry."


@pytest.fixture
async def live_coaching(coaching_desk: Desk) -> AsyncIterator[LiveServer]:
    async with serve_desk(coaching_desk) as server:
        yield server


async def test_buyer_messages_are_read_for_agents_only(live_coaching: LiveServer) -> None:
    live = live_coaching
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30, headers=CSRF) as http:
        cookie = await agent_cookie(http, "liwei@demo.shop")
        agent = await LiveClient(live.ws_url, cookie=cookie).connect()
        session = await buyer_session(http, name="Maria Lopez", language="en")
        buyer = await LiveClient(live.ws_url, token=session["token"]).connect()

        ack = await buyer.send(ANGRY)
        cid = ack["conversation_id"]
        event = await agent.expect("event", timeout=30, event="conversation.insight")
        insight = event["data"]["insight"]
        assert event["conversation_id"] == cid and insight["message_id"] == ack["message_id"]
        assert insight["intent"] == "damaged_or_defective" and insight["sentiment"] == "negative"
        # "!!!" and "second broken one": an impatient first-time buyer.
        assert insight["customer"] == {
            "state": "impatient",
            "returning": False,
            "earlier": 0,
            "unanswered": 1,
        }

        # Stored on the conversation for agents; the inbox filters by it.
        conversation = (await http.get(f"/api/v1/conversations/{cid}")).json()
        assert conversation["insight"] == insight
        matching = (await http.get("/api/v1/conversations", params={"intent": "damaged_or_defective"})).json()
        assert cid in [c["id"] for c in matching["items"]]
        assert all(c["insight"]["intent"] == "damaged_or_defective" for c in matching["items"])
        other = (await http.get("/api/v1/conversations", params={"intent": "discount_request"})).json()
        assert cid not in [c["id"] for c in other["items"]]
        angry = (await http.get("/api/v1/conversations", params={"sentiment": "negative"})).json()
        assert cid in [c["id"] for c in angry["items"]]
        bad = await http.get("/api/v1/conversations", params={"intent": "gossip"})
        assert bad.status_code == 422

        # The buyer never sees the reading: not live, not in their session.
        async with httpx.AsyncClient(base_url=live.base_url, timeout=30) as anonymous:
            mine = await buyer_session(anonymous, token=session["token"])
        assert all("insight" not in c for c in mine["conversations"])
        await agent.send("收到，马上处理", conversation_id=cid)
        await buyer.events("message.created", 1)
        seen = [buyer.frames.get_nowait() for _ in range(buyer.frames.qsize())]
        assert not [
            f for f in seen if f.get("event") == "conversation.insight" or "insight" in f.get("data", {})
        ]
        for client in (agent, buyer):
            await client.close()


async def test_agents_get_a_playbook_reply_and_a_checked_draft(live_coaching: LiveServer) -> None:
    live = live_coaching
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30, headers=CSRF) as http:
        await agent_cookie(http, "liwei@demo.shop")  # works in Chinese
        session = await buyer_session(http, name="Maria Lopez", language="en")
        buyer = await LiveClient(live.ws_url, token=session["token"]).connect()
        ack = await buyer.send(ANGRY)
        cid = ack["conversation_id"]

        # Drafted in the agent's language, empathy first for an unhappy buyer, facts left for the agent.
        response = await http.post(f"/api/v1/conversations/{cid}/suggestion")
        assert response.status_code == 200, response.text
        draft = response.json()
        assert draft["language"] == "zh" and HAN.search(draft["text"])
        assert draft["intent"] == "damaged_or_defective"
        assert draft["steps"][:2] == ["opening:impatient", "empathy"]
        first_line = draft["text"].splitlines()[0]
        assert re.search("抱歉|理解", first_line), first_line
        assert "Maria" in first_line  # the buyer's first name, not "Visitor"

        # The coach checks the agent's own words given the buyer's mood and question.
        vague = await http.post(
            f"/api/v1/conversations/{cid}/check", json={"text": "跨境物流都这样，这是正常现象。"}
        )
        assert vague.status_code == 200, vague.text
        flags = vague.json()["flags"]
        assert [(f["kind"], f["span"], f["start"]) for f in flags] == [
            ("vague_non_answer", "跨境物流都这样", 0),
            ("vague_non_answer", "这是正常现象", 8),
            ("missing_empathy", "", -1),
            ("missing_next_step", "", -1),
        ]
        assert all(flag["advice"] and flag["suggestion"] for flag in flags)
        good = await http.post(
            f"/api/v1/conversations/{cid}/check",
            json={
                "text": "非常抱歉让您收到破损的搅拌杯，我理解您的心情。"
                "我今天就为您补发一个新的，明天发出，旧的不用寄回。"
            },
        )
        assert good.json()["flags"] == []
        # What the buyer will read is checked too: a fault only the translation has is flagged (advice in
        # the agent's language); one the draft already has is not repeated; absences stay the draft's.
        fine = "非常抱歉让您收到破损的搅拌杯。我今天就为您补发，明天发出。"
        translated = (
            "I'm so sorry the blender cup arrived broken. It is normal with glass. I'll reship it today."
        )
        both = await http.post(
            f"/api/v1/conversations/{cid}/check",
            json={"text": fine, "translation": {"language": "en", "text": translated}},
        )
        assert both.status_code == 200, both.text
        [flag] = both.json()["flags"]
        assert (flag["kind"], flag["span"], flag["in"], flag["language"]) == (
            "vague_non_answer",
            "It is normal",
            "translation",
            "en",
        )
        assert HAN.search(flag["advice"])
        repeated = await http.post(
            f"/api/v1/conversations/{cid}/check",
            json={"text": "这是正常现象。", "translation": {"language": "en", "text": "This is normal."}},
        )
        assert [(f["kind"], f["in"]) for f in repeated.json()["flags"]] == [
            ("vague_non_answer", "draft"),
            ("missing_empathy", "draft"),
            ("missing_next_step", "draft"),
        ]
        # The drafted reply passes its own coach.
        own = await http.post(f"/api/v1/conversations/{cid}/check", json={"text": draft["text"]})
        assert own.json()["flags"] == []

        too_long = await http.post(f"/api/v1/conversations/{cid}/check", json={"text": "好" * 5001})
        assert too_long.status_code == 422 and too_long.json()["title"] == "Too long"
        assert too_long.headers["content-type"].startswith("application/problem+json")
        missing = await http.post("/api/v1/conversations/999999/suggestion")
        assert missing.status_code == 404
        await buyer.close()


async def test_the_worker_knows_first_time_and_returning_buyers(coaching_desk: Desk) -> None:
    desk = coaching_desk
    session = await visitor_session(desk, "demo", None, name="Ana Souza")
    buyer = Principal(PrincipalType.CONTACT, session["contact"]["id"], 1, "Ana Souza")
    first = await send_message(
        desk, buyer, conversation_id=None, body="Vocês têm esse vestido no tamanho M?", client_id="a"
    )
    worker = AnalysisWorker(desk)
    assert await worker.work_once() and not await worker.work_once()
    insight = await _insight(desk, first.message["conversation_id"])
    assert insight["intent"] == "product_question" and insight["customer"]["state"] == "first_contact"

    # Weeks later the same buyer starts another conversation: the coach knows them.
    now = desk.clock()
    later = await desk.db.write(
        lambda conn: conn.execute(
            sa.insert(conversations)
            .values(shop_id=1, contact_id=buyer.id, status="open", created_at=now, updated_at=now)
            .returning(conversations.c.id)
        ).scalar_one()
    )
    await send_message(
        desk,
        buyer,
        conversation_id=later,
        body="Onde está meu segundo pedido? O rastreio parou.",
        client_id="b",
    )
    assert await worker.work_once()
    insight = await _insight(desk, later)
    assert insight["intent"] == "shipping_status"
    assert insight["customer"] == {"state": "returning", "returning": True, "earlier": 1, "unanswered": 1}


async def _insight(desk: Desk, conversation_id: int) -> dict[str, Any]:
    snapshot = await desk.db.read(lambda conn: conversation_json(conn, conversation_id, staff=True))
    insight: dict[str, Any] = snapshot["insight"]
    return insight


async def test_the_coach_can_be_off(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=30, headers=CSRF) as http:
        await agent_cookie(http)
        conversations = (await http.get("/api/v1/conversations")).json()["items"]
        response = await http.post(f"/api/v1/conversations/{conversations[0]['id']}/suggestion")
        assert response.status_code == 503 and "CROSSDESK_COACH" in response.json()["detail"]


async def test_a_message_the_model_fails_on_does_not_hold_up_the_others(
    coaching_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = coaching_desk
    assert desk.coach is not None
    real = desk.coach.analyze

    def analyze(text: str) -> Analysis:  # the real model cannot be made to fail on cue
        if "POISON" in text:
            raise RuntimeError("the model choked")
        return real(text)

    monkeypatch.setattr(desk.coach, "analyze", analyze)
    sent = []
    for body in ("Where is my parcel? It has been two weeks.", "POISON message"):
        session = await visitor_session(desk, "demo", None, name="Buyer")
        buyer = Principal(PrincipalType.CONTACT, session["contact"]["id"], 1, "Buyer")
        sent.append(await send_message(desk, buyer, conversation_id=None, body=body, client_id="x"))
    worker = AnalysisWorker(desk)
    assert await worker.work_once()  # both taken in one pass, newest (the poison) first
    assert not await worker.work_once()
    statuses = await desk.db.read(
        lambda conn: dict(
            conn.execute(sa.select(message_insights.c.message_id, message_insights.c.status)).all()
        )
    )
    assert statuses[sent[0].message["id"]] == "done" and statuses[sent[1].message["id"]] == "failed"
    assert (await _insight(desk, sent[0].message["conversation_id"]))["intent"] == "shipping_status"


async def test_a_suggested_reply_quotes_the_buyers_order(live_coaching: LiveServer) -> None:
    """Ana's parcel (demo order D1001) is held in customs: the draft names the order, the status, the
    last event in her local time, the expected date and the tracking link instead of placeholders."""
    async with httpx.AsyncClient(base_url=live_coaching.base_url, timeout=30, headers=CSRF) as http:
        await agent_cookie(http, "chenjing@demo.shop")  # works in English
        conversations = (await http.get("/api/v1/conversations", params={"status": "open"})).json()["items"]
        ana = next(c["id"] for c in conversations if c["contact"]["name"] == "Ana Souza")
        asked = {"intent": "shipping_status"}  # her latest message is a thank-you; the agent picks the topic
        draft = (await http.post(f"/api/v1/conversations/{ana}/suggestion", json=asked)).json()
        assert draft["intent"] == "shipping_status", draft
        assert "D1001" in draft["text"] and "held for customs inspection" in draft["text"]
        assert "https://rastreamento.correios.com.br/" in draft["text"]
        assert {"order.number", "shipment.status", "shipment.tracking_url"}.isdisjoint(draft["missing"])
