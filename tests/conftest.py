"""Shared fixtures: a real database per test (SQLite, and PostgreSQL when CROSSDESK_TEST_POSTGRES_URL is
set), a migrated desk with the demo shop, and the real app served by uvicorn on a loopback port."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from crossdesk.coach.service import Coach, build_coach
from crossdesk.config import Settings
from crossdesk.db.database import normalize_url
from crossdesk.db.migrate import upgrade
from crossdesk.demo.seed import seed_demo
from crossdesk.desk import Desk
from crossdesk.language.service import LanguageService, build_language
from crossdesk.testing import free_port
from crossdesk.web.app import create_app
from crossdesk.web.server import build_server

POSTGRES_URL = os.environ.get("CROSSDESK_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("CROSSDESK_TEST_REDIS_URL", "")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crossdesk.db'}"
        return
    yield from _fresh_postgres_database()


def _fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the test PostgreSQL server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("CROSSDESK_TEST_POSTGRES_URL is not set")
    name = f"crossdesk_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    base, _, _ = normalize_url(POSTGRES_URL).rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(normalize_url(url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(sa.text(statement))
    await engine.dispose()


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "secret_key": "test-secret-key",
        "heartbeat_s": 20.0,
        # The desk's own tests run without the models; `embedded_language` and `coaching_desk` bring them in.
        "translators": "none",
        "coach": "none",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def desk(tmp_path: Path, database_url: str) -> AsyncIterator[Desk]:
    settings = make_settings(tmp_path, database_url)
    await asyncio.to_thread(upgrade, database_url)
    desk = Desk.from_settings(settings)
    await seed_demo(desk)
    yield desk
    await desk.db.dispose()


@dataclass
class LiveServer:
    desk: Desk
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@asynccontextmanager
async def serve_desk(desk: Desk) -> AsyncIterator[LiveServer]:
    """The real ASGI app around `desk` on a real loopback socket, in this event loop."""
    port = free_port()
    server = build_server(create_app(desk=desk), desk.settings, "127.0.0.1", port, log_level="warning")
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield LiveServer(desk, port)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


@pytest.fixture
async def live(desk: Desk) -> AsyncIterator[LiveServer]:
    async with serve_desk(desk) as server:
        yield server


@pytest.fixture
def database_url_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database (for tests that are not parametrized over backends)."""
    yield from _fresh_postgres_database()


@pytest.fixture(scope="session")
def embedded_language() -> Iterator[LanguageService]:
    """The real offline engines (fastText detection, the embedded LLM), loaded once for the whole run."""
    service = build_language(Settings(translators="embedded"))
    yield service
    asyncio.run(service.aclose())


@pytest.fixture
async def translating_desk(desk: Desk, embedded_language: LanguageService) -> Desk:
    """The demo desk, now translating with the embedded model. The demo's own messages were sent before,
    so they owe nothing and the worker starts on the test's."""
    desk.language = embedded_language
    return desk


@pytest.fixture(scope="session")
def coach() -> Coach:
    """The real coach (embeddings over the packaged playbook), built once for the whole run."""
    built = build_coach(cache_dir=Settings().models_dir)
    built.warm_up()  # trains the classifiers on the playbook's examples and labelled drafts
    return built


@pytest.fixture
async def coaching_desk(desk: Desk, coach: Coach) -> Desk:
    desk.coach = coach
    return desk
