"""Loads the demo shop once (idempotent), writing through the same actions the desk uses."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from crossdesk.actions import conversations as conversation_actions
from crossdesk.actions.catalogue import load_products
from crossdesk.actions.commerce import import_orders
from crossdesk.actions.macros import add_macro
from crossdesk.actions.messages import send_message
from crossdesk.commerce.importer import ParsedFile
from crossdesk.db.tables import agents, contacts, shops
from crossdesk.demo.orders import demo_orders, demo_products
from crossdesk.desk import Desk
from crossdesk.domain.models import ConversationStatus, Principal, PrincipalType, Role
from crossdesk.security.passwords import hash_password

DEMO_PASSWORD = "demo-password"  # noqa: S105 (published demo credentials)
WIDGET_KEY = "demo"


@dataclass(frozen=True)
class DemoAgent:
    email: str
    name: str
    role: Role
    language: str
    timezone: str


AGENTS = (
    DemoAgent("admin@demo.shop", "Zhang Min", Role.ADMIN, "zh", "Asia/Shanghai"),
    DemoAgent("liwei@demo.shop", "Li Wei", Role.AGENT, "zh", "Asia/Shanghai"),
    DemoAgent("chenjing@demo.shop", "Chen Jing", Role.AGENT, "en", "Asia/Shanghai"),
)

# (name, email, country, language, timezone, [(author, text)]) where author is "b" (buyer) or an agent index.
BUYERS: tuple[tuple[str, str, str, str, str, list[tuple[str, str]]], ...] = (
    (
        "Ana Souza",
        "ana.souza@example.com.br",
        "BR",
        "pt",
        "America/Sao_Paulo",
        [
            ("b", "Olá! Comprei o vestido azul marinho tamanho M há 12 dias e ainda não chegou. Onde está?"),
            ("1", "您好 Ana，我马上帮您查一下物流。"),
            ("b", "Obrigada, estou preocupada porque é para um casamento no sábado."),
        ],
    ),
    (
        "John Miller",
        "john.miller@example.com",
        "US",
        "en",
        "America/New_York",
        [
            ("b", "Hi, does the running jacket come in 3XL? The size chart only goes to XXL."),
        ],
    ),
    (
        "Дмитрий Иванов",
        "d.ivanov@example.ru",
        "RU",
        "ru",
        "Europe/Moscow",
        [
            ("b", "Здравствуйте! Пришла посылка, но чашка разбита. Что делать?"),
            ("b", "Фото прикреплю, если нужно."),
        ],
    ),
    (
        "Fatima Al-Harbi",
        "fatima@example.sa",
        "SA",
        "ar",
        "Asia/Riyadh",
        [
            ("b", "مرحبا، هل يمكنني الحصول على خصم إذا طلبت ثلاث قطع؟"),
        ],
    ),
    (
        "Budi Santoso",
        "budi@example.co.id",
        "ID",
        "id",
        "Asia/Jakarta",
        [
            ("b", "Halo, saya mau ganti alamat pengiriman pesanan saya, apakah masih bisa?"),
            ("2", "Hi Budi, yes, the order has not shipped yet. Please send me the new address."),
            ("b", "Terima kasih! Jl. Merdeka No. 10, Bandung."),
        ],
    ),
)


MACROS = (
    (
        "Where is my parcel (en)",
        "Your order {{order.number}} is {{shipment.status}}: {{shipment.last_event}}. We expect it by"
        " {{shipment.eta_local}}, and you can follow it here: {{shipment.tracking_url}}",
    ),
    (
        "包裹在哪里 (zh)",
        "您的订单{{order.number}}目前{{shipment.status}}：{{shipment.last_event}}。预计{{shipment.eta_local}}前送达，"
        "物流链接：{{shipment.tracking_url}}",
    ),
    (
        "Coupon for next time (en)",
        "As a thank-you for your patience, here is a coupon for your next order: {{coupon.code}}",
    ),
)


async def seed_demo(desk: Desk) -> bool:
    """Create the demo shop unless it exists. Returns whether anything was created."""
    now = desk.clock()
    password_hash = hash_password(DEMO_PASSWORD)

    def create_people(conn: sa.Connection) -> tuple[list[Principal], list[Principal]] | None:
        if conn.execute(sa.select(shops.c.id).where(shops.c.widget_key == WIDGET_KEY)).first():
            return None
        shop_id = conn.execute(
            sa.insert(shops)
            .values(name="Demo Shop", widget_key=WIDGET_KEY, created_at=now)
            .returning(shops.c.id)
        ).scalar_one()
        staff = []
        for agent in AGENTS:
            agent_id = conn.execute(
                sa.insert(agents)
                .values(
                    shop_id=shop_id,
                    email=agent.email,
                    name=agent.name,
                    password_hash=password_hash,
                    role=agent.role.value,
                    language=agent.language,
                    timezone=agent.timezone,
                    created_at=now,
                )
                .returning(agents.c.id)
            ).scalar_one()
            staff.append(Principal(PrincipalType.AGENT, agent_id, shop_id, agent.name, agent.role))
        buyers = []
        for name, email, country, language, timezone, _ in BUYERS:
            contact_id = conn.execute(
                sa.insert(contacts)
                .values(
                    shop_id=shop_id,
                    name=name,
                    email=email,
                    country=country,
                    language=language,
                    timezone=timezone,
                    created_at=now,
                    last_seen_at=now,
                )
                .returning(contacts.c.id)
            ).scalar_one()
            buyers.append(Principal(PrincipalType.CONTACT, contact_id, shop_id, name))
        return staff, buyers

    people = await desk.db.write(create_people)
    if people is None:
        return False
    staff, buyers = people
    for buyer, (*_, script) in zip(buyers, BUYERS, strict=True):
        conversation_id: int | None = None
        for index, (author, text) in enumerate(script):
            sender = buyer if author == "b" else staff[int(author)]
            result = await send_message(
                desk, sender, conversation_id=conversation_id, body=text, client_id=f"demo-{buyer.id}-{index}"
            )
            conversation_id = result.message["conversation_id"]
            if author != "b":
                await conversation_actions.assign(desk, sender, conversation_id, sender.id)
    await import_orders(desk, staff[0].shop_id, ParsedFile(orders=demo_orders(now)))
    await load_products(desk, staff[0].shop_id, demo_products())
    for name, body in MACROS:
        await add_macro(desk, staff[0], name, body)
    # One finished conversation, so the resolved tab is not empty.
    if conversation_id is not None:
        await conversation_actions.set_status(desk, staff[2], conversation_id, ConversationStatus.RESOLVED)
    return True
