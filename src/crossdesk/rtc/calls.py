"""A call's vocabulary and the checks on what browsers report about it. No I/O here.

A call rings, is answered or not, and ends once, for one reason. Media never passes through the desk:
the desk relays the peers' offers, answers and ICE candidates between exactly two sockets (the agent's
that started it and the first buyer socket that rang), and keeps the record: who, when, how long, and the
connection quality the agent's browser measured."""

from __future__ import annotations

import enum
from typing import Any

from crossdesk.actions.errors import Invalid, TooLong


class CallMedia(enum.StrEnum):
    VIDEO = "video"
    AUDIO = "audio"


class CallState(enum.StrEnum):
    RINGING = "ringing"
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(enum.StrEnum):
    """Why a call ended; the timeline and both screens explain each one."""

    COMPLETED = "completed"  # answered, then someone hung up
    CANCELLED = "cancelled"  # the agent hung up before the buyer answered
    DECLINED = "declined"
    NO_ANSWER = "no_answer"  # rang for the whole ring timeout
    BUYER_OFFLINE = "buyer_offline"  # no buyer page rang at all
    CAMERA_DENIED = "camera_denied"  # the buyer's browser refused the camera or microphone
    NO_DEVICES = "no_devices"  # the buyer has neither camera nor microphone
    ICE_FAILED = "ice_failed"  # no network path between the peers (a TURN server is needed)
    DISCONNECTED = "disconnected"  # a party's page closed or lost its connection


class RecordingState(enum.StrEnum):
    """Recording needs both parties: the agent asks (their consent), the buyer allows or refuses."""

    ASKED = "asked"
    ALLOWED = "allowed"
    REFUSED = "refused"
    STOPPED = "stopped"


# What a party may say when it hangs up; the others are the desk's own conclusions.
PARTY_REASONS = frozenset(
    {EndReason.COMPLETED, EndReason.CAMERA_DENIED, EndReason.NO_DEVICES, EndReason.ICE_FAILED}
)

# The connection quality the agent's browser reports from getStats: name -> (low, high) bounds.
_QUALITY_NUMBERS: dict[str, tuple[float, float]] = {
    "rtt_ms": (0, 60_000),
    "packet_loss_pct": (0, 100),
    "width": (0, 8192),
    "height": (0, 8192),
    "fps": (0, 240),
    "bitrate_kbps": (0, 1_000_000),
}


def check_quality(raw: Any) -> dict[str, Any]:
    """Keep the known figures, rounded and within bounds; refuse anything else a browser might send."""
    if not isinstance(raw, dict):
        raise Invalid("stats must be an object")
    quality: dict[str, Any] = {}
    for name, (low, high) in _QUALITY_NUMBERS.items():
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise Invalid(f"stats.{name} must be a number from {low:g} to {high:g}")
        quality[name] = round(float(value), 1)
    relay = raw.get("relay")
    if relay is not None:
        if not isinstance(relay, bool):
            raise Invalid("stats.relay must be true or false")
        quality["relay"] = relay
    return quality


# WebM is Matroska: an EBML header whose DocType says "webm", near the start of the file.
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_WEBM_DOCTYPE = b"\x42\x82\x84webm"  # DocType element, length 4, "webm"


def check_recording(data: bytes, max_bytes: int) -> str:
    """The content type of a call recording the agent's browser made (MediaRecorder's WebM); anything else
    is refused, whatever its name or declared type."""
    if len(data) > max_bytes:
        raise TooLong(f"Recordings are limited to {max_bytes // (1024 * 1024)} MB")
    if not data.startswith(_EBML_MAGIC) or _WEBM_DOCTYPE not in data[:64]:
        raise Invalid("A recording must be a WebM file")
    return "video/webm"


def summary(media: str, reason: str, duration_s: int | None) -> str:
    """The timeline item's plain-text body (the pages render their own words from the record)."""
    what = "Video call" if media == CallMedia.VIDEO else "Voice call"
    if reason == EndReason.COMPLETED and duration_s is not None:
        minutes, seconds = divmod(duration_s, 60)
        return f"{what}, {minutes}:{seconds:02d}"
    return f"{what}: {reason.replace('_', ' ')}"
