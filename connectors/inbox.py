"""Inbound messages stored before they are acknowledged: deduplicated by the
platform's message id, retried until answered, resumed after a restart.

A connector that records its sends (Zalo) keeps the composed reply in the row's payload (``reply``, a list of
platform messages, and ``sent``, how many of them went out) and marks the row ``sending`` while a part is on
its way, so that after a crash the part that may have gone out is not sent again (:func:`recover_sending`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import desc, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from connectors.recorded_sends import Interrupted, interrupted_note
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
        row = session.get(InboundMessage, message_id)
        if row.status == SENDING:  # the send failed with an answer: nothing is on its way any more
            row.status = "pending"
        return row.count_failure(error, MAX_ATTEMPTS)


def is_pending(engine: Engine, message_id: int) -> bool:
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id)
        return row is not None and row.status == "pending"


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    """Give a message up (it cannot succeed); it stays with its reason for the operator to see."""
    with transaction(engine) as session:
        session.execute(update(InboundMessage).where(InboundMessage.id == message_id)
                        .values(status="failed", last_error=error[:300]))


# --- recorded sends -----------------------------------------------------------------------------------------

SENDING = "sending"  # a part of the reply is on its way: it may or may not have reached the user


def mark_sending(engine: Engine, message_id: int, part: int, reply: List[Dict[str, Any]]) -> None:
    """Record, before the call, that ``part`` of ``reply`` is being sent (the parts before it went out)."""
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id)
        row.payload = {**(row.payload or {}), "reply": reply, "sent": part, "sending": part}
        row.status = SENDING


def mark_part_sent(engine: Engine, message_id: int, part: int, done: bool) -> None:
    """Record that ``part`` went out; the message is answered when it was the last part."""
    with transaction(engine) as session:
        row = session.get(InboundMessage, message_id)
        payload = {**(row.payload or {}), "sent": part + 1}
        payload.pop("sending", None)
        row.payload = payload
        row.status = "done" if done else "pending"
        if done:
            row.done_at = utcnow()


def recover_sending(engine: Engine, channel: str) -> List[Interrupted]:
    """After a restart: skip each part that was on its way when the connector stopped (it may have reached the
    user, and the platform has no idempotency key), note it in ``last_error``, and leave the later parts, which
    surely did not leave, pending."""
    out: List[Interrupted] = []
    with transaction(engine) as session:
        rows = session.execute(select(InboundMessage).where(InboundMessage.channel == channel,
                                                            InboundMessage.status == SENDING)).scalars()
        for row in rows:
            payload = dict(row.payload or {})
            reply = payload.get("reply") or []
            part = int(payload.pop("sending", payload.get("sent") or 0))
            payload["sent"] = part + 1
            payload["unsure_parts"] = [*payload.get("unsure_parts", []), part]
            row.payload = payload
            done = part + 1 >= len(reply)
            row.status = "done" if done else "pending"
            if done:
                row.done_at = utcnow()
            row.last_error = interrupted_note(part, len(reply))
            out.append(Interrupted(row.id, part, len(reply), done))
    return out


def last_message_id(engine: Engine, channel: str, sender: str, since: dt.datetime) -> Optional[str]:
    """The platform id of ``sender``'s latest message that can be replied to (``payload.reply_to``), if it was
    written at or after ``since`` (naive UTC): its own timestamp (``payload.timestamp_ms``) when stored, else
    when it was received."""
    with transaction(engine) as session:
        rows = session.execute(select(InboundMessage).where(InboundMessage.channel == channel,
                                                            InboundMessage.sender == sender)
                               .order_by(desc(InboundMessage.id)).limit(20)).scalars()
        for row in rows:
            payload = row.payload or {}
            if not payload.get("reply_to"):
                continue
            stamp = payload.get("timestamp_ms")
            at = (dt.datetime.fromtimestamp(int(stamp) / 1000, dt.timezone.utc).replace(tzinfo=None)
                  if isinstance(stamp, int) else row.received_at)
            return str(payload["reply_to"]) if at >= since else None
    return None
