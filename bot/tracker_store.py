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
from typing import Any, Dict, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


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


def _row(sender_id: Text, event: Event) -> Dict[str, Any]:
    """The ``events`` row of one event, as Rasa's store writes it."""
    data = event.as_dict()
    return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"), "data": json.dumps(data)}
