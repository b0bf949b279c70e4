"""Delivering the Telegram outbox (staff answers, subscribers' notices) through :class:`Delivery`'s pacing, many
sends in flight so a broadcast runs at the overall rate Telegram allows (about 30 a second), not at the speed of
one request after another.

Each send is recorded: the message is marked ``sending`` once its turn has come, right before the request, and
``sent`` after Telegram's answer. A message found ``sending`` after a crash may or may not have reached the chat
(Telegram has no idempotency key to ask): it is noted as such and not sent again, as the Zalo connector does
(:func:`connectors.outbox.recover_sending`). A chat that blocked the bot (403 Forbidden) is unsubscribed from
every notice and its message failed, never retried."""
from __future__ import annotations

import asyncio
import logging
from typing import List

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import Forbidden

from connectors import outbox
from connectors.recorded_sends import Interrupted
from connectors.telegram_delivery import Delivery, DeliveryFailed
from connectors.telegram_format import OutgoingMessage
from knowledge.subscriptions import unsubscribe_all

log = logging.getLogger(__name__)

CHANNEL = "telegram"


def masked(address: str) -> str:
    """An address fit for logs: its last three characters only."""
    return "…" + str(address)[-3:]


class _Closing(Exception):
    """Raised instead of starting a send: the outbox is closing (the message stays pending), or the message
    no longer waits (another connector took it, or a stop cancelled it)."""


class TelegramOutbox:
    """Sends what waits in the outbox for Telegram chats, ``concurrency`` sends at a time."""

    def __init__(self, engine: Engine, delivery: Delivery, batch: int = 200, concurrency: int = 16):
        self._engine = engine
        self._delivery = delivery
        self.batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._closing = False
        self._closed = asyncio.Event()

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Start no new send; those already on their way finish and are recorded if they end within the
        connector's drain time (one still retrying then is left in doubt, as after a crash)."""
        self._closing = True
        self._closed.set()

    async def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less if the outbox is closed meanwhile."""
        try:
            await asyncio.wait_for(self._closed.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def recover(self) -> List[Interrupted]:
        """Once, at start: settle the sends a crash interrupted, without repeating them (they may have arrived)."""
        interrupted = await asyncio.to_thread(outbox.recover_sending, self._engine, CHANNEL, lambda text: 1)
        for item in interrupted:
            log.warning("telegram: outbox message %d was being sent when the connector stopped; it may have "
                        "reached the chat and is not sent again", item.id)
        return interrupted

    async def deliver_round(self) -> int:
        """Send one batch of waiting messages, oldest first; return how many were looked at (a full batch
        means more may wait)."""
        items = await asyncio.to_thread(outbox.due_parts, self._engine, CHANNEL, self.batch)
        # Every send of the batch ends before the next batch is read: one still waiting for its turn is
        # still "pending" and would be read, and sent, again.
        for item, result in zip(items, await asyncio.gather(*(self._send(item) for item in items),
                                                            return_exceptions=True)):
            if isinstance(result, BaseException):
                log.error("telegram: outbox message %d: %s: %s", item.id, result.__class__.__name__, result)
        return len(items)

    async def _send(self, item: outbox.Outbound) -> bool:
        async with self._slots:
            try:
                chat_id = int(item.address)
            except ValueError:
                await asyncio.to_thread(outbox.mark_failed, self._engine, item.id, "not a Telegram chat id")
                return False

            claimed = False

            async def on_its_way() -> None:
                nonlocal claimed
                if claimed:  # a retry of the same send (flood control, a network error)
                    return
                if self._closing or not await asyncio.to_thread(outbox.mark_sending, self._engine, item.id, 0):
                    raise _Closing()  # stopping, or the message is no longer waiting (taken, or cancelled)
                claimed = True

            if self._closing:
                return False
            try:
                await self._delivery.send_now(chat_id, OutgoingMessage(item.text), before_send=on_its_way)
            except _Closing:
                return False
            except DeliveryFailed as exc:
                await self._failed(item, exc)
                return False
            except SQLAlchemyError as exc:  # not marked on its way, so not sent: the next round tries again
                log.warning("telegram: outbox message %d not sent, database unavailable: %s", item.id,
                            exc.__class__.__name__)
                return False
            await asyncio.to_thread(outbox.mark_part_sent, self._engine, item.id, 0, True)
            return True

    async def _failed(self, item: outbox.Outbound, exc: DeliveryFailed) -> None:
        if isinstance(exc.__cause__, Forbidden):  # the user blocked the bot, or left the group
            removed = await asyncio.to_thread(unsubscribe_all, self._engine, CHANNEL, item.address)
            log.info("telegram: chat %s refuses the bot (403); %d subscriptions removed", masked(item.address),
                     removed)
            await asyncio.to_thread(outbox.mark_failed, self._engine, item.id, str(exc))
        elif not exc.retryable:
            log.error("telegram: outbox message %d refused for good, not retried: %s", item.id, exc)
            await asyncio.to_thread(outbox.mark_failed, self._engine, item.id, str(exc))
        else:
            log.warning("telegram: outbox message %d not delivered yet: %s", item.id, exc)
            await asyncio.to_thread(outbox.mark_part_failed, self._engine, item.id, 0, str(exc))
