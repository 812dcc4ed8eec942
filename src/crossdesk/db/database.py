"""The database handle. A transaction is one plain function of a SQLAlchemy Connection, run in one hop:

- SQLite: on the single writer thread (SQLite has one writer anyway; it group-commits what queues up, see
  sqlite_writer.py) or a small reader pool, through the stdlib driver. One thread hop per transaction
  instead of one per driver call keeps a message send well under a millisecond.
- PostgreSQL: on the asyncpg engine through `AsyncConnection.run_sync`, so the loop never blocks.

The same transaction functions serve both, so the backends cannot drift apart."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crossdesk.db.sqlite_checkpointer import SqliteCheckpointer
from crossdesk.db.sqlite_writer import SqliteWriter

T = TypeVar("T")
Transaction = Callable[[sa.Connection], T]
SQLITE_READERS = 4


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` and `sqlite:///` URLs and pick the drivers we ship."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite+aiosqlite:///"):
        return "sqlite:///" + url.removeprefix("sqlite+aiosqlite:///")
    return url


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._async_engine: AsyncEngine | None = None
        if not self.is_sqlite:
            self._async_engine = create_async_engine(
                self.url, pool_size=10, max_overflow=10, pool_pre_ping=True
            )
            return
        path = sa.engine.make_url(self.url).database
        if path and path != ":memory:":
            switch_to_wal(path)
        args = {"check_same_thread": False}
        self._read_engine = sa.create_engine(self.url, pool_size=SQLITE_READERS, connect_args=args)
        _tune_sqlite(self._read_engine, snapshot_reads=True)
        # The writer issues BEGIN IMMEDIATE / COMMIT itself, around each batch.
        self._write_engine = sa.create_engine(self.url, poolclass=sa.pool.StaticPool, connect_args=args)
        _tune_sqlite(self._write_engine, snapshot_reads=False)
        _leave_checkpoints_to_checkpointer(self._write_engine)
        self._writer = SqliteWriter(self._write_engine)
        self._checkpointer = SqliteCheckpointer(path) if path and path != ":memory:" else None
        self._readers = ThreadPoolExecutor(SQLITE_READERS, thread_name_prefix="crossdesk-db-reader")

    async def write(self, transaction: Transaction[T]) -> T:
        """Run `transaction` in one read-write transaction; it is committed when this returns."""
        if self._async_engine is not None:
            async with self._async_engine.begin() as conn:
                return await conn.run_sync(transaction)
        result: T = await asyncio.wrap_future(self._writer.submit(transaction))
        return result

    async def read(self, transaction: Transaction[T]) -> T:
        """Run `transaction` on a consistent snapshot; it must not write."""
        if self._async_engine is not None:
            async with self._async_engine.connect() as conn:
                return await conn.run_sync(transaction)
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._sqlite_read, transaction)

    def _sqlite_read(self, transaction: Transaction[T]) -> T:
        with self._read_engine.connect() as conn, conn.begin():
            return transaction(conn)

    async def dispose(self) -> None:
        if self._async_engine is not None:
            await self._async_engine.dispose()
            return
        self._writer.close()
        if self._checkpointer is not None:
            self._checkpointer.close()
        self._readers.shutdown(wait=True)
        self._read_engine.dispose()
        self._write_engine.dispose()


def switch_to_wal(path: str, timeout_s: float = 10.0) -> None:
    """Put the file in WAL mode once, from one connection, before the writer, the readers and the
    checkpointer open theirs at the same time: the switch needs the file to itself, and SQLite answers
    "database is locked" to a connection racing another through it, whatever its busy timeout (CI saw it).
    WAL is a property of the file, so every later connection finds it set."""
    deadline = time.monotonic() + timeout_s
    while True:
        conn = sqlite3.connect(path, timeout=timeout_s)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode == "wal":
                return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
        finally:
            conn.close()
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{path}: SQLite would not switch to WAL (a file system without shared memory?)"
            )
        time.sleep(0.05)


def _tune_sqlite(engine: sa.Engine, snapshot_reads: bool) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # No implicit transactions from the driver: BEGIN is issued explicitly (below, or by the writer).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # First, so that connections opening at once wait for each other instead of failing: switching
        # a fresh file to WAL takes an exclusive lock.
        cursor.execute("PRAGMA busy_timeout=10000")
        # WAL: readers never block the writer. NORMAL: durable across a process crash (SIGKILL);
        # only an OS crash or power loss can drop the last transactions.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    if snapshot_reads:

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN")  # all of a read sees one snapshot


def _leave_checkpoints_to_checkpointer(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA wal_autocheckpoint=0")  # see sqlite_checkpointer.py
