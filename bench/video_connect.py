"""How fast a crossdesk call shows the buyer's camera to the agent once the buyer taps Accept, against a bare
two-page WebRTC pair in the same browser and the same run (bench/webrtc_bare.py) as the limit.

Everything runs on loopback: `crossdesk serve --demo` (crossdesk.testing.ServerProcess), Debian's chromium
with a fake camera and microphone, the real console and widget pages. Per call:
  accept       the buyer's click on Accept (the widget stamps it);
  connected    the agent's RTCPeerConnection reaches "connected" (ICE and DTLS); crossdesk prepares the
               connection while the invitation is on screen, so it is usually connected before Accept: the
               figure is then 0 and `preconnected` counts those calls;
  first frame  the agent's <video> presents the buyer's first frame (requestVideoFrameCallback).
The buyer taps Accept `--read-ms` after the invitation appears (a person reads it first); each path is also
measured with a buyer who taps at once, before the connection could be prepared.

Two paths:
  loopback     host candidates on 127.0.0.1, no TURN;
  rtt          every call relayed by a local coturn (iceTransportPolicy "relay") behind a UDP delaying proxy,
               and the desk behind a TCP delaying proxy, each adding R/4 per pass: a peer-to-peer round
               trip of R ms for media and for signaling (crossdesk.testing.netdelay; no netem in this
               kernel).
The bare pair starts connecting only at its t0 (its "accept"): getUserMedia, offer, answer, ICE, first frame.

    python bench/video_connect.py --calls 20 [--rtt-ms 100] [--read-ms 1500]

The last line sums it up: calls=.. connect_p50_ms=.. first_frame_p50_ms=.. bare_first_frame_p50_ms=..
ratio=.. rtt_ms=.. rtt_first_frame_p50_ms=.. rtt_bare_first_frame_p50_ms=..
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Frame, Page, sync_playwright

from crossdesk.testing import ServerProcess
from crossdesk.testing.netdelay import TcpDelayProxy, UdpDelayProxy
from crossdesk.testing.turn import TurnServer
from webrtc_bare import launch_chromium, measure_bare_pair

AGENT, PASSWORD = "liwei@demo.shop", "demo-password"
WAIT_MS = 30_000


def summary(values: list[float]) -> str:
    return f"{min(values):6.0f} / {statistics.median(values):6.0f} / {max(values):6.0f}"


def p50(values: list[float]) -> float:
    return float(statistics.median(values))


class Desk:
    """The agent's console and the buyer's widget on one conversation, in two contexts of `browser`."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.base_url = base_url
        contexts = [browser.new_context(permissions=["camera", "microphone"]) for _ in range(2)]
        self.contexts = contexts
        self.agent: Page = contexts[0].new_page()
        self.buyer: Page = contexts[1].new_page()
        self.buyer.goto(f"{base_url}/demo")
        self.buyer.locator("#crossdesk-bubble").click()
        self.widget: Frame = self._widget_frame()
        self.widget.wait_for_selector('body[data-phase="ready"]', timeout=WAIT_MS)
        self.widget.get_by_test_id("widget-composer").fill("Posso mostrar o defeito pela câmera?")
        self.widget.get_by_test_id("widget-send").click()
        self.widget.wait_for_selector('[data-testid="message"][data-seq]', timeout=WAIT_MS)
        token = self.widget.evaluate("JSON.parse(localStorage.getItem('crossdesk.visitor.demo'))")
        session = httpx.post(
            f"{base_url}/api/v1/widget/session", json={"shop": "demo", "token": token}, timeout=30
        )
        conversation_id = session.json()["conversations"][0]["id"]
        self.agent.goto(f"{base_url}/console")
        self.agent.get_by_test_id("login-email").fill(AGENT)
        self.agent.get_by_test_id("login-password").fill(PASSWORD)
        self.agent.get_by_test_id("login-submit").click()
        self.agent.get_by_test_id("inbox-tab-all").click()
        self.agent.locator(f'[data-testid="inbox-item"][data-conversation-id="{conversation_id}"]').click()
        self.agent.get_by_test_id("composer").wait_for(state="visible", timeout=WAIT_MS)

    def _widget_frame(self) -> Frame:
        deadline = time.monotonic() + WAIT_MS / 1000
        while time.monotonic() < deadline:
            for frame in self.buyer.frames:
                if "/widget/frame" in frame.url:
                    return frame
            self.buyer.wait_for_timeout(50)
        raise RuntimeError("the widget frame did not load")

    def call(self, read_ms: int) -> dict[str, float]:
        panel = "document.querySelector('[data-testid=\"call-panel\"]').dataset"
        self.agent.get_by_test_id("call-video").click()
        self.widget.get_by_test_id("call-invite").wait_for(state="visible", timeout=WAIT_MS)
        if read_ms:
            self.buyer.wait_for_timeout(read_ms)
        self.widget.get_by_test_id("call-accept").click()
        panel_with = '[data-testid="call-panel"]'
        self.agent.locator(f'{panel_with}[data-first-frame-at]:not([data-first-frame-at=""])').wait_for(
            state="attached", timeout=WAIT_MS
        )
        accepted = float(self.widget.evaluate("Number(document.body.dataset.callAcceptedAt)"))
        first_frame = float(self.agent.evaluate(f"Number({panel}.firstFrameAt)"))
        connected = float(self.agent.evaluate(f"Number({panel}.connectedAt || 0)")) or first_frame
        self.agent.locator(f'{panel_with}[data-relay]:not([data-relay=""])').wait_for(
            state="attached", timeout=WAIT_MS
        )
        relay = self.agent.evaluate(f"{panel}.relay")
        self.agent.get_by_test_id("call-hangup").click()
        self.agent.locator(f'{panel_with}[data-state="ended"]').wait_for(state="attached", timeout=WAIT_MS)
        self.widget.locator('body[data-call="ended"]').wait_for(state="attached", timeout=WAIT_MS)
        self.agent.wait_for_timeout(300)  # the ended call's sockets and TURN allocations go
        return {
            "connect_ms": max(0.0, connected - accepted),
            "preconnected": float(connected <= accepted),
            "first_frame_ms": first_frame - accepted,
            "relay": float(relay == "true"),
        }

    def close(self) -> None:
        for context in self.contexts:
            context.close()


