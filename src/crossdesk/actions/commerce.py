"""The shop's orders: an import lands whole or not at all (one transaction), and an order already known by
its number is replaced by the newer copy, so importing the same export twice changes nothing. Buyers see
an order only after proving it is theirs."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import sqlalchemy as sa

from crossdesk.actions.errors import Forbidden, NotFound, RateLimited
from crossdesk.commerce.importer import OrderRecord, ParsedFile, Rejection
from crossdesk.db.orders import order_by_number, order_json
from crossdesk.db.queries import Json
from crossdesk.db.tables import contacts, order_items, orders, shipment_events, shipments
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": [r.as_json() for r in self.rejected],
        }


async def import_orders(desk: Desk, shop_id: int, parsed: ParsedFile) -> ImportReport:
    now = desk.clock()

    def transaction(conn: sa.Connection) -> ImportReport:
        report = ImportReport(rejected=list(parsed.rejected))
        for record in parsed.orders:
            existing = conn.execute(
                sa.select(orders.c.id).where(orders.c.shop_id == shop_id, orders.c.number == record.number)
            ).scalar_one_or_none()
            values = _order_values(record) | {"updated_at": now}
            if existing is None:
                order_id = conn.execute(
                    sa.insert(orders).values(shop_id=shop_id, **values).returning(orders.c.id)
                ).scalar_one()
                report.created += 1
            else:
                order_id = existing
                conn.execute(sa.update(orders).where(orders.c.id == order_id).values(**values))
                # The newer export is the truth: its lines and shipments replace the old ones.
                conn.execute(sa.delete(order_items).where(order_items.c.order_id == order_id))
                conn.execute(sa.delete(shipments).where(shipments.c.order_id == order_id))
                report.updated += 1
            _write_lines(conn, order_id, record)
        return report

    return await desk.db.write(transaction)


def _order_values(record: OrderRecord) -> dict[str, object]:
    refunded = {} if record.refunded is None else {"refunded": record.refunded}
    return refunded | {
        "number": record.number,
        "email": record.email,
        "customer_name": record.customer_name,
        "currency": record.currency,
        "subtotal": record.subtotal,
        "shipping": record.shipping,
        "total": record.total,
        "paid": record.paid,
        "status": record.status,
        "shipping_address": record.shipping_address,
        "placed_at": record.placed_at,
    }


def _write_lines(conn: sa.Connection, order_id: int, record: OrderRecord) -> None:
    conn.execute(
        sa.insert(order_items),
        [
            {
                "order_id": order_id,
                "sku": item.sku,
                "title": item.title,
                "variant": item.variant,
                "quantity": item.quantity,
                "unit_price": item.unit_price,
            }
            for item in record.items
        ],
    )
    for shipment in record.shipments:
        shipment_id = conn.execute(
            sa.insert(shipments)
            .values(
                order_id=order_id,
                carrier=shipment.carrier,
                tracking_number=shipment.tracking_number,
                tracking_url=shipment.tracking_url,
                status=shipment.status,
                shipped_at=shipment.shipped_at,
                eta=shipment.eta,
            )
            .returning(shipments.c.id)
        ).scalar_one()
        if shipment.events:
            conn.execute(
                sa.insert(shipment_events),
                [
                    {
                        "shipment_id": shipment_id,
                        "status": event.status,
                        "description": event.description,
                        "location": event.location,
                        "occurred_at": event.occurred_at,
                    }
                    for event in shipment.events
                ],
            )


async def lookup_order_for_buyer(desk: Desk, principal: Principal, number: str, email: str) -> Json:
    """A buyer in the widget sees an order only by proving it is theirs: its number and the email it was
    placed with. A wrong number and a wrong email get the same answer, in the same time, and attempts are
    rate-limited, so the desk cannot be used to find out which order numbers exist. Once proven, the buyer
    is known by that email (if they had none), so agents see their orders too."""
    if not principal.is_contact:
        raise Forbidden("Order lookup is for buyers; agents see orders beside the conversation")
    if not desk.address_limiter.allow(f"order-lookup:{principal.id}"):
        raise RateLimited("Too many order lookups; wait a moment")
    claimed = email.strip().lower()

    def transaction(conn: sa.Connection) -> Json:
        row = order_by_number(conn, principal.shop_id, number)
        stored = (row["email"] or "") if row is not None else ""
        # Compare even when there is no such order, so both failures take the same time.
        if row is None or not claimed or not hmac.compare_digest(stored.encode(), claimed.encode()):
            raise NotFound("No order with that number and email")
        conn.execute(
            sa.update(contacts)
            .where(contacts.c.id == principal.id, contacts.c.email.is_(None))
            .values(email=claimed)
        )
        return order_json(conn, row)

    return await desk.db.write(transaction)
