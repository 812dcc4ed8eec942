"""Reading orders from a file a shop exported: CSV (one row per order line) or JSON (nested, with shipment
tracking events). Every record is validated here; an order with any bad line is rejected whole, with the
line and the reason, so nothing is half-imported. Writing is `actions.commerce.import_orders`.

CSV columns (header row, any order; * required):
  order_number*, placed_at* (ISO 8601 with offset), email, customer_name (one of the two*), currency*,
  status (pending|paid|fulfilled|partially_refunded|refunded|cancelled; default paid), sku*, title*,
  variant, quantity* (whole number >= 1), unit_price*, shipping (the order's, on any line), paid (default:
  the total), carrier, tracking_number, tracking_url
JSON: {"orders": [{"number", "placed_at", "email", "customer_name", "currency", "status", "shipping",
  "paid", "shipping_address": {...}, "items": [{"sku", "title", "variant", "quantity", "unit_price"}],
  "shipments": [{"carrier", "tracking_number", "tracking_url", "status", "shipped_at", "eta",
  "events": [{"status", "description", "location", "occurred_at"}]}]}]}
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdesk.commerce.money import MoneyError, check_currency, to_minor
from crossdesk.domain.models import OrderStatus, ShipmentStatus

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ORDERS = 50_000
MAX_LINES_PER_ORDER = 500
CSV_REQUIRED = ("order_number", "placed_at", "currency", "sku", "title", "quantity", "unit_price")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV/JSON, too large, missing columns)."""


class RecordError(ValueError):
    pass


@dataclass(frozen=True)
class ItemRecord:
    sku: str
    title: str
    variant: str | None
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class EventRecord:
    status: str
    description: str
    location: str | None
    occurred_at: datetime


@dataclass(frozen=True)
class ShipmentRecord:
    carrier: str
    tracking_number: str
    tracking_url: str | None
    status: str
    shipped_at: datetime | None = None
    eta: datetime | None = None
    events: tuple[EventRecord, ...] = ()


@dataclass(frozen=True)
class OrderRecord:
    number: str
    placed_at: datetime
    email: str | None
    customer_name: str | None
    currency: str
    status: str
    items: tuple[ItemRecord, ...]
    shipping: int
    paid: int
    shipments: tuple[ShipmentRecord, ...] = ()
    shipping_address: Mapping[str, str] | None = None
    # What the store says was refunded; None: the file does not say, so the desk's own record stands.
    refunded: int | None = None

    @property
    def subtotal(self) -> int:
        return sum(item.quantity * item.unit_price for item in self.items)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping


@dataclass(frozen=True)
class Rejection:
    where: str  # "line 7" (CSV) or "order 3" (JSON, 1-based)
    order_number: str | None
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"where": self.where, "order_number": self.order_number, "reason": self.reason}


@dataclass
class ParsedFile:
    orders: list[OrderRecord] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def parse(data: bytes, kind: str) -> ParsedFile:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError("the file is not UTF-8 text") from exc
    if kind == "csv":
        return parse_csv(text)
    if kind == "json":
        return parse_json(text)
    raise ImportFileError(f"unknown format {kind!r}: use csv or json")


# --- CSV ----------------------------------------------------------------------------------------------------
def parse_csv(text: str) -> ParsedFile:
    reader = csv.DictReader(io.StringIO(text))
    header = {name.strip() for name in reader.fieldnames or []}
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise ImportFileError(f"missing columns: {', '.join(missing)}")
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    result = ParsedFile()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        number = row.get("order_number", "")
        if not number:
            result.rejected.append(Rejection(f"line {line}", None, "order_number is empty"))
            continue
        groups.setdefault(number, []).append((line, row))
        if len(groups) > MAX_ORDERS:
            raise ImportFileError(f"more than {MAX_ORDERS} orders in one file")
    for number, rows in groups.items():
        try:
            result.orders.append(_order_from_rows(number, rows))
        except RecordError as exc:
            where, reason = str(exc).split("|", 1) if "|" in str(exc) else (f"line {rows[0][0]}", str(exc))
            result.rejected.append(Rejection(where, number, reason))
    return result


