"""A call forced through TURN: the desk mints credentials for a local coturn (started here, on loopback)
and tells both browsers `iceTransportPolicy: "relay"`, so media can only flow through the relay, exactly as
for a buyer behind a strict NAT. The call's record says it went through TURN."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, expect
from tests.e2e.servers import ARTIFACTS

from crossdesk.testing import ServerProcess
from crossdesk.testing.browser import ALLOW_CAMERA, CALL_ARGS, CHROMIUM
from crossdesk.testing.turn import TurnServer, coturn_available

AGENT = "liwei@demo.shop"
CALL_MS = 20_000


@pytest.fixture(scope="module")
def turn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TurnServer]:
    if not coturn_available():
        pytest.fail("coturn is missing: `make browser` installs it with chromium")
    with TurnServer(tmp_path_factory.mktemp("coturn"), secrets.token_urlsafe(24), verbose=True) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, turn: TurnServer) -> Iterator[ServerProcess]:
    log = ARTIFACTS / "server-relay.log"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    proc = ServerProcess(
        tmp_path_factory.mktemp("crossdesk-e2e-relay"),
        env={
            "CROSSDESK_VISITOR_BURST": "200",
            "CROSSDESK_RTC_TURN_URLS": turn.url,
            "CROSSDESK_RTC_TURN_SECRET": turn.secret,
            "CROSSDESK_RTC_ICE_TRANSPORT_POLICY": "relay",
        },
        log_path=log,
    )
    with proc:
        yield proc


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CALL_ARGS, ALLOW_CAMERA]
    )
    yield browser
    browser.close()


def test_a_call_forced_through_turn_connects_and_says_so(stage, tag, desk_api, turn: TurnServer):
    agent = stage.agent(AGENT, "agent")
    buyer = stage.buyer(name=f"Ana {tag}")
    buyer.open_widget()
    buyer.send_and_wait_ack(f"Posso mostrar o defeito pela câmera? {tag}")
    conversation_id = buyer.conversation_id()
    agent.page.get_by_test_id("inbox-tab-all").click()
    agent.open_conversation(conversation_id)

    agent.page.get_by_test_id("call-video").click()
    buyer.widget.get_by_test_id("call-accept").click()
    panel = agent.page.get_by_test_id("call-panel")
    expect(panel).to_have_attribute("data-first-frame-at", re.compile(r"^\d+(\.\d+)?$"), timeout=CALL_MS)
    quality = agent.page.get_by_test_id("call-quality")
    expect(quality).to_contain_text("via TURN relay", timeout=CALL_MS)
    expect(quality).to_contain_text(re.compile(r"\d+×\d+ · \d+ fps"))
    video = agent.page.get_by_test_id("call-remote-video")
    before = video.evaluate("(v) => v.getVideoPlaybackQuality().totalVideoFrames")
    agent.page.wait_for_timeout(1000)
    assert video.evaluate("(v) => v.getVideoPlaybackQuality().totalVideoFrames") > before + 5
    agent.shot("relayed")
    agent.page.get_by_test_id("call-hangup").click()
    expect(agent.page.get_by_test_id("call-record")).to_contain_text("via TURN")

    stored = desk_api.client.get(f"/conversations/{conversation_id}/messages", params={"after_seq": 0}).json()
    [call] = [m["meta"]["call"] for m in stored["items"] if m["kind"] == "call"]
    assert call["quality"]["relay"] is True
    # coturn really carried it: it logged allocations for the desk's short-lived usernames.
    log = Path(turn.log_path).read_text(encoding="utf-8", errors="replace")
    assert re.search(r"\d+:(agent|contact)-\d+", log), "coturn saw no crossdesk credentials"
