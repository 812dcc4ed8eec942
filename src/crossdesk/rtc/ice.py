"""ICE servers for a call: STUN to learn a public address, TURN to relay when nothing else gets through.

TURN credentials follow the "TURN REST API" scheme coturn implements (`use-auth-secret` with
`static-auth-secret`): the username is `<expiry unix time>:<who>`, the password is base64 of
HMAC-SHA1(secret, username). crossdesk mints them per person and call; they stop working at expiry, so
nothing long-lived reaches a browser."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from typing import Any

from crossdesk.config import Settings


def turn_credentials(secret: str, who: str, expires_at: int) -> tuple[str, str]:
    username = f"{expires_at}:{who}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


def ice_servers(settings: Settings, who: str, now: datetime) -> dict[str, Any]:
    """What a browser passes to `new RTCPeerConnection({iceServers})`, and for how long it is good."""
    servers: list[dict[str, Any]] = []
    stun = [url for url in settings.rtc_stun_urls.split(",") if url.strip()]
    if stun:
        servers.append({"urls": [url.strip() for url in stun]})
    turn = [url.strip() for url in settings.rtc_turn_urls.split(",") if url.strip()]
    secret = settings.rtc_turn_secret.get_secret_value()
    if turn and secret:
        expires_at = int(now.timestamp()) + settings.rtc_turn_ttl_s
        username, credential = turn_credentials(secret, who, expires_at)
        servers.append({"urls": turn, "username": username, "credential": credential})
    return {
        "ice_servers": servers,
        "ttl_s": settings.rtc_turn_ttl_s,
        "relay_available": bool(turn and secret),
        "ice_transport_policy": settings.rtc_ice_transport_policy,
    }