def _order_from_rows(number: str, rows: list[tuple[int, dict[str, str]]]) -> OrderRecord:
    if len(rows) > MAX_LINES_PER_ORDER:
        raise RecordError(f"more than {MAX_LINES_PER_ORDER} lines")
    first_line, first = rows[0]
    shared = ("placed_at", "email", "customer_name", "currency", "status")
    for line, row in rows[1:]:
        for name in shared:
            if row.get(name, "") and row.get(name, "") != first.get(name, ""):
                raise RecordError(f"line {line}|{name} differs from line {first_line} of the same order")
    currency = _currency(first.get("currency", ""), first_line)
    items, shipments = [], {}
    shipping = 0
    paid: int | None = None
    for line, row in rows:
        items.append(_item(row, currency, line))
        if row.get("shipping"):
            shipping = _amount(row["shipping"], currency, f"line {line}|shipping")
        if row.get("paid"):
            paid = _amount(row["paid"], currency, f"line {line}|paid")
        if row.get("tracking_number"):
            shipments[row["tracking_number"]] = ShipmentRecord(
                carrier=_text(row.get("carrier") or "unknown", 64, f"line {line}|carrier"),
                tracking_number=_text(row["tracking_number"], 64, f"line {line}|tracking_number"),
                tracking_url=_url(row.get("tracking_url"), f"line {line}"),
                status=ShipmentStatus.IN_TRANSIT.value,
            )
    return _order(
        number=number,
        placed_at=first.get("placed_at", ""),
        email=first.get("email"),
        customer_name=first.get("customer_name"),
        currency=currency,
        status=first.get("status") or OrderStatus.PAID.value,
        items=items,
        shipping=shipping,
        paid=paid,
        shipments=list(shipments.values()),
        address=None,
        where=f"line {first_line}",
    )


def _item(row: Mapping[str, str], currency: str, line: int) -> ItemRecord:
    quantity = row.get("quantity", "")
    if not quantity.isdigit() or int(quantity) < 1 or int(quantity) > 10_000:
        raise RecordError(f"line {line}|quantity must be a whole number from 1 to 10000, not {quantity!r}")
    return ItemRecord(
        sku=_text(row.get("sku", ""), 64, f"line {line}|sku"),
        title=_text(row.get("title", ""), 300, f"line {line}|title"),
        variant=row.get("variant") or None,
        quantity=int(quantity),
        unit_price=_amount(row.get("unit_price", ""), currency, f"line {line}|unit_price"),
    )


# --- JSON ---------------------------------------------------------------------------------------------------
def parse_json(text: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"not JSON: {exc}") from exc
    raw_orders = document.get("orders") if isinstance(document, dict) else document
    if not isinstance(raw_orders, list):
        raise ImportFileError('expected {"orders": [...]} or a list of orders')
    if len(raw_orders) > MAX_ORDERS:
        raise ImportFileError(f"more than {MAX_ORDERS} orders in one file")
    result = ParsedFile()
    seen: set[str] = set()
    for index, raw in enumerate(raw_orders, start=1):
        where = f"order {index}"
        number = str(raw.get("number", "")).strip() if isinstance(raw, dict) else ""
        try:
            if not isinstance(raw, dict):
                raise RecordError("an order must be an object")
            if number in seen:
                raise RecordError(f"order number {number} appears twice in the file")
            result.orders.append(_order_from_json(raw, where))
            seen.add(number)
        except RecordError as exc:
            result.rejected.append(Rejection(where, number or None, str(exc).split("|")[-1]))
    return result


def _order_from_json(raw: Mapping[str, Any], where: str) -> OrderRecord:
    currency = _currency(str(raw.get("currency", "")), where)
    items_raw = raw.get("items")
    if not isinstance(items_raw, list) or not items_raw:
        raise RecordError("an order needs at least one item")
    if len(items_raw) > MAX_LINES_PER_ORDER:
        raise RecordError(f"more than {MAX_LINES_PER_ORDER} items")
    items = [
        _item({k: str(v) for k, v in item.items()} if isinstance(item, dict) else {}, currency, n)
        for n, item in enumerate(items_raw, start=1)
    ]
    shipments = [_shipment_from_json(s) for s in _list(raw.get("shipments"), "shipments")]
    address = raw.get("shipping_address")
    if address is not None and not (
        isinstance(address, dict) and all(isinstance(v, str) and len(v) <= 200 for v in address.values())
    ):
        raise RecordError("shipping_address must be an object of short texts")
    return _order(
        number=str(raw.get("number", "")),
        placed_at=str(raw.get("placed_at", "")),
        email=raw.get("email"),
        customer_name=raw.get("customer_name"),
        currency=currency,
        status=str(raw.get("status") or OrderStatus.PAID.value),
        items=items,
        shipping=_amount(raw.get("shipping", 0), currency, "shipping"),
        paid=_amount(raw["paid"], currency, "paid") if raw.get("paid") is not None else None,
        shipments=shipments,
        address=address,
        where=where,
    )


