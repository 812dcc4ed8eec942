"""The buyer's orders beside the conversation: what they bought and where the parcel is, each tracking
event in the buyer's time and the agent's."""

from __future__ import annotations

import re

from playwright.sync_api import expect

AGENT = "liwei@demo.shop"


def test_agent_sees_the_order_and_the_parcel_held_in_customs(stage, desk_api):
    open_conversations = desk_api.client.get("/conversations", params={"status": "open"}).json()["items"]
    ana = next(c["id"] for c in open_conversations if c["contact"]["name"] == "Ana Souza")
    agent = stage.agent(AGENT, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    agent.open_conversation(ana)

    order = agent.page.locator('[data-testid="order"][data-number="D1001"]')
    expect(order).to_be_visible()
    expect(agent.page.get_by_test_id("orders-summary")).to_contain_text(
        re.compile(r"1 order · lifetime .*264[.,]90")
    )
    expect(order).to_contain_text("Linen midi dress (M / Navy)")
    expect(order.get_by_test_id("shipment-status")).to_have_text("In customs")
    events = order.get_by_test_id("tracking-events").locator("li")
    expect(events).to_have_count(4)
    expect(events.first).to_contain_text("Held for customs inspection")
    expect(events.first).to_contain_text("Curitiba, BR")
    # Both clocks: São Paulo's for the buyer, the agent's browser (Shanghai) for them.
    expect(events.first.get_by_test_id("event-time")).to_have_text(re.compile(r".+ buyer · .+ you"))
    buyer_time, agent_time = events.first.get_by_test_id("event-time").inner_text().split(" · ")
    assert buyer_time.replace(" buyer", "") != agent_time.replace(" you", "")  # 11 hours apart
    tracking = order.locator("a", has_text="LB123456789CN")
    expect(tracking).to_have_attribute("href", re.compile(r"^https://rastreamento\.correios\.com\.br/"))
    agent.shot("orders")

    # A buyer who asked before buying has no orders, and the pane says so.
    john = next(c["id"] for c in open_conversations if c["contact"]["name"] == "John Miller")
    agent.open_conversation(john)
    expect(agent.page.get_by_test_id("orders-empty")).to_be_visible()
    expect(agent.page.get_by_test_id("order")).to_have_count(0)


def test_a_macro_fills_in_the_order_for_this_buyer(stage, desk_api):
    open_conversations = desk_api.client.get("/conversations", params={"status": "open"}).json()["items"]
    ana = next(c["id"] for c in open_conversations if c["contact"]["name"] == "Ana Souza")
    agent = stage.agent("chenjing@demo.shop", "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    agent.open_conversation(ana)
    agent.page.get_by_test_id("macro-picker").select_option(label="Where is my parcel (en)")
    composer = agent.page.get_by_test_id("composer")
    expect(composer).to_have_value(re.compile(r"^Your order D1001 is held for customs inspection: "))
    expect(composer).to_have_value(re.compile(r"https://rastreamento\.correios\.com\.br/"))
