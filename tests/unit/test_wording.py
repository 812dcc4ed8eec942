"""The examples' wording beside their meaning: n-gram features, and a classifier whose embedding cannot tell
the labels apart deciding by the wording alone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import numpy as np

from crossdesk.coach.classifier import ExampleClassifier
from crossdesk.coach.embeddings import Vectors
from crossdesk.coach.wording import Vocabulary, ngrams

EXAMPLES = {
    "ok": [
        "I've reshipped it today, here is the tracking link.",
        "我今天给您补发，单号发您。",
        "Thanks for the photo, a replacement ships tomorrow.",
    ],
    "blame_shifting": [
        "Customs is slow this month, that is out of our hands.",
        "快递那边的事我们管不了。",
        "Delays at the local post are out of our hands.",
    ],
}
LABELS = ("ok", "blame_shifting")


class NoMeaning:
    """An embedder that finds no meaning in any text (a zero vector)."""

    def embed(self, texts: Sequence[str]) -> Vectors:
        return np.zeros((len(texts), 4), dtype=np.float32)


def test_ngrams_hash_the_same_in_every_process() -> None:
    # Python's hash() is salted per process: the n-gram table, and the coach's figures, would vary by run.
    code = "from crossdesk.coach.wording import ngrams; print(sorted(ngrams('Out of  our HANDS')))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == str(sorted(ngrams("out of our hands")))


def test_a_text_of_known_ngrams_has_unit_length_and_unknown_ones_count_for_nothing() -> None:
    vocabulary = Vocabulary(["out of our hands"])
    known, partly, unknown = vocabulary.matrix(["Out of our HANDS", "out of stock", "完全不同"]).toarray()
    assert abs(np.linalg.norm(known) - 1.0) < 1e-9
    assert 0.0 < np.linalg.norm(partly) < 1.0  # " out of " is known, "stock" is not
    assert not unknown.any()


def test_a_classifier_blind_to_meaning_decides_by_wording() -> None:
    embedder = NoMeaning()
    vector = embedder.embed(["x"])[0]
    classifier = ExampleClassifier(embedder, EXAMPLES, LABELS)
    busy = "Sorting centres are busy, it is out of our hands."
    assert classifier.scores(vector, busy)["blame_shifting"] > 0.8
    assert classifier.scores(vector, "航班延误我们也管不了。")["blame_shifting"] > 0.8  # no spaces needed
    assert classifier.scores(vector, "I've reshipped it, tracking link below.")["ok"] > 0.8
