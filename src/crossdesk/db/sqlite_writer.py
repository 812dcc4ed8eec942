"""SQLite's single writer: one thread, one connection, and group commit.

Transactions that queue up while one runs are committed together: one `BEGIN IMMEDIATE ... COMMIT` around
them, each inside its own savepoint so that one failing transaction rolls back alone. A caller's future
resolves only after the COMMIT, so nothing is acknowledged before it is durable."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any

import sqlalchemy as sa

MAX_BATCH = 64

Job = tuple[Any, "Future[Any]"]


class SqliteWriter:
    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="crossdesk-db-writer", daemon=True)
        self._thread.start()

    def submit(self, transaction: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((transaction, future))
        return future

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            conn = self._engine.connect()
        except Exception as exc:  # the database cannot be opened: fail every caller, never hang one
            self._fail_all(exc)
            return
        with conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            while True:
                job = self._jobs.get()
                if job is None:
                    return
                batch = [job]
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._jobs.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._jobs.put(None)  # finish this batch, then stop
                        break
                    batch.append(more)
                self._commit_batch(conn, raw, batch)

    def _commit_batch(self, conn: sa.Connection, raw: Any, batch: list[Job]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            raw.execute("BEGIN IMMEDIATE")
            for transaction, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue
                raw.execute("SAVEPOINT tx")
                try:
                    result = transaction(conn)
                except Exception as exc:
                    raw.execute("ROLLBACK TO tx")
                    outcomes.append((future, None, exc))
                else:
                    outcomes.append((future, result, None))
                raw.execute("RELEASE tx")
            raw.execute("COMMIT")
        except Exception as exc:  # BEGIN or COMMIT failed: none of the batch happened
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            outcomes = [(future, None, exc) for future, _, _ in outcomes]
        finally:
            conn.rollback()  # reset SQLAlchemy's view; the driver has no open transaction left
        for future, result, error in outcomes:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _fail_all(self, error: BaseException) -> None:
        while (job := self._jobs.get()) is not None:
            _, future = job
            if future.set_running_or_notify_cancel():
                future.set_exception(error)
