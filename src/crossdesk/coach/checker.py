"""Checking an agent's draft against the playbook before it is sent: what hurts, where, why, and what to
write instead.

Three layers, from the most to the least certain: the playbook's patterns (exact phrasings, zh and en);
a sentence classifier trained on the playbook's example sentences of each kind and of fine sentences,
which catches paraphrases in any language the embeddings know; and the context kinds (missing empathy,
missing next step), decided from what the buyer asked and how they feel."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from crossdesk.coach.classifier import ExampleClassifier
from crossdesk.coach.embeddings import Embedder, ExampleCache
from crossdesk.coach.playbook import CONTEXT_KINDS, Playbook

# Intents where the buyer is waiting on something: a reply without a status or a next step fails them.
NEEDS_NEXT_STEP = frozenset({"shipping_status", "damaged_or_defective", "return_or_refund"})
FALLBACK_LANGUAGE = "en"
FINE = "fine"
# A sentence is flagged by the classifier only when it is this sure; tuned on the development drafts for
# no false alarms on good replies (bench/coach_eval.py --set dev).
SENTENCE_THRESHOLD = 0.97
# Sentence ends, keeping the punctuation with the sentence; also line breaks.
_SENTENCE = re.compile(r"[^。！？!?.;；\n]+[。！？!?.;；]*", re.UNICODE)
_WORDS = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Flag:
    kind: str
    span: str  # "" for an absence
    start: int  # -1 for an absence
    end: int
    label: str
    advice: str
    suggestion: str

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "span": self.span,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "advice": self.advice,
            "suggestion": self.suggestion,
        }


class DraftChecker:
    def __init__(
        self, playbook: Playbook, embedder: Embedder | None = None, cache: ExampleCache | None = None
    ) -> None:
        self.playbook = playbook
        self.embedder = embedder
        self.cache = cache
        self._sentences: ExampleClassifier | None = None
        self._lock = threading.Lock()

    @property
    def sentence_classifier(self) -> ExampleClassifier | None:
        """Built on first use; None without an embedder or without example sentences in the playbook."""
        if self.embedder is None:
            return None
        with self._lock:
            if self._sentences is None:
                examples = {FINE: _all(self.playbook.fine_examples)}
                for kind in self.playbook.kinds.values():
                    if kind.kind not in CONTEXT_KINDS and kind.examples:
                        examples[kind.kind] = _all(kind.examples)
                if len(examples) < 2 or not examples[FINE]:
                    return None
                self._sentences = ExampleClassifier(self.embedder, examples, list(examples), self.cache)
            return self._sentences

    @property
    def languages(self) -> frozenset[str]:
        """Languages the pattern checks are written for."""
        return frozenset(lang for kind in self.playbook.kinds.values() for lang in kind.patterns)

    def check(
        self, text: str, language: str, intent: str | None = None, buyer_sentiment: str | None = None
    ) -> list[Flag]:
        """Flags in the order they occur in the text (one per offending phrase); absences last."""
        advice_language = language if language in {"zh", "en"} else FALLBACK_LANGUAGE
        flags: list[Flag] = []
        for kind in self.playbook.kinds.values():
            # Every offending phrase once, in its longest reading when several patterns match around it.
            matches = [
                m for p in kind.patterns.get(language, ()) for m in p.finditer(text) if m.group(0).strip()
            ]
            taken: list[tuple[int, int]] = []
            for match in sorted(matches, key=lambda m: m.end() - m.start(), reverse=True):
                start, end = match.span()
                if not any(start < e and s < end for s, e in taken):
                    taken.append((start, end))
                    flags.append(self._flag(kind.kind, advice_language, match.group(0), start))
        flags.extend(self._sentence_flags(text, advice_language, {flag.kind for flag in flags}))
        flags.sort(key=lambda flag: flag.start)
        if buyer_sentiment == "negative" and not self._has(text, "empathy", language):
            flags.append(self._flag("missing_empathy", advice_language))
        if intent in NEEDS_NEXT_STEP and not self._has(text, "next_step", language):
            flags.append(self._flag("missing_next_step", advice_language))
        return flags

    def _sentence_flags(self, text: str, language: str, found: set[str]) -> list[Flag]:
        classifier = self.sentence_classifier
        if classifier is None or self.embedder is None:
            return []
        sentences = [m for m in _SENTENCE.finditer(text) if len(_WORDS.findall(m.group(0))) >= 3]
        if not sentences:
            return []
        vectors = self.embedder.embed([m.group(0).strip() for m in sentences])
        flags = []
        for match, scores in zip(sentences, classifier.scores_many(vectors), strict=True):
            kind, probability = max(scores.items(), key=lambda item: item[1])
            if kind != FINE and kind not in found and probability >= SENTENCE_THRESHOLD:
                found.add(kind)
                flags.append(self._flag(kind, language, match.group(0), match.start()))
        return flags

    def _has(self, text: str, marker: str, language: str) -> bool:
        patterns = self.playbook.markers[marker].get(language)
        if patterns is None:
            return True  # no markers for this language: say nothing rather than guess
        return any(pattern.search(text) for pattern in patterns)

    def _flag(self, kind: str, language: str, span: str = "", start: int = -1) -> Flag:
        entry = self.playbook.kinds[kind]
        return Flag(
            kind=kind,
            span=span.strip(),
            start=start if start < 0 else start + (len(span) - len(span.lstrip())),
            end=start + len(span.rstrip()) if start >= 0 else -1,
            label=entry.label.get(language, kind),
            advice=entry.advice.get(language, ""),
            suggestion=entry.suggestion.get(language, ""),
        )


def _all(by_language: dict[str, tuple[str, ...]]) -> list[str]:
    return [text for texts in by_language.values() for text in texts]
