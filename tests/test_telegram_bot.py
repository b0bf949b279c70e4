"""The Telegram bot end to end over real HTTP on loopback: a fake Bot API server, a fake Rasa REST
channel, python-telegram-bot in between, and the inbox in SQLite."""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from telegram import Update

from bot.servers import free_port
from connectors import channel_texts as texts
from connectors import inbox
from connectors.platform_constants import TELEGRAM_CALLBACK_DATA_LIMIT, TELEGRAM_SECRET_HEADER, TELEGRAM_TEXT_LIMIT
from connectors.telegram_bot import TelegramSettings, build_application, connector_of, start_connector, stop_connector
from connectors.telegram_delivery import DeliveryPolicy
from connectors.telegram_format import locality_payload
from connectors.telegram_main import settings_from_env, webhook_options
from connectors.telegram_relay import Turn
from knowledge.accounts import add_account
from knowledge.models import InboundMessage
from fake_telegram import TOKEN, FakeTelegram

LOCALITIES = ("Thành phố Cần Thơ", "Thành phố Hồ Chí Minh", "Thành phố Đà Nẵng", "Huyện Càng Long",
              "Thị xã Đức Phổ")
GREETING = "Xin chào! Tôi là Trợ lý chính sách xã hội. Tôi trả lời câu hỏi về bảo hiểm y tế, học phí, nhà ở xã hội…"
GREETING_BUTTONS = [{"title": "Bảo hiểm y tế", "payload": "Chính sách bảo hiểm y tế"},
                    {"title": "Học phí", "payload": "Chính sách miễn giảm học phí"}]
ANSWER = ("Hộ cận nghèo được hỗ trợ tối thiểu 70% mức đóng bảo hiểm y tế.\n"
          "Nguồn: 527/QĐ-UBND, mục II.3. Liên hệ: Sở Lao động - Thương binh và Xã hội thành phố Cần Thơ.")
ANSWER_BUTTONS = [{"title": "Xem thêm", "payload": "/more"}, {"title": "Gặp cán bộ", "payload": "/ask_human"}]


# --- a fake Rasa REST channel ------------------------------------------------------------------

class FakeRasa:
    """Rasa's REST webhook, answering a few messages the way the real assistant does."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.answer: Callable[[str], List[Dict[str, Any]]] = self.default_answer
        self.gate: Optional[asyncio.Event] = None  # set: answers wait for it

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/webhooks/rest/webhook", self._handle)
        app.router.add_get("/", lambda request: web.Response(text="Hello from Rasa: 3.6.21"))
        return app

    def messages(self) -> List[str]:
        return [r["message"] for r in self.received]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        if self.gate is not None:
            await self.gate.wait()
        return web.json_response([{"recipient_id": body["sender"], **r} for r in self.answer(body["message"])])

    @staticmethod
    def default_answer(message: str) -> List[Dict[str, Any]]:
        if message == "xin chào":
            return [{"text": GREETING, "buttons": GREETING_BUTTONS}]
        if message == "/help":
            return [{"text": "Bạn có thể hỏi tôi, ví dụ: \"hộ cận nghèo được hỗ trợ thẻ BHYT thế nào?\""}]
        if message == "đổi địa phương":
            return [{"text": "Bạn đang ở địa phương nào?",
                     "buttons": [{"title": n, "payload": locality_payload(n)} for n in LOCALITIES]}]
        if message == "/ask_human":
            return [{"text": "Tôi đã chuyển yêu cầu của bạn đến cán bộ phụ trách."}]
        if message.startswith("/choose_locality"):
            name = json.loads(message[len("/choose_locality"):])["locality"]
            return [{"text": f"Tôi đã ghi nhận địa phương: {name}. Bạn muốn hỏi về chính sách nào?"}]
        return [{"text": ANSWER, "buttons": ANSWER_BUTTONS}]


# --- harness -----------------------------------------------------------------------------------

class Chat:
    """A Telegram user in a private chat with the bot, sending updates through ``process_update``."""

    _update_ids = itertools.count(1)
    _message_ids = itertools.count(10)

    def __init__(self, app, chat_id: int = 42):
        self.app, self.chat_id = app, chat_id

    async def say(self, text: Optional[str], message_id: Optional[int] = None, **extra: Any) -> int:
        message_id = message_id or next(self._message_ids)
        message: Dict[str, Any] = {"message_id": message_id, "date": int(time.time()),
                                   "chat": {"id": self.chat_id, "type": "private", "first_name": "Lan"},
                                   "from": {"id": self.chat_id, "is_bot": False, "first_name": "Lan"}, **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        await self._process({"update_id": next(self._update_ids), "message": message})
        return message_id

    async def press(self, callback_data: str, message_id: int = 77) -> str:
        query_id = f"q{next(self._update_ids)}"
        await self._process({"update_id": next(self._update_ids), "callback_query": {
            "id": query_id, "chat_instance": "ci-42", "data": callback_data,
            "from": {"id": self.chat_id, "is_bot": False, "first_name": "Lan"},
            "message": {"message_id": message_id, "date": int(time.time()), "text": "…",
                        "chat": {"id": self.chat_id, "type": "private"}}}})
        return query_id

    async def _process(self, data: Dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(data, self.app.bot))


def buttons_of(params: Dict[str, Any]) -> List[Tuple[str, str]]:
    """(title, callback_data) of a sent message's inline keyboard."""
    return [(b["text"], b["callback_data"]) for row in params.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row]


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@pytest.fixture
async def telegram(aiohttp_server) -> FakeTelegram:
    fake = FakeTelegram()
    fake.port = (await aiohttp_server(fake.app())).port
    return fake


