"""The language layer's own logic: text rules, detection rules, pinning, glossary, checks, and what the
Translator base class does around any engine. Detection runs on the real fastText model."""

from __future__ import annotations

import asyncio

import pytest

from crossdesk.language.checks import in_target_script, issues
from crossdesk.language.detect import Detection, EmbeddedDetector, chat_language, script_language
from crossdesk.language.glossary import Glossary, TermPair
from crossdesk.language.pinning import choose
from crossdesk.language.prompts import clean_reply
from crossdesk.language.text import chunks, needs_translation, protected_tokens
from crossdesk.language.translator import ProviderError, TranslationError, TranslationRequest
from crossdesk.testing import ScriptedTranslator


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("", False),
        ("   ", False),
        ("👍🙏", False),
        ("#10482", False),
        ("https://shop.example/p/42", False),
        ("ana@example.com", False),
        ("?!", False),
        ("ok", True),
        ("<b>where</b> is #10482?", True),
        ("谢谢", True),
    ],
)
def test_what_needs_translation(text: str, needed: bool) -> None:
    assert needs_translation(text) is needed


def test_protected_tokens_are_links_addresses_and_numbers() -> None:
    text = "订单#10482 的 3XL 藏蓝色, track LX123456789CN at https://t.example/x?y=1, 12.5 USD, a@b.co"
    assert protected_tokens(text) == [
        "https://t.example/x?y=1",
        "a@b.co",
        "10482",
        "3XL",
        "LX123456789CN",
        "12.5",
    ]


def test_chunks_join_back_exactly_and_stay_bounded() -> None:
    text = "Hello there. How are you?\nFine! 我很好。谢谢！" + " word" * 300
    pieces = chunks(text, 120)
    assert "".join(pieces) == text
    assert all(len(p) <= 120 for p in pieces)
    assert pieces[0].strip() == "Hello there. How are you?\nFine! 我很好。谢谢！"


def test_script_rules_decide_before_statistics() -> None:
    assert script_language("这件衬衫有3XL吗") == "zh"
    assert script_language("このシャツ") == "ja"
    assert script_language("漢字とかな") == "ja"  # kana makes it Japanese even with Han
    assert script_language("배송 언제") == "ko"
    assert script_language("สวัสดี") == "th"
    assert script_language("hello") is None
    assert chat_language("gan ready stok yg warna navy gk") == "id"
    assert chat_language("shop oi sao don cua minh chua giao") == "vi"
    assert chat_language("I want a refund for my order") is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Olá, meu pedido ainda não chegou, já faz duas semanas", "pt"),
        ("Здравствуйте, куртка пришла с порванным рукавом", "ru"),
        ("مرحبا، متى سيصل طلبي؟", "ar"),
        ("Hola, ¿tienen esta chaqueta en talla M?", "es"),
        ("Halo kak, pesanan saya belum sampai", "id"),
        ("Bonjour, je voudrais changer mon adresse", "fr"),
        ("Merhaba, siparişim ne zaman gelir?", "tr"),
        ("Dzień dobry, kiedy wyślecie moje zamówienie?", "pl"),
        ("My parcel has been stuck in customs for a week", "en"),
        ("Hallo, wann kommt meine Bestellung an?", "de"),
        ("Xin chào, đơn hàng của tôi đã được giao chưa?", "vi"),
        ("这件衣服有藏蓝色吗", "zh"),
        ("👍", None),
    ],
)
def test_embedded_detector(text: str, language: str | None) -> None:
    assert EmbeddedDetector().detect(text).language == language


def test_a_short_word_does_not_flip_the_conversation_language() -> None:
    weak = Detection("en", 0.7)
    assert choose("pt", False, weak, "ok").conversation_language == "pt"
    assert choose("pt", False, weak, "ok").message_language == "pt"
    strong = Detection("en", 0.99)
    sentence = "Actually I would prefer to continue in English please"
    assert choose("pt", False, strong, sentence).conversation_language == "en"
    # An agent's choice holds; the message itself is still taken as English.
    pinned = choose("pt", True, strong, sentence)
    assert (pinned.conversation_language, pinned.message_language) == ("pt", "en")
    assert choose(None, False, Detection("pt", 0.4), "obrigado").conversation_language == "pt"
    assert choose("pt", False, Detection(None, 0.0), "👍").conversation_language == "pt"
    assert choose("ru", False, Detection("zh", 1.0), "谢谢").conversation_language == "zh"


