"""The embedded LLM: llama.cpp through llama-cpp-python, on one dedicated thread.

The model is not thread-safe and a forward pass takes both cores, so every call runs on a single worker
thread at lower CPU priority: the event loop keeps serving sockets while a translation runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from crossdesk.cpu import low_priority_executor
from crossdesk.language.glossary import TermPair
from crossdesk.language.prompts import Message, clean_reply, translation_messages
from crossdesk.language.translator import ProviderError, Translator
from crossdesk.providers.packaged_model import ensure_model

# Niceness of the model thread (and the threads llama.cpp starts from it, which inherit it).
MODEL_NICENESS = 10
CONTEXT_TOKENS = 2048


class LocalLlm:
    """A lazily loaded llama.cpp model shared by everything in the process that needs the embedded LLM."""

    def __init__(self, models_dir: Path, threads: int = 2) -> None:
        self._models_dir = models_dir
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._model: Any = None
        self._lock = threading.Lock()

    async def chat(self, messages: Sequence[Message], max_tokens: int) -> str:
        if self._executor is None:  # started on first use, and again after close()
            self._executor = low_priority_executor("crossdesk-llm", MODEL_NICENESS)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._chat, list(messages), max_tokens)

    def _chat(self, messages: list[Message], max_tokens: int) -> str:
        model = self._load()
        out = model.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1, repeat_penalty=1.05
        )
        return str(out["choices"][0]["message"]["content"] or "")

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from llama_cpp import Llama
                except ImportError as exc:
                    raise ProviderError("llama-cpp-python is not installed (make run installs it)") from exc
                path = ensure_model(self._models_dir)
                self._model = Llama(
                    model_path=str(path), n_ctx=CONTEXT_TOKENS, n_threads=self._threads, verbose=False
                )
            return self._model

    def close(self) -> None:
        """Stop the model thread; the loaded weights stay for a later call (they are mmapped, shared)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


class LlamaCppTranslator(Translator):
    name = "embedded"

    def __init__(self, llm: LocalLlm, **options: Any) -> None:
        super().__init__(**options)
        self._llm = llm

    async def _translate(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        # Chinese needs about one token a character; other scripts fewer. Room for a wordier language.
        budget = min(1024, 64 + 3 * len(text))
        try:
            reply = await self._llm.chat(translation_messages(text, source, target, terms), budget)
        except ProviderError:
            raise
        except Exception as exc:  # llama.cpp raises plain exceptions (context overflow, load failure)
            raise ProviderError(f"embedded model failed: {type(exc).__name__}") from exc
        return clean_reply(reply, text)

    async def aclose(self) -> None:
        self._llm.close()
        await super().aclose()
