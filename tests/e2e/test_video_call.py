"""From text to video in the real pages: the agent calls from the console, the buyer accepts in the widget,
both see each other's (fake) camera moving, the agent snapshots the buyer's video onto the conversation, and
the call's record lands in both timelines. Chromium's fake camera and microphone stand in for real devices
(`--use-fake-device-for-media-stream`); everything else (signaling, ICE, DTLS-SRTP) is real, on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, FrameLocator, Locator, Page, Playwright, expect

from crossdesk.testing.browser import ALLOW_CAMERA, CALL_ARGS, CHROMIUM

AGENT = "liwei@demo.shop"
CALL_MS = 15_000  # connecting, first frames


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Cameras that exist and a permission prompt answered yes, as a buyer who taps Allow."""
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CALL_ARGS, ALLOW_CAMERA]
    )
    yield browser
    browser.close()


def frames_advance(video: Locator) -> None:
    """The <video> shows a moving picture: its decoded frame count grows."""
    expect(video).to_have_js_property("readyState", 4, timeout=CALL_MS)
    first = video.evaluate("(v) => v.getVideoPlaybackQuality().totalVideoFrames")
    page_wait(video, 600)
    later = video.evaluate("(v) => v.getVideoPlaybackQuality().totalVideoFrames")
    assert later > first + 5, f"frames did not advance: {first} -> {later}"
    assert video.evaluate("(v) => v.videoWidth") > 0


def page_wait(locator: Locator, ms: int) -> None:
    locator.page.wait_for_timeout(ms)


def start_chat(stage, tag: str):  # type: ignore[no-untyped-def]
    agent = stage.agent(AGENT, "agent")
    buyer = stage.buyer(name=f"Ana {tag}")
    buyer.open_widget()
    buyer.send_and_wait_ack(f"A costura da bolsa está solta {tag}, posso mostrar?")
    conversation_id = buyer.conversation_id()
    agent.page.get_by_test_id("inbox-tab-all").click()
    agent.open_conversation(conversation_id)
    return agent, buyer, conversation_id


def test_agent_calls_buyer_sees_video_snapshots_and_hangs_up(stage, tag, desk_api):
    agent, buyer, conversation_id = start_chat(stage, tag)
    panel = agent.page.get_by_test_id("call-panel")
    widget: FrameLocator = buyer.widget

    agent.page.get_by_test_id("call-video").click()
    # The invitation reads in the buyer's language, with the playbook's pitch.
    invite = widget.get_by_test_id("call-invite")
    expect(invite).to_be_visible()
    expect(invite).to_contain_text("Chamada de vídeo de")
    expect(invite).to_contain_text("aponte-a para o produto")
    buyer.shot("invited")
    widget.get_by_test_id("call-accept").click()

    expect(panel).to_have_attribute("data-state", "active", timeout=CALL_MS)
    remote_on_agent = agent.page.get_by_test_id("call-remote-video")
    frames_advance(remote_on_agent)  # the agent sees the buyer's camera
    frames_advance(widget.get_by_test_id("call-remote-video"))  # and the buyer sees the agent's
    expect(widget.get_by_test_id("call-live-status")).to_contain_text("Em chamada com")
    expect(agent.page.get_by_test_id("call-quality")).to_contain_text(
        re.compile(r"\d+×\d+ · \d+ fps"), timeout=CALL_MS
    )
    expect(agent.page.get_by_test_id("call-quality")).to_contain_text("direct")
    agent.shot("in-call")

    # Snapshot: the buyer's current frame, at the video's own resolution, lands in the conversation.
    width = remote_on_agent.evaluate("(v) => v.videoWidth")
    height = remote_on_agent.evaluate("(v) => v.videoHeight")
    agent.page.get_by_test_id("call-snapshot").click()
    expect(agent.page.get_by_test_id("call-notice")).to_contain_text(
        f"Snapshot attached to the conversation ({width}×{height})"
    )
    snapshot = agent.messages.locator("img")
    expect(snapshot).to_have_count(1)
    expect(buyer.messages.locator("img")).to_have_count(1)

    page_wait(remote_on_agent, 2500)  # a few quality samples
    agent.page.get_by_test_id("call-hangup").click()
    expect(panel).to_have_attribute("data-state", "ended")
    expect(widget.get_by_test_id("call-live")).to_be_hidden()
    record = agent.page.get_by_test_id("call-record")
    expect(record).to_contain_text(re.compile(r"Video call by .+ · 0:\d\d · \d+×\d+"))
    expect(widget.get_by_test_id("call-record")).to_contain_text(
        re.compile(r"Chamada de vídeo de .+ · 0:\d\d")
    )
    agent.shot("ended")

    stored = desk_api.client.get(f"/conversations/{conversation_id}/messages", params={"after_seq": 0}).json()
    [image] = [m for m in stored["items"] if m["kind"] == "image"]
    assert image["meta"]["snapshot"]["call_id"] and (
        image["attachment"]["width"],
        image["attachment"]["height"],
    ) == (
        width,
        height,
    )
    [call] = [m["meta"]["call"] for m in stored["items"] if m["kind"] == "call"]
    assert call["end_reason"] == "completed" and call["ended_by"] == "agent" and call["duration_s"] >= 2
    assert call["quality"]["width"] == width and call["quality"]["relay"] is False
    assert call["quality"]["fps"] > 0 and call["quality"]["rtt_ms"] >= 0


