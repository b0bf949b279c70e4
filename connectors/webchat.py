"""The web chat page and its endpoint, relaying to Rasa's REST channel.

The server gives each browser an unguessable conversation token (an HttpOnly cookie); only its
holder talks in that conversation, reads its staff answers (which stay waiting until the page
acknowledges them) and, after a reload, what the page showed. Requests are limited per
conversation and per address.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Tuple

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine

from connectors import outbox
from connectors.rasa_client import RasaClient, RasaUnavailable
from connectors.request_limits import SlidingWindowLimit

STATIC = Path(__file__).parent / "static"
UNAVAILABLE = "Xin lỗi, trợ lý đang tạm gián đoạn. Bạn thử lại sau ít phút nhé."
BAD_REQUEST = "Yêu cầu không hợp lệ: cần một câu hỏi dạng {\"message\": \"…\"}."
TOO_FAST = "Bạn gửi nhanh quá. Vui lòng chờ một chút rồi gửi tiếp."
CHANNEL = "webchat"
COOKIE = "chat_session"
MAX_MESSAGE = 2000
MAX_BODY = 16 * 1024
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class Transcripts:
    """What each conversation's page has shown, so a reload shows it again (kept in memory, for the
    session: the most recent ``max_messages`` of the ``max_conversations`` last active)."""

    def __init__(self, max_conversations: int = 2000, max_messages: int = 60):
        self._max_conversations, self._max_messages = max_conversations, max_messages
        self._kept: "OrderedDict[str, Deque[Dict[str, Any]]]" = OrderedDict()

    def add(self, conversation: str, item: Dict[str, Any]) -> None:
        kept = self._kept.pop(conversation, None) or deque(maxlen=self._max_messages)
        if item.get("id") is not None and any(k.get("id") == item["id"] for k in kept):
            self._kept[conversation] = kept
            return
        kept.append(item)
        self._kept[conversation] = kept
        while len(self._kept) > self._max_conversations:
            self._kept.popitem(last=False)

    def of(self, conversation: str) -> List[Dict[str, Any]]:
        return list(self._kept.get(conversation, ()))


@dataclass(frozen=True)
class WebchatLimits:
    """Requests allowed per window: messages per conversation and per address, polls per conversation."""

    messages_per_conversation: int = 20
    messages_per_address: int = 60
    polls_per_conversation: int = 60
    window_s: float = 60.0


def sender_of(token: str) -> str:
    """The conversation's id at Rasa and in the outbox: derived from the token, never the token itself."""
    return "web-" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _token(request: web.Request) -> Optional[str]:
    token = request.cookies.get(COOKIE, "")
    return token if _TOKEN.match(token) else None


@web.middleware
async def security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update({k: v for k, v in HEADERS.items() if k not in exc.headers})
        raise
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error(text: str, status: int) -> web.Response:
    return web.json_response({"error": text}, status=status)


async def _json_object(request: web.Request) -> Dict[str, Any]:
    """The body as a JSON object; empty when it is not one (bad UTF-8, bad JSON, a list…)."""
    try:
        body = json.loads((await request.read()).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return body if isinstance(body, dict) else {}


async def _message_of(request: web.Request) -> Tuple[Optional[str], Optional[str]]:
    """The message of a well-formed body ({"message": "…", "shown": "…"}), or None; and what the
    page showed for it (a button's title for its payload)."""
    body = await _json_object(request)
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        return None, None
    shown = body.get("shown")
    return message, (shown[:200] if isinstance(shown, str) and shown.strip() else None)


def create_app(rasa_base_url: str, engine: Optional[Engine] = None, limits: WebchatLimits = WebchatLimits(),
               secure_cookies: bool = False) -> web.Application:
    """Serve the chat page at / and relay POST /chat to the Rasa server at ``rasa_base_url``;
    with a database, GET /updates hands the page the staff answers waiting for it and POST
    /updates/ack marks those it showed."""
    app = web.Application(middlewares=[security_headers], client_max_size=MAX_BODY)
    per_conversation = SlidingWindowLimit(limits.messages_per_conversation, limits.window_s)
    per_address = SlidingWindowLimit(limits.messages_per_address, limits.window_s)
    polls = SlidingWindowLimit(limits.polls_per_conversation, limits.window_s)
    transcripts = Transcripts()

    def with_cookie(response: web.StreamResponse, token: str, new: bool) -> web.StreamResponse:
        if new:
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/", secure=secure_cookies)
        return response

    def session(request: web.Request) -> Tuple[str, bool]:
        token = _token(request)
        return (token, False) if token else (secrets.token_urlsafe(32), True)

    async def page(request: web.Request) -> web.StreamResponse:
        token, new = session(request)
        return with_cookie(web.FileResponse(STATIC / "chat.html"), token, new)

    async def chat(request: web.Request) -> web.StreamResponse:
        token, new = session(request)
        message, shown = await _message_of(request)
        if message is None:
            return with_cookie(_error(BAD_REQUEST, 400), token, new)
        if not per_conversation.allow(token) or not per_address.allow(request.remote or "?"):
            return with_cookie(_error(TOO_FAST, 429), token, new)
        sender = sender_of(token)
        try:
            replies = await app["rasa"].send(sender, message[:MAX_MESSAGE], {"channel": CHANNEL, "address": sender})
        except RasaUnavailable:
            return with_cookie(_error(UNAVAILABLE, 502), token, new)
        out = [{"text": r.text, "buttons": r.buttons} for r in replies]
        transcripts.add(sender, {"who": "me", "text": shown or message[:MAX_MESSAGE]})
        for item in out:
            transcripts.add(sender, {"who": "bot", **item})
        return with_cookie(web.json_response(out), token, new)

    async def updates(request: web.Request) -> web.Response:
        token = _token(request)
        if token is None or engine is None:
            return web.json_response([])
        if not polls.allow(token):
            return _error(TOO_FAST, 429)
        items = await asyncio.to_thread(outbox.pending_for, engine, CHANNEL, sender_of(token))
        for item in items:
            transcripts.add(sender_of(token), {"who": "staff", "id": item.id, "text": item.text})
        return web.json_response([{"id": item.id, "text": item.text} for item in items])

    async def history(request: web.Request) -> web.Response:
        token = _token(request)
        return web.json_response(transcripts.of(sender_of(token)) if token else [])

    async def acknowledge(request: web.Request) -> web.Response:
        token = _token(request)
        ids = (await _json_object(request)).get("ids")
        if token is None or not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or len(ids) > 100:
            return _error("Yêu cầu không hợp lệ.", 400)
        done = 0 if engine is None else await asyncio.to_thread(outbox.acknowledge, engine, CHANNEL,
                                                                sender_of(token), ids)
        return web.json_response({"acknowledged": done})

    async def rasa_client(app: web.Application):
        async with aiohttp.ClientSession() as http:
            app["rasa"] = RasaClient(rasa_base_url, http)
            yield

    async def script(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.js")

    async def styles(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.css")

    app.cleanup_ctx.append(rasa_client)
    app.add_routes([web.get("/", page), web.post("/chat", chat), web.get("/updates", updates),
                    web.post("/updates/ack", acknowledge), web.get("/history", history), web.get("/chat.js", script),
                    web.get("/chat.css", styles)])
    return app
