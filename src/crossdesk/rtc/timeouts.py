"""Ends calls nobody answers: rung for the whole ring timeout, or not rung by any buyer page at all."""

from __future__ import annotations

from crossdesk.actions.calls import expire_ringing
from crossdesk.background import PollingWorker
from crossdesk.desk import Desk

# Checked this often while something rings; when nothing does, the worker sleeps until a call starts here
# (or the idle poll finds one another process started and then lost).
RINGING_POLL_S = 0.5
IDLE_POLL_S = 30.0


class RingTimeouts(PollingWorker):
    name = "ring-timeouts"

    def __init__(self, desk: Desk) -> None:
        super().__init__(desk.calls_ringing, IDLE_POLL_S)
        self.desk = desk

    async def work_once(self) -> bool:
        ringing = await expire_ringing(self.desk)
        self.poll_s = RINGING_POLL_S if ringing else IDLE_POLL_S
        return False  # one pass, then wait: the deadlines are seconds away
