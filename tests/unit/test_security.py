"""Tokens, passwords and rate limits: pure functions, no I/O."""

from __future__ import annotations

import pytest

from crossdesk.security.passwords import hash_password, verify_password
from crossdesk.security.ratelimit import TokenBucketLimiter
from crossdesk.security.tokens import (
    VisitorClaims,
    new_opaque_token,
    sign_visitor_token,
    token_digest,
    verify_visitor_token,
)
from crossdesk.webhooks.delivery import backoff
from crossdesk.webhooks.signing import sign, verify

KEY = b"k" * 32


def test_visitor_token_round_trip_and_tampering() -> None:
    token = sign_visitor_token(KEY, VisitorClaims(shop_id=3, contact_id=42))
    assert verify_visitor_token(KEY, token) == VisitorClaims(3, 42)
    assert verify_visitor_token(b"other key" * 4, token) is None
    shop, _contact, mac = token.removeprefix("cdv_").split(".")
    assert verify_visitor_token(KEY, f"cdv_{shop}.43.{mac}") is None  # another buyer's id with my signature
    for junk in ("", "cdv_", "cdv_1.2", "cdv_a.b.c", "cdk_1.2.x", token + "x", "cdv_" + "9" * 300):
        assert verify_visitor_token(KEY, junk) is None


def test_opaque_tokens_are_stored_as_digests() -> None:
    token = new_opaque_token("cdk_")
    assert token.startswith("cdk_") and len(token) > 40
    assert token_digest(token) == token_digest(token) and token not in token_digest(token)
    assert new_opaque_token("cdk_") != token


def test_passwords_hash_with_argon2_and_verify() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything")  # unknown account: checked against a dummy, still False
    assert not verify_password("not a hash", "x")


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(burst=3, rate_per_s=1.0, clock=clock)
    assert [limiter.allow("v") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("other")  # keys are independent
    clock.t += 1.0
    assert limiter.allow("v") and not limiter.allow("v")
    clock.t += 100
    assert [limiter.allow("v") for _ in range(4)] == [True, True, True, False]  # capped at the burst


def test_token_bucket_memory_is_bounded() -> None:
    limiter = TokenBucketLimiter(burst=1, rate_per_s=0.001, clock=FakeClock(), max_keys=10)
    for i in range(100):
        limiter.allow(f"k{i}")
    assert len(limiter._buckets) == 10


def test_webhook_signature_verifies_and_expires() -> None:
    header = sign("whsec_x", 1_700_000_000, b'{"a":1}')
    assert verify("whsec_x", header, b'{"a":1}', now=1_700_000_100)
    assert not verify("whsec_x", header, b'{"a":2}', now=1_700_000_100)
    assert not verify("whsec_x", header, b'{"a":1}', now=1_700_001_000)  # replayed too late
    assert not verify("whsec_x", "garbage", b"", now=0)


@pytest.mark.parametrize("attempts", range(1, 20))
def test_backoff_grows_and_is_capped(attempts: int) -> None:
    delay = backoff(attempts).total_seconds()
    base = min(3600.0, 2.0**attempts)
    assert 0.8 * base <= delay <= 1.2 * base
