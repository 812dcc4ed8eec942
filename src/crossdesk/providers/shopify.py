"""The Shopify connector: orders with their lines, fulfillments and tracking events, read through the
Admin GraphQL API (paged, newest changes since a time) and kept fresh by the `orders/updated` webhook
(HMAC-SHA256 of the raw body with the app's secret, base64, in `X-Shopify-Hmac-Sha256`).

Shopify cannot be reached from where crossdesk is developed: the tests replay response payloads shaped
as Shopify documents them (tests/data/shopify/)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from crossdesk.commerce.importer import (
    EventRecord,
    ItemRecord,
    OrderRecord,
    RecordError,
    ShipmentRecord,
)
from crossdesk.commerce.money import MoneyError, check_currency, to_minor

API_VERSION = "2025-01"
PAGE_SIZE = 50

ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    edges {
      cursor
      node {
        id name email createdAt updatedAt cancelledAt currencyCode
        displayFinancialStatus displayFulfillmentStatus
        customer { firstName lastName }
        shippingAddress { city countryCodeV2 zip }
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalShippingPriceSet { shopMoney { amount currencyCode } }
        totalPriceSet { shopMoney { amount currencyCode } }
        totalRefundedSet { shopMoney { amount currencyCode } }
        lineItems(first: 100) {
          edges {
            node {
              sku title variantTitle quantity
              originalUnitPriceSet { shopMoney { amount currencyCode } }
            }
          }
        }
        fulfillments(first: 10) {
          createdAt status displayStatus estimatedDeliveryAt
          trackingInfo(first: 5) { company number url }
          events(first: 50) { edges { node { status happenedAt message city country } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Shopify's fulfillment event statuses, in crossdesk's words (crossdesk.domain.models.ShipmentStatus).
EVENT_STATUS = {
    "LABEL_PRINTED": "label_created",
    "LABEL_PURCHASED": "label_created",
    "CONFIRMED": "label_created",
    "CARRIER_PICKED_UP": "picked_up",
    "PICKED_UP": "picked_up",
    "IN_TRANSIT": "in_transit",
    "DELAYED": "in_transit",
    "READY_FOR_PICKUP": "out_for_delivery",
    "OUT_FOR_DELIVERY": "out_for_delivery",
    "ATTEMPTED_DELIVERY": "out_for_delivery",
    "DELIVERED": "delivered",
    "FAILURE": "exception",
}
FINANCIAL_STATUS = {
    "PENDING": "pending",
    "AUTHORIZED": "pending",
    "PARTIALLY_PAID": "pending",
    "PAID": "paid",
    "PARTIALLY_REFUNDED": "partially_refunded",
    "REFUNDED": "refunded",
    "VOIDED": "cancelled",
    "EXPIRED": "cancelled",
}


class ShopifyError(Exception):
    pass


class ShopifyClient:
    def __init__(
        self,
        shop_domain: str,
        access_token: str,
        *,
        api_version: str = API_VERSION,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        if not shop_domain.endswith(".myshopify.com"):
            raise ShopifyError("the shop domain looks like name.myshopify.com")
        self._url = f"https://{shop_domain}/admin/api/{api_version}/graphql.json"
        self._http = httpx.AsyncClient(
            headers={"X-Shopify-Access-Token": access_token, "Content-Type": "application/json"},
            transport=transport,
            timeout=timeout_s,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def orders_since(
        self, updated_since: datetime | None = None
    ) -> tuple[list[OrderRecord], list[str]]:
        """Every order changed since the time (all orders without one), and why any could not be read."""
        query = f"updated_at:>'{updated_since.isoformat()}'" if updated_since else None
        found: list[OrderRecord] = []
        problems: list[str] = []
        after: str | None = None
        while True:
            variables = {"first": PAGE_SIZE, "after": after, "query": query}
            response = await self._http.post(self._url, json={"query": ORDERS_QUERY, "variables": variables})
            if response.status_code != 200:
                raise ShopifyError(f"Shopify answered HTTP {response.status_code}")
            body = response.json()
            if body.get("errors"):
                raise ShopifyError(f"Shopify refused the query: {body['errors'][0].get('message', '?')}")
            page = body["data"]["orders"]
            for edge in page["edges"]:
                try:
                    found.append(order_from_graphql(edge["node"]))
                except (RecordError, MoneyError, KeyError, TypeError, ValueError) as exc:
                    problems.append(f"{edge['node'].get('name', '?')}: {exc}")
            if not page["pageInfo"]["hasNextPage"]:
                return found, problems
            after = page["pageInfo"]["endCursor"]


def order_from_graphql(node: Mapping[str, Any]) -> OrderRecord:
    currency = check_currency(node["currencyCode"])

    def money(field: str) -> int:
        value = node.get(field) or {"shopMoney": {"amount": "0"}}
        return to_minor(value["shopMoney"]["amount"], currency)

    items = tuple(
        ItemRecord(
            sku=(line.get("sku") or "-")[:64],
            title=line["title"][:300],
            variant=line.get("variantTitle"),
            quantity=int(line["quantity"]),
            unit_price=to_minor(line["originalUnitPriceSet"]["shopMoney"]["amount"], currency),
        )
        for line in (edge["node"] for edge in node["lineItems"]["edges"])
    )
    shipments = tuple(
        shipment for fulfillment in node.get("fulfillments") or () if (shipment := _fulfillment(fulfillment))
    )
    customer = node.get("customer") or {}
    name = " ".join(p for p in (customer.get("firstName"), customer.get("lastName")) if p) or None
    total = money("totalPriceSet")
    status = (
        "cancelled"
        if node.get("cancelledAt")
        else FINANCIAL_STATUS.get(node.get("displayFinancialStatus") or "", "paid")
    )
    if status == "paid" and node.get("displayFulfillmentStatus") == "FULFILLED":
        status = "fulfilled"
    address = node.get("shippingAddress") or None
    return OrderRecord(
        number=node["name"],
        placed_at=_time(node["createdAt"]),
        email=(node.get("email") or "").strip().lower() or None,
        customer_name=name,
        currency=currency,
        status=status,
        items=items,
        shipping=money("totalShippingPriceSet"),
        paid=total,
        shipments=shipments,
        shipping_address={k: str(v) for k, v in address.items() if v} if address else None,
        refunded=money("totalRefundedSet"),
    )


def _fulfillment(fulfillment: Mapping[str, Any]) -> ShipmentRecord | None:
    tracking = (fulfillment.get("trackingInfo") or [None])[0]
    if not tracking or not tracking.get("number"):
        return None  # fulfilled without a parcel to follow (a digital good, a local pickup)
    events = tuple(
        EventRecord(
            status=EVENT_STATUS.get(event["status"], "in_transit"),
            description=(event.get("message") or event["status"].replace("_", " ").capitalize())[:300],
            location=", ".join(p for p in (event.get("city"), event.get("country")) if p) or None,
            occurred_at=_time(event["happenedAt"]),
        )
        for event in (edge["node"] for edge in (fulfillment.get("events") or {}).get("edges", []))
    )
    ordered = tuple(sorted(events, key=lambda e: e.occurred_at))
    return ShipmentRecord(
        carrier=(tracking.get("company") or "carrier")[:64],
        tracking_number=tracking["number"][:64],
        tracking_url=tracking.get("url"),
        status=ordered[-1].status if ordered else "label_created",
        shipped_at=_time(fulfillment["createdAt"]) if fulfillment.get("createdAt") else None,
        eta=_time(fulfillment["estimatedDeliveryAt"]) if fulfillment.get("estimatedDeliveryAt") else None,
        events=ordered,
    )


# --- webhooks -----------------------------------------------------------------------------------------------
def verify_webhook(secret: str, body: bytes, signature: str | None) -> bool:
    """Shopify signs the raw body: base64(HMAC-SHA256(secret, body)) in X-Shopify-Hmac-Sha256."""
    if not secret or not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, signature)


def order_from_webhook(payload: Mapping[str, Any]) -> OrderRecord:
    """An `orders/create` or `orders/updated` webhook body (the REST shape, snake_case)."""
    currency = check_currency(payload["currency"])
    items = tuple(
        ItemRecord(
            sku=(line.get("sku") or "-")[:64],
            title=line["title"][:300],
            variant=line.get("variant_title"),
            quantity=int(line["quantity"]),
            unit_price=to_minor(line["price"], currency),
        )
        for line in payload["line_items"]
    )
    shipping_set = payload.get("total_shipping_price_set") or {"shop_money": {"amount": "0"}}
    shipments = tuple(
        ShipmentRecord(
            carrier=(f.get("tracking_company") or "carrier")[:64],
            tracking_number=f["tracking_number"][:64],
            tracking_url=f.get("tracking_url"),
            status={
                "delivered": "delivered",
                "out_for_delivery": "out_for_delivery",
                "failure": "exception",
            }.get(f.get("shipment_status") or "", "in_transit"),
            shipped_at=_time(f["created_at"]) if f.get("created_at") else None,
        )
        for f in payload.get("fulfillments") or ()
        if f.get("tracking_number")
    )
    customer = payload.get("customer") or {}
    name = " ".join(p for p in (customer.get("first_name"), customer.get("last_name")) if p) or None
    financial = FINANCIAL_STATUS.get((payload.get("financial_status") or "").upper(), "paid")
    status = "cancelled" if payload.get("cancelled_at") else financial
    if status == "paid" and payload.get("fulfillment_status") == "fulfilled":
        status = "fulfilled"
    return OrderRecord(
        number=payload["name"],
        placed_at=_time(payload["created_at"]),
        email=(payload.get("email") or "").strip().lower() or None,
        customer_name=name,
        currency=currency,
        status=status,
        items=items,
        shipping=to_minor(shipping_set["shop_money"]["amount"], currency),
        paid=to_minor(payload["total_price"], currency),
        shipments=shipments,
        refunded=sum(
            to_minor(t["amount"], currency)
            for refund in payload.get("refunds") or ()
            for t in refund.get("transactions") or ()
            if t.get("kind") == "refund" and t.get("status") == "success"
        ),
    )


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise RecordError(f"{value!r} has no UTC offset")
    return moment
