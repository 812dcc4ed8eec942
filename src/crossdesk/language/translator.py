"""The one translation interface. The base class owns what every engine needs the same way: messages
that need no translation, chunking, timeouts, retries, the fallback engine, and the checks afterwards;
a provider implements `_translate` for one piece of text."""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from crossdesk.language import checks, quality
from crossdesk.language.glossary import Glossary, TermPair
from crossdesk.language.text import chunks, needs_translation

log = logging.getLogger(__name__)

# Languages written without spaces between sentences.
NO_SPACES = frozenset({"zh", "ja", "th"})


class TranslationError(Exception):
    """No engine produced a usable translation."""


class ProviderError(Exception):
    """One engine failed on one attempt (unreachable, bad answer); the base class retries or falls back."""


@dataclass(frozen=True, slots=True)
class TranslationRequest:
    text: str
    source: str
    target: str
    glossary: Glossary = field(default_factory=Glossary)


@dataclass(frozen=True, slots=True)
class Translation:
    text: str
    source_language: str
    target_language: str
    engine: str
    needed: bool = True
    # "Machine translation, check before sending": a weak pair for this engine, or a failed check.
    review: bool = False
    issues: tuple[str, ...] = ()
    elapsed_ms: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "source_language": self.source_language,
            "target_language": self.target_language,
            "translation": self.text,
            "engine": self.engine,
            "needed": self.needed,
            "review": self.review,
            "issues": list(self.issues),
        }


class Translator(ABC):
    name = "translator"

    def __init__(
        self,
        *,
        timeout_s: float = 120.0,
        retries: int = 1,
        retry_delay_s: float = 0.5,
        max_chunk_chars: int = 600,
        fallback: Translator | None = None,
    ) -> None:
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_delay_s = retry_delay_s
        self.max_chunk_chars = max_chunk_chars
        self.fallback = fallback

    async def translate(self, request: TranslationRequest) -> Translation:
        started = time.perf_counter()
        if request.source == request.target or not needs_translation(request.text):
            return Translation(request.text, request.source, request.target, self.name, needed=False)
        try:
            text, terms = await self._translate_all(request)
        except ProviderError as exc:
            if self.fallback is None:
                raise TranslationError(str(exc)) from exc
            log.warning("translation failed, trying the fallback", extra={"engine": self.name})
            return await self.fallback.translate(request)
        found = checks.issues(request.text, text, request.target, terms)
        weak = quality.is_weak(self.name, request.source, request.target)
        return Translation(
            text,
            request.source,
            request.target,
            self.name,
            review=weak or bool(found),
            issues=tuple(found),
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    async def _translate_all(self, request: TranslationRequest) -> tuple[str, list[TermPair]]:
        all_terms: list[TermPair] = []
        out: list[str] = []
        for piece in chunks(request.text, self.max_chunk_chars):
            core = piece.strip()
            if not needs_translation(core):
                out.append(piece)
                continue
            terms = request.glossary.pairs_for(core, request.source, request.target)
            all_terms += terms
            translated = await self._with_retries(core, request.source, request.target, terms)
            trailing = piece[len(piece.rstrip()) :]
            if "\n" in trailing:
                out.append(translated + trailing)
            else:
                out.append(translated + ("" if request.target in NO_SPACES else " "))
        return "".join(out).strip(), all_terms

    async def _with_retries(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        last: Exception | None = None
        wrong_script: str | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(self.retry_delay_s * 2 ** (attempt - 1))
            try:
                result = await asyncio.wait_for(self._translate(text, source, target, terms), self.timeout_s)
            except TimeoutError as exc:
                last = exc
                continue
            except ProviderError as exc:
                last = exc
                continue
            if not result.strip():
                last = ProviderError("empty answer")
                continue
            if checks.in_target_script(result, target):
                return result.strip()
            wrong_script = result.strip()  # maybe right ("iPhone 15"); the checks will flag it if not
        if wrong_script is not None:
            return wrong_script
        raise ProviderError(f"{self.name}: {last or 'no answer'}")

    @abstractmethod
    async def _translate(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        """Translate one piece of text (a few sentences). Raise ProviderError on failure."""

    async def aclose(self) -> None:
        if self.fallback is not None:
            await self.fallback.aclose()