@pytest.fixture
async def rasa(aiohttp_server) -> Tuple[FakeRasa, str]:
    fake = FakeRasa()
    server = await aiohttp_server(fake.app())
    return fake, f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def make_bot(telegram, empty_engine):
    """Builds, initialises and starts the Application against the fakes; shuts it down afterwards."""
    apps = []

    async def make(rasa_url: str, **overrides: Any):
        options: Dict[str, Any] = {"localities": LOCALITIES, "retry_interval_s": 0.05, "retry_interval_max_s": 0.2,
                                   # paced as in production, but 20 times faster: the suite stays quick
                                   "delivery": DeliveryPolicy(max_attempts=3, backoff_base=0.01, chat_interval=0.05),
                                   **overrides}
        settings = TelegramSettings(token=TOKEN, rasa_url=rasa_url, base_url=telegram.base_url,
                                    base_file_url=telegram.base_url.replace("/bot", "/file/bot"), **options)
        app = build_application(settings, empty_engine)
        await app.initialize()
        await start_connector(app)
        apps.append(app)
        return app

    yield make
    for app in apps:
        await stop_connector(app)
        await app.shutdown()


@pytest.fixture
async def chat(make_bot, rasa) -> Chat:
    return Chat(await make_bot(rasa[1]))


def inbox_rows(engine) -> List[InboundMessage]:
    with engine.connect() as conn:
        return list(conn.execute(select(InboundMessage).order_by(InboundMessage.id)).all())


# --- commands ----------------------------------------------------------------------------------

async def test_start_greets_with_rasa_buttons_then_offers_the_five_localities(chat, telegram, rasa):
    fake_rasa, _ = rasa
    await chat.say("/start")
    assert fake_rasa.received == [{"sender": "telegram-42", "message": "xin chào", "metadata": {"channel": "telegram", "address": "42"}}]
    greeting, localities = telegram.called("sendMessage")
    assert greeting["text"] == GREETING
    assert buttons_of(greeting) == [(b["title"], b["payload"]) for b in GREETING_BUTTONS]
    assert localities["text"] == texts.TELEGRAM_CHOOSE_LOCALITY
    assert [title for title, _ in buttons_of(localities)] == list(LOCALITIES)
    assert all(len(data.encode()) <= TELEGRAM_CALLBACK_DATA_LIMIT for _, data in buttons_of(localities))


async def test_pressing_a_locality_answers_the_query_first_and_sends_rasa_the_payload(chat, telegram, rasa):
    fake_rasa, _ = rasa
    await chat.say("/start")
    data = dict(buttons_of(telegram.called("sendMessage")[1]))["Thị xã Đức Phổ"]
    telegram.calls.clear()
    await chat.press(data, message_id=77)
    assert telegram.methods()[0] == "answerCallbackQuery"
    assert telegram.called("editMessageReplyMarkup")[0]["message_id"] == 77  # the buttons cannot be pressed twice
    assert fake_rasa.messages()[-1] == '/choose_locality{"locality": "Thị xã Đức Phổ"}'
    assert telegram.texts() == ["Tôi đã ghi nhận địa phương: Thị xã Đức Phổ. Bạn muốn hỏi về chính sách nào?"]


