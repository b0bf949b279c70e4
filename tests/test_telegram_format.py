"""Rasa replies become Telegram messages: split under the limit, buttons with short callback data,
answers for staff to relay."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Chat, MessageOriginChannel, MessageOriginChat, MessageOriginHiddenUser, MessageOriginUser, User

from connectors.channel_texts import RELAY_PREFIX, TELEGRAM_CHOOSE_LOCALITY
from connectors.platform_constants import TELEGRAM_CALLBACK_DATA_LIMIT, TELEGRAM_TEXT_LIMIT
from connectors.rasa_client import BotReply
from connectors.reply_splitter import split_text
from connectors.telegram_format import (KEY_PREFIX, CallbackKeys, forward_origin_key, keyboard, locality_payload,
                                        locality_prompt, relay_messages, reply_messages, split_message,
                                        utf16_length)

LOCALITIES = ("Thành phố Cần Thơ", "Thành phố Hồ Chí Minh", "Thành phố Đà Nẵng", "Huyện Càng Long",
              "Thị xã Đức Phổ")
BMP = st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",))
SEPARATORS = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", ". ", "! ", "\r\n", "\u00a0", "\u2028"])


def wordy(alphabet=st.characters()):
    """Words and whitespace of every kind, so the boundaries are exercised and not only long words."""
    return st.lists(st.one_of(st.text(alphabet, min_size=1, max_size=12), SEPARATORS), max_size=60).map("".join)


def _bytes(data: str) -> int:
    return len(data.encode("utf-8"))


EMOJI_WORDS = ("Hộ", "cận", "nghèo", "👨‍👩‍👧", "được", "hỗ", "trợ", "70%", "💰💰", "mức", "đóng", "thẻ", "BHYT", "🏥🏥",
               "🇻🇳.", "Liên", "hệ", "📞", "UBND", "🎓", "phường", "😀😀😀.")


def words_of_length(units: int, vocabulary: Sequence[str] = EMOJI_WORDS) -> str:
    """Words from ``vocabulary`` and a last filler word, exactly ``units`` UTF-16 code units long."""
    words = []
    while utf16_length(" ".join(words)) < units - 40:
        words.append(vocabulary[len(words) % len(vocabulary)])
    words.append("x" * (units - utf16_length(" ".join(words)) - 1))
    return " ".join(words)


def fewest_pieces(text: str, limit: int) -> int:
    """The fewest pieces of whole words within the limit: filling each piece as full as it goes."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    pieces, first = 0, 0
    while first < len(words):
        last = first
        while last + 1 < len(words) and utf16_length(text[words[first][0]:words[last + 1][1]]) <= limit:
            last += 1
        pieces, first = pieces + 1, last + 1
    return pieces


# --- splitting at the length limit (property-based, arbitrary Unicode) ------------------------

@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(), wordy()), st.integers(min_value=2, max_value=80))
def test_every_piece_fits_and_none_is_blank(text, limit):
    pieces = split_message(text, limit)
    assert all(utf16_length(p) <= limit for p in pieces)
    assert all(p.strip() for p in pieces)  # Telegram refuses an empty message


@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(), wordy()), st.integers(min_value=2, max_value=80))
def test_no_character_is_lost_added_or_reordered(text, limit):
    pieces = split_message(text, limit)
    assert "".join("".join(pieces).split()) == "".join(text.split())


@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(BMP), wordy(BMP)), st.integers(min_value=0, max_value=40))
def test_words_come_back_in_order_when_pieces_are_joined(text, extra):
    # Only a word longer than the limit may be cut: with the limit at least the longest word, none is.
    words = text.split()
    limit = max([2] + [len(w) for w in words]) + extra
    pieces = split_message(text, limit)
    assert " ".join(pieces).split() == words
    assert "\n".join(pieces).split() == words


@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(), wordy()), st.integers(min_value=0, max_value=40))
def test_words_with_emoji_are_not_cut_when_half_the_limit_holds_them(text, extra):
    # Characters outside the BMP count twice; a word of at most half the limit always survives.
    words = text.split()
    limit = 2 * max([1] + [len(w) for w in words]) + extra
    assert " ".join(split_message(text, limit)).split() == words


@settings(max_examples=250, deadline=None)
@given(st.one_of(st.text(), wordy()), st.integers(min_value=0, max_value=40))
def test_a_reply_takes_the_fewest_messages_its_words_allow(text, extra):
    limit = max([2] + [utf16_length(w) for w in text.split()]) + extra
    assert len(split_message(text, limit)) == fewest_pieces(text, limit)


SHORT_WORD = st.text(st.characters(blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=6)


@settings(max_examples=250, deadline=None)
@given(st.lists(st.tuples(SHORT_WORD, st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "! "])), min_size=1,
                max_size=400), st.integers(min_value=60, max_value=300))
