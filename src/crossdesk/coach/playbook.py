"""The playbook files, loaded and checked once: a typo in a pattern fails at start-up, not mid-chat."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdesk.domain.models import Intent, Sentiment

PACKAGED = Path(__file__).with_name("playbook")
LABELLED = "labelled_messages.jsonl"
LABELLED_DRAFTS = "labelled_drafts.jsonl"

INTENTS = tuple(intent.value for intent in Intent)
SENTIMENTS = tuple(sentiment.value for sentiment in Sentiment)
STATES = ("first_contact", "returning", "impatient")
# Kinds decided from the conversation rather than matched in the text.
CONTEXT_KINDS = ("missing_empathy", "missing_next_step")
FLAG_KINDS = (
    "blame_shifting",
    "vague_non_answer",
    "canned_opening",
    "condescending",
    "over_promising",
    *CONTEXT_KINDS,
)


class PlaybookError(Exception):
    """A playbook file is missing, malformed, or names something the coach does not know."""


@dataclass(frozen=True)
class FlagKind:
    kind: str
    label: dict[str, str]
    advice: dict[str, str]
    suggestion: dict[str, str]
    patterns: dict[str, tuple[re.Pattern[str], ...]]


@dataclass(frozen=True)
class Replies:
    openings: dict[str, dict[str, tuple[str, ...]]]  # state -> language -> variants
    empathy: dict[str, tuple[str, ...]]
    closings: dict[str, tuple[str, ...]]
    bodies: dict[str, dict[str, tuple[str, ...]]]  # intent -> language -> lines
    refusal: dict[str, str]
    greetings: dict[str, str]

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self.empathy)

    def phrasings(self) -> list[str]:
        """Every phrasing the playbook recommends, as written ({name} and {{facts}} in place)."""
        texts = [t for by_language in self.openings.values() for lines in by_language.values() for t in lines]
        texts += [t for lines in (*self.empathy.values(), *self.closings.values()) for t in lines]
        texts += [t for by_language in self.bodies.values() for lines in by_language.values() for t in lines]
        return [*texts, *self.refusal.values(), *self.greetings.values()]

    def sentences(self) -> list[str]:
        """Every phrasing the playbook recommends, {name} left out: good by definition."""
        return [text.replace("{name}", "") for text in self.phrasings()]


@dataclass(frozen=True)
class Playbook:
    intent_examples: dict[str, tuple[str, ...]]
    intent_labels: dict[str, str]
    sentiment_examples: dict[str, tuple[str, ...]]
    urgency_cues: tuple[str, ...]
    repeated_punctuation: int
    kinds: dict[str, FlagKind]
    markers: dict[str, dict[str, tuple[re.Pattern[str], ...]]]  # empathy|next_step -> language -> patterns
    replies: Replies
    # Agents' drafts with the faulty phrases marked: {"lang", "draft", "flags": [{"kind", "span"}], ...}
    labelled_drafts: tuple[dict[str, Any], ...] = ()
    source: Path = field(default=PACKAGED)


def load_playbook(directory: Path = PACKAGED) -> Playbook:
    intents = _read(directory / "intents.toml")
    signals = _read(directory / "signals.toml")
    checks = _read(directory / "checks.toml")
    replies = _read(directory / "replies.toml")
    missing = set(INTENTS) - set(intents)
    if missing:
        raise PlaybookError(f"intents.toml lacks {sorted(missing)}")
    unknown = set(intents) - set(INTENTS)
    if unknown:
        raise PlaybookError(f"intents.toml names unknown intents {sorted(unknown)}")
    labelled = _labelled(directory / LABELLED)
    return Playbook(
        intent_examples={
            name: _strings(intents[name], "examples", name) + labelled["intent"].get(name, ())
            for name in INTENTS
        },
        intent_labels={name: str(intents[name].get("label", name)) for name in INTENTS},
        sentiment_examples={
            s: _strings(signals["sentiment"][s], "examples", s) + labelled["sentiment"].get(s, ())
            for s in SENTIMENTS
        },
        urgency_cues=_strings(signals["urgency"], "cues", "urgency"),
        repeated_punctuation=int(signals["urgency"].get("repeated_punctuation", 3)),
        kinds={kind: _flag_kind(kind, checks["kinds"].get(kind)) for kind in FLAG_KINDS},
        markers={
            name: {lang: _compile(p, f"markers.{name}.{lang}") for lang, p in checks["markers"][name].items()}
            for name in ("empathy", "next_step")
        },
        replies=_replies(replies),
        labelled_drafts=_labelled_drafts(directory / LABELLED_DRAFTS),
        source=directory,
    )


def _labelled(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    """Real messages with their labels, one JSON object a line: {"text", "intent", "sentiment"}. Both
    classifiers learn from them as from the examples in the TOML files."""
    found: dict[str, dict[str, list[str]]] = {"intent": {}, "sentiment": {}}
    if not path.exists():
        return {"intent": {}, "sentiment": {}}
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, intent, sentiment = str(row["text"]), row["intent"], row["sentiment"]
            except (ValueError, KeyError, TypeError) as exc:
                raise PlaybookError(f"{path}:{number}: {exc}") from exc
            if intent not in INTENTS or sentiment not in SENTIMENTS:
                raise PlaybookError(f"{path}:{number}: unknown intent or sentiment")
            found["intent"].setdefault(intent, []).append(text)
            found["sentiment"].setdefault(sentiment, []).append(text)
    return {key: {label: tuple(texts) for label, texts in by.items()} for key, by in found.items()}


def _labelled_drafts(path: Path) -> tuple[dict[str, Any], ...]:
    """Agents' drafts, good and faulty, with each faulty phrase marked as it appears in the draft."""
    if not path.exists():
        return ()
    drafts = []
    with path.open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                draft, flags = str(row["draft"]), list(row["flags"])
                for flag in flags:
                    if flag["kind"] not in FLAG_KINDS or (flag["span"] and flag["span"] not in draft):
                        raise ValueError(f"flag {flag} is not a known kind marked in the draft")
            except (ValueError, KeyError, TypeError) as exc:
                raise PlaybookError(f"{path}:{number}: {exc}") from exc
            drafts.append(row)
    return tuple(drafts)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PlaybookError(f"{path}: {exc}") from exc


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = table.get(key)
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise PlaybookError(f"{where}.{key} must be a non-empty list of strings")
    return tuple(values)


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE | re.MULTILINE))
        except re.error as exc:
            raise PlaybookError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return tuple(compiled)


def _flag_kind(kind: str, table: dict[str, Any] | None) -> FlagKind:
    if table is None:
        raise PlaybookError(f"checks.toml lacks kinds.{kind}")
    patterns = table.get("patterns", {})
    if kind not in CONTEXT_KINDS and not patterns:
        raise PlaybookError(f"kinds.{kind} needs patterns")
    return FlagKind(
        kind=kind,
        label=dict(table["label"]),
        advice=dict(table["advice"]),
        suggestion=dict(table["suggestion"]),
        patterns={lang: _compile(p, f"kinds.{kind}.{lang}") for lang, p in patterns.items()},
    )


def _replies(table: dict[str, Any]) -> Replies:
    openings = {state: {lang: tuple(v) for lang, v in table["openings"][state].items()} for state in STATES}
    bodies = {intent: {lang: tuple(v) for lang, v in table["intents"][intent].items()} for intent in INTENTS}
    return Replies(
        openings=openings,
        empathy={lang: tuple(v) for lang, v in table["empathy"].items()},
        closings={lang: tuple(v) for lang, v in table["closings"].items()},
        bodies=bodies,
        refusal=dict(table["refusal"]),
        greetings=dict(table["greetings"]),
    )