async def test_help_change_locality_and_ask_for_staff_commands_send_their_messages_to_rasa(chat, telegram, rasa):
    fake_rasa, _ = rasa
    for command in ("/help", "/diaphuong", "/canbo"):
        await chat.say(command)
    assert fake_rasa.messages() == ["/help", "đổi địa phương", "/ask_human"]
    help_, change, human = telegram.called("sendMessage")
    assert help_["text"].startswith("Bạn có thể hỏi tôi")
    assert [title for title, _ in buttons_of(change)] == list(LOCALITIES)
    assert human["text"] == "Tôi đã chuyển yêu cầu của bạn đến cán bộ phụ trách."


async def test_topics_command_shows_topic_buttons_and_a_press_asks_rasa(chat, telegram, rasa):
    fake_rasa, _ = rasa
    await chat.say("/chude")
    assert fake_rasa.received == []  # the topic list is the connector's own
    (prompt,) = telegram.called("sendMessage")
    assert prompt["text"] == texts.TELEGRAM_CHOOSE_TOPIC
    topics = dict(buttons_of(prompt))
    assert list(topics) == [title for title, _ in texts.TELEGRAM_TOPIC_BUTTONS]
    await chat.press(topics["Bảo hiểm xã hội"])
    assert fake_rasa.messages() == ["Chính sách bảo hiểm xã hội và bảo hiểm thất nghiệp"]
    assert telegram.texts()[-1] == ANSWER


async def test_follow_and_stop_commands_send_their_payloads_to_rasa(chat, telegram, rasa):
    fake_rasa, _ = rasa
    for command in ("/theodoi", "/huy"):
        await chat.say(command)
    assert fake_rasa.messages() == ["/list_subscriptions", "/unsubscribe"]


async def test_unknown_commands_and_photos_get_a_hint_without_bothering_rasa(chat, telegram, rasa):
    await chat.say("/batdau")
    await chat.say(None, photo=[{"file_id": "f1", "file_unique_id": "u1", "width": 10, "height": 10}])
    assert telegram.texts() == [texts.TELEGRAM_UNKNOWN_COMMAND, texts.TELEGRAM_TEXT_ONLY]
    assert rasa[0].received == []


# --- questions, buttons, typing ----------------------------------------------------------------

async def test_a_sweep_while_a_message_is_being_stored_leaves_it_to_its_handler(chat, telegram, rasa):
    relay = connector_of(chat.app).relay
    store = relay._store

    async def store_then_sweep(turn):  # the background sweep reads the inbox just as the message lands
        inbox_id = await store(turn)
        await relay.retry_pending()
        return inbox_id

    relay._store = store_then_sweep
    await chat.say("hộ cận nghèo có được hỗ trợ BHYT không?")
    (answer,) = telegram.called("sendMessage")  # answered once, by its handler: not as a late answer
    assert answer["text"] == ANSWER and "reply_parameters" not in answer
    assert len(rasa[0].received) == 1


async def test_a_question_shows_typing_then_the_answer_with_its_buttons(chat, telegram, rasa):
    await chat.say("hộ cận nghèo có được hỗ trợ BHYT không?")
    assert telegram.methods()[-2:] == ["sendChatAction", "sendMessage"]
    assert telegram.called("sendChatAction")[0] == {"chat_id": 42, "action": "typing"}
    (answer,) = telegram.called("sendMessage")
    assert answer["text"] == ANSWER and "reply_parameters" not in answer
    assert buttons_of(answer) == [("Xem thêm", "/more"), ("Gặp cán bộ", "/ask_human")]
    assert rasa[0].received[0]["metadata"] == {"channel": "telegram", "address": "42"}


