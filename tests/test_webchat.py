"""The web chat: relays to Rasa's REST channel under a conversation token only its browser holds,
refuses malformed bodies and floods with clear errors, and sends its security headers everywhere."""
from __future__ import annotations

import pytest
from aiohttp import web

from connectors.webchat import COOKIE, WebchatLimits, create_app, sender_of

SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


@pytest.fixture
async def rasa(aiohttp_server):
    seen = []

    async def webhook(request):
        body = await request.json()
        seen.append(body)
        return web.json_response([{"recipient_id": body["sender"], "text": "Xin chào!"}])

    fake = web.Application()
    fake.add_routes([web.post("/webhooks/rest/webhook", webhook)])
    server = await aiohttp_server(fake)
    return str(server.make_url("/")), seen


async def test_the_page_gives_an_httponly_conversation_token_and_the_chat_uses_it_not_the_body(aiohttp_client, rasa):
    url, seen = rasa
    client = await aiohttp_client(create_app(url))
    page = await client.get("/")
    assert page.status == 200 and "Trợ lý chính sách xã hội" in await page.text()
    cookie = page.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and len(cookie.value) >= 32
    reply = await client.post("/chat", json={"sender": "someone-else", "message": "chào"})
    assert reply.status == 200 and (await reply.json())[0]["text"] == "Xin chào!"
    sender = sender_of(cookie.value)
    assert seen == [{"sender": sender, "message": "chào", "metadata": {"channel": "webchat", "address": sender}}]
    assert cookie.value not in str(seen)  # the token itself never leaves the web chat


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '["chào"]', "{}", '{"message": 5}', '{"message": "  "}',
                                  '"chào"', "\xff\xfe"])
async def test_a_malformed_body_gets_400_with_a_clear_message(aiohttp_client, body):
    client = await aiohttp_client(create_app("http://127.0.0.1:9"))
    response = await client.post("/chat", data=body.encode("latin-1"), headers={"Content-Type": "application/json"})
    assert response.status == 400 and "không hợp lệ" in (await response.json())["error"]


async def test_rasa_down_gets_a_vietnamese_apology(aiohttp_client):
    client = await aiohttp_client(create_app("http://127.0.0.1:9"))
    down = await client.post("/chat", json={"message": "chào"})
    assert down.status == 502 and "gián đoạn" in (await down.json())["error"]


async def test_a_staff_answer_is_read_only_by_its_conversation_and_stays_until_acknowledged(aiohttp_client,
                                                                                         aiohttp_server, empty_engine):
    from knowledge import follow_ups
    from knowledge.question_log import QuestionRecord, record_question

    owner = await aiohttp_client(create_app("http://127.0.0.1:9", empty_engine))
    stranger = await aiohttp_client(create_app("http://127.0.0.1:9", empty_engine))
    token = (await owner.get("/")).cookies[COOKIE].value
    await stranger.get("/")
    sender = sender_of(token)
    qid = record_question(empty_engine, QuestionRecord("webchat", sender, "Gặp cán bộ", "ask_human", [], False,
                                                       handoff=True, address=sender), b"k")
    follow_ups.answer(empty_engine, qid, "Chúng tôi sẽ gọi lại.", "Lan")
    # Knowing the sender id is not enough: the old ?sender= parameter is ignored.
    assert await (await stranger.get("/updates", params={"sender": sender})).json() == []
    [update] = await (await owner.get("/updates")).json()
    assert update["text"].endswith("Chúng tôi sẽ gọi lại.")
    [again] = await (await owner.get("/updates")).json()  # not shown yet as far as the server knows
    assert again == update
    assert (await (await stranger.post("/updates/ack", json={"ids": [update["id"]]})).json()) == {"acknowledged": 0}
    assert (await (await owner.post("/updates/ack", json={"ids": [update["id"]]})).json()) == {"acknowledged": 1}
    assert await (await owner.get("/updates")).json() == []
    assert (await owner.post("/updates/ack", json=[1])).status == 400


async def test_a_flood_is_answered_429_per_conversation_and_per_address(aiohttp_client, rasa, empty_engine):
    url, seen = rasa
    limits = WebchatLimits(messages_per_conversation=3, messages_per_address=5, polls_per_conversation=2)
    client = await aiohttp_client(create_app(url, empty_engine, limits=limits))
    await client.get("/")
    statuses = [(await client.post("/chat", json={"message": f"câu {i}"})).status for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429] and len(seen) == 3
    refused = await client.post("/chat", json={"message": "nữa"})
    assert "chờ một chút" in (await refused.json())["error"]
    client.session.cookie_jar.clear()  # a new conversation from the same address: 3 of the address's 5 are used
    await client.get("/")
    statuses = [(await client.post("/chat", json={"message": f"khác {i}"})).status for i in range(3)]
    assert statuses == [200, 200, 429]
    assert [(await client.get("/updates")).status for _ in range(3)] == [200, 200, 429]


async def test_every_response_carries_the_security_headers_and_no_inline_script(aiohttp_client):
    client = await aiohttp_client(create_app("http://127.0.0.1:9"))
    for method, path in (("GET", "/"), ("GET", "/chat.js"), ("GET", "/no-such-page"), ("POST", "/chat"),
                         ("GET", "/chat")):
        response = await client.request(method, path)
        assert all(name in response.headers for name in SECURITY_HEADERS), (method, path, response.status)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    page = await (await client.get("/")).text()
    assert "<script>" not in page and "<style>" not in page and 'src="chat.js"' in page


async def test_a_reload_gets_the_conversation_back_and_only_its_own(aiohttp_client, rasa):
    url, _ = rasa
    app = create_app(url)
    owner = await aiohttp_client(app)
    await owner.get("/")
    assert await (await owner.get("/history")).json() == []
    await owner.post("/chat", json={"message": "/more", "shown": "Xem thêm"})
    await owner.post("/chat", json={"message": "chào"})
    history = await (await owner.get("/history")).json()
    assert [(m["who"], m["text"]) for m in history] == [("me", "Xem thêm"), ("bot", "Xin chào!"), ("me", "chào"),
                                                       ("bot", "Xin chào!")]
    stranger = await aiohttp_client(app)
    await stranger.get("/")
    assert await (await stranger.get("/history")).json() == []


async def test_behind_https_the_conversation_cookie_is_secure(aiohttp_client):
    client = await aiohttp_client(create_app("http://127.0.0.1:9", secure_cookies=True))
    page = await client.get("/")
    assert "Secure" in page.headers["Set-Cookie"] and "HttpOnly" in page.headers["Set-Cookie"]


async def test_a_notice_for_a_following_conversation_reaches_its_page_and_stops_with_the_subscription(
        aiohttp_client, kb_engine):
    from knowledge import admin, notices
    from knowledge import subscriptions as subs

    client = await aiohttp_client(create_app("http://127.0.0.1:9", kb_engine))
    sender = sender_of((await client.get("/")).cookies[COOKIE].value)
    subs.subscribe(kb_engine, "webchat", sender, "bhyt", "can-tho")
    record = admin.show_provision(kb_engine, "ct-035")
    admin.edit_provision(kb_engine, "ct-035", {"text": record["text"] + " Áp dụng từ năm 2026."}, by="lan")
    notices.prepare_broadcasts(kb_engine)
    [update] = await (await client.get("/updates")).json()
    assert update["text"].startswith("Chính sách bạn theo dõi vừa thay đổi:") and "Nguồn: 527/QĐ-UBND" in update["text"]
    subs.unsubscribe_all(kb_engine, "webchat", sender)  # the stop comes before the page acknowledged it
    assert await (await client.get("/updates")).json() == []
