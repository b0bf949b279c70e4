"""How many requests a key (a conversation, an address) may make in a sliding window."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable, Deque, Dict, Tuple


class SlidingWindowLimit:
    """At most ``limit`` requests per key in any ``window_s`` seconds; memory bounded by ``max_keys``."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000):
        self.limit, self.window_s, self._clock, self._max_keys = limit, window_s, clock, max_keys
        self._seen: Dict[str, Deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count a request for ``key``; False (and not counted) when the key is over its limit."""
        return self._count(key, self._clock())

    def _count(self, key: str, now: float) -> bool:
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= self._max_keys:
                self._forget_idle(now)
            times = self._seen[key] = deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or now - t[-1] >= self.window_s]:
            del self._seen[key]
        if len(self._seen) >= self._max_keys:  # all busy: start afresh rather than grow without bound
            self._seen.clear()


class NoticedLimit(SlidingWindowLimit):
    """A :class:`SlidingWindowLimit` that also says when to tell the user: only at the first refusal in a window,
    so a flood earns one notice, not one per message."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000):
        super().__init__(limit, window_s, clock, max_keys)
        self._warned: Dict[str, float] = {}  # when each key was last told it is refused

    def check(self, key: str) -> Tuple[bool, bool]:
        """(allowed, warn): refused requests do not count, so a pause always lets the key back in."""
        now = self._clock()
        if self._count(key, now):
            return True, False
        warn = now - self._warned.get(key, float("-inf")) >= self.window_s
        if warn:
            self._warned[key] = now
        return False, warn

    def _forget_idle(self, now: float) -> None:
        super()._forget_idle(now)
        self._warned = {k: t for k, t in self._warned.items() if k in self._seen and now - t < self.window_s}
