"""The Alembic migrations build exactly the schema the code declares, on every backend."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from crossdesk.db.database import Database
from crossdesk.db.migrate import upgrade
from crossdesk.db.tables import metadata


async def test_migrated_schema_matches_tables(database_url: str) -> None:
    await asyncio.to_thread(upgrade, database_url)
    await asyncio.to_thread(upgrade, database_url)  # idempotent
    db = Database(database_url)
    try:
        diff = await db.read(lambda conn: compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        await db.dispose()
    assert diff == []
