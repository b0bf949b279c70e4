"""Multi-turn conversations against the running assistant (Rasa server + action server on loopback)."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.conversation import send
from knowledge import admin
from knowledge.db import make_engine, transaction
from knowledge.models import Feedback, Question
from actions.reply_format import numbers_in as _numbers, unsourced_numbers
from knowledge.provision_search import ProvisionSearch

pytestmark = pytest.mark.slow


@pytest.fixture
def talk(assistant):
    base = f"http://127.0.0.1:{assistant.ports['rasa']}"
    sender = f"user-{uuid.uuid4().hex[:8]}"

    def say(text: str, **metadata):
        return send(base, sender, text, metadata or None, token=assistant.api_token)

    say.sender = sender
    return say


@pytest.fixture
def kb(assistant):
    return make_engine(assistant.settings.database_url)


def _text(turn) -> str:
    return "\n".join(r["text"] for r in turn["replies"])


def _buttons(turn):
    return [b for r in turn["replies"] for b in r["buttons"]]


def _questions(kb, sender_hash_of=None):
    with transaction(kb) as s:
        return s.execute(select(Question).order_by(Question.id)).scalars().all()


def test_greeting_offers_topics(talk):
    turn = talk("xin chào")
    assert turn["intent"] == "greet" and "Trợ lý chính sách xã hội" in _text(turn)
    assert {"Bảo hiểm y tế", "Học phí"} <= {b["title"] for b in _buttons(turn)}


def test_cited_answer_without_diacritics(talk):
    turn = talk("ho tro the bhyt cho ho can ngheo o sai gon")
    assert turn["provisions"] == ["hcm-045"]
    text = _text(turn)
    assert "50%" in text and "28-CTrHĐ/TU" in text and "08/11/2012" in text and "mục II.2.3" in text


def test_locality_is_asked_once_then_the_question_is_answered(talk):
    first = talk("khám chữa bệnh miễn phí cho trẻ em dưới 6 tuổi")
    assert "địa phương nào" in _text(first) and not first["provisions"]
    choices = {b["title"]: b["payload"] for b in _buttons(first)}
    assert len(choices) == 5 and "Thành phố Cần Thơ" in choices
    second = talk(choices["Thành phố Cần Thơ"])
    assert second["provisions"] == ["ct-044"]
    third = talk("con học sinh thì bảo hiểm y tế thế nào")
    assert third["provisions"] and third["provisions"][0].startswith("ct-")  # locality remembered


def test_changing_locality_answers_the_last_question_again(talk):
    first = talk("tỷ lệ bao phủ bảo hiểm y tế ở Đà Nẵng đến năm 2025")
    assert first["provisions"] == ["dn-013"]
    second = talk("còn ở Quảng Ngãi thì sao?")
    assert second["intent"] == "choose_locality"
    assert second["provisions"] and second["provisions"][0].startswith("dp-")
    assert "dự thảo" in _text(second)


def test_locality_without_a_matching_provision_offers_another_plan_labelled(talk):
    turn = talk("Càng Long có miễn giảm học phí cho học sinh hộ nghèo không")
    text = _text(turn)
    assert "Kế hoạch của Huyện Càng Long không nêu nội dung này" in text
    assert turn["provisions"] and not turn["provisions"][0].startswith("cl-")


def test_group_narrows_the_answer(talk):
    poor = talk("đồng chi trả chi phí khám chữa bệnh cho bệnh nhân nghèo ở tphcm")
    assistance = talk("đồng chi trả khám chữa bệnh cho đối tượng bảo trợ xã hội ở tphcm")
    assert poor["provisions"] == ["hcm-040"] and "15%" in _text(poor)
    assert assistance["provisions"] == ["hcm-060"] and "5%" in _text(assistance)


def test_target_question_cites_a_target(talk, kb):
    turn = talk("chỉ tiêu bao phủ BHYT của Đà Nẵng là bao nhiêu")
    assert turn["provisions"] == ["dn-013"] and "99%" in _text(turn)


def test_agency_question_names_who_is_responsible(talk):
    turn = talk("cơ quan nào chịu trách nhiệm về nhà ở xã hội ở Đà Nẵng")
    assert turn["provisions"] and "Sở Xây dựng" in _text(turn)


def test_comparison_cites_each_locality(talk):
    turn = talk("so sánh chính sách bảo hiểm y tế của Đà Nẵng và Cần Thơ")
    assert turn["intent"] == "compare_localities"
    text = _text(turn)
    assert "Thành phố Đà Nẵng:" in text and "Thành phố Cần Thơ:" in text
    assert {p[:3] for p in turn["provisions"]} == {"dn-", "ct-"}


def test_eligibility_screener_lists_cited_provisions_with_a_disclaimer(talk):
    turn = talk("tôi ở Cần Thơ, tôi được hưởng những chính sách gì?")
    assert turn["intent"] == "ask_eligibility"
    for choice in ("Hộ nghèo", "Đang đi học", "Không", "Không"):
        payload = {b["title"]: b["payload"] for b in _buttons(turn)}[choice]
        turn = talk(payload)
    text = _text(turn)
    assert "quyết định cuối cùng thuộc về cơ quan có thẩm quyền" in text
    assert turn["provisions"] and all(p.startswith("ct-") for p in turn["provisions"])
    assert "527/QĐ-UBND" in text


def test_more_shows_the_answer_whole_then_further_provisions(talk):
    first = talk("hỗ trợ cho hộ nghèo ở tphcm")
    assert "Xem thêm" in {b["title"] for b in _buttons(first)}
    whole = talk("/more")
    assert whole["provisions"] == first["provisions"] and "Toàn văn mục" in _text(whole)
    more = talk("/more")
    assert more["provisions"] and not set(more["provisions"]) & set(first["provisions"])


def test_unknown_question_is_declined_honestly_and_recorded(talk, kb):
    turn = talk("ở Đà Nẵng mức đóng phí gửi xe máy ở bệnh viện là bao nhiêu")
    assert not turn["provisions"] and "chưa tìm thấy" in _text(turn)
    recorded = [q for q in _questions(kb) if "gửi xe máy" in q.text]
    assert recorded and recorded[-1].answered == 0


def test_asking_for_a_person_records_a_handoff(talk, kb):
    talk("tôi ở Đà Nẵng")
    turn = talk("cho tôi gặp cán bộ")
    assert turn["intent"] == "ask_human" and "cán bộ" in _text(turn)
    assert any(q.handoff == 1 and q.text == "cho tôi gặp cán bộ" for q in _questions(kb))


def test_feedback_is_recorded(talk, kb):
    turn = talk("câu trả lời sai rồi bot ơi")
    assert turn["intent"] == "feedback"
    with transaction(kb) as s:
        assert any("sai rồi" in f.text for f in s.execute(select(Feedback)).scalars())


def test_questions_are_recorded_with_phone_and_id_numbers_masked(talk, kb):
    talk("tôi ở Cần Thơ, sđt 0912345678, cccd 079123456789, hộ nghèo được hỗ trợ tiền điện không")
    row = [q for q in _questions(kb) if "tiền điện" in q.text][-1]
    assert "0912345678" not in row.text and "079123456789" not in row.text and "********78" in row.text
    assert talk.sender not in row.sender_hash and len(row.sender_hash) == 64
    assert row.answered == 1 and row.provisions and row.channel == "rest"


def test_draft_plan_answer_warns_and_names_whom_to_ask(talk):
    turn = talk("Đức Phổ xây bao nhiêu căn hộ nhà ở xã hội")
    text = _text(turn)
    assert turn["provisions"] == ["dp-031"] and "300" in text
    assert text.splitlines()[-1] == "Lưu ý: đây là dự thảo, có thể đã thay đổi khi ban hành."
    details = _text(talk("/more"))  # whom to ask: behind "Xem thêm", with the provision whole
    assert "dự thảo" in details and "Ủy ban nhân dân thị xã Đức Phổ" in details


def test_summary_answer_says_it_is_a_summary(talk):
    turn = talk("tỷ lệ tham gia bảo hiểm y tế ở Trà Vinh phấn đấu bao nhiêu")
    assert turn["provisions"] and turn["provisions"][0].startswith("cl-") and "tóm tắt" in _text(turn)


@pytest.mark.parametrize("question", [
    "hộ cận nghèo ở Sài Gòn được hỗ trợ thẻ BHYT bao nhiêu",
    "ty le ho ngheo o da nang",
    "HOC SINH NGHEO O CAN THO CO DUOC MIEN HOC PHI KO",
    "nha tinh nghia cho gia dinh chinh sach o can tho",
    "Chị Lan ở ấp 3 hỏi là: thương binh ở Đà Nẵng được hỗ trợ nhà ở không?",
])
def test_every_number_in_an_answer_is_in_its_cited_provision(talk, kb, question):
    turn = talk(question)
    assert turn["provisions"], _text(turn)
    by_id = {h.id: h for h in ProvisionSearch(kb).index().hits_base}
    assert _numbers(_text(turn)) and not unsourced_numbers(_text(turn), [by_id[p] for p in turn["provisions"]])


def test_first_answer_is_short(talk):
    turn = talk("chính sách giảm nghèo ở Đà Nẵng")
    assert turn["provisions"] and len(turn["replies"][0]["text"]) <= 650


def test_an_admin_edit_is_live_in_chat_at_once(talk, kb):
    old = admin.show_provision(kb, "dn-013")
    admin.edit_provision(kb, "dn-013", {"text": old["text"] + " Thành phố ưu tiên người cao tuổi."}, by="lan")
    try:
        turn = talk("chỉ tiêu bao phủ bảo hiểm y tế Đà Nẵng 2025")
        assert "ưu tiên người cao tuổi" in _text(turn)
    finally:
        admin.edit_provision(kb, "dn-013", {"text": old["text"]}, by="lan")


def test_out_of_scope_thanks_goodbye_and_help(talk):
    assert "chỉ trả lời được các câu hỏi về chính sách" in _text(talk("giá vàng hôm nay thế nào"))
    assert talk("cảm ơn nhé")["intent"] == "thanks"
    assert talk("tạm biệt")["intent"] == "goodbye"
    assert "Gõ \"gặp cán bộ\"" in _text(talk("bot này làm được gì"))


def test_several_sentences_with_teencode_are_understood(talk):
    turn = talk("Chào bot. Nhà e ở tphcm, thuộc hộ cận nghèo. Mua thẻ bhyt có dc hỗ trợ ko ạ?")
    assert turn["provisions"] == ["hcm-045"]


def test_unknown_locality_button_flow_keeps_the_question(talk):
    first = talk("chính sách nhà ở xã hội cho công nhân")
    payload = {b["title"]: b["payload"] for b in _buttons(first)}["Thị xã Đức Phổ"]
    second = talk(payload)
    assert second["provisions"] and second["provisions"][0].startswith("dp-")


def _follow_up(kb, question_id: int):
    from knowledge.models import FollowUp
    with transaction(kb) as s:
        row = s.get(FollowUp, question_id)
        return None if row is None else (row.kind, row.channel, row.address, row.status)


def test_locality_change_typed_without_diacritics(talk):
    first = talk("chi tieu bao phu bhyt o da nang den nam 2025")
    assert first["provisions"] and first["provisions"][0].startswith("dn-")
    second = talk("con o can tho thi sao")
    assert second["intent"] == "choose_locality"
    assert second["provisions"] and second["provisions"][0].startswith("ct-")


def test_a_locality_given_first_is_kept_for_later_questions_on_other_topics(talk):
    noted = talk("tôi ở Đà Nẵng")
    assert not noted["provisions"]
    for question in ("nhà ở xã hội cho công nhân", "miễn giảm học phí cho học sinh"):
        turn = talk(question)
        assert "địa phương nào" not in _text(turn)
        assert turn["provisions"] and turn["provisions"][0].startswith("dn-"), question


def test_the_person_button_after_an_answer_hands_over_that_question_for_the_communes_staff(talk, kb):
    answer = talk("hỗ trợ cho hộ nghèo ở tphcm")
    payload = {b["title"]: b["payload"] for b in _buttons(answer)}["Gặp cán bộ"]
    talk(payload)
    row = [q for q in _questions(kb) if q.handoff][-1]
    assert row.text == "hỗ trợ cho hộ nghèo ở tphcm" and row.locality_key == "ho-chi-minh"
    assert _follow_up(kb, row.id) == ("handoff", "rest", None, "open")


def test_a_handoff_from_the_web_chat_keeps_where_staff_can_answer(talk, kb):
    talk("tôi ở Cần Thơ", channel="webchat", address="web-conv-1")
    talk("cho toi gap can bo", channel="webchat", address="web-conv-1")
    row = [q for q in _questions(kb) if q.handoff and q.text == "cho toi gap can bo"][-1]
    assert row.channel == "webchat" and row.locality_key == "can-tho"
    assert _follow_up(kb, row.id) == ("handoff", "webchat", "web-conv-1", "open")


def test_an_unanswered_question_waits_for_staff_with_its_reply_address(talk, kb):
    turn = talk("ở Đà Nẵng mức đóng phí gửi xe máy ở bệnh viện là bao nhiêu", channel="zalo", address="zalo-user-9")
    assert not turn["provisions"]
    row = [q for q in _questions(kb) if "gửi xe máy" in q.text and q.channel == "zalo"][-1]
    assert _follow_up(kb, row.id) == ("unanswered", "zalo", "zalo-user-9", "open")


def test_a_question_forwarded_by_staff_is_recorded_as_theirs_to_relay(talk, kb):
    turn = talk("Bác hỏi: hộ cận nghèo ở Cần Thơ mua thẻ BHYT được hỗ trợ bao nhiêu?", channel="telegram",
                address="42", forwarded_by="Chị Hoa")
    assert turn["provisions"] and turn["provisions"][0].startswith("ct-")
    row = [q for q in _questions(kb) if q.forwarded_by == "Chị Hoa"][-1]
    assert row.channel == "telegram" and row.answered == 1 and row.provisions == turn["provisions"]


def test_comparison_typed_without_diacritics(talk):
    turn = talk("so sanh chinh sach hoc phi cua can tho va da nang")
    assert turn["intent"] == "compare_localities"
    assert {p[:3] for p in turn["provisions"]} == {"dn-", "ct-"}


def test_screener_typed_without_diacritics_and_changed_locality(talk):
    talk("toi o can tho")
    turn = talk("toi o da nang, toi duoc huong chinh sach gi")
    assert turn["intent"] == "ask_eligibility"
    for choice in ("Hộ cận nghèo", "Trẻ em dưới 6 tuổi", "Không", "Không"):
        turn = talk({b["title"]: b["payload"] for b in _buttons(turn)}[choice])
    assert "quyết định cuối cùng thuộc về cơ quan có thẩm quyền" in _text(turn)
    assert turn["provisions"] and all(p.startswith("dn-") for p in turn["provisions"])


def test_rasa_s_api_answers_only_with_its_token(assistant):
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{assistant.ports['rasa']}"
    for path in ("/conversations/someone/tracker", "/status"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{base}{path}", timeout=10)
        assert refused.value.code == 401, path
        with urllib.request.urlopen(f"{base}{path}?token={assistant.api_token}", timeout=10) as allowed:
            assert allowed.status == 200, path
    turn = send(base, "token-check", "xin chào", token=assistant.api_token)  # the channel needs no token
    assert turn["replies"] and turn["intent"] == "greet"


@pytest.mark.parametrize("channel, address", [("telegram", "700100200"), ("zalo", "3141592653589"),
                                              ("webchat", "s-follow-test")])
def test_a_resident_follows_lists_and_stops_on_each_channel(talk, kb, channel, address):
    from knowledge import subscriptions
    meta = {"channel": channel, "address": address}
    answer = talk("Hộ cận nghèo ở Cần Thơ được hỗ trợ mua bảo hiểm y tế bao nhiêu?", **meta)
    assert {"title": "Báo cho tôi khi chính sách này thay đổi", "payload": "/subscribe"} in _buttons(answer)
    followed = talk("/subscribe", **meta)
    assert "Đã đăng ký: khi chính sách về bảo hiểm y tế ở Thành phố Cần Thơ thay đổi" in _text(followed)
    assert subscriptions.list_for(kb, channel, address) == [subscriptions.Followed("bhyt", "can-tho")]
    listed = talk("/list_subscriptions", **meta)
    assert "Bạn đang theo dõi:\n- chính sách về bảo hiểm y tế ở Thành phố Cần Thơ" in _text(listed)
    stopped = talk("huy theo doi", **meta)  # typed, without diacritics
    assert _text(stopped).startswith("Đã hủy theo dõi.")
    assert subscriptions.list_for(kb, channel, address) == []


def test_following_where_no_notice_can_be_delivered_is_explained(talk, kb):
    talk("Hộ cận nghèo ở Cần Thơ được hỗ trợ mua bảo hiểm y tế bao nhiêu?")
    assert "Kênh này chưa gửi được thông báo" in _text(talk("/subscribe"))


def test_the_screener_asks_the_locality_first_when_it_is_not_known_and_takes_typed_answers(talk):
    turn = talk("tôi được hưởng những gì?")
    assert turn["intent"] == "ask_eligibility"
    assert "Thành phố Đà Nẵng" in {b["title"] for b in _buttons(turn)}  # the locality comes first
    turn = talk({b["title"]: b["payload"] for b in _buttons(turn)}["Thành phố Đà Nẵng"])
    assert "Hộ gia đình bạn thuộc diện nào?" in _text(turn)
    for typed in ("ho ngheo", "Người cao tuổi", "khong", "có"):  # typed, not pressed
        turn = talk(typed)
    assert "quyết định cuối cùng thuộc về cơ quan có thẩm quyền" in _text(turn)
    assert turn["provisions"] and all(p.startswith("dn-") for p in turn["provisions"])


def test_a_question_during_the_screener_is_answered_and_the_screener_asks_again(talk):
    turn = talk("tôi ở Cần Thơ, tôi được hưởng những chính sách gì?")
    assert "Hộ gia đình bạn thuộc diện nào?" in _text(turn)
    turn = talk("Hộ cận nghèo ở Cần Thơ được hỗ trợ mua bảo hiểm y tế bao nhiêu?")
    assert turn["provisions"] and "527/QĐ-UBND" in _text(turn)  # answered, cited
    assert "Hộ gia đình bạn thuộc diện nào?" in _text(turn)  # and the screener's question again
    for choice in ("Hộ nghèo", "Đang đi học", "Không", "Không"):
        turn = talk({b["title"]: b["payload"] for b in _buttons(turn)}[choice])
    assert "quyết định cuối cùng thuộc về cơ quan có thẩm quyền" in _text(turn)


def test_a_goodbye_ends_the_screener(talk):
    talk("tôi ở Cần Thơ, tôi được hưởng những chính sách gì?")
    bye = talk("tạm biệt")
    assert bye["intent"] == "goodbye" and "Hộ gia đình" not in _text(bye)
    after = talk("Hộ cận nghèo ở Cần Thơ được hỗ trợ mua bảo hiểm y tế bao nhiêu?")
    assert after["provisions"] and "Hộ gia đình bạn thuộc diện nào?" not in _text(after)
