"""How many requests a key (a conversation, an address) may make in a sliding window."""
from __future__ import annotations

import time
from collections import deque
from typing import Callable, Deque, Dict


class SlidingWindowLimit:
    """At most ``limit`` requests per key in any ``window_s`` seconds; memory bounded by ``max_keys``."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000):
        self.limit, self.window_s, self._clock, self._max_keys = limit, window_s, clock, max_keys
        self._seen: Dict[str, Deque[float]] = {}

    def allow(self, key: str) -> bool:
        """Count a request for ``key``; False (and not counted) when the key is over its limit."""
        now = self._clock()
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
