"""Zalo events, signatures and outgoing message shapes: pure functions, examples and properties."""
from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors import channel_texts as T
from connectors.zalo_api import build_messages
from connectors.zalo_events import (AttachmentMessage, Follow, OAEcho, SilentEvent, TextMessage, Unfollow,
                                    UnknownEvent, ZaloEventError, event_from_dict, parse_event)
from connectors.zalo_signature import (BadSignature, MissingSignature, SignatureError, UnreadableBody, compute_mac,
                                       signature_matches, verify_request)

APP_ID = "2553928453557884079"
SECRET = "oa-secret-key"


def text_event(text="Cho tôi hỏi về BHYT", msg_id="cb31dff1c39642cc1b83", timestamp="1699003881354"):
    return {"event_name": "user_send_text", "app_id": APP_ID, "sender": {"id": "8412345"},
            "recipient": {"id": "579745863508352884"}, "message": {"text": text, "msg_id": msg_id},
            "timestamp": timestamp, "user_id_by_app": "979122185046046317"}


def body_of(event) -> bytes:
    return json.dumps(event, ensure_ascii=False).encode("utf-8")


def header_for(body: bytes, app_id=APP_ID, timestamp=None, secret=SECRET) -> str:
    timestamp = timestamp if timestamp is not None else json.loads(body)["timestamp"]
    return "mac=" + compute_mac(app_id, body, str(timestamp), secret)


# --- events -----------------------------------------------------------------------------------------------

def test_text_message_from_the_documented_example():
    event = parse_event(body_of(text_event()))
    assert event == TextMessage(sender_id="8412345", msg_id="cb31dff1c39642cc1b83", text="Cho tôi hỏi về BHYT",
                                timestamp_ms=1699003881354, oa_id="579745863508352884")


def test_reply_to_carries_the_quoted_message_id():
    event = text_event()
    event["message"]["quote_msg_id"] = "abc"
    assert parse_event(body_of(event)).quote_msg_id == "abc"


@pytest.mark.parametrize("name, attachment", [("user_send_image", "image"), ("user_send_sticker", "sticker"),
                                              ("user_send_audio", "audio"), ("user_send_location", "location"),
                                              ("user_send_file", "file"), ("user_send_gif", "gif")])
def test_attachments_are_recognised(name, attachment):
    event = {"event_name": name, "app_id": APP_ID, "sender": {"id": "8412345"}, "timestamp": "1699003881354",
             "message": {"msg_id": "m1", "attachments": [{"type": attachment, "payload": {"url": "https://x"}}]}}
    assert parse_event(body_of(event)) == AttachmentMessage(name, "8412345", "m1", (attachment,), 1699003881354)


def test_follow_and_unfollow_name_the_follower():
    follow = {"event_name": "follow", "app_id": APP_ID, "oa_id": "579745863508352884", "follower": {"id": "77"},
              "source": "oa_profile", "timestamp": "1699003881354"}
    assert parse_event(body_of(follow)) == Follow("77", 1699003881354, "579745863508352884")
    assert parse_event(body_of({**follow, "event_name": "unfollow"})) == Unfollow("77", 1699003881354,
                                                                                  "579745863508352884")


def test_echoes_receipts_and_unknown_events_are_told_apart():
    echo = {"event_name": "oa_send_text", "sender": {"id": "oa", "admin_id": "admin"}, "message": {"text": "x"}}
    assert parse_event(body_of(echo)) == OAEcho("oa_send_text")
    assert parse_event(body_of({"event_name": "user_seen_message"})) == SilentEvent("user_seen_message")
    assert parse_event(body_of({"event_name": "user_send_hologram"})) == UnknownEvent("user_send_hologram")


@pytest.mark.parametrize("body", [b"", b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 100_000,
                                  b'{"event_name": 3}', b'{"app_id": "1"}'])
def test_malformed_bodies_raise_a_clear_error(body):
    with pytest.raises(ZaloEventError):
        parse_event(body)


@pytest.mark.parametrize("change", [
    lambda e: e.pop("sender"), lambda e: e["sender"].pop("id"), lambda e: e["message"].pop("msg_id"),
    lambda e: e["message"].pop("text"), lambda e: e.update(timestamp="yesterday"),
    lambda e: e["message"].update(text=["list"]), lambda e: e["sender"].update(id="9" * 200),
    lambda e: e.update(message="hello"), lambda e: e.update(timestamp=True)])
def test_text_message_missing_what_we_need_is_malformed(change):
    event = text_event()
    change(event)
    with pytest.raises(ZaloEventError):
        event_from_dict(event)


@given(st.text())
def test_any_unicode_text_arrives_unchanged(text):
    assert parse_event(body_of(text_event(text=text))).text == text


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20)
EVENT_NAMES = st.sampled_from(["user_send_text", "user_send_image", "user_send_sticker", "follow", "unfollow",
                               "oa_send_text", "user_seen_message"]) | st.text()


@given(JSON)
def test_arbitrary_json_gives_an_event_or_the_parser_error(value):
    try:
        parse_event(json.dumps(value).encode())
    except ZaloEventError:
        pass


@given(EVENT_NAMES, st.dictionaries(st.sampled_from(["sender", "follower", "message", "timestamp", "recipient",
                                                     "app_id", "oa_id"]), JSON))
