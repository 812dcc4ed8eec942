"""The translation worker: fills in owed translations one at a time, newest first, and announces each.

It runs in every server process; leases keep two processes off the same row, and rows owed before a
crash or restart are picked up again. The event loop never waits on a model: the engine runs elsewhere
(a thread for the embedded model, a server for the others)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from crossdesk.actions import translations
from crossdesk.desk import Desk
from crossdesk.language.translator import TranslationError, TranslationRequest

log = logging.getLogger(__name__)


class TranslationWorker:
    def __init__(self, desk: Desk, poll_s: float = 1.0) -> None:
        self.desk = desk
        self.poll_s = poll_s

    async def run(self) -> None:
        if self.desk.language.translator is None:
            return
        while True:
            try:
                worked = await self.work_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("translation pass failed")
                worked = False
            if not worked:
                self.desk.translations_due.clear()
                # Woken at once for this process's messages; the poll finds other processes' rows.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.desk.translations_due.wait(), self.poll_s)

    async def work_once(self) -> bool:
        translator = self.desk.language.translator
        assert translator is not None
        job = await translations.claim_next(self.desk)
        if job is None:
            return False
        request = TranslationRequest(job.body, job.source, job.language, job.glossary)
        try:
            result = await translator.translate(request)
        except TranslationError as exc:
            log.warning("translation failed", extra={"message_id": job.message_id, "attempt": job.attempts})
            await translations.record_outcome(self.desk, job, None, str(exc))
            return True
        await translations.record_outcome(self.desk, job, result)
        return True
