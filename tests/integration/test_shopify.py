"""The Shopify connector, against response payloads shaped as Shopify documents them (Shopify cannot be
reached from here, so its HTTP side is replayed by an httpx transport): a paged GraphQL pull lands the
orders with their tracking; a signed orders/updated webhook updates one; an unsigned one changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import httpx
import sqlalchemy as sa
from pydantic import SecretStr

from crossdesk.commerce.shopify_sync import ShopifySync, pull_orders
from crossdesk.db.tables import orders
from crossdesk.desk import Desk
from crossdesk.providers.shopify import ShopifyClient, order_from_graphql
from tests.conftest import LiveServer

RECORDED = Path(__file__).resolve().parents[1] / "data" / "shopify"


def recorded_shopify() -> tuple[httpx.MockTransport, list[dict[str, object]]]:
    asked: list[dict[str, object]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url == "https://demo-shop.myshopify.com/admin/api/2025-01/graphql.json"
        assert request.headers["X-Shopify-Access-Token"] == "shpat_test"
        body = json.loads(request.content)
        asked.append(body["variables"])
        page = "orders_page2.json" if body["variables"]["after"] else "orders_page1.json"
        return httpx.Response(200, json=json.loads((RECORDED / page).read_text()))

    return httpx.MockTransport(answer), asked


async def test_a_paged_pull_lands_orders_with_their_tracking(desk: Desk) -> None:
    transport, asked = recorded_shopify()
    client = ShopifyClient("demo-shop.myshopify.com", "shpat_test", transport=transport)
    try:
        report = await pull_orders(desk, client)
    finally:
        await client.aclose()
    assert (report.created, report.updated, report.rejected) == (2, 0, [])
    assert [a["after"] for a in asked] == [
        None,
        json.loads((RECORDED / "orders_page1.json").read_text())["data"]["orders"]["pageInfo"]["endCursor"],
    ]

    def read(conn: sa.Connection) -> dict[str, sa.RowMapping]:
        rows = conn.execute(sa.select(orders).where(orders.c.number.in_(["#1001", "#1002"]))).mappings()
        return {row["number"]: row for row in rows}

    stored = await desk.db.read(read)
    assert (stored["#1001"]["total"], stored["#1001"]["currency"], stored["#1001"]["status"]) == (
        6470,
        "EUR",
        "fulfilled",
    )
    assert (stored["#1002"]["total"], stored["#1002"]["email"], stored["#1002"]["status"]) == (
        4800,
        "kenji@example.jp",
        "partially_refunded",
    )
    assert stored["#1002"]["refunded"] == 1200  # from Shopify's totalRefundedSet

    record = order_from_graphql(
        json.loads((RECORDED / "orders_page1.json").read_text())["data"]["orders"]["edges"][0]["node"]
    )
    [parcel] = record.shipments
    assert parcel.tracking_number == "YT2611150000001" and parcel.eta is not None
    assert [e.status for e in parcel.events] == ["label_created", "in_transit", "in_transit"]
    assert (
        parcel.events[-1].description == "Held by customs" and parcel.events[-1].location == "Madrid, Spain"
    )


async def test_a_signed_webhook_updates_the_order_and_an_unsigned_one_is_refused(live: LiveServer) -> None:
    desk = live.desk
    desk.settings = desk.settings.model_copy(
        update={"shopify_webhook_secret": SecretStr("whsec"), "shopify_desk_shop": "demo"}
    )
    body = (RECORDED / "webhook_orders_updated.json").read_bytes()
    signature = base64.b64encode(hmac.new(b"whsec", body, hashlib.sha256).digest()).decode()
    url = f"{live.base_url}/api/v1/integrations/shopify/orders"
    async with httpx.AsyncClient(timeout=10) as http:
        forged = await http.post(
            url,
            content=body,
            headers={"X-Shopify-Hmac-Sha256": "bm9wZQ==", "Content-Type": "application/json"},
        )
        assert forged.status_code == 401
        count = await desk.db.read(
            lambda conn: conn.execute(
                sa.select(sa.func.count()).select_from(orders).where(orders.c.number == "#1001")
            ).scalar_one()
        )
        assert count == 0
        signed = await http.post(
            url,
            content=body,
            headers={"X-Shopify-Hmac-Sha256": signature, "Content-Type": "application/json"},
        )
        assert signed.status_code == 200, signed.text
        assert signed.json()["created"] == 1
    row = await desk.db.read(
        lambda conn: conn.execute(sa.select(orders).where(orders.c.number == "#1001")).mappings().one()
    )
    assert (row["status"], row["total"], row["shipping"]) == ("partially_refunded", 6470, 490)
    assert row["refunded"] == 1000  # the webhook's successful refund transactions


async def test_the_scheduled_sync_pulls_only_what_changed_since_its_last_pull(desk: Desk) -> None:
    transport, asked = recorded_shopify()
    worker = ShopifySync(
        desk, lambda: ShopifyClient("demo-shop.myshopify.com", "shpat_test", transport=transport)
    )
    assert not await worker.work_once()  # it then waits for the next interval
    first_pull = worker.last_pull
    assert first_pull is not None and asked[0]["query"] is None  # the first pull takes everything
    await worker.work_once()
    assert asked[-1]["query"] == f"updated_at:>'{first_pull.isoformat()}'"
