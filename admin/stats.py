"""Figures for the dashboard: questions per day, topic and locality, share answered, waiting follow-ups, feedback."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Dict, Mapping, Optional

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from knowledge.db import transaction
from knowledge.models import Feedback, FollowUp, Locality, Question, Topic, utcnow

NO_TOPIC = "(chưa rõ chủ đề)"
NO_LOCALITY = "(chưa rõ địa phương)"


def dashboard_stats(engine: Engine, intent_topics: Mapping[str, str], days: int = 30,
                    locality: Optional[str] = None) -> Dict[str, Any]:
    """The last ``days`` days of questions (only ``locality``'s when given)."""
    since = (utcnow() - dt.timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction(engine) as session:
        topics = dict(session.execute(select(Topic.key, Topic.name)).all())
        localities = dict(session.execute(select(Locality.key, Locality.name)).all())
        query = select(Question.at, Question.intent, Question.locality_key, Question.answered).where(
            Question.at >= since)
        waiting = select(FollowUp.kind, func.count()).join(Question, Question.id == FollowUp.question_id).where(
            FollowUp.status == "open").group_by(FollowUp.kind)
        if locality:
            query = query.where(Question.locality_key == locality)
            waiting = waiting.where(Question.locality_key == locality)
        rows = session.execute(query).all()
        open_counts = dict(session.execute(waiting).all())
        # Feedback belongs to no commune: a commune's figures (a staff account's) hold none of it.
        feedback_count, recent = 0, []
        if locality is None:
            feedback_count = session.execute(select(func.count()).select_from(Feedback)
                                             .where(Feedback.at >= since)).scalar()
            recent = session.execute(select(Feedback.at, Feedback.text).order_by(Feedback.id.desc()).limit(5)).all()
    per_day: Dict[str, list] = {(since + dt.timedelta(days=i)).date().isoformat(): [0, 0] for i in range(days)}
    per_topic: Counter = Counter()
    per_locality: Counter = Counter()
    answered = 0
    for at, intent, loc, ok in rows:
        day = per_day.setdefault(at.date().isoformat(), [0, 0])
        day[0] += 1
        day[1] += int(bool(ok))
        answered += int(bool(ok))
        per_topic[topics.get(intent_topics.get(intent or ""), NO_TOPIC)] += 1
        per_locality[localities.get(loc, NO_LOCALITY) if loc else NO_LOCALITY] += 1
    return {
        "days": days,
        "per_day": [{"day": d, "questions": q, "answered": a} for d, (q, a) in sorted(per_day.items())],
        "per_topic": [{"label": k, "count": v} for k, v in per_topic.most_common()],
        "per_locality": [{"label": k, "count": v} for k, v in per_locality.most_common()],
        "questions": len(rows),
        "answered_share": round(answered / len(rows), 3) if rows else None,
        "handoffs_waiting": int(open_counts.get("handoff", 0)),
        "unanswered_waiting": int(open_counts.get("unanswered", 0)),
        "feedback": {"count": int(feedback_count or 0),
                     "recent": [{"at": at.isoformat(timespec="minutes"), "text": text} for at, text in recent]},
    }
