"""The running desk: the services every action needs, built once per process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from crossdesk.bus.base import Bus, InProcessBus
from crossdesk.coach.service import Coach, build_coach
from crossdesk.config import Settings
from crossdesk.db.database import Database
from crossdesk.language.service import LanguageService, build_language
from crossdesk.security.ratelimit import TokenBucketLimiter


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Desk:
    settings: Settings
    db: Database
    bus: Bus
    visitor_limiter: TokenBucketLimiter
    address_limiter: TokenBucketLimiter
    language: LanguageService
    clock: Callable[[], datetime] = field(default=utcnow)
    coach: Coach | None = None
    # Set when a message owes a translation or an analysis, so this process's workers start at once
    # instead of polling.
    translations_due: asyncio.Event = field(default_factory=asyncio.Event)
    insights_due: asyncio.Event = field(default_factory=asyncio.Event)
    shopify_due: asyncio.Event = field(default_factory=asyncio.Event)  # a pull asked for now
    calls_ringing: asyncio.Event = field(default_factory=asyncio.Event)  # a call started here rings

    @classmethod
    def from_settings(cls, settings: Settings) -> Desk:
        bus: Bus
        if settings.redis_url:
            from crossdesk.bus.redis import RedisBus

            bus = RedisBus(settings.redis_url, settings.redis_channel)
        else:
            bus = InProcessBus()
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url),
            bus=bus,
            visitor_limiter=TokenBucketLimiter(settings.visitor_burst, settings.visitor_rate_per_s),
            address_limiter=TokenBucketLimiter(settings.address_burst, settings.address_rate_per_s),
            language=build_language(settings),
            coach=build_coach(settings.playbook_dir, cache_dir=settings.models_dir)
            if settings.coach == "embedded"
            else None,
        )
