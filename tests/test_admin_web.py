"""The admin web over real HTTP on loopback: login, roles, CSRF, the knowledge-base pages, the staff queue,
the dashboard's data, and hostile input shown inertly."""
from __future__ import annotations

import re
import subprocess
import tempfile
import sys
from typing import Dict, Optional

import pytest
from sqlalchemy import select, text

from admin.app import AdminSettings, create_app, routes_needing_login
from admin.passwords import hash_password
from config.settings import PROJECT_ROOT
from knowledge import admin as kb_admin
from knowledge.accounts import add_account
from knowledge.models import FollowUp, OutboundMessage, Provision
from knowledge.provision_search import ProvisionSearch
from knowledge.question_log import QuestionRecord, record_question

ADMIN_PASSWORD = "mat-khau-quan-tri-1"
STAFF_PASSWORD = "mat-khau-can-bo-22"
SETTINGS = AdminSettings(max_failed_logins=3, failed_login_delay_s=0.0, intents=("ask_health_insurance", "ask_tuition"))
SCRIPT = "<script>alert('xss')</script>"
SQL = "'; DROP TABLE provisions; --"


@pytest.fixture
def accounts(kb_engine):
    add_account(kb_engine, "quantri", "admin", password_hash=hash_password(ADMIN_PASSWORD))
    add_account(kb_engine, "canbo-dn", "staff", locality_key="da-nang", password_hash=hash_password(STAFF_PASSWORD))
    return kb_engine


@pytest.fixture
async def client(aiohttp_client, accounts):
    return await aiohttp_client(create_app(accounts, SETTINGS))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page carries a CSRF token"
    return match.group(1)


async def login(client, name: str, password: str, expect: int = 200):
    page = await client.get("/admin/login")
    token = csrf_of(await page.text())
    response = await client.post("/admin/login", data={"name": name, "password": password, "csrf": token,
                                                       "next": "/admin/"})
    assert response.status == expect
    return response


async def page_token(client, path: str = "/admin/kb") -> str:
    response = await client.get(path)
    assert response.status == 200
    return csrf_of(await response.text())


def ask(engine, text_: str, locality: Optional[str], channel: str = "telegram", address: Optional[str] = "4242",
        handoff: bool = False) -> int:
    return record_question(engine, QuestionRecord(channel=channel, sender=f"{channel}-{address}", text=text_,
                                                  intent="ask_health_insurance", provisions=[], answered=False,
                                                  handoff=handoff, locality_key=locality, address=address), b"k")


async def test_every_admin_route_without_a_session_is_redirected_or_refused(client):
    routes = routes_needing_login(client.server.app)
    assert len(routes) >= 15
    for method, path in routes:
        url = path.replace("{pid}", "dn-001").replace("{qid}", "1").replace("{plan}", "1").replace("{item}", "1")
        response = await client.request(method, url, allow_redirects=False)
        if method == "GET" and not url.startswith("/admin/api/"):
            assert response.status == 303, url
            assert response.headers["Location"].startswith("/admin/login"), url
        else:
            assert response.status == 401, (method, url)


async def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_name_out(client):
    for _ in range(3):
        response = await login(client, "quantri", "sai-mat-khau-roi", expect=401)
        assert "không đúng" in await response.text()
    response = await login(client, "quantri", ADMIN_PASSWORD, expect=429)
    assert "quá nhiều lần" in await response.text()
    assert "admin_session" not in {c.key for c in client.session.cookie_jar}


async def test_login_without_its_csrf_token_is_refused(client):
    await client.get("/admin/login")
    response = await client.post("/admin/login", data={"name": "quantri", "password": ADMIN_PASSWORD})
    assert response.status == 403


