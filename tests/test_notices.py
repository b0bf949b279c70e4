"""Notices from the change log: a batch of changes since the last one becomes one broadcast, one cited notice per
matching subscriber queued in the outbox, and never twice — not when prepared again, after a restart, or by two
servers at once on PostgreSQL."""
from __future__ import annotations

import threading
from typing import Dict, List, Tuple

import pytest
from sqlalchemy import func, select, update

from knowledge import admin, drafts, notices, synonyms
from knowledge import subscriptions as subs
from knowledge.db import make_engine, transaction
from knowledge.importer import DATA_DIR, import_file
from knowledge.models import Broadcast, NoticeSend, OutboundMessage, Watermark
from knowledge.notice_text import HEADER
from test_kb_drafts import SMALL_PLAN

CAN_THO_BHYT = "ct-035"  # Cần Thơ, topic bhyt only, section III.5
CITATION = "Nguồn: 527/QĐ-UBND của Ủy ban nhân dân thành phố Cần Thơ (đăng ngày 23/01/2013), mục III.5."


def queued(engine) -> Dict[Tuple[str, str], List[str]]:
    """(channel, address) -> the notice texts queued for it."""
    out: Dict[Tuple[str, str], List[str]] = {}
    with engine.connect() as conn:
        for channel, address, text in conn.execute(select(OutboundMessage.channel, OutboundMessage.address,
                                                          OutboundMessage.text).order_by(OutboundMessage.id)):
            out.setdefault((channel, address), []).append(text)
    return out


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def edit_text(engine, pid: str, tail: str, by: str = "lan") -> None:
    record = admin.show_provision(engine, pid)
    admin.edit_provision(engine, pid, {"text": record["text"] + " " + tail}, by=by)