def run_crossdesk(
    browser: Browser, base_url: str, calls: int, read_ms: int, warmup: int
) -> list[dict[str, float]]:
    desk = Desk(browser, base_url)
    try:
        for _ in range(warmup):
            desk.call(read_ms)
        return [desk.call(read_ms) for _ in range(calls)]
    finally:
        desk.close()


def report(
    label: str, crossdesk: list[dict[str, float]], instant: list[dict[str, float]], bare: list[dict[str, Any]]
) -> None:
    print(f"\n{label}: ms after accept, min / median / max over {len(crossdesk)} calls")
    print(
        f"  crossdesk  connected    {summary([c['connect_ms'] for c in crossdesk])}"
        f"   ({sum(int(c['preconnected']) for c in crossdesk)} connected before accept)"
    )
    print(
        f"  crossdesk  first frame  {summary([c['first_frame_ms'] for c in crossdesk])}"
        f"   (through TURN: {sum(int(c['relay']) for c in crossdesk)})"
    )
    print(f"  crossdesk  first frame  {summary([c['first_frame_ms'] for c in instant])}   (accepted at once)")
    print(f"  bare pair  connected    {summary([b['ice_connected_ms'] for b in bare])}")
    print(f"  bare pair  first frame  {summary([b['first_frame_ms'] for b in bare])}")


