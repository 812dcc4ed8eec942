"""Markup from a buyer (messages and display name) and from an agent is shown as text, never run."""

from __future__ import annotations

from playwright.sync_api import expect

AGENT = "liwei@demo.shop"
IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=2</script>"
NAME = f"{IMG}{SCRIPT}"  # the buyer's display name, set through POST /api/v1/widget/session


def test_markup_is_shown_as_text_in_console_and_widget(stage, desk_api):
    buyer = stage.buyer(name=NAME)
    agent = stage.agent(AGENT, "agent")
    agent.page.get_by_test_id("inbox-tab-all").click()

    buyer.open_widget()
    buyer.send_and_wait_ack(IMG)
    buyer.send_and_wait_ack(SCRIPT)
    conversation_id = buyer.conversation_id()
    assert desk_api.conversation(conversation_id)["contact"]["name"] == NAME
    assert desk_api.bodies(conversation_id)[-2:] == [IMG, SCRIPT]

    # Live path: the console learns of the conversation and its messages over the socket.
    item = agent.inbox_item(conversation_id)
    expect(item).to_contain_text(NAME)
    expect(item).to_contain_text(SCRIPT)  # the preview of the last message
    agent.open_conversation(conversation_id)
    expect(agent.page.get_by_test_id("customer-name")).to_have_text(NAME)
    # History loaded before the agent writes. (Author lines show NAME, which contains both payloads.)
    expect(agent.messages.get_by_text(SCRIPT, exact=True)).to_have_count(1)
    agent.send(f"Recebido: {IMG}")
    expect(buyer.message(f"Recebido: {IMG}")).to_have_count(1)

    def check_rendered() -> None:
        for payload in (IMG, SCRIPT):
            shown = agent.messages.get_by_text(payload, exact=True)
            expect(shown).to_have_count(1)
            expect(shown).to_be_visible()
            shown = buyer.messages.get_by_text(payload, exact=True)
            expect(shown).to_have_count(1)
            expect(shown).to_be_visible()
        expect(buyer.messages.get_by_text(f"Recebido: {IMG}", exact=True)).to_be_visible()
        expect(agent.page.get_by_test_id("customer-name")).to_have_text(NAME)
        for actor in (agent, buyer):
            actor.assert_no_pwned()

    check_rendered()
    buyer.shot("live")
    agent.shot("live")

    # History path: after a reload both pages build the same messages from the REST API.
    agent.page.reload()
    expect(agent.page.get_by_test_id("composer")).to_be_editable()
    buyer.page.reload()
    buyer.open_widget()
    check_rendered()
    buyer.shot("end")
    agent.shot("end")
