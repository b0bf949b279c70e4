"""The Zalo webhook end to end over real HTTP on loopback: a fake Zalo OpenAPI (messages and OAuth) and a fake
Rasa REST server, both aiohttp apps recording what they receive."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
from aiohttp import web
from sqlalchemy import select

from connectors import channel_texts as T
from connectors import inbox
from connectors.rasa_client import RasaClient
from connectors.zalo_api import ZaloApiSettings
from connectors.zalo_main import rasa_base_url, settings_from_env
from connectors.zalo_signature import compute_mac
from connectors.zalo_webhook import ZaloSettings, create_app
from knowledge.accounts import add_account
from knowledge.db import transaction
from knowledge.models import InboundMessage

APP_ID = "2553928453557884079"
OA_SECRET = "oa-secret-key-xyz"
APP_SECRET = "app-secret-abc"
USER = "8412345"


class FakeZalo:
    """Zalo's OpenAPI: ``message/cs`` accepts only the current access token; the OAuth endpoint rotates the
    pair (refresh tokens are single-use). ``script`` holds answers to give first: an HTTP status (500, 429)
    or a Zalo error code (-216, -230)."""

    def __init__(self) -> None:
        self.access, self.refresh = "access-1", "refresh-1"
        self.calls: List[Dict[str, Any]] = []
        self.sent: List[Dict[str, Any]] = []
        self.refreshes: List[Dict[str, str]] = []
        self.script: List[int] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.post("/v3.0/oa/message/cs", self.message), web.post("/v4/oa/access_token", self.token)])
        return app

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        token = request.headers.get("access_token")
        self.calls.append({"token": token, "body": body})
        if self.script:
            step = self.script.pop(0)
            if step > 0:
                return web.Response(status=step, text="busy", headers={"Retry-After": "0"} if step == 429 else {})
            return web.json_response({"error": step, "message": f"error {step}"})
        if token != self.access:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        self.sent.append(body)
        data = {"message_id": f"oa-{len(self.sent)}", "user_id": body["recipient"]["user_id"]}
        return web.json_response({"error": 0, "message": "Success", "data": data})

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.refreshes.append({"secret_key": request.headers.get("secret_key", ""), **form})
        await asyncio.sleep(0.05)  # a slow refresh: concurrent callers must wait, not refresh again
        if request.headers.get("secret_key") != APP_SECRET or form.get("refresh_token") != self.refresh \
                or form.get("app_id") != APP_ID or form.get("grant_type") != "refresh_token":
            return web.json_response({"error": -14014, "error_name": "Invalid refresh token"})
        n = len(self.refreshes) + 1
        self.access, self.refresh = f"access-{n}", f"refresh-{n}"
        return web.json_response({"access_token": self.access, "refresh_token": self.refresh, "expires_in": "90000"})

    def texts_to(self, user: str = USER) -> List[str]:
        return [b["message"]["text"] for b in self.sent if b["recipient"]["user_id"] == user]


class FakeRasa:
    """Rasa's REST channel; ``answer(message) -> [replies]``; ``down`` makes it answer 503."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.down = False
        self.answer: Callable[[str], List[Dict[str, Any]]] = lambda text: [{"text": f"Về '{text}': xem mục 2."}]

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.post("/webhooks/rest/webhook", self.webhook)])
        return app

    async def webhook(self, request: web.Request) -> web.Response:
        if self.down:
            return web.Response(status=503)
        body = await request.json()
        self.received.append(body)
        return web.json_response([{"recipient_id": body["sender"], **r} for r in self.answer(body["message"])])


@pytest.fixture
async def zalo(aiohttp_server):
    fake = FakeZalo()
    fake.server = await aiohttp_server(fake.app())
    return fake


@pytest.fixture
async def rasa(aiohttp_server):
    fake = FakeRasa()
    fake.server = await aiohttp_server(fake.app())
    return fake


