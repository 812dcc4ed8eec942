"""A buyer and agents talking through the real pages: the widget on /demo and the console at /console."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import FrameLocator, Page, expect

AGENT_A = "liwei@demo.shop"
AGENT_B = "chenjing@demo.shop"
HAS_SEQ = re.compile(r"^\d+$")


def snapshot(root: Page | FrameLocator) -> list[dict[str, Any]]:
    """What a message list shows, in DOM order: seq, author type and text of every `message` element."""
    expect(root.locator('[data-testid="message"]:not([data-seq])')).to_have_count(0)  # nothing still sending
    items: list[dict[str, Any]] = root.locator('[data-testid="message"]').evaluate_all(
        "(els) => els.map((el) => ({seq: Number(el.dataset.seq), author: el.dataset.authorType,"
        " text: el.textContent}))"
    )
    seqs = [item["seq"] for item in items]
    assert seqs == sorted(set(seqs)), f"messages not in strictly increasing seq order: {seqs}"
    return items


def seq_of(items: list[dict[str, Any]], text: str) -> int:
    found = [item["seq"] for item in items if text in item["text"]]
    assert len(found) == 1, f"{text!r} shown {len(found)} times"
    return int(found[0])


def test_buyer_and_agent_chat_live_and_history_survives_reload(stage, tag):
    agent = stage.agent(AGENT_A, "agent")
    agent.page.get_by_test_id("inbox-tab-unassigned").click()
    agent.page.evaluate("window.__sameDocument = true")  # gone if the console reloads itself

    buyer = stage.buyer()
    buyer.open_widget()
    first = f"Olá! Comprei uma caneca azul {tag} há dez dias e ainda não chegou. Podem verificar?"
    expect(buyer.send_and_wait_ack(first)).to_have_attribute("data-author-type", "contact")
    conversation_id = buyer.conversation_id()

    # The new conversation shows up in the agent's inbox live, with the message as its preview.
    item = agent.inbox_item(conversation_id)
    expect(item).to_be_visible()
    expect(item).to_contain_text(tag)
    agent.open_conversation(conversation_id)
    expect(agent.message(first)).to_have_count(1)
    expect(agent.message(first)).to_have_attribute("data-author-type", "contact")
    expect(agent.page.get_by_test_id("customer-name")).not_to_be_empty()
    expect(agent.page.get_by_test_id("customer-local-time")).to_have_text(re.compile(r"\d{1,2}:\d{2}"))

    # A second buyer message arrives in the open thread and updates the inbox row, without a reload.
    second = f"O número do pedido é BR-{tag[1:]}. Obrigada!"
    buyer.send_and_wait_ack(second)
    expect(agent.message(second)).to_have_count(1)
    expect(item).to_contain_text(second)

    reply = f"Olá! Seu pedido {tag} saiu do armazém ontem; o código de rastreio chega por e-mail hoje."
    expect(agent.send(reply)).to_have_count(1)
    expect(agent.message(reply)).to_have_attribute("data-seq", HAS_SEQ)
    expect(agent.message(reply)).to_have_attribute("data-author-type", "agent")

    # The reply reaches the buyer live.
    expect(buyer.message(reply)).to_have_count(1)
    expect(buyer.message(reply)).to_have_attribute("data-author-type", "agent")
    assert agent.page.evaluate("window.__sameDocument") is True, (
        "the console reloaded instead of updating live"
    )

    before_agent = snapshot(agent.page)
    before_buyer = snapshot(buyer.widget)
    for items in (before_agent, before_buyer):
        assert seq_of(items, first) < seq_of(items, second) < seq_of(items, reply)
    # Both sides agree on what each message's seq is.
    for text in (first, second, reply):
        assert seq_of(before_agent, text) == seq_of(before_buyer, text)
    buyer.shot("live")
    agent.shot("live")

    # Reload both pages: the same messages, in the same order, come back from the server.
    buyer.page.reload()
    buyer.open_widget()
    expect(buyer.messages).to_have_count(len(before_buyer))
    agent.page.reload()
    expect(agent.page.get_by_test_id("composer")).to_be_editable()  # the console reopens #c=<id>
    expect(agent.messages).to_have_count(len(before_agent))
    after_buyer = snapshot(buyer.widget)
    after_agent = snapshot(agent.page)
    assert [(m["seq"], m["author"]) for m in after_buyer] == [(m["seq"], m["author"]) for m in before_buyer]
    assert [(m["seq"], m["author"]) for m in after_agent] == [(m["seq"], m["author"]) for m in before_agent]
    for text in (first, second, reply):
        assert seq_of(after_buyer, text) == seq_of(before_buyer, text)
        assert seq_of(after_agent, text) == seq_of(before_agent, text)

    buyer.shot("end")
    agent.shot("end")


def test_two_agents_see_the_same_message_and_status_live(stage, tag):
    agent_a = stage.agent(AGENT_A, "agent-a")
    agent_b = stage.agent(AGENT_B, "agent-b")
    for agent in (agent_a, agent_b):
        agent.page.get_by_test_id("inbox-tab-all").click()

    buyer = stage.buyer()
    buyer.open_widget()
    first = f"Bom dia! Vocês enviam para Portugal? {tag}"
    buyer.send_and_wait_ack(first)
    conversation_id = buyer.conversation_id()

    for agent in (agent_a, agent_b):
        expect(agent.inbox_item(conversation_id)).to_contain_text(tag)
        agent.open_conversation(conversation_id)
        expect(agent.message(first)).to_have_count(1)
        expect(agent.page.get_by_test_id("status-badge")).to_have_text(re.compile("open", re.IGNORECASE))

    # A new buyer message reaches both consoles live, once each.
    second = f"E quanto custa o frete para Lisboa? {tag}"
    buyer.send_and_wait_ack(second)
    for agent in (agent_a, agent_b):
        expect(agent.message(second)).to_have_count(1)

    # Agent A resolves; agent B's page follows without a reload (and the other way round for reopening).
    agent_a.page.get_by_test_id("resolve").click()
    for agent in (agent_a, agent_b):
        expect(agent.page.get_by_test_id("status-badge")).to_have_text(re.compile("resolved", re.IGNORECASE))
        expect(agent.page.get_by_test_id("reopen")).to_be_visible()
        expect(agent.page.get_by_test_id("resolve")).to_be_hidden()
    # The inbox shows open conversations: the resolved one leaves agent B's list too.
    expect(agent_b.inbox_item(conversation_id)).to_have_count(0)
    agent_a.shot("resolved")
    agent_b.shot("resolved")

    agent_b.page.get_by_test_id("reopen").click()
    for agent in (agent_a, agent_b):
        expect(agent.page.get_by_test_id("status-badge")).to_have_text(re.compile("open", re.IGNORECASE))
        expect(agent.page.get_by_test_id("resolve")).to_be_visible()
    expect(agent_a.inbox_item(conversation_id)).to_be_visible()

    agent_a.shot("end")
    agent_b.shot("end")
    buyer.shot("end")


def test_typing_indicators_show_while_the_other_side_types(stage, tag):
    agent = stage.agent(AGENT_A, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    buyer = stage.buyer()
    buyer.open_widget()
    buyer.send_and_wait_ack(f"Oi, uma pergunta sobre tamanhos {tag}")
    conversation_id = buyer.conversation_id()
    agent.open_conversation(conversation_id)

    indicator = agent.page.get_by_test_id("typing-indicator")
    expect(indicator).to_be_hidden()
    buyer.composer.press_sequentially("O vestido M serve para 1,65 m", delay=20)
    expect(indicator).to_be_visible()
    agent.shot("buyer-typing")
    buyer.widget.get_by_test_id("widget-send").click()
    expect(agent.message("O vestido M serve para 1,65 m")).to_have_count(1)
    expect(indicator).to_be_hidden()  # a sent message ends the typing

    # And the other way round: the widget shows when the agent is typing.
    widget_typing = buyer.widget.get_by_test_id("widget-typing")
    expect(widget_typing).to_be_hidden()
    agent.page.get_by_test_id("composer").press_sequentially("Sim, serve bem", delay=20)
    expect(widget_typing).to_be_visible()
    buyer.shot("agent-typing")
    agent.page.get_by_test_id("send").click()
    expect(buyer.message("Sim, serve bem")).to_have_count(1)
    expect(widget_typing).to_be_hidden()


def test_history_shows_when_the_agent_replies_while_the_conversation_is_opening(stage, tag):
    agent = stage.agent(AGENT_A, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    buyer = stage.buyer()
    buyer.open_widget()
    first = f"Vocês aceitam Pix? {tag}"
    buyer.send_and_wait_ack(first)
    conversation_id = buyer.conversation_id()
    expect(agent.inbox_item(conversation_id)).to_be_visible()

    # Hold the console's fetch of the conversation so the agent's reply lands first, as on a slow network.
    held = []
    snapshot_url = re.compile(rf"/api/v1/conversations/{conversation_id}$")
    agent.page.route(snapshot_url, lambda route: held.append(route))
    agent.open_conversation(conversation_id)  # the composer is usable at once
    reply = f"Sim, aceitamos Pix. {tag}"
    expect(agent.send(reply)).to_have_attribute("data-seq", HAS_SEQ)
    if not held:
        raise RuntimeError("the console did not ask for the conversation; the test no longer holds anything")
    held[0].continue_()
    agent.page.unroute(snapshot_url)

    expect(agent.page.get_by_test_id("status-badge")).to_have_text(re.compile("open", re.IGNORECASE))
    expect(agent.message(first)).to_have_count(1)
    snapshot(agent.page)
