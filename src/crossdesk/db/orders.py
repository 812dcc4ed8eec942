"""Reads of the shop's orders, shaped as API objects: an order with its lines, its shipments and each
shipment's tracking events, oldest event first. Money stays in minor units with the currency beside it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import (
    contacts,
    coupons,
    messages,
    order_items,
    orders,
    shipment_events,
    shipments,
)
from crossdesk.domain.models import AuthorType

MAX_ORDERS_SHOWN = 20


@dataclass(frozen=True)
class BuyerOrders:
    """A conversation's buyer as far as their orders go."""

    email: str | None
    timezone: str | None
    orders: list[Json]  # newest first; each says whether it matched by "email" or by a "number" they wrote

    @property
    def latest(self) -> Json | None:
        return self.orders[0] if self.orders else None


# What an order number looks like in a chat message: "#10482", "D1001", "order 10482".
_NUMBER = re.compile(r"#?\b[A-Za-z]{0,4}\d{3,12}\b")
MESSAGES_SCANNED = 50


def buyer_orders(
    conn: sa.Connection, shop_id: int, contact_id: int, conversation_id: int | None = None
) -> BuyerOrders:
    """The buyer's orders by their email and, in a conversation, by the order numbers they wrote there
    (staff see every order of their shop anyway; this only puts the right ones beside the chat)."""
    email, zone = conn.execute(
        sa.select(contacts.c.email, contacts.c.timezone).where(contacts.c.id == contact_id)
    ).one()
    found = [{**order, "matched_by": "email"} for order in orders_for_email(conn, shop_id, email)]
    if conversation_id is not None:
        known = {order["id"] for order in found}
        mentioned = [
            {**order, "matched_by": "number"}
            for order in _orders_mentioned(conn, shop_id, contact_id, conversation_id)
            if order["id"] not in known
        ]
        found = sorted(found + mentioned, key=lambda order: order["placed_at"], reverse=True)
    return BuyerOrders(email, zone, found[:MAX_ORDERS_SHOWN])


def _orders_mentioned(conn: sa.Connection, shop_id: int, contact_id: int, conversation_id: int) -> list[Json]:
    bodies = conn.execute(
        sa.select(messages.c.body)
        .where(
            messages.c.conversation_id == conversation_id,
            messages.c.author_type == AuthorType.CONTACT.value,
            messages.c.author_id == contact_id,
        )
        .order_by(messages.c.seq.desc())
        .limit(MESSAGES_SCANNED)
    ).scalars()
    tokens = {token for body in bodies for token in _NUMBER.findall(body or "")}
    candidates = {variant for t in tokens for variant in (t, t.lstrip("#"), "#" + t.lstrip("#"))}
    if not candidates:
        return []
    rows = conn.execute(
        sa.select(orders).where(orders.c.shop_id == shop_id, orders.c.number.in_(sorted(candidates)))
    ).mappings()
    return _with_details(conn, list(rows))


def buyer_summary(conn: sa.Connection, shop_id: int, email: str | None) -> Json:
    """Purchase history at a glance: how many orders, what they paid net of refunds (per currency), and
    the coupons given to them."""
    if not email:
        return {"orders": 0, "lifetime": [], "coupons": []}
    address = email.strip().lower()
    totals = conn.execute(
        sa.select(orders.c.currency, sa.func.count(), sa.func.sum(orders.c.paid - orders.c.refunded))
        .where(orders.c.shop_id == shop_id, orders.c.email == address)
        .group_by(orders.c.currency)
        .order_by(orders.c.currency)
    ).all()
    given = conn.execute(
        sa.select(coupons.c.code, coupons.c.percent_off)
        .where(coupons.c.shop_id == shop_id, coupons.c.email == address)
        .order_by(coupons.c.id.desc())
        .limit(10)
    ).all()
    return {
        "orders": sum(int(count) for _, count, _ in totals),
        "lifetime": [{"currency": currency, "amount": int(net or 0)} for currency, _, net in totals],
        "coupons": [{"code": code, "percent_off": percent} for code, percent in given],
    }


def orders_for_email(conn: sa.Connection, shop_id: int, email: str | None) -> list[Json]:
    """The buyer's orders, newest first, matched by email (addresses are stored lower-cased)."""
    if not email:
        return []
    rows = conn.execute(
        sa.select(orders)
        .where(orders.c.shop_id == shop_id, orders.c.email == email.strip().lower())
        .order_by(orders.c.placed_at.desc())
        .limit(MAX_ORDERS_SHOWN)
    ).mappings()
    return _with_details(conn, list(rows))


def order_by_number(conn: sa.Connection, shop_id: int, number: str) -> sa.RowMapping | None:
    return (
        conn.execute(sa.select(orders).where(orders.c.shop_id == shop_id, orders.c.number == number.strip()))
        .mappings()
        .first()
    )


def order_json(conn: sa.Connection, row: sa.RowMapping) -> Json:
    return _with_details(conn, [row])[0]


def _with_details(conn: sa.Connection, rows: list[sa.RowMapping]) -> list[Json]:
    """Lines, shipments and events for a page of orders, in three queries whatever its size."""
    ids = [row["id"] for row in rows]
    lines: dict[int, list[Json]] = {i: [] for i in ids}
    parcels: dict[int, list[Json]] = {i: [] for i in ids}
    if ids:
        for item in conn.execute(
            sa.select(order_items).where(order_items.c.order_id.in_(ids)).order_by(order_items.c.id)
        ).mappings():
            lines[item["order_id"]].append(
                {k: item[k] for k in ("sku", "title", "variant", "quantity", "unit_price")}
            )
        found = list(
            conn.execute(
                sa.select(shipments).where(shipments.c.order_id.in_(ids)).order_by(shipments.c.id)
            ).mappings()
        )
        events: dict[int, list[Json]] = {s["id"]: [] for s in found}
        if found:
            for event in conn.execute(
                sa.select(shipment_events)
                .where(shipment_events.c.shipment_id.in_(list(events)))
                .order_by(shipment_events.c.occurred_at, shipment_events.c.id)
            ).mappings():
                events[event["shipment_id"]].append(
                    {
                        "status": event["status"],
                        "description": event["description"],
                        "location": event["location"],
                        "occurred_at": iso(event["occurred_at"]),
                    }
                )
        for shipment in found:
            parcels[shipment["order_id"]].append(_shipment_json(shipment, events[shipment["id"]]))
    return [_order_json(row, lines[row["id"]], parcels[row["id"]]) for row in rows]


def _shipment_json(row: sa.RowMapping, events: list[Json]) -> Json:
    return {
        "id": row["id"],
        "carrier": row["carrier"],
        "tracking_number": row["tracking_number"],
        "tracking_url": row["tracking_url"],
        "status": row["status"],
        "shipped_at": iso(row["shipped_at"]) if row["shipped_at"] else None,
        "eta": iso(row["eta"]) if row["eta"] else None,
        "events": events,
    }


def _order_json(row: sa.RowMapping, items: list[Json], parcels: list[Json]) -> Json:
    data: dict[str, Any] = {
        "id": row["id"],
        "number": row["number"],
        "status": row["status"],
        "currency": row["currency"],
        "subtotal": row["subtotal"],
        "shipping": row["shipping"],
        "total": row["total"],
        "paid": row["paid"],
        "refunded": row["refunded"],
        "placed_at": iso(row["placed_at"]),
        "items": items,
        "shipments": parcels,
    }
    return data
