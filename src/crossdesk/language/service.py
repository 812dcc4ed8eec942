"""The language services of one process, built from the settings: a detector and a translator chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crossdesk.config import Settings
from crossdesk.language.detect import EmbeddedDetector, LanguageDetector
from crossdesk.language.translator import Translator

KNOWN_ENGINES = ("embedded", "openai", "libretranslate")


class ConfigurationError(Exception):
    pass


@dataclass
class LanguageService:
    detector: LanguageDetector
    translator: Translator | None  # None: translation is off

    async def aclose(self) -> None:
        if self.translator is not None:
            await self.translator.aclose()


def build_language(settings: Settings) -> LanguageService:
    translator: Translator | None = None
    # Build from the last fallback to the first, so each engine knows the one after it.
    for name in reversed(settings.translator_names):
        translator = _engine(name, settings, fallback=translator)
    return LanguageService(EmbeddedDetector(), translator)


def _engine(name: str, settings: Settings, fallback: Translator | None) -> Translator:
    options: dict[str, Any] = {
        "timeout_s": settings.translation_timeout_s,
        "retries": settings.translation_retries,
        "fallback": fallback,
    }
    if name == "embedded":
        from crossdesk.providers.llama_cpp import LlamaCppTranslator, LocalLlm

        return LlamaCppTranslator(LocalLlm(settings.models_dir, settings.llm_threads), **options)
    if name == "openai":
        if not settings.openai_base_url or not settings.openai_model:
            raise ConfigurationError("the openai translator needs CROSSDESK_OPENAI_BASE_URL and _MODEL")
        from crossdesk.providers.openai_compatible import OpenAICompatibleTranslator

        key = settings.openai_api_key.get_secret_value()
        return OpenAICompatibleTranslator(settings.openai_base_url, settings.openai_model, key, **options)
    if name == "libretranslate":
        if not settings.libretranslate_url:
            raise ConfigurationError("the libretranslate translator needs CROSSDESK_LIBRETRANSLATE_URL")
        from crossdesk.providers.libretranslate import LibreTranslateTranslator

        key = settings.libretranslate_api_key.get_secret_value()
        return LibreTranslateTranslator(settings.libretranslate_url, key, **options)
    raise ConfigurationError(f"unknown translator {name!r}; choose from {', '.join(KNOWN_ENGINES)} or none")
