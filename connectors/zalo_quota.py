"""Which Zalo notices may go out now, within the OA's rules: a reply within the free window after the follower's
last message (48 hours, up to 8 messages) costs nothing; anything else counts against the OA's monthly
proactive quota. Over the quota a notice is held (kept queued, looked at again) or skipped, as configured,
never dropped silently. Pure functions: the caller reads the state and applies the decisions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from connectors import platform_constants as P

HOLD, SKIP = "hold", "skip"
FREE, QUOTA = "free", "quota"  # decisions to send: as a free reply, or billed to the monthly quota
# Zalo's month: the calendar month in Vietnam (UTC+7).
VIETNAM = dt.timezone(dt.timedelta(hours=7))


@dataclass(frozen=True)
class ZaloNoticePolicy:
    """The OA's allowance for notices; read from the environment by the entry point (config/settings.py)."""

    monthly_quota: int = 0  # proactive messages a month (0: notices reach only followers inside the window)
    free_window_hours: float = P.ZALO_REPLY_WINDOW_S / 3600
    free_replies: int = P.ZALO_FREE_REPLIES  # messages within one window
    over_quota: str = HOLD  # hold | skip

    def __post_init__(self) -> None:
        if self.over_quota not in (HOLD, SKIP):
            raise ValueError(f"over-quota policy must be {HOLD} or {SKIP}, not {self.over_quota!r}")
        if self.monthly_quota < 0 or self.free_replies < 0 or self.free_window_hours < 0:
            raise ValueError("Zalo notice quota, window and free replies cannot be negative")


@dataclass(frozen=True)
class Recipient:
    """A queued notice and what the OA knows of its follower."""

    outbound_id: int
    address: str
    last_message_at: Optional[dt.datetime]  # the follower's last message (naive UTC), if any
    reply_to: Optional[str]  # that message's id: replying to it is what makes a message free
    replies_since: int  # messages the OA sent the follower since then


@dataclass(frozen=True)
class Decision:
    outbound_id: int
    action: str  # free | quota | hold | skip
    reply_to: Optional[str] = None
    reason: str = ""


def month_start(now: dt.datetime) -> dt.datetime:
    """The start of ``now``'s quota month (naive UTC in, naive UTC out)."""
    local = now.replace(tzinfo=dt.timezone.utc).astimezone(VIETNAM)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(dt.timezone.utc).replace(tzinfo=None)


def in_window(recipient: Recipient, now: dt.datetime, policy: ZaloNoticePolicy, sent_now: int = 0) -> bool:
    """Whether one more message to this follower is still a free reply."""
    if recipient.last_message_at is None or not recipient.reply_to:
        return False
    fresh = now - recipient.last_message_at < dt.timedelta(hours=policy.free_window_hours)
    return fresh and recipient.replies_since + sent_now < policy.free_replies


def decide(recipients: Sequence[Recipient], quota_used: int, now: dt.datetime,
           policy: ZaloNoticePolicy) -> List[Decision]:
    """What to do with each queued notice: those inside their follower's free window first (oldest first),
    then the others, oldest first, while the month's quota lasts; the rest held or skipped with the reason."""
    sent_now: Dict[str, int] = {}
    free: List[Decision] = []
    others: List[Recipient] = []
    for recipient in sorted(recipients, key=lambda r: r.outbound_id):
        if in_window(recipient, now, policy, sent_now.get(recipient.address, 0)):
            sent_now[recipient.address] = sent_now.get(recipient.address, 0) + 1
            free.append(Decision(recipient.outbound_id, FREE, reply_to=recipient.reply_to))
        else:
            others.append(recipient)
    left = max(policy.monthly_quota - quota_used, 0)
    billed: List[Decision] = []
    for recipient in others:
        if left > 0:
            left -= 1
            billed.append(Decision(recipient.outbound_id, QUOTA))
        else:
            billed.append(Decision(recipient.outbound_id, policy.over_quota,
                                   reason=_over_quota_reason(recipient, now, policy)))
    return free + billed


def _over_quota_reason(recipient: Recipient, now: dt.datetime, policy: ZaloNoticePolicy) -> str:
    if recipient.last_message_at is None:
        why = "the follower never wrote to the OA"
    elif now - recipient.last_message_at >= dt.timedelta(hours=policy.free_window_hours):
        why = f"outside the {policy.free_window_hours:g}-hour free window"
    else:
        why = f"the {policy.free_replies} free replies of the window are used"
    month = month_start(now).replace(tzinfo=dt.timezone.utc).astimezone(VIETNAM)
    quota = f"monthly quota of {policy.monthly_quota} used up for {month:%Y-%m}"
    then = ("held until the follower writes or the quota renews" if policy.over_quota == HOLD
            else "skipped by policy")
    return f"Zalo: {why} and the {quota}; {then}"
