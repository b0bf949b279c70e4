"""The web chat relays to Rasa's REST channel and apologises when Rasa is down."""
from __future__ import annotations

from aiohttp import web

from connectors.webchat import create_app


async def test_chat_page_and_relay(aiohttp_client, aiohttp_server):
    seen = []

    async def rasa(request):
        seen.append(await request.json())
        return web.json_response([{"recipient_id": "u1", "text": "Xin chào!"}])

    fake = web.Application()
    fake.add_routes([web.post("/webhooks/rest/webhook", rasa)])
    server = await aiohttp_server(fake)
    client = await aiohttp_client(create_app(str(server.make_url("/"))))
    page = await client.get("/")
    assert page.status == 200 and "Trợ lý chính sách xã hội" in await page.text()
    reply = await client.post("/chat", json={"sender": "u1", "message": "chào"})
    assert reply.status == 200 and (await reply.json())[0]["text"] == "Xin chào!"
    assert seen == [{"sender": "u1", "message": "chào", "metadata": {"channel": "webchat", "address": "u1"}}]


async def test_bad_request_and_rasa_down_get_clear_errors(aiohttp_client):
    client = await aiohttp_client(create_app("http://127.0.0.1:9"))
    assert (await client.post("/chat", data="not json")).status == 400
    assert (await client.post("/chat", json={"sender": "u1"})).status == 400
    down = await client.post("/chat", json={"sender": "u1", "message": "chào"})
    assert down.status == 502 and "gián đoạn" in (await down.json())["error"]


async def test_the_page_receives_a_staff_answer_once_and_only_for_its_own_session(aiohttp_client, empty_engine):
    from knowledge import follow_ups
    from knowledge.question_log import QuestionRecord, record_question
    qid = record_question(empty_engine, QuestionRecord("webchat", "web-1", "Gặp cán bộ", "ask_human", [], False,
                                                       handoff=True, address="web-1"), b"k")
    follow_ups.answer(empty_engine, qid, "Chúng tôi sẽ gọi lại.", "Lan")
    client = await aiohttp_client(create_app("http://127.0.0.1:9", empty_engine))
    assert await (await client.get("/updates", params={"sender": "web-2"})).json() == []
    [update] = await (await client.get("/updates", params={"sender": "web-1"})).json()
    assert update["text"].endswith("Chúng tôi sẽ gọi lại.")
    assert await (await client.get("/updates", params={"sender": "web-1"})).json() == []
