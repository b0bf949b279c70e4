"""Zalo delivery over real HTTP on loopback: staff answers sent as replies and stopped on permanent refusals,
buttons for staff and citizens, per-user order and resumption after a Rasa outage, and a connector killed with
sends in flight. The fakes (Zalo OpenAPI, Rasa's REST channel) are the aiohttp servers of test_zalo_webhook."""
from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import aiohttp
import pytest
from aiohttp import web

from bot.servers import free_port
from connectors import inbox
from connectors import platform_constants as P
from connectors.rasa_client import RasaClient
from connectors.zalo_webhook import create_app
from knowledge.accounts import add_account
from knowledge.db import transaction
from knowledge.models import Locality, OutboundMessage
from test_zalo_webhook import (APP_ID, APP_SECRET, OA_SECRET, USER, FakeRasa, FakeZalo, eventually, inbox_rows,
                               post_event, text_event, zalo_settings)

PROJECT = Path(__file__).resolve().parents[1]


class Rasa(FakeRasa):
    """The fake REST channel plus Rasa's root (``GET /``, "Hello from Rasa"), both down while ``down``."""

    def app(self) -> web.Application:
        app = super().app()
        app.add_routes([web.get("/", self.root)])
        return app

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(status=503) if self.down else web.Response(text="Hello from Rasa: 3.6.21")


class HoldingZalo(FakeZalo):
    """A Zalo OpenAPI that, while ``holding``, receives messages and answers them only once released (sends in
    flight); released, it answers to a connection nobody listens to any more."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.held: List[Dict[str, Any]] = []
        self.release = asyncio.Event()

    async def message(self, request: web.Request) -> web.Response:
        if self.holding:
            self.held.append(await request.json())
            await self.release.wait()
            return web.json_response({"error": 0, "message": "Success", "data": {"message_id": "held"}})
        return await super().message(request)


@pytest.fixture
async def zalo(aiohttp_server):
    fake = HoldingZalo()
    fake.server = await aiohttp_server(fake.app())
    return fake


@pytest.fixture
async def rasa(aiohttp_server):
    fake = Rasa()
    fake.server = await aiohttp_server(fake.app())
    return fake


@pytest.fixture
def start(aiohttp_client, tmp_path, empty_engine, zalo, rasa):
    """Start the webhook app against the fakes, Rasa's root probed; ``settings`` override ZaloSettings."""
    async def _start(**settings: Any):
        url = str(rasa.server.make_url(""))
        base = dataclasses.replace(zalo_settings(tmp_path, zalo), rasa_health_url=url + "/", rasa_probe_s=0.05)
        app = create_app(dataclasses.replace(base, **settings), empty_engine,
                         lambda session: RasaClient(url, session, timeout=5))
        return await aiohttp_client(app)
    return _start


def add_staff_answer(engine, address: str, text: str) -> int:
    """A staff answer queued for a Zalo user, as the admin queue queues it."""
    with transaction(engine) as session:
        row = OutboundMessage(channel="zalo", address=address, text=text, status="pending", attempts=0)
        session.add(row)
        session.flush()
        return row.id


def outbox_row(engine, row_id: int) -> OutboundMessage:
    with transaction(engine) as session:
        return session.get(OutboundMessage, row_id)


def stored_message(engine, msg_id: str, sender: str, hours_ago: float) -> None:
    """A citizen's message answered earlier, written ``hours_ago``."""
    stamp = int((time.time() - hours_ago * 3600) * 1000)
    row_id = inbox.store(engine, "zalo", msg_id, sender, "câu hỏi", {"kind": "text", "reply_to": msg_id,
                                                                       "timestamp_ms": stamp})
    inbox.mark_done(engine, row_id)


# --- staff answers (the admin queue's outbox) -----------------------------------------------------------------

async def test_a_staff_answer_replies_to_the_citizens_last_message_within_48_hours(start, zalo, empty_engine):
    stored_message(empty_engine, "m-earlier", USER, hours_ago=30)
    stored_message(empty_engine, "m-last", USER, hours_ago=20)
    stored_message(empty_engine, "m-long-ago", "555", hours_ago=72)
    recent = add_staff_answer(empty_engine, USER, "Cán bộ trả lời câu hỏi của bạn «BHYT»:\nAnh gọi phường nhé.")
    stale = add_staff_answer(empty_engine, "555", "Cán bộ trả lời câu hỏi của bạn «Học phí»:\nChị hỏi trường nhé.")
    await start()
    await eventually(lambda: outbox_row(empty_engine, stale).status == "sent")
    await eventually(lambda: outbox_row(empty_engine, recent).status == "sent")
    by_user = {b["recipient"]["user_id"]: b["recipient"] for b in zalo.sent}
    assert by_user[USER] == {"user_id": USER, "message_id": "m-last"}  # a free customer-service reply
    assert by_user["555"] == {"user_id": "555"}  # beyond the window a reply to it would be proactive anyway


