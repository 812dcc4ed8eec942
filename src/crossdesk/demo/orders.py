"""The demo shop's orders: a parcel held in customs for the buyer waiting for a wedding dress, a delivered
mug that arrived broken, and an order not shipped yet whose address the buyer wants to change. Times are
relative to now, so the timeline always reads as current."""

from __future__ import annotations

from datetime import datetime, timedelta

from crossdesk.actions.catalogue import ProductRecord, VariantRecord
from crossdesk.commerce.importer import EventRecord, ItemRecord, OrderRecord, ShipmentRecord


def demo_orders(now: datetime) -> list[OrderRecord]:
    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    dress = OrderRecord(
        number="D1001",
        placed_at=ago(12),
        email="ana.souza@example.com.br",
        customer_name="Ana Souza",
        currency="BRL",
        status="fulfilled",
        items=(ItemRecord("DRS-NAVY-M", "Linen midi dress", "M / Navy", 1, 23990),),
        shipping=2500,
        paid=26490,
        shipments=(
            ShipmentRecord(
                carrier="Correios",
                tracking_number="LB123456789CN",
                tracking_url="https://rastreamento.correios.com.br/app/index.php?objeto=LB123456789CN",
                status="customs",
                shipped_at=ago(11),
                eta=now + timedelta(days=3),
                events=(
                    EventRecord("picked_up", "Picked up by the carrier", "Shenzhen, CN", ago(11)),
                    EventRecord("in_transit", "Departed the origin hub", "Shenzhen, CN", ago(10)),
                    EventRecord("in_transit", "Arrived in the destination country", "Curitiba, BR", ago(4)),
                    EventRecord("customs", "Held for customs inspection", "Curitiba, BR", ago(2)),
                ),
            ),
        ),
    )
    mug = OrderRecord(
        number="D1002",
        placed_at=ago(20),
        email="d.ivanov@example.ru",
        customer_name="Дмитрий Иванов",
        currency="RUB",
        status="fulfilled",
        items=(ItemRecord("MUG-CER-BLUE", "Ceramic mug", "Blue", 2, 89000),),
        shipping=0,
        paid=178000,
        shipments=(
            ShipmentRecord(
                carrier="Cainiao",
                tracking_number="LP00123456789012",
                tracking_url="https://global.cainiao.com/detail.htm?mailNoList=LP00123456789012",
                status="delivered",
                shipped_at=ago(19),
                events=(
                    EventRecord("picked_up", "Picked up by the carrier", "Yiwu, CN", ago(19)),
                    EventRecord("cleared", "Released by customs", "Moscow, RU", ago(6)),
                    EventRecord("out_for_delivery", "Out for delivery", "Moscow, RU", ago(1.5)),
                    EventRecord("delivered", "Delivered to the buyer", "Moscow, RU", ago(1)),
                ),
            ),
        ),
    )
    unshipped = OrderRecord(
        number="D1003",
        placed_at=ago(1),
        email="budi@example.co.id",
        customer_name="Budi Santoso",
        currency="IDR",
        status="paid",
        items=(ItemRecord("BAG-TOTE", "Canvas tote bag", "Natural", 1, 18900000),),
        shipping=2000000,
        paid=20900000,
    )
    return [dress, mug, unshipped]


def demo_products() -> list[ProductRecord]:
    """The demo catalogue; the SKUs match the demo orders' lines."""
    dress = tuple(
        VariantRecord(f"DRS-{colour.upper()}-{size}", 23990, "BRL", stock, size, colour.title())
        for colour, size, stock in (
            ("navy", "S", 4), ("navy", "M", 0), ("navy", "L", 2), ("sage", "M", 7), ("sage", "L", 1),
        )
    )  # fmt: skip
    jacket = tuple(
        VariantRecord(f"JKT-RUN-{size}", 8900, "USD", stock, size, "Black")
        for size, stock in (("M", 12), ("L", 9), ("XL", 3), ("XXL", 1))
    )
    mug = (
        VariantRecord("MUG-CER-BLUE", 89000, "RUB", 25, None, "Blue"),
        VariantRecord("MUG-CER-WHITE", 89000, "RUB", 0, None, "White"),
    )
    return [
        ProductRecord(
            "Linen midi dress",
            dress,
            "https://demo.shop/products/linen-midi-dress",
            "100% linen, true to size.",
        ),
        ProductRecord(
            "Running jacket",
            jacket,
            "https://demo.shop/products/running-jacket",
            "Sizes run small: take one up.",
        ),
        ProductRecord(
            "Ceramic mug", mug, "https://demo.shop/products/ceramic-mug", "350 ml, dishwasher safe."
        ),
    ]
