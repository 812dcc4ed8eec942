"""TURN credentials in the TURN REST API scheme coturn checks: `<expiry>:<who>` and base64(HMAC-SHA1)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from pydantic import SecretStr

from crossdesk.config import Settings
from crossdesk.rtc.ice import ice_servers

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_turn_credentials_expire_and_are_signed_with_the_shared_secret() -> None:
    settings = Settings(
        rtc_stun_urls="stun:turn.example.com:3478",
        rtc_turn_urls="turn:turn.example.com:3478, turns:turn.example.com:5349",
        rtc_turn_secret=SecretStr("north-wind"),
        rtc_turn_ttl_s=600,
    )
    answer = ice_servers(settings, "contact-7", NOW)
    stun, turn = answer["ice_servers"]
    assert stun == {"urls": ["stun:turn.example.com:3478"]}
    assert turn["urls"] == ["turn:turn.example.com:3478", "turns:turn.example.com:5349"]
    expiry, who = turn["username"].split(":")
    assert int(expiry) == int(NOW.timestamp()) + 600 and who == "contact-7"
    # What coturn computes from its static-auth-secret for this username:
    digest = hmac.new(b"north-wind", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(digest).decode()
    assert answer["relay_available"] and answer["ttl_s"] == 600


def test_without_a_turn_secret_no_relay_is_offered() -> None:
    answer = ice_servers(Settings(rtc_turn_urls="turn:turn.example.com:3478"), "agent-2", NOW)
    assert answer["ice_servers"] == [] and not answer["relay_available"]
