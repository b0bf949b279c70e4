"""Notices to subscribers from the change log: each batch of changes since the last one becomes a broadcast,
one notice per matching address, queued in the outbox for its channel's connector to deliver.

Reading the batch, advancing the watermark and queuing the notices are one transaction, and a batch is known
by its last change-log id (unique), so several servers calling :func:`prepare_broadcasts` at once queue each
notice once. On PostgreSQL the change log is locked in SHARE mode for the transaction: writers still inside
a transaction would otherwise commit change-log rows below the new watermark, which no batch would read."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.models import (Broadcast, ChangeLog, Locality, NoticeSend, OutboundMessage, Provision, Subscription,
                              Topic, Watermark, provision_record, utcnow)
from knowledge.notice_changes import Change, LogRow, resident_changes
from knowledge.notice_text import notice_text, summary_line
from knowledge.subscriptions import all_subscriptions

log = logging.getLogger(__name__)

WATERMARK = "notices"
# Outbox statuses of a notice, as a broadcast counts them; any other status is still on its way.
COUNTED = {"sent": "sent", "failed": "failed", "skipped": "skipped_quota", "held": "held",
           "cancelled": "cancelled"}


def prepare_broadcasts(engine: Engine, now: Optional[dt.datetime] = None) -> List[int]:
    """Turn the change-log rows written since the last call into at most one broadcast and queue its notices;
    return the new broadcast's id (none when nothing residents follow changed, or another server did it)."""
    now = now or utcnow()
    start = _watermark(engine)
    if _last_change_id(engine) <= start:
        return []
    try:
        with transaction(engine) as session:
            position = _locked_watermark(session)
            rows = session.execute(select(ChangeLog).where(ChangeLog.id > position)
                                   .order_by(ChangeLog.id)).scalars().all()
            if not rows:
                return []
            session.execute(update(Watermark).where(Watermark.name == WATERMARK).values(position=rows[-1].id))
            changes = resident_changes(session, rows)
            notices = _notices(session, changes)
            if not notices:
                return []
            broadcast = Broadcast(first_change_id=rows[0].id, last_change_id=rows[-1].id, created_at=now,
                                  summary=summary_line(changes), queued=len(notices))
            session.add(broadcast)
            session.flush()
            _queue(session, broadcast.id, notices, now)
            log.info("broadcast %d: %d changes, %d notices queued", broadcast.id, len(changes), len(notices))
            return [broadcast.id]
    except IntegrityError:  # another server queued this batch first: its transaction won
        log.info("notices: the batch after change %d was prepared by another server", start)
        return []


def preview(engine: Engine, changes: Union[Sequence[Any], Mapping[str, Any]]) -> str:
    """The notice a subscriber to everything would get for ``changes``: change-log rows (or dicts with their
    fields), or one provision record as the admin is about to save it (``id``; ``document_code`` for a new
    one). Empty when residents would not be told (draft edits, aliases…)."""
    with transaction(engine) as session:
        rows = _provision_rows(session, changes) if isinstance(changes, Mapping) else [_as_row(c) for c in changes]
        found = resident_changes(session, rows)
        if not found:
            return ""
        return notice_text(found, *_names(session))


def refresh_counts(engine: Engine) -> int:
    """Bring the counts of broadcasts still on their way up to date from their notices' outbox status;
    return how many broadcasts were looked at."""
    with transaction(engine) as session:
        settled = Broadcast.sent + Broadcast.failed + Broadcast.skipped_quota + Broadcast.cancelled
        open_ = session.execute(select(Broadcast).where(settled < Broadcast.queued)).scalars().all()
        if not open_:
            return 0
        by_id = {b.id: b for b in open_}
        tally: Dict[int, Dict[str, int]] = {b: {name: 0 for name in COUNTED.values()} for b in by_id}
        for broadcast_id, status, count in session.execute(
                select(NoticeSend.broadcast_id, OutboundMessage.status, func.count())
                .join(OutboundMessage, OutboundMessage.id == NoticeSend.outbound_id)
                .where(NoticeSend.broadcast_id.in_(list(by_id)))
                .group_by(NoticeSend.broadcast_id, OutboundMessage.status)):
            if status in COUNTED:
                tally[broadcast_id][COUNTED[status]] += count
        for broadcast_id, counts in tally.items():
            for name, value in counts.items():
                setattr(by_id[broadcast_id], name, value)
        return len(open_)


def broadcasts(engine: Engine, limit: int = 20) -> List[Dict[str, Any]]:
    """The latest broadcasts with their counts (as last refreshed), newest first: no addresses."""
    with transaction(engine) as session:
        rows = session.execute(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)).scalars()
        return [{"id": b.id, "created_at": b.created_at.isoformat(timespec="seconds"), "summary": b.summary,
                 "changes": [b.first_change_id, b.last_change_id], "queued": b.queued, "sent": b.sent,
                 "failed": b.failed, "skipped_quota": b.skipped_quota, "held": b.held,
                 "cancelled": b.cancelled} for b in rows]


