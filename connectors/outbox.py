"""Messages written outside a conversation turn (staff answers), delivered by their channel's connector."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, List, Tuple, Type

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from knowledge.db import transaction
from knowledge.models import OutboundMessage, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class Outbound:
    id: int
    channel: str
    address: str
    text: str
    attempts: int


def _as_outbound(row: OutboundMessage) -> Outbound:
    return Outbound(row.id, row.channel, row.address, row.text, row.attempts)


def due(engine: Engine, channel: str, limit: int = 20) -> List[Outbound]:
    """Messages of ``channel`` waiting to be sent, oldest first."""
    with transaction(engine) as session:
        rows = session.execute(select(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.status == "pending")
            .order_by(OutboundMessage.id).limit(limit)).scalars()
        return [_as_outbound(r) for r in rows]


def mark_sent(engine: Engine, message_id: int) -> None:
    with transaction(engine) as session:
        session.execute(update(OutboundMessage).where(OutboundMessage.id == message_id)
                        .values(status="sent", sent_at=utcnow()))


def mark_attempt_failed(engine: Engine, message_id: int, error: str) -> bool:
    """Count a failed send; True while it should still be retried (it is kept as failed afterwards)."""
    with transaction(engine) as session:
        return session.get(OutboundMessage, message_id).count_failure(error, MAX_ATTEMPTS)


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


async def deliver_due(engine: Engine, channel: str, send: Callable[[Outbound], Awaitable[None]],
                      failures: Tuple[Type[BaseException], ...]) -> int:
    """Send what waits for ``channel`` with ``send``; a send raising one of ``failures`` is counted and left
    for the next round. Returns how many went out."""
    sent = 0
    for item in await asyncio.to_thread(due, engine, channel):
        try:
            await send(item)
        except failures as exc:
            log.warning("%s: staff answer %d not delivered: %s", channel, item.id, exc)
            await asyncio.to_thread(mark_attempt_failed, engine, item.id, str(exc))
            continue
        await asyncio.to_thread(mark_sent, engine, item.id)
        sent += 1
    return sent