def scenario(
    browser: Browser, work: Path, *, calls: int, read_ms: int, rtt_ms: float, warmup: int
) -> tuple[list[dict[str, float]], list[dict[str, float]], list[dict[str, Any]]]:
    """One path's crossdesk calls (the buyer reading the invitation, then tapping at once) and bare-pair
    calls: loopback when rtt_ms is 0, else relayed and delayed."""
    with ExitStack() as stack:
        env = {"CROSSDESK_VISITOR_BURST": "500"}
        ice_servers: list[dict[str, Any]] = []
        policy = "all"
        if rtt_ms:
            turn = stack.enter_context(TurnServer(work / "coturn", secrets.token_urlsafe(24)))
            media = stack.enter_context(UdpDelayProxy("127.0.0.1", turn.port, rtt_ms / 4000).run_in_thread())
            env |= {
                "CROSSDESK_RTC_TURN_URLS": f"turn:127.0.0.1:{media.port}?transport=udp",
                "CROSSDESK_RTC_TURN_SECRET": turn.secret,
                "CROSSDESK_RTC_ICE_TRANSPORT_POLICY": "relay",
            }
            ice_servers, policy = [turn.ice_server("bare", port=media.port)], "relay"
        server = ServerProcess(work / f"desk-{rtt_ms:g}", env=env, log_path=work / f"desk-{rtt_ms:g}.log")
        stack.enter_context(server)
        base_url = server.base_url
        if rtt_ms:
            signaling = stack.enter_context(
                TcpDelayProxy("127.0.0.1", server.port, rtt_ms / 4000).run_in_thread()
            )
            base_url = f"http://127.0.0.1:{signaling.port}"
        crossdesk = run_crossdesk(browser, base_url, calls, read_ms, warmup)
        instant = run_crossdesk(browser, base_url, calls, 0, warmup)
        bare = measure_bare_pair(
            browser,
            calls,
            ice_servers,
            policy,
            signaling_delay_s=rtt_ms / 2000,
            warmup=warmup,
            loopback_candidates_only=False,  # crossdesk signals every candidate too
        )
        return crossdesk, instant, bare


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured calls first, per path")
    parser.add_argument("--rtt-ms", type=float, default=100.0, help="the emulated round trip of the rtt path")
    parser.add_argument("--read-ms", type=int, default=1500, help="how long the buyer reads the invitation")
    args = parser.parse_args()
    print(f"crossdesk calls vs a bare WebRTC pair; the buyer accepts {args.read_ms} ms after the invitation")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="crossdesk-video-") as tmp:
        browser = launch_chromium(playwright)
        try:
            work = Path(tmp)
            local, local_instant, local_bare = scenario(
                browser, work, calls=args.calls, read_ms=args.read_ms, rtt_ms=0, warmup=args.warmup
            )
            report("loopback, host candidates", local, local_instant, local_bare)
            far, far_instant, far_bare = scenario(
                browser, work, calls=args.calls, read_ms=args.read_ms, rtt_ms=args.rtt_ms, warmup=args.warmup
            )
            report(f"relay through coturn, {args.rtt_ms:g} ms round trip", far, far_instant, far_bare)
        finally:
            browser.close()
    first_frame = p50([c["first_frame_ms"] for c in local])
    bare_first_frame = p50([b["first_frame_ms"] for b in local_bare])
    print(
        f"\ncalls={args.calls} connect_p50_ms={p50([c['connect_ms'] for c in local]):.0f}"
        f" first_frame_p50_ms={first_frame:.0f} bare_first_frame_p50_ms={bare_first_frame:.0f}"
        f" ratio={first_frame / bare_first_frame:.2f} rtt_ms={args.rtt_ms:g}"
        f" rtt_first_frame_p50_ms={p50([c['first_frame_ms'] for c in far]):.0f}"
        f" rtt_bare_first_frame_p50_ms={p50([b['first_frame_ms'] for b in far_bare]):.0f}"
        f" rtt_instant_first_frame_p50_ms={p50([c['first_frame_ms'] for c in far_instant]):.0f}"
    )


if __name__ == "__main__":
    main()
