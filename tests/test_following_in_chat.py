"""Following policies from the chat, in process: an answer offers to follow its policy, the button follows
the answer's topic in its plan's locality, the list shows what is followed, and a stop ("hủy theo dõi",
/huy, the button) deletes everything at once, before the next notice."""
from __future__ import annotations

from typing import Dict

import pytest

from actions import answering, subscribing
from actions import templates as T
from connectors import outbox
from knowledge import admin, notices
from knowledge import subscriptions as subs
from test_dialogue_in_process import Chat, text_of

TELEGRAM = subscribing.Address("telegram", "4242")


def buttons_of(reply: answering.Reply) -> Dict[str, str]:
    return {b["title"]: b["payload"] for m in reply.messages for b in m.get("buttons") or []}


def test_an_answer_offers_to_follow_its_policy_and_the_button_follows_its_topic_in_its_locality(kb_engine):
    chat = Chat(kb_engine, TELEGRAM)
    answer = chat.say("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?")
    assert answer.outcome == "answer"
    assert buttons_of(answer)[T.BUTTON_FOLLOW] == "/subscribe"
    followed = chat.say("/subscribe", "subscribe")
    assert subs.list_for(kb_engine, "telegram", "4242") == [subs.Followed("bhyt", "can-tho")]
    assert "Đã đăng ký: khi chính sách về bảo hiểm y tế ở Thành phố Cần Thơ thay đổi" in text_of(followed)
    assert buttons_of(followed)[T.BUTTON_UNFOLLOW] == "/unsubscribe"
    again = chat.say("/subscribe", "subscribe")
    assert "Bạn đã theo dõi" in text_of(again)
    assert len(subs.list_for(kb_engine, "telegram", "4242")) == 1


def test_the_list_shows_what_is_followed_and_offers_the_stop(kb_engine):
    chat = Chat(kb_engine, TELEGRAM)
    assert text_of(chat.say("/list_subscriptions", "list_subscriptions")) == T.FOLLOWING_NONE
    chat.say("Học sinh hộ nghèo ở Đà Nẵng có được miễn học phí không?")
    chat.say("báo cho tôi khi có thay đổi nhé")
    listed = chat.say("tôi đang theo dõi những gì", "list_subscriptions")
    assert text_of(listed).startswith(T.FOLLOWING_HEADER + "\n- chính sách về ")
    assert "ở Thành phố Đà Nẵng" in text_of(listed)
    assert buttons_of(listed)[T.BUTTON_UNFOLLOW] == "/unsubscribe"


@pytest.mark.parametrize("stop", ["hủy theo dõi", "huy theo doi", "Ngừng nhận thông báo", "/unsubscribe",
                                  "thôi, tắt thông báo đi"])
def test_a_stop_in_any_form_deletes_every_subscription_in_one_step(kb_engine, stop):
    subs.subscribe(kb_engine, "telegram", "4242", "bhyt", "can-tho")
    subs.subscribe(kb_engine, "telegram", "4242", None, "da-nang")
    reply = Chat(kb_engine, TELEGRAM).say(stop, "unsubscribe" if stop.startswith("/") else None)
    assert text_of(reply) == T.UNFOLLOWED
    assert subs.list_for(kb_engine, "telegram", "4242") == []
    assert text_of(Chat(kb_engine, TELEGRAM).say("hủy theo dõi")) == T.UNFOLLOW_NOTHING


def test_the_stop_takes_effect_before_a_notice_already_queued_goes_out(kb_engine):
    chat = Chat(kb_engine, TELEGRAM)
    chat.say("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?")
    chat.say("/subscribe", "subscribe")
    record = admin.show_provision(kb_engine, "ct-035")
    admin.edit_provision(kb_engine, "ct-035", {"text": record["text"] + " Áp dụng từ năm 2026."}, by="lan")
    assert notices.prepare_broadcasts(kb_engine)  # the notice waits in the outbox
    chat.say("hủy theo dõi")
    assert outbox.due_parts(kb_engine, "telegram") == []


@pytest.mark.parametrize("question", [
    "Cơ quan nào theo dõi việc thực hiện kế hoạch ở Cần Thơ?",
    "Đà Nẵng theo dõi hộ cận nghèo thế nào?",
    "ai theo dõi chỉ tiêu bảo hiểm y tế",
    "con tôi không đăng ký bhyt được không",
    "hủy đăng ký hộ nghèo ở đâu",
])
def test_a_policy_question_with_follow_words_is_answered_not_taken_for_a_command(kb_engine, question):
    turn = answering.Turn(question, None, [], {})
    assert subscribing.command(turn) is None


@pytest.mark.parametrize("text", ["công nhân thì sao", "còn người khuyết tật ra sao"])
def test_a_short_follow_up_the_classifier_took_for_following_is_no_command(text):
    assert subscribing.command(answering.Turn(text, "subscribe", [], {})) is None
    assert subscribing.command(answering.Turn("theo dõi cái này", "subscribe", [], {})) == "subscribe"


def test_following_before_any_answer_follows_the_residents_locality_or_says_how(kb_engine):
    assert text_of(Chat(kb_engine, TELEGRAM).say("/subscribe", "subscribe")) == T.FOLLOW_NEEDS_ANSWER
    chat = Chat(kb_engine, TELEGRAM)
    chat.slots["locality"] = "Đà Nẵng"
    reply = chat.say("/subscribe", "subscribe")
    assert "mọi chính sách ở Thành phố Đà Nẵng" in text_of(reply)
    assert subs.list_for(kb_engine, "telegram", "4242") == [subs.Followed(None, "da-nang")]


def test_a_channel_that_cannot_deliver_notices_says_so_and_stores_nothing(kb_engine):
    chat = Chat(kb_engine, where=subscribing.address_of({"channel": "rest"}))
    chat.say("Hộ cận nghèo ở Cần Thơ có được hỗ trợ mua bảo hiểm y tế không?")
    assert text_of(chat.say("/subscribe", "subscribe")) == T.FOLLOW_NO_CHANNEL
    assert subs.counts(kb_engine) == []
