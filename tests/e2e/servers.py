"""Module-scoped desks for browser tests that need engines the shared desk runs without (translation,
the coach): `server = own_server("coach", CROSSDESK_COACH="embedded")` in a test module replaces the
session's `server` fixture for that module's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crossdesk.testing import ServerProcess

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


def own_server(
    name: str, start_timeout_s: float = 60.0, **env: str
) -> Callable[..., Iterator[ServerProcess]]:
    @pytest.fixture(scope="module")
    def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        log = ARTIFACTS / f"server-{name}.log"
        log.unlink(missing_ok=True)
        # Every visitor here comes from 127.0.0.1: a larger burst keeps the per-address limits out of the way.
        proc = ServerProcess(
            tmp_path_factory.mktemp(f"crossdesk-e2e-{name}"),
            env={"CROSSDESK_VISITOR_BURST": "200", **env},
            log_path=log,
        )
        proc.start(timeout_s=start_timeout_s)
        try:
            yield proc
        finally:
            proc.stop()

    return server