def test_event_shaped_json_with_arbitrary_fields_never_crashes_the_parser(name, fields):
    try:
        event = parse_event(json.dumps({"event_name": name, **fields}).encode())
    except ZaloEventError:
        return
    if isinstance(event, TextMessage):
        assert event.sender_id and event.msg_id and isinstance(event.text, str)


@given(st.binary())
def test_arbitrary_bytes_give_an_event_or_the_parser_error(raw):
    try:
        parse_event(raw)
    except ZaloEventError:
        pass


# --- signatures -------------------------------------------------------------------------------------------

def test_signature_is_sha256_of_app_id_body_timestamp_and_oa_secret():
    body = body_of(text_event())
    expected = __import__("hashlib").sha256(APP_ID.encode() + body + b"1699003881354" + SECRET.encode()).hexdigest()
    assert compute_mac(APP_ID, body, "1699003881354", SECRET) == expected
    assert signature_matches("mac=" + expected, APP_ID, body, "1699003881354", SECRET)
    assert signature_matches("mac=" + expected.upper(), APP_ID, body, "1699003881354", SECRET)


def test_a_signed_request_passes_whatever_its_age_and_an_unsigned_one_fails():
    for age_s in (0, 30 * 60, 3 * 24 * 3600):  # Zalo redelivers late after an outage: age is no signature matter
        body = body_of(text_event(timestamp=str(int((time.time() - age_s) * 1000))))
        verify_request(body, header_for(body), SECRET)
    with pytest.raises(MissingSignature):
        verify_request(body, None, SECRET)
    with pytest.raises(MissingSignature):
        verify_request(body, "sha256=abc", SECRET)
    with pytest.raises(BadSignature):
        verify_request(body, header_for(body, secret="the app secret, not the OA key"), SECRET)
    with pytest.raises(UnreadableBody):
        verify_request(b"{oops", "mac=00", SECRET)


def test_a_non_ascii_signature_header_is_simply_wrong():
    body = body_of(text_event())
    assert not signature_matches("mac=đúng rồi", APP_ID, body, "1699003881354", SECRET)


@given(st.text(), st.binary(), st.text(), st.text(min_size=1), st.data())
def test_any_change_of_body_or_timestamp_breaks_the_signature(app_id, body, timestamp, secret, data):
    header = "mac=" + compute_mac(app_id, body, timestamp, secret)
    assert signature_matches(header, app_id, body, timestamp, secret)
    if body:
        i = data.draw(st.integers(0, len(body) - 1))
        flipped = body[:i] + bytes([body[i] ^ data.draw(st.integers(1, 255))]) + body[i + 1:]
        assert not signature_matches(header, app_id, flipped, timestamp, secret)
    other_body = data.draw(st.binary().filter(lambda b: b != body))
    assert not signature_matches(header, app_id, other_body, timestamp, secret)
    other_time = data.draw(st.text().filter(lambda t: t != timestamp))
    assert not signature_matches(header, app_id, body, other_time, secret)


@settings(max_examples=60)
@given(st.text(), st.integers(0, 10 ** 13), st.text(min_size=1), st.integers(0, 10 ** 13))
def test_a_tampered_event_is_refused(new_text, new_timestamp, original, now_ms):
    event = text_event(text=original, timestamp=str(now_ms))
    body = body_of(event)
    header = header_for(body)
    if new_text != original:
        with pytest.raises(SignatureError):
            verify_request(body_of(text_event(text=new_text, timestamp=str(now_ms))), header, SECRET)
    if new_timestamp != now_ms:
        with pytest.raises(SignatureError):
            verify_request(body_of(text_event(text=original, timestamp=str(new_timestamp))), header, SECRET)


# --- outgoing messages ------------------------------------------------------------------------------------

def test_buttons_become_query_show_buttons_at_most_four_a_message():
    buttons = [{"title": f"Lựa chọn {i}", "payload": f"Chính sách số {i}"} for i in range(6)]
    messages = build_messages("Bạn muốn hỏi về chính sách nào?", buttons)
    assert [m["text"] for m in messages] == ["Bạn muốn hỏi về chính sách nào?", T.ZALO_MORE_CHOICES]
    first, second = (m["attachment"]["payload"]["buttons"] for m in messages)
    assert len(first) == 4 and len(second) == 2
    assert first[0] == {"title": "Lựa chọn 0", "type": "oa.query.show", "payload": "Chính sách số 0"}
    assert all(m["attachment"]["type"] == "template" for m in messages)


def test_long_titles_are_shortened_and_overlong_payloads_fall_back_to_the_title():
    [message] = build_messages("Chọn:", [{"title": "Đ" * 150, "payload": "x" * 1001}])
    [button] = message["attachment"]["payload"]["buttons"]
    assert len(button["title"]) == 100 and button["title"].endswith("…")
    assert button["payload"] == button["title"]


def test_long_text_is_split_at_2000_with_buttons_on_the_last_piece():
    text = "\n".join(f"Dòng {i}: " + "chính sách xã hội " * 10 for i in range(40))
    messages = build_messages(text, [{"title": "Có", "payload": "#yes"}])
    assert len(messages) > 1 and all(len(m["text"]) <= 2000 for m in messages)
    assert [("attachment" in m) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert " ".join(m["text"] for m in messages).split() == text.split()