def _shipment_from_json(raw: Any) -> ShipmentRecord:
    if not isinstance(raw, dict):
        raise RecordError("a shipment must be an object")
    events = []
    for event in _list(raw.get("events"), "events"):
        if not isinstance(event, dict):
            raise RecordError("an event must be an object")
        events.append(
            EventRecord(
                status=_shipment_status(str(event.get("status", ""))),
                description=_text(str(event.get("description", "")), 300, "event description"),
                location=_optional_text(event.get("location"), 200, "event location"),
                occurred_at=_time(str(event.get("occurred_at", "")), "event occurred_at"),
            )
        )
    ordered = tuple(sorted(events, key=lambda e: e.occurred_at))
    status = raw.get("status") or (ordered[-1].status if ordered else ShipmentStatus.LABEL_CREATED.value)
    return ShipmentRecord(
        carrier=_text(str(raw.get("carrier", "")), 64, "carrier"),
        tracking_number=_text(str(raw.get("tracking_number", "")), 64, "tracking_number"),
        tracking_url=_url(raw.get("tracking_url"), "shipment"),
        status=_shipment_status(str(status)),
        shipped_at=_time(str(raw["shipped_at"]), "shipped_at") if raw.get("shipped_at") else None,
        eta=_time(str(raw["eta"]), "eta") if raw.get("eta") else None,
        events=ordered,
    )


# --- shared checks ------------------------------------------------------------------------------------------
def _order(
    *,
    number: str,
    placed_at: str,
    email: Any,
    customer_name: Any,
    currency: str,
    status: str,
    items: list[ItemRecord],
    shipping: int,
    paid: int | None,
    shipments: list[ShipmentRecord],
    address: Mapping[str, str] | None,
    where: str,
) -> OrderRecord:
    number = _text(number, 64, "number")
    email_text = _optional_text(email, 320, "email")
    if email_text is not None and ("@" not in email_text or " " in email_text):
        raise RecordError(f"{where}|email {email_text!r} is not an address")
    name = _optional_text(customer_name, 200, "customer_name")
    if email_text is None and name is None:
        raise RecordError(f"{where}|an order needs the buyer's email or name")
    if status not in OrderStatus.__members__.values():
        raise RecordError(f"{where}|unknown status {status!r}")
    record = OrderRecord(
        number=number,
        placed_at=_time(placed_at, f"{where}|placed_at"),
        email=email_text.lower() if email_text else None,
        customer_name=name,
        currency=currency,
        status=status,
        items=tuple(items),
        shipping=shipping,
        paid=0,
        shipments=tuple(shipments),
        shipping_address=dict(address) if address else None,
    )
    total = record.total
    if paid is not None and paid > total:
        raise RecordError(f"{where}|paid is more than the order's total")
    return OrderRecord(**{**record.__dict__, "paid": total if paid is None else paid})


def _currency(code: str, where: object) -> str:
    try:
        return check_currency(code)
    except MoneyError as exc:
        raise RecordError(f"{_where(where)}|{exc}") from exc


def _amount(value: Any, currency: str, where: str) -> int:
    try:
        return to_minor(value, currency)
    except MoneyError as exc:
        raise RecordError(f"{_prefix(where)}{exc}") from exc


def _time(value: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordError(f"{_prefix(where)}not an ISO 8601 time: {value!r}") from exc
    if moment.tzinfo is None:
        raise RecordError(f"{_prefix(where)}{value!r} has no UTC offset")
    return moment


def _text(value: str, limit: int, name: str) -> str:
    value = value.strip()
    if not value:
        raise RecordError(f"{_prefix(name)}is empty")
    if len(value) > limit:
        raise RecordError(f"{_prefix(name)}is longer than {limit} characters")
    return value


def _optional_text(value: Any, limit: int, name: str) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    return _text(str(value), limit, name)


def _url(value: Any, where: str) -> str | None:
    text = _optional_text(value, 500, f"{where}|tracking_url")
    if text is not None and not text.startswith(("https://", "http://")):
        raise RecordError(f"{where}|tracking_url must be an http(s) link")
    return text


def _shipment_status(value: str) -> str:
    if value not in ShipmentStatus.__members__.values():
        raise RecordError(f"unknown shipment status {value!r}")
    return value


def _list(value: Any, name: str) -> Iterable[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(f"{name} must be a list")
    return value


def _prefix(where: str) -> str:
    """'line 7|unit_price' -> 'line 7|unit_price: '; 'paid' -> 'paid: '."""
    return f"{where}: "


def _where(where: object) -> str:
    return where if isinstance(where, str) else f"line {where}"