def zalo_settings(tmp_path: Path, zalo: FakeZalo, access: str = "access-1", refresh: str = "refresh-1",
                  max_age: float = 600, sweep: float = 0.05) -> ZaloSettings:
    base = str(zalo.server.make_url(""))
    api = ZaloApiSettings(app_id=APP_ID, app_secret=APP_SECRET, token_file=tmp_path / "zalo_tokens.json",
                          access_token=access, refresh_token=refresh, api_base=base, oauth_base=base,
                          timeout_s=5, attempts=3, retry_delay_s=0.01)
    return ZaloSettings(oa_secret_key=OA_SECRET, api=api, late_event_s=max_age, sweep_interval_s=sweep,
                        retry_base_s=0.05, retry_max_s=0.2)


@pytest.fixture
def start(aiohttp_client, tmp_path, empty_engine, zalo, rasa):
    """Start the webhook app (again, for a restart) against the fakes."""
    async def _start(rasa_url: str = None, **kwargs):
        url = rasa_url or str(rasa.server.make_url(""))
        app = create_app(zalo_settings(tmp_path, zalo, **kwargs), empty_engine,
                         lambda session: RasaClient(url, session, timeout=5))
        return await aiohttp_client(app)
    return _start


def now_ms() -> str:
    return str(int(time.time() * 1000))


def text_event(text: str, msg_id: str, sender: str = USER, timestamp: str = None) -> Dict[str, Any]:
    return {"event_name": "user_send_text", "app_id": APP_ID, "sender": {"id": sender},
            "recipient": {"id": "579745863508352884"}, "message": {"text": text, "msg_id": msg_id},
            "timestamp": timestamp or now_ms(), "user_id_by_app": "979122185046046317"}


def attachment_event(name: str, kind: str, msg_id: str) -> Dict[str, Any]:
    return {"event_name": name, "app_id": APP_ID, "sender": {"id": USER}, "recipient": {"id": "579745863508352884"},
            "message": {"msg_id": msg_id, "attachments": [{"type": kind, "payload": {"url": "https://z/x.png"}}]},
            "timestamp": now_ms()}


async def post_event(client, event: Dict[str, Any], secret: str = OA_SECRET, body: bytes = None):
    body = body if body is not None else json.dumps(event, ensure_ascii=False).encode("utf-8")
    mac = compute_mac(str(event.get("app_id", "")), body, str(event.get("timestamp", "")), secret)
    return await client.post("/webhooks/zalo", data=body,
                             headers={"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"})


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def inbox_rows(engine) -> List[InboundMessage]:
    with transaction(engine) as session:
        return list(session.execute(select(InboundMessage).order_by(InboundMessage.id)).scalars())


# --- answering ----------------------------------------------------------------------------------------------

async def test_text_message_is_answered_as_a_reply_with_quick_reply_buttons(start, zalo, rasa, empty_engine):
    rasa.answer = lambda text: [{"text": "Bạn ở tỉnh, thành phố nào?",
                                 "buttons": [{"title": "Đà Nẵng", "payload": "/choose_locality{\"locality\": \"Đà Nẵng\"}"},
                                             {"title": "TP. Hồ Chí Minh", "payload": "TP. Hồ Chí Minh"}]}]
    client = await start()
    response = await post_event(client, text_event("Cho tôi hỏi về BHYT", "cb31dff1c39642cc1b83"))
    assert response.status == 200
    await eventually(lambda: zalo.sent)
    [sent] = zalo.sent
    assert sent["recipient"] == {"user_id": USER, "message_id": "cb31dff1c39642cc1b83"}
    assert sent["message"]["text"] == "Bạn ở tỉnh, thành phố nào?"
    assert sent["message"]["attachment"] == {"type": "template", "payload": {"buttons": [
        {"title": "Đà Nẵng", "type": "oa.query.show", "payload": "Tôi ở Đà Nẵng"},
        {"title": "TP. Hồ Chí Minh", "type": "oa.query.show", "payload": "TP. Hồ Chí Minh"}]}}
    assert zalo.calls[0]["token"] == "access-1"
    assert rasa.received == [{"sender": f"zalo-{USER}", "message": "Cho tôi hỏi về BHYT",
                              "metadata": {"channel": "zalo", "address": USER}}]
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "done")
    assert inbox_rows(empty_engine)[0].external_id == "cb31dff1c39642cc1b83"


