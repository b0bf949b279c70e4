"""SQLAlchemy models of the knowledge base (1.4 API written in 2.0 style)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

PROVISION_KINDS = ("benefit", "target", "measure", "agency", "legal_basis")
DOCUMENT_STATUSES = ("issued", "draft", "summary")
ALIAS_KINDS = ("locality", "topic", "group")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


provision_topics = Table(
    "provision_topics",
    Base.metadata,
    Column("provision_id", String(40), ForeignKey("provisions.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_key", String(40), ForeignKey("topics.key"), primary_key=True),
)

provision_groups = Table(
    "provision_groups",
    Base.metadata,
    Column("provision_id", String(40), ForeignKey("provisions.id", ondelete="CASCADE"), primary_key=True),
    Column("group_key", String(40), ForeignKey("beneficiary_groups.key"), primary_key=True),
)


class Locality(Base):
    __tablename__ = "localities"
    key = Column(String(40), primary_key=True)
    name = Column(String(200), nullable=False)
    level = Column(String(40), nullable=False)
    province = Column(String(100), nullable=False)
    position = Column(Integer, nullable=False, default=0)


class Topic(Base):
    __tablename__ = "topics"
    key = Column(String(40), primary_key=True)
    name = Column(String(200), nullable=False)
    position = Column(Integer, nullable=False, default=0)


class BeneficiaryGroup(Base):
    __tablename__ = "beneficiary_groups"
    key = Column(String(40), primary_key=True)
    name = Column(String(200), nullable=False)
    parent_key = Column(String(40), ForeignKey("beneficiary_groups.key"), nullable=True)
    position = Column(Integer, nullable=False, default=0)


class Alias(Base):
    """A spelling of a locality, topic or group; ``folded`` is what matching uses."""

    __tablename__ = "aliases"
    id = Column(Integer, primary_key=True)
    kind = Column(String(20), nullable=False)
    target_key = Column(String(40), nullable=False)
    alias = Column(String(200), nullable=False)
    folded = Column(String(200), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)


class Synonym(Base):
    """A word residents use (``phrase``) read as the plans' word (``means``) by search and the NLU."""

    __tablename__ = "synonyms"
    id = Column(Integer, primary_key=True)
    phrase = Column(String(200), nullable=False)
    folded = Column(String(200), nullable=False, unique=True)
    means = Column(String(200), nullable=False)
    position = Column(Integer, nullable=False, default=0)


class Document(Base):
    __tablename__ = "documents"
    code = Column(String(80), primary_key=True)
    title = Column(Text, nullable=False)
    issuer = Column(String(200), nullable=False)
    locality_key = Column(String(40), ForeignKey("localities.key"), nullable=False)
    issued_on = Column(Date, nullable=False)
    date_label = Column(String(80), nullable=False)
    period_start = Column(Integer, nullable=False)
    period_end = Column(Integer, nullable=False)
    status = Column(String(20), nullable=False)
    source_file = Column(String(200), nullable=False)
    contact = Column(String(300), nullable=False)
    note = Column(Text, nullable=True)
    position = Column(Integer, nullable=False, default=0)

    locality = relationship(Locality, lazy="joined")


class Provision(Base):
    __tablename__ = "provisions"
    id = Column(String(40), primary_key=True)
    document_code = Column(String(80), ForeignKey("documents.code"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    section = Column(String(40), nullable=False)
    text = Column(Text, nullable=False)
    numbers = Column(JSON, nullable=False, default=list)
    legal_refs = Column(JSON, nullable=False, default=list)
    agencies = Column(JSON, nullable=False, default=list)
    status = Column(String(20), nullable=False, default="active")
    # Folded word segmentation of the text (underthesea), cached for the index.
    segmented = Column(Text, nullable=False, default="")
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    document = relationship(Document, lazy="joined")
    topics = relationship(Topic, secondary=provision_topics, lazy="selectin", order_by=Topic.position)
    groups = relationship(
        BeneficiaryGroup, secondary=provision_groups, lazy="selectin", order_by=BeneficiaryGroup.position
    )


class ChangeLog(Base):
    __tablename__ = "change_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    by = Column(String(100), nullable=False)
    action = Column(String(40), nullable=False)
    entity = Column(String(40), nullable=False)
    entity_id = Column(String(100), nullable=False)
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)


class KbState(Base):
    """One row whose version rises with every change, so caches know to refresh."""

    __tablename__ = "kb_state"
    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)


def provision_record(p: Provision) -> Dict[str, Any]:
    """The provision as plain data, in the curated-file shape."""
    return {
        "id": p.id,
        "kind": p.kind,
        "section": p.section,
        "topics": [t.key for t in p.topics],
        "groups": [g.key for g in p.groups],
        "text": p.text,
        "numbers": list(p.numbers or []),
        "legal_refs": list(p.legal_refs or []),
        "agencies": list(p.agencies or []),
        **({"status": p.status} if p.status != "active" else {}),
    }


