"""Request bodies, bounded at the edge. Responses follow docs/protocol.md."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from crossdesk.domain.models import ConversationStatus, Intent


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=200)


class TranslationIn(Strict):
    """The buyer-language version the agent previewed (POST .../translation-preview) and sends along."""

    language: str = Field(max_length=16)
    body: str = Field(max_length=200_000)
    engine: str = Field("preview", max_length=32)
    review: bool = False
    issues: list[str] = Field(default_factory=list, max_length=10)


class MessageIn(Strict):
    # The action enforces the configured limit; this bound only stops absurd payloads early.
    body: str = Field("", max_length=100_000)
    attachment_id: int | None = None
    translation: TranslationIn | None = None


class PreviewIn(Strict):
    text: str = Field(max_length=100_000)


class TranslatedDraftIn(Strict):
    language: str = Field(min_length=2, max_length=16)
    text: str = Field(max_length=100_000)


class CheckIn(Strict):
    text: str = Field(max_length=100_000)
    translation: TranslatedDraftIn | None = Field(
        None, description="the buyer-language preview of the draft: checked too, in its language"
    )


class LanguageIn(Strict):
    language: str | None = Field(max_length=16)


class ProfileIn(Strict):
    language: str = Field(max_length=16)


class GlossaryEntryIn(Strict):
    terms: dict[str, str] = Field(min_length=1, max_length=40)


class AssignIn(Strict):
    assignee_id: int | None


class StatusIn(Strict):
    status: ConversationStatus


class ReadIn(Strict):
    seq: int = Field(ge=0)


class WebhookIn(Strict):
    url: str = Field(max_length=2000, pattern=r"^https?://")
    events: list[str] = Field(min_length=1, max_length=10)


class ApiTokenIn(Strict):
    name: str = Field(min_length=1, max_length=200)


class WidgetSessionIn(Strict):
    shop: str = Field(max_length=64)
    token: str | None = Field(None, max_length=200)
    name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)
    language: str | None = Field(None, max_length=35)
    timezone: str | None = Field(None, max_length=64)
    country: str | None = Field(None, max_length=2)


class OrderLookupIn(Strict):
    number: str = Field(min_length=1, max_length=64)
    email: str = Field(min_length=3, max_length=320)


class OrderActionIn(Strict):
    kind: Literal["refund", "reship", "coupon", "address_change", "cancel"]
    reason: str = Field(min_length=1, max_length=500)
    idempotency_key: str = Field(min_length=8, max_length=64)
    amount: int = Field(0, ge=0, le=10**12, description="refunds: minor units of the order's currency")
    percent: int = Field(0, ge=0, le=100, description="coupons: percent off the next order")
    keep_item: bool = Field(True, description="reships: the buyer keeps the damaged item")
    address: dict[str, Annotated[str, Field(max_length=200)]] | None = Field(None, max_length=12)


class DecisionIn(Strict):
    note: str = Field("", max_length=500)


class SuggestIn(Strict):
    intent: Intent | None = Field(None, description="answer this topic instead of the detected one")
    refuse: bool = Field(False, description="draft a warm, firm no with an alternative")


class MacroIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    body: str = Field(min_length=1, max_length=2000)
