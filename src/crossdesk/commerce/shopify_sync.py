"""Keeping a shop's Shopify orders in the desk: a full or incremental pull (on a schedule, and by
`crossdesk sync shopify`), and single orders pushed by the `orders/create` and `orders/updated` webhooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from crossdesk.actions.commerce import ImportReport, import_orders
from crossdesk.background import PollingWorker
from crossdesk.commerce.importer import ParsedFile, Rejection
from crossdesk.db.tables import shops
from crossdesk.desk import Desk
from crossdesk.providers.shopify import ShopifyClient

log = logging.getLogger(__name__)


async def desk_shop_id(desk: Desk) -> int | None:
    """The crossdesk shop Shopify's orders belong to: by widget key, or the only one."""
    key = desk.settings.shopify_desk_shop
    rows = await desk.db.read(lambda conn: list(conn.execute(sa.select(shops.c.id, shops.c.widget_key))))
    chosen = [row.id for row in rows if not key or row.widget_key == key]
    return chosen[0] if len(chosen) == 1 else None


async def pull_orders(desk: Desk, client: ShopifyClient, since: datetime | None = None) -> ImportReport:
    shop_id = await desk_shop_id(desk)
    if shop_id is None:
        raise ValueError(
            "set CROSSDESK_SHOPIFY_DESK_SHOP to the widget key of the shop these orders belong to"
        )
    records, problems = await client.orders_since(since)
    parsed = ParsedFile(orders=records, rejected=[Rejection("shopify", None, p) for p in problems])
    return await import_orders(desk, shop_id, parsed)


class ShopifySync(PollingWorker):
    """Pulls what changed since the last pull, every `shopify_sync_s` seconds, when Shopify is configured."""

    name = "shopify sync"

    def __init__(self, desk: Desk, client: Callable[[], ShopifyClient] | None = None) -> None:
        super().__init__(desk.shopify_due, desk.settings.shopify_sync_s)
        self.desk = desk
        self.last_pull: datetime | None = None
        settings = desk.settings
        self._client = client or (
            lambda: ShopifyClient(settings.shopify_shop, settings.shopify_access_token.get_secret_value())
        )

    def enabled(self) -> bool:
        settings = self.desk.settings
        return bool(settings.shopify_shop and settings.shopify_access_token.get_secret_value())

    async def work_once(self) -> bool:
        client = self._client()
        started = self.desk.clock()
        try:
            report = await pull_orders(self.desk, client, self.last_pull)
        finally:
            await client.aclose()
        self.last_pull = started
        log.info("shopify orders pulled", extra={"created": report.created, "updated": report.updated})
        return False  # wait for the next interval