def test_glossary_pairs_and_missing_terms() -> None:
    glossary = Glossary.of(
        [{"zh": "藏蓝色", "en": "navy blue"}, {"*": "3XL"}, {"zh": "卫衣", "pt": "moletom"}]
    )
    pairs = glossary.pairs_for("这件藏蓝色的有3xl吗", "zh", "en")
    assert pairs == [TermPair("藏蓝色", "navy blue"), TermPair("3XL", "3XL")]
    assert Glossary.missing("Is the dark blue one in 3XL?", pairs) == [TermPair("藏蓝色", "navy blue")]
    assert glossary.pairs_for("卫衣", "zh", "en") == []  # no English term for it


def test_checks_flag_what_a_reader_must_verify() -> None:
    terms = [TermPair("藏蓝色", "navy blue")]
    assert issues("订单#10482 藏蓝色", "Order 10482, navy blue", "en", terms) == []
    found = issues("订单#10482 藏蓝色", "Order, dark blue", "en", terms)
    assert found == ["'10482' is missing from the translation", "glossary term 'navy blue' is missing"]
    assert in_target_script("您好", "zh") and not in_target_script("Hello", "zh")
    assert in_target_script("Olá, tudo bem?", "pt") and not in_target_script("你好", "pt")
    assert issues("hi", "你好" * 100, "zh", []) == ["much longer than the original"]


def test_clean_reply_strips_wrappers_the_original_lacked() -> None:
    assert clean_reply('Translation: "Hello there"', "你好") == "Hello there"
    assert clean_reply("```\n你好\n```", "hello") == "你好"
    assert clean_reply('"quoted"', '"quoted"') == '"quoted"'


async def test_base_class_skips_what_needs_no_translation() -> None:
    engine = ScriptedTranslator([])
    for text, source, target in [("👍", "pt", "zh"), ("#10482", "en", "zh"), ("olá", "pt", "pt")]:
        result = await engine.translate(TranslationRequest(text, source, target))
        assert (result.text, result.needed) == (text, False)
    assert engine.calls == []


async def test_base_class_retries_then_falls_back() -> None:
    fallback = ScriptedTranslator(["Hello"])
    engine = ScriptedTranslator(
        [ProviderError("down"), ProviderError("still down")], retries=1, retry_delay_s=0, fallback=fallback
    )
    result = await engine.translate(TranslationRequest("你好", "zh", "en"))
    assert (result.text, result.engine) == ("Hello", "scripted")
    assert len(engine.calls) == 2 and len(fallback.calls) == 1


async def test_base_class_times_out_a_slow_engine() -> None:
    engine = ScriptedTranslator([5.0, 5.0], timeout_s=0.05, retries=1, retry_delay_s=0)
    with pytest.raises(TranslationError):
        await asyncio.wait_for(engine.translate(TranslationRequest("你好", "zh", "en")), 2)
    assert len(engine.calls) == 2


async def test_base_class_chunks_long_text_and_checks_the_whole() -> None:
    text = ("Where is my order 10482? " * 40).strip()
    engine = ScriptedTranslator([], max_chunk_chars=200)
    result = await engine.translate(TranslationRequest(text, "en", "pt"))
    assert len(engine.calls) == len(chunks(text, 200)) > 1
    assert all(len(call[0]) <= 200 for call in engine.calls)
    assert result.text.count("10482") == 40 and not result.review


async def test_wrong_language_answers_are_retried_then_flagged() -> None:
    engine = ScriptedTranslator(["Hello", "Hello"], retries=1, retry_delay_s=0)
    result = await engine.translate(TranslationRequest("Hello, where is my parcel?", "en", "zh"))
    assert result.review and "does not read as Chinese" in result.issues
    assert len(engine.calls) == 2


async def test_empty_answers_fail_rather_than_send_nothing() -> None:
    engine = ScriptedTranslator(["", "  "], retries=1, retry_delay_s=0)
    with pytest.raises(TranslationError):
        await engine.translate(TranslationRequest("你好", "zh", "en"))


def test_measured_weak_pairs_are_labelled_for_review() -> None:
    """From the shipped measurements (bench/language_eval.py --write-quality): each target has its own bar."""
    from crossdesk.language import quality

    assert quality.chrf("embedded", "en", "zh") is not None
    assert not quality.is_weak("embedded", "en", "zh") and not quality.is_weak("embedded", "zh", "en")
    assert quality.is_weak("embedded", "zh", "pt")  # measured below the bar
    assert quality.is_weak("embedded", "uk", "zh")  # never measured: check it
    assert not quality.is_weak("openai", "zh", "pt")  # an engine the operator chose, not measured here
    assert quality.review_bar("zh") < quality.review_bar("pt")
