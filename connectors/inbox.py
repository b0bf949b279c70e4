"""Inbound messages stored before they are acknowledged: deduplicated by the
platform's message id, retried until answered, resumed after a restart."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.models import InboundMessage, utcnow

MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Pending:
    id: int
    channel: str
    external_id: str
    sender: str
    text: str
    payload: Dict[str, Any]
    attempts: int


def store(engine: Engine, channel: str, external_id: str, sender: str, text: str,
          payload: Optional[Dict[str, Any]] = None) -> Optional[int]:
    """Keep a message; return its id, or None when this message id was stored before (a redelivery)."""
    try:
        with transaction(engine) as session:
            return add(session, channel, external_id, sender, text, payload)
    except IntegrityError:
        return None


def add(session: Session, channel: str, external_id: str, sender: str, text: str,
        payload: Optional[Dict[str, Any]] = None) -> int:
    """Keep a message in ``session``'s transaction and return its id; a message id stored before raises
    IntegrityError (a redelivery), which spoils the transaction."""
    row = InboundMessage(channel=channel, external_id=str(external_id), sender=str(sender), text=text,
                         payload=payload or {}, status="pending", attempts=0, received_at=utcnow())
    session.add(row)
    session.flush()
    return row.id


def pending(engine: Engine, channel: str, limit: int = 100, sender: Optional[str] = None) -> List[Pending]:
    """Messages not yet answered, oldest first (what a restarted connector resumes); only ``sender``'s
    when given."""
    with transaction(engine) as session:
        return pending_in(session, channel, limit, sender)


def pending_in(session: Session, channel: str, limit: int = 100, sender: Optional[str] = None) -> List[Pending]:
    """:func:`pending` within ``session``'s transaction."""
    query = select(InboundMessage).where(InboundMessage.channel == channel, InboundMessage.status == "pending")
    if sender is not None:
        query = query.where(InboundMessage.sender == sender)
    rows = session.execute(query.order_by(InboundMessage.id).limit(limit)).scalars()
    return [Pending(r.id, r.channel, r.external_id, r.sender, r.text, dict(r.payload or {}), r.attempts)
            for r in rows]


def mark_done(engine: Engine, message_id: int) -> None:
    with transaction(engine) as session:
        session.execute(update(InboundMessage).where(InboundMessage.id == message_id)
                        .values(status="done", done_at=utcnow()))


def mark_attempt_failed(engine: Engine, message_id: int, error: str) -> bool:
    """Count a failed attempt; return True while the message should still be retried."""
    with transaction(engine) as session:
        return session.get(InboundMessage, message_id).count_failure(error, MAX_ATTEMPTS)


def is_pending(engine: Engine, message_id: int) -> bool:
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id)
        return row is not None and row.status == "pending"


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    """Give a message up (it cannot succeed); it stays with its reason for the operator to see."""
    with transaction(engine) as session:
        session.execute(update(InboundMessage).where(InboundMessage.id == message_id)
                        .values(status="failed", last_error=error[:300]))