async def test_message_is_stored_before_the_webhook_answers(start, rasa, empty_engine):
    rasa.down = True
    client = await start()
    assert (await post_event(client, text_event("Học phí", "m-stored"))).status == 200
    [row] = inbox_rows(empty_engine)
    assert (row.channel, row.external_id, row.sender, row.text) == ("zalo", "m-stored", USER, "Học phí")


async def test_one_users_messages_are_answered_in_order(start, zalo, rasa):
    client = await start()
    for i in range(3):
        assert (await post_event(client, text_event(f"câu {i}", f"m-order-{i}"))).status == 200
    await eventually(lambda: len(zalo.sent) == 3)
    assert zalo.texts_to() == [f"Về 'câu {i}': xem mục 2." for i in range(3)]


async def test_a_long_reply_is_split_at_2000_characters(start, zalo, rasa):
    answer = "\n".join(f"{i}. Hộ nghèo được hỗ trợ 100% mệnh giá thẻ bảo hiểm y tế theo quy định. " * 3
                       for i in range(25))
    rasa.answer = lambda text: [{"text": answer, "buttons": [{"title": "Hữu ích", "payload": "/feedback_good"}]}]
    client = await start()
    await post_event(client, text_event("BHYT hộ nghèo", "m-long"))
    await eventually(lambda: len(zalo.sent) >= 3 and "attachment" in zalo.sent[-1]["message"])
    assert all(len(b["message"]["text"]) <= 2000 for b in zalo.sent)
    assert all(b["recipient"]["message_id"] == "m-long" for b in zalo.sent)
    assert " ".join(zalo.texts_to()).split() == answer.split()
    assert ["attachment" in b["message"] for b in zalo.sent] == [False] * (len(zalo.sent) - 1) + [True]


async def test_registered_staff_get_the_answer_in_relay_form(start, zalo, rasa, empty_engine):
    staff_id = add_account(empty_engine, "Nguyễn Thị Lan", "staff", zalo_id=USER, locality_key="da-nang")
    rasa.answer = lambda text: [{"text": "Hộ cận nghèo được hỗ trợ 70% mệnh giá thẻ BHYT."},
                                {"text": "Nguồn: KH-123 mục II.1. Liên hệ: Sở Y tế Đà Nẵng."}]
    client = await start()
    await post_event(client, text_event("hộ cận nghèo có được hỗ trợ BHYT không", "m-staff"))
    await eventually(lambda: zalo.sent)
    [message] = zalo.texts_to()
    assert message == ("Trả lời để chuyển cho người dân:\nHộ cận nghèo được hỗ trợ 70% mệnh giá thẻ BHYT.\n\n"
                       "Nguồn: KH-123 mục II.1. Liên hệ: Sở Y tế Đà Nẵng.")
    [asked] = rasa.received
    assert asked["metadata"] == {"channel": "zalo", "address": USER, "forwarded_by": "Nguyễn Thị Lan"}
    assert asked["sender"] == f"zalo-fwd-{staff_id}-{USER}"


# --- what is refused or ignored -----------------------------------------------------------------------------

async def test_bad_or_missing_signature_is_refused_and_nothing_stored(start, zalo, rasa, empty_engine):
    client = await start()
    event = text_event("Cho tôi hỏi", "m-forged")
    assert (await post_event(client, event, secret="wrong-key")).status == 401
    assert (await post_event(client, event, secret=APP_SECRET)).status == 401  # the app secret is not the key
    body = json.dumps(event).encode()
    unsigned = await client.post("/webhooks/zalo", data=body)
    assert unsigned.status == 401
    tampered = json.dumps(text_event("Cho tôi hỏi!", "m-forged", timestamp=event["timestamp"])).encode()
    mac = compute_mac(APP_ID, body, event["timestamp"], OA_SECRET)
    replayed = await client.post("/webhooks/zalo", data=tampered, headers={"X-ZEvent-Signature": f"mac={mac}"})
    assert replayed.status == 401
    await asyncio.sleep(0.1)
    assert inbox_rows(empty_engine) == [] and rasa.received == [] and zalo.calls == []


