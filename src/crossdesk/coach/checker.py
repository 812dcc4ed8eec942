"""Checking an agent's draft against the playbook before it is sent: what hurts, where, why, and what to
write instead.

Three layers: the playbook's patterns (phrasings per language, zh and en); when given, a judge that reads
each sentence with a classifier trained on the playbook's labelled drafts (coach/draft_sentences.py), for
faults phrased in ways no pattern lists; and the context kinds (missing empathy, missing next step),
decided from what the buyer asked and how they feel, the next step also by a judge of whole replies
(coach/next_step.py). A false alarm costs more than a miss (agents stop
reading flags that are wrong), so the judge only speaks when confident."""

from __future__ import annotations

from dataclasses import dataclass

from crossdesk.coach.draft_sentences import SentenceJudge
from crossdesk.coach.next_step import NEEDS_NEXT_STEP, NextStepJudge
from crossdesk.coach.playbook import Playbook

FALLBACK_LANGUAGE = "en"
ADVICE_LANGUAGES = frozenset({"zh", "en"})


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
        self,
        playbook: Playbook,
        judge: SentenceJudge | None = None,
        next_step: NextStepJudge | None = None,
    ) -> None:
        self.playbook = playbook
        self.judge = judge
        self.next_step = next_step

    def check(
        self,
        text: str,
        language: str,
        intent: str | None = None,
        buyer_sentiment: str | None = None,
        advice_language: str | None = None,
    ) -> list[Flag]:
        """Flags in the order they occur in the text (one per offending phrase); absences last. Advice is
        in `advice_language` (the reader's; the text's own by default) where the playbook has it."""
        advice_language = advice_language or language
        if advice_language not in ADVICE_LANGUAGES:
            advice_language = FALLBACK_LANGUAGE
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
        if self.judge is not None:
            for judged, sentence in self.judge.judge(text):
                end = sentence.start + len(sentence.text)
                # A sentence a pattern already flagged for this kind is not flagged twice.
                if not any(f.kind == judged and f.start < end and sentence.start < f.end for f in flags):
                    flags.append(self._flag(judged, advice_language, sentence.text, sentence.start))
        flags.sort(key=lambda flag: flag.start)
        if buyer_sentiment == "negative" and not self._has(text, "empathy", language):
            flags.append(self._flag("missing_empathy", advice_language))
        if intent in NEEDS_NEXT_STEP and self._lacks_next_step(text, language):
            flags.append(self._flag("missing_next_step", advice_language))
        return flags

    def _lacks_next_step(self, text: str, language: str) -> bool:
        """No marker of a step, or (where markers exist, so the judge knows the language's drafts) words of
        action that the judge reads as a vague promise."""
        if not self._has(text, "next_step", language):
            return True
        known = language in self.playbook.markers["next_step"]
        return known and self.next_step is not None and self.next_step.lacks_next_step(text)

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
