"""The checkpointer copies committed pages from the write-ahead log into the database file by itself."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from crossdesk.db.sqlite_checkpointer import SqliteCheckpointer


def test_checkpointer_moves_the_log_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # as crossdesk's writer does
    writer.execute("CREATE TABLE t (body TEXT)")
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 200,) for _ in range(2000)])
    before = path.stat().st_size
    assert Path(f"{path}-wal").stat().st_size > 300_000  # everything is still in the log

    checkpointer = SqliteCheckpointer(str(path), interval_s=0.05)
    try:
        deadline = time.monotonic() + 5
        while path.stat().st_size < 300_000 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checkpointer.close()
    assert before < 300_000 <= path.stat().st_size
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (2000,)
    writer.close()
