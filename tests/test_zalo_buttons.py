"""Zalo quick-reply payloads: what a tap posts in the chat reads as Vietnamese, and comes back as Rasa's payload.
Pure functions: examples and properties."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from connectors.zalo_api import build_messages
from connectors.zalo_buttons import button_payload, locality_payload, needs_localities, rasa_message

INTENT_PAYLOADS = ["/more", "/ask_human", "/help", "/subscribe", "/list_subscriptions", "/unsubscribe"]
LOCALITIES = ["Thành phố Cần Thơ", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Huyện Càng Long", "Thị xã Đức Phổ"]


def test_rasa_intent_payloads_become_natural_phrases_in_the_chat():
    [message] = build_messages("Hộ nghèo được hỗ trợ 100% mệnh giá thẻ BHYT.", [
        {"title": "Xem thêm", "payload": "/more"}, {"title": "Chủ đề khác", "payload": "/help"},
        {"title": "Gặp cán bộ", "payload": "/ask_human"},
        {"title": "Đà Nẵng", "payload": '/choose_locality{"locality": "Đà Nẵng"}'}])
    payloads = [b["payload"] for b in message["attachment"]["payload"]["buttons"]]
    assert payloads == ["Xem thêm", "Chủ đề khác", "Gặp cán bộ", "Tôi ở Đà Nẵng"]
    assert not any(p.startswith("/") or "{" in p for p in payloads)


def test_a_tapped_phrase_reaches_rasa_as_the_intent_payload_it_stands_for():
    assert rasa_message("Xem thêm") == "/more"
    assert rasa_message("Gặp cán bộ") == "/ask_human"
    assert rasa_message("Chủ đề khác") == "/help"
    assert rasa_message("Tôi ở Đà Nẵng", LOCALITIES) == '/choose_locality{"locality": "Đà Nẵng"}'
    assert rasa_message("Tôi ở Thị xã Đức Phổ", LOCALITIES) == locality_payload("Thị xã Đức Phổ")


def test_following_listing_and_stopping_read_as_phrases_and_come_back_as_their_payloads():
    [message] = build_messages("Đã đăng ký.", [
        {"title": "Báo cho tôi khi chính sách này thay đổi", "payload": "/subscribe"},
        {"title": "Mục đang theo dõi", "payload": "/list_subscriptions"},
        {"title": "Hủy theo dõi", "payload": "/unsubscribe"}])
    payloads = [b["payload"] for b in message["attachment"]["payload"]["buttons"]]
    assert payloads == ["Báo cho tôi khi chính sách này thay đổi", "Mục đang theo dõi", "Hủy theo dõi"]
    assert rasa_message("hủy theo dõi") == "/unsubscribe"  # typed, in another case
    assert rasa_message("Mục đang theo dõi") == "/list_subscriptions"
    assert rasa_message("Báo cho tôi khi chính sách này thay đổi") == "/subscribe"


def test_the_same_phrase_typed_in_another_case_or_spacing_means_the_same():
    assert rasa_message("  gặp   CÁN bộ ") == "/ask_human"
    assert rasa_message("tôi ở đà nẵng", LOCALITIES) == '/choose_locality{"locality": "Đà Nẵng"}'


def test_questions_and_unknown_places_reach_rasa_as_typed():
    for text in ("Gặp cán bộ để hỏi về BHYT hộ nghèo", "Xem thêm chính sách học phí", "gap can bo",
                 "Tôi ở Hà Nội", "Tôi ở Đà Nẵng, hộ cận nghèo được hỗ trợ gì?", "/more"):
        assert rasa_message(text, LOCALITIES) == text


def test_locality_names_are_only_needed_for_a_locality_phrase():
    assert needs_localities("Tôi ở Đà Nẵng") and needs_localities("tôi ở")
    assert not needs_localities("Xem thêm") and not needs_localities("Hộ nghèo ở Đà Nẵng")


def test_an_intent_payload_without_a_phrase_falls_back_to_its_title_not_the_raw_payload():
    assert button_payload("/feedback_good", "Hữu ích") == "Hữu ích"
    assert button_payload('/choose_locality{"place": 1}', "Nơi khác") == "Nơi khác"
    assert button_payload("Chính sách bảo hiểm y tế", "Bảo hiểm y tế") == "Chính sách bảo hiểm y tế"


@given(st.sampled_from(INTENT_PAYLOADS) | st.sampled_from(LOCALITIES).map(locality_payload),
       st.text(max_size=20))
def test_every_known_payload_survives_the_round_trip_through_the_chat(payload, title):
    phrase = button_payload(payload, title)
    assert not phrase.startswith("/")
    assert rasa_message(phrase, LOCALITIES) == payload


@given(st.text())
def test_any_text_is_either_left_alone_or_turned_into_a_known_payload(text):
    result = rasa_message(text, LOCALITIES)
    assert result == text or result in {*INTENT_PAYLOADS, *map(locality_payload, LOCALITIES)}