async def test_a_correctly_signed_late_delivery_is_kept_answered_once_and_logged(start, zalo, rasa, empty_engine,
                                                                                caplog):
    caplog.set_level(logging.INFO, logger="connectors.zalo_webhook")
    client = await start(max_age=600)
    half_an_hour_ago = str(int((time.time() - 30 * 60) * 1000))
    late = text_event("Chính sách học phí", "m-late", timestamp=half_an_hour_ago)
    assert (await post_event(client, late)).status == 200
    await eventually(lambda: zalo.sent)
    assert zalo.sent[0]["recipient"] == {"user_id": USER, "message_id": "m-late"}
    assert "late delivery" in caplog.text
    # Zalo (or anyone holding the signed body) delivering it again: acknowledged, not answered twice.
    assert (await post_event(client, late)).status == 200
    await asyncio.sleep(0.2)
    assert len(zalo.sent) == 1 and [r["message"] for r in rasa.received] == ["Chính sách học phí"]
    assert [(r.external_id, r.status) for r in inbox_rows(empty_engine)] == [("m-late", "done")]
    # Age is no excuse for a bad signature, and a bad signature is no staleness.
    forged = text_event("Chính sách học phí", "m-late-forged", timestamp=half_an_hour_ago)
    response = await post_event(client, forged, secret="wrong-key")
    assert response.status == 401 and (await response.json()) == {"error": "invalid signature"}
    assert [r.external_id for r in inbox_rows(empty_engine)] == ["m-late"]


async def test_an_event_stamped_in_the_future_is_kept_and_the_clock_questioned(start, zalo, empty_engine, caplog):
    caplog.set_level(logging.WARNING, logger="connectors.zalo_webhook")
    client = await start(max_age=600)
    future = str(int((time.time() + 11 * 60) * 1000))
    assert (await post_event(client, text_event("tương lai", "m-future", timestamp=future))).status == 200
    await eventually(lambda: zalo.sent)
    assert "in the future" in caplog.text


async def test_malformed_json_is_refused_with_400(start, empty_engine):
    client = await start()
    response = await client.post("/webhooks/zalo", data=b'{"event_name": "user_send_text", "app_id": ',
                                 headers={"X-ZEvent-Signature": "mac=00"})
    assert response.status == 400
    no_message = text_event("x", "m-bad")
    del no_message["message"]
    assert (await post_event(client, no_message)).status == 400
    assert inbox_rows(empty_engine) == []


async def test_unknown_event_is_acknowledged_logged_and_not_answered(start, zalo, rasa, caplog):
    client = await start()
    caplog.set_level(logging.INFO, logger="connectors.zalo_webhook")
    unknown = {"event_name": "user_reacted_message", "app_id": APP_ID, "sender": {"id": USER}, "timestamp": now_ms()}
    assert (await post_event(client, unknown)).status == 200
    assert "user_reacted_message" in caplog.text
    await post_event(client, text_event("xin chào", "m-after-unknown"))
    await eventually(lambda: zalo.sent)
    assert zalo.texts_to() == ["Về 'xin chào': xem mục 2."] and len(rasa.received) == 1


async def test_the_oas_own_echoed_messages_are_ignored(start, zalo, rasa, empty_engine):
    client = await start()
    echo = {"event_name": "oa_send_text", "app_id": APP_ID, "sender": {"id": "579745863508352884", "admin_id": "9"},
            "recipient": {"id": USER}, "message": {"text": "Chào bạn", "msg_id": "oa-echo-1"}, "timestamp": now_ms()}
    assert (await post_event(client, echo)).status == 200
    seen = {"event_name": "user_seen_message", "app_id": APP_ID, "sender": {"id": USER}, "timestamp": now_ms(),
            "message": {"msg_ids": ["oa-1"]}}
    assert (await post_event(client, seen)).status == 200
    await post_event(client, text_event("hỏi", "m-after-echo"))
    await eventually(lambda: zalo.sent)
    assert zalo.texts_to() == ["Về 'hỏi': xem mục 2."]
    assert [r.external_id for r in inbox_rows(empty_engine)] == ["m-after-echo"]


