"""Reads of the shop's orders, shaped as API objects: an order with its lines, its shipments and each
shipment's tracking events, oldest event first. Money stays in minor units with the currency beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import contacts, order_items, orders, shipment_events, shipments

MAX_ORDERS_SHOWN = 20


@dataclass(frozen=True)
class BuyerOrders:
    """A conversation's buyer as far as their orders go."""

    email: str | None
    timezone: str | None
    orders: list[Json]  # newest first

    @property
    def latest(self) -> Json | None:
        return self.orders[0] if self.orders else None


def buyer_orders(conn: sa.Connection, shop_id: int, contact_id: int) -> BuyerOrders:
    email, zone = conn.execute(
        sa.select(contacts.c.email, contacts.c.timezone).where(contacts.c.id == contact_id)
    ).one()
    return BuyerOrders(email, zone, orders_for_email(conn, shop_id, email))


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
