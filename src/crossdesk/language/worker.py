"""The translation worker: fills in owed translations one at a time, newest first, and announces each.

It runs in every server process; leases keep two processes off the same row, and rows owed before a
crash or restart are picked up again. The event loop never waits on a model: the engine runs elsewhere
(a thread for the embedded model, a server for the others)."""

from __future__ import annotations

import logging

from crossdesk.actions import translations
from crossdesk.background import PollingWorker
from crossdesk.desk import Desk
from crossdesk.language.translator import TranslationError, TranslationRequest

log = logging.getLogger(__name__)


class TranslationWorker(PollingWorker):
    name = "translation worker"

    def __init__(self, desk: Desk, poll_s: float = 1.0) -> None:
        super().__init__(desk.translations_due, poll_s)
        self.desk = desk

    def enabled(self) -> bool:
        return self.desk.language.translator is not None

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