# --- the batch ------------------------------------------------------------------------------------------------

def _watermark(engine: Engine) -> int:
    """Where the last batch ended. The first time: just before the first subscription was made (none yet:
    the end of the log), so the history of the knowledge base is not announced."""
    with transaction(engine) as session:
        position = session.execute(select(Watermark.position).where(Watermark.name == WATERMARK)).scalar()
        if position is not None:
            return position
    try:
        with transaction(engine) as session:
            first = session.execute(select(func.min(Subscription.created_at))).scalar()
            before = select(func.max(ChangeLog.id))
            if first is not None:
                before = before.where(ChangeLog.at < first)
            position = session.execute(before).scalar() or 0
            session.add(Watermark(name=WATERMARK, position=position))
            return position
    except IntegrityError:  # another server wrote it first
        with transaction(engine) as session:
            return session.execute(select(Watermark.position).where(Watermark.name == WATERMARK)).scalar_one()


def _last_change_id(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.max(ChangeLog.id))).scalar() or 0


def _locked_watermark(session: Session) -> int:
    """The watermark, held by this transaction until it ends; committed change-log rows are all visible."""
    if session.get_bind().dialect.name == "postgresql":
        # Waits for transactions writing the change log to end, and holds new ones back until this one ends.
        session.execute(text("LOCK TABLE change_log IN SHARE MODE"))
    else:
        # SQLite: write first, so this transaction holds the database's single write lock before it reads.
        session.execute(update(Watermark).where(Watermark.name == WATERMARK)
                        .values(position=Watermark.position))
    return session.execute(select(Watermark.position).where(Watermark.name == WATERMARK)
                           .with_for_update()).scalar_one()


def _notices(session: Session, changes: Sequence[Change]) -> Dict[Tuple[str, str], str]:
    """(channel, address) -> the notice for each address following any of ``changes`` (made after it
    subscribed)."""
    if not changes:
        return {}
    names = _names(session)
    texts: Dict[Tuple[Any, ...], str] = {}
    out: Dict[Tuple[str, str], str] = {}
    for key, subscriptions in all_subscriptions(session).items():
        matched = [c for c in changes if any(_follows(s, c) for s in subscriptions)]
        if not matched:
            continue
        followed = tuple(s.topic_key for s in subscriptions if s.topic_key)
        cache_key = (tuple(c.change_id for c in matched), followed)
        if cache_key not in texts:
            texts[cache_key] = notice_text(matched, *names, followed=followed)
        out[key] = texts[cache_key]
    return out


def _follows(subscription: Subscription, change: Change) -> bool:
    return ((subscription.locality_key is None or subscription.locality_key == change.locality)
            and (subscription.topic_key is None or not change.topics or subscription.topic_key in change.topics)
            and change.at >= subscription.created_at)


def _queue(session: Session, broadcast_id: int, notices: Mapping[Tuple[str, str], str], now: dt.datetime) -> None:
    """One outbox message and one send record per address, in this transaction."""
    messages = [OutboundMessage(channel=channel, address=address, text=body, status="pending", attempts=0,
                                created_at=now) for (channel, address), body in notices.items()]
    session.add_all(messages)
    session.flush()
    session.add_all([NoticeSend(broadcast_id=broadcast_id, channel=m.channel, address=m.address, outbound_id=m.id)
                     for m in messages])
    session.flush()


def _names(session: Session) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Topic and locality display names by key, in catalogue order."""
    topics = dict(session.execute(select(Topic.key, Topic.name).order_by(Topic.position, Topic.key)).all())
    localities = dict(session.execute(select(Locality.key, Locality.name)
                                      .order_by(Locality.position, Locality.key)).all())
    return topics, localities


# --- previews ---------------------------------------------------------------------------------------------

def _as_row(change: Any) -> Any:
    if not isinstance(change, Mapping):
        return change
    return LogRow(id=int(change.get("id") or 0), at=_moment(change.get("at")), action=str(change["action"]),
                  entity=str(change["entity"]), entity_id=str(change["entity_id"]), before=change.get("before"),
                  after=change.get("after"))


def _provision_rows(session: Session, record: Mapping[str, Any]) -> List[LogRow]:
    """A provision as the admin is about to save it, read as the change-log row saving it would write."""
    existing = session.get(Provision, str(record.get("id") or ""))
    before = provision_record(existing) if existing is not None else None
    after = {**(before or {}), **record}
    return [LogRow(id=0, at=utcnow(), action="edit" if before else "add", entity="provision",
                   entity_id=str(record.get("id") or "new"), before=before, after=after)]


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value) if value else utcnow()
