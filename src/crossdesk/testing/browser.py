"""Debian's chromium for browser tests and benchmarks: its path and the flags every run needs. Playwright
drives it; a browser is never downloaded."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Calls (../shared/RTC.md): without the loopback flag ICE finds no candidates on 127.0.0.1; the fake devices
# stand in for a camera and a microphone.
CALL_ARGS = [*BASE_ARGS, "--allow-loopback-in-peer-connection", "--use-fake-device-for-media-stream"]
# Answers the camera prompt with "allow", as a buyer who taps Allow; without it headless Chromium blocks.
ALLOW_CAMERA = "--use-fake-ui-for-media-stream"
