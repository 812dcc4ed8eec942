"""The analysis worker: reads owed buyer messages, newest first, a batch at a time, and updates their
conversations' insight. The analysis (about 40 ms of embedding a message on one core) runs on the coach's
low-priority thread, so the event loop only waits for the database."""

from __future__ import annotations

import logging

from crossdesk.actions import insights
from crossdesk.background import PollingWorker
from crossdesk.desk import Desk

log = logging.getLogger(__name__)


class AnalysisWorker(PollingWorker):
    name = "analysis worker"

    def __init__(self, desk: Desk, poll_s: float = 1.0) -> None:
        super().__init__(desk.insights_due, poll_s)
        self.desk = desk

    def enabled(self) -> bool:
        return self.desk.coach is not None

    async def run(self) -> None:
        if self.desk.coach is not None:
            try:
                await self.desk.coach.warm_up_async()
            except Exception:
                # What is missing is built again on first use; the messages must still be read.
                log.exception("coach warm-up failed")
        await super().run()

    async def work_once(self) -> bool:
        coach = self.desk.coach
        assert coach is not None
        jobs = await insights.pending_jobs(self.desk)
        for job in jobs:
            try:
                analysis = await coach.analyze_async(job.body)
            except Exception:
                # One message the model chokes on must not hold up the ones behind it.
                log.exception("analysis failed", extra={"message_id": job.message_id})
                await insights.record_failure(self.desk, job)
                continue
            await insights.record_insight(self.desk, coach, job, analysis)
        return bool(jobs)
