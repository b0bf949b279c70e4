"""Multi-turn conversations against the running assistant (Rasa server + action server on loopback).

Only what needs Rasa itself: the classifier reading typed text, the slots its mappings fill and its
tracker carries, the rules that route an intent to its action (/more, a comparison), the screener's form,
the REST channel and its metadata, the API token, and what the actions record (questions with numbers
masked, handoffs, feedback, follow-ups for staff). The answering behaviour is shown in process in
tests/test_dialogue_in_process.py."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from bot.conversation import send
from knowledge import admin
from knowledge.db import make_engine, transaction
from knowledge.models import Feedback, Question

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


def test_after_a_question_what_the_classifier_takes_for_a_goodbye_is_still_answered(talk):
    talk("Đà Nẵng đặt mục tiêu đến 2025 bao nhiêu % người lao động tham gia bảo hiểm xã hội?")
    follow = talk("vậy là ít nhất một nửa phải ko, còn bh thất nghiệp?")
    assert follow["provisions"][:1] == ["dn-012"]
    bye = talk("tạm biệt")
    assert bye["intent"] == "goodbye" and "Chào bạn" in _text(bye) and not bye["provisions"]


def test_a_question_that_comes_with_thanks_is_answered_and_thanks_alone_is_acknowledged(talk):
    assert talk("hộ nghèo ở Cần Thơ mua thẻ bảo hiểm y tế có được hỗ trợ không")["provisions"]
    thanked = talk("cảm ơn, thế còn hộ cận nghèo?")
    assert thanked["intent"] == "thanks" and thanked["provisions"][:1] == ["ct-039"]
    alone = talk("cảm ơn nhé")
    assert alone["intent"] == "thanks" and not alone["provisions"] and "Không có gì" in _text(alone)


def _follow_up(kb, question_id: int):
    from knowledge.models import FollowUp
    with transaction(kb) as s:
        row = s.get(FollowUp, question_id)
        return None if row is None else (row.kind, row.channel, row.address, row.status)


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
    turn = talk("Bác hỏi: hộ nghèo ở Cần Thơ có được hỗ trợ tiền điện không?", channel="telegram",
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
    answer = talk("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?", **meta)
    assert {"title": "Báo cho tôi khi chính sách này thay đổi", "payload": "/subscribe"} in _buttons(answer)
    followed = talk("/subscribe", **meta)
    assert "Đã đăng ký: khi chính sách về bảo hiểm y tế ở Thành phố Cần Thơ thay đổi" in _text(followed)
    assert subscriptions.list_for(kb, channel, address) == [subscriptions.Followed("bhyt", "can-tho")]
    listed = talk("/list_subscriptions", **meta)
    assert "Bạn đang theo dõi:\n- chính sách về bảo hiểm y tế ở Thành phố Cần Thơ" in _text(listed)
    stopped = talk("huy theo doi", **meta)  # typed, without diacritics
    assert _text(stopped).startswith("Đã hủy theo dõi.")
    assert subscriptions.list_for(kb, channel, address) == []


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
    turn = talk("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?")
    assert turn["provisions"] and "527/QĐ-UBND" in _text(turn)  # answered, cited
    assert "Hộ gia đình bạn thuộc diện nào?" in _text(turn)  # and the screener's question again
    for choice in ("Hộ nghèo", "Đang đi học", "Không", "Không"):
        turn = talk({b["title"]: b["payload"] for b in _buttons(turn)}[choice])
    assert "quyết định cuối cùng thuộc về cơ quan có thẩm quyền" in _text(turn)


def test_a_goodbye_ends_the_screener(talk):
    talk("tôi ở Cần Thơ, tôi được hưởng những chính sách gì?")
    bye = talk("tạm biệt")
    assert bye["intent"] == "goodbye" and "Hộ gia đình" not in _text(bye)
    after = talk("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?")
    assert after["provisions"] and "Hộ gia đình bạn thuộc diện nào?" not in _text(after)
