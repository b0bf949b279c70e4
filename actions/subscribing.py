"""Following policies from the chat: subscribe to the last answer's topic in its locality, list what is
followed, stop everything in one step. The address to deliver to is the connector's (metadata ``channel``
and ``address``); nothing else about the person is kept."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from actions import templates as T
from actions.answering import Reply, Turn, catalogue_key
from knowledge.db import transaction
from knowledge.errors import InvalidChange
from knowledge.models import Locality, Topic
from knowledge.provision_search import ProvisionSearch
from knowledge.subscriptions import CHANNELS, Followed, list_for, subscribe, unsubscribe_all
from knowledge.text import normalize

SUBSCRIBE, UNSUBSCRIBE, LIST = "subscribe", "unsubscribe", "list_subscriptions"
COMMANDS = (SUBSCRIBE, UNSUBSCRIBE, LIST)

# Whole messages that ask to stop, to list, or to follow (folded, without diacritics); a message longer than
# a few words or asking about the plans is a question, not a command.
_STOP = re.compile(r"\b(huy|ngung|dung|thoi|bo|tat) (theo doi|nhan thong bao|thong bao|nhan tin|gui tin)\b"
                   r"|\bhuy dang ky (nhan|theo doi|thong bao)|^huy dang ky$"
                   r"|\bkhong (muon )?(nhan|theo doi) (thong bao|tin|nua)")
_LIST = re.compile(r"\b(dang theo doi|danh sach theo doi|muc theo doi|xem theo doi|theo doi nhung gi"
                   r"|theo doi gi)\b")
_FOLLOW = re.compile(r"^(toi |minh |em )?(muon )?theo doi( (chinh sach|chu de|muc|cai|tin) (nay|do|nay nhe))?$"
                     r"|\bdang ky (theo doi|nhan thong bao|nhan tin)\b|\bbao (cho )?(toi|minh|em|tui|bac|con) khi\b"
                     r"|\bco (gi moi|thay doi)( thi)? bao\b|\bbat thong bao\b")
_QUESTION = re.compile(r"\b(co quan nao|ai theo doi|bao nhieu|the nao|nhu the nao|quyet dinh|ke hoach|thi sao|ra sao)\b")
MAX_COMMAND_WORDS = 10


@dataclass(frozen=True)
class Address:
    """Where notices go: a channel the outbox delivers on and the connector's address there."""

    channel: str
    address: str


def command(turn: Turn) -> Optional[str]:
    """The subscription command a message gives: a button or chat command (its intent), or a short
    message saying it ("hủy theo dõi", "báo cho tôi khi có thay đổi"); None for anything else."""
    if turn.intent in COMMANDS and (turn.text.startswith("/") or _reads_as_command(turn.text)):
        return turn.intent
    if turn.text.startswith("/"):
        return None
    text = normalize(turn.text)
    if len(text.split()) > MAX_COMMAND_WORDS or _QUESTION.search(text):
        return None
    if _STOP.search(text):
        return UNSUBSCRIBE
    if _LIST.search(text):
        return LIST
    if _FOLLOW.search(text):
        return SUBSCRIBE
    return None


def _reads_as_command(text: str) -> bool:
    """A typed message the classifier took for a subscription command that is not a policy question."""
    folded = normalize(text)
    return len(folded.split()) <= MAX_COMMAND_WORDS and not _QUESTION.search(folded)


def address_of(metadata: Dict[str, object]) -> Optional[Address]:
    """The delivery address in a message's metadata, when its channel can deliver notices."""
    channel, address = str(metadata.get("channel") or ""), str(metadata.get("address") or "")
    if channel in CHANNELS and address:
        return Address(channel, address)
    return None


def handle(name: str, turn: Turn, search: ProvisionSearch, engine: Engine, where: Optional[Address]) -> Reply:
    """Carry out a subscription command and say what was done."""
    reply = Reply(answered=False, is_question=False, outcome=name)
    if where is None:
        reply.say(T.FOLLOW_NO_CHANNEL)
        return reply
    topics, localities = _names(engine)
    if name == UNSUBSCRIBE:
        removed = unsubscribe_all(engine, where.channel, where.address)
        reply.say(T.UNFOLLOWED if removed else T.UNFOLLOW_NOTHING)
        return reply
    if name == LIST:
        followed = list_for(engine, where.channel, where.address)
        if not followed:
            reply.say(T.FOLLOWING_NONE, _offer(turn))
            return reply
        lines = [T.FOLLOWING_HEADER] + [f"- {_label(f, topics, localities)}" for f in followed]
        reply.say("\n".join(lines), {**_offer(turn), T.BUTTON_UNFOLLOW: "/unsubscribe"})
        return reply
    target = _target(turn, search)
    if target is None:
        reply.say(T.FOLLOW_NEEDS_ANSWER)
        return reply
    try:
        new = subscribe(engine, where.channel, where.address, *target)
    except InvalidChange:
        reply.say(T.FOLLOW_NO_CHANNEL)
        return reply
    label = _label(Followed(*target), topics, localities)
    reply.say((T.FOLLOWED if new else T.FOLLOWED_ALREADY).format(what=label),
              {T.BUTTON_FOLLOWING: "/list_subscriptions", T.BUTTON_UNFOLLOW: "/unsubscribe"})
    return reply


def _target(turn: Turn, search: ProvisionSearch) -> Optional[Tuple[Optional[str], Optional[str]]]:
    """(topic, locality) to follow: the last answer's main topic in its plan's locality; with no answer
    yet, every topic of the resident's locality; None when neither is known."""
    last = search.index().by_id.get(turn.slots.get("last_answer") or "")
    if last is not None:
        return (last.topics[0] if last.topics else None), last.locality
    locality = catalogue_key(search, "locality", turn.slots.get("locality"))
    return (None, locality) if locality else None


def _offer(turn: Turn) -> Dict[str, str]:
    """The follow button, when there is something to follow."""
    return {T.BUTTON_FOLLOW: "/subscribe"} if turn.slots.get("last_answer") or turn.slots.get("locality") else {}


def _label(followed: Followed, topics: Dict[str, str], localities: Dict[str, str]) -> str:
    topic = T.FOLLOW_ALL_TOPICS if followed.topic_key is None else \
        T.FOLLOW_TOPIC.format(topic=topics.get(followed.topic_key, followed.topic_key).lower())
    place = T.FOLLOW_ALL_PLACES if followed.locality_key is None else \
        localities.get(followed.locality_key, followed.locality_key)
    return T.FOLLOW_LABEL.format(topic=topic, place=place)


def _names(engine: Engine) -> Tuple[Dict[str, str], Dict[str, str]]:
    with transaction(engine) as session:
        topics: List[Tuple[str, str]] = session.execute(select(Topic.key, Topic.name)).all()
        localities: List[Tuple[str, str]] = session.execute(select(Locality.key, Locality.name)).all()
    return dict(topics), dict(localities)