async def test_a_long_button_payload_travels_as_a_short_key_and_comes_back_whole(chat, telegram, rasa):
    fake_rasa, _ = rasa
    long_payload = '/screener_answer{"answer": "người cao tuổi sống một mình, không có lương hưu"}'
    fake_rasa.answer = lambda m: [{"text": "Bạn thuộc nhóm nào?", "buttons": [{"title": "Cao tuổi", "payload": long_payload}]}]
    await chat.say("tôi được hưởng gì?")
    ((_, data),) = buttons_of(telegram.called("sendMessage")[0])
    assert len(long_payload.encode()) > TELEGRAM_CALLBACK_DATA_LIMIT >= len(data.encode())
    await chat.press(data)
    assert fake_rasa.messages()[-1] == long_payload


async def test_an_expired_button_is_answered_with_an_explanation_and_nothing_else(chat, telegram, rasa):
    await chat.press("k:unknownkeyfromanotherrun")
    (answer,) = telegram.called("answerCallbackQuery")
    assert answer["text"] == texts.TELEGRAM_BUTTON_EXPIRED
    assert rasa[0].received == [] and telegram.called("sendMessage") == []


async def test_a_10000_character_reply_arrives_in_pieces_cut_between_words(chat, telegram, rasa):
    words = []
    while len(" ".join(words)) < 9_980:
        words.append(f"quyền-lợi-{len(words)}")
    words.append("x" * (10_000 - len(" ".join(words)) - 1))
    long_answer = " ".join(words)
    rasa[0].answer = lambda m: [{"text": long_answer, "buttons": ANSWER_BUTTONS}]
    await chat.say("cho tôi toàn bộ kế hoạch")
    sent = telegram.called("sendMessage")
    assert len(long_answer) == 10_000 and len(sent) == 3
    assert all(0 < len(p["text"]) <= TELEGRAM_TEXT_LIMIT for p in sent)
    assert " ".join(p["text"] for p in sent).split() == words
    assert [bool(buttons_of(p)) for p in sent] == [False, False, True]


async def test_a_redelivered_update_is_answered_once(chat, telegram, rasa):
    await chat.say("học phí", message_id=500)
    await chat.say("học phí", message_id=500)
    assert rasa[0].messages() == ["học phí"] and len(telegram.texts()) == 1


# --- staff forwarding a citizen's question -----------------------------------------------------

FORWARD_FROM_CITIZEN = {"type": "user", "date": 1_700_000_000,
                        "sender_user": {"id": 5555, "is_bot": False, "first_name": "Ba"}}
FORWARD_FROM_HIDDEN = {"type": "hidden_user", "date": 1_700_000_000, "sender_user_name": "Nguyễn Văn Ba"}


@pytest.mark.parametrize("origin, origin_key", [(FORWARD_FROM_CITIZEN, "u5555"), (FORWARD_FROM_HIDDEN, "h")])
async def test_a_registered_staff_forward_is_answered_for_relaying(chat, telegram, rasa, empty_engine, origin,
                                                                     origin_key):
    staff_id = add_account(empty_engine, "Chị Hoa", "staff", telegram_id="42", locality_key="can-tho")
    message_id = await chat.say("Bác hỏi hộ cận nghèo có được hỗ trợ BHYT không", forward_origin=origin)
    (sent,) = rasa[0].received
    assert sent["sender"].startswith(f"telegram-fwd-{staff_id}-{origin_key}")
    assert sent["metadata"] == {"channel": "telegram", "address": "42", "forwarded_by": "Chị Hoa"}
    assert sent["message"] == "Bác hỏi hộ cận nghèo có được hỗ trợ BHYT không"
    (relay,) = telegram.called("sendMessage")
    assert relay["text"] == f"{texts.RELAY_PREFIX}\n\n{ANSWER}"  # legal basis and agency kept in full
    assert "reply_markup" not in relay and relay["reply_parameters"]["message_id"] == message_id
    await chat.say("Bác hỏi tiếp: còn học phí?", forward_origin=origin)
    assert rasa[0].received[1]["sender"] == sent["sender"]  # the same citizen keeps one conversation


async def test_a_forward_from_someone_not_registered_is_an_ordinary_question(chat, telegram, rasa, empty_engine):
    add_account(empty_engine, "Chị Hoa", "staff", telegram_id="4242")
    await chat.say("Bác hỏi hộ cận nghèo có được hỗ trợ BHYT không", forward_origin=FORWARD_FROM_CITIZEN)
    assert rasa[0].received[0]["sender"] == "telegram-42"
    assert rasa[0].received[0]["metadata"] == {"channel": "telegram", "address": "42"}
    assert telegram.texts() == [ANSWER]