def test_a_provision_edit_sends_one_cited_notice_to_each_matching_subscriber_and_none_to_others(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1", "bhyt", "can-tho")  # exactly this
    subs.subscribe(kb_engine, "zalo", "2", None, "can-tho")  # any topic in Cần Thơ
    subs.subscribe(kb_engine, "webchat", "s-3")  # everything
    subs.subscribe(kb_engine, "telegram", "4", "bhyt", "da-nang")  # another place
    subs.subscribe(kb_engine, "telegram", "5", "hoc-phi", "can-tho")  # another topic
    subs.subscribe(kb_engine, "telegram", "1", None, "can-tho")  # a second match for 1: still one notice
    edit_text(kb_engine, CAN_THO_BHYT, "Mức hỗ trợ áp dụng từ ngày 01/01/2026.")
    [broadcast_id] = notices.prepare_broadcasts(kb_engine)
    got = queued(kb_engine)
    assert set(got) == {("telegram", "1"), ("zalo", "2"), ("webchat", "s-3")}
    assert all(len(texts) == 1 for texts in got.values())
    text = got[("telegram", "1")][0]
    assert text.startswith(HEADER + "\n- Sửa đổi (Thành phố Cần Thơ): …")
    assert "Mức hỗ trợ áp dụng từ ngày 01/01/2026." in text and CITATION in text
    assert "Xem thêm: hỏi trợ lý, ví dụ «Bảo hiểm y tế ở Thành phố Cần Thơ»." in text
    assert len(text) < 2000  # one Zalo message, one Telegram message
    with transaction(kb_engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert (broadcast.queued, broadcast.summary) == (3, "Sửa đổi 527/QĐ-UBND mục III.5")
        assert broadcast.first_change_id == broadcast.last_change_id
    assert count(kb_engine, NoticeSend) == 3


def test_a_notice_quotes_three_changes_and_counts_the_others(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1", "bhyt", "can-tho")
    for pid in ("ct-034", "ct-035", "ct-038", "ct-039", "ct-044"):
        edit_text(kb_engine, pid, "Áp dụng từ năm 2026.")
    admin.retire_provision(kb_engine, "ct-001", by="lan", reason="đã hết hạn")  # not a bhyt provision
    notices.prepare_broadcasts(kb_engine)
    [text] = queued(kb_engine)[("telegram", "1")]
    assert text.count("\n- Sửa đổi") == 3 and "\nvà 2 thay đổi khác.\n" in text
    assert "mục III.5." in text and "mục III.6." not in text  # the oldest three are quoted


def test_a_retired_provision_is_told_as_no_longer_applying_with_the_reason(kb_engine):
    subs.subscribe(kb_engine, "zalo", "2", "bhyt")
    admin.retire_provision(kb_engine, CAN_THO_BHYT, by="lan", reason="Đã có văn bản mới.")
    notices.prepare_broadcasts(kb_engine)
    [text] = queued(kb_engine)[("zalo", "2")]
    assert "\n- Không còn áp dụng (Thành phố Cần Thơ): Thành phố chú ý hỗ trợ hộ cận nghèo" in text
    assert "(lý do: Đã có văn bản mới). " + CITATION in text


def test_draft_edits_aliases_and_synonyms_notify_no_one(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1")
    plan_id = drafts.ingest(kb_engine, SMALL_PLAN.encode("utf-8"), "ke-hoach-215.txt", "an").plan_id
    first = drafts.plan_record(kb_engine, plan_id)["items"][0]
    drafts.edit_item(kb_engine, first["id"], {"text": first["text"] + " Thêm một câu."}, "an")
    drafts.edit_document(kb_engine, plan_id, {"title": "Kế hoạch đã sửa tên"}, "an")
    admin.add_alias(kb_engine, "locality", "can-tho", "Tây Đô", by="an")
    synonyms.add_synonym(kb_engine, "thẻ khám bệnh", "thẻ bảo hiểm y tế", by="an")
    assert notices.prepare_broadcasts(kb_engine) == []
    assert count(kb_engine, OutboundMessage) == 0 and count(kb_engine, Broadcast) == 0
    # The watermark moved past them: the next change is told alone.
    edit_text(kb_engine, CAN_THO_BHYT, "Áp dụng từ năm 2026.")
    [broadcast_id] = notices.prepare_broadcasts(kb_engine)
    with transaction(kb_engine) as session:
        assert session.get(Broadcast, broadcast_id).summary == "Sửa đổi 527/QĐ-UBND mục III.5"


def test_a_published_plan_is_one_change_and_the_plan_it_replaces_another(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "telegram", "2", "bhyt", "da-nang")
    plan_id = drafts.ingest(kb_engine, SMALL_PLAN.encode("utf-8"), "ke-hoach-215.txt", "an").plan_id
    drafts.edit_document(kb_engine, plan_id, {"supersedes": ["527/QĐ-UBND"], "supersedes_topics": ["bhyt"]}, "an")
    drafts.decide_all_pending(kb_engine, plan_id, "accepted", "an")
    result = drafts.publish(kb_engine, plan_id, "an")
    notices.prepare_broadcasts(kb_engine)
    got = queued(kb_engine)
    assert list(got) == [("telegram", "1")]
    [text] = got[("telegram", "1")]
    lines = text.split("\n")
    assert lines[1].startswith("- Văn bản mới (Thành phố Cần Thơ): ")
    assert f"({result['provisions']} nội dung). Nguồn: 215/KH-UBND" in lines[1]
    assert lines[2].startswith("- Thay thế (Thành phố Cần Thơ): Kế hoạch 527/QĐ-UBND được thay thế bởi 215/KH-UBND.")


def test_preparing_again_or_after_a_restart_queues_nothing_twice(kb_engine):
    for address in ("1", "2", "3"):
        subs.subscribe(kb_engine, "telegram", address, "bhyt")
    edit_text(kb_engine, CAN_THO_BHYT, "Áp dụng từ năm 2026.")
    assert len(notices.prepare_broadcasts(kb_engine)) == 1
    assert notices.prepare_broadcasts(kb_engine) == []
    url = str(kb_engine.url)
    kb_engine.dispose()
    restarted = make_engine(url)
    assert notices.prepare_broadcasts(restarted) == []
    assert count(restarted, OutboundMessage) == 3 and count(restarted, Broadcast) == 1
    restarted.dispose()


def test_a_batch_already_queued_by_another_server_is_not_queued_again(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1", "bhyt")
    edit_text(kb_engine, CAN_THO_BHYT, "Áp dụng từ năm 2026.")
    notices.prepare_broadcasts(kb_engine)
    # Another server's transaction queued this batch while this one read an old watermark: the unique last
    # change id stops the second broadcast, and the whole transaction (its notices too) is rolled back.
    with transaction(kb_engine) as session:
        session.execute(update(Watermark).where(Watermark.name == notices.WATERMARK)
                        .values(position=Watermark.position - 1))
    assert notices.prepare_broadcasts(kb_engine) == []
    assert count(kb_engine, OutboundMessage) == 1 and count(kb_engine, Broadcast) == 1


def test_changes_made_before_someone_subscribed_are_not_told_to_them(kb_engine):
    edit_text(kb_engine, "ct-034", "Trước mọi đăng ký.")  # before anyone subscribed: history, not news
    subs.subscribe(kb_engine, "telegram", "1", "bhyt")
    edit_text(kb_engine, CAN_THO_BHYT, "Sau đăng ký thứ nhất.")
    subs.subscribe(kb_engine, "telegram", "2", "bhyt")  # after that change, before the batch is read
    notices.prepare_broadcasts(kb_engine)
    got = queued(kb_engine)
    assert list(got) == [("telegram", "1")]
    assert "Sau đăng ký thứ nhất." in got[("telegram", "1")][0] and "Trước mọi" not in got[("telegram", "1")][0]


def test_the_admin_previews_a_notice_before_saving_and_sees_none_for_a_draft_edit(kb_engine):
    record = admin.show_provision(kb_engine, CAN_THO_BHYT)
    text = notices.preview(kb_engine, {"id": CAN_THO_BHYT, "text": record["text"] + " Áp dụng từ năm 2026."})
    assert text.startswith(HEADER + "\n- Sửa đổi (Thành phố Cần Thơ): …") and CITATION in text
    assert count(kb_engine, OutboundMessage) == 0  # a preview queues nothing
    new = notices.preview(kb_engine, {"document_code": "527/QĐ-UBND", "section": "III.9", "topics": ["bhyt"],
                                      "text": "Hỗ trợ thêm 10% mệnh giá thẻ bảo hiểm y tế."})
    assert "\n- Bổ sung (Thành phố Cần Thơ): Hỗ trợ thêm 10% mệnh giá thẻ bảo hiểm y tế. Nguồn: 527/QĐ-UBND" in new
    draft_edit = {"action": "edit", "entity": "draft_item", "entity_id": "7", "before": {"text": "a"},
                  "after": {"text": "b"}}
    assert notices.preview(kb_engine, [draft_edit]) == ""
    assert notices.preview(kb_engine, {"id": CAN_THO_BHYT, "text": record["text"]}) == ""  # nothing changes


def test_broadcast_counts_follow_the_outbox_status_of_their_notices(kb_engine):
    for address in ("1", "2", "3", "4", "5"):
        subs.subscribe(kb_engine, "zalo", address, "bhyt")
    edit_text(kb_engine, CAN_THO_BHYT, "Áp dụng từ năm 2026.")
    [broadcast_id] = notices.prepare_broadcasts(kb_engine)
    statuses = {"1": "sent", "2": "failed", "3": "held", "4": "skipped"}  # 5 still pending
    with transaction(kb_engine) as session:
        for address, status in statuses.items():
            session.execute(update(OutboundMessage).where(OutboundMessage.address == address)
                            .values(status=status))
    assert notices.refresh_counts(kb_engine) == 1
    [shown] = notices.broadcasts(kb_engine)
    assert shown["id"] == broadcast_id
    assert {k: shown[k] for k in ("queued", "sent", "failed", "held", "skipped_quota")} == \
        {"queued": 5, "sent": 1, "failed": 1, "held": 1, "skipped_quota": 1}
    assert "address" not in str(shown) and "zalo" not in str(shown)


# --- several servers at once on PostgreSQL ------------------------------------------------------------------

@pytest.mark.postgres
def test_servers_preparing_at_once_on_postgresql_queue_each_notice_once(pg_engine):
    import_file(pg_engine, DATA_DIR / "catalogue.yaml", by="setup")
    import_file(pg_engine, DATA_DIR / "003_cang-long.yaml", by="setup")
    for n in range(40):
        subs.subscribe(pg_engine, "telegram", str(1000 + n), None, "cang-long")
    results: List[List[int]] = []
    errors: List[BaseException] = []
    for round_ in range(3):
        admin.edit_provision(pg_engine, "cl-002", {"section": f"quan điểm {round_}"}, by="lan")
        start = threading.Barrier(4)

        def prepare() -> None:
            try:
                start.wait()
                results.append(notices.prepare_broadcasts(pg_engine))
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=prepare) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
    created = [ids for ids in results if ids]
    assert len(results) == 12 and len(created) == 3  # one server per batch queued it
    assert count(pg_engine, Broadcast) == 3 and count(pg_engine, NoticeSend) == 120
    with pg_engine.connect() as conn:
        per_address = conn.execute(select(OutboundMessage.address, func.count()).group_by(OutboundMessage.address)
                                   ).all()
    assert len(per_address) == 40 and {n for _, n in per_address} == {3}


@pytest.mark.postgres
def test_a_change_committed_while_a_batch_is_prepared_is_in_the_next_batch(pg_engine):
    """A KB writer that logged its change before the batch read the log but commits after: the batch waits for
    it (SHARE lock), so the watermark never passes a row that becomes visible later."""
    import_file(pg_engine, DATA_DIR / "catalogue.yaml", by="setup")
    import_file(pg_engine, DATA_DIR / "003_cang-long.yaml", by="setup")
    subs.subscribe(pg_engine, "telegram", "1", None, "cang-long")
    notices.prepare_broadcasts(pg_engine)  # the watermark exists
    from knowledge.change_log import log_change
    from sqlalchemy.orm import Session
    slow = Session(pg_engine, future=True)
    slow.begin()
    log_change(slow, "lan", "edit", "provision", "cl-002", {"text": "cũ", "status": "active", "section": "a"},
               {"text": "mới", "status": "active", "section": "a"})
    slow.flush()  # its change-log id is taken, not yet committed
    admin.edit_provision(pg_engine, "cl-001", {"section": "mở đầu (sửa)"}, by="an")  # a later id, committed
    done: List[List[int]] = []
    batch = threading.Thread(target=lambda: done.append(notices.prepare_broadcasts(pg_engine)))
    batch.start()
    batch.join(1.0)
    assert batch.is_alive(), "the batch must wait for the open change-log writer"
    slow.commit()
    slow.close()
    batch.join(30)
    with transaction(pg_engine) as session:
        [broadcast] = session.execute(select(Broadcast)).scalars().all()
        assert broadcast.summary == "Sửa đổi 31-CTr/HU mục a; Sửa đổi 31-CTr/HU mục mở đầu (sửa)"


def test_unsubscribing_cancels_the_notices_still_queued_for_the_address_and_the_broadcast_counts_them(kb_engine):
    subs.subscribe(kb_engine, "telegram", "1", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "zalo", "2", "bhyt", "can-tho")
    edit_text(kb_engine, CAN_THO_BHYT, "Áp dụng từ năm 2026.")
    [broadcast_id] = notices.prepare_broadcasts(kb_engine)
    assert subs.unsubscribe_all(kb_engine, "telegram", "1") == 1
    with kb_engine.connect() as conn:
        statuses = dict(conn.execute(select(OutboundMessage.address, OutboundMessage.status)).all())
    assert statuses == {"1": "cancelled", "2": "pending"}  # the stop came before the send: nothing goes out
    notices.refresh_counts(kb_engine)
    [shown] = [b for b in notices.broadcasts(kb_engine) if b["id"] == broadcast_id]
    assert (shown["queued"], shown["cancelled"], shown["sent"]) == (2, 1, 0)
