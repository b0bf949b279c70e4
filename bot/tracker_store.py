"""Rasa's SQL tracker store with its per-message queries built once, in SQLAlchemy Core.

Rasa 3.6's ``SQLTrackerStore`` builds ORM queries for every message: it loads each stored event as an ORM
object to read its JSON, and counts the conversation's stored events (to know which are new) with a
query wrapped in a subquery. On the shared deployment that was a quarter of a Rasa server's CPU per
message. This store keeps Rasa's table, its rows and their meaning (a tracker holds the events since
the conversation's latest session start; the events past that count are the new ones) and only prepares
the statements once.

Loaded by Rasa from the endpoints file written by ``bot.servers.write_endpoints``::

    tracker_store:
      type: bot.tracker_store.CoreSQLTrackerStore
      url: ${TRACKER_STORE_URL}          # postgresql://user:password@host:port/db
"""
from __future__ import annotations

import itertools
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions
from rasa.shared.nlu.constants import INTENT_NAME_KEY

log = logging.getLogger(__name__)


class CoreSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with prepared Core statements for retrieving and saving trackers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        events = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        of_sender = events.c.sender_id == sender
        session_start = (sa.select(sa.func.max(events.c.timestamp))
                         .where(of_sender, events.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        in_latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
        self._latest_session = sa.select(events.c.data).where(of_sender, in_latest_session).order_by(events.c.id)
        self._all_sessions = sa.select(events.c.data).where(of_sender).order_by(events.c.id)
        self._latest_session_count = (sa.select(sa.func.count()).select_from(events)
                                      .where(of_sender, in_latest_session))
        self._insert = events.insert()

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        query = self._all_sessions if fetch_events_from_all_sessions else self._latest_session
        with self.session_scope() as session:
            rows = session.execute(query, {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's events that are not stored yet (those past the latest session's count)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = session.execute(self._latest_session_count, {"sender_id": tracker.sender_id}).scalar_one()
            rows = [_row(tracker.sender_id, event) for event in itertools.islice(tracker.events, stored, None)]
            if rows:
                session.execute(self._insert, rows)
            session.commit()


class KeptInMemoryTrackerStore(CoreSQLTrackerStore):
    """Conversations served from memory, as Rasa's in-memory store does, and also written to the SQL store
    by one background thread, so a restart remembers each resident's locality and last question.

    Reading and saving cost what the in-memory store costs; the writes happen off the answering path, in
    order. A conversation not in memory (after a restart) is read back from the database. What a hard
    kill (SIGKILL) can lose is the writes still queued: the last few milliseconds of turns. For the one
    process of the embedded default; several Rasa processes share ``CoreSQLTrackerStore`` instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memory: Dict[Text, Text] = {}
        # Per conversation, how many events of the tracker last handed out are written (or queued).
        self._written: Dict[Text, int] = {}
        # At interpreter exit (a normal stop) Python runs the writes still queued before it ends.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tracker-writer")

    def flush(self) -> None:
        """Wait until every queued write is in the database."""
        self._writer.submit(lambda: None).result()

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        # The tracker a turn will extend and save: what it holds is already written.
        tracker = await self._retrieve(sender_id, fetch_events_from_all_sessions=False)
        self._written[sender_id] = len(tracker.events) if tracker else 0
        return tracker

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        kept = self._memory.get(sender_id)
        if kept is None:
            tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
            if tracker is not None and not fetch_events_from_all_sessions:
                self._memory[sender_id] = self.serialise_tracker(tracker)
            return tracker
        tracker = self.deserialise_tracker(sender_id, kept)
        if tracker is None or fetch_events_from_all_sessions:
            return tracker
        return get_trackers_for_conversation_sessions(tracker)[-1]  # the latest session, as Rasa's stores do

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender = tracker.sender_id
        self._memory[sender] = self.serialise_tracker(tracker)
        new = list(itertools.islice(tracker.events, self._written.get(sender, 0), None))
        self._written[sender] = len(tracker.events)
        if new:
            self._writer.submit(self._write, sender, new)

    def _write(self, sender_id: Text, events: List[Event]) -> None:
        try:
            with self.session_scope() as session:
                session.execute(self._insert, [_row(sender_id, event) for event in events])
                session.commit()
        except Exception:  # the conversation stays in memory; only its copy on disk misses these turns
            log.exception("could not write %d events of a conversation to the tracker database", len(events))


def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
    """The ``events`` row of one event, as Rasa's store writes it."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
