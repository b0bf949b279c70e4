"""The admin web in a real browser (Debian's Chromium driven by Playwright, headless) against the whole
assistant on loopback: Rasa, the action server, the web chat, the admin web and the Telegram connector,
which talks to a fake Bot API server."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from aiohttp import web
from playwright.sync_api import expect, sync_playwright

from admin.passwords import hash_password
from bot.conversation import send
from bot.servers import Stack, free_port, wait_http
from config.settings import Settings
from fake_telegram import TOKEN, FakeTelegram
from knowledge.accounts import add_account
from knowledge.db import make_engine

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Chromium on a closed network: no background connections, no sandbox as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
ADMIN_PASSWORD = "mat-khau-quan-tri-1"
STAFF_PASSWORD = "mat-khau-can-bo-22"
WEBHOOK_SECRET = "browser-test-secret"


@dataclass
class Site:
    rasa: str
    rasa_token: str
    admin: str
    webchat: str
    telegram_webhook: str
    telegram: FakeTelegram


def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    """The fake Bot API, served from its own thread so the browser's synchronous API can drive the test."""
    fake = FakeTelegram()
    fake.port = free_port()
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(fake.app())
    started = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", fake.port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(10)
    yield fake
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


@pytest.fixture(scope="module")
def site(trained_model: Path, loaded_kb_file: Path, tmp_path_factory, fake_telegram: FakeTelegram) -> Iterator[Site]:
    var = tmp_path_factory.mktemp("browser")
    kb = var / "kb.db"
    shutil.copy(loaded_kb_file, kb)
    engine = make_engine(f"sqlite:///{kb}")
    add_account(engine, "quantri", "admin", password_hash=hash_password(ADMIN_PASSWORD))
    add_account(engine, "canbo-dn", "staff", locality_key="da-nang", password_hash=hash_password(STAFF_PASSWORD))
    engine.dispose()
    webhook_port = free_port()
    env = {"TELEGRAM_API_BASE_URL": fake_telegram.base_url, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{webhook_port}/telegram",
           "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1", "TELEGRAM_WEBHOOK_PORT": str(webhook_port),
           "BOT_HASH_KEY": "test-key"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    settings = Settings(database_url=f"sqlite:///{kb}", var_dir=var, model_dir=trained_model.parent,
                        telegram_bot_token=TOKEN)
    ports = {"rasa": free_port(), "actions": free_port(), "webchat": free_port(), "admin": free_port()}
    stack = Stack(settings, trained_model, ports, log_dir=var / "logs")
    try:
        stack.start()
        admin, webchat = f"http://127.0.0.1:{ports['admin']}", f"http://127.0.0.1:{ports['webchat']}"
        assert wait_http(f"{admin}/admin/login", 60) and wait_http(f"{webchat}/", 60), f"see {var / 'logs'}"
        eventually(lambda: fake_telegram.called("setWebhook"), timeout=60)
        yield Site(f"http://127.0.0.1:{ports['rasa']}", stack.api_token, admin, webchat, env["TELEGRAM_WEBHOOK_URL"], fake_telegram)
    finally:
        stack.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: ./scripts/test installs Debian's chromium (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's screen
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page, site: Site, name: str, password: str) -> None:
    page.goto(f"{site.admin}/admin/queue")  # behind the login: the browser is sent to the form
    assert "/admin/login" in page.url
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{site.admin}/admin/queue")


