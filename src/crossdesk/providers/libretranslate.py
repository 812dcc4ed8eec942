"""A LibreTranslate server (self-hosted machine translation) by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from crossdesk.language.glossary import TermPair
from crossdesk.language.translator import ProviderError, Translator


class LibreTranslateTranslator(Translator):
    name = "libretranslate"

    def __init__(self, url: str, api_key: str = "", **options: Any) -> None:
        super().__init__(**options)
        self._client = httpx.AsyncClient(base_url=url.rstrip("/"), timeout=self.timeout_s)
        self._api_key = api_key

    async def _translate(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        # LibreTranslate has no glossary: the base class's checks flag a term it got wrong.
        body = {"q": text, "source": source, "target": target, "format": "text"}
        if self._api_key:
            body["api_key"] = self._api_key
        try:
            response = await self._client.post("/translate", json=body)
        except httpx.HTTPError as exc:
            raise ProviderError(f"LibreTranslate unreachable: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise ProviderError(f"LibreTranslate answered HTTP {response.status_code}")
        try:
            return str(response.json()["translatedText"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError("LibreTranslate answered without translatedText") from exc

    async def aclose(self) -> None:
        await self._client.aclose()
        await super().aclose()
