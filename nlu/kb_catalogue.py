"""The knowledge base's alias and synonym tables as the NLU components read them: reloaded
when the KB's version changes, so an admin's change is live without retraining."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Dict, Optional

from config.settings import Settings
from knowledge.catalogue import AliasTable, load_alias_table
from knowledge.db import create_schema, kb_version, make_engine, read_version, transaction

log = logging.getLogger(__name__)


# How long the aliases are used before the KB's version is read again: an admin's new alias is
# recognised within this time. Reading it for every message held up the Rasa server's event loop.
KB_CHECK_INTERVAL_S = 1.0


class AliasCache:
    """The KB's alias table, reloaded when the KB version changes (looked at most once per interval)."""

    def __init__(self, url: str, check_interval_s: float = KB_CHECK_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic):
        self._url = url
        self._engine = None
        self._table: Optional[AliasTable] = None
        self._version: Optional[int] = None
        self._lock = threading.Lock()
        self._interval = check_interval_s
        self._clock = clock
        self._checked_at: Optional[float] = None

    def get(self) -> Optional[AliasTable]:
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._interval:
            return self._table
        try:
            if self._engine is None:
                self._engine = make_engine(self._url)
                create_schema(self._engine)
            if read_version(self._engine) != self._version:
                with self._lock, transaction(self._engine) as session:
                    self._table, self._version = load_alias_table(session), kb_version(session)
        except Exception as exc:  # no KB: DIET's entities stand alone
            log.warning("catalogue entities unavailable: %s", exc.__class__.__name__)
            return None
        self._checked_at = now
        return self._table


_SHARED: Dict[str, AliasCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_alias_cache(url: Optional[str] = None) -> AliasCache:
    """One cache per database for the components of a process (tokenizer and entity extractor)."""
    url = url or Settings.from_env().database_url
    with _SHARED_LOCK:
        if url not in _SHARED:
            _SHARED[url] = AliasCache(url)
        return _SHARED[url]
