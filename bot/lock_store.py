"""Rasa's Redis lock store with atomic ticket updates, for several Rasa servers sharing conversations.

Rasa 3.6's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and writes it
back. Two servers doing that at once can both take the same ticket, or one can overwrite a ticket the
other just issued, and then two turns of one conversation run together (their tracker events get
mixed or lost). Here every change runs in Redis as one Lua script (atomic, one round trip: a turn
that need not wait costs two, where Rasa's store and a WATCH/MULTI/EXEC version of this one cost
seven, each holding up the server's event loop). The lock keeps Rasa's format and Rasa's rules: tickets in
order of issue, the first unexpired one served, expiry by the Rasa server's clock. Waiting turns also
poll more often than Rasa's one second, and a ticket that could not be removed while Redis was
unreachable is removed as soon as it is back (Rasa's would hold its conversation until it expires).

Loaded by Rasa from the endpoints file written by ``bot.servers.write_endpoints``::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${REDIS_URL}          # redis://[user:password@]host:port/db; rediss:// for TLS
      key_prefix: bot            # optional, alphanumeric
      wait_time: 0.05            # optional, seconds between a waiting turn's looks at the lock
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional, Set, Tuple
from urllib.parse import unquote, urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_WAIT_S = 0.05

# KEYS[1] the lock; ARGV: operation ("issue", "refresh" or "finish"), the server's time, the new ticket's
# lifetime or the ticket to remove, the conversation id. Drops expired tickets (and the removed one),
# appends the issued one, stores the lock (deleted without tickets). Returns {issued ticket or -1, lock}.
# Tickets are stored as Rasa stores them: JSON texts inside the lock's JSON.
_UPDATE_LOCK = """
local op, now, value = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local raw = redis.call('GET', KEYS[1])
local lock = raw and cjson.decode(raw) or {conversation_id = ARGV[4]}
local kept, last = {}, -1
for _, text in ipairs(lock.tickets or {}) do
  local ticket = cjson.decode(text)
  if now <= ticket.expires and not (op == 'finish' and ticket.number == value) then
    kept[#kept + 1] = text
    last = ticket.number
  end
end
local issued = -1
if op == 'issue' then
  issued = last + 1
  kept[#kept + 1] = cjson.encode({number = issued, expires = now + value})
end
if #kept == 0 then
  redis.call('DEL', KEYS[1])
  return {issued, false}
end
lock.tickets = kept
local stored = cjson.encode(lock)
redis.call('SET', KEYS[1], stored)
return {issued, stored}
"""


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
        self._update_script = self.red.register_script(_UPDATE_LOCK)

    @classmethod
    def from_url(cls, url: str, key_prefix: Optional[str] = None, wait_time: float = DEFAULT_WAIT_S
                 ) -> "AtomicRedisLockStore":
        kwargs: dict = {"wait_time": wait_time}
        if key_prefix:
            kwargs["key_prefix"] = key_prefix
        return cls(EndpointConfig(url=url, **kwargs))

    def key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def _update(self, operation: str, conversation_id: str, value: float) -> Tuple[int, Optional[TicketLock]]:
        """Run one change of the lock in Redis: (the ticket issued or -1, the lock as stored or None)."""
        issued, stored = self._update_script(keys=[self.key(conversation_id)],
                                             args=[operation, repr(time.time()), value, conversation_id])
        return int(issued), TicketLock.from_dict(json.loads(stored)) if stored else None

    def _issue(self, conversation_id: str, lock_lifetime: float) -> Tuple[int, TicketLock]:
        self._release_leftovers()
        try:
            ticket, lock = self._update("issue", conversation_id, lock_lifetime)
        except Exception as exc:
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc
        if lock is None:  # it holds the ticket just issued
            raise LockError(f"No lock stored for conversation_id '{conversation_id}'.")
        return ticket, lock

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue(conversation_id, lock_lifetime)[0]

    def update_lock(self, conversation_id: str) -> None:
        self._update("refresh", conversation_id, 0)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._update("finish", conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Remove the ticket; the lock goes with its last ticket (one script, unlike Rasa's two steps).

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

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: Optional[float] = None) -> AsyncIterator[TicketLock]:
        """Rasa's ``LockStore.lock``: take a ticket, wait until it is served, remove it. The lock returned
        with the ticket tells whether to wait at all; a waiting turn refreshes the lock (dropping expired
        tickets) at each look, and fails with ``LockError`` if its own ticket expired meanwhile."""
        wait = self.wait_time if wait_time_in_seconds is None else wait_time_in_seconds
        ticket, lock = self._issue(conversation_id, lock_lifetime)
        try:
            while lock.is_locked(ticket):
                await asyncio.sleep(wait)
                _, refreshed = self._update("refresh", conversation_id, 0)
                if refreshed is None or all(t.number != ticket for t in refreshed.tickets):
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                lock = refreshed
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
