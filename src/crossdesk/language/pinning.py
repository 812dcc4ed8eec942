"""A conversation's buyer language: set by detection, moved only by clear evidence, fixed by an agent.

A one-word "ok", an English product name or a tracking number must not flip a Portuguese conversation."""

from __future__ import annotations

from dataclasses import dataclass

from crossdesk.language.detect import Detection
from crossdesk.language.text import letters

# A message says which language it is in only when it is long enough and the detector is sure.
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.6
# Scripts (Han, kana, Hangul, Thai) are certain from a couple of characters.
MIN_LETTERS_CERTAIN = 2
# The first message sets the language even when weak: something beats nothing.
MIN_CONFIDENCE_FIRST = 0.3


@dataclass(frozen=True, slots=True)
class LanguageChoice:
    message_language: str | None  # what this message is taken to be written in
    conversation_language: str | None  # the conversation's pin after this message


def is_conclusive(detection: Detection, text: str) -> bool:
    if detection.language is None:
        return False
    count = letters(text)
    if detection.confidence >= 1.0:
        return count >= MIN_LETTERS_CERTAIN
    return count >= MIN_LETTERS and detection.confidence >= MIN_CONFIDENCE


def choose(pinned: str | None, pinned_by_agent: bool, detection: Detection, text: str) -> LanguageChoice:
    conclusive = is_conclusive(detection, text)
    if pinned is None:
        first = detection.language if detection.confidence >= MIN_CONFIDENCE_FIRST else None
        return LanguageChoice(detection.language, first)
    if not conclusive:
        return LanguageChoice(pinned, pinned)
    return LanguageChoice(detection.language, pinned if pinned_by_agent else detection.language)
