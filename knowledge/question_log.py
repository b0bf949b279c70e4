"""Recording questions and feedback, with personal numbers masked and senders hashed."""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Optional, Sequence

from sqlalchemy.engine import Engine

from knowledge.db import transaction
from knowledge.models import Feedback, FollowUp, Question, utcnow

# Phone numbers as Vietnamese people write them: 0912345678, 0912 345 678, +84 912.345.678
_PHONE_RE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
# Citizen ID / identity card / social-insurance numbers: 9 to 12 digits
_ID_RE = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def mask_personal(text: str) -> str:
    """Hide phone numbers and 9–12 digit ID numbers, keeping their last two digits."""

    def _mask(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        return "*" * (len(digits) - 2) + digits[-2:]

    return _ID_RE.sub(_mask, _PHONE_RE.sub(_mask, text))


def hash_sender(sender: str, key: bytes) -> str:
    """A stable pseudonym for a sender id; the key comes from the environment."""
    return hmac.new(key, sender.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class QuestionRecord:
    channel: str
    sender: str
    text: str
    intent: Optional[str]
    provisions: Sequence[str]
    answered: bool
    handoff: bool = False
    locality_key: Optional[str] = None
    forwarded_by: Optional[str] = None
    # Where a staff answer can reach the asker on their channel (kept only while a follow-up is open).
    address: Optional[str] = None


def record_question(engine: Engine, record: QuestionRecord, key: bytes) -> int:
    with transaction(engine) as session:
        row = Question(at=utcnow(), channel=record.channel, sender_hash=hash_sender(record.sender, key),
                       text=mask_personal(record.text), intent=record.intent, locality_key=record.locality_key,
                       provisions=list(record.provisions), answered=int(record.answered),
                       handoff=int(record.handoff), forwarded_by=record.forwarded_by)
        session.add(row)
        session.flush()
        if record.handoff or not record.answered:
            session.add(FollowUp(question_id=row.id, kind="handoff" if record.handoff else "unanswered",
                                 channel=record.channel, address=record.address, status="open"))
        return row.id


def record_feedback(engine: Engine, channel: str, sender: str, text: str, key: bytes) -> None:
    with transaction(engine) as session:
        session.add(Feedback(at=utcnow(), channel=channel, sender_hash=hash_sender(sender, key),
                             text=mask_personal(text)))
