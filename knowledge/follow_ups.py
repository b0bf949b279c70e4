"""The staff queue: unanswered questions and requests for a person, and what staff do with them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import FollowUp, OutboundMessage, Provision, Question, TrainingExample, utcnow

MAX_ANSWER = 2000
# What the citizen sees above a staff member's answer.
STAFF_ANSWER_HEADER = "Cán bộ trả lời câu hỏi của bạn «{question}»:\n"


@dataclass(frozen=True)
class QueueFilter:
    locality: Optional[str] = None
    channel: Optional[str] = None
    intents: Optional[List[str]] = None  # a topic, as the intents that ask about it
    status: str = "open"


def queue(engine: Engine, where: QueueFilter = QueueFilter(), limit: int = 200) -> List[Dict[str, Any]]:
    """Follow-ups, newest first."""
    query = (select(FollowUp, Question).join(Question, Question.id == FollowUp.question_id)
             .where(FollowUp.status == where.status).order_by(Question.at.desc(), Question.id.desc()).limit(limit))
    if where.locality:
        query = query.where(Question.locality_key == where.locality)
    if where.channel:
        query = query.where(FollowUp.channel == where.channel)
    if where.intents is not None:
        query = query.where(Question.intent.in_(where.intents))
    with transaction(engine) as session:
        return [_item(f, q) for f, q in session.execute(query).all()]


def get(engine: Engine, question_id: int) -> Dict[str, Any]:
    with transaction(engine) as session:
        follow_up, question = _load(session, question_id)
        return _item(follow_up, question)


def _item(f: FollowUp, q: Question) -> Dict[str, Any]:
    return {"id": q.id, "at": q.at.isoformat(timespec="minutes"), "text": q.text, "intent": q.intent,
            "locality": q.locality_key, "channel": f.channel, "kind": f.kind, "status": f.status,
            "deliverable": bool(f.address), "forwarded_by": q.forwarded_by, "staff_answer": f.staff_answer,
            "provision_id": f.provision_id, "example_intent": f.example_intent, "resolved_by": f.resolved_by}


def _load(session: Session, question_id: int) -> tuple:
    follow_up = session.get(FollowUp, question_id)
    if follow_up is None:
        raise NotFound(f"no follow-up for question {question_id}")
    return follow_up, session.get(Question, question_id)


def _open(session: Session, question_id: int) -> tuple:
    follow_up, question = _load(session, question_id)
    if follow_up.status != "open":
        raise InvalidChange("this question has already been dealt with")
    return follow_up, question


def _resolve(follow_up: FollowUp, status: str, by: str) -> None:
    if not by.strip():
        raise InvalidChange("who resolves the question must be named")
    follow_up.status, follow_up.resolved_by, follow_up.resolved_at = status, by.strip(), utcnow()
    follow_up.address = None  # the channel address is kept no longer than needed


def answer(engine: Engine, question_id: int, text: str, by: str) -> bool:
    """Record a staff answer and queue it for the asker's channel; False when it cannot be delivered
    (a bare REST call leaves no address)."""
    text = text.strip()
    if not text:
        raise InvalidChange("the answer is empty")
    if len(text) > MAX_ANSWER:
        raise InvalidChange(f"the answer is longer than {MAX_ANSWER} characters")
    with transaction(engine) as session:
        follow_up, question = _open(session, question_id)
        address = follow_up.address
        if address:
            session.add(OutboundMessage(channel=follow_up.channel, address=address, question_id=question_id,
                                        text=STAFF_ANSWER_HEADER.format(question=_shorten(question.text)) + text))
        follow_up.staff_answer = text
        _resolve(follow_up, "answered", by)
        return bool(address)


def link_provision(engine: Engine, question_id: int, provision_id: str, by: str) -> None:
    """Note which provision answers the question (for the knowledge base's keepers)."""
    with transaction(engine) as session:
        follow_up, _ = _open(session, question_id)
        if session.get(Provision, provision_id) is None:
            raise NotFound(f"no provision with id '{provision_id}'")
        follow_up.provision_id = provision_id
        _resolve(follow_up, "linked", by)


def make_example(engine: Engine, question_id: int, intent: str, known_intents: List[str], by: str) -> None:
    """Keep the question as a training example of ``intent`` for the next training."""
    if intent not in known_intents:
        raise InvalidChange(f"unknown intent '{intent}'")
    with transaction(engine) as session:
        follow_up, question = _open(session, question_id)
        session.add(TrainingExample(text=question.text, intent=intent, question_id=question_id, added_by=by.strip()))
        follow_up.example_intent = intent
        _resolve(follow_up, "example", by)


def dismiss(engine: Engine, question_id: int, by: str) -> None:
    with transaction(engine) as session:
        follow_up, _ = _open(session, question_id)
        _resolve(follow_up, "dismissed", by)


def training_examples(engine: Engine) -> List[Dict[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(TrainingExample).order_by(TrainingExample.id)).scalars()
        return [{"text": r.text, "intent": r.intent} for r in rows]


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