def telegram_message(site: Site, chat_id: int, text: str) -> None:
    """Telegram delivering a user's message to the connector's webhook."""
    update = {"update_id": int(time.time() * 1000) % 2_000_000_000,
              "message": {"message_id": int(time.time() * 1000) % 1_000_000, "date": int(time.time()), "text": text,
                          "chat": {"id": chat_id, "type": "private"},
                          "from": {"id": chat_id, "is_bot": False, "first_name": "Ba"}}}
    request = urllib.request.Request(site.telegram_webhook, data=json.dumps(update).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_an_admin_edit_is_in_the_next_chat_answer_without_a_restart(site, new_page):
    question = "Đà Nẵng hỗ trợ mua thẻ bảo hiểm y tế cho hộ cận nghèo thế nào?"
    before = send(site.rasa, f"probe-{uuid.uuid4().hex[:6]}", question, token=site.rasa_token)
    pid = before["provisions"][0]
    marker = "Theo bản cập nhật mới nhất của Sở,"
    assert marker not in "\n".join(r["text"] for r in before["replies"])

    admin = new_page()
    log_in(admin, site, "quantri", ADMIN_PASSWORD)
    admin.goto(f"{site.admin}/admin/")
    # The dashboard draws its charts from the data it fetches: 30 days, today's bar showing the probe question.
    # (A locator assertion, not wait_for_function: the admin's CSP forbids eval, which newer Chromium enforces on it.)
    expect(admin.locator("#chart-days rect.bar.asked")).to_have_count(30)
    heights = admin.eval_on_selector_all("#chart-days rect.bar.asked", "bars => bars.map(b => +b.getAttribute('height'))")
    assert heights[-1] > 0
    assert admin.locator("#chart-topics svg text").count() >= 2
    # Legible on the phone: date labels at least 11 px tall, none overlapping, today's always shown.
    dates = admin.eval_on_selector_all("#chart-days text.date", """ts => ts.map(t => {
        const r = t.getBoundingClientRect(); return [r.left, r.right, r.height, t.textContent]; })""")
    assert len(dates) >= 3 and all(height >= 11 for _, _, height, _ in dates)
    assert all(dates[i][1] <= dates[i + 1][0] for i in range(len(dates) - 1))
    today = admin.eval_on_selector_all("#chart-days rect.bar.asked title", "ts => ts.map(t => t.textContent)")[-1]
    assert dates[-1][3] == f"{today[8:10]}/{today[5:7]}"
    label_heights = admin.eval_on_selector_all("#chart-topics text.label",
                                               "ts => ts.map(t => t.getBoundingClientRect().height)")
    assert label_heights and min(label_heights) >= 11
    assert admin.locator("#tiles .tile").count() == 5
    admin.goto(f"{site.admin}/admin/kb?q={pid}")
    admin.click(f"a:has-text('{pid}')")
    area = admin.locator("textarea[name=text]")
    area.fill(f"{marker} {area.input_value()}")
    admin.click("button:has-text('Lưu thay đổi')")
    admin.wait_for_selector("text=Đã lưu")
    assert admin.locator(".card table").first.inner_text().count(marker) == 1  # the change log shows before/after

    chat = new_page()
    chat.goto(site.webchat)
    chat.fill("#t", question)
    chat.press("#t", "Enter")
    chat.wait_for_selector(f".msg.bot:has-text('{marker}')", timeout=20000)


def test_a_staff_answer_from_the_queue_reaches_the_citizen_on_telegram(site, new_page):
    citizen = 770000 + int(time.time()) % 10000
    telegram_message(site, citizen, "bảo hiểm y tế cho hộ cận nghèo ở Đà Nẵng")
    eventually(lambda: site.telegram.texts(citizen))
    telegram_message(site, citizen, "cho tôi gặp cán bộ")
    eventually(lambda: len(site.telegram.texts(citizen)) >= 2)

    staff = new_page()
    log_in(staff, site, "canbo-dn", STAFF_PASSWORD)
    # The handoff carries the citizen's previous question, not the request itself.
    item = staff.locator("article", has_text="bảo hiểm y tế cho hộ cận nghèo ở Đà Nẵng").first
    assert "Muốn gặp cán bộ" in item.inner_text() and "Telegram" in item.inner_text()
    answer = "Anh mang căn cước đến UBND phường vào sáng thứ Hai nhé."
    item.locator("textarea[name=answer]").fill(answer)
    item.locator("button:has-text('Gửi trả lời')").click()
    staff.wait_for_selector("text=Đã gửi câu trả lời")
    eventually(lambda: any(answer in t for t in site.telegram.texts(citizen)))
    [delivered] = [t for t in site.telegram.texts(citizen) if answer in t]
    assert delivered.startswith("Cán bộ trả lời câu hỏi của bạn «bảo hiểm y tế cho hộ cận nghèo ở Đà Nẵng»")


def test_a_staff_account_cannot_reach_the_admin_pages(site, new_page):
    staff = new_page()
    log_in(staff, site, "canbo-dn", STAFF_PASSWORD)
    assert staff.locator("nav a:has-text('Thêm điều khoản')").count() == 0
    for path in ("/admin/kb/new", "/admin/kb/import"):
        response = staff.goto(f"{site.admin}{path}")
        assert response.status == 403, path
        assert "chỉ dành cho quản trị viên" in staff.content()
    staff.goto(f"{site.admin}/admin/kb/dn-001")
    assert staff.locator("textarea[name=text]").is_disabled()
    assert staff.locator("button:has-text('Lưu thay đổi')").count() == 0


def test_the_web_chat_greets_shows_progress_and_retires_used_buttons_on_a_phone(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone's screen
    page = context.new_page()
    # Records, as the page changes, whether "đang trả lời…" showed while sending was disabled.
    page.add_init_script("""window.seen = {pending: false, disabledWhilePending: false};
      new MutationObserver(() => {
        if (document.querySelector('.msg.pending')) {
          window.seen.pending = true;
          window.seen.disabledWhilePending = document.querySelector('#f button[type=submit]').disabled
            && document.getElementById('t').disabled;
        }
      }).observe(document, {subtree: true, childList: true});""")
    try:
        page.goto(site.webchat)
        greeting = page.locator(".msg.greeting")
        assert "Xin chào" in greeting.inner_text()
        buttons = greeting.locator("button.btn")
        titles = buttons.all_inner_texts()
        assert len(titles) >= 8 and "Bảo hiểm y tế" in titles and "Đà Nẵng có miễn học phí cho học sinh không?" in titles
        assert all(buttons.nth(i).bounding_box()["height"] >= 44 for i in range(len(titles)))
        assert page.locator("#f button[type=submit]").is_visible()
        buttons.filter(has_text="Đức Phổ xây bao nhiêu căn nhà ở xã hội?").click()
        page.wait_for_selector(".msg.bot:has-text('300 căn')", timeout=20000)
        assert page.evaluate("window.seen") == {"pending": True, "disabledWhilePending": True}
        assert page.locator(".msg.pending").count() == 0 and not page.locator("#t").is_disabled()
        assert all(buttons.nth(i).is_disabled() for i in range(len(titles)))  # used once, inert after
    finally:
        context.close()


def test_the_web_chat_keeps_the_conversation_across_a_reload(site, new_page):
    page = new_page()
    page.goto(site.webchat)
    page.fill("#t", "Đà Nẵng có miễn học phí cho học sinh không?")
    page.press("#t", "Enter")
    page.wait_for_selector(".msg.bot:has-text('học phí'):not(.greeting):not(.pending)", timeout=20000)
    answer = page.locator(".msg.bot:not(.greeting)").last.inner_text()
    page.reload()
    page.wait_for_selector(".msg.me:has-text('Đà Nẵng có miễn học phí')")
    assert page.locator(".msg.greeting").count() == 0
    assert page.locator(".msg.bot").last.inner_text() == answer


def test_a_web_chat_handoff_shows_its_question_in_the_queue_and_the_clerks_answer_arrives(site, new_page):
    chat = new_page()
    chat.goto(site.webchat)
    question = "Ở Đà Nẵng người cao tuổi có được hỗ trợ thẻ bảo hiểm y tế không?"
    chat.fill("#t", question)
    chat.press("#t", "Enter")
    chat.wait_for_selector(".msg.bot:not(.greeting):not(.pending)", timeout=20000)
    chat.fill("#t", "cho tôi gặp cán bộ")
    chat.press("#t", "Enter")
    chat.wait_for_selector(".msg.bot:has-text('cán bộ'):not(.greeting):not(.pending)", timeout=20000)

    staff = new_page()
    log_in(staff, site, "canbo-dn", STAFF_PASSWORD)
    item = staff.locator("article", has=staff.locator(".badge.handoff")).filter(has_text=question).first
    assert "Web chat" in item.inner_text() and "cho tôi gặp cán bộ" not in item.locator(".question").inner_text()
    answer = "Bác mang thẻ căn cước đến UBND phường để được hướng dẫn nhé."
    item.locator("textarea[name=answer]").fill(answer)
    item.locator("button:has-text('Gửi trả lời')").click()
    staff.wait_for_selector("text=Đã gửi câu trả lời")
    # The page polls for staff answers every few seconds.
    chat.wait_for_selector(f".msg.bot:has-text('{answer}')", timeout=20000)
    assert "Cán bộ trả lời câu hỏi của bạn" in chat.locator(f".msg.bot:has-text('{answer}')").inner_text()


def test_an_admin_uploads_a_word_plan_edits_a_draft_publishes_and_the_web_chat_cites_it(site, new_page, tmp_path):
    from plan_renderings import docx_from_seed
    from test_kb_drafts import SMALL_PLAN

    plan_file = tmp_path / "ke-hoach-215.docx"
    plan_file.write_bytes(docx_from_seed(SMALL_PLAN).data)
    admin = new_page()
    log_in(admin, site, "quantri", ADMIN_PASSWORD)
    admin.goto(f"{site.admin}/admin/plans")
    admin.set_input_files("input[name=file]", str(plan_file))
    admin.click("button:has-text('Đọc kế hoạch')")
    admin.wait_for_selector("text=Điều khoản nháp")
    assert admin.locator("article.draft").count() == 6
    draft = admin.locator("article.draft", has_text="150.000 đồng/tháng")
    assert "Trong văn bản" in draft.inner_text()
    draft.locator("a:has-text('Sửa, tách hoặc gộp')").click()
    marker = "Học sinh nhận khoản hỗ trợ này ngay tại trường đang học."
    area = admin.locator("textarea[name=text]").first
    area.fill(f"{area.input_value()} {marker}")
    admin.click("button:has-text('Lưu và nhận')")
    admin.wait_for_selector("text=Điều khoản nháp")
    assert "nhận" in admin.locator("article.draft", has_text=marker).locator(".badge").first.inner_text()
    admin.click("button:has-text('Nhận mọi điều khoản chưa duyệt')")
    admin.wait_for_selector("text=Đã nhận mọi điều khoản")
    admin.click("button:has-text('Công bố kế hoạch')")
    admin.wait_for_selector("text=Đã công bố 6 điều khoản")

    chat = new_page()
    chat.goto(site.webchat)
    chat.fill("#t", "Ở Cần Thơ học sinh trung học phổ thông thuộc hộ nghèo được hỗ trợ chi phí học tập bao nhiêu?")
    chat.press("#t", "Enter")
    reply = chat.locator(f".msg.bot:has-text('{marker}')")
    reply.wait_for(timeout=20000)
    assert "150.000 đồng/tháng" in reply.inner_text() and "215/KH-UBND" in reply.inner_text()
