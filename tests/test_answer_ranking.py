"""Which provision a question gets: the intent's topic and kind and the named groups rank
provisions without hiding others, and a message that names a place can still be a question."""
from __future__ import annotations

from typing import Dict, List, Optional

import pytest

from actions import answering
from knowledge.provision_search import ProvisionSearch


@pytest.fixture
def search(kb_engine) -> ProvisionSearch:
    return ProvisionSearch(kb_engine)


def ask(search: ProvisionSearch, text: str, intent: Optional[str], locality: Optional[str] = None,
        groups: List[str] = (), slots: Optional[Dict] = None) -> answering.Reply:
    entities = [{"entity": "group", "value": g} for g in groups]
    if locality:
        entities.append({"entity": "locality", "value": locality})
    return answering.answer_question(answering.Turn(text, intent, entities, dict(slots or {})), search)


@pytest.mark.parametrize("text, intent, locality, expected", [
    # Parsed as a health-insurance question, but about drug prices in health facilities.
    ("Cần Thơ có kiểm soát giá thuốc ở các cơ sở y tế không?", "ask_health_insurance", "Cần Thơ", "ct-048"),
    # Parsed as a tuition question, but about building schools.
    ("Đà Nẵng có đầu tư trường học ở vùng nông thôn, miền núi không?", "ask_tuition", "Đà Nẵng", "dn-049"),
])
def test_the_intents_topic_does_not_hide_a_better_answer_on_another_topic(search, text, intent, locality, expected):
    assert ask(search, text, intent, locality).provisions == [expected]


def test_a_provision_off_the_intents_topic_that_covers_the_question_far_better_answers(search):
    # Parsed as a social-insurance question; Càng Long's provision on it says less than the jobs target.
    reply = ask(search, "Cho hỏi huyện Càng Long muốn kéo tỷ lệ thất nghiệp xuống còn bao nhiêu tới năm 2030?",
                "ask_social_insurance", "Càng Long")
    assert reply.outcome == "answer" and reply.provisions[:1] == ["cl-009"]


def test_a_named_group_does_not_hide_a_provision_tagged_with_another_group(search):
    # "Người lao động" is named first; the answer is tagged for the unemployed.
    reply = ask(search, "Người lao động ở Đà Nẵng thất nghiệp thì trợ cấp có trả qua ngân hàng không?",
                "ask_social_insurance", "Đà Nẵng", groups=["Người lao động"])
    assert reply.provisions == ["dn-114"]


def test_a_who_question_prefers_the_responsible_agency_to_the_measures(search):
    reply = ask(search, "Ai phụ trách việc làm cho người lao động ở Đà Nẵng?", "ask_agency", "Đà Nẵng")
    assert reply.provisions == ["dn-102"]


def test_a_question_not_asking_who_gets_what_is_done_before_the_agency_in_charge(search):
    # The agency's provision ("Sở Thông tin và Truyền thông chủ trì … cho vùng đồng bào dân tộc thiểu số") shares
    # as many words as the measure.
    reply = ask(search, "Đà Nẵng có gì cho đồng bào dân tộc về thông tin không", "ask_policy", "Đà Nẵng")
    assert reply.outcome == "answer" and search.index().by_id[reply.provisions[0]].kind != "agency"
    # one that only says who is in charge ("Sở Xây dựng chủ trì … phòng chống mặn") gives way the more
    reply = ask(search, "Đà Nẵng làm gì để nước sinh hoạt không bị nhiễm mặn?", "ask_clean_water", "Đà Nẵng")
    assert reply.provisions[:1] == ["dn-084"]
    # "ai hướng dẫn …" asks who, and gets the bodies that guide
    reply = ask(search, "Ở Cần Thơ ai hướng dẫn doanh nghiệp làm đúng chế độ cho công nhân?", "ask_policy", "Cần Thơ")
    assert reply.provisions[:1] == ["ct-059"]


def test_a_question_asking_for_a_list_gets_the_provision_that_lists_before_one_item(search):
    # ct-026 is one of the groups of policies (water), ct-019 lists them all
    reply = ask(search, "Người nghèo ở Cần Thơ được hưởng các nhóm chính sách nào?", "ask_poverty", "Cần Thơ")
    assert reply.provisions[:1] == ["ct-019"]


