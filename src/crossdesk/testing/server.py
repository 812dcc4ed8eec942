"""Test and benchmark helpers: a real `crossdesk serve` process on loopback, and the one scripted stand-in
for a translation engine (see ScriptedTranslator for where it is used and why).

Lives in the package so tests, benchmarks and helper scripts share one implementation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from crossdesk.language.glossary import TermPair
from crossdesk.language.translator import Translator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """`crossdesk serve --demo` in a child process, bound to 127.0.0.1; can be SIGKILLed and restarted on the
    same port and database. Translation and the coach are off unless `env` sets CROSSDESK_TRANSLATORS or
    CROSSDESK_COACH: their models would take the cores from what a test or benchmark measures."""

    def __init__(
        self,
        data_dir: Path,
        database_url: str = "",
        port: int | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = port or free_port()
        self.env = env or {}
        self.log_path = log_path or data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout_s: float = 30.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "CROSSDESK_DATA_DIR": str(self.data_dir),
            "CROSSDESK_TRANSLATORS": "none",
            "CROSSDESK_COACH": "none",
            **self.env,
        }
        if self.database_url:
            env["CROSSDESK_DATABASE_URL"] = self.database_url
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 (our own entry point)
            [
                sys.executable,
                "-m",
                "crossdesk.cli",
                "serve",
                "--demo",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError, ValueError):
                health = httpx.get(f"{self.base_url}/healthz", timeout=1.0)
                # Ready when answering, and its coach (if on) has its classifiers trained: the first start
                # on a machine embeds the playbook (minutes), which no test should race.
                if health.status_code == 200 and health.json().get("coach") != "warming":
                    return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"server did not answer within {timeout_s} s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; what was committed must survive."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        self.stop()


class ScriptedTranslator(Translator):
    """A translation engine that answers from a script: for tests of what the Translator base class does
    around an engine (retries, timeouts, fallback, chunking, checks), where a real model's variable
    answers and seconds per call would hide the behaviour under test. Engine behaviour itself is tested on
    the real embedded model."""

    name = "scripted"

    def __init__(self, answers: list[str | Exception | float], **options: Any) -> None:
        super().__init__(**options)
        self.answers = list(answers)
        self.calls: list[tuple[str, str, str]] = []

    async def _translate(self, text: str, source: str, target: str, terms: Sequence[TermPair]) -> str:
        self.calls.append((text, source, target))
        answer = self.answers.pop(0) if self.answers else f"[{target}] {text}"
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, float):  # a slow engine: sleep, then echo
            await asyncio.sleep(answer)
            return f"[{target}] {text}"
        return answer
