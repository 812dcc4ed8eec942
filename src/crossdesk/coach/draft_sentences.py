"""The second layer of the draft check: each sentence of a draft read by a classifier trained on the
playbook's labelled drafts (agents' real replies, with the phrases a lead marked), so that blame or
condescension phrased in a way no pattern lists is still caught.

Why both layers: every writer phrases faults their own way. Held out one writer at a time over ten writers'
2,048 labelled drafts, the patterns alone find 49% of the faults (and were refined on those drafts, which
flatters them); with this layer, 75% at 90% precision, with 97.1% of good replies still unflagged
(docs/benchmarks.md; over fourteen writers' 2,847 drafts, with the next-step judge: 81% at 91%, 96.5%).
THRESHOLD: the judge flags a sentence it finds more likely faulty than not. By the rule used before (the
lowest threshold tried whose good-reply figure stays two standard errors above the 95% target, 96.5% over
897 good drafts) 0.4 would do; 0.5 keeps a margin because held-out writers overstated what fresh writers got
by 2 to 5 points. Measured with `python bench/coach_eval.py --set dev --threshold T`. The playbook's own
recommended phrasings are examples of good sentences."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crossdesk.coach.classifier import ExampleClassifier
from crossdesk.coach.embeddings import Embedder, ExampleCache, RecentVectors

OK = "ok"
# The kinds a sentence can carry (absences, such as missing empathy, are judged on the whole draft).
SENTENCE_KINDS = ("blame_shifting", "vague_non_answer", "canned_opening", "condescending", "over_promising")
THRESHOLD = 0.5
# A sentence ends at Chinese or Latin end punctuation; a "." ends one only before a space ("3.5 kg" does not).
_SENTENCE = re.compile(r"(?:[^。！？!?；;.\n]|\.(?!\s|$))+(?:[。！？!?；;\n]+|\.(?=\s|$)|$)")
_RECENT = 2048  # sentence vectors kept (coach/embeddings.py RecentVectors)
# A sentence of one or two words ("Hello!", "您好！") carries no fault of its own: whether a greeting is
# canned depends on what follows, which the patterns read. In scripts written without spaces (Han, kana,
# Thai) each character counts as a word.
MIN_WORDS = 3
_UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\s{_UNSPACED}]*[^\W\d_][^\s{_UNSPACED}]*")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets, in Chinese and in languages that end them with ". ", "!" or "?"."""
    found = []
    for match in _SENTENCE.finditer(text):
        raw = match.group(0)
        stripped = raw.strip()
        if stripped:
            found.append(Sentence(stripped, match.start() + len(raw) - len(raw.lstrip())))
    return found


def judge_examples(
    drafts: Sequence[Mapping[str, object]], good_phrasings: Sequence[str]
) -> dict[str, list[str]]:
    """What the judge learns from: the labelled drafts' sentences, and the playbook's recommended phrasings
    as good examples."""
    examples = labelled_sentences(drafts)
    examples[OK] += list(good_phrasings)
    return examples


def phrasing_pattern(phrasing: str) -> re.Pattern[str]:
    """A playbook phrasing as a pattern: its {{facts}} and {name} match whatever fills them."""
    parts = re.split(r"(\{\{[^}]*\}\}|\{name\})", phrasing)
    return re.compile("".join(".*?" if part.startswith("{") else re.escape(part) for part in parts))


def labelled_sentences(drafts: Sequence[Mapping[str, object]]) -> dict[str, list[str]]:
    """Every sentence of the labelled drafts under the kind of the marked phrase it holds, or "ok"; and
    each marked phrase that is only part of its sentence, on its own: the fault's words without the facts
    around them (held out by writer, 68% of faulty sentences caught instead of 66%, with as few good
    replies flagged)."""
    examples: dict[str, list[str]] = {OK: [], **{kind: [] for kind in SENTENCE_KINDS}}
    for draft in drafts:
        flags = draft.get("flags") or []
        marked = [
            (str(flag["kind"]), str(flag["span"]).strip())
            for flag in flags  # type: ignore[attr-defined]
            if flag["span"] and flag["kind"] in SENTENCE_KINDS
        ]
        sentences = [sentence.text for sentence in split_sentences(str(draft["draft"]))]
        for sentence in sentences:
            kinds = [kind for kind, span in marked if span in sentence or sentence in span]
            examples[kinds[0] if kinds else OK].append(sentence)
        for kind, span in marked:
            if span not in sentences and len(_WORD.findall(span)) >= MIN_WORDS:
                examples[kind].append(span)
    return examples


class SentenceJudge:
    def __init__(
        self,
        embedder: Embedder,
        examples: Mapping[str, Sequence[str]],
        cache: ExampleCache | None = None,
        threshold: float = THRESHOLD,
        exempt: Sequence[str] = (),
    ) -> None:
        """`exempt`: the playbook's own phrasings; a sentence taken from one is never judged (the coach
        does not flag its own suggestions)."""
        self.threshold = threshold
        # Each sentence of each phrasing, matched whole once its facts are filled in.
        self._exempt = [
            (part.text, phrasing_pattern(part.text))
            for phrasing in exempt
            for part in split_sentences(phrasing)
        ]
        self.classifier = ExampleClassifier(embedder, examples, (OK, *SENTENCE_KINDS), cache)
        self._recent = RecentVectors(embedder, _RECENT)

    def judge(self, text: str) -> list[tuple[str, Sentence]]:
        """(kind, sentence) for each sentence confidently read as a fault, in order."""
        sentences = [
            s
            for s in split_sentences(text)
            if len(_WORD.findall(s.text)) >= MIN_WORDS and not self._from_playbook(s.text)
        ]
        vectors = self._recent.vectors([s.text for s in sentences])
        found = []
        for sentence, vector in zip(sentences, vectors, strict=True):
            scores = self.classifier.scores(vector, sentence.text)
            kind = max(scores, key=lambda k: scores[k])
            if kind != OK and scores[kind] >= self.threshold:
                found.append((kind, sentence))
        return found

    def _from_playbook(self, sentence: str) -> bool:
        """Part of a recommended phrasing, as written or with its facts filled in."""
        return any(sentence in part or pattern.fullmatch(sentence) for part, pattern in self._exempt)
