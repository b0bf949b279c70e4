"""The staff queue: unanswered questions and requests for a person, and what staff do with them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import FollowUp, OutboundMessage, Provision, Question, TrainingExample, utcnow

MAX_ANSWER = 2000
# The asker's earlier questions shown with a queue item: how many, and how far back.
CONTEXT_TURNS = 3
CONTEXT_WINDOW = dt.timedelta(hours=24)
# What the citizen sees above a staff member's answer.
STAFF_ANSWER_HEADER = "Cán bộ trả lời câu hỏi của bạn «{question}»:\n"
# A request for a person made before any question (the button pressed first), as the queue shows it.
REQUEST_ONLY = "(Người dân bấm «Gặp cán bộ», chưa nêu câu hỏi)"
REQUEST_ONLY_HEADER = "Cán bộ trả lời yêu cầu gặp cán bộ của bạn:\n"


@dataclass(frozen=True)
class QueueFilter:
    locality: Optional[str] = None
    channel: Optional[str] = None
    intents: Optional[List[str]] = None  # a topic, as the intents that ask about it
    status: str = "open"


def queue(engine: Engine, where: QueueFilter = QueueFilter(), limit: int = 200) -> List[Dict[str, Any]]:
    """Follow-ups, newest first; one conversation's repeated requests for a person appear once (the
    newest, with how many times it was asked), each with the asker's previous questions."""
    query = (select(FollowUp, Question).join(Question, Question.id == FollowUp.question_id)
             .where(FollowUp.status == where.status).order_by(Question.at.desc(), Question.id.desc()).limit(limit))
    if where.locality:
        query = query.where(Question.locality_key == where.locality)
    if where.channel:
        query = query.where(FollowUp.channel == where.channel)
    if where.intents is not None:
        query = query.where(Question.intent.in_(where.intents))
    with transaction(engine) as session:
        rows = session.execute(query).all()
        shown: Dict[Tuple[str, str], Dict[str, Any]] = {}
        items: List[Dict[str, Any]] = []
        for f, q in rows:
            key = (f.channel, q.sender_hash)
            if f.kind == "handoff" and key in shown:
                shown[key]["repeats"] += 1
                continue
            item = _item(f, q, _earlier(session, q))
            if f.kind == "handoff":
                shown[key] = item
            items.append(item)
        return items


def get(engine: Engine, question_id: int) -> Dict[str, Any]:
    with transaction(engine) as session:
        follow_up, question = _load(session, question_id)
        return _item(follow_up, question, _earlier(session, question))


def _earlier(session: Session, q: Question) -> List[Dict[str, Any]]:
    """The asker's last few questions before this one (oldest first), for the clerk's context."""
    rows = session.execute(
        select(Question).where(Question.sender_hash == q.sender_hash, Question.channel == q.channel,
                               Question.id < q.id, Question.at >= q.at - CONTEXT_WINDOW)
        .order_by(Question.id.desc()).limit(CONTEXT_TURNS)).scalars().all()
    return [{"text": r.text, "answered": bool(r.answered), "provisions": list(r.provisions or [])}
            for r in reversed(rows)]


def _item(f: FollowUp, q: Question, earlier: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"id": q.id, "at": q.at.isoformat(timespec="minutes"), "text": q.text, "intent": q.intent,
            "locality": q.locality_key, "channel": f.channel, "kind": f.kind, "status": f.status,
            "deliverable": bool(f.address), "forwarded_by": q.forwarded_by, "staff_answer": f.staff_answer,
            "provision_id": f.provision_id, "example_intent": f.example_intent, "resolved_by": f.resolved_by,
            "earlier": earlier, "repeats": 1}


def _load(session: Session, question_id: int) -> tuple:
    follow_up = session.get(FollowUp, question_id)
    if follow_up is None:
        raise NotFound(f"Không có câu hỏi số {question_id} trong hàng chờ.")
    return follow_up, session.get(Question, question_id)


def _open(session: Session, question_id: int) -> tuple:
    follow_up, question = _load(session, question_id)
    if follow_up.status != "open":
        raise InvalidChange("Câu hỏi này đã được xử lý rồi.")
    return follow_up, question


def _resolve(follow_up: FollowUp, status: str, by: str, session: Optional[Session] = None) -> None:
    """Close the item; with ``session``, also the same conversation's other open requests for a
    person (shown to the clerk as one)."""
    if not by.strip():
        raise InvalidChange("Phải ghi tên người xử lý câu hỏi.")
    closing = [follow_up] + (_repeats(session, follow_up) if session is not None else [])
    for item in closing:
        item.status, item.resolved_by, item.resolved_at = status, by.strip(), utcnow()
        item.staff_answer = follow_up.staff_answer
        item.address = None  # the channel address is kept no longer than needed


def _repeats(session: Session, follow_up: FollowUp) -> List[FollowUp]:
    if follow_up.kind != "handoff":
        return []
    question = session.get(Question, follow_up.question_id)
    return list(session.execute(
        select(FollowUp).join(Question, Question.id == FollowUp.question_id)
        .where(FollowUp.kind == "handoff", FollowUp.status == "open", FollowUp.channel == follow_up.channel,
               Question.sender_hash == question.sender_hash, FollowUp.question_id != follow_up.question_id)
    ).scalars())


def answer(engine: Engine, question_id: int, text: str, by: str) -> bool:
    """Record a staff answer and queue it for the asker's channel; False when it cannot be delivered
    (a bare REST call leaves no address)."""
    text = text.strip()
    if not text:
        raise InvalidChange("Câu trả lời đang để trống.")
    if len(text) > MAX_ANSWER:
        raise InvalidChange(f"Câu trả lời dài quá {MAX_ANSWER} ký tự; hãy viết ngắn lại.")
    with transaction(engine) as session:
        follow_up, question = _open(session, question_id)
        address = follow_up.address
        if address:
            header = (REQUEST_ONLY_HEADER if question.text == REQUEST_ONLY
                      else STAFF_ANSWER_HEADER.format(question=_shorten(question.text)))
            session.add(OutboundMessage(channel=follow_up.channel, address=address, question_id=question_id,
                                        text=header + text))
        follow_up.staff_answer = text
        _resolve(follow_up, "answered", by, session)
        return bool(address)


def link_provision(engine: Engine, question_id: int, provision_id: str, by: str) -> None:
    """Note which provision answers the question (for the knowledge base's keepers)."""
    with transaction(engine) as session:
        follow_up, _ = _open(session, question_id)
        if session.get(Provision, provision_id) is None:
            raise NotFound(f"Không có điều khoản nào mã «{provision_id}».")
        follow_up.provision_id = provision_id
        _resolve(follow_up, "linked", by)


def make_example(engine: Engine, question_id: int, intent: str, known_intents: List[str], by: str) -> None:
    """Keep the question as a training example of ``intent`` for the next training."""
    if intent not in known_intents:
        raise InvalidChange(f"Không có ý định «{intent}» trong mô hình.")
    with transaction(engine) as session:
        follow_up, question = _open(session, question_id)
        session.add(TrainingExample(text=question.text, intent=intent, question_id=question_id, added_by=by.strip()))
        follow_up.example_intent = intent
        _resolve(follow_up, "example", by)


def dismiss(engine: Engine, question_id: int, by: str) -> None:
    with transaction(engine) as session:
        follow_up, _ = _open(session, question_id)
        _resolve(follow_up, "dismissed", by, session)


def training_examples(engine: Engine) -> List[Dict[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(TrainingExample).order_by(TrainingExample.id)).scalars()
        return [{"text": r.text, "intent": r.intent} for r in rows]


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
