"""Rasa's Redis lock store with atomic ticket updates, for several Rasa servers sharing conversations.

Rasa 3.6's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and writes it
back. Two servers doing that at once can both take the same ticket, or one can overwrite a ticket the
other just issued, and then two turns of one conversation run together (their tracker events get
mixed or lost). Here every read-change-write runs in a Redis transaction (WATCH/MULTI/EXEC) and is
retried when another server changed the lock in between. Waiting turns also poll more often than
Rasa's one second, and a ticket that could not be removed while Redis was unreachable is removed as
soon as it is back (Rasa's would hold its conversation until the ticket expires).

Loaded by Rasa from the endpoints file written by ``bot.servers.write_endpoints``::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${REDIS_URL}          # redis://[user:password@]host:port/db; rediss:// for TLS
      key_prefix: bot            # optional, alphanumeric
      wait_time: 0.05            # optional, seconds between a waiting turn's looks at the lock
"""
from __future__ import annotations

import json
import logging
from typing import Any, AsyncContextManager, Callable, Optional, Set, Tuple
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_WAIT_S = 0.05


def redis_kwargs(url: str) -> dict:
    """RedisLockStore's connection arguments from a ``redis://`` or ``rediss://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ValueError("REDIS_URL must start with redis:// or rediss://")
    db = (parts.path or "/0").lstrip("/") or "0"
    return {"host": parts.hostname or "localhost", "port": parts.port or 6379, "db": int(db),
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "use_ssl": parts.scheme == "rediss"}


class AtomicRedisLockStore(RedisLockStore):
    """A RedisLockStore whose ticket changes are atomic across processes."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        options = dict(endpoint_config.kwargs)
        prefix = options.get("key_prefix")
        super().__init__(key_prefix=str(prefix) if prefix else None, **redis_kwargs(str(endpoint_config.url)))
        self.wait_time = float(options.get("wait_time") or DEFAULT_WAIT_S)
        self._unreleased: Set[Tuple[str, int]] = set()  # tickets whose removal failed (Redis unreachable)

    @classmethod
    def from_url(cls, url: str, key_prefix: Optional[str] = None, wait_time: float = DEFAULT_WAIT_S
                 ) -> "AtomicRedisLockStore":
        kwargs: dict = {"wait_time": wait_time}
        if key_prefix:
            kwargs["key_prefix"] = key_prefix
        return cls(EndpointConfig(url=url, **kwargs))

    def key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _change(self, conversation_id: str, change: Callable[[Optional[TicketLock]], Optional[TicketLock]]) -> None:
        """Apply ``change`` to the stored lock atomically; it returns the lock to store (deleted when it has
        no tickets left). ``change`` runs again when another process changed the lock meanwhile."""
        key = self.key(conversation_id)

        def attempt(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new = change(lock)
            pipe.multi()
            if new is None or not new.tickets:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())

        self.red.transaction(attempt, key)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        issued: dict = {}

        def change(lock: Optional[TicketLock]) -> TicketLock:
            lock = lock or self.create_lock(conversation_id)
            issued["ticket"] = lock.issue_ticket(lock_lifetime)
            return lock

        self._release_leftovers()
        try:
            self._change(conversation_id, change)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc
        return issued["ticket"]

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: Optional[TicketLock]) -> Optional[TicketLock]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: Optional[TicketLock]) -> Optional[TicketLock]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket; the lock goes with its last ticket (one transaction, unlike Rasa's two steps).

        If Redis cannot be reached, the turn's reply still goes out, and the ticket is removed on this
        server's next use of the store: left there, it would hold the conversation until it expires
        (a minute), and every message of it would wait that long."""
        self._unreleased.add((conversation_id, ticket_number))
        self._release_leftovers()

    def _release_leftovers(self) -> None:
        for conversation_id, ticket_number in sorted(self._unreleased):
            try:
                self.finish_serving(conversation_id, ticket_number)
            except RedisError as exc:
                log.warning("lock store: ticket %d of a conversation not released yet (%s)", ticket_number,
                            exc.__class__.__name__)
                return
            self._unreleased.discard((conversation_id, ticket_number))

    def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
             wait_time_in_seconds: Optional[float] = None) -> AsyncContextManager[TicketLock]:
        wait = self.wait_time if wait_time_in_seconds is None else wait_time_in_seconds
        return super().lock(conversation_id, lock_lifetime, wait)
