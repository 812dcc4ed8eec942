"""Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, a cloud API) as a translator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from crossdesk.language.glossary import TermPair
from crossdesk.language.prompts import clean_reply, translation_messages
from crossdesk.language.translator import ProviderError, Translator


class OpenAICompatibleTranslator(Translator):
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str = "", **options: Any) -> None:
        super().__init__(**options)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=self.timeout_s
        )
        self._model = model

    async def _translate(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        body = {
            "model": self._model,
            "messages": translation_messages(text, source, target, terms),
            "temperature": 0,
            "max_tokens": min(2048, 64 + 3 * len(text)),
        }
        try:
            response = await self._client.post("/chat/completions", json=body)
        except httpx.HTTPError as exc:
            raise ProviderError(f"endpoint unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ProviderError(f"endpoint answered HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ProviderError("endpoint answered without a chat completion") from exc
        return clean_reply(str(content or ""), text)

    async def aclose(self) -> None:
        await self._client.aclose()
        await super().aclose()
