"""Refunds, reships, coupons and address changes under the shop's policy, on both databases: within an
agent's limits done at once, above them waiting for a lead, never more than was paid, a double click acting
once (also when the two clicks race), every action audited and the buyer told."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer
from tests.integration.client import CSRF, agent_cookie


def key() -> str:
    return uuid.uuid4().hex


Staff = tuple[httpx.AsyncClient, httpx.AsyncClient, dict[str, Any]]


@pytest.fixture
async def staff(live: LiveServer) -> AsyncIterator[Staff]:
    """An agent (Li Wei, works in Chinese), a lead (the admin), and the demo's conversations and orders."""
    async with (
        httpx.AsyncClient(base_url=live.base_url, timeout=15, headers=CSRF) as agent,
        httpx.AsyncClient(base_url=live.base_url, timeout=15, headers=CSRF) as lead,
    ):
        await agent_cookie(agent, "liwei@demo.shop")
        await agent_cookie(lead, "admin@demo.shop")
        agent.base_url = lead.base_url = f"{live.base_url}/api/v1/"
        conversations = (await agent.get("/conversations", params={"status": "open"})).json()["items"]
        resolved = (await agent.get("/conversations", params={"status": "resolved"})).json()["items"]
        demo: dict[str, Any] = {}
        for c in conversations + resolved:
            orders = (await agent.get(f"/conversations/{c['id']}/orders")).json()["items"]
            demo[c["contact"]["name"]] = {"conversation": c["id"], "orders": {o["number"]: o for o in orders}}
        yield agent, lead, demo


async def act(client: httpx.AsyncClient, who: dict[str, Any], number: str, **body: Any) -> httpx.Response:
    order_id = who["orders"][number]["id"]
    body.setdefault("idempotency_key", key())
    body.setdefault("reason", "the buyer's item arrived broken")
    return await client.post(f"/conversations/{who['conversation']}/orders/{order_id}/actions", json=body)


async def test_a_reship_within_policy_is_done_audited_and_told_to_the_buyer(staff) -> None:
    agent, _, demo = staff
    dmitry = demo["Дмитрий Иванов"]
    done = await act(agent, dmitry, "D1002", kind="reship", keep_item=True)
    assert done.status_code == 200, done.text
    action = done.json()
    assert (action["status"], action["kind"], action["params"]) == ("done", "reship", {"keep_item": True})
    log = (await agent.get(f"/conversations/{dmitry['conversation']}/actions")).json()["items"]
    assert log[0]["id"] == action["id"] and log[0]["reason"] == "the buyer's item arrived broken"
    assert log[0]["requested_by"] and log[0]["created_at"]
    messages = (await agent.get(f"/conversations/{dmitry['conversation']}/messages")).json()["items"]
    told = messages[-1]
    assert told["author"]["type"] == "agent" and "D1002" in told["body"] and "补发" in told["body"]


async def test_a_refund_above_the_limit_waits_for_the_lead(staff) -> None:
    agent, lead, demo = staff
    ana = demo["Ana Souza"]  # D1001: 264.90 BRL paid; an agent refunds up to 250.00 BRL alone
    big = await act(agent, ana, "D1001", kind="refund", amount=26490)
    waiting = big.json()
    assert waiting["status"] == "pending_approval" and "250.00 BRL" in waiting["decision_note"]
    queue = (await lead.get("/actions", params={"status": "pending_approval"})).json()["items"]
    assert waiting["id"] in [a["id"] for a in queue]
    refused = await agent.post(f"/actions/{waiting['id']}/approve", json={})
    assert refused.status_code == 403

    approved = await lead.post(f"/actions/{waiting['id']}/approve", json={"note": "ok, wedding dress"})
    assert approved.json()["status"] == "done" and approved.json()["decided_by"]
    twice = await lead.post(f"/actions/{waiting['id']}/approve", json={})
    assert twice.json() == approved.json()  # decided once
    orders = (await agent.get(f"/conversations/{ana['conversation']}/orders")).json()["items"]
    assert (orders[0]["refunded"], orders[0]["status"]) == (26490, "refunded")
    over = await act(agent, ana, "D1001", kind="refund", amount=1)
    assert over.status_code == 422 and "0.00 BRL" in over.json()["detail"]


async def test_a_double_click_refunds_once_even_when_the_clicks_race(staff) -> None:
    agent, _, demo = staff
    dmitry = demo["Дмитрий Иванов"]  # D1002: 1,780.00 RUB paid
    same = key()
    first, second = await asyncio.gather(
        act(agent, dmitry, "D1002", kind="refund", amount=50000, idempotency_key=same),
        act(agent, dmitry, "D1002", kind="refund", amount=50000, idempotency_key=same),
    )
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    # Two different refunds racing for more than is left: one lands, the other is refused.
    racing = await asyncio.gather(
        act(agent, dmitry, "D1002", kind="refund", amount=100000),
        act(agent, dmitry, "D1002", kind="refund", amount=100000),
    )
    assert sorted(r.status_code for r in racing) == [200, 422]
    orders = (await agent.get(f"/conversations/{dmitry['conversation']}/orders")).json()["items"]
    assert orders[0]["refunded"] == 150000 <= orders[0]["paid"]


async def test_what_no_policy_allows_and_what_it_can_change(staff) -> None:
    agent, lead, demo = staff
    shipped = await act(agent, demo["Ana Souza"], "D1001", kind="address_change", address={"city": "Rio"})
    assert shipped.status_code == 422 and "can no longer be changed" in shipped.json()["detail"]
    budi = demo["Budi Santoso"]  # D1003: paid, not shipped
    moved = await act(agent, budi, "D1003", kind="address_change", address={"street": "Jl. Merdeka No. 10"})
    assert moved.json()["status"] == "done"

    coupon = await act(agent, budi, "D1003", kind="coupon", percent=5)
    assert coupon.json()["status"] == "done" and coupon.json()["result"]["code"].startswith("SORRY5-")
    generous = await act(agent, budi, "D1003", kind="coupon", percent=20)
    assert generous.json()["status"] == "pending_approval"

    policy = (await agent.get("/policy")).json()
    assert policy["agent"]["coupon_max_percent"] == 5
    assert (await agent.put("/policy", json=policy)).status_code == 403
    policy["agent"]["coupon_max_percent"] = 25
    assert (await lead.put("/policy", json=policy)).status_code == 200
    now_fine = await act(agent, budi, "D1003", kind="coupon", percent=20)
    assert now_fine.json()["status"] == "done"
    broken = await lead.put("/policy", json={"agent": {"refund_max_share": 7}, "admin": {}})
    assert broken.status_code == 422
    unknown = await act(agent, budi, "D1003", kind="teleport")
    assert unknown.status_code == 422
