"""Handoffs through the real Rasa and action servers: a request for a person waits in Rasa's tracker for the
place, and the action records the question for that place's staff.

Retrieval first, answerability, places and follow-ups are shown in process in
tests/test_dialogue_in_process.py and tests/test_answering_behaviour.py."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.conversation import send
from knowledge.db import make_engine, transaction
from knowledge.models import Question

pytestmark = pytest.mark.slow


@pytest.fixture
def talk(assistant):
    base = f"http://127.0.0.1:{assistant.ports['rasa']}"
    sender = f"user-{uuid.uuid4().hex[:8]}"
    return lambda text: send(base, sender, text, token=assistant.api_token)


@pytest.fixture
def kb(assistant):
    return make_engine(assistant.settings.database_url)


def _text(turn) -> str:
    return "\n".join(r["text"] for r in turn["replies"])


def test_asking_for_a_person_without_a_place_asks_for_it_then_records_the_question(talk, kb):
    assert talk("hỗ trợ tiền điện cho hộ nghèo thế nào")["outcome"] == "ask_locality"
    ask = talk("cho tôi gặp cán bộ")
    assert "địa phương nào" in _text(ask)
    done = talk('/choose_locality{"locality": "Cần Thơ"}')
    assert "chuyển yêu cầu của bạn đến cán bộ" in _text(done)
    again = talk("/ask_human")
    assert "đã được chuyển" in _text(again)
    with transaction(kb) as s:
        handed = [(q.text, q.locality_key) for q in s.execute(select(Question).order_by(Question.id)).scalars()
                  if q.handoff == 1 and q.text == "hỗ trợ tiền điện cho hộ nghèo thế nào"]
    assert handed == [("hỗ trợ tiền điện cho hộ nghèo thế nào", "can-tho")]  # once: pressing again records nothing
