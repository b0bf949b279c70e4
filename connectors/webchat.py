"""The web chat page and its endpoint, relaying to Rasa's REST channel."""
from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

STATIC = Path(__file__).parent / "static"
UNAVAILABLE = "Xin lỗi, trợ lý đang tạm gián đoạn. Bạn thử lại sau ít phút nhé."


def create_app(rasa_url: str) -> web.Application:
    """Serve the chat page at / and relay POST /chat to ``rasa_url`` (the REST webhook)."""
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
            async with app["http"].post(rasa_url, json={"sender": sender[:64], "message": message[:2000]}) as resp:
                if resp.status != 200:
                    return web.json_response({"error": UNAVAILABLE}, status=502)
                return web.json_response(await resp.json())
        except (aiohttp.ClientError, TimeoutError):
            return web.json_response({"error": UNAVAILABLE}, status=502)

    async def http_session(app: web.Application):
        app["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        yield
        await app["http"].close()

    app.cleanup_ctx.append(http_session)
    app.add_routes([web.get("/", page), web.post("/chat", chat)])
    return app
