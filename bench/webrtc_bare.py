"""The baseline for bench/video_connect.py: how fast a BARE WebRTC call connects between two pages of one
headless Chromium (Debian's, driven by Playwright's sync API), with none of crossdesk in the way.

One call, as measured here:
  t0          the sender page "accepts": it starts getUserMedia (fake camera and microphone), creates the
              RTCPeerConnection and the offer;
  signaling   offer, answer and every trickled ICE candidate go page -> Python -> other page (a tiny HTTP
              server on 127.0.0.1: POST to send, Server-Sent Events to receive), each held
              `signaling_delay_s` in Python;
  ICE         on the receiving page, ms from t0 to iceConnectionState "connected"/"completed";
  first frame on the receiving page, ms from t0 to the first remote video frame painted
              (requestVideoFrameCallback on a <video> playing the remote stream).
Both pages read Date.now(): one browser, one clock. Media flows one way (sender -> receiver); the peer
connections and tracks are closed after each call.

By default only loopback candidates are signaled (`--all-candidates` sends every one, as crossdesk's own
signaling does). Chromium still gathers on the machine's other interfaces, and a socket bound to one of them
may win the connectivity checks against the other page's 127.0.0.1: that traffic is delivered inside the
kernel like loopback and never leaves the machine, but the candidate pair printed at the end says which path
a call took. With `--relay` every call goes through the TURN server on 127.0.0.1.

    python bench/webrtc_bare.py --calls 10              # host candidates on loopback
    python bench/webrtc_bare.py --calls 10 --relay      # iceTransportPolicy "relay" through a local coturn
    python bench/webrtc_bare.py --calls 10 --rtt-ms 100 # relay, with a 100 ms peer-to-peer round trip

`--rtt-ms R` puts a UdpDelayProxy in front of coturn (R/4 per pass: media crosses it twice each way, see
crossdesk.testing.netdelay) and holds each signaling message R/2 (sender -> server -> receiver, as through
the desk behind a TcpDelayProxy of R/4 per pass).
"""

from __future__ import annotations

import argparse
import collections
import json
import queue
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from crossdesk.testing.browser import ALLOW_CAMERA, CALL_ARGS, CHROMIUM
from crossdesk.testing.netdelay import UdpDelayProxy
from crossdesk.testing.turn import TurnServer

PEERS = ("sender", "receiver")

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>bare WebRTC pair</title>
<video id="remote" autoplay playsinline muted></video>
<script>
"use strict";
const peer = new URLSearchParams(location.search).get("peer");
const other = peer === "sender" ? "receiver" : "sender";
const video = document.getElementById("remote");
window.results = {};  // call -> {t0 | ice, frame, error}, read by Python
window.signalingOpen = false;
let current = null;  // {call, config, pc, stream, remoteSet, remoteReady}

const events = new EventSource(`/events?peer=${peer}`);
events.onopen = () => { window.signalingOpen = true; };
events.onmessage = (event) => onSignal(JSON.parse(event.data)).catch((error) => fail(error));

function send(message) {
  fetch(`/signal?to=${other}`, {method: "POST", body: JSON.stringify(message)}).catch((error) => fail(error));
}

function fail(error) {
  if (current) (window.results[current.call] ??= {}).error = String(error);
}

function signaled(candidate) {
  if (!window.loopbackOnly) return true;
  const address = candidate.address || "";
  return address.startsWith("127.") || address === "::1";
}

function open(call, config) {
  hangup();
  let remoteSet;
  const remoteReady = new Promise((resolve) => { remoteSet = resolve; });
  const pc = new RTCPeerConnection(config);
  current = {call, config, pc, stream: null, remoteSet, remoteReady};
  const result = (window.results[call] ??= {});
  pc.onicecandidate = (event) => {
    if (event.candidate && signaled(event.candidate)) {
      send({call, kind: "candidate", candidate: event.candidate.toJSON()});
    }
  };
  pc.oniceconnectionstatechange = () => {
    const state = pc.iceConnectionState;
    if ((state === "connected" || state === "completed") && result.ice === undefined) result.ice = Date.now();
    if (state === "failed") result.error = "ICE failed";
  };
  pc.ontrack = (event) => {
    if (event.track.kind !== "video") return;
    video.srcObject = event.streams[0];
    video.requestVideoFrameCallback(() => { result.frame ??= Date.now(); });
    video.play().catch((error) => fail(error));
  };
  return current;
}

function hangup() {
  if (!current) return;
  current.pc.close();
  current.stream?.getTracks().forEach((track) => track.stop());
  video.srcObject = null;
  current = null;
}

