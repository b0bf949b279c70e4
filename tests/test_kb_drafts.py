"""Draft plans: an ingested plan waits for review, is edited, merged, split, and published all or
nothing through the KB's own validator, every step in the change log."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from actions.reply_format import currency_line
from bot.cli import main
from knowledge import drafts
from knowledge.db import kb_version, transaction
from knowledge.errors import InvalidChange, KbFileError, KnowledgeError
from knowledge.importer import dump_yaml, export_data
from knowledge.ingest.read import CorruptFile, EmptyFile
from knowledge.models import ChangeLog, Document, DraftPlan, Provision
from knowledge.provision_search import ProvisionSearch

SMALL_PLAN = """\
ỦY BAN NHÂN DÂN
THÀNH PHỐ CẦN THƠ
Số: 215/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Cần Thơ, ngày 14 tháng 3 năm 2026
KẾ HOẠCH
Hỗ trợ người cao tuổi và học sinh khó khăn giai đoạn 2026 - 2030
I. MỤC TIÊU
1. Đến năm 2030, 100% người cao tuổi từ 75 tuổi trở lên có thẻ bảo hiểm y tế.
2. Giảm tỷ lệ hộ nghèo bình quân 1,5%/năm.
II. CHÍNH SÁCH HỖ TRỢ
1. Hỗ trợ 30% mệnh giá thẻ bảo hiểm y tế cho người thuộc hộ cận nghèo theo Nghị định số 146/2018/NĐ-CP.
2. Miễn học phí cho học sinh trung học phổ thông thuộc hộ nghèo; hỗ trợ chi phí học tập 150.000 đồng/tháng.
III. TỔ CHỨC THỰC HIỆN
1. Sở Y tế chủ trì, phối hợp Bảo hiểm xã hội thành phố triển khai cấp thẻ bảo hiểm y tế.
2. Sở Giáo dục và Đào tạo hướng dẫn các trường thực hiện miễn học phí.
Nơi nhận:
- Như trên;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn A
"""


def _kb_state(engine) -> str:
    """Everything residents can be answered from, and the KB version."""
    with transaction(engine) as s:
        return f"{dump_yaml(export_data(s))}\nversion={kb_version(s)}"


def _ingested(engine) -> int:
    return drafts.ingest(engine, SMALL_PLAN.encode("utf-8"), "ke-hoach-215.txt", "an").plan_id


def _texts(engine, plan_id: int):
    return [i["text"] for i in drafts.plan_record(engine, plan_id)["items"]]


def test_an_ingested_plan_is_kept_as_drafts_and_reaches_no_resident(kb_engine):
    before = _kb_state(kb_engine)
    plan_id = _ingested(kb_engine)
    assert _kb_state(kb_engine) == before
    record = drafts.plan_record(kb_engine, plan_id)
    assert record["document"]["code"] == "215/KH-UBND"
    assert record["document"]["locality"] == "can-tho"
    assert record["counts"] == {"pending": 6, "accepted": 0, "rejected": 0}
    assert "30% mệnh giá thẻ bảo hiểm y tế" in record["items"][2]["text"]
    assert record["items"][2]["source"].startswith("1. Hỗ trợ 30%")
    assert "Sở Y tế chủ trì" in record["source_text"]


def test_publishing_needs_every_draft_decided(kb_engine):
    plan_id = _ingested(kb_engine)
    first = drafts.plan_record(kb_engine, plan_id)["items"][0]["id"]
    drafts.decide(kb_engine, [first], "accepted", "an")
    before = _kb_state(kb_engine)
    with pytest.raises(InvalidChange, match="Còn 5 điều khoản chưa duyệt"):
        drafts.publish(kb_engine, plan_id, "an")
    assert _kb_state(kb_engine) == before


def test_published_drafts_answer_with_their_document_and_rejected_ones_do_not(kb_engine):
    plan_id = _ingested(kb_engine)
    items = drafts.plan_record(kb_engine, plan_id)["items"]
    drafts.decide(kb_engine, [items[1]["id"]], "rejected", "an")
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    result = drafts.publish(kb_engine, plan_id, "bình")
    assert result["provisions"] == 5
    with transaction(kb_engine) as s:
        rows = s.execute(select(Provision).where(Provision.document_code == "215/KH-UBND")).scalars().all()
        assert len(rows) == 5
        assert not any("1,5%/năm" in r.text for r in rows)
        assert s.get(DraftPlan, plan_id).state == "published"
        actions = [(c.action, c.by) for c in s.execute(select(ChangeLog).where(ChangeLog.entity == "draft_plan"))
                   .scalars()]
    assert ("ingest", "an") in actions and ("publish", "bình") in actions
    hits = ProvisionSearch(kb_engine).search("hộ cận nghèo hỗ trợ mệnh giá thẻ bảo hiểm y tế Cần Thơ 30%", limit=3)
    assert hits[0].document_code == "215/KH-UBND"
    assert "30%" in hits[0].text


def test_an_edit_that_breaks_the_validators_rules_changes_nothing(kb_engine):
    plan_id = _ingested(kb_engine)
    item = drafts.plan_record(kb_engine, plan_id)["items"][2]
    with pytest.raises(KbFileError, match="số 40 không có trong nội dung"):
        drafts.edit_item(kb_engine, item["id"], {"numbers": [{"value": 40, "unit": "%", "year": None,
                                                               "label": "mức hỗ trợ"}]}, "an")
    with pytest.raises(KbFileError, match="chủ đề «khong-co»"):
        drafts.edit_item(kb_engine, item["id"], {"topics": ["khong-co"]}, "an")
    after = drafts.plan_record(kb_engine, plan_id)["items"][2]
    assert after == item
    edited = drafts.edit_item(kb_engine, item["id"], {"groups": ["ho-can-ngheo", "nguoi-cao-tuoi"]}, "an")
    assert edited["decision"] == "accepted" and edited["groups"] == ["ho-can-ngheo", "nguoi-cao-tuoi"]


def test_merge_joins_two_drafts_and_split_restores_them(kb_engine):
    plan_id = _ingested(kb_engine)
    items = drafts.plan_record(kb_engine, plan_id)["items"]
    first, second = items[2], items[3]
    merged = drafts.merge_with_next(kb_engine, first["id"], "an")
    assert merged["text"] == f"{first['text']} {second['text']}"
    assert {n["value"] for n in merged["numbers"]} == {30, 150000}
    assert len(_texts(kb_engine, plan_id)) == 5
    with pytest.raises(InvalidChange, match="giữ nguyên nội dung"):
        drafts.split_item(kb_engine, first["id"], [first["text"], "Một câu khác hẳn."], "an")
    ids = drafts.split_item(kb_engine, first["id"], [first["text"], second["text"]], "an")
    texts = _texts(kb_engine, plan_id)
    assert texts[2:4] == [first["text"], second["text"]] and len(texts) == 6
    split = drafts.plan_record(kb_engine, plan_id)["items"]
    assert [n["value"] for n in split[2]["numbers"]] == [30] and split[2]["legal_refs"]
    assert [n["value"] for n in split[3]["numbers"]] == [150000] and not split[3]["legal_refs"]
    assert [i["id"] for i in split[2:4]] == ids


def test_a_failed_publish_leaves_the_kb_and_the_drafts_as_they_were(kb_engine):
    plan_id = _ingested(kb_engine)
    with transaction(kb_engine) as s:
        taken = s.execute(select(Document.code)).scalars().first()
    drafts.edit_document(kb_engine, plan_id, {"code": taken}, "an")
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    before = _kb_state(kb_engine)
    with pytest.raises(InvalidChange, match="đã có trong cơ sở tri thức"):
        drafts.publish(kb_engine, plan_id, "an")
    drafts.edit_document(kb_engine, plan_id, {"code": "215/KH-UBND", "period_start": 2031}, "an")
    with pytest.raises(KbFileError, match="Thông tin văn bản: trường 'period_start'"):
        drafts.publish(kb_engine, plan_id, "an")
    assert _kb_state(kb_engine) == before
    record = drafts.plan_record(kb_engine, plan_id)
    assert record["state"] == "review" and not any(i["provision_id"] for i in record["items"])


def test_an_unreadable_file_keeps_no_draft(kb_engine):
    with pytest.raises(EmptyFile):
        drafts.ingest(kb_engine, b"", "trong.docx", "an")
    with pytest.raises(CorruptFile):
        drafts.ingest(kb_engine, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
                      "scan.pdf", "an")
    with transaction(kb_engine) as s:
        assert s.execute(select(func.count()).select_from(DraftPlan)).scalar_one() == 0


def test_cli_ingests_and_publishes_a_plan_file(kb_engine, tmp_path, monkeypatch, capsys):
    path = tmp_path / "ke-hoach-215.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", str(kb_engine.url))
    assert main(["kb", "ingest", str(path), "--by", "an", "--publish"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["code"] == "215/KH-UBND" and out["published"]["provisions"] == 6
    assert main(["kb", "publish", str(out["draft"]), "--by", "an"]) == 1
    assert "đã công bố" in capsys.readouterr().err


def test_a_plan_that_replaces_an_older_one_answers_its_topics_and_the_older_one_only_when_asked(kb_engine):
    search = ProvisionSearch(kb_engine)
    question = "Cần Thơ hỗ trợ mua thẻ bảo hiểm y tế cho người thuộc hộ cận nghèo"
    old = [h for h in search.search(question, locality="can-tho", limit=20) if h.document_code == "527/QĐ-UBND"
           and "bhyt" in h.topics]
    assert old, "the curated Cần Thơ plan answers about health insurance before"
    plan_id = _ingested(kb_engine)
    drafts.edit_document(kb_engine, plan_id, {"supersedes": ["527/QĐ-UBND"], "supersedes_topics": ["bhyt"]}, "an")
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    drafts.publish(kb_engine, plan_id, "an")

    hits = search.search(question, locality="can-tho", limit=20)
    assert hits[0].document_code == "215/KH-UBND"
    assert not [h for h in hits if h.document_code == "527/QĐ-UBND" and "bhyt" in h.topics]
    other_topic = search.search("Cần Thơ giải quyết việc làm cho lao động", locality="can-tho", limit=5)
    assert any(h.document_code == "527/QĐ-UBND" for h in other_topic), "topics not replaced still answer"
    asked = search.search(f"theo kế hoạch cũ, {question}", locality="can-tho", limit=20)
    older = [h for h in asked if h.document_code == "527/QĐ-UBND" and "bhyt" in h.topics]
    assert older and older[0].replaced_by == "215/KH-UBND"
    assert "đã được thay thế bởi văn bản 215/KH-UBND" in currency_line(older[0])
    by_number = search.search(f"theo quyết định 527/QĐ-UBND, {question}", locality="can-tho", limit=20)
    assert any(h.document_code == "527/QĐ-UBND" and "bhyt" in h.topics for h in by_number)


def test_a_replacement_across_localities_or_of_an_unknown_plan_publishes_nothing(kb_engine):
    plan_id = _ingested(kb_engine)
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    with transaction(kb_engine) as s:
        da_nang = s.execute(select(Document.code).where(Document.locality_key == "da-nang")).scalar_one()
    before = _kb_state(kb_engine)
    for replaces, says in (([da_nang], "địa phương khác"), (["99/KH-KHONGCO"], "không có trong cơ sở tri thức")):
        drafts.edit_document(kb_engine, plan_id, {"supersedes": replaces}, "an")
        with pytest.raises(KnowledgeError, match=says):
            drafts.publish(kb_engine, plan_id, "an")
        assert _kb_state(kb_engine) == before
