"""Turning a Zalo OA webhook body into a typed event; pure, no I/O.

Only what the connector acts on is checked strictly (ids, the text); anything else malformed raises
:class:`ZaloEventError`, never another exception.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from connectors import platform_constants as P


class ZaloEventError(ValueError):
    """The webhook body is not a well-formed Zalo event."""


@dataclass(frozen=True)
class TextMessage:
    """``user_send_text``: a typed message, or a tap on an ``oa.query.*`` button (text = its payload)."""

    sender_id: str
    msg_id: str
    text: str
    timestamp_ms: int
    oa_id: Optional[str] = None
    quote_msg_id: Optional[str] = None


@dataclass(frozen=True)
class AttachmentMessage:
    """An image, GIF, sticker, voice message, video, file, location or link."""

    event_name: str
    sender_id: str
    msg_id: str
    attachment_types: Tuple[str, ...]
    timestamp_ms: int


@dataclass(frozen=True)
class Follow:
    user_id: str
    timestamp_ms: int
    oa_id: Optional[str] = None


@dataclass(frozen=True)
class Unfollow:
    user_id: str
    timestamp_ms: int
    oa_id: Optional[str] = None


@dataclass(frozen=True)
class OAEcho:
    """The OA's own message echoed back (``oa_send_*``): never answered."""

    event_name: str


@dataclass(frozen=True)
class SilentEvent:
    """A known event that needs no answer (delivery or read receipt, submitted info)."""

    event_name: str


@dataclass(frozen=True)
class UnknownEvent:
    """An event this connector does not know: acknowledged, logged, ignored."""

    event_name: str


ZaloEvent = Union[TextMessage, AttachmentMessage, Follow, Unfollow, OAEcho, SilentEvent, UnknownEvent]


def parse_event(raw_body: Union[bytes, str]) -> ZaloEvent:
    """Parse a webhook body (UTF-8 JSON); raise :class:`ZaloEventError` when it is malformed."""
    try:
        text = raw_body.decode("utf-8") if isinstance(raw_body, (bytes, bytearray)) else raw_body
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ZaloEventError(f"the body is not UTF-8 JSON: {exc.__class__.__name__}") from None
    return event_from_dict(data)


def event_from_dict(data: Any) -> ZaloEvent:
    """The typed event for an already decoded body."""
    if not isinstance(data, dict):
        raise ZaloEventError("the event is not a JSON object")
    name = data.get("event_name")
    if not isinstance(name, str) or not name:
        raise ZaloEventError("event_name is missing")
    if name.startswith(P.ZALO_OA_ECHO_PREFIX):
        return OAEcho(name)
    if name in P.ZALO_SILENT_EVENTS:
        return SilentEvent(name)
    if name == P.ZALO_EVENT_TEXT:
        message = _object(data, "message")
        text = message.get("text")
        if not isinstance(text, str):
            raise ZaloEventError("message.text is missing")
        return TextMessage(sender_id=_id(_object(data, "sender"), "sender.id"), msg_id=_msg_id(message),
                           text=text, timestamp_ms=_timestamp(data), oa_id=_optional_id(data, "recipient"),
                           quote_msg_id=_optional_text(message.get("quote_msg_id")))
    if name in P.ZALO_ATTACHMENT_EVENTS:
        message = _object(data, "message")
        return AttachmentMessage(event_name=name, sender_id=_id(_object(data, "sender"), "sender.id"),
                                 msg_id=_msg_id(message), attachment_types=_attachment_types(message),
                                 timestamp_ms=_timestamp(data))
    if name in (P.ZALO_EVENT_FOLLOW, P.ZALO_EVENT_UNFOLLOW):
        kind = Follow if name == P.ZALO_EVENT_FOLLOW else Unfollow
        oa_id = data.get("oa_id")
        return kind(user_id=_id(_object(data, "follower"), "follower.id"), timestamp_ms=_timestamp(data),
                    oa_id=_optional_text(oa_id if isinstance(oa_id, str) else None))
    return UnknownEvent(name)


def _object(data: Mapping[str, Any], key: str) -> Dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ZaloEventError(f"{key} is missing or not an object")
    return value


def _id(holder: Mapping[str, Any], label: str) -> str:
    value = holder.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value) > P.ZALO_MAX_ID_LENGTH:
        raise ZaloEventError(f"{label} is missing or not an id")
    return value


def _optional_id(data: Mapping[str, Any], key: str) -> Optional[str]:
    holder = data.get(key)
    if not isinstance(holder, dict):
        return None
    value = holder.get("id")
    return value if isinstance(value, str) and value else None


def _msg_id(message: Mapping[str, Any]) -> str:
    value = message.get("msg_id")
    if not isinstance(value, str) or not value.strip() or len(value) > P.ZALO_MAX_MSG_ID_LENGTH:
        raise ZaloEventError("message.msg_id is missing or not an id")
    return value


def _timestamp(data: Mapping[str, Any]) -> int:
    value = data.get("timestamp")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10 ** 20:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        return int(value)
    raise ZaloEventError("timestamp is missing or not epoch milliseconds")


def _attachment_types(message: Mapping[str, Any]) -> Tuple[str, ...]:
    attachments = message.get("attachments", [])
    if not isinstance(attachments, list):
        raise ZaloEventError("message.attachments is not a list")
    return tuple(a["type"] for a in attachments if isinstance(a, dict) and isinstance(a.get("type"), str))


def _optional_text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None