# --- delivery: flood control and server errors -------------------------------------------------

async def test_flood_control_is_honoured_then_the_answer_delivered(chat, telegram):
    telegram.fail("sendMessage", 429, retry_after=1)
    await chat.say("nhà ở xã hội")
    first, second = [c for c in telegram.calls if c["method"] == "sendMessage"]
    assert (first["status"], second["status"]) == (429, 200)
    assert second["at"] - first["at"] >= 1.0
    assert telegram.texts() == [ANSWER]


async def test_pieces_to_one_chat_are_paced_while_another_chat_is_answered_at_once(make_bot, telegram, rasa):
    interval = 0.3
    app = await make_bot(rasa[1], delivery=DeliveryPolicy(max_attempts=3, backoff_base=0.01, chat_interval=interval))
    words = []
    while len(" ".join(words)) < 9_000:
        words.append(f"quyền-lợi-{len(words)}")
    rasa[0].answer = lambda m: [{"text": " ".join(words)}] if m == "toàn bộ kế hoạch" else FakeRasa.default_answer(m)
    rasa[0].gate = asyncio.Event()
    asking = [asyncio.create_task(Chat(app, 42).say("toàn bộ kế hoạch")),
              asyncio.create_task(Chat(app, 43).say("học phí"))]
    await eventually(lambda: len(rasa[0].received) == 2)
    ready = time.monotonic()
    rasa[0].gate.set()  # both answers are ready at the same moment
    await asyncio.gather(*asking)
    arrivals = {chat_id: [c["at"] for c in telegram.calls if c["method"] == "sendMessage"
                          and c["params"]["chat_id"] == chat_id] for chat_id in (42, 43)}
    assert len(arrivals[42]) == 3 and len(arrivals[43]) == 1
    assert all(later - earlier >= interval for earlier, later in zip(arrivals[42], arrivals[42][1:]))
    # Each chat's first message went out at once: chat 43 did not wait behind chat 42's pieces.
    assert arrivals[42][0] - ready < interval and arrivals[43][0] - ready < interval
    assert " ".join(telegram.texts(42)).split() == words and telegram.texts(43) == [ANSWER]


async def test_server_errors_are_retried_with_backoff_then_the_answer_delivered(chat, telegram):
    telegram.fail("sendMessage", 500, times=2)
    await chat.say("nhà ở xã hội")
    assert [c["status"] for c in telegram.calls if c["method"] == "sendMessage"] == [500, 500, 200]
    assert telegram.texts() == [ANSWER]
    assert connector_of(chat.app).delivery.failures == []


async def test_an_answer_telegram_keeps_refusing_is_kept_and_sent_when_it_recovers(chat, telegram, rasa,
                                                                              empty_engine):
    telegram.fail("sendMessage", 500, times=3)  # every attempt of the first round
    await chat.say("nhà ở xã hội")
    (failure,) = connector_of(chat.app).delivery.failures
    assert failure.retryable and failure.message.text == ANSWER
    assert [r.status for r in inbox_rows(empty_engine)] == ["pending"]  # not done until the answer is out
    await eventually(lambda: telegram.texts() == [ANSWER])  # the background retry delivers it
    assert connector_of(chat.app).delivery.failures == []
    await eventually(lambda: [r.status for r in inbox_rows(empty_engine)] == ["done"])
    assert len(rasa[0].received) == 1  # sent again, not asked again


async def test_an_answer_still_kept_when_the_connector_stops_is_delivered_after_the_restart(
        make_bot, telegram, rasa, empty_engine):
    first = Chat(await make_bot(rasa[1], retry_interval_s=60))
    telegram.fail("sendMessage", 500, times=3)
    await first.say("nhà ở xã hội")
    assert telegram.texts() == [] and connector_of(first.app).delivery.holds(inbox_rows(empty_engine)[0].id)
    await stop_connector(first.app)  # the process ends with the answer undelivered

    await make_bot(rasa[1])
    await eventually(lambda: telegram.texts() == [ANSWER])
    await eventually(lambda: [r.status for r in inbox_rows(empty_engine)] == ["done"])
    assert rasa[0].messages() == ["nhà ở xã hội", "nhà ở xã hội"]  # asked again: the kept answer died with the process


