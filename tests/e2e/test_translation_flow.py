"""A Chinese-speaking agent and a Portuguese-speaking buyer, through the real pages and the real embedded
translation model: the console shows the buyer's words in Chinese beside the original, the agent answers
in Chinese with the Portuguese preview under the composer, and the buyer's widget shows Portuguese with
the original one tap away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.e2e.servers import own_server

from crossdesk.language.detect import EmbeddedDetector

AGENT = "liwei@demo.shop"  # the demo agent who works in Chinese
HAN = re.compile(r"[\u4e00-\u9fff]")
# The model shares two cores with the browser and the server: a translation takes a few seconds here.
TRANSLATED_MS = 90_000

pytestmark = pytest.mark.model


# This module's own desk, translating with the embedded engines; the first start reassembles the model.
server = own_server("translating", start_timeout_s=120, CROSSDESK_TRANSLATORS="embedded")


def test_portuguese_buyer_and_chinese_agent_each_read_their_language(stage, tag):
    detector = EmbeddedDetector()
    agent = stage.agent(AGENT, "agent")
    agent.page.get_by_test_id("inbox-tab-unassigned").click()

    buyer = stage.buyer()
    buyer.open_widget()
    question = (
        f"Olá! Comprei um moletom azul-marinho há duas semanas e ainda não chegou. "
        f"Vocês podem verificar o pedido {tag}?"
    )
    buyer.send_and_wait_ack(question)
    conversation_id = buyer.conversation_id()

    # The console shows the original at once and the Chinese translation under it when the model is done.
    agent.open_conversation(conversation_id)
    original = agent.message(question)
    expect(original).to_have_count(1)
    translation = original.get_by_test_id("translation")
    expect(translation).to_have_attribute("data-status", "done", timeout=TRANSLATED_MS)
    expect(translation).to_contain_text(HAN)
    expect(translation).to_contain_text(tag[1:])  # the order number survives translation
    expect(agent.page.get_by_test_id("buyer-language")).to_have_attribute("data-language", "pt")
    agent.shot("buyer-message-translated")

    # The agent writes Chinese and sees, before sending, what the buyer will read.
    reply = "您好！非常抱歉让您久等了。您的包裹已经到达巴西海关，预计五天内送达。"
    agent.page.get_by_test_id("composer").fill(reply)
    preview = agent.page.get_by_test_id("translation-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("data-state", "ready", timeout=TRANSLATED_MS)
    previewed = agent.page.locator("#translation-preview-text").inner_text().strip()
    assert previewed and not HAN.search(previewed)
    assert detector.detect(previewed).language == "pt", previewed
    agent.shot("reply-preview")
    agent.page.get_by_test_id("send").click()
    expect(agent.page.get_by_test_id("composer")).to_have_value("")
    sent = agent.message(reply)
    expect(sent).to_have_attribute("data-seq", re.compile(r"^\d+$"))
    expect(sent.get_by_test_id("translation")).to_contain_text(previewed)

    # The buyer reads exactly the previewed Portuguese, marked as translated, the original one tap away.
    received = buyer.messages.filter(has=buyer.widget.get_by_test_id("show-original"))
    expect(received).to_have_count(1)
    text = received.get_by_test_id("message-text")
    expect(text).to_have_text(previewed)
    expect(text).to_have_attribute("lang", "pt")
    buyer.shot("reply-in-portuguese")
    received.get_by_test_id("show-original").click()
    expect(text).to_have_text(reply)
    buyer.shot("reply-original")
    received.get_by_test_id("show-original").click()
    expect(text).to_have_text(previewed)