def document_record(d: Document) -> Dict[str, Any]:
    record: Dict[str, Any] = {
        "code": d.code,
        "title": d.title,
        "issuer": d.issuer,
        "locality": d.locality_key,
        "issued_on": d.issued_on,
        "date_label": d.date_label,
        "period_start": d.period_start,
        "period_end": d.period_end,
        "status": d.status,
        "source_file": d.source_file,
        "contact": d.contact,
    }
    if d.note:
        record["note"] = d.note
    return record


__all__: List[str] = [
    "Base", "Locality", "Topic", "BeneficiaryGroup", "Alias", "Document", "Provision",
    "ChangeLog", "KbState", "Synonym", "LoginAttempts", "PROVISION_KINDS", "DOCUMENT_STATUSES", "ALIAS_KINDS",
    "provision_record", "document_record",
]


class Question(Base):
    """A question someone asked, for staff follow-up and analytics (personal numbers masked)."""

    __tablename__ = "questions"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    channel = Column(String(40), nullable=False)
    sender_hash = Column(String(64), nullable=False, index=True)
    text = Column(Text, nullable=False)
    intent = Column(String(60), nullable=True)
    locality_key = Column(String(40), nullable=True)
    provisions = Column(JSON, nullable=False, default=list)
    answered = Column(Integer, nullable=False, default=0)
    handoff = Column(Integer, nullable=False, default=0)
    forwarded_by = Column(String(100), nullable=True)


class Feedback(Base):
    __tablename__ = "feedback"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    channel = Column(String(40), nullable=False)
    sender_hash = Column(String(64), nullable=False)
    text = Column(Text, nullable=False)


class Account(Base):
    """A staff or admin account; channel ids let staff be recognised when they forward a question."""

    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)
    role = Column(String(20), nullable=False)  # admin | staff
    locality_key = Column(String(40), nullable=True)
    telegram_id = Column(String(40), nullable=True, unique=True)
    zalo_id = Column(String(64), nullable=True, unique=True)
    password_hash = Column(String(300), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Delivery:
    """Delivery state of a stored message that is retried until it succeeds or is given up."""

    status = Column(String(20), nullable=False, default="pending", index=True)  # pending | done/sent | failed
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(String(300), nullable=True)

    def count_failure(self, error: str, max_attempts: int) -> bool:
        """Count a failed attempt, giving up after ``max_attempts``; True while it should be retried."""
        self.attempts += 1
        self.last_error = error[:300]
        if self.attempts >= max_attempts:
            self.status = "failed"
        return self.status == "pending"


class InboundMessage(Delivery, Base):
    """A message from a channel, stored before it is acknowledged so none is lost or answered twice."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_inbound_external"),)
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)
    external_id = Column(String(100), nullable=False)
    sender = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    payload = Column(JSON, nullable=False, default=dict)
    received_at = Column(DateTime, nullable=False, default=utcnow)
    done_at = Column(DateTime, nullable=True)


class FollowUp(Base):
    """A question the bot could not answer or a request for a person, waiting for staff.

    ``address`` is where a staff answer is delivered on the question's channel (a Telegram chat id,
    a Zalo user id, a web chat session); it is cleared once the question is resolved."""

    __tablename__ = "follow_ups"
    question_id = Column(Integer, ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    kind = Column(String(20), nullable=False)  # unanswered | handoff
    channel = Column(String(40), nullable=False)
    address = Column(String(100), nullable=True)
    status = Column(String(20), nullable=False, default="open", index=True)  # open | answered | linked | example | dismissed
    staff_answer = Column(Text, nullable=True)
    provision_id = Column(String(40), nullable=True)
    example_intent = Column(String(60), nullable=True)
    resolved_by = Column(String(100), nullable=True)
    resolved_at = Column(DateTime, nullable=True)


class OutboundMessage(Delivery, Base):
    """A message to a user written outside a conversation turn (a staff answer); its channel's
    connector delivers it and marks it sent, or failed after its attempts."""

    __tablename__ = "outbound_messages"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False, index=True)
    address = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    question_id = Column(Integer, nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime, nullable=True)


class TrainingExample(Base):
    """A real question a staff member labelled with an intent, exported for the next training."""

    __tablename__ = "training_examples"
    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    intent = Column(String(60), nullable=False)
    question_id = Column(Integer, nullable=True)
    added_by = Column(String(100), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class LoginAttempts(Base):
    """Login attempts for one name from one address within the current window (shared by every admin process)."""

    __tablename__ = "login_attempts"
    key = Column(String(300), primary_key=True)  # a hash of the folded name and the address
    count = Column(Integer, nullable=False, default=0)
    window_start = Column(DateTime, nullable=False, default=utcnow)


class AdminSession(Base):
    """A logged-in admin web session; only a hash of the cookie's token is kept."""

    __tablename__ = "admin_sessions"
    token_hash = Column(String(64), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)


