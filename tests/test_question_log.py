"""What is stored for analytics hides phone and ID numbers and never keeps the raw sender id."""
from __future__ import annotations

from sqlalchemy import select

from knowledge.db import transaction
from knowledge.models import Question
from knowledge.question_log import QuestionRecord, hash_sender, mask_personal, record_question


def test_phone_and_id_numbers_are_masked_but_other_figures_stay():
    text = "SĐT 0912 345 678, +84 912345678, CCCD 079123456789, hộ nghèo 50% năm 2025, mã 12345"
    masked = mask_personal(text)
    for secret in ("0912 345 678", "912345678", "079123456789"):
        assert secret not in masked
    assert "50%" in masked and "2025" in masked and "12345" in masked


def test_recorded_question_keeps_a_keyed_hash_of_the_sender(empty_engine):
    record_question(empty_engine, QuestionRecord("telegram", "123456789", "gọi 0987654321 giúp tôi",
                                                 "ask_human", [], answered=False, handoff=True), b"k1")
    with transaction(empty_engine) as s:
        row = s.execute(select(Question)).scalar_one()
    assert row.sender_hash == hash_sender("123456789", b"k1") != hash_sender("123456789", b"k2")
    assert "0987654321" not in row.text and row.handoff == 1 and row.answered == 0
