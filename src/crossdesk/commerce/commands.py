"""`crossdesk import orders FILE` loads a shop's orders from a CSV or JSON export; `crossdesk sync shopify`
pulls them from Shopify now."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from crossdesk.commerce.importer import ImportFileError, parse
from crossdesk.config import Settings


def add_parsers(sub: Any) -> None:
    load = sub.add_parser("import", help="import a shop's data from a file")
    what = load.add_subparsers(dest="what", required=True)
    orders = what.add_parser("orders", help="orders, their lines and shipments (CSV or JSON)")
    orders.add_argument("file", type=Path)
    orders.add_argument("--shop", help="the shop's widget key (default: the only shop)")
    orders.add_argument("--format", choices=["csv", "json"], help="default: from the file's extension")
    orders.add_argument("--database", help="database URL (default: SQLite under CROSSDESK_DATA_DIR)")
    orders.add_argument("--json", action="store_true", help="print the report as JSON")
    sync = sub.add_parser("sync", help="pull a shop's data from its store now")
    store = sync.add_subparsers(dest="store", required=True)
    shopify = store.add_parser("shopify", help="orders changed since --since (all without it)")
    shopify.add_argument("--since", type=datetime.fromisoformat, help="ISO 8601 time with offset")
    shopify.add_argument("--database", help="database URL (default: SQLite under CROSSDESK_DATA_DIR)")


def sync(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.shopify_shop or not settings.shopify_access_token.get_secret_value():
        print("set CROSSDESK_SHOPIFY_SHOP and CROSSDESK_SHOPIFY_ACCESS_TOKEN", file=sys.stderr)
        return 2
    return asyncio.run(_sync(settings, args.since))


async def _sync(settings: Settings, since: datetime | None) -> int:
    from crossdesk.commerce.shopify_sync import pull_orders
    from crossdesk.desk import Desk
    from crossdesk.providers.shopify import ShopifyClient, ShopifyError

    desk = Desk.from_settings(settings.model_copy(update={"coach": "none", "translators": "none"}))
    client = ShopifyClient(settings.shopify_shop, settings.shopify_access_token.get_secret_value())
    try:
        report = await pull_orders(desk, client, since)
    except (ShopifyError, ValueError) as exc:
        print(f"cannot sync: {exc}", file=sys.stderr)
        return 2
    finally:
        await client.aclose()
        await desk.db.dispose()
    print(json.dumps(report.as_json(), ensure_ascii=False))
    return 1 if report.rejected else 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every order was imported, 1 when some were rejected (the rest are in), 2 when the file
    could not be read at all (nothing is)."""
    kind = args.format or args.file.suffix.lower().lstrip(".")
    try:
        parsed = parse(args.file.read_bytes(), kind)
    except (OSError, ImportFileError) as exc:
        print(f"cannot import {args.file}: {exc}", file=sys.stderr)
        return 2
    report = asyncio.run(_import(settings, args.shop, parsed))
    if report is None:
        return 2
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print(f"{report.created} orders created, {report.updated} updated, {len(report.rejected)} rejected")
        for rejection in report.rejected:
            print(f"  {rejection.where} (order {rejection.order_number or '?'}): {rejection.reason}")
    return 1 if report.rejected else 0


async def _import(settings: Settings, shop_key: str | None, parsed: Any) -> Any:
    from crossdesk.actions.commerce import import_orders
    from crossdesk.db.tables import shops
    from crossdesk.desk import Desk

    desk = Desk.from_settings(settings.model_copy(update={"coach": "none", "translators": "none"}))
    try:
        query = sa.select(shops.c.id, shops.c.widget_key)
        found = await desk.db.read(lambda conn: list(conn.execute(query)))
        chosen = [row.id for row in found if shop_key is None or row.widget_key == shop_key]
        if len(chosen) != 1:
            keys = ", ".join(row.widget_key for row in found) or "none"
            print(f"name the shop with --shop (shops: {keys})", file=sys.stderr)
            return None
        return await import_orders(desk, chosen[0], parsed)
    finally:
        await desk.db.dispose()
