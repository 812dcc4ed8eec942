"""The shape every background worker of the desk shares: work while there is work, then sleep until this
process signals new work or a poll interval passes (the poll finds other processes' rows). A failed pass
is logged and retried after the interval; it never kills the worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


class PollingWorker(ABC):
    name = "worker"

    def __init__(self, due: asyncio.Event, poll_s: float = 1.0) -> None:
        self.due = due
        self.poll_s = poll_s

    def enabled(self) -> bool:
        return True

    async def run(self) -> None:
        if not self.enabled():
            return
        while True:
            try:
                worked = await self.work_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s pass failed", self.name)
                worked = False
            if not worked:
                self.due.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.due.wait(), self.poll_s)

    @abstractmethod
    async def work_once(self) -> bool:
        """Do one unit of work; False when there was none."""