async def test_a_long_answer_cut_off_midway_is_completed_in_order(chat, telegram, rasa):
    words = [f"điều-kiện-{i}" for i in range(800)]
    rasa[0].answer = lambda m: [{"text": " ".join(words)}]
    telegram.fail("sendMessage", 500, times=3, after=1)  # the first piece goes out, the second does not
    await chat.say("điều kiện hưởng trợ cấp")
    assert len(telegram.texts()) == 1 and len(connector_of(chat.app).delivery.failures) == 2
    await eventually(lambda: len(telegram.texts()) == 3)
    assert " ".join(telegram.texts()).split() == words


async def test_a_new_answer_waits_behind_an_undelivered_one(chat, telegram, rasa):
    rasa[0].answer = lambda m: [{"text": f"Trả lời: {m}"}]
    telegram.fail("sendMessage", 500, times=3)
    await chat.say("câu thứ nhất")
    assert telegram.texts() == []
    await chat.say("câu thứ hai")
    assert telegram.texts() == ["Trả lời: câu thứ nhất", "Trả lời: câu thứ hai"]


async def test_a_message_waiting_behind_the_chats_previous_one_is_kept_already(chat, telegram, rasa, empty_engine):
    rasa[0].gate = asyncio.Event()
    first = asyncio.create_task(chat.say("câu thứ nhất"))
    await eventually(lambda: rasa[0].messages() == ["câu thứ nhất"])
    second = asyncio.create_task(chat.say("câu thứ hai"))
    # The second waits for the first's answer, but a restart now would find it in the inbox.
    await eventually(lambda: [r.text for r in inbox_rows(empty_engine)] == ["câu thứ nhất", "câu thứ hai"])
    assert rasa[0].messages() == ["câu thứ nhất"]
    rasa[0].gate.set()
    await asyncio.gather(first, second)
    assert rasa[0].messages() == ["câu thứ nhất", "câu thứ hai"] and telegram.texts() == [ANSWER, ANSWER]
    assert [r.status for r in inbox_rows(empty_engine)] == ["done", "done"]


async def test_a_blocked_bot_keeps_the_failure_without_retrying(chat, telegram):
    telegram.fail("sendMessage", 403)
    await chat.say("nhà ở xã hội")
    await asyncio.sleep(0.2)  # several background passes
    (failure,) = connector_of(chat.app).delivery.failures
    assert not failure.retryable and "Forbidden" in failure.error
    assert len(telegram.called("sendMessage", ok_only=False)) == 1


# --- Rasa unreachable --------------------------------------------------------------------------

async def test_rasa_down_apologises_keeps_the_message_and_answers_when_rasa_is_back(make_bot, telegram, empty_engine,
                                                                                     aiohttp_server):
    port = free_port()  # nothing listens here yet
    chat = Chat(await make_bot(f"http://127.0.0.1:{port}"))
    message_id = await chat.say("người có công được hỗ trợ nhà ở không?")
    assert telegram.texts() == [texts.TELEGRAM_BUSY]
    assert texts.TELEGRAM_BUSY.startswith("Xin lỗi, hệ thống đang bận")
    (row,) = inbox_rows(empty_engine)
    assert (row.channel, row.external_id, row.status) == ("telegram", f"42:{message_id}", "pending")
    assert row.attempts >= 1

    fake_rasa = FakeRasa()
    await aiohttp_server(fake_rasa.app(), port=port)  # Rasa comes back
    await eventually(lambda: len(telegram.texts()) == 2)
    assert telegram.texts()[1] == ANSWER
    late = telegram.called("sendMessage")[1]
    assert late["reply_parameters"]["message_id"] == message_id  # says which question it answers
    assert fake_rasa.messages() == ["người có công được hỗ trợ nhà ở không?"]
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "done")


async def test_after_a_long_outage_kept_messages_are_answered_within_seconds_of_rasas_return(
        make_bot, telegram, aiohttp_server):
    port = free_port()
    # The retry's own backoff would wait 30 s and more; the probe of Rasa ends the wait.
    chat = Chat(await make_bot(f"http://127.0.0.1:{port}", retry_interval_s=30, retry_interval_max_s=60,
                               rasa_probe_s=0.1))
    await chat.say("người có công được hỗ trợ nhà ở không?")
    assert telegram.texts() == [texts.TELEGRAM_BUSY]
    await asyncio.sleep(0.5)  # the retry has found Rasa down and is waiting
    await aiohttp_server(FakeRasa().app(), port=port)
    back = time.monotonic()
    await eventually(lambda: len(telegram.texts()) == 2, timeout=5.0)
    assert telegram.texts()[1] == ANSWER and time.monotonic() - back < 3.0


