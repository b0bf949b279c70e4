"""The web chat page and its endpoint, relaying to Rasa's REST channel."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine

from connectors import outbox
from connectors.rasa_client import RasaClient, RasaUnavailable

STATIC = Path(__file__).parent / "static"
UNAVAILABLE = "Xin lỗi, trợ lý đang tạm gián đoạn. Bạn thử lại sau ít phút nhé."
CHANNEL = "webchat"


def create_app(rasa_base_url: str, engine: Optional[Engine] = None) -> web.Application:
    """Serve the chat page at / and relay POST /chat to the Rasa server at ``rasa_base_url``;
    with a database, GET /updates hands the page the staff answers waiting for it."""
    app = web.Application()

    async def page(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.html")

    async def chat(request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "Yêu cầu không hợp lệ."}, status=400)
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not isinstance(message, str) or not message.strip():
            return web.json_response({"error": "Thiếu người gửi hoặc nội dung."}, status=400)
        try:
            replies = await app["rasa"].send(sender[:64], message[:2000],
                                             {"channel": CHANNEL, "address": sender[:64]})
        except RasaUnavailable:
            return web.json_response({"error": UNAVAILABLE}, status=502)
        return web.json_response([{"text": r.text, "buttons": r.buttons} for r in replies])

    async def updates(request: web.Request) -> web.Response:
        sender = request.query.get("sender", "")
        if not sender or engine is None:
            return web.json_response([])
        items = await asyncio.to_thread(outbox.take_for, engine, CHANNEL, sender[:64])
        return web.json_response([{"text": item.text} for item in items])

    async def rasa_client(app: web.Application):
        async with aiohttp.ClientSession() as session:
            app["rasa"] = RasaClient(rasa_base_url, session)
            yield

    app.cleanup_ctx.append(rasa_client)
    app.add_routes([web.get("/", page), web.post("/chat", chat), web.get("/updates", updates)])
    return app
