"""Logged-in sessions kept in the database (only a hash of the cookie's token), and the login throttle."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from knowledge.db import transaction
from knowledge.models import Account, AdminSession, utcnow


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str  # admin | staff
    locality: Optional[str]
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(engine: Engine, account_id: int, lifetime: dt.timedelta) -> str:
    """A new session for the account; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    with transaction(engine) as session:
        session.execute(delete(AdminSession).where(AdminSession.expires_at < utcnow()))
        session.add(AdminSession(token_hash=_digest(token), account_id=account_id,
                                 csrf_token=secrets.token_urlsafe(32), expires_at=utcnow() + lifetime))
    return token


def user_of(engine: Engine, token: Optional[str]) -> Optional[User]:
    if not token:
        return None
    with transaction(engine) as session:
        row = session.get(AdminSession, _digest(token))
        if row is None or row.expires_at < utcnow():
            return None
        account = session.get(Account, row.account_id)
        if account is None:
            return None
        return User(account.id, account.name, account.role, account.locality_key, row.csrf_token)


def end(engine: Engine, token: Optional[str]) -> None:
    if token:
        with transaction(engine) as session:
            session.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token)))


class LoginThrottle:
    """After ``max_failures`` failed logins within ``window_s`` for one name or one address, further
    attempts from it are refused until the window has passed."""

    def __init__(self, max_failures: int = 5, window_s: float = 900.0, clock: Callable[[], float] = time.monotonic):
        self._max = max_failures
        self._window = window_s
        self._clock = clock
        self._failures: Dict[str, List[float]] = {}

    def _recent(self, key: str) -> List[float]:
        now = self._clock()
        times = [t for t in self._failures.get(key, []) if now - t < self._window]
        if times:
            self._failures[key] = times
        else:
            self._failures.pop(key, None)
        return times

    def wait_s(self, keys: List[str]) -> float:
        """Seconds before another attempt is heard (0 when it may go ahead)."""
        waits = [times[0] + self._window - self._clock() for times in map(self._recent, keys)
                 if len(times) >= self._max]
        return max(waits, default=0.0)

    def failed(self, keys: List[str]) -> int:
        """Count a failure; return the most failures any of the keys now has."""
        now = self._clock()
        counts = []
        for key in keys:
            self._failures.setdefault(key, []).append(now)
            counts.append(len(self._recent(key)))
        return max(counts)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
