"""Delivery paces messages under Telegram's flood limits: about one a second to a chat, without holding
other chats back, and about 30 a second overall. Time is simulated: the clock only moves when Delivery
sleeps, so the intervals are exact."""
from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, List, Tuple

import pytest
from telegram.error import NetworkError

from connectors.platform_constants import TELEGRAM_CHAT_INTERVAL_S, TELEGRAM_MESSAGES_PER_SECOND
from connectors.telegram_delivery import Delivery, DeliveryPolicy
from connectors.telegram_format import OutgoingMessage


class SimulatedTime:
    """A clock that moves only when slept on; a sleep still lets other tasks run."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class RecordingBot:
    """Stands in for ``telegram.Bot``: records when each message went out; a request takes a few turns
    of the event loop, as one over the network would."""

    def __init__(self, time: SimulatedTime) -> None:
        self.time = time
        self.sent: List[Tuple[float, int, str]] = []  # (when, chat id, text)
        self.refusals: List[Exception] = []  # raised by the next calls, in turn
        self.in_flight: Counter = Counter()
        self.most_in_flight: Counter = Counter()  # per chat

    async def send_message(self, chat_id: int, text: str, **_: Any) -> str:
        self.in_flight[chat_id] += 1
        self.most_in_flight[chat_id] = max(self.most_in_flight[chat_id], self.in_flight[chat_id])
        try:
            for _turn in range(3):
                await asyncio.sleep(0)
            if self.refusals:
                raise self.refusals.pop(0)
            self.sent.append((self.time.now, chat_id, text))
            return text
        finally:
            self.in_flight[chat_id] -= 1

    def times(self, chat_id: int) -> List[float]:
        return [when for when, chat, _ in self.sent if chat == chat_id]


def delivery(policy: DeliveryPolicy = DeliveryPolicy()) -> Tuple[Delivery, RecordingBot, SimulatedTime]:
    time = SimulatedTime()
    bot = RecordingBot(time)
    return Delivery(bot, policy, sleep=time.sleep, clock=time.clock), bot, time  # type: ignore[arg-type]


def messages(*texts: str) -> List[OutgoingMessage]:
    return [OutgoingMessage(t) for t in texts]


async def test_pieces_of_a_reply_reach_a_chat_about_a_second_apart():
    send, bot, _ = delivery()
    await send.send_all(42, messages("phần 1", "phần 2", "phần 3"))
    assert TELEGRAM_CHAT_INTERVAL_S == 1.0
    assert bot.times(42) == pytest.approx([0.0, 1.0, 2.0])


async def test_another_chat_is_not_held_back_by_a_paced_chat():
    send, bot, _ = delivery(DeliveryPolicy(overall_interval=0.0))
    for chat_id, text in ((42, "a1"), (43, "b1"), (42, "a2"), (43, "b2")):
        await send.send(chat_id, OutgoingMessage(text))
    assert bot.times(42) == pytest.approx([0.0, 1.0])
    assert bot.times(43) == pytest.approx([0.0, 1.0])  # b1 went at once, not a second after a1


async def test_no_more_than_thirty_messages_a_second_go_out_overall():
    send, bot, _ = delivery()
    for chat_id in range(1, 91):  # one message to each of 90 chats
        await send.send(chat_id, OutgoingMessage("Thông báo"))
    times = [when for when, _, _ in bot.sent]
    assert TELEGRAM_MESSAGES_PER_SECOND == 30
    assert [b - a for a, b in zip(times, times[1:])] == pytest.approx([1 / 30] * 89)
    assert max(sum(1 for t in times if start <= t < start + 1 - 1e-9) for start in times) == 30


async def test_the_chat_interval_is_configurable():
    send, bot, _ = delivery(DeliveryPolicy(chat_interval=0.25, overall_interval=0.0))
    await send.send_all(42, messages("1", "2", "3"))
    assert bot.times(42) == pytest.approx([0.0, 0.25, 0.5])


async def test_a_kept_message_sent_again_and_a_new_answer_take_turns_in_order():
    send, bot, _ = delivery(DeliveryPolicy(max_attempts=1))
    bot.refusals.append(NetworkError("Bad Gateway"))
    await send.send(42, OutgoingMessage("câu trả lời cũ"))  # refused: kept for the retry
    assert [f.message.text for f in send.failures] == ["câu trả lời cũ"]
    # The background retry and a new answer for the same chat start together; both wait for its turn.
    await asyncio.gather(send.retry_failed(), send.send_all(42, messages("câu trả lời mới")))
    assert [text for _, _, text in bot.sent] == ["câu trả lời cũ", "câu trả lời mới"]
    assert bot.most_in_flight[42] == 1  # one request at a time to the chat
    assert bot.times(42) == pytest.approx([1.0, 2.0]) and send.failures == []