async def test_start_during_an_outage_still_ends_with_greeting_and_localities(make_bot, telegram, aiohttp_server):
    port = free_port()
    chat = Chat(await make_bot(f"http://127.0.0.1:{port}"))
    await chat.say("/start")
    await aiohttp_server(FakeRasa().app(), port=port)
    await eventually(lambda: len(telegram.texts()) == 3)
    assert telegram.texts() == [texts.TELEGRAM_BUSY, GREETING, texts.TELEGRAM_CHOOSE_LOCALITY]


async def test_messages_kept_by_a_previous_run_are_answered_after_a_restart(make_bot, telegram, rasa, empty_engine):
    # The previous run stored the message, then stopped before asking Rasa.
    turn = Turn(42, "42:900", "telegram-42", "nhà ở xã hội", {"channel": "telegram"}, reply_to=900)
    inbox.store(empty_engine, "telegram", turn.external_id, turn.sender, turn.text, turn.payload())
    await make_bot(rasa[1])
    await eventually(lambda: telegram.texts() == [ANSWER])
    assert telegram.called("sendMessage")[0]["reply_parameters"]["message_id"] == 900
    assert rasa[0].received == [{"sender": "telegram-42", "message": "nhà ở xã hội", "metadata": {"channel": "telegram"}}]


async def test_a_message_rasa_never_answers_ends_with_a_request_to_ask_again(make_bot, telegram, empty_engine,
                                                                          monkeypatch):
    monkeypatch.setattr("connectors.inbox.MAX_ATTEMPTS", 3)
    chat = Chat(await make_bot(f"http://127.0.0.1:{free_port()}"))
    message_id = await chat.say("trợ cấp xã hội hằng tháng bao nhiêu?")
    await eventually(lambda: len(telegram.texts()) == 2)
    assert telegram.texts() == [texts.TELEGRAM_BUSY, texts.TELEGRAM_GAVE_UP]
    assert telegram.called("sendMessage")[1]["reply_parameters"]["message_id"] == message_id
    (row,) = inbox_rows(empty_engine)
    assert (row.status, row.attempts) == ("failed", 3)
    await asyncio.sleep(0.3)
    assert len(telegram.texts()) == 2  # given up: not retried any more


async def test_an_internal_failure_is_logged_and_the_user_told(chat, telegram, monkeypatch, caplog):
    def broken(*_args: Any) -> None:
        raise RuntimeError("a bug while formatting")

    monkeypatch.setattr("connectors.telegram_relay.reply_messages", broken)
    await chat.say("học phí")
    assert telegram.texts() == [texts.TELEGRAM_NO_ANSWER]
    assert "a bug while formatting" in caplog.text


async def test_messages_arriving_while_the_database_is_down_are_held_then_answered_in_order(
        chat, telegram, rasa, empty_engine):
    rasa[0].answer = lambda m: [{"text": f"Trả lời: {m}"}]
    with empty_engine.begin() as conn:  # the inbox cannot take messages
        conn.exec_driver_sql("ALTER TABLE inbound_messages RENAME TO inbound_messages_away")
    await chat.say("câu thứ nhất")
    await chat.say("câu thứ hai")
    assert telegram.texts() == [texts.TELEGRAM_BUSY] and rasa[0].messages() == []
    with empty_engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE inbound_messages_away RENAME TO inbound_messages")
    await eventually(lambda: len(telegram.texts()) == 3)
    assert telegram.texts()[1:] == ["Trả lời: câu thứ nhất", "Trả lời: câu thứ hai"]
    await eventually(lambda: [r.status for r in inbox_rows(empty_engine)] == ["done", "done"])


# --- rate limit --------------------------------------------------------------------------------

