"""The examples' wording beside their meaning: the n-gram model alone, and blended into a classifier whose
embedding cannot tell the labels apart."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

import numpy as np

from crossdesk.coach.classifier import ExampleClassifier
from crossdesk.coach.draft_sentences import WORDING_WEIGHT  # the judge's
from crossdesk.coach.embeddings import Vectors
from crossdesk.coach.wording import WordingModel, ngrams

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


class EvenOdds(ExampleClassifier):
    """No training steps: the embedding's part gives every label the same odds, so only the wording can
    decide."""

    STEPS = 0


def test_wording_prefers_the_label_whose_examples_share_the_words() -> None:
    model = WordingModel(EXAMPLES, LABELS)
    english = model.log_likelihoods("Sorry, the weather is out of our hands.")
    chinese = model.log_likelihoods("航班延误我们也管不了。")  # no spaces: character n-grams still match
    owned = model.log_likelihoods("I've reshipped it, tracking link below.")
    assert english[1] == 0.0 > english[0]
    assert chinese[1] == 0.0 > chinese[0]
    assert owned[0] == 0.0 > owned[1]


def test_ngrams_hash_the_same_in_every_process() -> None:
    # Python's hash() is salted per process: the n-gram table, and the coach's figures, would vary by run.
    code = "from crossdesk.coach.wording import ngrams; print(sorted(ngrams('Out of  our HANDS')))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == str(sorted(ngrams("out of our hands")))


def test_a_classifier_blind_to_meaning_decides_by_wording_only_when_asked() -> None:
    embedder = NoMeaning()
    vector = embedder.embed(["x"])[0]
    blind = EvenOdds(embedder, EXAMPLES, LABELS)
    blended = EvenOdds(embedder, EXAMPLES, LABELS, wording_weight=WORDING_WEIGHT)
    text = "Sorting centres are busy, it is out of our hands."
    assert abs(blind.scores(vector, text)["blame_shifting"] - 0.5) < 1e-6
    assert blended.scores(vector, text)["blame_shifting"] > 0.9
    assert blended.scores(vector, "I've reshipped it today.")["ok"] > 0.9
    # Without the text, the blended classifier is the embedding's alone.
    assert abs(blended.scores(vector)["blame_shifting"] - 0.5) < 1e-6
