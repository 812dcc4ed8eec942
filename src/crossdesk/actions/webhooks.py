"""Managing webhook subscriptions (admins only)."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from crossdesk.actions.errors import Forbidden, Invalid, NotFound
from crossdesk.db.queries import Json
from crossdesk.db.tables import webhooks
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal
from crossdesk.events.event import WEBHOOK_EVENTS


def _check_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Only an admin may manage webhooks")


async def create_webhook(desk: Desk, principal: Principal, url: str, events: list[str]) -> Json:
    _check_admin(principal)
    unknown = sorted(set(events) - {e.value for e in WEBHOOK_EVENTS})
    if unknown:
        raise Invalid(f"Unknown events: {', '.join(unknown)}")
    secret = "whsec_" + secrets.token_urlsafe(32)
    insert = sa.insert(webhooks).values(
        shop_id=principal.shop_id, url=url, secret=secret, events=sorted(set(events)), created_at=desk.clock()
    )
    hook_id = await desk.db.write(lambda conn: conn.execute(insert.returning(webhooks.c.id)).scalar_one())
    return {"id": hook_id, "url": url, "events": sorted(set(events)), "secret": secret}


async def list_webhooks(desk: Desk, principal: Principal) -> list[Json]:
    _check_admin(principal)
    query = sa.select(webhooks).where(webhooks.c.shop_id == principal.shop_id).order_by(webhooks.c.id)
    rows = await desk.db.read(lambda conn: conn.execute(query).mappings().all())
    return [{"id": r["id"], "url": r["url"], "events": r["events"]} for r in rows]


async def delete_webhook(desk: Desk, principal: Principal, hook_id: int) -> None:
    _check_admin(principal)
    delete = sa.delete(webhooks).where(webhooks.c.id == hook_id, webhooks.c.shop_id == principal.shop_id)
    deleted = await desk.db.write(lambda conn: conn.execute(delete).rowcount)
    if deleted == 0:
        raise NotFound("No such webhook")
