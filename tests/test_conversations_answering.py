"""Retrieval first, answerability, places and handoffs through the real Rasa and action servers."""
from __future__ import annotations

import uuid

import pytest

from bot.conversation import send

pytestmark = pytest.mark.slow


@pytest.fixture
def talk(assistant):
    base = f"http://127.0.0.1:{assistant.ports['rasa']}"
    sender = f"user-{uuid.uuid4().hex[:8]}"
    return lambda text: send(base, sender, text)


def _text(turn) -> str:
    return "\n".join(r["text"] for r in turn["replies"])


def test_a_legal_aid_question_is_answered_not_handed_off(talk):
    turn = talk("Nguoi ngheo o Can Tho gap chuyen kien tung, co duoc tro giup phap ly khong?")
    assert turn["outcome"] == "answer" and turn["provisions"] == ["ct-027"]


def test_asking_for_a_person_without_a_place_asks_for_it_then_records_the_question(talk):
    assert talk("hỗ trợ tiền điện cho hộ nghèo thế nào")["outcome"] == "ask_locality"
    ask = talk("cho tôi gặp cán bộ")
    assert "địa phương nào" in _text(ask)
    done = talk('/choose_locality{"locality": "Cần Thơ"}')
    assert "chuyển yêu cầu của bạn đến cán bộ" in _text(done)
    again = talk("/ask_human")
    assert "đã được chuyển" in _text(again)


@pytest.mark.parametrize("first, follow, expected", [
    ("ty le di hoc dung tuoi cap 1 o duc pho la bao nhieu", "cấp 3 thì sao?", ("dp-020",)),
    ("ty le di hoc dung tuoi cap 1 o duc pho la bao nhieu", "con thcs?", ("dp-019",)),
    # Either Cần Thơ provision on health-insurance cards for the near-poor answers it.
    ("ho can ngheo o sai gon duoc ho tro the bhyt the nao", "Cần Thơ có vậy không?", ("ct-035", "ct-039")),
])
def test_follow_ups_in_natural_forms(talk, first, follow, expected):
    assert talk(first)["outcome"] == "answer"
    assert talk(follow)["provisions"][0] in expected


def test_a_place_without_a_plan_is_told_the_places_covered(talk):
    turn = talk("Tôi ở Bắc Ninh, hộ nghèo được hỗ trợ gì?")
    assert turn["outcome"] == "places" and not turn["provisions"] and "Đức Phổ" in _text(turn)


def test_a_former_district_reaches_its_plan(talk):
    turn = talk("o quan go vap ho can ngheo co duoc ho tro the bhyt khong")
    assert turn["provisions"] == ["hcm-045"] and turn["outcome"] == "answer"
