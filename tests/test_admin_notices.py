"""The admin's view of notices over real HTTP: subscriber counts by topic and locality (never an address),
each broadcast's progress, and the notice previewed before an edit is saved or a plan is published."""
from __future__ import annotations

import re

from knowledge import admin as kb_admin
from knowledge import drafts, notices
from knowledge import subscriptions as subs
from test_admin_plans import _uploaded
from test_admin_web import (ADMIN_PASSWORD, STAFF_PASSWORD, _multi, accounts, client, login,  # noqa: F401
                            page_token)


async def test_the_notices_page_counts_followers_and_broadcasts_and_shows_no_address(client, accounts):
    subs.subscribe(accounts, "telegram", "987654321", "bhyt", "can-tho")
    subs.subscribe(accounts, "zalo", "5550001112223", "bhyt", "can-tho")
    subs.subscribe(accounts, "webchat", "s-secret-session", None, "da-nang")
    record = kb_admin.show_provision(accounts, "ct-035")
    kb_admin.edit_provision(accounts, "ct-035", {"text": record["text"] + " Áp dụng từ năm 2026."}, by="quantri")
    notices.prepare_broadcasts(accounts)
    await login(client, "canbo-dn", STAFF_PASSWORD)  # staff see the counts too, and nothing more
    response = await client.get("/admin/notices")
    page = await response.text()
    assert response.status == 200
    assert "<td>Bảo hiểm y tế</td><td>Thành phố Cần Thơ</td><td class=\"num\">2</td>" in page
    assert "<td>Mọi chủ đề</td><td>Thành phố Đà Nẵng</td><td class=\"num\">1</td>" in page
    assert "Sửa đổi 527/QĐ-UBND mục III.5" in page
    assert re.search(r'<td class="num">2</td>\s*<td class="num">0</td>', page)  # queued 2, none sent yet
    for address in ("987654321", "5550001112223", "s-secret-session"):
        assert address not in page


async def test_an_admin_previews_the_notice_of_an_edit_without_saving_it(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    record = kb_admin.show_provision(accounts, "ct-035")
    logged = kb_admin.change_log(accounts, 50, "ct-035")
    token = await page_token(client, "/admin/kb/ct-035")
    new_text = record["text"] + " Mức hỗ trợ tăng từ năm 2026."
    response = await client.post("/admin/kb/ct-035", data=_multi(record, text=new_text, csrf=token, preview="1"))
    page = await response.text()
    assert response.status == 200 and "Thông báo cho người theo dõi (xem trước)" in page
    assert "Sửa đổi (Thành phố Cần Thơ)" in page and "Mức hỗ trợ tăng từ năm 2026." in page
    assert "Nguồn: 527/QĐ-UBND" in page and "mục III.5." in page
    assert kb_admin.show_provision(accounts, "ct-035")["text"] == record["text"]  # nothing saved
    assert kb_admin.change_log(accounts, 50, "ct-035") == logged


async def test_a_plan_under_review_shows_the_notice_its_publication_would_send(client, accounts):
    await login(client, "quantri", ADMIN_PASSWORD)
    plan_id = await _uploaded(client)
    page = await (await client.get(f"/admin/plans/{plan_id}")).text()
    assert "Thay đổi này không gửi thông báo cho người dân." in page  # nothing accepted yet
    drafts.decide_all_pending(accounts, plan_id, "accepted", "quantri")
    page = await (await client.get(f"/admin/plans/{plan_id}")).text()
    assert "Thông báo cho người theo dõi (xem trước)" in page
    assert "Văn bản mới" in page and "215/KH-UBND" in page
