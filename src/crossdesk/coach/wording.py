"""The wording of a text as features: its character n-grams, hashed.

A sentence embedding keeps what a text is about and blurs how it is put; faults in a draft live in the
putting ("很简单的呀", "which is out of our hands", "most buyers who ..."). Character n-grams need no
tokenizer, so Chinese and Thai work like English. The classifier (coach/classifier.py) reads them beside the
embedding."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

SIZES = (2, 3, 4)
BUCKETS = 1 << 18  # collisions stay rare for a few thousand examples


def ngrams(text: str) -> set[int]:
    """The distinct hashed character n-grams of the lower-cased text, spaces squeezed and a space at each end
    so that word starts and ends are n-grams of their own. crc32, not hash(): Python salts hash() per
    process, so which n-grams collide, and every measured figure, would change from one run to the next."""
    padded = " " + " ".join(text.lower().split()) + " "
    return {
        zlib.crc32(padded[i : i + n].encode("utf-8")) % BUCKETS
        for n in SIZES
        for i in range(len(padded) - n + 1)
    }


class Vocabulary:
    """The n-grams of the training texts, numbered. A text's features are its n-grams the vocabulary knows,
    each worth 1/sqrt(the number of its n-grams): the vector has unit length like an embedding, so neither
    part outweighs the other by scale, and a long sentence is not more certain for being long."""

    def __init__(self, texts: Iterable[str]) -> None:
        seen: set[int] = set()
        for text in texts:
            seen |= ngrams(text)
        self._index = {gram: column for column, gram in enumerate(sorted(seen))}

    def __len__(self) -> int:
        return len(self._index)

    def columns(self, text: str) -> tuple[list[int], float]:
        """The columns of the text's known n-grams and the weight each carries."""
        grams = ngrams(text)
        known = [self._index[gram] for gram in grams if gram in self._index]
        return known, 1.0 / np.sqrt(max(1, len(grams)))

    def matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        indptr, indices, values = [0], [], []
        for text in texts:
            known, weight = self.columns(text)
            indices += known
            values += [weight] * len(known)
            indptr.append(len(indices))
        return sparse.csr_matrix(
            (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
            shape=(len(texts), len(self)),
        )
