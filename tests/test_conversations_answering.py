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
    return lambda text: send(base, sender, text, token=assistant.api_token)


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


DUC_PHO_SCHOOL = "ty le di hoc dung tuoi cap 1 o duc pho la bao nhieu"
HCM_CARDS = "ho can ngheo o sai gon duoc ho tro the bhyt the nao"
DN_JOBLESS = "Đà Nẵng đặt mục tiêu tỷ lệ thất nghiệp bao nhiêu?"
CL_CARDS = "Càng Long đặt chỉ tiêu bao nhiêu phần trăm dân số tham gia bảo hiểm y tế?"
CT_POWER = "hộ nghèo ở Cần Thơ có được hỗ trợ tiền điện không"
DN_FEES = "Đà Nẵng có miễn học phí cho học sinh không"
HCM_GROWTH = "Tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi ở TP HCM mục tiêu là bao nhiêu"
CL_WATER = "Càng Long đặt mục tiêu bao nhiêu phần trăm hộ dùng nước sạch"


@pytest.mark.parametrize("first, follow, expected", [
    # a school level
    (DUC_PHO_SCHOOL, "cấp 3 thì sao?", ("dp-020",)),
    (DUC_PHO_SCHOOL, "con thcs?", ("dp-019",)),
    (DUC_PHO_SCHOOL, "cap 2 thi sao", ("dp-019",)),
    # a place, in many forms (either Cần Thơ provision on cards for the near-poor answers it)
    (HCM_CARDS, "Cần Thơ có vậy không?", ("ct-035", "ct-039")),
    (HCM_CARDS, "con o can tho thi sao", ("ct-035", "ct-039")),
    (DN_JOBLESS, "Đức Phổ thì đặt bao nhiêu?", ("dp-009",)),
    (DN_JOBLESS, "còn Càng Long?", ("cl-009",)),
    (DN_JOBLESS, "ben duc pho sao", ("dp-009",)),
    (CL_CARDS, "Đức Phổ có vậy không?", ("dp-025",)),
    (HCM_GROWTH, "Càng Long thì sao?", ("cl-022",)),
    (HCM_GROWTH, "o duc pho thi sao", ("dp-029",)),
    (CL_WATER, "Đà Nẵng thì bao nhiêu?", ("dn-018",)),
    (CL_WATER, "dn the nao", ("dn-018",)),
    (DUC_PHO_SCHOOL, "Càng Long thì sao?", ("cl-016",)),
    # a year
    (CL_CARDS, "năm 2030 thì sao?", ("cl-020",)),
    # a group
    ("sinh vien o can tho co duoc vay von hoc tap khong", "còn học sinh hộ nghèo?", ("ct-051",)),
    ("người có công ở Đức Phổ được chăm lo thế nào", "còn thương binh thì sao?", ("dp-008",)),
    # a detail: the legal basis, the agency in charge
    (CT_POWER, "theo quyết định nào vậy?", ("ct-016",)),
    (CT_POWER, "quyết định số mấy", ("ct-016",)),
    (DN_FEES, "mầm non thì sao?", ("dn-053",)),
    (DN_FEES, "ai lo việc này?", ("dn-058",)),
    (DN_FEES, "cơ quan nào chủ trì?", ("dn-058",)),
])
def test_follow_ups_in_natural_forms(talk, first, follow, expected):
    assert talk(first)["outcome"] == "answer"
    assert talk(follow)["provisions"][:1] in [[e] for e in expected]


def test_a_follow_up_asking_what_the_plan_does_not_say_is_told_so(talk):
    assert talk(HCM_CARDS)["provisions"] == ["hcm-045"]
    turn = talk("theo nghị định nào?")
    assert turn["outcome"] == "related" and "không nêu văn bản căn cứ" in _text(turn)


def test_a_place_without_a_plan_is_told_the_places_covered(talk):
    turn = talk("Tôi ở Bắc Ninh, hộ nghèo được hỗ trợ gì?")
    assert turn["outcome"] == "places" and not turn["provisions"] and "Đức Phổ" in _text(turn)


def test_a_former_district_reaches_its_plan(talk):
    turn = talk("o quan go vap ho can ngheo co duoc ho tro the bhyt khong")
    assert turn["provisions"] == ["hcm-045"] and turn["outcome"] == "answer"
