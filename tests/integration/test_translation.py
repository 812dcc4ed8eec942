"""Translation through the real desk, with the real embedded model: a buyer's message owes a translation
that the worker fills in and announces; an agent's reply reaches the buyer in the buyer's language, either
translated by the worker or as the preview the agent saw; the conversation language holds against noise."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from crossdesk.actions import translations
from crossdesk.actions.auth import visitor_session
from crossdesk.actions.messages import send_message
from crossdesk.db.queries import conversation_row, message_by_id
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType
from crossdesk.language.worker import TranslationWorker
from tests.conftest import LiveServer, serve_desk
from tests.integration.client import CSRF, LiveClient, agent_cookie, buyer_session

HAN = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.model


@pytest.fixture
async def live_translating(translating_desk: Desk) -> AsyncIterator[LiveServer]:
    async with serve_desk(translating_desk) as server:
        yield server


async def test_buyer_and_agent_read_each_other_in_their_own_languages(live_translating: LiveServer) -> None:
    live = live_translating
    async with httpx.AsyncClient(base_url=live.base_url, timeout=60, headers=CSRF) as http:
        cookie = await agent_cookie(http, "liwei@demo.shop")  # works in Chinese
        agent = await LiveClient(live.ws_url, cookie=cookie).connect()
        session = await buyer_session(http, name="John", language="en-US")
        buyer = await LiveClient(live.ws_url, token=session["token"]).connect()

        # The buyer writes English: detected, pinned, and owed a Chinese translation (one per agent language
        # of the shop: the demo's agents work in Chinese and English, so only Chinese is owed).
        ack = await buyer.send("Hello, my order #10482 has not arrived yet. Where is it?")
        cid = ack["conversation_id"]
        [created] = await agent.events("message.created", 1)
        assert created["data"]["language"] == "en"
        assert created["data"]["translations"] == {
            "zh": {"status": "pending", "body": None, "engine": None, "review": False, "issues": []}
        }
        translated = await agent.expect("event", timeout=60, event="message.translated")
        assert (
            translated["data"]["message_id"] == ack["message_id"] and translated["data"]["language"] == "zh"
        )
        chinese = translated["data"]["translation"]
        assert chinese["status"] == "done" and chinese["engine"] == "embedded"
        assert HAN.search(chinese["body"]) and "10482" in chinese["body"]

        # Stored with the message: a page fetched later shows it, and the conversation is pinned to English.
        page = (await http.get(f"/api/v1/conversations/{cid}/messages")).json()
        assert page["items"][-1]["translations"]["zh"]["body"] == chinese["body"]
        conversation = (await http.get(f"/api/v1/conversations/{cid}")).json()
        assert (conversation["language"], conversation["language_pinned"]) == ("en", False)

        # The agent answers in Chinese without a preview: the buyer gets the original at once, then English.
        reply = await agent.send("您好，您的包裹已经清关，预计周四送达。", conversation_id=cid)
        [to_buyer] = await buyer.events("message.created", 1)
        assert to_buyer["seq"] == reply["seq"] and to_buyer["data"]["language"] == "zh"
        assert to_buyer["data"]["translations"]["en"]["status"] == "pending"
        english = await buyer.expect("event", timeout=60, event="message.translated")
        assert english["data"]["language"] == "en" and english["data"]["translation"]["status"] == "done"
        assert re.search(r"[A-Za-z]{3}", english["data"]["translation"]["body"])
        assert not HAN.search(english["data"]["translation"]["body"])

        # With a preview, the buyer reads exactly what the agent saw, with no wait.
        draft = "我们会为您补发一件新的。"
        response = await http.post(
            f"/api/v1/conversations/{cid}/translation-preview",
            json={"text": draft},
        )
        assert response.status_code == 200, response.text
        preview = response.json()
        assert preview["needed"] and preview["source_language"] == "zh" and preview["target_language"] == "en"
        sent = await agent.send(
            draft,
            conversation_id=cid,
            translation={"language": "en", "body": preview["translation"], "engine": preview["engine"]},
        )
        [with_preview] = await buyer.events("message.created", 1)
        assert with_preview["seq"] == sent["seq"]
        assert with_preview["data"]["translations"]["en"]["status"] == "done"
        assert with_preview["data"]["translations"]["en"]["body"] == preview["translation"]
        for client in (agent, buyer):
            await client.close()


async def test_owed_translations_survive_until_a_worker_takes_them(translating_desk: Desk) -> None:
    """Rows are owed in the message's transaction, so a crash before translating loses nothing: any
    worker (here a fresh one, as after a restart) finds them; a leased row is not taken twice."""
    desk = translating_desk
    buyer = await _new_buyer(desk)
    sent = await send_message(
        desk,
        buyer,
        conversation_id=None,
        body="Здравствуйте, куртка пришла с порванным рукавом.",
        client_id="r1",
    )
    assert sent.message["language"] == "ru"
    assert {k: v["status"] for k, v in sent.message["translations"].items()} == {
        "en": "pending",
        "zh": "pending",
    }
    job = await translations.claim_next(desk)
    assert job is not None and job.message_id == sent.message["id"]
    other = await translations.claim_next(desk)
    assert other is not None and other.language != job.language  # the leased one is skipped
    assert await translations.claim_next(desk) is None
    # The leases run out (a crashed worker); a new worker finishes both.
    later = datetime.now(UTC) + timedelta(minutes=10)
    desk.clock = lambda: later
    worker = TranslationWorker(desk)
    assert await worker.work_once() and await worker.work_once()
    assert not await worker.work_once()
    stored = await desk.db.read(lambda conn: message_by_id(conn, sent.message["id"]))
    assert {k: v["status"] for k, v in stored["translations"].items()} == {"en": "done", "zh": "done"}
    assert HAN.search(stored["translations"]["zh"]["body"])


async def test_noise_does_not_flip_the_language_and_an_agent_override_holds(desk: Desk) -> None:
    buyer = await _new_buyer(desk)
    first = await send_message(
        desk, buyer, conversation_id=None, body="Olá, o meu pedido chegou?", client_id="a"
    )
    cid = first.message["conversation_id"]
    for body in ("ok", "3XL", "👍", "#10482", "Zara"):
        await send_message(
            desk, buyer, conversation_id=cid, body=body, client_id=f"n-{len(body)}-{ord(body[0])}"
        )
    assert await _language(desk, cid) == ("pt", False)
    agent = Principal(PrincipalType.AGENT, 2, buyer.shop_id, "Li Wei")
    await translations.set_conversation_language(desk, agent, cid, "es")
    await send_message(
        desk,
        buyer,
        conversation_id=cid,
        body="Actually I would rather write in English, thanks",
        client_id="b",
    )
    assert await _language(desk, cid) == ("es", True)
    await translations.set_conversation_language(desk, agent, cid, None)
    await send_message(
        desk,
        buyer,
        conversation_id=cid,
        body="Actually I would rather write in English, thanks!",
        client_id="c",
    )
    assert await _language(desk, cid) == ("en", False)


async def test_language_endpoints_validate_their_input(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10, headers=CSRF) as http:
        await agent_cookie(http)  # the client keeps the session cookie
        bad = [
            ("PATCH", "/api/v1/me", {"language": "klingon"}),
            ("POST", "/api/v1/glossary", {"terms": {"zh": "藏蓝色"}}),  # one language maps to nothing
            ("POST", "/api/v1/glossary", {"terms": {"zh": "x" * 101, "en": "y"}}),
            ("POST", "/api/v1/glossary", {"terms": {"*": "3XL", "en": "3XL"}}),
            ("PUT", "/api/v1/conversations/1/language", {"language": "xx"}),
        ]
        for method, url, body in bad:
            response = await http.request(method, url, json=body)
            assert response.status_code == 422, (url, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
        added = await http.post("/api/v1/glossary", json={"terms": {"zh": "藏蓝色", "en": "navy blue"}})
        assert added.status_code == 201
        listed = (await http.get("/api/v1/glossary")).json()["items"]
        assert [e["terms"] for e in listed] == [{"zh": "藏蓝色", "en": "navy blue"}]
        me = await http.patch("/api/v1/me", json={"language": "pt"})
        assert me.status_code == 200 and me.json()["language"] == "pt"
        assert (await http.delete(f"/api/v1/glossary/{listed[0]['id']}")).status_code == 204
        assert (await http.delete(f"/api/v1/glossary/{listed[0]['id']}")).status_code == 404
        # Translation is off on this desk: the preview says so rather than failing.
        preview = await http.post("/api/v1/conversations/1/translation-preview", json={"text": "你好"})
        assert preview.status_code == 200 and preview.json()["reason"] == "translation is off"


# --- helpers ----------------------------------------------------------------------------------------------
async def _new_buyer(desk: Desk) -> Principal:
    session = await visitor_session(desk, "demo", None, name="Buyer")
    return Principal(PrincipalType.CONTACT, session["contact"]["id"], 1, "Buyer")


async def _language(desk: Desk, conversation_id: int) -> tuple[str | None, bool]:
    row = await desk.db.read(lambda conn: conversation_row(conn, conversation_id))
    assert row is not None
    return row["language"], bool(row["language_pinned"])