def test_buyer_declines_and_the_agent_is_told(stage, tag):
    agent, buyer, _ = start_chat(stage, tag)
    agent.page.get_by_test_id("call-voice").click()
    invite = buyer.widget.get_by_test_id("call-invite")
    expect(invite).to_contain_text("Chamada de voz de")
    buyer.widget.get_by_test_id("call-decline").click()
    expect(agent.page.get_by_test_id("call-notice")).to_contain_text("The buyer declined the call")
    expect(agent.page.get_by_test_id("call-record")).to_contain_text("Voice call by")
    expect(agent.page.get_by_test_id("call-record")).to_contain_text("declined")


@pytest.fixture
def refusing_browser(playwright: Playwright) -> Iterator[Browser]:
    """No fake permission UI: headless Chromium answers the camera prompt with "block", as a buyer who
    taps Block does."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CALL_ARGS)
    yield browser
    browser.close()


def test_a_refused_camera_is_explained_to_both(stage, tag, refusing_browser, server):
    agent, buyer, _ = start_chat(stage, tag)
    # The same buyer in a browser that refuses the camera.
    context = refusing_browser.new_context(locale="pt-BR")
    try:
        page: Page = context.new_page()
        token = buyer.token()
        context.add_init_script(f"localStorage.setItem('crossdesk.visitor.demo', JSON.stringify({token!r}))")
        buyer.context.close()  # the first window goes away: the call rings in the refusing one
        page.goto(f"{server.base_url}/demo")
        page.locator("#crossdesk-bubble").click()
        widget = page.frame_locator("#crossdesk-frame")
        expect(widget.locator('body[data-phase="ready"]')).to_have_count(1)
        agent.page.get_by_test_id("call-video").click()
        widget.get_by_test_id("call-accept").click()
        expect(widget.get_by_test_id("call-notice")).to_contain_text("Seu navegador bloqueou a câmera")
        expect(agent.page.get_by_test_id("call-notice")).to_contain_text("refused the camera")
    finally:
        context.close()


def test_recording_starts_only_when_the_buyer_allows_it(stage, tag, desk_api):
    agent, buyer, conversation_id = start_chat(stage, tag)
    panel = agent.page.get_by_test_id("call-panel")
    widget: FrameLocator = buyer.widget
    agent.page.get_by_test_id("call-video").click()
    widget.get_by_test_id("call-accept").click()
    expect(panel).to_have_attribute("data-state", "active", timeout=CALL_MS)
    frames_advance(agent.page.get_by_test_id("call-remote-video"))

    agent.page.get_by_test_id("call-record-button").click()
    consent = widget.get_by_test_id("call-consent")
    expect(consent).to_contain_text("pede para gravar esta chamada")
    expect(widget.get_by_test_id("call-recording")).to_be_hidden()
    expect(panel).to_have_attribute("data-recording", "asked")
    buyer.shot("asked-to-record")
    widget.get_by_test_id("call-consent-allow").click()
    expect(panel).to_have_attribute("data-recording", "allowed")
    expect(widget.get_by_test_id("call-recording")).to_have_text("● Gravando")
    agent.page.wait_for_timeout(2500)
    agent.page.get_by_test_id("call-record-button").click()  # Stop recording
    expect(agent.page.get_by_test_id("call-notice")).to_contain_text("Recording attached to the conversation")
    expect(widget.get_by_test_id("call-recording")).to_be_hidden()
    player = agent.page.get_by_test_id("recording-player")
    expect(player).to_have_count(1)
    expect(player).to_have_js_property("readyState", 4, timeout=CALL_MS)  # it plays back
    assert player.evaluate("(v) => v.videoWidth") > 0
    agent.page.get_by_test_id("call-hangup").click()
    # The buyer never receives the file itself: the record says the call was recorded.
    expect(buyer.messages.locator("video")).to_have_count(0)

    stored = desk_api.client.get(f"/conversations/{conversation_id}/messages", params={"after_seq": 0}).json()
    [recording] = [m for m in stored["items"] if m["kind"] == "recording"]
    assert recording["meta"]["recording"]["size"] > 20_000  # seconds of 720p video, not an empty file
    assert recording["meta"]["recording"]["consent"]["allowed_at"]
