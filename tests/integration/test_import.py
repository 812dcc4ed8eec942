"""Importing a shop's orders on both databases: valid orders land with their lines, shipments and tracking
events in minor units; each bad order is rejected whole with its line and reason; importing the same
export again changes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import sqlalchemy as sa

from crossdesk.actions.commerce import import_orders
from crossdesk.commerce.importer import parse
from crossdesk.db.tables import order_items, orders, shipment_events, shipments
from crossdesk.desk import Desk
from tests.conftest import LiveServer
from tests.integration.client import CSRF, LiveClient, agent_cookie, buyer_session

DATA = Path(__file__).resolve().parents[1] / "data"


async def _counts(desk: Desk) -> dict[str, int]:
    def read(conn: sa.Connection) -> dict[str, int]:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (orders, order_items, shipments, shipment_events)
        }

    return await desk.db.read(read)


async def test_json_orders_land_with_their_tracking_and_again_change_nothing(desk: Desk) -> None:
    parsed = parse((DATA / "orders.json").read_bytes(), "json")
    report = await import_orders(desk, 1, parsed)
    assert (report.created, report.updated) == (2, 0)
    assert [(r.where, r.order_number) for r in report.rejected] == [
        ("order 3", "#10484"),
        ("order 4", "#10485"),
    ]
    assert "no UTC offset" in report.rejected[0].reason and "teleported" in report.rejected[1].reason

    def read(conn: sa.Connection) -> tuple[sa.RowMapping, list[str]]:
        order = conn.execute(sa.select(orders).where(orders.c.number == "#10482")).mappings().one()
        events = conn.execute(
            sa.select(shipment_events.c.status)
            .join(shipments, shipments.c.id == shipment_events.c.shipment_id)
            .where(shipments.c.order_id == order["id"])
            .order_by(shipment_events.c.occurred_at)
        ).scalars()
        return order, list(events)

    order, events = await desk.db.read(read)
    # 2 x 129.90 + 25.00 BRL, in centavos; paid defaults to the total; the email is normalised.
    assert (order["subtotal"], order["shipping"], order["total"], order["paid"]) == (
        25980,
        2500,
        28480,
        28480,
    )
    assert order["email"] == "ana.souza@example.com" and order["status"] == "fulfilled"
    assert events == ["picked_up", "in_transit", "customs"]
    yen = await desk.db.read(
        lambda conn: conn.execute(sa.select(orders.c.total).where(orders.c.number == "#10483")).scalar_one()
    )
    assert yen == 4500  # JPY has no minor unit

    before = await _counts(desk)
    again = await import_orders(desk, 1, parse((DATA / "orders.json").read_bytes(), "json"))
    assert (again.created, again.updated) == (0, 2)
    assert await _counts(desk) == before


async def test_a_bad_csv_line_rejects_its_whole_order_and_says_why(desk: Desk) -> None:
    report = await import_orders(desk, 1, parse((DATA / "orders.csv").read_bytes(), "csv"))
    assert report.created == 1
    reasons = {r.order_number: (r.where, r.reason) for r in report.rejected}
    assert reasons["#20002"][0] == "line 5" and "quantity" in reasons["#20002"][1]
    assert "unknown currency 'USS'" in reasons["#20003"][1]
    assert "email or name" in reasons["#20004"][1]
    assert "paid is more than" in reasons["#20005"][1]
    assert "more decimals than JPY" in reasons["#20006"][1]
    assert reasons[None] == ("line 10", "order_number is empty")

    def read(conn: sa.Connection) -> tuple[list[str], sa.RowMapping, int]:
        numbers = list(conn.execute(sa.select(orders.c.number)).scalars())
        jacket = conn.execute(sa.select(orders).where(orders.c.number == "#20001")).mappings().one()
        tracked = conn.execute(
            sa.select(sa.func.count()).select_from(shipments).where(shipments.c.order_id == jacket["id"])
        ).scalar_one()
        return numbers, jacket, tracked

    numbers, jacket, tracked = await desk.db.read(read)
    assert [n for n in numbers if n.startswith("#2")] == ["#20001"]  # nothing of #20002 was written
    assert (jacket["subtotal"], jacket["shipping"], jacket["total"]) == (8900 + 2450, 950, 12300)
    assert tracked == 1  # two lines, one parcel


def test_cli_imports_and_reports(tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "crossdesk.cli"]
    database = f"sqlite:///{tmp_path / 'desk.db'}"
    subprocess.run([*cli, "seed-demo", "--database", database], check=True, capture_output=True)
    done = subprocess.run(
        [*cli, "import", "orders", str(DATA / "orders.csv"), "--shop", "demo", "--database", database],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1  # some orders rejected, the rest imported
    assert done.stdout.startswith("1 orders created, 0 updated, 6 rejected")
    assert (
        "  line 5 (order #20002): quantity must be a whole number from 1 to 10000, not 'two'" in done.stdout
    )
    broken = tmp_path / "broken.csv"
    broken.write_text("order_number,sku\n1,a\n", encoding="utf-8")
    refused = subprocess.run(
        [*cli, "import", "orders", str(broken), "--database", database], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "missing columns: placed_at, currency" in refused.stderr


async def test_agents_see_the_buyers_orders_beside_the_conversation(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10, headers=CSRF) as http:
        await agent_cookie(http)
        conversations = (await http.get("/api/v1/conversations", params={"status": "open"})).json()["items"]
        by_name = {c["contact"]["name"]: c["id"] for c in conversations}
        ana = (await http.get(f"/api/v1/conversations/{by_name['Ana Souza']}/orders")).json()["items"]
        assert [o["number"] for o in ana] == ["D1001"]
        [parcel] = ana[0]["shipments"]
        assert parcel["status"] == "customs" and parcel["tracking_url"].startswith("https://")
        times = [e["occurred_at"] for e in parcel["events"]]
        assert times == sorted(times) and parcel["events"][-1]["location"] == "Curitiba, BR"
        assert (ana[0]["total"], ana[0]["currency"]) == (26490, "BRL")
        john = (await http.get(f"/api/v1/conversations/{by_name['John Miller']}/orders")).json()
        assert john["items"] == [] and john["summary"]["orders"] == 0  # asked before buying
        missing = await http.get("/api/v1/conversations/99999/orders")
        assert missing.status_code == 404
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as anonymous:
        refused = await anonymous.get(f"/api/v1/conversations/{by_name['Ana Souza']}/orders")
        assert refused.status_code == 401


async def test_a_buyer_sees_an_order_only_with_its_number_and_email(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10) as http:
        session = await buyer_session(http, name="Someone")
        token = {"Authorization": f"Bearer {session['token']}"}

        async def lookup(number: str, email: str) -> httpx.Response:
            return await http.post(
                "/api/v1/widget/orders/lookup", json={"number": number, "email": email}, headers=token
            )

        wrong_email = await lookup("D1001", "someone.else@example.com")
        wrong_number = await lookup("D9999", "ana.souza@example.com.br")
        assert wrong_email.status_code == wrong_number.status_code == 404
        assert wrong_email.json()["detail"] == wrong_number.json()["detail"]  # nothing tells them apart
        assert "D1001" not in wrong_email.text and "Linen" not in wrong_email.text

        mine = await lookup(" D1001 ", "Ana.Souza@Example.com.br")
        assert mine.status_code == 200, mine.text
        order = mine.json()
        assert order["number"] == "D1001" and order["shipments"][0]["status"] == "customs"
        assert "shipping_address" not in order and "email" not in order

        # Proven: the buyer is now known by that email, so agents see this order beside the chat.
        await agent_cookie(http)
        sent = await http.post(
            "/api/v1/widget/session", json={"shop": "demo", "token": session["token"]}, headers=CSRF
        )
        assert sent.json()["contact"]["email"] == "ana.souza@example.com.br"

        agent_tries = await http.post(
            "/api/v1/widget/orders/lookup",
            json={"number": "D1001", "email": "ana.souza@example.com.br"},
            headers=CSRF,
        )
        assert agent_tries.status_code == 403

        # Guessing is slowed down: the burst runs out.
        codes = [(await lookup(f"D{n}", "x@example.com")).status_code for n in range(40)]
        assert 429 in codes


async def test_macros_fill_in_the_buyers_order_and_leave_the_rest_visible(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10, headers=CSRF) as http:
        await agent_cookie(http, "chenjing@demo.shop")  # works in English
        api = f"{live.base_url}/api/v1"
        conversations = (await http.get(f"{api}/conversations", params={"status": "open"})).json()["items"]
        by_name = {c["contact"]["name"]: c["id"] for c in conversations}
        macros = {m["name"]: m["id"] for m in (await http.get(f"{api}/macros")).json()["items"]}
        parcel = macros["Where is my parcel (en)"]
        ana = (await http.post(f"{api}/conversations/{by_name['Ana Souza']}/macros/{parcel}")).json()
        assert ana["missing"] == [] and "D1001 is held for customs inspection" in ana["text"]
        assert "https://rastreamento.correios.com.br/" in ana["text"]
        john = (await http.post(f"{api}/conversations/{by_name['John Miller']}/macros/{parcel}")).json()
        assert "[order number]" in john["text"] and "order.number" in john["missing"]

        bad = await http.post(f"{api}/macros", json={"name": "x", "body": "Hi {{order.secret}}"})
        assert bad.status_code == 422 and "order.secret" in bad.json()["detail"]
        made = await http.post(f"{api}/macros", json={"name": "Thanks", "body": "Thanks! {{order.number}}"})
        assert made.status_code == 201
        assert (await http.delete(f"{api}/macros/{made.json()['id']}")).status_code == 204


async def test_orders_a_buyer_names_show_beside_the_chat_with_their_history(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10, headers=CSRF) as http:
        session = await buyer_session(http, name="No Email")
        buyer = LiveClient(live.ws_url, token=session["token"])
        await buyer.connect()
        sent = await buyer.send("Hi, my order #D1002 arrived broken, and what about 99999?")
        await buyer.close()
        await agent_cookie(http)
        api = f"{live.base_url}/api/v1"
        named = (await http.get(f"{api}/conversations/{sent['conversation_id']}/orders")).json()
        assert [(o["number"], o["matched_by"]) for o in named["items"]] == [("D1002", "number")]
        assert named["summary"] == {"orders": 0, "lifetime": [], "coupons": []}  # no email: no history

        conversations = (await http.get(f"{api}/conversations", params={"status": "open"})).json()["items"]
        ana = next(c["id"] for c in conversations if c["contact"]["name"] == "Ana Souza")
        summary = (await http.get(f"{api}/conversations/{ana}/orders")).json()["summary"]
        assert summary == {"orders": 1, "lifetime": [{"currency": "BRL", "amount": 26490}], "coupons": []}


async def test_agents_find_products_with_size_colour_price_and_stock(live: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=10, headers=CSRF) as http:
        await agent_cookie(http)
        api = f"{live.base_url}/api/v1"
        [jacket] = (await http.get(f"{api}/products", params={"q": "jacket"})).json()["items"]
        sizes = {v["size"]: v["stock"] for v in jacket["variants"]}
        assert sizes == {"M": 12, "L": 9, "XL": 3, "XXL": 1} and "3XL" not in sizes
        [by_sku] = (await http.get(f"{api}/products", params={"q": "drs-navy-m"})).json()["items"]
        navy_m = next(v for v in by_sku["variants"] if v["sku"] == "DRS-NAVY-M")
        assert (navy_m["stock"], navy_m["price"], navy_m["currency"]) == (0, 23990, "BRL")
        assert (await http.get(f"{api}/products", params={"q": "unicorn"})).json()["items"] == []
        assert (await http.get(f"{api}/products")).status_code == 422
