"""Drafting a reply from the playbook: an opening that fits the buyer, empathy first when they are unhappy,
the body for the intent, a closing. Facts the shop has fill {{placeholders}}; the rest stay visible as
[brackets] for the agent, never invented."""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from crossdesk.coach.playbook import Playbook
from crossdesk.commerce.facts import FACT_NAMES

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)*)\s*\}\}")
# Where the shop does not know a fact yet, the agent sees what to fill in, in their language.
MISSING = "[{}]"
UNHAPPY_INTENTS = frozenset({"complaint", "damaged_or_defective"})


@dataclass(frozen=True)
class Draft:
    text: str
    language: str
    steps: tuple[str, ...]  # which parts of the playbook it follows, in order
    missing: tuple[str, ...]  # facts the agent has to fill in

    def as_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "language": self.language,
            "steps": list(self.steps),
            "missing": list(self.missing),
        }


class ReplySuggester:
    def __init__(self, playbook: Playbook) -> None:
        self.replies = playbook.replies

    @property
    def languages(self) -> frozenset[str]:
        return self.replies.languages

    def suggest(
        self,
        *,
        intent: str,
        sentiment: str,
        state: str,
        language: str,
        name: str = "",
        facts: Mapping[str, str] | None = None,
        variant: int = 0,
        refuse: bool = False,
    ) -> Draft:
        """`variant` picks among the playbook's phrasings (use something per conversation, so two buyers do
        not get the same words); `facts` fill {{placeholders}} such as order.number. `refuse`: the answer
        is no, said warmly and firmly with an alternative (the playbook's refusal), not the intent's body."""
        lang = language if language in self.languages else "en"
        replies = self.replies
        steps: list[str] = []
        opening: list[str] = []
        unhappy = sentiment == "negative" or intent in UNHAPPY_INTENTS
        if refuse:
            body = [replies.refusal.get(lang) or replies.refusal["en"]]
        else:
            body = list(replies.bodies[intent].get(lang) or replies.bodies[intent]["en"])
        if unhappy or state == "impatient":
            # A short greeting, then straight to it: the apology first for the unhappy (a complaint's
            # body opens with its own), "I'm on it" for the impatient.
            opening.append(replies.greetings[lang])
            if unhappy:
                opening.append(
                    body.pop(0)
                    if intent == "complaint" and not refuse
                    else _pick(replies.empathy[lang], variant)
                )
                steps.append("empathy")
            if state == "impatient":
                opening.append(_pick(replies.openings["impatient"][lang], variant))
        else:
            opening.append(_pick(replies.openings[state][lang], variant))
        steps.insert(0, f"opening:{state}")
        steps.append("refusal" if refuse else f"body:{intent}")
        closing = _pick(replies.closings[lang], variant)
        steps.append("closing")
        joiner = "" if lang == "zh" else " "
        sections = [joiner.join(opening), joiner.join(body), closing]
        text = "\n".join(section.replace("{name}", _name(name, lang)) for section in sections)
        text, missing = fill_placeholders(text, facts or {}, lang, FACT_NAMES)
        return Draft(text.replace(" ,", ","), lang, tuple(steps), missing)


def _pick(options: tuple[str, ...], variant: int) -> str:
    return options[variant % len(options)]


def _name(name: str, language: str) -> str:
    first = name.split()[0] if name.strip() else ""
    if not first or first.lower().startswith("visitor"):
        return ""
    return first if language == "zh" else f" {first}"


def fill_placeholders(
    text: str, facts: Mapping[str, str], language: str, names: Mapping[str, Mapping[str, str]]
) -> tuple[str, tuple[str, ...]]:
    """{{order.number}} and the like from `facts`; what is missing stays visible as [order number]."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        value = facts.get(key)
        if value:
            return value
        missing.append(key)
        return MISSING.format(names.get(key, {}).get(language, key))

    return PLACEHOLDER.sub(replace, text), tuple(dict.fromkeys(missing))


def variant_for(*keys: object) -> int:
    """A stable choice of phrasing per conversation (the same buyer sees consistent wording)."""
    return zlib.crc32("|".join(map(str, keys)).encode())
