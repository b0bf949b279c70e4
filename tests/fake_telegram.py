"""A fake Telegram Bot API: a real aiohttp server on loopback that answers like Telegram and records calls.
Tests drive it with queued errors; the fault benchmark also long-polls it and makes it fail for a while."""
from __future__ import annotations

import asyncio
import collections
import itertools
import json
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from aiohttp import web

TOKEN = "123456:TEST-token-not-real"


class FakeTelegram:
    """Answers Bot API methods like Telegram does and records every request, failed ones included."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []  # {"method", "params", "status", "at"}
        self.errors: Dict[str, List[Optional[Tuple[int, Dict[str, Any]]]]] = {}  # method -> queued answers
        self._message_ids = itertools.count(5000)
        self.port = 0
        # Long polling: updates are handed out until a getUpdates call's offset confirms them.
        self.updates: List[Dict[str, Any]] = []
        self.confirmed: Set[int] = set()
        self._update_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self.polls = 0
        # While ``failing`` holds these methods, they answer in turn 429 (retry after 1 s), 500, or too late.
        self.failing: Tuple[str, ...] = ()
        self.refused: collections.Counter = collections.Counter()
        self._faults = itertools.cycle(["429", "500", "timeout"])
        self.hang_s = 8.0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        return app

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def fail(self, method: str, status: int, times: int = 1, after: int = 0, **parameters: Any) -> None:
        """After ``after`` successful calls, the next ``times`` calls of ``method`` fail as Telegram would answer."""
        body = {"ok": False, "error_code": status, "description": {
            429: "Too Many Requests: retry after 1", 403: "Forbidden: bot was blocked by the user"}.get(
                status, "Internal Server Error")}
        if parameters:
            body["parameters"] = parameters
        self.errors.setdefault(method, []).extend([None] * after + [(status, body)] * times)

    def called(self, method: str, ok_only: bool = True) -> List[Dict[str, Any]]:
        return [c["params"] for c in self.calls if c["method"] == method and (c["status"] == 200 or not ok_only)]

    def texts(self, chat_id: int = 42) -> List[str]:
        """What the user saw: texts of the messages delivered to the chat."""
        return [p["text"] for p in self.called("sendMessage") if p["chat_id"] == chat_id]

    def methods(self) -> List[str]:
        return [c["method"] for c in self.calls]

    def push_message(self, chat_id: int, message_id: int, text: str) -> int:
        """A user's text message, waiting for the bot's getUpdates; returns its update id."""
        update_id = next(self._update_ids)
        chat = {"id": chat_id, "type": "private", "first_name": "Lan"}
        self.updates.append({"update_id": update_id, "message": {
            "message_id": message_id, "date": int(time.time()), "text": text, "chat": chat,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lan"}}})
        self._new_update.set()
        return update_id

    async def _get_updates(self, params: Dict[str, Any]) -> List[Dict[str, Any]]:
        self.polls += 1
        offset = int(params.get("offset") or 0)
        self.confirmed |= {u["update_id"] for u in self.updates if u["update_id"] < offset}
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout") or 0))
            except asyncio.TimeoutError:
                pass
        return self.updates[: int(params.get("limit") or 100)]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {k: _decode(v) for k, v in (await request.post()).items()}
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        if method in self.failing:
            fault = next(self._faults)
            self.refused[fault] += 1
            if fault == "timeout":
                await asyncio.sleep(self.hang_s)
            status = 500 if fault == "timeout" else int(fault)
            body = {"ok": False, "error_code": status, "description": "Too Many Requests: retry after 1"
                    if status == 429 else "Internal Server Error", **({"parameters": {"retry_after": 1}}
                                                                       if status == 429 else {})}
            self.calls.append({"method": method, "params": params, "status": status, "at": time.monotonic()})
            return web.json_response(body, status=status)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        queued = self.errors.get(method)
        status, body = (queued and queued.pop(0)) or (200, {"ok": True, "result": self._result(method, params)})
        self.calls.append({"method": method, "params": params, "status": status, "at": time.monotonic()})
        return web.json_response(body, status=status)

    def _result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 999, "is_bot": True, "first_name": "Trợ lý", "username": "troly_csxh_bot",
                    "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}
        if method == "sendMessage":
            message = {"message_id": next(self._message_ids), "date": int(time.time()), "text": params["text"],
                       "chat": {"id": params["chat_id"], "type": "private"},
                       "from": {"id": 999, "is_bot": True, "first_name": "Trợ lý"}}
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            return message
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # sendChatAction, answerCallbackQuery, editMessageReplyMarkup, setMyCommands, setWebhook…


def _decode(value: str) -> Any:
    """Bot API parameters arrive form-encoded, with objects and numbers JSON-encoded."""
    try:
        decoded = json.loads(value)
    except ValueError:
        return value
    return decoded if isinstance(decoded, (dict, list, int)) and not isinstance(decoded, bool) else value