@pytest.mark.parametrize("code", [-230, -213, -201])
async def test_a_staff_answer_refused_for_good_fails_with_its_reason_while_one_meeting_an_outage_is_retried(
        start, zalo, empty_engine, caplog, code):
    caplog.set_level(logging.WARNING)
    zalo.script = [code, 500, 500, 500]  # the first answer is refused; the second meets a round of HTTP 500
    refused = add_staff_answer(empty_engine, USER, "Cán bộ trả lời câu hỏi của bạn «BHYT»:\nĐã có kết quả.")
    delayed = add_staff_answer(empty_engine, "555", "Cán bộ trả lời câu hỏi của bạn «Học phí»:\nĐã có kết quả.")
    await start()
    await eventually(lambda: outbox_row(empty_engine, delayed).status == "sent")
    await asyncio.sleep(0.3)  # several sweeps more
    row = outbox_row(empty_engine, refused)
    assert row.status == "failed" and f"Zalo error {code}: {P.ZALO_ERROR_REASONS[code]}" in row.last_error
    assert [c["body"]["recipient"]["user_id"] for c in zalo.calls].count(USER) == 1  # not retried
    assert f"staff answer {refused} refused for good" in caplog.text
    retried = outbox_row(empty_engine, delayed)
    assert retried.attempts == 1 and "HTTP 500" in retried.last_error
    assert [b["recipient"]["user_id"] for b in zalo.sent] == ["555"]


# --- buttons ----------------------------------------------------------------------------------------------------

async def test_staff_relays_carry_no_buttons_that_would_act_on_the_clerks_own_conversation(start, zalo, rasa,
                                                                                           empty_engine):
    add_account(empty_engine, "Nguyễn Thị Lan", "staff", zalo_id=USER, locality_key="da-nang")
    rasa.answer = lambda text: [{"text": "Hộ cận nghèo được hỗ trợ 70% mệnh giá thẻ BHYT.",
                                 "buttons": [{"title": "Xem thêm", "payload": "/more"},
                                             {"title": "Gặp cán bộ", "payload": "/ask_human"}]}]
    client = await start()
    await post_event(client, text_event("hộ cận nghèo có được hỗ trợ BHYT không", "m-staff-buttons"))
    await eventually(lambda: zalo.sent)
    [sent] = zalo.sent
    assert sent["message"] == {"text": "Trả lời để chuyển cho người dân:\n"
                                       "Hộ cận nghèo được hỗ trợ 70% mệnh giá thẻ BHYT."}


async def test_a_tapped_button_shows_a_phrase_and_reaches_rasa_as_its_intent(start, zalo, rasa, empty_engine):
    with transaction(empty_engine) as session:
        session.add(Locality(key="da-nang", name="Thành phố Đà Nẵng", level="city", province="Đà Nẵng"))
    rasa.answer = lambda text: [{"text": "Bạn ở đâu?", "buttons": [
        {"title": "Thành phố Đà Nẵng", "payload": '/choose_locality{"locality": "Thành phố Đà Nẵng"}'},
        {"title": "Xem thêm", "payload": "/more"}, {"title": "Gặp cán bộ", "payload": "/ask_human"}]}]
    client = await start()
    await post_event(client, text_event("BHYT hộ nghèo", "m-ask"))
    await eventually(lambda: zalo.sent)
    buttons = zalo.sent[0]["message"]["attachment"]["payload"]["buttons"]
    assert [b["payload"] for b in buttons] == ["Tôi ở Thành phố Đà Nẵng", "Xem thêm", "Gặp cán bộ"]
    # Zalo posts each tapped payload as the user's text message.
    for i, button in enumerate(buttons):
        await post_event(client, text_event(button["payload"], f"m-tap-{i}"))
    await eventually(lambda: len(rasa.received) == 4)
    assert [r["message"] for r in rasa.received[1:]] == [
        '/choose_locality{"locality": "Thành phố Đà Nẵng"}', "/more", "/ask_human"]
    # What the citizen wrote is kept as written.
    assert [r.text for r in inbox_rows(empty_engine)][1:] == ["Tôi ở Thành phố Đà Nẵng", "Xem thêm", "Gặp cán bộ"]


# --- order and resumption after a Rasa outage -------------------------------------------------------------------

async def test_answering_resumes_within_seconds_of_rasas_return_not_at_each_messages_backoff(start, zalo, rasa):
    rasa.down = True
    client = await start(retry_base_s=30.0, retry_max_s=600.0)  # a message's own next try: 30 s later
    await post_event(client, text_event("Người có công", "m-outage"))
    await asyncio.sleep(0.5)
    assert zalo.sent == []
    rasa.down = False
    back = time.monotonic()
    await eventually(lambda: zalo.sent, timeout=10)
    assert time.monotonic() - back < 2.0  # its own backoff would have waited 30 s
    assert zalo.texts_to() == ["Về 'Người có công': xem mục 2."]