def test_a_target_question_stays_in_the_users_plan(search):
    reply = ask(search, "Càng Long phấn đấu về nước sạch ra sao", "ask_target", "Càng Long")
    assert reply.provisions == ["cl-024"]


def test_a_loose_match_off_the_topic_gives_way_to_another_plan_on_the_topic(search):
    # Càng Long's plan says nothing on tuition; a poverty provision there shares only a few words.
    reply = ask(search, "Càng Long có miễn giảm học phí cho học sinh hộ nghèo không", "ask_tuition", "Càng Long",
                groups=["học sinh", "hộ nghèo"])
    assert reply.provisions and not reply.provisions[0].startswith("cl-")
    assert "Kế hoạch của Huyện Càng Long không nêu nội dung này" in reply.messages[0]["text"]
    assert reply.outcome == "related"  # another plan's provision is related, not the answer


def test_words_that_name_a_group_count_as_covered_by_its_provisions(search):
    # ct-039 says "người cao tuổi", the question "người già": the same group.
    hits, _ = search.index().search("người già bảo hiểm y tế", ["can-tho"], limit=10)
    assert next(h for h in hits if h.id == "ct-039").coverage == pytest.approx(1.0)


def test_a_message_that_names_a_place_and_asks_something_is_answered(search):
    reply = ask(search, "Tôi ở Đà Nẵng, thành phố có xây chung cư nhà ở xã hội cho người có công không?",
                "choose_locality", "Đà Nẵng")
    assert reply.is_question and reply.provisions[0] in {"dn-030", "dn-080"}
    assert reply.slots["locality"] == "Thành phố Đà Nẵng"  # the plan's own name


def test_choosing_a_place_alone_is_noted_not_answered(search):
    reply = ask(search, "đổi địa phương sang Đà Nẵng", "choose_locality", "Đà Nẵng")
    assert not reply.is_question and not reply.provisions
    assert reply.slots == {"locality": "Thành phố Đà Nẵng"}


def test_choosing_a_place_after_a_question_asks_that_question_there(search):
    last = "hộ nghèo có được hỗ trợ thiết bị nghe nhìn không"
    reply = ask(search, "còn ở Đà Nẵng thì chính sách đó ra sao", "choose_locality", "Đà Nẵng",
                slots={"locality": "Cần Thơ", "last_question": last, "last_intent": None})
    assert reply.locality_key == "da-nang" and reply.slots["last_question"] == last
    assert reply.provisions == ["dn-089"]


def test_a_district_the_plan_names_is_answered_from_its_citys_plan(search):
    reply = ask(search, "Học sinh ở huyện Cần Giờ có được miễn học phí không?", "ask_tuition")
    assert reply.locality_key == "ho-chi-minh"
    assert reply.provisions and reply.provisions[0].startswith("hcm-")


def test_a_topic_named_only_in_words_that_fold_as_particles_still_says_what_is_asked(search):
    # "nhà" folds as the particle "nha": the housing topic alone says the question is on housing, so a provision
    # naming the poor and programmes but not housing is not the answer
    reply = ask(search, "TP.HCM có chương trình nhà ở gì cho người nghèo không?", "ask_social_housing", "TP Hồ Chí Minh")
    assert reply.outcome == "answer" and reply.provisions[:1] == ["hcm-077"]


def test_a_topic_named_in_words_common_everywhere_still_says_what_is_asked(search):
    # "nhà": the word folds as a particle, so the housing topic alone says what the question is on; asked when,
    # the target for makeshift houses answers, not the plan's general programme
    slots: Dict = {}
    first = ask(search, "Nhà tôi hộ cận nghèo, nhà cũ dột hết rồi, chỗ mình có chương trình gì về nhà không?",
                "ask_social_housing", "Đức Phổ")
    slots.update(first.slots)
    reply = ask(search, "bao giờ làm xong?", "ask_time", slots=slots)
    assert reply.outcome == "answer" and reply.provisions[:1] == ["dp-032"]  # "Đến năm 2030, xóa bỏ … nhà tạm"
