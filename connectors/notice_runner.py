"""Preparing subscribers' notices in the background of a connector: every so often, the knowledge-base changes
since the last batch become a broadcast queued in the outbox (:func:`knowledge.notices.prepare_broadcasts`).

Every connector process runs one (the Telegram and Zalo connectors in their outbox rounds, the web chat server
as a task); a batch is queued once however many of them run at the same moment."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import AsyncIterator, Callable, List

from aiohttp import web
from sqlalchemy.engine import Engine

from knowledge.notices import prepare_broadcasts, refresh_counts

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 10.0


class NoticePreparer:
    """Prepares broadcasts and refreshes their counts at most every ``interval_s`` seconds."""

    def __init__(self, engine: Engine, interval_s: float = DEFAULT_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic):
        self._engine = engine
        self._interval_s = interval_s
        self._clock = clock
        self._next_at = 0.0

    async def run_due(self) -> List[int]:
        """Prepare when the interval has passed; return the new broadcasts' ids. Never raises: a failure is
        logged and tried again at the next interval (nothing is lost, the change log stays)."""
        if self._clock() < self._next_at:
            return []
        self._next_at = self._clock() + self._interval_s
        try:
            created = await asyncio.to_thread(prepare_broadcasts, self._engine)
            await asyncio.to_thread(refresh_counts, self._engine)
            return created
        except Exception:  # the database down, say: the connector's own work goes on
            log.exception("notices: preparing broadcasts failed; tried again in %.0f s", self._interval_s)
            return []

    async def run_forever(self) -> None:
        """For a process without an outbox round of its own (the web chat server)."""
        while True:
            await self.run_due()
            await asyncio.sleep(self._interval_s)


def in_background(engine: Engine, interval_s: float = DEFAULT_INTERVAL_S
                  ) -> Callable[[web.Application], AsyncIterator[None]]:
    """A ``cleanup_ctx`` entry running a :class:`NoticePreparer` for as long as an aiohttp app runs."""
    async def run(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(NoticePreparer(engine, interval_s).run_forever())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return run