async def test_more_than_eight_messages_in_ten_seconds_get_a_polite_pause(chat, telegram, rasa):
    for i in range(10):
        await chat.say(f"câu hỏi số {i}")
    assert rasa[0].messages() == [f"câu hỏi số {i}" for i in range(8)]
    assert telegram.texts() == [ANSWER] * 8 + [texts.TELEGRAM_RATE_LIMITED]  # told once, not per message
    other = Chat(chat.app, chat_id=43)  # other users are not affected
    await other.say("học phí")
    assert telegram.texts(43) == [ANSWER]


# --- webhook mode and settings -----------------------------------------------------------------

async def test_webhook_mode_accepts_only_requests_with_the_secret_token(make_bot, telegram, rasa):
    port = free_port()
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": f"https://bot.example.vn/tg/hook",
           "TELEGRAM_WEBHOOK_SECRET": "s3cr3t_-token", "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
           "TELEGRAM_WEBHOOK_PORT": str(port)}
    options = webhook_options(settings_from_env(env, rasa[1]))
    app = await make_bot(rasa[1])
    await app.start()
    await app.updater.start_webhook(**options)
    try:
        (registered,) = telegram.called("setWebhook")
        assert registered["url"] == "https://bot.example.vn/tg/hook" and registered["secret_token"] == "s3cr3t_-token"
        update = {"update_id": 9001, "message": {"message_id": 1, "date": int(time.time()), "text": "học phí",
                                                 "chat": {"id": 42, "type": "private"},
                                                 "from": {"id": 42, "is_bot": False, "first_name": "Lan"}}}
        url = f"http://127.0.0.1:{port}/tg/hook"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as refused:
                assert refused.status == 403
            async with http.post(url, json=update, headers={TELEGRAM_SECRET_HEADER: "wrong"}) as refused:
                assert refused.status == 403
            async with http.post(url, json=update, headers={TELEGRAM_SECRET_HEADER: "s3cr3t_-token"}) as accepted:
                assert accepted.status == 200
        await eventually(lambda: telegram.texts() == [ANSWER])
        assert rasa[0].messages() == ["học phí"]
    finally:
        await app.updater.stop()
        await app.stop()


def test_settings_come_from_the_environment():
    polling = settings_from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, "http://127.0.0.1:5005/webhooks/rest/webhook",
                                LOCALITIES)
    assert polling.webhook_url is None and polling.rasa_url == "http://127.0.0.1:5005"
    assert polling.localities == LOCALITIES
    assert TOKEN not in repr(polling)  # never logged
    generated = webhook_options(settings_from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "RASA_URL": "http://rasa:5005",
                                                   "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram"}))
    assert generated["url_path"] == "telegram" and len(generated["secret_token"]) >= 32
    with pytest.raises(SystemExit):
        settings_from_env({})
    with pytest.raises(SystemExit):
        settings_from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "có dấu"})


# --- staff answers from the admin queue ---------------------------------------------------------

def queue_staff_answer(engine, chat_id: str, answer: str) -> int:
    from knowledge import follow_ups
    from knowledge.question_log import QuestionRecord, record_question
    qid = record_question(engine, QuestionRecord("telegram", f"telegram-{chat_id}", "Cho tôi gặp cán bộ", "ask_human",
                                                 [], False, handoff=True, address=chat_id), b"k")
    assert follow_ups.answer(engine, qid, answer, "Chị Hoa")
    return qid


async def test_a_staff_answer_waiting_in_the_outbox_reaches_the_chat_once(make_bot, telegram, rasa, empty_engine):
    await make_bot(rasa[1], outbox_interval_s=0.05)
    telegram.fail("sendMessage", 500, times=3)  # the first round fails: the answer stays queued
    queue_staff_answer(empty_engine, "4242", "Chị mang CCCD đến UBND phường nhé.")
    from knowledge.models import OutboundMessage

    def outbox_rows():
        with empty_engine.connect() as conn:
            return conn.execute(select(OutboundMessage.status, OutboundMessage.attempts)).all()

    await eventually(lambda: outbox_rows()[0][0] == "sent")
    assert outbox_rows() == [("sent", 1)]  # one failed round, then delivered
    [text] = telegram.texts(4242)
    assert text.startswith("Cán bộ trả lời câu hỏi của bạn «Cho tôi gặp cán bộ»") and text.endswith("phường nhé.")
    await asyncio.sleep(0.2)
    assert len(telegram.texts(4242)) == 1
