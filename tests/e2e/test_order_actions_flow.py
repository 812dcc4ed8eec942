"""A damaged item, end to end in the browser: the buyer proves the order is theirs and reports the damage;
the agent sees the order and its tracking, reships within policy, and asks for a refund above their limit;
a lead approves it in a second browser; the buyer's widget shows both outcomes."""

from __future__ import annotations

import re

from playwright.sync_api import expect

AGENT = "chenjing@demo.shop"  # works in English
LEAD = "admin@demo.shop"


def test_reship_within_policy_and_a_refund_a_lead_approves(stage, desk_api, tag):
    # This shop lets agents refund at most 500.00 RUB alone.
    policy = desk_api.client.get("/policy").json()
    policy["agent"]["refund_max"]["RUB"] = 50000
    desk_api.client.put("/policy", json=policy).raise_for_status()

    buyer = stage.buyer()
    buyer.open_widget()
    widget = buyer.widget
    widget.get_by_test_id("track-order").locator("summary").click()
    widget.get_by_test_id("track-number").fill("D1002")
    widget.get_by_test_id("track-email").fill("d.ivanov@example.ru")
    widget.get_by_test_id("track-submit").click()
    expect(widget.get_by_test_id("track-result")).to_have_attribute("data-state", "found")
    buyer.send_and_wait_ack(f"The mug from order D1002 arrived broken {tag}")
    conversation_id = buyer.conversation_id()

    agent = stage.agent(AGENT, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    agent.open_conversation(conversation_id)
    order = agent.page.locator('[data-testid="order"][data-number="D1002"]')
    expect(order.get_by_test_id("shipment-status")).to_have_text("Delivered")

    # A reship is within any agent's limits: done at once, and the buyer is told.
    order.get_by_test_id("action-reship").click()
    order.get_by_test_id("action-reason").fill("mug arrived broken; photo in chat")
    order.get_by_test_id("action-submit").click()
    expect(order.get_by_test_id("action-result")).to_have_attribute("data-status", "done")
    expect(buyer.message("free replacement for order D1002")).to_have_count(1)
    agent.shot("reshipped")

    # A refund above the limit waits for the lead.
    order = agent.page.locator('[data-testid="order"][data-number="D1002"]')
    order.get_by_test_id("action-refund").click()
    order.get_by_test_id("action-amount").fill("1000")
    order.get_by_test_id("action-reason").fill("buyer also wants money back for the second mug")
    order.get_by_test_id("action-submit").click()
    result = order.get_by_test_id("action-result")
    expect(result).to_have_attribute("data-status", "pending_approval")
    expect(result).to_contain_text("500.00 RUB")
    expect(buyer.message("asked my team lead to approve")).to_have_count(1)

    lead = stage.agent(LEAD, "lead")
    approval = lead.page.locator('[data-testid="approval"][data-kind="refund"]')
    expect(approval).to_contain_text(re.compile(r"Refund .*1,?000\.00.* on order D1002"))
    lead.shot("approval-queue")
    approval.get_by_test_id("approve").click()
    expect(approval).to_have_count(0)

    # The lead's approval reaches the buyer; the agent's view of the order updates.
    expect(buyer.message("refund of 1000.00 RUB for order D1002")).to_have_count(1)
    order = agent.page.locator('[data-testid="order"][data-number="D1002"]')
    expect(order).to_have_attribute("data-status", "partially_refunded")
    buyer.shot("told")
    agent.shot("refunded")
