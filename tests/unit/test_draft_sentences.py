"""What the sentence judge learns from a labelled draft, without the model: sentences, their offsets, and the
marked phrases; and that a draft re-checked as it is typed embeds only what changed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from crossdesk.coach.draft_sentences import OK, labelled_sentences, split_sentences
from crossdesk.coach.embeddings import RecentVectors, Vectors


def test_sentences_keep_their_offsets_and_decimal_points() -> None:
    text = "The parcel weighs 3.5 kg. It ships today!  到了吗？好的"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["The parcel weighs 3.5 kg.", "It ships today!", "到了吗？", "好的"]
    assert all(text[s.start : s.start + len(s.text)] == s.text for s in sentences)


def test_a_marked_phrase_labels_its_sentence_and_is_learnt_on_its_own() -> None:
    draft = {
        "draft": "Customs in Brazil is slow, that's out of our hands, sorry. Tracking: LP123.",
        "flags": [
            {"kind": "blame_shifting", "span": "that's out of our hands"},
            {"kind": "missing_empathy", "span": ""},  # an absence labels no sentence
        ],
    }
    examples = labelled_sentences([draft])
    assert examples["blame_shifting"] == [
        "Customs in Brazil is slow, that's out of our hands, sorry.",
        "that's out of our hands",
    ]
    assert examples[OK] == ["Tracking: LP123."]


def test_a_phrase_that_is_a_whole_sentence_or_too_short_is_not_added_twice() -> None:
    draft = {
        "draft": "It is normal. Not our fault, ok?",
        "flags": [
            {"kind": "vague_non_answer", "span": "It is normal."},
            {"kind": "blame_shifting", "span": "our fault"},  # two words: no fault of its own
        ],
    }
    examples = labelled_sentences([draft])
    assert examples["vague_non_answer"] == ["It is normal."]
    assert examples["blame_shifting"] == ["Not our fault, ok?"]
    assert examples[OK] == []


class CountingEmbedder:
    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.embedded += texts
        return np.array([[len(text), 1.0] for text in texts], dtype=np.float32)


def test_recent_vectors_embed_each_text_once_and_forget_the_oldest() -> None:
    embedder = CountingEmbedder()
    recent = RecentVectors(embedder, size=2)
    first = recent.vectors(["a b", "c d e", "a b"])
    assert [v[0] for v in first] == [3, 5, 3] and embedder.embedded == ["a b", "c d e"]
    recent.vectors(["c d e", "f"])  # "a b" is now the oldest of three: forgotten
    assert embedder.embedded == ["a b", "c d e", "f"]
    recent.vectors(["a b"])
    assert embedder.embedded == ["a b", "c d e", "f", "a b"]
