"""Classifying text by the playbook's examples: a softmax (multinomial logistic) layer over sentence
embeddings, trained on the examples when the coach starts (well under a second for a few hundred),
optionally blended with the examples' wording (coach/wording.py).

On 6-fold cross-validation over the intent examples it beat voting by the k nearest examples (intent 97%
against 73-81%, sentiment 91% against 89%): a support lead still steers it only by editing examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from crossdesk.coach.embeddings import Embedder, ExampleCache, Vectors
from crossdesk.coach.wording import WordingModel


class ExampleClassifier:
    """Labels -> examples in, probabilities per label out.

    `wording_weight` > 0 blends in a naive Bayes over the examples' character n-grams: the classifier's
    logits plus that weight times the n-grams' log-likelihoods (a product of the two models, the wording
    tempered because naive Bayes is overconfident)."""

    TEMPERATURE = 10.0  # embeddings are unit vectors with cosines bunched in 0.7-0.9: spread them
    L2 = 1e-4
    STEPS = 1000  # chosen by 5-fold cross-validation over the examples: 300 underfit (sentiment 84% vs 91%)
    LEARNING_RATE = 2.0

    def __init__(
        self,
        embedder: Embedder,
        examples: Mapping[str, Sequence[str]],
        labels: Sequence[str],
        cache: ExampleCache | None = None,
        wording_weight: float = 0.0,
    ) -> None:
        self.labels = tuple(labels)
        self.wording_weight = wording_weight
        self._wording = WordingModel(examples, labels) if wording_weight else None
        texts = [text for label in labels for text in examples[label]]
        targets = np.array([i for i, label in enumerate(labels) for _ in examples[label]])
        vectors = (cache or ExampleCache(None)).embed(embedder, texts).astype(np.float64)
        onehot = np.eye(len(labels))[targets]
        self._weights = np.zeros((vectors.shape[1], len(labels)))
        self._bias = np.zeros(len(labels))
        for _ in range(self.STEPS):
            gradient = (self._softmax(vectors) - onehot) / len(targets)
            self._weights -= self.LEARNING_RATE * (vectors.T @ gradient + self.L2 * self._weights)
            self._bias -= self.LEARNING_RATE * gradient.sum(axis=0)

    def _softmax(
        self, vectors: npt.NDArray[np.float64], wording: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.float64]:
        logits = (vectors @ self._weights + self._bias) * self.TEMPERATURE
        if wording is not None:
            logits += self.wording_weight * wording
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        result: npt.NDArray[np.float64] = odds / odds.sum(axis=1, keepdims=True)
        return result

    def scores(self, vector: Vectors, text: str | None = None) -> dict[str, float]:
        """Probability per label of the text whose embedding is `vector`; its wording counts when the
        classifier blends it in and the text is given."""
        wording = None
        if self._wording is not None and text is not None:
            wording = self._wording.log_likelihoods(text)[None, :]
        odds = self._softmax(vector.astype(np.float64)[None, :], wording)[0]
        return {label: float(odds[i]) for i, label in enumerate(self.labels)}