@pytest.mark.parametrize("name, kind", [("user_send_image", "image"), ("user_send_sticker", "sticker"),
                                        ("user_send_audio", "audio")])
async def test_attachments_get_a_polite_text_only_reply(start, zalo, rasa, name, kind):
    client = await start()
    assert (await post_event(client, attachment_event(name, kind, f"m-{kind}"))).status == 200
    await eventually(lambda: zalo.sent)
    [sent] = zalo.sent
    assert sent["message"] == {"text": T.ZALO_TEXT_ONLY}
    assert "chữ" in sent["message"]["text"]
    assert sent["recipient"] == {"user_id": USER, "message_id": f"m-{kind}"}
    assert rasa.received == []


async def test_a_new_follower_is_greeted_and_unfollow_gets_nothing(start, zalo):
    client = await start()
    follow = {"event_name": "follow", "app_id": APP_ID, "oa_id": "579745863508352884", "follower": {"id": "777"},
              "source": "oa_profile", "timestamp": now_ms()}
    assert (await post_event(client, follow)).status == 200
    assert (await post_event(client, follow)).status == 200  # a redelivery greets once
    assert (await post_event(client, {**follow, "event_name": "unfollow", "timestamp": now_ms()})).status == 200
    await post_event(client, text_event("chào", "m-after-follow"))
    await eventually(lambda: len(zalo.sent) == 2)
    assert zalo.texts_to("777") == [T.ZALO_FOLLOW_GREETING]
    assert zalo.sent[0]["recipient"] == {"user_id": "777"}


async def test_a_redelivered_message_is_acknowledged_and_answered_once(start, zalo, rasa, empty_engine):
    client = await start()
    event = text_event("Nhà ở xã hội", "m-dup")
    responses = await asyncio.gather(*(post_event(client, event) for _ in range(3)))
    assert [r.status for r in responses] == [200, 200, 200]
    await eventually(lambda: zalo.sent)
    assert (await post_event(client, event)).status == 200
    await post_event(client, text_event("tiếp", "m-dup-next"))
    await eventually(lambda: len(zalo.sent) == 2)
    assert [r["message"] for r in rasa.received] == ["Nhà ở xã hội", "tiếp"]
    assert len(inbox_rows(empty_engine)) == 2


async def test_an_eager_sweeper_never_answers_a_message_twice(start, zalo, rasa):
    client = await start(sweep=0.001)
    for i in range(40):
        await post_event(client, text_event(f"câu {i}", f"m-eager-{i}", sender=f"user-{i % 4}"))
    await eventually(lambda: len(zalo.sent) == 40)
    await asyncio.sleep(0.3)
    assert len(zalo.sent) == 40 and len(rasa.received) == 40


async def test_messages_arriving_together_are_each_answered_once_in_each_users_order(start, zalo, rasa,
                                                                                     empty_engine):
    client = await start(sweep=0.001)
    events = [text_event(f"câu {i}", f"m-burst-{i}", sender=f"user-{i % 5}") for i in range(50)]
    responses = await asyncio.gather(*(post_event(client, event) for event in events))
    assert [r.status for r in responses] == [200] * 50
    await eventually(lambda: len(zalo.sent) == 50)
    await asyncio.sleep(0.3)
    assert len(zalo.sent) == 50 and sorted(r["message"] for r in rasa.received) == sorted(f"câu {i}" for i in range(50))
    for user in (f"user-{u}" for u in range(5)):
        stored = [row.text for row in inbox_rows(empty_engine) if row.sender == user]
        assert zalo.texts_to(user) == [f"Về '{text}': xem mục 2." for text in stored]

