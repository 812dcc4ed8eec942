"""The instruction that turns a general chat model into a translator, shared by every LLM provider."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crossdesk.language.glossary import TermPair
from crossdesk.language.languages import name_of

Message = dict[str, str]


def language_label(code: str) -> str:
    return "Simplified Chinese" if code == "zh" else name_of(code)


def translation_messages(text: str, source: str, target: str, terms: Sequence[TermPair]) -> list[Message]:
    system = (
        "You translate customer-service chat messages between an online shop and its buyer. "
        f"Translate the user's message from {language_label(source)} to {language_label(target)}. "
        "Keep the meaning, the tone and the politeness. Keep names, links, order and tracking numbers, "
        "sizes and prices exactly as written. Reply with the translation only: no notes, no quotes."
    )
    if terms:
        listed = "; ".join(f"{t.source} -> {t.target}" for t in terms)
        system += f" Always translate these terms this way: {listed}."
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


_PREFIX = re.compile(r"^\s*(translation|translated text|翻译|译文)\s*[:：]\s*", re.IGNORECASE)
_FENCE = re.compile(r"^```\w*\n?|\n?```$")
_QUOTES = ('"', "'", "“", "”", "「", "」", "«", "»")


def clean_reply(reply: str, original: str) -> str:
    """Models wrap answers in quotes, fences or a "Translation:" label; strip what the original lacked."""
    text = _FENCE.sub("", reply.strip()).strip()
    text = _PREFIX.sub("", text).strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES and original.strip()[:1] not in _QUOTES:
        text = text[1:-1].strip()
    return text
