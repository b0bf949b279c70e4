"""Sending to Telegram without losing anything: messages paced under Telegram's flood limits (about one
a second to a chat, 30 a second overall), flood control (RetryAfter) honoured, transient errors retried
with backoff, and every message that still could not be sent logged and kept.

A kept answer belongs to the stored inbound message it answers (``inbox_id``): the connector leaves that
message pending until ``on_settled`` reports its answer delivered, so an answer still kept when the
process stops is asked for again after the restart rather than lost."""
from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import Counter
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import AsyncIterator, Awaitable, Callable, Dict, List, Optional, Sequence, Set, Tuple

from telegram import Bot, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from connectors.platform_constants import TELEGRAM_CHAT_INTERVAL_S, TELEGRAM_MESSAGES_PER_SECOND
from connectors.telegram_format import OutgoingMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try: attempts per message, backoff between transient failures, failures kept; and
    how fast to send: the least interval between two messages to one chat and between any two messages."""

    max_attempts: int = 5
    backoff_base: float = 1.0  # seconds before the 2nd attempt; doubled for each further one
    backoff_max: float = 30.0
    max_retry_after: float = 600.0  # a longer flood wait is not waited for in place (kept, retried later)
    kept_failures: int = 1000
    chat_interval: float = TELEGRAM_CHAT_INTERVAL_S  # seconds; a chat's pacing never delays other chats
    overall_interval: float = 1.0 / TELEGRAM_MESSAGES_PER_SECOND  # seconds between any two messages


@dataclass
class FailedDelivery:
    """A message that could not be sent; ``retryable`` ones are sent again by :meth:`Delivery.retry_failed`."""

    chat_id: int
    message: OutgoingMessage
    reply_to: Optional[int]
    error: str
    retryable: bool
    rounds: int = 1
    inbox_id: Optional[int] = None  # the stored message this answers, settled once it is sent


class DeliveryFailed(Exception):
    def __init__(self, error: str, retryable: bool):
        super().__init__(error)
        self.retryable = retryable


class Delivery:
    """Sends messages and chat actions through a python-telegram-bot ``Bot``."""

    def __init__(self, bot: Bot, policy: DeliveryPolicy = DeliveryPolicy(),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self._bot = bot
        self._policy = policy
        self._sleep = sleep
        self._clock = clock
        self._resume_at = 0.0  # flood control applies to the whole bot: nothing is sent before this
        self._chat_free_at: Dict[int, float] = {}  # chat id -> when it may get its next message
        self._any_free_at = 0.0  # when the bot may send its next message to any chat
        self._prune_above = 1024  # chats remembered before those idle long enough are forgotten
        self._chat_locks: Dict[int, asyncio.Lock] = {}  # one sender at a time per chat (see _in_order)
        self._chat_lock_users: Counter = Counter()
        self.failures: List[FailedDelivery] = []
        # Called with an inbox id once none of its answer is waiting any more (sent, or refused for good).
        self.on_settled: Optional[Callable[[int], Awaitable[None]]] = None

    def holds(self, inbox_id: int) -> bool:
        """Whether part of the answer to this stored message is kept, waiting to be sent again."""
        return any(f.inbox_id == inbox_id and f.retryable for f in self.failures)

    async def send(self, chat_id: int, message: OutgoingMessage, reply_to: Optional[int] = None) -> Optional[Message]:
        """Send one message; on failure keep it (see ``failures``) and return None."""
        ok = await self.send_all(chat_id, [message], reply_to)
        return ok[0] if ok else None

    async def send_now(self, chat_id: int, message: OutgoingMessage,
                       before_send: Optional[Callable[[], Awaitable[None]]] = None) -> Message:
        """Send one message, raising ``DeliveryFailed`` instead of keeping it (the caller keeps it).
        ``before_send`` runs once the message's turn has come, right before each request (a record that it
        is on its way)."""
        async with self._in_order(chat_id):
            return await self._send_with_retries(chat_id, message, None, before_send)

    async def send_all(self, chat_id: int, messages: Sequence[OutgoingMessage],
                       reply_to: Optional[int] = None, inbox_id: Optional[int] = None) -> List[Message]:
        """Send messages in order, after any kept earlier ones of the same chat. After a failure worth
        retrying, the rest are kept behind it rather than sent out of order; a message refused for
        good is kept and the rest still go out. ``inbox_id``: the stored message they answer."""
        sent: List[Message] = []
        async with self._in_order(chat_id):
            if not (await self._flush(chat_id))[0]:
                for i, message in enumerate(messages):
                    self._keep(FailedDelivery(chat_id, message, reply_to if i == 0 else None,
                                              "waiting behind an undelivered message", True, inbox_id=inbox_id))
                return sent
            for i, message in enumerate(messages):
                try:
                    sent.append(await self._send_with_retries(chat_id, message, reply_to if i == 0 else None))
                except DeliveryFailed as exc:
                    if not exc.retryable:
                        self._keep(FailedDelivery(chat_id, message, reply_to if i == 0 else None, str(exc), False,
                                                  inbox_id=inbox_id))
                        continue
                    for j, rest in enumerate(messages[i:]):
                        self._keep(FailedDelivery(chat_id, rest, reply_to if i + j == 0 else None, str(exc), True,
                                                  inbox_id=inbox_id))
                    break
        return sent

    async def retry_failed(self) -> int:
        """Send kept, retryable messages again, each chat's in order; return how many went out."""
        delivered = 0
        for chat_id in dict.fromkeys(f.chat_id for f in self.failures if f.retryable):
            async with self._in_order(chat_id):
                delivered += (await self._flush(chat_id))[1]
        return delivered

    @asynccontextmanager
    async def _in_order(self, chat_id: int) -> AsyncIterator[None]:
        """One sender at a time per chat, first come first served: kept messages being sent again and a
        new answer waiting for the chat's next turn cannot overtake each other."""
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        self._chat_lock_users[chat_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._chat_lock_users[chat_id] -= 1
            if not self._chat_lock_users[chat_id]:  # nobody holds or waits for it: forget it
                del self._chat_lock_users[chat_id], self._chat_locks[chat_id]

    async def _flush(self, chat_id: int) -> Tuple[bool, int]:
        """Send this chat's kept, retryable messages in order: (all sent?, how many sent); when one fails
        again, it and those behind it stay kept."""
        waiting = [f for f in self.failures if f.chat_id == chat_id and f.retryable]
        if not waiting:
            return True, 0
        self.failures = [f for f in self.failures if not (f.chat_id == chat_id and f.retryable)]
        sent = 0
        try:
            for i, failure in enumerate(waiting):
                try:
                    await self._send_with_retries(chat_id, failure.message, failure.reply_to)
                except DeliveryFailed as exc:
                    failure.error, failure.retryable, failure.rounds = str(exc), exc.retryable, failure.rounds + 1
                    self._keep(failure)
                    if exc.retryable:
                        self.failures.extend(waiting[i + 1:])
                        return False, sent
                    continue
                sent += 1
            return True, sent
        finally:
            await self._settle({f.inbox_id for f in waiting if f.inbox_id is not None})

    async def chat_action(self, chat_id: int, action: str = ChatAction.TYPING) -> None:
        """Show "typing…"; best effort, since a lost chat action costs nothing."""
        try:
            await self._bot.send_chat_action(chat_id=chat_id, action=action)
        except TelegramError as exc:
            log.debug("chat action for chat %s not shown: %s", chat_id, exc)

    async def remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """Take the buttons off a message whose button was pressed; best effort (old messages cannot be edited)."""
        try:
            await self._bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
        except TelegramError as exc:
            log.debug("keyboard of message %s in chat %s not removed: %s", message_id, chat_id, exc)

    async def _send_with_retries(self, chat_id: int, message: OutgoingMessage, reply_to: Optional[int],
                                 before_send: Optional[Callable[[], Awaitable[None]]] = None) -> Message:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._paced_send(chat_id, message, reply_to, before_send)
            except RetryAfter as exc:
                wait = _seconds(exc)
                log.warning("flood control: chat %s must wait %.0f s (attempt %d)", chat_id, wait, attempt)
                if wait > self._policy.max_retry_after or attempt >= self._policy.max_attempts:
                    raise DeliveryFailed(f"flood control, retry after {wait:.0f} s", retryable=True) from exc
                self._resume_at = max(self._resume_at, self._clock() + wait)
            except ChatMigrated as exc:  # a group became a supergroup: same conversation, new id
                log.info("chat %s migrated to %s", chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
            except (BadRequest, Forbidden, InvalidToken) as exc:  # BadRequest first: it is a NetworkError
                raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}", retryable=False) from exc
            except TelegramError as exc:  # NetworkError, TimedOut, server errors, unreadable answers
                log.warning("sending to chat %s failed (attempt %d of %d): %s", chat_id, attempt,
                            self._policy.max_attempts, exc)
                if attempt >= self._policy.max_attempts:
                    raise DeliveryFailed(f"{exc.__class__.__name__}: {exc}", retryable=True) from exc
                await self._sleep(min(self._policy.backoff_max, self._policy.backoff_base * 2 ** (attempt - 1)))

    async def _paced_send(self, chat_id: int, message: OutgoingMessage, reply_to: Optional[int],
                          before_send: Optional[Callable[[], Awaitable[None]]] = None) -> Message:
        """One attempt, in the chat's turn."""
        await self._wait_for_turn(chat_id)
        try:
            if before_send is not None:
                await before_send()
            return await self._bot.send_message(
                chat_id=chat_id, text=message.text, reply_markup=message.reply_markup,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None)
        finally:  # the chat's interval counts from the answer, when Telegram surely has the message
            self._chat_free_at[chat_id] = self._clock() + self._policy.chat_interval

    async def _wait_for_turn(self, chat_id: int) -> None:
        """Wait until a message may go to this chat: after any flood-control pause, ``chat_interval``
        after the chat's previous message and ``overall_interval`` after the bot's. Only this chat's own
        pacing is waited for, never another chat's. The turn is taken with no await between the last
        check and the send, so concurrent senders cannot take the same one."""
        while True:
            now = self._clock()
            ready_at = max(self._resume_at, self._chat_free_at.get(chat_id, now), self._any_free_at)
            if ready_at <= now:
                break
            await self._sleep(ready_at - now)  # checked again after: another sender may have gone first
        self._chat_free_at[chat_id] = now + self._policy.chat_interval
        self._any_free_at = now + self._policy.overall_interval
        if len(self._chat_free_at) > self._prune_above:
            self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}
            self._prune_above = max(1024, 2 * len(self._chat_free_at))

    async def _settle(self, inbox_ids: Set[int]) -> None:
        for inbox_id in sorted(inbox_ids):
            if self.on_settled is not None and not self.holds(inbox_id):
                await self.on_settled(inbox_id)

    def _keep(self, failure: FailedDelivery) -> None:
        log.error("message to chat %s not delivered (%s; %s): %d characters kept", failure.chat_id, failure.error,
                  "will retry" if failure.retryable else "not retryable", len(failure.message.text))
        self.failures.append(failure)
        if len(self.failures) > self._policy.kept_failures:
            dropped = self.failures.pop(0)
            log.error("failure list full: forgetting the oldest undelivered message to chat %s%s", dropped.chat_id,
                      " (its question stays pending and is asked again)" if dropped.inbox_id is not None else "")


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that retry_after will become a timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
