"""The shop's catalogue: products with variants (size, colour), price and stock, so an agent answers "do
you have it in XL?" from facts. Products are kept by their variants' SKUs: loading the same product again
updates it rather than adding a copy."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from crossdesk.actions.access import check_agent
from crossdesk.db.queries import Json
from crossdesk.db.tables import product_variants, products
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal

MAX_RESULTS = 20


@dataclass(frozen=True)
class VariantRecord:
    sku: str
    price: int  # minor units
    currency: str
    stock: int
    size: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class ProductRecord:
    title: str
    variants: tuple[VariantRecord, ...]
    url: str | None = None
    description: str | None = None


async def load_products(desk: Desk, shop_id: int, records: list[ProductRecord]) -> int:
    """Create or update products (matched by any of their SKUs); returns how many were written."""

    def transaction(conn: sa.Connection) -> int:
        for record in records:
            skus = [v.sku for v in record.variants]
            existing = conn.execute(
                sa.select(product_variants.c.product_id).where(
                    product_variants.c.shop_id == shop_id, product_variants.c.sku.in_(skus)
                )
            ).scalar()
            values = {"title": record.title, "url": record.url, "description": record.description}
            if existing is None:
                product_id = conn.execute(
                    sa.insert(products).values(shop_id=shop_id, **values).returning(products.c.id)
                ).scalar_one()
            else:
                product_id = existing
                conn.execute(sa.update(products).where(products.c.id == product_id).values(**values))
                conn.execute(sa.delete(product_variants).where(product_variants.c.product_id == product_id))
            conn.execute(
                sa.insert(product_variants),
                [
                    {
                        "product_id": product_id,
                        "shop_id": shop_id,
                        "sku": v.sku,
                        "size": v.size,
                        "colour": v.colour,
                        "price": v.price,
                        "currency": v.currency,
                        "stock": v.stock,
                    }
                    for v in record.variants
                ],
            )
        return len(records)

    return await desk.db.write(transaction)


async def search_products(desk: Desk, principal: Principal, query: str) -> list[Json]:
    """Products whose title or a variant's SKU contains `query` (case-insensitive), with their variants."""
    check_agent(principal)
    pattern = f"%{query.strip().lower()}%"

    def read(conn: sa.Connection) -> list[Json]:
        matching = (
            sa.select(products.c.id)
            .outerjoin(product_variants, product_variants.c.product_id == products.c.id)
            .where(
                products.c.shop_id == principal.shop_id,
                sa.or_(
                    sa.func.lower(products.c.title).like(pattern),
                    sa.func.lower(product_variants.c.sku).like(pattern),
                ),
            )
            .distinct()
            .limit(MAX_RESULTS)
        )
        ids = list(conn.execute(matching).scalars())
        if not ids:
            return []
        rows = conn.execute(
            sa.select(products).where(products.c.id.in_(ids)).order_by(products.c.title)
        ).mappings()
        variants: dict[int, list[Json]] = {i: [] for i in ids}
        for v in conn.execute(
            sa.select(product_variants)
            .where(product_variants.c.product_id.in_(ids))
            .order_by(product_variants.c.id)
        ).mappings():
            variants[v["product_id"]].append(
                {k: v[k] for k in ("sku", "size", "colour", "price", "currency", "stock")}
            )
        return [
            {
                "id": r["id"],
                "title": r["title"],
                "url": r["url"],
                "description": r["description"],
                "variants": variants[r["id"]],
            }
            for r in rows
        ]

    return await desk.db.read(read)
