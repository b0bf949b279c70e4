"""Rasa replies as Telegram messages: text split at the length limit, buttons as inline keyboards
with short callback keys, answers for staff to relay. Pure functions and one small in-memory map."""
from __future__ import annotations

import base64
import hashlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from connectors import channel_texts as texts
from connectors.platform_constants import TELEGRAM_CALLBACK_DATA_LIMIT, TELEGRAM_TEXT_LIMIT
from connectors.rasa_client import BotReply
from connectors.reply_splitter import split_text

KEY_PREFIX = "k:"  # callback_data that stands for a longer payload; raw payloads never start with it


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: text of at most the limit, with an optional inline keyboard."""

    text: str
    reply_markup: Optional[InlineKeyboardMarkup] = None


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP take two code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a lone surrogate counts as one unit


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> List[str]:
    """Non-empty pieces of at most ``limit`` UTF-16 code units, as few and as even as the text allows,
    cut at paragraph, line, sentence or word boundaries (a single word longer than the limit is the
    only thing ever cut). Messages go out as plain text (no ``parse_mode``), so a cut cannot break
    markup; should HTML formatting come, split before escaping and tagging, never after."""
    return split_text(text, limit, utf16_length)


class CallbackKeys:
    """Maps button payloads to callback_data of at most 64 bytes and back.

    A payload that fits is used as it is. A longer one gets a key derived from its hash, so the
    same payload has the same key after a restart; only the way back needs this map, which keeps
    the most recent ``capacity`` long payloads."""

    def __init__(self, capacity: int = 10_000):
        self._capacity = capacity
        self._payloads: "OrderedDict[str, str]" = OrderedDict()

    def key_for(self, payload: str) -> str:
        """The callback_data for ``payload``, remembered so that a press can be resolved."""
        if len(payload.encode("utf-8")) <= TELEGRAM_CALLBACK_DATA_LIMIT and not payload.startswith(KEY_PREFIX):
            return payload
        digest = base64.urlsafe_b64encode(hashlib.sha256(payload.encode("utf-8")).digest()[:18]).decode("ascii")
        key = KEY_PREFIX + digest
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        return key

    def payload_for(self, data: str) -> Optional[str]:
        """The payload a pressed button stands for, or None when its key is no longer known."""
        if not data.startswith(KEY_PREFIX):
            return data
        return self._payloads.get(data)


def keyboard(buttons: Sequence[Dict[str, str]], keys: CallbackKeys) -> Optional[InlineKeyboardMarkup]:
    """Rasa buttons (``{"title", "payload"}``) as an inline keyboard, one button per row."""
    rows = [[InlineKeyboardButton(b["title"], callback_data=keys.key_for(b["payload"]))]
            for b in buttons if b.get("title") and b.get("payload")]
    return InlineKeyboardMarkup(rows) if rows else None


def reply_messages(replies: Sequence[BotReply], keys: CallbackKeys,
                   limit: int = TELEGRAM_TEXT_LIMIT) -> List[OutgoingMessage]:
    """Telegram messages for Rasa's replies; a reply's buttons go under its last piece."""
    messages: List[OutgoingMessage] = []
    for reply in replies:
        pieces = split_message(reply.text, limit)
        if not pieces:
            continue
        messages.extend(OutgoingMessage(p) for p in pieces[:-1])
        messages.append(OutgoingMessage(pieces[-1], keyboard(reply.buttons, keys)))
    return messages


def relay_messages(replies: Sequence[BotReply], limit: int = TELEGRAM_TEXT_LIMIT) -> List[OutgoingMessage]:
    """The answer for a staff member to copy to a citizen: one message headed by the relay prefix,
    holding every reply in full (legal basis and contact agency included); no buttons, since they
    would act on the staff member's own conversation. Split only beyond the length limit."""
    body = "\n\n".join(r.text.strip() for r in replies if r.text.strip())
    if not body:
        return []
    return [OutgoingMessage(p) for p in split_message(f"{texts.RELAY_PREFIX}\n\n{body}", limit)]


def locality_payload(name: str) -> str:
    """The payload Rasa's own locality buttons carry, e.g. ``/choose_locality{"locality": "Thị xã Đức Phổ"}``."""
    return "/choose_locality" + json.dumps({"locality": name}, ensure_ascii=False)


def locality_prompt(names: Sequence[str], keys: CallbackKeys) -> Optional[OutgoingMessage]:
    """The question "which locality?" with one button per locality."""
    if not names:
        return None
    return OutgoingMessage(texts.TELEGRAM_CHOOSE_LOCALITY,
                           keyboard([{"title": n, "payload": locality_payload(n)} for n in names], keys))


def topic_prompt(topics: Sequence[Tuple[str, str]], keys: CallbackKeys) -> OutgoingMessage:
    """The question "which topic?" with one button per (title, question) pair."""
    return OutgoingMessage(texts.TELEGRAM_CHOOSE_TOPIC,
                           keyboard([{"title": t, "payload": p} for t, p in topics], keys))


def forward_origin_key(origin: object) -> Optional[str]:
    """A stable, short name for whoever wrote a forwarded message: ``u<id>`` for a user, ``c<id>``
    for a chat or channel, ``h<hash>`` for a user who hides their account (only a name is known)."""
    user = getattr(origin, "sender_user", None)
    if user is not None:
        return f"u{user.id}"
    chat = getattr(origin, "sender_chat", None) or getattr(origin, "chat", None)
    if chat is not None:
        return f"c{chat.id}"
    name = getattr(origin, "sender_user_name", None)
    if name:
        return "h" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return None