// The sender: the accept moment. Returns t0 at once; the call goes on in the page.
window.startCall = (call, config, audio) => {
  const t0 = Date.now();
  window.results[call] = {t0};
  (async () => {
    const stream = await navigator.mediaDevices.getUserMedia({video: true, audio});
    const state = open(call, config);
    state.stream = stream;
    stream.getTracks().forEach((track) => state.pc.addTrack(track, stream));
    await state.pc.setLocalDescription(await state.pc.createOffer());
    send({call, kind: "offer", description: state.pc.localDescription.toJSON()});
  })().catch((error) => { window.results[call].error = String(error); });
  return t0;
};

// The receiver: the call's configuration, before the offer comes.
window.expectCall = (call, config) => { hangup(); window.pending = {call, config}; };
window.hangup = hangup;

async function onSignal(message) {
  if (message.kind === "offer" && peer === "receiver" && window.pending?.call === message.call) {
    const state = open(message.call, window.pending.config);
    await state.pc.setRemoteDescription(message.description);
    state.remoteSet();
    await state.pc.setLocalDescription(await state.pc.createAnswer());
    send({call: message.call, kind: "answer", description: state.pc.localDescription.toJSON()});
    return;
  }
  const state = current;
  if (!state || state.call !== message.call) return;  // a late message of a call already hung up
  if (message.kind === "answer") {
    await state.pc.setRemoteDescription(message.description);
    state.remoteSet();
  } else if (message.kind === "candidate") {
    await state.remoteReady;  // candidates can overtake the description they belong to
    if (current === state) await state.pc.addIceCandidate(message.candidate);
  }
}

