"""Alembic environment: migrations run on a plain (blocking) engine of the desk's database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from crossdesk.db.database import normalize_url
from crossdesk.db.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


url = normalize_url(config.get_main_option("sqlalchemy.url") or "")
if url.startswith("postgresql+asyncpg"):
    # asyncpg is the only PostgreSQL driver shipped; run the migration through its sync adaption.
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def _main() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as conn:
            await conn.run_sync(_run)
            await conn.commit()
        await engine.dispose()

    asyncio.run(_main())
else:
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
