"""`crossdesk analyze | check | suggest`: the coach for scripts, printing JSON with --json."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from crossdesk.coach.analyzer import customer_state
from crossdesk.coach.playbook import INTENTS, SENTIMENTS
from crossdesk.coach.service import build_coach
from crossdesk.config import Settings


def add_parsers(sub: Any) -> None:
    analyze = sub.add_parser("analyze", help="language, intent, sentiment and urgency of a buyer message")
    analyze.add_argument("text")
    analyze.add_argument("--to", default="zh", help="also translate it into this language (default zh)")
    analyze.add_argument("--no-translate", action="store_true", help="skip the translation (fast)")
    analyze.add_argument("--json", action="store_true")
    check = sub.add_parser("check", help="flag what hurts in an agent's draft reply")
    check.add_argument("text")
    check.add_argument("--lang", default=None, help="the draft's language (default: detected)")
    check.add_argument("--intent", choices=INTENTS, help="what the buyer asked about")
    check.add_argument("--sentiment", choices=SENTIMENTS, help="how the buyer feels")
    check.add_argument("--buyer", help="the buyer's message: intent and sentiment read from it")
    check.add_argument("--json", action="store_true")
    suggest = sub.add_parser("suggest", help="draft a reply to a buyer message from the playbook")
    suggest.add_argument("text", help="the buyer's message")
    suggest.add_argument("--intent", choices=INTENTS, help="override the detected intent")
    suggest.add_argument("--lang", default="zh", help="the agent's language (default zh)")
    suggest.add_argument("--name", default="", help="the buyer's name")
    suggest.add_argument("--returning", type=int, default=0, help="earlier conversations or orders")
    suggest.add_argument("--refuse", action="store_true", help="a warm, firm no with an alternative")
    suggest.add_argument("--json", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    coach = build_coach(settings.playbook_dir, cache_dir=settings.models_dir)
    if args.command == "analyze":
        return asyncio.run(_analyze(args, settings, coach))
    if args.command == "check":
        intent, sentiment = args.intent, args.sentiment
        if args.buyer:
            analysis = coach.analyze(args.buyer)
            intent, sentiment = intent or analysis.intent, sentiment or analysis.sentiment
        language = args.lang or _detect(args.text) or "en"
        flags = coach.check(args.text, language, intent, sentiment)
        _print(args.json, {"flags": [flag.as_json() for flag in flags]}, _flags_text(flags))
        return 0
    analysis = coach.analyze(args.text)
    state = customer_state(args.returning, 1, analysis.urgent)
    draft = coach.suggest(
        intent=args.intent or analysis.intent,
        sentiment=analysis.sentiment,
        state=state,
        language=args.lang,
        name=args.name,
        refuse=args.refuse,
    )
    answer = {**draft.as_json(), "analysis": analysis.as_json(), "customer": state.as_json()}
    _print(args.json, answer, draft.text)
    return 0


async def _analyze(args: argparse.Namespace, settings: Settings, coach: Any) -> int:
    from crossdesk.language.service import build_language
    from crossdesk.language.translator import TranslationError, TranslationRequest

    detected = _detect(args.text)
    analysis = await coach.analyze_async(args.text)
    translation = None
    if not args.no_translate:
        service = build_language(settings)
        try:
            if service.translator is not None and detected and detected != args.to:
                request = TranslationRequest(args.text, detected, args.to)
                try:
                    translation = (await service.translator.translate(request)).text
                except TranslationError as exc:
                    print(f"no engine could translate: {exc}", file=sys.stderr)
            elif detected == args.to:
                translation = args.text
        finally:
            await service.aclose()
    answer = {"language": detected, **analysis.as_json(), "translation": translation}
    _print(args.json, answer, f"{detected} {analysis.intent} {analysis.sentiment}")
    return 0


def _detect(text: str) -> str | None:
    from crossdesk.language.detect import EmbeddedDetector

    return EmbeddedDetector().detect(text).language


def _flags_text(flags: list[Any]) -> str:
    if not flags:
        return "no flags"
    return "\n".join(f"{f.kind}: {f.span!r} — {f.advice} Try: {f.suggestion}" for f in flags)


def _print(as_json: bool, answer: dict[str, Any], text: str) -> None:
    print(json.dumps(answer, ensure_ascii=False) if as_json else text)