def test_no_message_is_a_scrap_when_words_are_short(parts, limit):
    pieces = split_message("".join(word + space for word, space in parts), limit)
    sizes = [utf16_length(p) for p in pieces]
    assert min(sizes) >= 0.5 * sum(sizes) / len(sizes)


def test_an_emoji_heavy_8000_unit_reply_is_two_messages_of_about_equal_size():
    text = words_of_length(8000)
    assert utf16_length(text) == 8000 and utf16_length(text) - len(text) > 1000  # over 1,000 emoji code points
    pieces = split_message(text)
    sizes = [utf16_length(p) for p in pieces]
    assert len(pieces) == 2 and max(sizes) <= TELEGRAM_TEXT_LIMIT
    assert min(sizes) >= 0.75 * max(sizes)
    assert " ".join(pieces).split() == text.split()
    for piece in pieces:
        piece.encode("utf-16-le")  # strict: no half of a surrogate pair


def test_a_reply_just_over_the_limit_is_cut_in_halves_not_into_a_full_message_and_a_scrap():
    text = words_of_length(TELEGRAM_TEXT_LIMIT + 4, ("chính", "sách", "xã", "hội."))
    pieces = split_message(text)
    assert len(pieces) == 2
    assert min(utf16_length(p) for p in pieces) >= 0.45 * utf16_length(text)
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize("strong, weaker", [("\n\n", ["\n", ". ", " "]), ("\n", [". ", " "]), (". ", [" "])])
def test_the_cut_is_at_the_most_natural_boundary_near_the_middle(strong, weaker):
    # Weaker boundaries surround the middle, a strong one is just before it and another far after it
    # (where filling the first message to the limit would cut).
    def words(n: int) -> str:
        return " ".join(["trợ", "cấp", "xã", "hội"] * n)

    middle = "mức" + "".join(f"{space}mức" for space in weaker * 3)
    first, second = words(220) + strong, middle + " " + words(50) + strong + words(170)
    text = first + second
    assert 1.5 * TELEGRAM_TEXT_LIMIT < utf16_length(text) <= 2 * TELEGRAM_TEXT_LIMIT
    assert utf16_length(first + second.split(strong)[0]) < TELEGRAM_TEXT_LIMIT
    assert split_message(text) == [first.rstrip(), second]


def test_an_over_long_word_is_cut_only_between_whole_characters():
    # Emoji sequences, a flag, and Vietnamese written with combining accents (as some keyboards send it).
    word = ("👨‍👩‍👧" + unicodedata.normalize("NFD", "Nghịđịnh") + "🇻🇳" + "❤️") * 40
    for limit in range(8, 40):
        pieces = split_message(word, limit)
        assert "".join(pieces) == word
        for piece in pieces:
            assert utf16_length(piece) <= limit
            assert not unicodedata.combining(piece[0]) and piece[0] not in "\u200d\ufe0f" and piece[-1] != "\u200d"
            assert sum(0x1F1E6 <= ord(c) <= 0x1F1FF for c in piece) % 2 == 0  # no flag cut in two


def test_the_length_measure_is_a_parameter_characters_by_default():
    text = " ".join(["😀"] * 1500)  # 2,999 characters, 4,499 UTF-16 code units
    by_characters, by_units = split_text(text, 2000), split_text(text, 2000, utf16_length)
    assert len(by_characters) == 2 and all(len(p) <= 2000 for p in by_characters)
    assert len(by_units) == 3 and all(utf16_length(p) <= 2000 for p in by_units)


def test_a_10000_character_answer_becomes_three_messages_cut_between_words():
    words = []
    while len(" ".join(words)) < 10_000 - 20:
        words.append(f"chính-sách-{len(words)}")
    words.append("x" * (10_000 - len(" ".join(words)) - 1))
    text = " ".join(words)
    assert len(text) == 10_000
    pieces = split_message(text)
    assert len(pieces) == 3
    assert all(len(p) <= TELEGRAM_TEXT_LIMIT for p in pieces)
    assert " ".join(pieces).split() == words


def test_emoji_count_twice_against_the_limit():
    text = " ".join(["😀😀😀"] * 1000)  # 3,999 characters, 6,999 UTF-16 code units
    pieces = split_message(text)
    assert len(text) < TELEGRAM_TEXT_LIMIT < utf16_length(text)
    assert len(pieces) == 2 and all(utf16_length(p) <= TELEGRAM_TEXT_LIMIT for p in pieces)


def test_a_short_answer_is_one_message_unchanged():
    assert split_message("Xin chào!\n\nTôi giúp gì được cho bạn?") == ["Xin chào!\n\nTôi giúp gì được cho bạn?"]
    assert split_message("  \n ") == []


