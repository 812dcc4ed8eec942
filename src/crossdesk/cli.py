"""`crossdesk serve | migrate | seed-demo | import | sync | detect | translate | analyze | check |
suggest`: the operator's and scripts' entry points."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence

from crossdesk.coach import commands as coach_commands
from crossdesk.commerce import commands as commerce_commands
from crossdesk.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "database", None):
        overrides["database_url"] = args.database
    return Settings(**overrides)


def _migrate(settings: Settings) -> None:
    from crossdesk.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)


async def _seed(settings: Settings) -> bool:
    from crossdesk.demo.seed import seed_demo
    from crossdesk.desk import Desk

    desk = Desk.from_settings(settings)
    try:
        return await seed_demo(desk)
    finally:
        await desk.db.dispose()


def _banner(host: str, port: int, demo: bool) -> None:
    from crossdesk.demo.seed import AGENTS, DEMO_PASSWORD

    base = f"http://{host}:{port}"
    print(
        f"\ncrossdesk is serving on {base}\n  agent console  {base}/console\n  demo store     {base}/demo"
        f"\n  API docs       {base}/api/docs   (OpenAPI: {base}/openapi.json)",
        flush=True,
    )
    if demo:
        print(
            "  demo logins    " + ", ".join(a.email for a in AGENTS) + f"  password: {DEMO_PASSWORD}",
            flush=True,
        )


def _detect(text: str, as_json: bool) -> int:
    from crossdesk.language.detect import EmbeddedDetector

    found = EmbeddedDetector().detect(text)
    print(json.dumps(found.as_json(), ensure_ascii=False) if as_json else (found.language or "und"))
    return 0


async def _translate(settings: Settings, text: str, target: str, source: str | None, as_json: bool) -> int:
    from crossdesk.actions.translations import check_language
    from crossdesk.language.service import build_language
    from crossdesk.language.translator import TranslationError, TranslationRequest

    target = check_language(target)
    service = build_language(settings)
    try:
        if service.translator is None:
            print("translation is off (CROSSDESK_TRANSLATORS=none)", file=sys.stderr)
            return 2
        source = check_language(source) if source else service.detector.detect(text).language or target
        try:
            result = await service.translator.translate(TranslationRequest(text, source, target))
        except TranslationError as exc:
            print(f"no engine could translate: {exc}", file=sys.stderr)
            return 1
    finally:
        await service.aclose()
    print(json.dumps(result.as_json(), ensure_ascii=False) if as_json else result.text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crossdesk", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the desk")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--database", help="database URL (default: SQLite under CROSSDESK_DATA_DIR)")
    serve.add_argument("--migrate", action="store_true", help="upgrade the schema first")
    serve.add_argument(
        "--demo", action="store_true", help="load the demo shop if missing (implies --migrate)"
    )
    serve.add_argument("--log-level", default="info")
    migrate = sub.add_parser("migrate", help="upgrade the database schema")
    migrate.add_argument("--database")
    seed = sub.add_parser("seed-demo", help="load the demo shop if it is missing")
    seed.add_argument("--database")
    detect = sub.add_parser("detect", help="print the language of TEXT")
    detect.add_argument("text")
    detect.add_argument("--json", action="store_true", help='print {"language": .., "confidence": ..}')
    translate = sub.add_parser("translate", help="translate TEXT with the configured engines")
    translate.add_argument("text")
    translate.add_argument("--to", required=True, help="target language, e.g. zh")
    translate.add_argument("--from", dest="source", help="source language (default: detected)")
    translate.add_argument("--json", action="store_true", help="print the translation with its metadata")
    coach_commands.add_parsers(sub)
    commerce_commands.add_parsers(sub)
    args = parser.parse_args(argv)
    if args.command == "detect":
        return _detect(args.text, args.json)
    if args.command in {"analyze", "check", "suggest"}:
        return coach_commands.run(args, Settings())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings(args)

    if args.command == "import":
        _migrate(settings)
        return commerce_commands.run(args, settings)
    if args.command == "sync":
        _migrate(settings)
        return commerce_commands.sync(args, settings)
    if args.command == "translate":
        from crossdesk.actions.errors import Invalid

        try:
            return asyncio.run(_translate(_settings(args), args.text, args.to, args.source, args.json))
        except Invalid as exc:
            print(exc.detail, file=sys.stderr)
            return 2
    if args.command == "migrate":
        _migrate(settings)
        print("database is at the newest schema")
        return 0
    if args.command == "seed-demo":
        _migrate(settings)
        print("demo shop loaded" if asyncio.run(_seed(settings)) else "demo shop already present")
        return 0

    from crossdesk.web.app import create_app
    from crossdesk.web.server import build_server

    if args.migrate or args.demo:
        _migrate(settings)
    if args.demo:
        asyncio.run(_seed(settings))
    app = create_app(settings)
    server = build_server(app, settings, args.host, args.port, args.log_level)
    _banner(args.host, args.port, args.demo)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
