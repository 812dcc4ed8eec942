"""Opaque tokens (stored only as SHA-256) and HMAC-signed visitor tokens (stateless, scoped to one buyer)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

# Prefixes make a leaked token recognizable (secret scanners) and tell the kinds apart.
SESSION_PREFIX = "cds_"
API_TOKEN_PREFIX = "cdk_"  # noqa: S105
VISITOR_PREFIX = "cdv_"


def new_opaque_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class VisitorClaims:
    shop_id: int
    contact_id: int


def _sign(key: bytes, payload: bytes) -> str:
    mac = hmac.new(key, b"visitor:" + payload, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def sign_visitor_token(key: bytes, claims: VisitorClaims) -> str:
    payload = f"{claims.shop_id}.{claims.contact_id}"
    return f"{VISITOR_PREFIX}{payload}.{_sign(key, payload.encode())}"


def verify_visitor_token(key: bytes, token: str) -> VisitorClaims | None:
    """The claims of a well-formed, correctly signed token; None for anything else."""
    if not token.startswith(VISITOR_PREFIX) or len(token) > 200:
        return None
    parts = token.removeprefix(VISITOR_PREFIX).split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(key, payload.encode()), parts[2]):
        return None
    return VisitorClaims(shop_id=int(parts[0]), contact_id=int(parts[1]))