# --- the OA API misbehaving ---------------------------------------------------------------------------------

async def test_an_expired_token_is_refreshed_persisted_and_the_reply_retried(start, zalo, tmp_path, caplog,
                                                                            empty_engine):
    caplog.set_level(logging.DEBUG)
    client = await start(access="access-expired")
    await post_event(client, text_event("BHYT", "m-216"))
    await eventually(lambda: zalo.sent)
    assert [c["token"] for c in zalo.calls] == ["access-expired", "access-2"]
    assert zalo.refreshes == [{"secret_key": APP_SECRET, "refresh_token": "refresh-1", "app_id": APP_ID,
                               "grant_type": "refresh_token"}]
    saved = json.loads((tmp_path / "zalo_tokens.json").read_text())
    assert (saved["access_token"], saved["refresh_token"]) == ("access-2", "refresh-2")
    assert (tmp_path / "zalo_tokens.json").stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".zalo-tokens-")] == []
    for secret in ("access-expired", "access-2", "refresh-1", "refresh-2", APP_SECRET, OA_SECRET):
        assert secret not in caplog.text
    # Restarted once the answer is recorded (stopped between sending and recording, it would be sent again).
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "done")
    await client.close()
    # After a restart the saved pair is used: the spent configured tokens are not tried again.
    client = await start(access="access-expired", refresh="refresh-1")
    await post_event(client, text_event("học phí", "m-after-restart"))
    await eventually(lambda: len(zalo.sent) == 2)
    assert zalo.calls[-1]["token"] == "access-2" and len(zalo.refreshes) == 1


async def test_simultaneous_expiries_refresh_only_once(start, zalo):
    client = await start(access="access-expired")
    await asyncio.gather(*(post_event(client, text_event("hỏi", f"m-c{i}", sender=f"user-{i}")) for i in range(4)))
    await eventually(lambda: len(zalo.sent) == 4)
    assert len(zalo.refreshes) == 1


async def test_a_refused_refresh_keeps_the_message_pending_and_logged(start, zalo, empty_engine, caplog):
    caplog.set_level(logging.WARNING)
    client = await start(access="access-expired", refresh="refresh-revoked")
    await post_event(client, text_event("BHYT", "m-revoked"))
    await eventually(lambda: (inbox_rows(empty_engine)[0].last_error or "").startswith("token refresh refused"))
    assert inbox_rows(empty_engine)[0].status == "pending" and zalo.sent == []
    assert "refresh refused" in caplog.text and "refresh-revoked" not in caplog.text


@pytest.mark.parametrize("status", [500, 429])
async def test_a_server_error_or_rate_limit_is_retried_and_logged(start, zalo, caplog, status):
    caplog.set_level(logging.WARNING)
    zalo.script = [status]
    client = await start()
    await post_event(client, text_event("BHYT", f"m-{status}"))
    await eventually(lambda: zalo.sent)
    assert len(zalo.calls) == 2 and f"HTTP {status}" in caplog.text


async def test_zalo_down_keeps_the_message_pending_then_delivers_without_asking_rasa_again(start, zalo, rasa,
                                                                                         empty_engine):
    zalo.script = [500, 500, 500]  # every attempt of the first round
    client = await start()
    await post_event(client, text_event("BHYT", "m-down"))
    await eventually(lambda: inbox_rows(empty_engine)[0].attempts >= 1)
    assert "HTTP 500" in inbox_rows(empty_engine)[0].last_error
    await eventually(lambda: zalo.sent)
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "done")
    assert len(rasa.received) == 1 and zalo.texts_to() == ["Về 'BHYT': xem mục 2."]


async def test_an_unreachable_user_is_recorded_as_failed_not_dropped(start, zalo, empty_engine, caplog):
    caplog.set_level(logging.ERROR)
    zalo.script = [-230]
    client = await start()
    await post_event(client, text_event("BHYT", "m-230"))
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "failed")
    assert "-230" in inbox_rows(empty_engine)[0].last_error and "-230" in caplog.text
    await asyncio.sleep(0.2)
    assert len(zalo.calls) == 1  # not retried: the user cannot be reached