# --- buttons and callback data -----------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1))
def test_any_payload_gets_callback_data_that_fits_and_resolves_back(payload):
    keys = CallbackKeys()
    data = keys.key_for(payload)
    assert 1 <= _bytes(data) <= TELEGRAM_CALLBACK_DATA_LIMIT
    assert keys.payload_for(data) == payload


def test_short_payloads_are_sent_as_they_are():
    keys = CallbackKeys()
    assert keys.key_for("/help") == "/help"
    assert keys.key_for("Chính sách bảo hiểm y tế") == "Chính sách bảo hiểm y tế"


def test_long_payloads_get_the_same_key_after_a_restart_but_need_registering_to_resolve():
    payload = '/screener_answer{"answer": "người cao tuổi sống một mình ở Thành phố Hồ Chí Minh"}'
    assert _bytes(payload) > TELEGRAM_CALLBACK_DATA_LIMIT
    before, after = CallbackKeys(), CallbackKeys()
    key = before.key_for(payload)
    assert key.startswith(KEY_PREFIX)
    assert after.payload_for(key) is None  # an unknown key: the bot says the button has expired
    assert after.key_for(payload) == key and after.payload_for(key) == payload


def test_the_key_map_forgets_the_oldest_payloads_beyond_its_capacity():
    keys = CallbackKeys(capacity=2)
    first, second, third = (keys.key_for("x" * 100 + str(i)) for i in range(3))
    assert keys.payload_for(first) is None
    assert keys.payload_for(second) and keys.payload_for(third)


def test_locality_payloads_are_the_ones_rasa_sends():
    assert locality_payload("Thị xã Đức Phổ") == '/choose_locality{"locality": "Thị xã Đức Phổ"}'


def test_locality_prompt_has_one_button_per_locality():
    keys = CallbackKeys()
    prompt = locality_prompt(LOCALITIES, keys)
    assert prompt.text == TELEGRAM_CHOOSE_LOCALITY
    rows = prompt.reply_markup.inline_keyboard
    assert [row[0].text for row in rows] == list(LOCALITIES)
    assert [keys.payload_for(row[0].callback_data) for row in rows] == [locality_payload(n) for n in LOCALITIES]
    assert locality_prompt((), keys) is None


def test_buttons_without_title_or_payload_are_left_out():
    markup = keyboard([{"title": "Có", "payload": "/affirm"}, {"title": "", "payload": "x"}, {"title": "Không"}],
                      CallbackKeys())
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["Có"]]
    assert keyboard([], CallbackKeys()) is None


# --- replies -----------------------------------------------------------------------------------

def test_buttons_go_under_the_last_piece_of_their_reply():
    long_text = " ".join(["trợ cấp"] * 1500)
    replies = [BotReply(long_text, [{"title": "Xem thêm", "payload": "/more"}]), BotReply("Bạn cần gì thêm?")]
    messages = reply_messages(replies, CallbackKeys())
    assert len(messages) == 4
    assert [m.reply_markup is not None for m in messages] == [False, False, True, False]
    assert messages[2].reply_markup.inline_keyboard[0][0].callback_data == "/more"


def test_relay_form_is_one_message_with_the_prefix_and_the_whole_answer_without_buttons():
    answer = ("Hộ cận nghèo được hỗ trợ 70% mức đóng bảo hiểm y tế.\n"
              "Nguồn: 527/QĐ-UBND, mục II.3. Liên hệ: Sở Lao động - Thương binh và Xã hội.")
    messages = relay_messages([BotReply(answer, [{"title": "Xem thêm", "payload": "/more"}]), BotReply("Bạn cần gì thêm?")])
    assert len(messages) == 1 and messages[0].reply_markup is None
    assert messages[0].text == f"{RELAY_PREFIX}\n\n{answer}\n\nBạn cần gì thêm?"
    assert relay_messages([]) == []


def test_forward_origins_get_stable_short_names():
    user = User(5555, "Ba", False)
    when = dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    assert forward_origin_key(MessageOriginUser(when, user)) == "u5555"
    assert forward_origin_key(MessageOriginChat(when, Chat(-100, "group"))) == "c-100"
    assert forward_origin_key(MessageOriginChannel(when, Chat(-200, "channel"), 7)) == "c-200"
    hidden = forward_origin_key(MessageOriginHiddenUser(when, "Nguyễn Văn Ba"))
    assert hidden == forward_origin_key(MessageOriginHiddenUser(when, "Nguyễn Văn Ba")) and hidden.startswith("h")
    assert hidden != forward_origin_key(MessageOriginHiddenUser(when, "Trần Thị Tư"))
