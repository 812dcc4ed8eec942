"""The engines themselves, for real: the embedded model translates zh<->en honouring a glossary; the CLI
prints the documented JSON; the OpenAI-compatible provider talks to a real OpenAI-compatible server
(llama.cpp's own, on loopback, serving the same embedded model); a dead endpoint falls back to the next
engine. LibreTranslate cannot run here (its models download at run time): its provider is tested against
a loopback server answering in LibreTranslate's documented response shape."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from crossdesk.config import Settings
from crossdesk.language.glossary import Glossary
from crossdesk.language.service import LanguageService, build_language
from crossdesk.language.translator import TranslationRequest
from crossdesk.providers.libretranslate import LibreTranslateTranslator
from crossdesk.providers.openai_compatible import OpenAICompatibleTranslator
from crossdesk.providers.packaged_model import ensure_model
from crossdesk.testing import free_port
from crossdesk.web.server import build_server

HAN = re.compile(r"[\u4e00-\u9fff]")
pytestmark = pytest.mark.model


async def test_embedded_model_translates_zh_to_en_with_the_glossary(
    embedded_language: LanguageService,
) -> None:
    translator = embedded_language.translator
    assert translator is not None
    glossary = Glossary.of([{"zh": "藏蓝色", "en": "navy blue"}, {"*": "3XL"}])
    result = await translator.translate(
        TranslationRequest("你好，这件藏蓝色的卫衣有3XL吗？", "zh", "en", glossary)
    )
    assert result.engine == "embedded" and result.needed
    assert "navy blue" in result.text.lower() and "3XL" in result.text
    assert not HAN.search(result.text)
    assert result.issues == ()


async def test_embedded_model_translates_en_to_zh_keeping_numbers(embedded_language: LanguageService) -> None:
    translator = embedded_language.translator
    assert translator is not None
    text = "My order #10482 still says 'label created' after 9 days. Has it shipped?"
    result = await translator.translate(TranslationRequest(text, "en", "zh"))
    assert HAN.search(result.text) and "10482" in result.text and "9" in result.text


def test_cli_detects_and_translates() -> None:
    cli = [sys.executable, "-m", "crossdesk.cli"]
    detected = subprocess.run(
        [*cli, "detect", "--json", "Olá, meu pedido ainda não chegou"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(detected.stdout)["language"] == "pt"
    env = {"CROSSDESK_TRANSLATORS": "embedded", "PATH": "/usr/bin:/bin"}
    translated = subprocess.run(
        [*cli, "translate", "--to", "zh", "--json", "Where is my parcel? Order 10482."],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=180,
    )
    answer = json.loads(translated.stdout)
    assert answer["source_language"] == "en" and answer["target_language"] == "zh"
    assert HAN.search(answer["translation"]) and "10482" in answer["translation"]
    refused = subprocess.run([*cli, "translate", "--to", "klingon", "hi"], capture_output=True, text=True)
    assert refused.returncode == 2 and "Unknown language" in refused.stderr


@pytest.fixture(scope="module")
def openai_compatible_server() -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server (llama_cpp.server) on a loopback port, serving the embedded
    model: the same protocol Ollama, vLLM or a cloud API speak."""
    model = ensure_model(Settings().models_dir)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "2", "--n_ctx", "2048", "--model_alias", "qwen"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("llama_cpp.server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def test_openai_compatible_endpoint_translates(openai_compatible_server: str) -> None:
    translator = OpenAICompatibleTranslator(openai_compatible_server, "qwen", api_key="not-needed-here")
    try:
        result = await translator.translate(TranslationRequest("您好，您的包裹已经清关了。", "zh", "en"))
    finally:
        await translator.aclose()
    assert result.engine == "openai" and not HAN.search(result.text)
    assert re.search(r"(?i)package|parcel", result.text)


async def test_a_dead_endpoint_falls_back_to_the_next_engine(
    embedded_language: LanguageService, tmp_path: Path
) -> None:
    settings = Settings(
        translators="openai,embedded",
        openai_base_url=f"http://127.0.0.1:{free_port()}/v1",  # nothing listens here
        openai_model="any",
        translation_retries=0,
    )
    service = build_language(settings)
    try:
        assert service.translator is not None
        result = await service.translator.translate(TranslationRequest("谢谢你的帮助", "zh", "en"))
    finally:
        await service.aclose()
    assert result.engine == "embedded" and re.search(r"(?i)thank", result.text)


async def test_libretranslate_provider_speaks_its_documented_api() -> None:
    seen: list[dict[str, object]] = []

    async def translate(request: Request) -> JSONResponse:
        body = await request.json()
        seen.append(body)
        if body["q"] == "boom":
            return JSONResponse({"error": "Internal error"}, status_code=500)
        return JSONResponse({"translatedText": "Olá, tudo bem?"})  # the shape documented at /docs

    port = free_port()
    app = Starlette(routes=[Route("/translate", translate, methods=["POST"])])
    server = build_server(app, Settings(), "127.0.0.1", port, "warning")  # type: ignore[arg-type]
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    translator = LibreTranslateTranslator(f"http://127.0.0.1:{port}", api_key="k", retries=0)
    try:
        result = await translator.translate(TranslationRequest("Hello, how are you?", "en", "pt"))
        assert result.text == "Olá, tudo bem?" and result.engine == "libretranslate"
        assert seen[0] == {
            "q": "Hello, how are you?",
            "source": "en",
            "target": "pt",
            "format": "text",
            "api_key": "k",
        }
        with pytest.raises(Exception, match="HTTP 500"):
            await translator.translate(TranslationRequest("boom", "en", "pt"))
    finally:
        await translator.aclose()
        server.should_exit = True
        await task