async def test_after_a_long_rasa_outage_each_users_messages_are_answered_oldest_first(start, zalo, rasa,
                                                                                    empty_engine):
    rasa.down = True
    client = await start(retry_base_s=0.05, retry_max_s=2.0)
    await post_event(client, text_event("câu 1", "m-first"))
    await eventually(lambda: inbox_rows(empty_engine)[0].attempts >= 5)  # its own backoff has grown
    await post_event(client, text_event("câu 2", "m-second"))
    await post_event(client, text_event("câu của B", "m-other", sender="777"))
    await eventually(lambda: inbox_rows(empty_engine)[2].attempts >= 1)
    await asyncio.sleep(0.2)  # the newer messages' own backoffs stay short
    rasa.down = False
    await eventually(lambda: len(zalo.sent) == 3, timeout=10)
    assert zalo.texts_to() == ["Về 'câu 1': xem mục 2.", "Về 'câu 2': xem mục 2."]
    assert [r["message"] for r in rasa.received if r["sender"] == f"zalo-{USER}"] == ["câu 1", "câu 2"]


# --- a connector killed with sends in flight --------------------------------------------------------------------

def connector_env(tmp_path: Path, zalo: FakeZalo, rasa: FakeRasa, database: str) -> Dict[str, str]:
    base = str(zalo.server.make_url("")).rstrip("/")
    return {**os.environ, "DATABASE_URL": database, "BOT_VAR_DIR": str(tmp_path / "var"),
            "ZALO_OA_SECRET_KEY": OA_SECRET, "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET,
            "ZALO_OA_ACCESS_TOKEN": "access-1", "ZALO_OA_REFRESH_TOKEN": "refresh-1", "ZALO_API_BASE": base,
            "ZALO_OAUTH_BASE": base, "RASA_URL": str(rasa.server.make_url("")).rstrip("/")}


async def test_a_send_in_flight_when_the_connector_is_killed_is_not_repeated_after_restart(
        aiohttp_client, tmp_path, empty_engine, zalo, rasa, caplog):
    long_answer = "\n".join(f"{i}. Hộ nghèo được hỗ trợ 100% mệnh giá thẻ bảo hiểm y tế. " * 3 for i in range(15))
    rasa.answer = lambda text: [{"text": long_answer if text == "BHYT" else f"Về '{text}': xem mục 2."}]
    zalo.holding = True
    port = free_port()
    log_file = (tmp_path / "connector.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "connectors.zalo_main", "--port", str(port)], cwd=PROJECT,
                               env=connector_env(tmp_path, zalo, rasa, str(empty_engine.url)),
                               stdout=log_file, stderr=subprocess.STDOUT)
    try:
        async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:  # the process imports for a few seconds before it listens
                try:
                    response = await post_event(client, text_event("BHYT", "m-long"))
                    break
                except aiohttp.ClientConnectionError:
                    assert time.monotonic() < deadline, "the connector did not start"
                    await asyncio.sleep(0.2)
            assert response.status == 200
            assert (await post_event(client, text_event("Học phí", "m-short", sender="777"))).status == 200
            await eventually(lambda: len(zalo.held) == 2, timeout=20)  # each user's first send is on its way
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        log_file.close()
        zalo.release.set()
    assert {r.external_id: r.status for r in inbox_rows(empty_engine)} == {"m-long": "sending", "m-short": "sending"}
    asked = len(rasa.received)
    parts = [b["message"]["text"] for b in zalo.held if b["recipient"]["user_id"] == USER]

    zalo.holding = False
    caplog.set_level(logging.WARNING)
    app = create_app(zalo_settings(tmp_path, zalo), empty_engine,
                     lambda session: RasaClient(str(rasa.server.make_url("")), session, timeout=5))
    await aiohttp_client(app)
    await eventually(lambda: [r.status for r in inbox_rows(empty_engine)] == ["done", "done"])
    await asyncio.sleep(0.3)
    # The part that may have gone out is not sent again; the part that surely did not is; Rasa is not asked again.
    assert len(rasa.received) == asked
    [rest] = zalo.sent
    assert rest["recipient"] == {"user_id": USER, "message_id": "m-long"}
    assert " ".join(parts + [rest["message"]["text"]]).split() == long_answer.split()
    assert "may have reached the user" in caplog.text
    rows = {r.external_id: r for r in inbox_rows(empty_engine)}
    assert "may not have been delivered" in rows["m-short"].last_error
    assert "part 1 of 2" in rows["m-long"].last_error

