"""Reading a buyer message: intent and sentiment learned from the playbook's examples, urgency from
explicit cues, and the buyer's state from the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from crossdesk.coach.classifier import ExampleClassifier
from crossdesk.coach.embeddings import Embedder, ExampleCache
from crossdesk.coach.playbook import INTENTS, SENTIMENTS, Playbook

_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_CJK_OR_THAI = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Analysis:
    intent: str
    intent_confidence: float  # the probability margin over the runner-up
    sentiment: str
    urgent: bool
    urgency_cues: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "intent_confidence": round(self.intent_confidence, 4),
            "sentiment": self.sentiment,
            "urgent": self.urgent,
            "urgency_cues": list(self.urgency_cues),
        }


class UrgencyCues:
    """Explicit signs of time pressure or escalation, in any language."""

    def __init__(self, cues: tuple[str, ...], repeated_punctuation: int) -> None:
        self._cues = [(cue, _cue_pattern(cue)) for cue in cues]
        self._repeated = re.compile(rf"[?？!！]{{{repeated_punctuation},}}")

    def repeated(self, text: str) -> bool:
        """Repeated "???" or "!!!": the strongest sign of impatience, in any language."""
        return self._repeated.search(text) is not None

    def find(self, text: str) -> tuple[str, ...]:
        found = [cue for cue, pattern in self._cues if pattern.search(text)]
        if self._repeated.search(text):
            found.append("repeated punctuation")
        return tuple(found)


def _cue_pattern(cue: str) -> re.Pattern[str]:
    # Scripts without spaces between words match anywhere; the others only as whole words.
    if _CJK_OR_THAI.search(cue):
        return re.compile(re.escape(cue))
    return re.compile(rf"(?<!\w){re.escape(cue)}(?!\w)", re.IGNORECASE)


class Analyzer:
    def __init__(self, playbook: Playbook, embedder: Embedder, cache: ExampleCache | None = None) -> None:
        self.embedder = embedder
        self.intents = ExampleClassifier(embedder, playbook.intent_examples, INTENTS, cache)
        self.sentiments = ExampleClassifier(embedder, playbook.sentiment_examples, SENTIMENTS, cache)
        self.urgency = UrgencyCues(playbook.urgency_cues, playbook.repeated_punctuation)

    def analyze(self, text: str) -> Analysis:
        """Blocking (about 10 ms): call it from a thread when on the event loop."""
        if not _LETTERS.search(text):
            # Emoji, numbers or punctuation only: nothing to classify; "???" still counts as impatience.
            cues = self.urgency.find(text)
            return Analysis("other", 1.0, "negative" if cues else "neutral", bool(cues), cues)
        vector = self.embedder.embed([text])[0]
        intent_scores = self.intents.scores(vector, text)
        ranked = sorted(intent_scores.items(), key=lambda item: item[1], reverse=True)
        sentiment_scores = self.sentiments.scores(vector, text)
        sentiment = max(sentiment_scores, key=lambda s: sentiment_scores[s])
        cues = self.urgency.find(text)
        if sentiment == "neutral" and self.urgency.repeated(text):
            # The playbook's convention: impatience ("hello??? anyone???") is unhappiness, which the
            # embeddings underrate in short messages (docs/playbook.md, "Rules for good entries").
            sentiment = "negative"
        return Analysis(
            intent=ranked[0][0],
            intent_confidence=ranked[0][1] - ranked[1][1],
            sentiment=sentiment,
            urgent=bool(cues),
            urgency_cues=cues,
        )


@dataclass(frozen=True)
class CustomerState:
    """Who the coach is talking to: first contact or returning (with how many earlier conversations or
    orders), and whether they are impatient (urgent, or several messages waiting for an answer)."""

    state: str  # first_contact | returning | impatient
    returning: bool
    earlier: int
    unanswered: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CustomerState:
        return cls(str(data["state"]), bool(data["returning"]), int(data["earlier"]), int(data["unanswered"]))

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state,
            "returning": self.returning,
            "earlier": self.earlier,
            "unanswered": self.unanswered,
        }


IMPATIENT_AFTER_UNANSWERED = 3


def customer_state(earlier: int, unanswered: int, urgent: bool) -> CustomerState:
    returning = earlier > 0
    if urgent or unanswered >= IMPATIENT_AFTER_UNANSWERED:
        state = "impatient"
    else:
        state = "returning" if returning else "first_contact"
    return CustomerState(state, returning, earlier, unanswered)
