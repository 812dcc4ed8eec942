"""Saved replies with variables: {{order.number}}, {{shipment.status}}, {{shipment.last_event}},
{{shipment.eta_local}}, {{shipment.tracking_url}}, {{coupon.code}}, filled from the conversation's buyer
(their newest order and the newest coupon given to them); what the desk does not know stays visible as
[order number] for the agent to fill in."""

from __future__ import annotations

import sqlalchemy as sa

from crossdesk.actions.access import check_agent, check_conversation_access
from crossdesk.actions.errors import Invalid, NotFound
from crossdesk.actions.translations import agent_language
from crossdesk.coach.suggester import PLACEHOLDER, fill_placeholders
from crossdesk.commerce.facts import FACT_NAMES, order_facts
from crossdesk.db.orders import buyer_orders
from crossdesk.db.queries import Json, iso
from crossdesk.db.tables import coupons, macros
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal, PrincipalType

MAX_MACROS = 200
MAX_BODY = 2000


def _json(row: sa.RowMapping) -> Json:
    return {"id": row["id"], "name": row["name"], "body": row["body"], "created_at": iso(row["created_at"])}


async def list_macros(desk: Desk, principal: Principal) -> list[Json]:
    check_agent(principal)
    query = sa.select(macros).where(macros.c.shop_id == principal.shop_id).order_by(macros.c.name)
    return await desk.db.read(lambda conn: [_json(r) for r in conn.execute(query).mappings()])


async def add_macro(desk: Desk, principal: Principal, name: str, body: str) -> Json:
    check_agent(principal)
    name, body = name.strip(), body.strip()
    if not name or len(name) > 100 or not body or len(body) > MAX_BODY:
        raise Invalid(f"A macro needs a name of 1-100 characters and a text of 1-{MAX_BODY}")
    unknown = sorted({key for key in _keys(body) if key not in FACT_NAMES})
    if unknown:
        raise Invalid(f"Unknown variables: {', '.join(unknown)}; use {', '.join(sorted(FACT_NAMES))}")
    now = desk.clock()

    def transaction(conn: sa.Connection) -> Json:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(macros).where(macros.c.shop_id == principal.shop_id)
        ).scalar_one()
        if count >= MAX_MACROS:
            raise Invalid(f"A shop keeps at most {MAX_MACROS} macros")
        macro_id = conn.execute(
            sa.insert(macros)
            .values(shop_id=principal.shop_id, name=name, body=body, created_at=now)
            .returning(macros.c.id)
        ).scalar_one()
        return _json(conn.execute(sa.select(macros).where(macros.c.id == macro_id)).mappings().one())

    return await desk.db.write(transaction)


async def delete_macro(desk: Desk, principal: Principal, macro_id: int) -> None:
    check_agent(principal)

    def transaction(conn: sa.Connection) -> None:
        gone = conn.execute(
            sa.delete(macros).where(macros.c.id == macro_id, macros.c.shop_id == principal.shop_id)
        )
        if gone.rowcount == 0:
            raise NotFound("No such macro")

    await desk.db.write(transaction)


async def render_macro(desk: Desk, principal: Principal, conversation_id: int, macro_id: int) -> Json:
    """The macro's text for this conversation: `{text, missing}`."""
    check_agent(principal)

    def read(conn: sa.Connection) -> Json:
        conversation = check_conversation_access(conn, principal, conversation_id)
        macro = (
            conn.execute(
                sa.select(macros).where(macros.c.id == macro_id, macros.c.shop_id == principal.shop_id)
            )
            .mappings()
            .first()
        )
        if macro is None:
            raise NotFound("No such macro")
        buyer = buyer_orders(conn, principal.shop_id, conversation["contact_id"], conversation_id)
        language = (
            agent_language(conn, principal.id) if principal.type is PrincipalType.AGENT else None
        ) or "en"
        facts = order_facts(buyer.latest, language, buyer.timezone)
        coupon = _latest_coupon(conn, principal.shop_id, buyer.email)
        if coupon:
            facts["coupon.code"] = coupon
        text, missing = fill_placeholders(macro["body"], facts, language, FACT_NAMES)
        return {"text": text, "missing": list(missing)}

    return await desk.db.read(read)


def _latest_coupon(conn: sa.Connection, shop_id: int, email: str | None) -> str | None:
    if not email:
        return None
    code: str | None = conn.execute(
        sa.select(coupons.c.code)
        .where(coupons.c.shop_id == shop_id, coupons.c.email == email.strip().lower())
        .order_by(coupons.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return code


def _keys(body: str) -> set[str]:
    return {match.group(1) for match in PLACEHOLDER.finditer(body)}
