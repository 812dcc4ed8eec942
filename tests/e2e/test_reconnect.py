"""The widget across a network drop: unacknowledged sends wait in the outbox and are re-sent with the same
client_id once it reconnects; the desk stores and shows each message exactly once.

Chromium's offline emulation (`context.set_offline`) fails new connections but keeps an established WebSocket
open (microsoft/playwright#4910, checked with this chromium), so the tests also cut the widget's live socket
through a SocketTap (Playwright's WebSocket routing) at the moment the network goes away."""

from __future__ import annotations

import re

from playwright.sync_api import expect

AGENT = "liwei@demo.shop"
HAS_SEQ = re.compile(r"^\d+$")
RECONNECT_MS = 10_000  # the widget's backoff; going online also triggers an immediate reconnect


def start_chat(stage, tag):
    """A buyer (socket routed through a tap) with a conversation, open in an agent's console."""
    agent = stage.agent(AGENT, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()
    buyer = stage.buyer(tap=True)
    buyer.open_widget()
    first = f"Oi! Meu pedido {tag} chegou com defeito."
    buyer.send_and_wait_ack(first)
    conversation_id = buyer.conversation_id()
    agent.open_conversation(conversation_id)
    expect(agent.message(first)).to_have_count(1)
    return buyer, agent, conversation_id


def sends_with_body(buyer, body):
    return [frame for frame in buyer.tap.sent if frame.get("type") == "send" and frame.get("body") == body]


def assert_delivered_once(buyer, agent, desk_api, conversation_id, text):
    """Once in the widget (acknowledged), in the console live and after a reload, and in the database."""
    expect(buyer.message(text)).to_have_count(1)
    expect(buyer.message(text)).to_have_attribute("data-seq", HAS_SEQ, timeout=RECONNECT_MS)
    expect(agent.message(text)).to_have_count(1)
    assert desk_api.bodies(conversation_id).count(text) == 1
    agent.page.reload()
    expect(agent.page.get_by_test_id("composer")).to_be_editable()
    expect(agent.message(text)).to_have_count(1)
    assert agent.message(text).get_attribute("data-seq") == buyer.message(text).get_attribute("data-seq")


def test_message_written_while_offline_is_delivered_once_after_reconnect(stage, desk_api, tag):
    buyer, agent, conversation_id = start_chat(stage, tag)
    text = f"Escrevi isto sem internet {tag}: a tampa da caneca veio quebrada."
    half = len(text) // 2

    buyer.composer.press_sequentially(text[:half])
    buyer.context.set_offline(True)  # the network drops while the buyer is typing
    assert buyer.tap.cut() == 1
    buyer.composer.press_sequentially(text[half:])
    buyer.widget.get_by_test_id("widget-send").click()

    # Queued, not sent: shown as sending in the widget, nothing on the wire, nothing at the desk.
    expect(buyer.message(text)).to_have_count(1)
    expect(buyer.message(text)).not_to_have_attribute("data-seq", HAS_SEQ)
    assert sends_with_body(buyer, text) == []
    expect(agent.message(text)).to_have_count(0)
    buyer.shot("offline")

    welcomes = buyer.tap.welcomes()
    buyer.context.set_offline(False)
    assert_delivered_once(buyer, agent, desk_api, conversation_id, text)
    assert buyer.tap.welcomes() > welcomes, "the widget never reconnected"
    assert len(sends_with_body(buyer, text)) == 1
    buyer.shot("end")
    agent.shot("end")


def test_send_whose_ack_was_lost_is_resent_with_the_same_client_id_and_stored_once(stage, desk_api, tag):
    buyer, agent, conversation_id = start_chat(stage, tag)
    text = f"Posso trocar por outra cor? {tag}"

    # The send reaches the desk, but the connection dies before any answer reaches the widget.
    buyer.tap.cut_before_reply = True
    buyer.tap.refuse = True  # and stays down: reconnect attempts fail until the network is back
    buyer.send(text)
    expect(agent.message(text)).to_have_count(1)  # stored and shown to the agent...
    buyer.tap.wait_until(buyer.page, lambda: buyer.tap.withheld, "the desk's answer to withhold")
    buyer.context.set_offline(True)
    expect(buyer.message(text)).not_to_have_attribute("data-seq", HAS_SEQ)  # ...but unacknowledged here
    (first_send,) = sends_with_body(buyer, text)
    buyer.shot("offline")

    buyer.tap.refuse = False
    buyer.context.set_offline(False)
    assert_delivered_once(buyer, agent, desk_api, conversation_id, text)
    resends = sends_with_body(buyer, text)
    assert len(resends) == 2, f"expected the original send and one resend, saw {resends}"
    assert resends[1]["client_id"] == first_send["client_id"]
    buyer.shot("end")
    agent.shot("end")
