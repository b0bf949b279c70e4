"""Logged-in sessions kept in the database (only a hash of the cookie's token), and the login throttle."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional, Tuple

from sqlalchemy import case, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import Engine

from knowledge.db import transaction
from knowledge.models import Account, AdminSession, LoginAttempts, utcnow


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
    """At most ``max_attempts`` password checks per name and address within ``window_s``.

    An attempt is counted in the database before its password is checked, in one transaction that
    locks the counter's row, so parallel requests and several admin processes cannot check more; a
    stranger's failures from one address neither lock the owner out from another nor outlast the
    window."""

    def __init__(self, engine: Engine, max_attempts: int = 5, window_s: float = 900.0):
        self._engine = engine
        self._max = max_attempts
        self._window = dt.timedelta(seconds=window_s)

    @staticmethod
    def key(name: str, address: Optional[str]) -> str:
        """The counter's key: a hash, so what people typed as a name and their address are not kept."""
        return _digest(f"{name.strip().casefold()}|{address or '?'}")

    def attempt(self, key: str) -> Tuple[bool, int, float]:
        """Count an attempt: (may the password be checked, attempts in the window, seconds until the
        window ends)."""
        now = utcnow()
        self._ensure(key, now)
        with transaction(self._engine) as session:
            # The UPDATE locks the row until commit: concurrent attempts for the key queue here.
            session.execute(update(LoginAttempts).where(LoginAttempts.key == key).values(
                count=case((LoginAttempts.window_start < now - self._window, 1), else_=LoginAttempts.count + 1),
                window_start=case((LoginAttempts.window_start < now - self._window, now),
                                  else_=LoginAttempts.window_start)))
            row = session.get(LoginAttempts, key)
            left = (row.window_start + self._window - now).total_seconds()
            return row.count <= self._max, row.count, max(0.0, left)

    def succeeded(self, key: str) -> None:
        with transaction(self._engine) as session:
            session.execute(delete(LoginAttempts).where(LoginAttempts.key == key))

    def _ensure(self, key: str, now: dt.datetime) -> None:
        try:
            with transaction(self._engine) as session:
                # Counters whose window has long passed say nothing any more.
                session.execute(delete(LoginAttempts).where(LoginAttempts.window_start < now - 2 * self._window))
                if session.get(LoginAttempts, key) is None:
                    session.add(LoginAttempts(key=key, count=0, window_start=now))
        except IntegrityError:
            pass  # another request created it first
