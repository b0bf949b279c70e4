"""Residents' subscriptions to changes of a topic in a locality, kept by the channel address that delivers them.

Nothing about the person is kept beyond that address; unsubscribing deletes the rows, so an address that
follows nothing any more is not stored at all."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import Locality, NoticeSend, OutboundMessage, Subscription, Topic, utcnow

CHANNELS = ("telegram", "zalo", "webchat")
ADDRESS_WIDTH = 100  # Subscription.address
WAITING = ("pending", "held")  # outbox statuses of a notice not yet on its way
CANCELLED = "cancelled"  # a queued notice whose address unsubscribed before it went out


@dataclass(frozen=True)
class Followed:
    """One subscription: a topic in a locality (None: all of them)."""

    topic_key: Optional[str]
    locality_key: Optional[str]


def subscribe(engine: Engine, channel: str, address: str, topic_key: Optional[str] = None,
              locality_key: Optional[str] = None) -> bool:
    """Follow a topic in a locality (None: all); True when new, False when it was followed already."""
    address = _checked_address(channel, address)
    try:
        with transaction(engine) as session:
            _check_keys(session, topic_key, locality_key)
            if _find(session, channel, address, topic_key, locality_key) is not None:
                return False
            session.add(Subscription(channel=channel, address=address, topic_key=topic_key,
                                     locality_key=locality_key, created_at=utcnow()))
            session.flush()
            return True
    except IntegrityError:  # the same subscription written at the same moment by another request
        return False


def list_for(engine: Engine, channel: str, address: str) -> List[Followed]:
    """What an address follows, in the order it subscribed."""
    address = _checked_address(channel, address)
    with transaction(engine) as session:
        rows = session.execute(select(Subscription.topic_key, Subscription.locality_key)
                               .where(Subscription.channel == channel, Subscription.address == address)
                               .order_by(Subscription.id)).all()
        return [Followed(t, loc) for t, loc in rows]


def unsubscribe(engine: Engine, channel: str, address: str, topic_key: Optional[str] = None,
                locality_key: Optional[str] = None) -> int:
    """Stop following one (topic, locality) pair, exactly as subscribed; with neither given, stop following
    everything. Returns how many subscriptions were deleted; NotFound when the pair was not followed."""
    if topic_key is None and locality_key is None:
        return unsubscribe_all(engine, channel, address)
    address = _checked_address(channel, address)
    with transaction(engine) as session:
        row = _find(session, channel, address, topic_key, locality_key)
        if row is None:
            raise NotFound("Bạn chưa theo dõi chủ đề và địa phương này.")
        session.delete(row)
        return 1


def unsubscribe_all(engine: Engine, channel: str, address: str) -> int:
    """Delete every subscription of an address (it stopped, or the platform says it cannot be reached), and
    cancel the notices still queued for it: a stop takes effect before the next notice."""
    with transaction(engine) as session:
        result = session.execute(delete(Subscription).where(Subscription.channel == channel,
                                                            Subscription.address == str(address)))
        session.execute(update(OutboundMessage).where(
            OutboundMessage.channel == channel, OutboundMessage.address == str(address),
            OutboundMessage.status.in_(WAITING) | OutboundMessage.status.like("pending:%"),
            OutboundMessage.id.in_(select(NoticeSend.outbound_id)))
            .values(status=CANCELLED, last_error="unsubscribed").execution_options(synchronize_session=False))
        return result.rowcount or 0


def counts(engine: Engine) -> List[Dict[str, object]]:
    """Subscriber counts by (topic, locality) for the dashboard, most followed first; no addresses."""
    with transaction(engine) as session:
        rows = session.execute(select(Subscription.topic_key, Subscription.locality_key, func.count())
                               .group_by(Subscription.topic_key, Subscription.locality_key)).all()
    ordered = sorted(rows, key=lambda r: (-r[2], r[0] or "", r[1] or ""))
    return [{"topic": t, "locality": loc, "subscribers": n} for t, loc, n in ordered]


def all_subscriptions(session: Session) -> Dict[Tuple[str, str], List[Subscription]]:
    """Every subscription grouped by (channel, address), in id order: what a broadcast matches against."""
    grouped: Dict[Tuple[str, str], List[Subscription]] = {}
    for row in session.execute(select(Subscription).order_by(Subscription.id)).scalars():
        grouped.setdefault((row.channel, row.address), []).append(row)
    return grouped


def _find(session: Session, channel: str, address: str, topic_key: Optional[str],
          locality_key: Optional[str]) -> Optional[Subscription]:
    return session.execute(select(Subscription).where(
        Subscription.channel == channel, Subscription.address == address,
        Subscription.topic_key.is_(None) if topic_key is None else Subscription.topic_key == topic_key,
        Subscription.locality_key.is_(None) if locality_key is None else Subscription.locality_key == locality_key,
    )).scalar_one_or_none()


def _checked_address(channel: str, address: str) -> str:
    if channel not in CHANNELS:
        raise InvalidChange(f"Kênh «{channel}» không nhận thông báo; chỉ có: {', '.join(CHANNELS)}.")
    address = str(address or "").strip()
    if not address or len(address) > ADDRESS_WIDTH:
        raise InvalidChange("Địa chỉ nhận thông báo trống hoặc quá dài.")
    if channel == "telegram" and not address.lstrip("-").isdigit():
        raise InvalidChange("Mã cuộc trò chuyện Telegram phải là một số.")
    return address


def _check_keys(session: Session, topic_key: Optional[str], locality_key: Optional[str]) -> None:
    if topic_key is not None and session.get(Topic, topic_key) is None:
        raise NotFound(f"Không có chủ đề nào mã «{topic_key}» trong danh mục.")
    if locality_key is not None and session.get(Locality, locality_key) is None:
        raise NotFound(f"Không có địa phương nào mã «{locality_key}» trong danh mục.")
