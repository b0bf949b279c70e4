"""RasaClient against a REST endpoint on loopback: a failed turn (HTTP 5xx, or Rasa's 200 with nothing) is
RasaUnavailable, so connectors keep the message and retry it instead of marking it answered."""
from __future__ import annotations

import asyncio
from typing import Any, List

import aiohttp
import pytest
from aiohttp import web

from connectors.rasa_client import BotReply, RasaClient, RasaUnavailable


@pytest.fixture
async def rasa(aiohttp_server):
    answers: List[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        status, body = answers.pop(0)
        if status == "slow":
            await asyncio.sleep(body)
            return web.json_response([])
        return web.json_response(body, status=status)

    app = web.Application()
    app.add_routes([web.post("/webhooks/rest/webhook", webhook)])
    server = await aiohttp_server(app)
    return answers, str(server.make_url(""))


async def test_replies_failed_turns_and_server_errors(rasa):
    answers, base = rasa
    answers += [(200, [{"recipient_id": "u", "text": "Chào bạn", "buttons": [{"title": "A", "payload": "/a"}]},
                       {"recipient_id": "u", "custom": {"provisions": ["dn-013"]}}]),
                (200, [{"recipient_id": "u", "custom": {"provisions": []}}]),
                (200, []),
                (503, {"error": "busy"})]
    async with aiohttp.ClientSession() as session:
        client = RasaClient(base, session)
        assert await client.send("u", "xin chào") == [BotReply("Chào bạn", [{"title": "A", "payload": "/a"}])]
        assert await client.send("u", "x") == []  # Rasa said something, only not text
        with pytest.raises(RasaUnavailable, match="answered nothing"):
            await client.send("u", "học phí")
        with pytest.raises(RasaUnavailable, match="503"):
            await client.send("u", "học phí")


async def test_a_turn_rasa_does_not_answer_in_time_is_unavailable(rasa):
    answers, base = rasa
    answers.append(("slow", 2.0))
    async with aiohttp.ClientSession() as session:
        with pytest.raises(RasaUnavailable, match="TimeoutError"):
            await RasaClient(base, session, timeout=0.3).send("u", "học phí")