class DraftPlan(Base):
    """A plan read from an uploaded file, under review; nothing of it reaches residents until published."""

    __tablename__ = "draft_plans"
    id = Column(Integer, primary_key=True)
    filename = Column(String(200), nullable=False)
    state = Column(String(20), nullable=False, default="review")  # review | published | discarded
    # The document as it will be published (curated-file shape, issued_on as ISO text) and the
    # codes of the documents it replaces.
    document = Column(JSON, nullable=False)
    confidence = Column(JSON, nullable=False, default=dict)
    notes = Column(JSON, nullable=False, default=list)
    source_text = Column(Text, nullable=False)
    created_by = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    published_by = Column(String(100), nullable=True)
    published_at = Column(DateTime, nullable=True)


class DraftItem(Base):
    """One proposed provision of a draft plan, beside the passage it was read from."""

    __tablename__ = "draft_items"
    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("draft_plans.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    decision = Column(String(20), nullable=False, default="pending")  # pending | accepted | rejected
    # kind, section, topics, groups, text, numbers, legal_refs, agencies (the provision's fields)
    data = Column(JSON, nullable=False)
    confidence = Column(JSON, nullable=False, default=dict)
    source = Column(Text, nullable=False)
    provision_id = Column(String(40), nullable=True)  # set when published


class Supersession(Base):
    """A document replaced by a newer one for some topics (none listed: for all of them)."""

    __tablename__ = "supersessions"
    id = Column(Integer, primary_key=True)
    document_code = Column(String(80), ForeignKey("documents.code"), nullable=False)  # the newer
    replaces_code = Column(String(80), ForeignKey("documents.code"), nullable=False)  # the older
    topics = Column(JSON, nullable=False, default=list)
    by = Column(String(100), nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)
    __table_args__ = (UniqueConstraint("document_code", "replaces_code"),)


# --- resident notices ---------------------------------------------------------------------------------------

class Subscription(Base):
    """A resident's wish to hear of changes to a topic in a locality (None: every topic, every locality).

    ``address`` is only what delivering takes on the channel (a Telegram chat id, a Zalo user id, a web chat
    session); unsubscribing deletes the row, and with the last row the address is gone."""

    __tablename__ = "subscriptions"
    id = Column(Integer, primary_key=True)
    channel = Column(String(20), nullable=False)  # telegram | zalo | webchat
    address = Column(String(100), nullable=False)
    topic_key = Column(String(40), ForeignKey("topics.key"), nullable=True)
    locality_key = Column(String(40), ForeignKey("localities.key"), nullable=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    # NULL means "all", and NULLs never collide in a plain unique constraint (SQLite, PostgreSQL < 15):
    # the index reads them as "" so one address holds each (topic, locality) pair once.
    __table_args__ = (Index("uq_subscriptions", channel, address, func.coalesce(topic_key, ""),
                            func.coalesce(locality_key, ""), unique=True),)


class Watermark(Base):
    """How far a job has read an append-only log, by the job's name (``notices``: the change log's last id)."""

    __tablename__ = "watermarks"
    name = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False, default=0)


class Broadcast(Base):
    """One batch of knowledge-base changes told to subscribers; the counts are refreshed from its sends."""

    __tablename__ = "broadcasts"
    id = Column(Integer, primary_key=True)
    first_change_id = Column(Integer, nullable=False)
    last_change_id = Column(Integer, nullable=False, unique=True)  # two servers racing create the batch once
    created_at = Column(DateTime, nullable=False, default=utcnow)
    summary = Column(Text, nullable=False)
    queued = Column(Integer, nullable=False, default=0)
    sent = Column(Integer, nullable=False, default=0)
    failed = Column(Integer, nullable=False, default=0)
    skipped_quota = Column(Integer, nullable=False, default=0)
    held = Column(Integer, nullable=False, default=0)
    cancelled = Column(Integer, nullable=False, default=0)  # the address unsubscribed before it went out


class NoticeSend(Base):
    """A broadcast's notice to one address, queued in the outbox: at most one per (broadcast, channel, address).
    ``billed``: Zalo only, whether its send counted against the OA's monthly quota (set before the call)."""

    __tablename__ = "notice_sends"
    __table_args__ = (UniqueConstraint("broadcast_id", "channel", "address", name="uq_notice_sends"),)
    id = Column(Integer, primary_key=True)
    broadcast_id = Column(Integer, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(20), nullable=False)
    address = Column(String(100), nullable=False)
    outbound_id = Column(Integer, ForeignKey("outbound_messages.id"), nullable=False, unique=True)
    billed = Column(Integer, nullable=False, default=0)
    billed_at = Column(DateTime, nullable=True, index=True)
