"""The facts a reply can quote about a buyer's latest order, under the names the playbook's
{{placeholders}} use: order.number, shipment.status, shipment.last_event, shipment.eta_local,
shipment.tracking_url. Times are written in the buyer's own time zone."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# What to call a fact the desk does not have, when it is left for the agent to fill in.
FACT_NAMES = {
    "order.number": {"en": "order number", "zh": "订单号"},
    "shipment.status": {"en": "parcel status", "zh": "包裹状态"},
    "shipment.last_event": {"en": "latest tracking event", "zh": "最新物流节点"},
    "shipment.eta_local": {"en": "expected delivery date", "zh": "预计送达日期"},
    "shipment.tracking_url": {"en": "tracking link", "zh": "物流链接"},
    "coupon.code": {"en": "coupon code", "zh": "优惠码"},
}

STATUS_WORDS = {
    "en": {
        "label_created": "waiting for the carrier to pick it up",
        "picked_up": "picked up by the carrier",
        "in_transit": "in transit",
        "customs": "held for customs inspection",
        "cleared": "cleared by customs",
        "out_for_delivery": "out for delivery",
        "delivered": "delivered",
        "exception": "held up by a carrier problem",
    },
    "zh": {
        "label_created": "等待快递揽收",
        "picked_up": "已被快递揽收",
        "in_transit": "运输中",
        "customs": "正在海关查验",
        "cleared": "已清关",
        "out_for_delivery": "正在派送",
        "delivered": "已签收",
        "exception": "因物流异常滞留",
    },
}


def order_facts(order: dict[str, Any] | None, language: str, buyer_zone: str | None) -> dict[str, str]:
    if not order:
        return {}
    facts = {"order.number": str(order["number"])}
    shipments = order.get("shipments") or []
    if not shipments:
        return facts
    shipment = shipments[-1]
    words = STATUS_WORDS.get(language, STATUS_WORDS["en"])
    facts["shipment.status"] = words.get(shipment["status"], shipment["status"])
    if shipment.get("tracking_url"):
        facts["shipment.tracking_url"] = shipment["tracking_url"]
    if shipment.get("eta"):
        facts["shipment.eta_local"] = _local(shipment["eta"], buyer_zone, language)
    events = shipment.get("events") or []
    if events:
        last = events[-1]
        where = f", {last['location']}" if last.get("location") else ""
        facts["shipment.last_event"] = (
            f"{last['description']}{where}, {_local(last['occurred_at'], buyer_zone, language)}"
        )
    return facts


def _local(iso: str, zone: str | None, language: str) -> str:
    moment = datetime.fromisoformat(iso)
    with contextlib.suppress(ZoneInfoNotFoundError, ValueError):  # an unknown zone: keep UTC
        moment = moment.astimezone(ZoneInfo(zone)) if zone else moment
    if language == "zh":
        return f"{moment.month}月{moment.day}日 {moment:%H:%M}"
    return moment.strftime("%a %d %b, %H:%M")