# --- Rasa unavailable, restarts -----------------------------------------------------------------------------

async def test_rasa_down_keeps_the_message_pending_until_it_is_back(start, zalo, rasa, empty_engine):
    rasa.down = True
    client = await start()
    assert (await post_event(client, text_event("Người có công", "m-rasa-down"))).status == 200
    await eventually(lambda: inbox_rows(empty_engine)[0].attempts >= 2)
    assert inbox_rows(empty_engine)[0].status == "pending" and zalo.calls == []
    rasa.down = False
    await eventually(lambda: zalo.sent)
    assert zalo.texts_to() == ["Về 'Người có công': xem mục 2."]
    await eventually(lambda: inbox_rows(empty_engine)[0].status == "done")


async def test_pending_messages_are_answered_after_a_restart(start, zalo, rasa, empty_engine, unused_tcp_port):
    client = await start(rasa_url=f"http://127.0.0.1:{unused_tcp_port}")  # nothing listens there
    await post_event(client, text_event("Giảm nghèo", "m-restart"))
    await eventually(lambda: inbox_rows(empty_engine)[0].attempts >= 1)
    await client.close()
    # A crash mid-processing leaves a message pending too.
    inbox.store(empty_engine, "zalo", "m-crashed", "999", "Việc làm", {"kind": "text", "reply_to": "m-crashed"})
    await start()
    await eventually(lambda: len(zalo.sent) == 2)
    assert sorted(b["recipient"]["message_id"] for b in zalo.sent) == ["m-crashed", "m-restart"]
    await eventually(lambda: [r.status for r in inbox_rows(empty_engine)] == ["done", "done"])


# --- settings -----------------------------------------------------------------------------------------------

def test_settings_come_from_the_environment_with_zalo_defaults(tmp_path):
    env = {"ZALO_OA_SECRET_KEY": "key-SECRET", "ZALO_APP_ID": "1", "ZALO_APP_SECRET": "app-SECRET",
           "ZALO_OA_ACCESS_TOKEN": "access-SECRET", "ZALO_OA_REFRESH_TOKEN": "refresh-SECRET"}
    settings = settings_from_env(env, tmp_path)
    assert settings.api.api_base == "https://openapi.zalo.me"
    assert settings.api.oauth_base == "https://oauth.zaloapp.com"
    assert settings.api.token_file == tmp_path / "zalo_tokens.json"
    assert "SECRET" not in repr(settings)  # settings may be logged
    with pytest.raises(SystemExit, match="ZALO_APP_SECRET"):
        settings_from_env({"ZALO_OA_SECRET_KEY": "k", "ZALO_APP_ID": "1"}, tmp_path)
    assert settings.rasa_health_url == "http://127.0.0.1:5005/"  # Rasa's root, probed while Rasa is down
    assert rasa_base_url({"RASA_URL": "http://r:5005/webhooks/rest/webhook"}) == "http://r:5005"
    assert rasa_base_url({}) == "http://127.0.0.1:5005"


async def test_a_staff_answer_waiting_in_the_outbox_reaches_the_zalo_user(start, zalo, empty_engine):
    from knowledge import follow_ups
    from knowledge.models import OutboundMessage
    from knowledge.question_log import QuestionRecord, record_question
    qid = record_question(empty_engine, QuestionRecord("zalo", f"zalo-{USER}", "Gặp cán bộ", "ask_human", [], False,
                                                       handoff=True, address=USER), b"k")
    assert follow_ups.answer(empty_engine, qid, "Anh gọi số đường dây nóng của phường nhé.", "Lan")
    await start()

    def statuses():
        with empty_engine.connect() as conn:
            return conn.execute(select(OutboundMessage.status)).scalars().all()

    await eventually(lambda: statuses() == ["sent"])
    assert zalo.texts_to(USER) == ["Cán bộ trả lời câu hỏi của bạn «Gặp cán bộ»:\n"
                                   "Anh gọi số đường dây nóng của phường nhé."]
