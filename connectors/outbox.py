"""Messages written outside a conversation turn (staff answers, subscribers' notices), delivered by their
channel's connector.

A connector that records its sends (Zalo; Telegram too) keeps the progress in ``status``: ``pending:<n>`` when
parts before ``n`` went out, ``sending:<n>`` while part ``n`` (0-based) is on its way, so that after a crash the
part that may have gone out is not sent again (:func:`recover_sending`). A notice a platform's quota keeps back
is ``held`` (looked at again each round) or ``skipped`` (given up by policy), its reason in ``last_error``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from connectors.recorded_sends import Interrupted, interrupted_note
from knowledge.db import transaction
from knowledge.models import NoticeSend, OutboundMessage, utcnow

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Outbound:
    id: int
    channel: str
    address: str
    text: str
    attempts: int
    next_part: int = 0  # the first part not yet sent, for a connector that sends in recorded parts


def _as_outbound(row: OutboundMessage) -> Outbound:
    return Outbound(row.id, row.channel, row.address, row.text, row.attempts, _progress(row.status)[1])


def pending_for(engine: Engine, channel: str, address: str) -> List[Outbound]:
    """What waits for one address (a web chat page polling for it); it stays waiting until acknowledged."""
    with transaction(engine) as session:
        rows = session.execute(select(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.address == address,
            OutboundMessage.status == "pending").order_by(OutboundMessage.id)).scalars()
        return [_as_outbound(r) for r in rows]


def acknowledge(engine: Engine, channel: str, address: str, ids: List[int]) -> int:
    """Mark as delivered the messages of ``ids`` that wait for this address (others are left alone)."""
    if not ids:
        return 0
    with transaction(engine) as session:
        result = session.execute(update(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.address == address,
            OutboundMessage.status == "pending", OutboundMessage.id.in_(ids)).values(status="sent", sent_at=utcnow()))
        return result.rowcount or 0


# --- recorded sends, part by part ---------------------------------------------------------------------------

PENDING, SENDING = "pending", "sending"
HELD, SKIPPED = "held", "skipped"  # notices a platform's quota keeps back for now, or that the policy gave up


def _progress(status: str) -> Tuple[str, int]:
    """``("pending", 2)`` for ``pending:2``; a bare status is at part 0."""
    state, _, part = status.partition(":")
    return state, int(part) if part.isdigit() else 0


def _pending(part: int) -> str:
    return PENDING if part == 0 else f"{PENDING}:{part}"


def due_parts(engine: Engine, channel: str, limit: int = 20, notices: Optional[bool] = None) -> List[Outbound]:
    """Messages of ``channel`` waiting to be sent, also those part-way through (``next_part``), oldest first;
    only subscribers' notices (``notices=True``) or only the other messages (``False``) when asked."""
    query = select(OutboundMessage).where(
        OutboundMessage.channel == channel,
        or_(OutboundMessage.status == PENDING, OutboundMessage.status.like(f"{PENDING}:%")))
    if notices is not None:
        is_notice = OutboundMessage.id.in_(select(NoticeSend.outbound_id))
        query = query.where(is_notice if notices else ~is_notice)
    with transaction(engine) as session:
        rows = session.execute(query.order_by(OutboundMessage.id).limit(limit)).scalars()
        return [_as_outbound(r) for r in rows]


def held_notices(engine: Engine, channel: str, limit: int = 500) -> List[Outbound]:
    """Notices held back (over a platform's quota), oldest first: each round looks at them again."""
    with transaction(engine) as session:
        rows = session.execute(select(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.status == HELD,
            OutboundMessage.id.in_(select(NoticeSend.outbound_id)))
            .order_by(OutboundMessage.id).limit(limit)).scalars()
        return [_as_outbound(r) for r in rows]


def mark_held(engine: Engine, message_id: int, reason: str) -> None:
    """Keep a message queued but not sent for now (``held``), with the reason; a later round may send it."""
    with transaction(engine) as session:
        session.execute(update(OutboundMessage).where(
            OutboundMessage.id == message_id, or_(OutboundMessage.status != HELD,
                                                  OutboundMessage.last_error != reason[:300]))
            .values(status=HELD, last_error=reason[:300]))


def mark_skipped(engine: Engine, message_id: int, reason: str) -> None:
    """Give a message up by policy (``skipped``, never sent), with the reason for the operator."""
    with transaction(engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id)
                        .values(status=SKIPPED, last_error=reason[:300]))


def mark_sending(engine: Engine, message_id: int, part: int) -> bool:
    """Record, before the call, that ``part`` is being sent (the parts before it went out). False when the
    message no longer waits for that part (another connector took it, or its follower stopped and it was
    cancelled): it must then not be sent."""
    waiting = [_pending(part)] + ([HELD] if part == 0 else [])
    with transaction(engine) as session:
        result = session.execute(update(OutboundMessage).where(
            OutboundMessage.id == message_id, OutboundMessage.status.in_(waiting))
            .values(status=f"{SENDING}:{part}").execution_options(synchronize_session=False))
        return bool(result.rowcount)


def mark_part_sent(engine: Engine, message_id: int, part: int, done: bool) -> None:
    """Record that ``part`` went out; the message is sent when it was the last part."""
    values = {"status": "sent", "sent_at": utcnow()} if done else {"status": _pending(part + 1)}
    with transaction(engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id).values(**values))


def mark_part_failed(engine: Engine, message_id: int, part: int, error: str) -> bool:
    """Count a failed send of ``part`` (transient: it did not go out); True while it should be retried from
    that part, and kept as failed after ``MAX_ATTEMPTS``."""
    with transaction(engine) as session:
        row = session.get(OutboundMessage, message_id)
        row.status = _pending(part)
        row.attempts += 1
        row.last_error = error[:300]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
        return row.status != "failed"


def mark_failed(engine: Engine, message_id: int, error: str) -> None:
    """Give a message up (the platform refused it for good); it stays with its reason for the operator."""
    with transaction(engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id)
                        .values(status="failed", last_error=error[:300]))


def recover_sending(engine: Engine, channel: str, parts_of: Callable[[str], int]) -> List[Interrupted]:
    """After a restart: skip each part that was on its way when the connector stopped (it may have reached the
    user), note it in ``last_error``, and leave the later parts pending; ``parts_of(text)`` counts the parts."""
    out: List[Interrupted] = []
    with transaction(engine) as session:
        rows = session.execute(select(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.status.like(f"{SENDING}:%"))).scalars()
        for row in rows:
            part = _progress(row.status)[1]
            parts = max(parts_of(row.text), 1)
            done = part + 1 >= parts
            row.status = "sent" if done else _pending(part + 1)
            if done:
                row.sent_at = utcnow()
            row.last_error = interrupted_note(part, parts)
            out.append(Interrupted(row.id, part, parts, done))
    return out