async def test_an_admin_logs_in_and_sees_every_page_with_security_headers(client):
    await login(client, "quantri", ADMIN_PASSWORD)
    for path in ("/admin/", "/admin/kb", "/admin/kb/dn-001", "/admin/kb/new", "/admin/kb/import", "/admin/queue",
                 "/admin/changes"):
        response = await client.get(path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
    cookie = next(c for c in client.session.cookie_jar if c.key == "admin_session")
    assert cookie["httponly"] and cookie["samesite"] == "Strict"


async def test_a_post_without_the_csrf_token_changes_nothing(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    before = kb_admin.show_provision(accounts, "dn-001")
    response = await client.post("/admin/kb/dn-001", data={**_form(before), "text": before["text"] + " Sửa."})
    assert response.status == 403
    response = await client.post("/admin/kb/dn-001", data={**_form(before), "text": before["text"] + " Sửa.",
                                                          "csrf": "not-the-token"})
    assert response.status == 403
    assert kb_admin.show_provision(accounts, "dn-001") == before


def _form(record: Dict) -> Dict:
    data = {"kind": record["kind"], "section": record["section"], "text": record["text"],
            "legal_refs": "\n".join(record["legal_refs"]), "agencies": "\n".join(record["agencies"])}
    return data


def _number_fields(numbers) -> list:
    """The "Số liệu" rows as the form posts them: one input of each column per figure."""
    return [(f"number_{k}", "" if n[k] is None else str(n[k])) for n in numbers
            for k in ("value", "unit", "year", "label")]


def _multi(record: Dict, **changes) -> list:
    """Form fields as a list of pairs, with the repeated topic and group checkboxes and figure rows."""
    fields = list({**_form(record), **changes}.items())
    fields += [("topics", t) for t in record["topics"]] + [("groups", g) for g in record["groups"]]
    return fields + _number_fields(record["numbers"])


async def test_an_edit_is_saved_logged_and_live_in_search_at_once(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    search = ProvisionSearch(accounts)
    assert all(h.id != "dn-001" for h in search.search("quyxzeta"))
    record = kb_admin.show_provision(accounts, "dn-001")
    token = await page_token(client, "/admin/kb/dn-001")
    new_text = record["text"] + " Mã kiểm tra quyxzeta."
    response = await client.post("/admin/kb/dn-001", data=_multi(record, text=new_text, csrf=token))
    assert response.status == 200
    assert "Đã lưu" in await response.text()
    assert kb_admin.show_provision(accounts, "dn-001")["text"] == new_text
    hits = search.search("quyxzeta")
    assert hits and hits[0].id == "dn-001"
    log = kb_admin.change_log(accounts, 1, "dn-001")[0]
    assert log["by"] == "quantri" and log["before"]["text"] == record["text"] and log["after"]["text"] == new_text


async def test_an_invalid_edit_is_explained_and_not_saved(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    record = kb_admin.show_provision(accounts, "dn-001")
    token = await page_token(client, "/admin/kb/dn-001")
    bad = [("kind", "benefit"), ("section", "I"), ("text", "Hỗ trợ 99% cho mọi người."), ("csrf", token),
           ("number_value", "42"), ("number_unit", "%"), ("number_year", ""), ("number_label", ""),
           ("topics", "bhyt")]
    response = await client.post("/admin/kb/dn-001", data=bad)
    assert response.status == 400
    body = await response.text()
    assert "Chưa lưu" in body and "42" in body and "&lt;input&gt;" not in body and ":0:" not in body
    assert kb_admin.show_provision(accounts, "dn-001") == record


async def test_hostile_strings_in_search_and_edit_fields_are_stored_and_shown_inertly(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    response = await client.get("/admin/kb", params={"q": SQL})
    body = await response.text()
    assert response.status == 200 and "0 điều khoản" in body
    response = await client.get("/admin/kb", params={"q": SCRIPT})
    body = await response.text()
    assert SCRIPT not in body and "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in body
    record = kb_admin.show_provision(accounts, "dn-001")
    token = await page_token(client, "/admin/kb/dn-001")
    hostile = f"{record['text']} {SCRIPT} {SQL}"
    response = await client.post("/admin/kb/dn-001", data=_multi(record, text=hostile, section=SCRIPT, csrf=token))
    assert response.status == 200
    stored = kb_admin.show_provision(accounts, "dn-001")
    assert stored["text"] == hostile and stored["section"] == SCRIPT
    with accounts.connect() as conn:
        assert conn.execute(text("select count(*) from provisions")).scalar() > 400
    for path in ("/admin/kb/dn-001", "/admin/changes", "/admin/kb?q=xss"):
        body = await (await client.get(path)).text()
        assert "<script>alert" not in body, path
        assert "&lt;script&gt;" in body, path


async def test_a_staff_account_reads_the_knowledge_base_but_cannot_change_it(client, accounts):
    await login(client, "canbo-dn", STAFF_PASSWORD)
    page = await client.get("/admin/kb/dn-001")
    body = await page.text()
    assert page.status == 200 and "Lưu thay đổi" not in body and "disabled" in body
    token = csrf_of(body)
    record = kb_admin.show_provision(accounts, "dn-001")
    for method, path, data in (("GET", "/admin/kb/new", None), ("GET", "/admin/kb/import", None),
                               ("POST", "/admin/kb/dn-001", _multi(record, text="Đổi.", csrf=token)),
                               ("POST", "/admin/kb/dn-001/retire", {"csrf": token}),
                               ("POST", "/admin/kb/new", _multi(record, csrf=token, document="10/KH-UBND"))):
        response = await client.request(method, path, data=data)
        assert response.status == 403, path
    assert kb_admin.show_provision(accounts, "dn-001") == record


async def test_a_bad_import_changes_nothing_and_lists_its_errors_a_good_one_is_applied(client, accounts, tmp_path):
    await login(client, "quantri", ADMIN_PASSWORD)
    source = (PROJECT_ROOT / "knowledge" / "data" / "002_da-nang.yaml").read_text(encoding="utf-8")
    changed = source.replace("- id: dn-001\n", "- id: dn-001\n", 1).replace("kind: benefit", "kind: ýkiến", 1)
    token = await page_token(client, "/admin/kb/import")
    with accounts.connect() as conn:
        before = conn.execute(select(Provision.id, Provision.text, Provision.kind)).all()
    import aiohttp
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", changed.encode("utf-8"), filename="002_da-nang.yaml", content_type="application/x-yaml")
    response = await client.post("/admin/kb/import", data=form)
    body = await response.text()
    assert response.status == 400 and "Không nhập gì cả" in body and "002_da-nang.yaml, dòng " in body
    assert "/tmp" not in body and tempfile.gettempdir() not in body
    with accounts.connect() as conn:
        assert conn.execute(select(Provision.id, Provision.text, Provision.kind)).all() == before
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", source.replace("Đà Nẵng", "Đà Nẵng", 1).encode("utf-8"), filename="002_da-nang.yaml")
    response = await client.post("/admin/kb/import", data=form)
    body = await response.text()
    assert response.status == 200 and "Đã nhập 002_da-nang.yaml: 0 mục mới" in body and "unchanged" not in body
    log = await (await client.get("/admin/changes")).text()
    assert "Nhập tệp</strong> văn bản" in log and "<th>tên văn bản</th>" in log and ">import<" not in log


async def test_staff_see_and_answer_their_communes_questions_and_the_answer_is_queued_for_the_channel(client, accounts):
    mine = ask(accounts, "Tôi muốn gặp cán bộ về thẻ BHYT, số 0912345678", "da-nang", handoff=True)
    other = ask(accounts, "Hỏi về học phí ở Cần Thơ", "can-tho")
    await login(client, "canbo-dn", STAFF_PASSWORD)
    body = await (await client.get("/admin/queue")).text()
    assert "Tôi muốn gặp cán bộ về thẻ BHYT" in body and "********78" in body and "học phí ở Cần Thơ" not in body
    token = csrf_of(body)
    refused = await client.post(f"/admin/queue/{other}/answer", data={"answer": "Không phải việc của tôi", "csrf": token})
    assert refused.status == 403
    response = await client.post(f"/admin/queue/{mine}/answer", data={"answer": "Chị mang CCCD đến UBND phường nhé.",
                                                                      "csrf": token})
    assert response.status == 200 and "Đã gửi câu trả lời" in await response.text()
    from knowledge.db import transaction
    with transaction(accounts) as session:
        out = session.execute(select(OutboundMessage)).scalars().all()
        assert [(o.channel, o.address, o.status) for o in out] == [("telegram", "4242", "pending")]
        assert out[0].text.endswith("Chị mang CCCD đến UBND phường nhé.")
        follow = session.get(FollowUp, mine)
        assert follow.status == "answered" and follow.resolved_by == "canbo-dn" and follow.address is None
    again = await client.post(f"/admin/queue/{mine}/answer", data={"answer": "Lần nữa", "csrf": token})
    assert again.status == 400


async def test_the_queue_filters_by_channel_and_topic_and_questions_can_be_linked_or_kept_as_examples(client, accounts):
    web_q = ask(accounts, "Câu hỏi qua web chat", None, channel="webchat", address="web-abc")
    rest_q = ask(accounts, "Câu hỏi qua REST", None, channel="rest", address=None)
    await login(client, "quantri", ADMIN_PASSWORD)
    body = await (await client.get("/admin/queue", params={"channel": "webchat"})).text()
    assert "qua web chat" in body and "qua REST" not in body
    body = await (await client.get("/admin/queue", params={"topic": "hoc-phi"})).text()
    assert "qua web chat" not in body
    token = csrf_of(body)
    response = await client.post(f"/admin/queue/{web_q}/link", data={"provision": "dn-001", "csrf": token})
    assert "Đã gắn" in await response.text()
    response = await client.post(f"/admin/queue/{rest_q}/example", data={"intent": "ask_tuition", "csrf": token})
    assert "ví dụ huấn luyện" in await response.text()
    from knowledge.follow_ups import training_examples
    assert training_examples(accounts) == [{"text": "Câu hỏi qua REST", "intent": "ask_tuition"}]
    body = await (await client.get("/admin/queue")).text()
    assert "qua web chat" not in body and "qua REST" not in body


async def test_the_dashboard_data_counts_questions_per_day_topic_locality_and_waiting_follow_ups(client, accounts):
    record_question(accounts, QuestionRecord("telegram", "a", "BHYT hộ nghèo?", "ask_health_insurance", ["dn-001"],
                                             True, locality_key="da-nang"), b"k")
    ask(accounts, "Gặp cán bộ", "da-nang", handoff=True)
    ask(accounts, "Không rõ", "can-tho")
    await login(client, "quantri", ADMIN_PASSWORD)
    stats = await (await client.get("/admin/api/stats")).json()
    assert stats["questions"] == 3 and stats["answered_share"] == pytest.approx(0.333, abs=0.001)
    assert stats["handoffs_waiting"] == 1 and stats["unanswered_waiting"] == 1
    assert sum(d["questions"] for d in stats["per_day"]) == 3 and len(stats["per_day"]) == 30
    assert {r["label"]: r["count"] for r in stats["per_locality"]}["Thành phố Đà Nẵng"] == 2
    await client.post("/admin/logout", data={"csrf": await page_token(client)})
    await login(client, "canbo-dn", STAFF_PASSWORD)
    stats = await (await client.get("/admin/api/stats")).json()
    assert stats["questions"] == 2 and stats["unanswered_waiting"] == 0


async def test_logging_out_ends_the_session(client):
    await login(client, "quantri", ADMIN_PASSWORD)
    token = await page_token(client)
    await client.post("/admin/logout", data={"csrf": token})
    response = await client.get("/admin/kb", allow_redirects=False)
    assert response.status == 303


def test_bot_users_add_hashes_the_password_read_from_stdin(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'kb.db'}", "BOT_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bot", "users", "add", "lan", "--role", "staff", "--locality",
                           "da-nang", "--password-stdin"], input="mot-mat-khau-dai\n", env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    from knowledge.db import make_engine, transaction
    from knowledge.models import Account
    from admin.passwords import verify_password
    with transaction(make_engine(env["DATABASE_URL"])) as session:
        account = session.execute(select(Account)).scalar_one()
        assert account.password_hash.startswith("$argon2id$")
        assert "mot-mat-khau-dai" not in account.password_hash
        assert verify_password(account.password_hash, "mot-mat-khau-dai")
    short = subprocess.run([sys.executable, "-m", "bot", "users", "add", "hoa", "--role", "admin", "--password-stdin"],
                           input="ngan\n", env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert short.returncode != 0


def test_kept_training_examples_export_as_rasa_nlu_data(accounts, tmp_path):
    import argparse
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from bot.kb_commands import cmd_examples
    from config.settings import Settings
    from knowledge import follow_ups
    for text_ in ("hoc phi truong cong - mien giam?", "Con tôi học lớp 3: có được miễn học phí không?"):
        qid = ask(accounts, text_, None, channel="rest", address=None)
        follow_ups.make_example(accounts, qid, "ask_tuition", ["ask_tuition"], "quantri")
    out = tmp_path / "staff_examples.yml"
    settings = Settings(database_url=str(accounts.url), var_dir=tmp_path, model_dir=tmp_path)
    assert cmd_examples(argparse.Namespace(path=str(out)), settings) == 0
    data = RasaYAMLReader().reads(out.read_text(encoding="utf-8"))
    assert sorted((m.get("text"), m.get("intent")) for m in data.intent_examples) == [
        ("Con tôi học lớp 3: có được miễn học phí không?", "ask_tuition"),
        ("hoc phi truong cong - mien giam?", "ask_tuition")]


async def test_the_admin_web_works_on_postgresql(aiohttp_client, pg_engine):
    from knowledge.importer import load_curated
    load_curated(pg_engine)
    add_account(pg_engine, "quantri", "admin", password_hash=hash_password(ADMIN_PASSWORD))
    qid = ask(pg_engine, "Gặp cán bộ giúp tôi", "da-nang", channel="webchat", address="web-pg", handoff=True)
    client = await aiohttp_client(create_app(pg_engine, SETTINGS))
    await login(client, "quantri", ADMIN_PASSWORD)
    record = kb_admin.show_provision(pg_engine, "dn-001")
    token = await page_token(client, "/admin/kb/dn-001")
    response = await client.post("/admin/kb/dn-001", data=_multi(record, text=record["text"] + " Bổ sung.", csrf=token))
    assert response.status == 200 and kb_admin.show_provision(pg_engine, "dn-001")["text"].endswith("Bổ sung.")
    response = await client.post(f"/admin/queue/{qid}/answer", data={"answer": "Đã nhận.", "csrf": token})
    assert "Đã gửi câu trả lời" in await response.text()
    from connectors.outbox import acknowledge, pending_for
    [message] = pending_for(pg_engine, "webchat", "web-pg")
    assert message.text.endswith("Đã nhận.") and acknowledge(pg_engine, "webchat", "web-pg", [message.id]) == 1
    assert pending_for(pg_engine, "webchat", "web-pg") == []
    stats = await (await client.get("/admin/api/stats")).json()
    assert stats["questions"] == 1 and stats["handoffs_waiting"] == 0


async def test_error_responses_and_redirects_carry_the_security_headers(client):
    names = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")
    redirect = await client.get("/admin/kb", allow_redirects=False)
    refused = await client.post("/admin/api/stats")
    assert redirect.status == 303 and refused.status in (401, 405)
    await login(client, "quantri", ADMIN_PASSWORD)
    missing = await client.get("/admin/kb/no-such-provision")
    assert missing.status == 404
    for response in (redirect, refused, missing):
        assert all(name in response.headers for name in names), (response.status, dict(response.headers))


async def test_a_staff_account_without_a_commune_touches_no_queue_item(client, accounts):
    add_account(accounts, "canbo-moi", "staff", password_hash=hash_password(STAFF_PASSWORD))
    nowhere = ask(accounts, "Cho tôi gặp cán bộ", None, handoff=True)
    await login(client, "canbo-moi", STAFF_PASSWORD)
    body = await (await client.get("/admin/queue")).text()
    assert "Cho tôi gặp cán bộ" not in body
    token = csrf_of(body)
    for action, data in (("answer", {"answer": "Chào bạn"}), ("dismiss", {}), ("link", {"provision": "dn-001"}),
                         ("example", {"intent": "ask_health_insurance"})):
        response = await client.post(f"/admin/queue/{nowhere}/{action}", data={**data, "csrf": token})
        assert response.status == 403, action
    from knowledge.db import transaction
    with transaction(accounts) as session:
        assert session.get(FollowUp, nowhere).status == "open"


async def test_a_staff_member_s_dashboard_data_holds_no_feedback_of_other_communes(client, accounts):
    from knowledge.question_log import record_feedback
    record_feedback(accounts, "telegram", "9999", "Câu trả lời về Cần Thơ chưa đúng, số 0912345678", b"k")
    await login(client, "canbo-dn", STAFF_PASSWORD)
    staff_view = await (await client.get("/admin/api/stats")).json()
    assert staff_view["feedback"] == {"count": 0, "recent": []}
    await client.post("/admin/logout", data={"csrf": await page_token(client, "/admin/")})
    await login(client, "quantri", ADMIN_PASSWORD)
    admin_view = await (await client.get("/admin/api/stats")).json()
    assert admin_view["feedback"]["count"] == 1 and "Cần Thơ" in admin_view["feedback"]["recent"][0]["text"]


async def test_a_password_change_logout_everywhere_or_disable_ends_the_account_s_sessions(aiohttp_client, accounts):
    def cli(*args: str, stdin: str = "") -> None:
        env = {"DATABASE_URL": str(accounts.url), "BOT_VAR_DIR": str(PROJECT_ROOT / "var"), "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, "-m", "bot", "users", *args], input=stdin, env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    async def signed_in() -> tuple:
        c = await aiohttp_client(create_app(accounts, SETTINGS))
        await login(c, "canbo-dn", STAFF_PASSWORD)
        assert (await c.get("/admin/queue", allow_redirects=False)).status == 200
        return c

    browser, laptop = await signed_in(), await signed_in()
    cli("password", "canbo-dn", "--password-stdin", stdin="mat-khau-moi-dai-hon\n")
    for c in (browser, laptop):
        assert (await c.get("/admin/queue", allow_redirects=False)).status == 303  # back to the login page
    fresh = await aiohttp_client(create_app(accounts, SETTINGS))
    await login(fresh, "canbo-dn", "mat-khau-moi-dai-hon")
    cli("logout", "canbo-dn")
    assert (await fresh.get("/admin/queue", allow_redirects=False)).status == 303
    again = await aiohttp_client(create_app(accounts, SETTINGS))
    await login(again, "canbo-dn", "mat-khau-moi-dai-hon")
    cli("disable", "canbo-dn")
    assert (await again.get("/admin/queue", allow_redirects=False)).status == 303
    await login(again, "canbo-dn", "mat-khau-moi-dai-hon", expect=401)


ALIAS_BOMB = "".join(f"{k}: &{k} [" + ",".join([f"*{p}" if p else '"lol"'] * 9) + "]\n"
                     for p, k in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi"))


@pytest.mark.parametrize("payload, reason", [
    (ALIAS_BOMB, "neo và tham chiếu của YAML"),         # 342 bytes that would expand into 387 million strings
    ("[" * 5000 + "]" * 5000, "lồng nhau quá 20 cấp"),   # gave a RecursionError (500)
])
async def test_a_hostile_import_is_refused_with_400_in_bounded_time_and_memory(client, accounts, payload, reason):
    import resource
    import time as clock

    import aiohttp
    await login(client, "quantri", ADMIN_PASSWORD)
    token = await page_token(client, "/admin/kb/import")
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    form = aiohttp.FormData()
    form.add_field("csrf", token)
    form.add_field("file", payload.encode("utf-8"), filename="bom.yaml", content_type="application/x-yaml")
    started = clock.perf_counter()
    response = await client.post("/admin/kb/import", data=form)
    body = await response.text()
    assert response.status == 400 and reason in body and "Không nhập gì cả" in body
    assert clock.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 100 * 1024  # KiB: under 100 MB more


async def test_a_parallel_login_burst_checks_no_more_passwords_than_allowed_and_the_owner_elsewhere_gets_in(
        aiohttp_client, accounts):
    import asyncio
    import aiohttp

    attacker = await aiohttp_client(create_app(accounts, SETTINGS))
    token = csrf_of(await (await attacker.get("/admin/login")).text())
    guesses = [f"doan-sai-{i}" for i in range(29)] + [ADMIN_PASSWORD]

    async def guess(password: str) -> int:
        response = await attacker.post("/admin/login", allow_redirects=False,
                                        data={"name": "quantri", "password": password, "csrf": token, "next": "/admin/"})
        return response.status

    statuses = await asyncio.gather(*(guess(p) for p in guesses))
    checked = [s for s in statuses if s in (303, 401)]
    assert len(checked) <= SETTINGS.max_failed_logins and statuses.count(429) >= 30 - SETTINGS.max_failed_logins
    # Another admin process sharing the database refuses this address too.
    other_process = await aiohttp_client(create_app(accounts, SETTINGS))
    await login(other_process, "quantri", ADMIN_PASSWORD, expect=429)
    # The owner, from another address, is not locked out by a stranger's failures.
    owner = await aiohttp_client(create_app(accounts, SETTINGS),
                                 connector=aiohttp.TCPConnector(local_addr=("127.0.0.2", 0)))
    await login(owner, "quantri", ADMIN_PASSWORD)
    assert (await owner.get("/admin/queue", allow_redirects=False)).status == 200


async def test_the_queue_speaks_to_clerks_in_vietnamese_time_and_words_and_asks_before_dismissing(client, accounts):
    import datetime as dt

    from knowledge.db import transaction
    from knowledge.models import Question
    qid = ask(accounts, "Hỏi về thẻ BHYT ở Đà Nẵng", "da-nang")
    with transaction(accounts) as session:
        session.get(Question, qid).at = dt.datetime(2026, 11, 30, 18, 30)  # UTC: 01:30 the next day in Vietnam
    await login(client, "canbo-dn", STAFF_PASSWORD)
    body = await (await client.get("/admin/queue")).text()
    assert "01/12/2026 01:30" in body and "2026-11-30T18:30" not in body
    assert '<option value="ask_health_insurance" selected>bảo hiểm y tế</option>' in body
    token = csrf_of(body)
    unconfirmed = await client.post(f"/admin/queue/{qid}/dismiss", data={"csrf": token})
    assert unconfirmed.status == 400 and "xác nhận" in await unconfirmed.text()
    with transaction(accounts) as session:
        assert session.get(FollowUp, qid).status == "open"
    confirmed = await client.post(f"/admin/queue/{qid}/dismiss", data={"csrf": token, "confirm": "1"})
    assert confirmed.status == 200 and "Đã bỏ qua" in await confirmed.text()
    with transaction(accounts) as session:
        assert session.get(FollowUp, qid).status == "dismissed"


async def test_the_kb_search_reads_words_as_the_assistant_does_and_pages_beyond_a_hundred(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    body = await (await client.get("/admin/kb", params={"q": "ho can ngheo bhyt"})).text()
    assert 'href="/admin/kb/hcm-045"' in body  # no provision holds these words as one substring
    first = await (await client.get("/admin/kb")).text()
    second = await (await client.get("/admin/kb", params={"page": "2"})).text()
    first_ids = set(re.findall(r'href="/admin/kb/([a-z]+-\d+)"', first))
    second_ids = set(re.findall(r'href="/admin/kb/([a-z]+-\d+)"', second))
    assert len(first_ids) == 100 and second_ids and not first_ids & second_ids
    assert 'href="/admin/kb?page=2"' in first


async def test_a_handoff_shows_the_askers_earlier_questions_and_repeated_requests_appear_once(client, accounts):
    def said(text_: str, answered: bool, provisions=(), handoff: bool = False, sender: str = "telegram-4242") -> int:
        return record_question(accounts, QuestionRecord(
            channel="telegram", sender=sender, text=text_, intent="ask_health_insurance", provisions=list(provisions),
            answered=answered, handoff=handoff, locality_key="da-nang", address="4242"), b"k")

    said("Học phí mầm non ở Đà Nẵng được miễn không?", True, ["dn-053"])
    said("Câu hỏi của người khác", True, ["dn-001"], sender="telegram-9999")
    said("Thủ tục xin thẻ BHYT cho mẹ tôi?", False)
    first = said("Thủ tục xin thẻ BHYT cho mẹ tôi?", False, handoff=True)
    second = said("Thủ tục xin thẻ BHYT cho mẹ tôi?", False, handoff=True)
    await login(client, "canbo-dn", STAFF_PASSWORD)
    body = await (await client.get("/admin/queue")).text()
    assert "Trước đó người này đã hỏi" in body
    assert "Học phí mầm non ở Đà Nẵng được miễn không?" in body and "đã trả lời bằng dn-053" in body
    assert "Câu hỏi của người khác" not in body  # another conversation's turn is not this one's context
    assert f'id="q{second}"' in body and f'id="q{first}"' not in body and "(yêu cầu 2 lần)" in body
    response = await client.post(f"/admin/queue/{second}/answer",
                                 data={"answer": "Chị mang CCCD đến UBND phường nhé.", "csrf": csrf_of(body)})
    assert response.status == 200
    from knowledge.db import transaction
    with transaction(accounts) as session:
        assert session.get(FollowUp, first).status == "answered" == session.get(FollowUp, second).status
        assert len(session.execute(select(OutboundMessage)).scalars().all()) == 1  # one answer sent, not two
    assert f'id="q{first}"' not in await (await client.get("/admin/queue")).text()


async def test_figures_are_edited_in_their_own_inputs_read_the_vietnamese_way_and_explained_when_wrong(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    record = kb_admin.show_provision(accounts, "dn-010")
    assert any(n["value"] == 4.5 for n in record["numbers"])
    page_html = await (await client.get("/admin/kb/dn-010")).text()
    assert 'name="number_value" value="4.5"' in page_html and 'name="numbers"' not in page_html
    token = csrf_of(page_html)
    typed = [(k, v.replace("4.5", "4,5")) if k == "number_value" else (k, v)
             for k, v in _multi(record, csrf=token)]  # a decimal comma, as Vietnamese type it
    response = await client.post("/admin/kb/dn-010", data=typed + [("number_value", ""), ("number_unit", ""),
                                                                    ("number_year", ""), ("number_label", "")])
    assert response.status == 200, await response.text()
    assert kb_admin.show_provision(accounts, "dn-010")["numbers"] == record["numbers"]  # blank rows add nothing
    wrong = _multi(record, csrf=token) + [("number_value", "bốn"), ("number_unit", "%"), ("number_year", ""),
                                          ("number_label", "")]
    response = await client.post("/admin/kb/dn-010", data=wrong)
    body = await response.text()
    row = len(record["numbers"]) + 1
    assert response.status == 400 and f"Số liệu dòng {row}: giá trị «bốn» không phải là số" in body
    assert kb_admin.show_provision(accounts, "dn-010") == record
