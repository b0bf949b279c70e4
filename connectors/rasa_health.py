"""Whether Rasa is worth asking: after a failed turn, answering waits for a probe of Rasa's root to succeed,
so that every waiting message resumes within about ``interval_s`` of Rasa's return instead of at its own
doubling backoff."""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Optional

import aiohttp

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[bool]]


def http_probe(session: aiohttp.ClientSession, url: str, timeout_s: float = 5.0) -> Probe:
    """A probe that GETs ``url`` (Rasa answers ``GET /`` with "Hello from Rasa"): up when the server answers
    below 500, down on 5xx (a proxy with Rasa behind it gone), refused connections and timeouts."""
    timeout = aiohttp.ClientTimeout(total=timeout_s)

    async def probe() -> bool:
        try:
            async with session.get(url, timeout=timeout) as response:
                return response.status < 500
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return False

    return probe


class RasaHealth:
    """Rasa's state as the connector sees it. ``failed()`` marks it down and starts probing every
    ``interval_s``; a successful probe lets waiting messages through. When Rasa answers the probe but turns
    still fail (the action server is down, say), each reopening waits twice as long, up to ``max_interval_s``,
    until a turn succeeds (``succeeded()``). Without a probe, waiting is a plain sleep."""

    def __init__(self, probe: Optional[Probe], interval_s: float = 1.0, max_interval_s: float = 30.0):
        self._probe = probe
        self._interval_s = interval_s
        self._max_interval_s = max_interval_s
        self._up = asyncio.Event()
        self._up.set()
        self._reopened = 0  # probes that found Rasa back since the last successful turn
        self._prober: Optional[asyncio.Task] = None

    @property
    def up(self) -> bool:
        return self._up.is_set()

    def failed(self) -> None:
        """A turn failed because of Rasa: hold answering back until the probe finds Rasa answering."""
        if self._probe is None or not self._up.is_set():
            return
        self._up.clear()
        if self._prober is None or self._prober.done():
            self._prober = asyncio.create_task(self._probe_until_up())

    def succeeded(self) -> None:
        """A turn succeeded: Rasa is fully back."""
        self._reopened = 0
        self._up.set()

    async def wait(self, timeout_s: float) -> None:
        """Return when Rasa is deemed up, or after ``timeout_s`` whatever the probe says."""
        if self._probe is None:
            await asyncio.sleep(timeout_s)
            return
        try:
            await asyncio.wait_for(self._up.wait(), timeout_s)
        except asyncio.TimeoutError:
            pass

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)

    async def _probe_until_up(self) -> None:
        delay = min(self._interval_s * 2 ** self._reopened, self._max_interval_s)
        log.warning("Rasa unavailable: answering paused; probing every %.2g s", delay)
        while not self._up.is_set():
            await asyncio.sleep(delay)
            if await self._probe():
                self._reopened += 1
                log.info("Rasa answers again: answering resumed")
                self._up.set()