// What the call ended up using: local and remote candidate, e.g. "host 127.0.0.1" and "relay 127.0.0.1".
window.candidatePair = async () => {
  if (!current) return null;
  const stats = [...(await current.pc.getStats()).values()];
  const transport = stats.find((s) => s.type === "transport" && s.selectedCandidatePairId);
  const pair = transport && stats.find((s) => s.id === transport.selectedCandidatePairId);
  if (!pair) return null;
  const describe = (id) => {
    const candidate = stats.find((s) => s.id === id);
    return `${candidate?.candidateType} ${candidate?.address}`;
  };
  return [describe(pair.localCandidateId), describe(pair.remoteCandidateId)];
};
</script>
"""


class _Relay(ThreadingHTTPServer):
    """Serves the page and relays signaling between the two pages, holding each message `delay_s`. One
    Server-Sent Events stream per page delivers its messages in the order they were posted."""

    daemon_threads = True

    def __init__(self, delay_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay_s = delay_s
        self.inboxes: dict[str, queue.Queue[tuple[float, bytes]]] = {peer: queue.Queue() for peer in PEERS}
        self.closing = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: _Relay

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif url.path == "/events":
            self._stream(self.server.inboxes[parse_qs(url.query)["peer"][0]])
        else:
            self.send_error(404)

    def _stream(self, inbox: queue.Queue[tuple[float, bytes]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b": open\n\n")
        self.wfile.flush()
        while not self.server.closing.is_set():
            try:
                due, message = inbox.get(timeout=0.2)
            except queue.Empty:
                continue
            # Messages leave in posting order, each once its own delay is over: later ones are due later, so
            # sleeping for the head of the queue never holds back one that is already due.
            time.sleep(max(0.0, due - time.monotonic()))
            self.wfile.write(b"data: " + message + b"\n\n")
            self.wfile.flush()

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        message = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = parse_qs(url.query).get("to", [""])[0]
        if url.path != "/signal" or target not in PEERS:
            self.send_error(404)
            return
        self.server.inboxes[target].put((time.monotonic() + self.server.delay_s, message.replace(b"\n", b"")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _relay(delay_s: float) -> Iterator[_Relay]:
    server = _Relay(delay_s)
    thread = threading.Thread(target=server.serve_forever, name="signaling-relay", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's chromium, headless, with the flags a loopback call needs (never `playwright install`)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CALL_ARGS, ALLOW_CAMERA]
    )


def measure_bare_pair(
    browser: Browser,
    calls: int,
    ice_servers: list[dict[str, Any]],
    ice_transport_policy: str = "all",
    signaling_delay_s: float = 0.0,
    *,
    warmup: int = 1,
    audio: bool = True,
    loopback_candidates_only: bool = True,
    timeout_s: float = 20.0,
) -> list[dict[str, Any]]:
    """`calls` calls between two pages in two contexts of `browser`; per call the receiving page's
    `ice_connected_ms` and `first_frame_ms` after t0, the sender's `sender_ice_connected_ms`, and the
    `candidate_pair` used (receiver's local and remote candidate: type and address). `warmup` calls run
    first and are not returned (the first call of a fresh page also sets up codecs)."""
    config = {"iceServers": ice_servers, "iceTransportPolicy": ice_transport_policy}
    with ExitStack() as stack:
        relay = stack.enter_context(_relay(signaling_delay_s))
        pages: dict[str, Page] = {}
        for peer in PEERS:
            context = browser.new_context(permissions=["camera", "microphone"])
            stack.callback(context.close)
            page = context.new_page()
            page.goto(f"{relay.url}?peer={peer}")
            page.wait_for_function("window.signalingOpen", timeout=timeout_s * 1000)
            page.evaluate("(only) => { window.loopbackOnly = only; }", loopback_candidates_only)
            pages[peer] = page
        sender, receiver = pages["sender"], pages["receiver"]
        results = []
        for call in range(warmup + calls):
            receiver.evaluate("([call, config]) => expectCall(call, config)", [call, config])
            t0 = sender.evaluate(
                "([call, config, audio]) => startCall(call, config, audio)", [call, config, audio]
            )
            done = (
                "(call) => { const r = window.results[call]; return r && (r.frame !== undefined || r.error) }"
            )
            try:
                receiver.wait_for_function(done, arg=call, timeout=timeout_s * 1000)
                sender.wait_for_function(
                    "(call) => window.results[call].ice !== undefined || window.results[call].error",
                    arg=call,
                    timeout=timeout_s * 1000,
                )
            except PlaywrightTimeoutError:
                raise RuntimeError(f"call {call} did not connect: {_states(pages, call)}") from None
            got = receiver.evaluate("(call) => window.results[call]", call)
            sent = sender.evaluate("(call) => window.results[call]", call)
            if "error" in got or "error" in sent:
                raise RuntimeError(f"call {call} failed: {_states(pages, call)}")
            pair = receiver.evaluate("candidatePair()")
            for page in pages.values():
                page.evaluate("hangup()")
            if call >= warmup:
                results.append(
                    {
                        "ice_connected_ms": got["ice"] - t0,
                        "first_frame_ms": got["frame"] - t0,
                        "sender_ice_connected_ms": sent["ice"] - t0,
                        "candidate_pair": pair,
                    }
                )
            receiver.wait_for_timeout(200)  # let the hung-up call's sockets and allocations go
        return results


def _states(pages: dict[str, Page], call: int) -> str:
    return json.dumps(
        {peer: page.evaluate("(call) => window.results[call]", call) for peer, page in pages.items()}
    )


def _summary(label: str, values: list[float]) -> str:
    return f"{label:<22} {min(values):6.0f} / {statistics.median(values):6.0f} / {max(values):6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured calls first (default 1)")
    parser.add_argument("--relay", action="store_true", help='a local coturn and iceTransportPolicy "relay"')
    parser.add_argument(
        "--rtt-ms", type=float, default=0.0, help="emulated peer-to-peer round trip (implies --relay)"
    )
    parser.add_argument("--no-audio", action="store_true", help="the sender opens the camera only")
    parser.add_argument("--all-candidates", action="store_true", help="signal non-loopback candidates too")
    args = parser.parse_args()
    relay = args.relay or args.rtt_ms > 0
    with ExitStack() as stack:
        ice_servers: list[dict[str, Any]] = []
        if relay:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="webrtc-bare-")))
            turn = stack.enter_context(TurnServer(directory, secret=secrets.token_hex(16)))
            port = turn.port
            if args.rtt_ms > 0:
                proxy = UdpDelayProxy("127.0.0.1", turn.port, args.rtt_ms / 4 / 1000)
                port = stack.enter_context(proxy.run_in_thread()).port
            ice_servers = [turn.ice_server("bench", port=port)]
        playwright = stack.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        stack.callback(browser.close)
        results = measure_bare_pair(
            browser,
            args.calls,
            ice_servers,
            "relay" if relay else "all",
            args.rtt_ms / 2 / 1000,
            warmup=args.warmup,
            audio=not args.no_audio,
            loopback_candidates_only=not args.all_candidates,
        )
    path = (
        f"relay, {args.rtt_ms:g} ms round trip" if args.rtt_ms else ("relay" if relay else "host candidates")
    )
    print(f"bare WebRTC pair, two contexts of one Chromium ({path}), {args.calls} calls; ms after accept")
    print(f"{'':<22} {'min':>6} / {'median':>6} / {'max':>6}")
    print(_summary("receiver ICE connected", [r["ice_connected_ms"] for r in results]))
    print(_summary("sender ICE connected", [r["sender_ice_connected_ms"] for r in results]))
    print(_summary("first remote frame", [r["first_frame_ms"] for r in results]))
    pairs = collections.Counter(" <-> ".join(r["candidate_pair"] or ["none"]) for r in results)
    print("candidate pairs (receiver's side):", "; ".join(f"{pair} x{n}" for pair, n in pairs.items()))


if __name__ == "__main__":
    main()
