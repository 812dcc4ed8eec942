"""The REST API over a real socket on SQLite and PostgreSQL: auth, paging, idempotency, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import LiveServer
from tests.integration.client import CSRF, DEMO_PASSWORD, buyer_session


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as client:
        yield client


@pytest.fixture
async def agent(http: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await http.post(
        "/api/v1/auth/login", json={"email": "liwei@demo.shop", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    http.headers.update(CSRF)
    return http


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


async def test_login_rejects_wrong_password_with_problem(http: httpx.AsyncClient) -> None:
    response = await http.post("/api/v1/auth/login", json={"email": "liwei@demo.shop", "password": "nope"})
    assert_problem(response, 401)
    assert "set-cookie" not in response.headers


async def test_unauthenticated_requests_are_refused(http: httpx.AsyncClient) -> None:
    assert_problem(await http.get("/api/v1/conversations"), 401)
    assert_problem(
        await http.get("/api/v1/conversations", headers={"Authorization": "Bearer cdk_forged"}), 401
    )


async def test_cookie_writes_need_the_csrf_header(agent: httpx.AsyncClient) -> None:
    conversation = (await agent.get("/api/v1/conversations")).json()["items"][0]
    response = await agent.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        json={"body": "hi"},
        headers={"X-Requested-With": ""},
    )
    assert_problem(response, 403)


async def test_inbox_lists_demo_conversations_with_counts(agent: httpx.AsyncClient) -> None:
    body = (await agent.get("/api/v1/conversations", params={"assignee": "all"})).json()
    names = {c["contact"]["name"] for c in body["items"]}
    assert {"Ana Souza", "John Miller", "Дмитрий Иванов"} <= names
    assert body["counts"]["all"] == len(body["items"])
    assert body["counts"]["mine"] + body["counts"]["unassigned"] <= body["counts"]["all"]
    resolved = (await agent.get("/api/v1/conversations", params={"status": "resolved"})).json()
    assert [c["contact"]["name"] for c in resolved["items"]] == ["Budi Santoso"]
    john = next(c for c in body["items"] if c["contact"]["name"] == "John Miller")
    assert john["unread_count"] == 1 and john["contact"]["timezone"] == "America/New_York"


async def test_post_message_is_idempotent_and_paged_by_seq(agent: httpx.AsyncClient) -> None:
    conversation = (await agent.get("/api/v1/conversations")).json()["items"][0]
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    first = await agent.post(
        url, json={"body": "Your parcel left Shenzhen today."}, headers={"Idempotency-Key": "k-1"}
    )
    again = await agent.post(
        url, json={"body": "Your parcel left Shenzhen today."}, headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["seq"] == conversation["last_seq"] + 1
    for i in range(5):
        await agent.post(url, json={"body": f"note {i}"})
    page = (await agent.get(url, params={"after_seq": 0, "limit": 3})).json()
    assert [m["seq"] for m in page["items"]] == [1, 2, 3] and page["has_more"]
    tail = (await agent.get(url, params={"before_seq": 1000, "limit": 2})).json()
    seqs = [m["seq"] for m in tail["items"]]
    assert seqs == sorted(seqs) and seqs[-1] == first.json()["seq"] + 5
    everything = (await agent.get(url, params={"after_seq": 0, "limit": 200})).json()["items"]
    assert [m["seq"] for m in everything] == list(range(1, len(everything) + 1))
    assert sum(m["client_id"] == "k-1" for m in everything) == 1


async def test_assign_and_status_leave_activity_on_the_timeline(agent: httpx.AsyncClient) -> None:
    me = (await agent.get("/api/v1/me")).json()["agent"]
    conversation = (await agent.get("/api/v1/conversations", params={"assignee": "unassigned"})).json()[
        "items"
    ][0]
    cid = conversation["id"]
    assigned = (
        await agent.post(f"/api/v1/conversations/{cid}/assign", json={"assignee_id": me["id"]})
    ).json()
    assert assigned["assignee"]["id"] == me["id"]
    resolved = (await agent.post(f"/api/v1/conversations/{cid}/status", json={"status": "resolved"})).json()
    assert resolved["status"] == "resolved" and resolved["last_seq"] == conversation["last_seq"] + 2
    items = (await agent.get(f"/api/v1/conversations/{cid}/messages")).json()["items"]
    assert [m["meta"].get("action") for m in items[-2:]] == ["assigned", "status"]
    mine = (await agent.get("/api/v1/conversations", params={"assignee": "me", "status": "resolved"})).json()
    assert cid in {c["id"] for c in mine["items"]}
    assert_problem(await agent.post(f"/api/v1/conversations/{cid}/status", json={"status": "closed"}), 422)
    assert_problem(await agent.post(f"/api/v1/conversations/{cid}/assign", json={"assignee_id": 999}), 422)


async def test_bad_input_gets_clear_errors_and_stores_nothing(agent: httpx.AsyncClient) -> None:
    conversation = (await agent.get("/api/v1/conversations")).json()["items"][0]
    url = f"/api/v1/conversations/{conversation['id']}/messages"
    body = assert_problem(await agent.post(url, json={"body": "x" * 5001}), 422)
    assert "5000" in str(body["detail"])
    assert_problem(await agent.post(url, json={"body": "   "}), 422)
    assert_problem(await agent.post(url, json={"body": "hi", "surprise": 1}), 422)
    assert_problem(
        await agent.post(url, content=b"{not json", headers={"content-type": "application/json"}), 422
    )
    assert_problem(await agent.post(url, json={"body": "hi"}, headers={"Idempotency-Key": "bad key!"}), 422)
    assert_problem(await agent.get("/api/v1/conversations/999999"), 404)
    after = (await agent.get(f"/api/v1/conversations/{conversation['id']}")).json()
    assert after["last_seq"] == conversation["last_seq"]


async def test_buyer_token_is_scoped_to_its_own_conversations(http: httpx.AsyncClient) -> None:
    alice = await buyer_session(http, name="Alice")
    bob = await buyer_session(http, name="Bob")
    assert alice["contact"]["id"] != bob["contact"]["id"]
    demo = await buyer_session(http)  # a third buyer without conversations
    assert demo["conversations"] == []
    # Agents' routes are closed to buyers; another buyer's conversation is invisible.
    as_bob = {"Authorization": f"Bearer {bob['token']}"}
    assert_problem(await http.get("/api/v1/conversations", headers=as_bob), 403)
    assert_problem(await http.get("/api/v1/widget/conversations/1/messages", headers=as_bob), 404)
    tampered = alice["token"][:-2] + ("AA" if not alice["token"].endswith("AA") else "BB")
    assert_problem(
        await http.get(
            "/api/v1/widget/conversations/1/messages", headers={"Authorization": f"Bearer {tampered}"}
        ),
        401,
    )


async def test_returning_buyer_keeps_identity(http: httpx.AsyncClient) -> None:
    first = await buyer_session(http, name="Ana", language="pt-BR", timezone="America/Sao_Paulo")
    again = await buyer_session(http, token=first["token"])
    assert again["contact"]["id"] == first["contact"]["id"]
    assert again["contact"]["language"] == "pt" and again["contact"]["timezone"] == "America/Sao_Paulo"
    bogus = await buyer_session(http, timezone="Mars/Olympus", language="<script>")
    assert bogus["contact"]["timezone"] is None and bogus["contact"]["language"] is None


async def test_openapi_document_lists_the_api(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    for path in (
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}/messages",
        "/api/v1/conversations/{conversation_id}/assign",
        "/api/v1/agents",
        "/api/v1/widget/session",
    ):
        assert path in spec["paths"]


async def test_pages_carry_security_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/me")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]


async def test_oversized_request_bodies_are_refused_before_buffering(agent: httpx.AsyncClient) -> None:
    conversation = (await agent.get("/api/v1/conversations")).json()["items"][0]
    response = await agent.post(
        f"/api/v1/conversations/{conversation['id']}/messages",
        content=b'{"body": "' + b"x" * (6 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413)


async def test_ice_servers_for_agents_and_buyers_only(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        assert (await http.get("/api/v1/rtc/ice-servers")).status_code == 401
        session = await buyer_session(http, name="Caller")
        mine = await http.get(
            "/api/v1/rtc/ice-servers", headers={"Authorization": f"Bearer {session['token']}"}
        )
        assert mine.status_code == 200 and mine.json()["relay_available"] is False
