"""A plan for a place no locality covers: the place is added to the catalogue from the gazetteer (CLI
and admin page), given to the plan, and once the plan is published residents there are answered from it."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from knowledge import drafts
from knowledge.db import transaction
from knowledge.errors import InvalidChange, KnowledgeError
from knowledge.localities import add_locality
from knowledge.models import ChangeLog, Locality
from knowledge.provision_search import ProvisionSearch
from test_admin_web import ADMIN_PASSWORD, STAFF_PASSWORD, accounts, client, login, page_token  # noqa: F401
from test_kb_drafts import SMALL_PLAN, _kb_state

BAC_NINH_PLAN = SMALL_PLAN.replace("THÀNH PHỐ CẦN THƠ", "TỈNH BẮC NINH").replace("Cần Thơ,", "Bắc Ninh,")


def _ingested(engine) -> int:
    plan_id = drafts.ingest(engine, BAC_NINH_PLAN.encode("utf-8"), "ke-hoach-215.txt", "an").plan_id
    record = drafts.plan_record(engine, plan_id)
    assert not record["document"]["locality"]
    assert any("Bắc Ninh" in n and "chưa có trong danh mục" in n for n in record["notes"])
    return plan_id


def test_a_plan_for_a_new_province_is_answered_there_once_its_place_is_added_and_it_is_published(kb_engine):
    plan_id = _ingested(kb_engine)
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    with pytest.raises(KnowledgeError):  # no locality yet: nothing is published
        drafts.publish(kb_engine, plan_id, "an")
    new = add_locality(kb_engine, "Tỉnh Bắc Ninh", "an")
    assert (new.key, new.name, new.level, new.province) == ("bac-ninh", "Tỉnh Bắc Ninh", "tỉnh", "Bắc Ninh")
    drafts.edit_document(kb_engine, plan_id, {"locality": new.key}, "an")
    assert drafts.publish(kb_engine, plan_id, "bình")["provisions"] == 6
    search = ProvisionSearch(kb_engine)
    hits = search.search("hộ cận nghèo ở Bắc Ninh được hỗ trợ thẻ bảo hiểm y tế bao nhiêu", limit=3)
    assert hits[0].locality == "bac-ninh" and "30%" in hits[0].text
    assert search.index().places.find("Tôi ở tỉnh Bắc Ninh").status == "covered"
    with transaction(kb_engine) as s:
        logged = s.execute(select(ChangeLog).where(ChangeLog.entity == "locality")).scalars().all()
        assert ("add", "an", "bac-ninh") in [(c.action, c.by, c.entity_id) for c in logged]


@pytest.mark.parametrize("place, reason", [
    ("huyện Càng Long", "đã có trong danh mục"),   # a locality covers it already
    ("Càng Long", "đã có trong danh mục"),
    ("Xứ Sở Thần Tiên", "không có tỉnh, thành phố hay huyện cũ nào"),
])
def test_a_place_already_covered_or_unknown_is_refused_and_changes_nothing(kb_engine, place, reason):
    before = _kb_state(kb_engine)
    with pytest.raises(InvalidChange, match=reason):
        add_locality(kb_engine, place, "an")
    assert _kb_state(kb_engine) == before


def test_cli_adds_the_place_and_gives_it_to_the_draft_plan(kb_engine, monkeypatch, capsys):
    plan_id = _ingested(kb_engine)
    monkeypatch.setenv("DATABASE_URL", str(kb_engine.url))
    assert main(["kb", "add-locality", "Bắc Ninh", "--plan", str(plan_id), "--by", "an"]) == 0
    assert "bac-ninh" in capsys.readouterr().out
    assert drafts.plan_record(kb_engine, plan_id)["document"]["locality"] == "bac-ninh"
    assert main(["kb", "add-locality", "Bắc Ninh", "--by", "an"]) == 1  # now covered
    assert "đã có trong danh mục" in capsys.readouterr().err


async def test_the_review_page_adds_the_place_for_admins_only(client, accounts):
    plan_id = _ingested(accounts)
    page = f"/admin/plans/{plan_id}"
    await login(client, "canbo-dn", STAFF_PASSWORD)
    token = await page_token(client, page)
    response = await client.post(f"{page}/locality", data={"csrf": token, "place": "Bắc Ninh"})
    assert response.status == 403
    with transaction(accounts) as s:
        assert s.get(Locality, "bac-ninh") is None
    await client.post("/admin/logout", data={"csrf": await page_token(client)})
    await login(client, "quantri", ADMIN_PASSWORD)
    text = await (await client.get(page)).text()
    assert "Địa phương mới" in text and 'value="Tỉnh Bắc Ninh"' in text  # the drafter's place, offered
    token = await page_token(client, page)
    response = await client.post(f"{page}/locality", data={"csrf": token, "place": "Bắc Ninh"})
    assert response.status == 200
    assert "Đã thêm Tỉnh Bắc Ninh (mã bac-ninh)" in await response.text()
    assert drafts.plan_record(accounts, plan_id)["document"]["locality"] == "bac-ninh"
    assert "Địa phương mới" not in await (await client.get(page)).text()
    response = await client.post(f"{page}/locality", data={"csrf": token, "place": "Tỉnh Bắc Ninh"})
    assert response.status == 400 and "đã có trong danh mục" in await response.text()
