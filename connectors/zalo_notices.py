"""Delivering subscribers' notices to Zalo followers within the OA's rules (:mod:`connectors.zalo_quota`): reads
what the rules need (each follower's last message, what the OA sent since, the month's billed notices), applies
the decisions (held, skipped, billed) and hands the notices to send to the connector's recorded send."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Awaitable, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from connectors import inbox, outbox
from connectors.zalo_quota import FREE, HOLD, QUOTA, SKIP, Decision, Recipient, ZaloNoticePolicy, decide, month_start
from knowledge.db import transaction
from knowledge.models import InboundMessage, NoticeSend, OutboundMessage

log = logging.getLogger("connectors.zalo_webhook")  # one logger for the whole channel

CHANNEL = "zalo"
CHUNK = 500  # addresses per IN (...) query
# Sends a notice: (message, reply_to) -> True when it went out.
SendNotice = Callable[[outbox.Outbound, Optional[str]], Awaitable[bool]]


class ZaloNotices:
    """One round: queued and held notices decided on, then sent in that order, ``concurrency`` at a time."""

    def __init__(self, engine: Engine, policy: ZaloNoticePolicy, send: SendNotice, batch: int = 500,
                 concurrency: int = 4, clock: Callable[[], float] = time.time):
        self._engine = engine
        self._policy = policy
        self._send = send
        self._batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._clock = clock

    async def deliver_round(self) -> Dict[str, int]:
        """Decide on every waiting notice and send those allowed now; return how many took each decision."""
        now = dt.datetime.fromtimestamp(self._clock(), dt.timezone.utc).replace(tzinfo=None)
        items = await asyncio.to_thread(_waiting, self._engine, self._batch)
        if not items:
            return {}
        recipients = await asyncio.to_thread(read_recipients, self._engine, items, now, self._policy)
        used = await asyncio.to_thread(quota_used, self._engine, month_start(now))
        decisions = decide(recipients, used, now, self._policy)
        by_id = {item.id: item for item in items}
        tally: Dict[str, int] = {}
        for decision in decisions:
            tally[decision.action] = tally.get(decision.action, 0) + 1
            if decision.action == HOLD:
                await asyncio.to_thread(outbox.mark_held, self._engine, decision.outbound_id, decision.reason)
            elif decision.action == SKIP:
                log.info("Zalo: notice %d skipped: %s", decision.outbound_id, decision.reason)
                await asyncio.to_thread(outbox.mark_skipped, self._engine, decision.outbound_id, decision.reason)
        for kind in (FREE, QUOTA):  # every free one out before the first billed one
            chosen = [d for d in decisions if d.action == kind]
            results = await asyncio.gather(*(self._deliver(by_id[d.outbound_id], d, now) for d in chosen),
                                           return_exceptions=True)  # all end before the next round reads
            for decision, result in zip(chosen, results):
                if isinstance(result, BaseException):
                    log.error("Zalo: notice %d: %s: %s", decision.outbound_id, result.__class__.__name__, result)
        return tally

    async def _deliver(self, item: outbox.Outbound, decision: Decision, now: dt.datetime) -> None:
        async with self._slots:
            if decision.action == QUOTA:  # counted before the call: a crash after it may have sent it
                await asyncio.to_thread(_bill, self._engine, item.id, now)
            if not await self._send(item, decision.reply_to) and decision.action == QUOTA:
                await asyncio.to_thread(_unbill_if_refused, self._engine, item.id)


def _waiting(engine: Engine, batch: int) -> List[outbox.Outbound]:
    """Queued notices, then held ones, each oldest first."""
    return outbox.due_parts(engine, CHANNEL, batch, notices=True) + outbox.held_notices(engine, CHANNEL, batch)


def read_recipients(engine: Engine, items: Sequence[outbox.Outbound], now: dt.datetime,
                    policy: ZaloNoticePolicy) -> List[Recipient]:
    """What the quota rules need to know of each notice's follower."""
    addresses = sorted({item.address for item in items})
    last: Dict[str, Tuple[Optional[dt.datetime], Optional[str], int]] = {}
    sent_at: Dict[str, List[dt.datetime]] = {}
    window_start = now - dt.timedelta(hours=policy.free_window_hours)
    with transaction(engine) as session:
        for chunk in _chunks(addresses):
            latest = select(func.max(InboundMessage.id)).where(
                InboundMessage.channel == CHANNEL, InboundMessage.sender.in_(chunk)).group_by(InboundMessage.sender)
            for row in session.execute(select(InboundMessage).where(InboundMessage.id.in_(latest))).scalars():
                last[row.sender] = _last_message(row)
            for address, at in session.execute(select(OutboundMessage.address, OutboundMessage.sent_at).where(
                    OutboundMessage.channel == CHANNEL, OutboundMessage.address.in_(chunk),
                    OutboundMessage.status == "sent", OutboundMessage.sent_at >= window_start)):
                sent_at.setdefault(address, []).append(at)
    for address, (at, reply_to, _) in list(last.items()):
        if at is not None and not reply_to:  # the last event was a follow: reply to the last real message
            since = window_start
            reply_to = inbox.last_message_id(engine, CHANNEL, address, since)
            last[address] = (at, reply_to, 0)
    out = []
    for item in items:
        at, reply_to, answered = last.get(item.address, (None, None, 0))
        later = sum(1 for moment in sent_at.get(item.address, []) if at is not None and moment >= at)
        out.append(Recipient(item.id, item.address, at, reply_to, answered + later))
    return out


def quota_used(engine: Engine, since: dt.datetime) -> int:
    """Notices billed to the quota since ``since`` (the month's start)."""
    with transaction(engine) as session:
        return session.execute(select(func.count()).select_from(NoticeSend).where(
            NoticeSend.channel == CHANNEL, NoticeSend.billed == 1, NoticeSend.billed_at >= since)).scalar_one()


def _last_message(row: InboundMessage) -> Tuple[Optional[dt.datetime], Optional[str], int]:
    """(when it was written, its id to reply to, how many parts of the bot's answer to it went out)."""
    payload = row.payload or {}
    stamp = payload.get("timestamp_ms")
    at = (dt.datetime.fromtimestamp(int(stamp) / 1000, dt.timezone.utc).replace(tzinfo=None)
          if isinstance(stamp, int) else row.received_at)
    reply_to = str(payload["reply_to"]) if payload.get("reply_to") else None
    return at, reply_to, int(payload.get("sent") or 0)


def _bill(engine: Engine, outbound_id: int, now: dt.datetime) -> None:
    with transaction(engine) as session:
        session.execute(update(NoticeSend).where(NoticeSend.outbound_id == outbound_id, NoticeSend.billed == 0)
                        .values(billed=1, billed_at=now))


def _unbill_if_refused(engine: Engine, outbound_id: int) -> None:
    """Zalo refused it (an error answer): it did not go out and does not count."""
    with transaction(engine) as session:
        refused = session.execute(select(OutboundMessage.status).where(OutboundMessage.id == outbound_id)
                                  ).scalar() == "failed"
        if refused:
            session.execute(update(NoticeSend).where(NoticeSend.outbound_id == outbound_id)
                            .values(billed=0, billed_at=None))


def _chunks(values: Sequence[str]) -> List[Sequence[str]]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]
