"""The "Nhập kế hoạch mới" pages over real HTTP on loopback: an admin uploads a Word plan, reviews,
edits, splits and publishes it; staff read drafts and publish nothing; bad files change nothing."""
from __future__ import annotations

import re

from aiohttp import FormData
from sqlalchemy import func, select

from knowledge import drafts
from knowledge.db import transaction
from knowledge.models import DraftPlan, Provision
from knowledge.provision_search import ProvisionSearch
from plan_renderings import docx_from_seed
from test_admin_web import (ADMIN_PASSWORD, STAFF_PASSWORD, _multi, accounts, client, csrf_of,  # noqa: F401
                            login, page_token)
from test_kb_drafts import SMALL_PLAN


def _upload_form(token: str, data: bytes, filename: str, **fields: str) -> FormData:
    form = FormData()
    form.add_field("csrf", token)
    form.add_field("file", data, filename=filename,
                   content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for name, value in fields.items():
        form.add_field(name, value)
    return form


def _plans(engine) -> int:
    with transaction(engine) as s:
        return s.execute(select(func.count()).select_from(DraftPlan)).scalar_one()


async def _uploaded(client) -> int:
    token = await page_token(client, "/admin/plans")
    response = await client.post("/admin/plans", data=_upload_form(token, docx_from_seed(SMALL_PLAN).data,
                                                                     "ke-hoach-215.docx"), allow_redirects=False)
    assert response.status == 303, await response.text()
    return int(re.search(r"/admin/plans/(\d+)$", response.headers["Location"]).group(1))


async def test_an_admin_uploads_a_word_plan_reviews_edits_and_publishes_it(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    plan_id = await _uploaded(client)
    page = await (await client.get(f"/admin/plans/{plan_id}")).text()
    assert "215/KH-UBND" in page and "Trong văn bản" in page and "Điều khoản nháp" in page
    assert page.count('class="card draft pending"') == 6
    record = drafts.plan_record(accounts, plan_id)
    item = record["items"][2]
    assert "30% mệnh giá thẻ bảo hiểm y tế" in item["text"]

    item_page = f"/admin/plans/{plan_id}/items/{item['id']}"
    token = await page_token(client, item_page)
    fields = _multi(item) + [("groups", "nguoi-cao-tuoi"), ("csrf", token)]
    response = await client.post(item_page, data=fields, allow_redirects=False)
    assert response.status == 303
    edited = drafts.plan_record(accounts, plan_id)["items"][2]
    assert edited["decision"] == "accepted" and "nguoi-cao-tuoi" in edited["groups"]

    token = await page_token(client, f"/admin/plans/{plan_id}")
    response = await client.post(f"/admin/plans/{plan_id}/publish", data={"csrf": token})
    assert response.status == 400
    assert "Còn 5 điều khoản chưa duyệt" in await response.text()
    response = await client.post(f"/admin/plans/{plan_id}/decide",
                                 data={"csrf": token, "all": "1", "decision": "accepted"})
    assert response.status == 200
    response = await client.post(f"/admin/plans/{plan_id}/publish", data={"csrf": token})
    assert response.status == 200
    assert "Đã công bố 6 điều khoản" in await response.text()
    hits = ProvisionSearch(accounts).search("người cao tuổi hộ cận nghèo mệnh giá thẻ bảo hiểm y tế 30%", limit=3)
    assert hits[0].document_code == "215/KH-UBND"
    changes = await (await client.get("/admin/changes")).text()
    assert "Công bố" in changes and "kế hoạch nháp" in changes


async def test_splitting_a_draft_in_the_form_makes_two_in_order(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    plan_id = await _uploaded(client)
    item = drafts.plan_record(accounts, plan_id)["items"][3]
    first, rest = item["text"].split("; ", 1)
    token = await page_token(client, f"/admin/plans/{plan_id}/items/{item['id']}")
    response = await client.post(f"/admin/plans/{plan_id}/items/{item['id']}/split",
                                 data={"csrf": token, "parts": f"{first};\r\n\r\n{rest}"}, allow_redirects=False)
    assert response.status == 303
    texts = [i["text"] for i in drafts.plan_record(accounts, plan_id)["items"]]
    assert texts[3:5] == [f"{first};", rest] and len(texts) == 7


async def test_staff_read_drafts_but_cannot_upload_edit_or_publish(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    plan_id = await _uploaded(client)
    await client.post("/admin/logout", data={"csrf": await page_token(client, "/admin/plans")})
    await login(client, "canbo-dn", STAFF_PASSWORD)
    page = await client.get("/admin/plans")
    text = await page.text()
    assert page.status == 200 and "Ke hoach" not in text and 'type="file"' not in text
    plan_page = await (await client.get(f"/admin/plans/{plan_id}")).text()
    assert "30% mệnh giá" in plan_page and "Công bố kế hoạch" not in plan_page
    token = csrf_of(plan_page)
    for path in (f"/admin/plans/{plan_id}/publish", f"/admin/plans/{plan_id}/decide", "/admin/plans"):
        response = await client.post(path, data={"csrf": token, "all": "1", "decision": "accepted"})
        assert response.status == 403, path
    assert drafts.plan_record(accounts, plan_id)["counts"]["accepted"] == 0
    with transaction(accounts) as s:
        assert not s.execute(select(Provision).where(Provision.document_code == "215/KH-UBND")).first()


async def test_a_bad_file_gets_a_vietnamese_message_and_keeps_nothing(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    token = await page_token(client, "/admin/plans")
    for data, name, says in ((b"", "trong.docx", "Tệp trống"),
                             (b"PK\x03\x04 not really a zip", "hong.docx", "bị hỏng")):
        response = await client.post("/admin/plans", data=_upload_form(token, data, name))
        assert response.status == 400
        assert says in await response.text() and "Không có gì thay đổi" in await response.text()
    response = await client.post("/admin/plans", data={"csrf": token, "text": "  "})
    assert response.status == 400 and "Hãy chọn tệp" in await response.text()
    assert _plans(accounts) == 0


async def test_pasted_text_is_drafted_like_a_file(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    token = await page_token(client, "/admin/plans")
    response = await client.post("/admin/plans", data={"csrf": token, "text": SMALL_PLAN, "locality": "can-tho"},
                                 allow_redirects=False)
    assert response.status == 303
    assert _plans(accounts) == 1


async def test_the_plan_form_marks_the_older_plan_replaced_for_chosen_topics(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    plan_id = await _uploaded(client)
    token = await page_token(client, f"/admin/plans/{plan_id}")
    document = drafts.plan_record(accounts, plan_id)["document"]
    fields = [(k, "" if v is None else str(v)) for k, v in document.items() if k != "source_file"]
    fields += [("supersedes", "527/QĐ-UBND\r\n"), ("supersedes_topics", "bhyt"), ("csrf", token)]
    response = await client.post(f"/admin/plans/{plan_id}/document", data=fields)
    assert response.status == 200 and "Đã lưu thông tin văn bản" in await response.text()
    saved = drafts.plan_record(accounts, plan_id)["document"]
    assert saved["supersedes"] == ["527/QĐ-UBND"] and saved["supersedes_topics"] == ["bhyt"]
    assert saved["code"] == "215/KH-UBND" and saved["period_start"] == 2026
