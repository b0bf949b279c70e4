"""Relaying Telegram turns to Rasa: every message bound for Rasa is first kept in the inbox, then answered in its
chat's order; when Rasa cannot be reached the user gets an apology and a background task answers the kept message
once Rasa is back, and while the database is unreachable messages are held in memory until it returns.

Zalo's counterpart, :mod:`connectors.zalo_responder`, answers in one background worker per user with every send
recorded before the call, rather than in the handler with a retry behind it, so each keeps its own form."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any, AsyncIterator, Deque, Dict, List, Optional, Set, Tuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from connectors import channel_texts as texts
from connectors import inbox
from connectors.platform_constants import TELEGRAM_TYPING_REFRESH_S
from connectors.rasa_client import BotReply, RasaClient, RasaUnavailable
from connectors.rasa_health import RasaHealth
from connectors.telegram_delivery import Delivery
from connectors.telegram_format import (CallbackKeys, OutgoingMessage, locality_prompt, relay_messages,
                                        reply_messages)

log = logging.getLogger(__name__)

CHANNEL = "telegram"


@dataclass(frozen=True)
class Turn:
    """One message on its way to Rasa, with what is needed to answer it later from the inbox."""

    chat_id: int
    external_id: str  # f"{chat_id}:{message_id}", or f"{chat_id}:cb:{query_id}" for a button press
    sender: str
    text: str
    metadata: Dict[str, str]
    reply_to: Optional[int] = None
    relay: bool = False  # a staff member's forward: answer in the form to copy to the citizen
    then_localities: bool = False  # /start: follow the answer with the locality buttons

    def payload(self) -> Dict[str, Any]:
        return {"chat_id": self.chat_id, "metadata": self.metadata, "reply_to": self.reply_to,
                "relay": self.relay, "then_localities": self.then_localities}

    @classmethod
    def from_pending(cls, item: inbox.Pending) -> "Turn":
        p = item.payload
        return cls(int(p["chat_id"]), item.external_id, item.sender, item.text, dict(p.get("metadata") or {}),
                   p.get("reply_to"), bool(p.get("relay")), bool(p.get("then_localities")))


class TelegramRelay:
    """Stores, answers and retries the turns of every chat, one turn at a time per chat; the connector's handlers
    hand it turns (:meth:`converse`), and :meth:`start` / :meth:`stop` run the background retry."""

    def __init__(self, engine: Engine, delivery: Delivery, keys: CallbackKeys, *, localities: Tuple[str, ...] = (),
                 held_messages: int = 10_000, retry_interval_s: float = 15.0, retry_interval_max_s: float = 300.0):
        self._engine = engine
        self._delivery = delivery
        delivery.on_settled = self._settled
        self._keys = keys
        self._localities = localities  # display names for the locality buttons after /start
        self._held_messages = held_messages  # messages kept in memory while the database is unreachable
        self._retry_interval_s, self._retry_interval_max_s = retry_interval_s, retry_interval_max_s
        self._rasa: Optional[RasaClient] = None
        self._health: Optional[RasaHealth] = None
        self._locks: Dict[int, asyncio.Lock] = {}
        self._held: Deque[Turn] = deque()  # messages the inbox could not take (database down), oldest first
        self._handling: Set[int] = set()  # inbox ids being answered (by a handler or the retry), claimed at once
        self._arriving: Set[str] = set()  # external ids of messages their handler is storing
        self._retry_task: Optional[asyncio.Task] = None
        self._kept = asyncio.Event()  # a handler left a message pending since the retry's last pass began

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, rasa: RasaClient, health: Optional[RasaHealth]) -> None:
        """Ask ``rasa`` from now on and start retrying kept messages; ``health`` (closed by its owner) shortens
        the retry's wait while Rasa is down."""
        self._rasa, self._health = rasa, health
        self._retry_task = asyncio.create_task(self._retry_loop())

    async def stop(self) -> None:
        """Stop retrying kept messages (a pass under way is cancelled)."""
        if self._retry_task is not None:
            self._retry_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._retry_task

    # --- answering ---------------------------------------------------------------------------

    async def converse(self, turn: Turn) -> None:
        """Keep the message, then answer it (or apologise and leave it for the retry). It is kept before
        it waits behind the chat's earlier messages, so a restart meanwhile does not lose it; while the
        database is unreachable it is held in memory and stored when the database is back."""
        if any(held.chat_id == turn.chat_id for held in self._held):
            self._hold(turn)  # behind the chat's held messages, in order
            return
        self._arriving.add(turn.external_id)  # a sweep reading it once stored leaves it to this handler
        try:
            inbox_id = await self._store(turn)
        except SQLAlchemyError as exc:
            log.warning("inbox unavailable (%s): message %s held until the database is back",
                        exc.__class__.__name__, turn.external_id)
            self._hold(turn)
            await self._delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_BUSY))
            return
        finally:
            self._arriving.discard(turn.external_id)
        if inbox_id is None:
            log.info("message %s was seen before; not answered twice", turn.external_id)
            return
        self._handling.add(inbox_id)  # no await since the store: the sweep cannot have taken it up
        try:
            async with self._lock(turn.chat_id):
                await self._answer(inbox_id, turn, late=False)
        finally:
            self._handling.discard(inbox_id)

    async def _answer(self, inbox_id: int, turn: Turn, late: bool) -> bool:
        """Ask Rasa and deliver its reply; False when Rasa could not be reached."""
        try:
            async with self._typing(turn.chat_id):
                replies = await self._rasa.send(turn.sender, turn.text, turn.metadata)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for message %s: %s", turn.external_id, exc)
            retry = await asyncio.to_thread(inbox.mark_attempt_failed, self._engine, inbox_id, str(exc))
            if not late:
                self._kept_for_retry()
                await self._delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_BUSY))
            elif not retry:
                await self._delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_GAVE_UP), turn.reply_to)
            return False
        reply_to = turn.reply_to if late or turn.relay else None  # a late answer says which question it answers
        await self._delivery.send_all(turn.chat_id, self._messages(turn, replies), reply_to, inbox_id=inbox_id)
        if self._delivery.holds(inbox_id):
            log.warning("answer to message %s kept for sending later; the message stays pending", turn.external_id)
        else:
            await self._settled(inbox_id)
        return True

    async def _settled(self, inbox_id: int) -> None:
        """A kept answer went out at last (or was refused for good): its message is done."""
        await asyncio.to_thread(inbox.mark_done, self._engine, inbox_id)

    def _messages(self, turn: Turn, replies: List[BotReply]) -> List[OutgoingMessage]:
        messages = relay_messages(replies) if turn.relay else reply_messages(replies, self._keys)
        if not messages:
            messages = [OutgoingMessage(texts.TELEGRAM_NO_ANSWER)]
        prompt = locality_prompt(self._localities, self._keys) if turn.then_localities else None
        return messages + [prompt] if prompt else messages

    # --- keeping -----------------------------------------------------------------------------

    def _hold(self, turn: Turn) -> None:
        self._held.append(turn)
        if len(self._held) > self._held_messages:
            dropped = self._held.popleft()
            log.error("too many messages held while the database is down: message %s dropped", dropped.external_id)

    async def store_held(self) -> None:
        """Store the messages held while the database was unreachable (they are then answered as pending);
        raises while it still is."""
        while self._held:
            await self._store(self._held[0])
            self._held.popleft()

    async def _store(self, turn: Turn) -> Optional[int]:
        """Keep the message in the inbox; its id, or None when it was stored before."""
        return await asyncio.to_thread(inbox.store, self._engine, CHANNEL, turn.external_id, turn.sender, turn.text,
                                       turn.payload())

    # --- retrying ----------------------------------------------------------------------------

    async def retry_pending(self) -> bool:
        """One pass over kept messages, oldest first; False when Rasa is still unavailable."""
        await self.store_held()
        for item in await asyncio.to_thread(inbox.pending, self._engine, CHANNEL):
            turn = Turn.from_pending(item)
            async with self._lock(turn.chat_id):
                if item.id in self._handling or item.external_id in self._arriving or self._delivery.holds(item.id):
                    continue  # its handler is storing or answering it, or its answer waits in delivery
                self._handling.add(item.id)
                try:
                    if not await asyncio.to_thread(inbox.is_pending, self._engine, item.id):
                        continue  # answered by its handler since the list was read
                    if not await self._answer(item.id, turn, late=True):
                        return False
                finally:
                    self._handling.discard(item.id)
        return True

    async def _retry_loop(self) -> None:
        """At once (what a previous run left pending), then every ``retry_interval_s``; while Rasa stays
        unavailable the interval doubles up to ``retry_interval_max_s``, but a probe of Rasa ends the wait
        as soon as Rasa answers again."""
        delay, rasa_down = 0.0, False
        while True:
            if rasa_down and self._health is not None:
                await self._health.wait(delay)
            elif await self._kept_during(delay) and self._health is not None:
                await self._health.wait(self._retry_interval_s)  # resume when the probe finds Rasa back
            rasa_down = False
            self._kept.clear()
            try:
                rasa_down = not await self.retry_pending()
                if self._health is not None and rasa_down:
                    self._health.failed()
                elif self._health is not None:
                    self._health.succeeded()
                await self._delivery.retry_failed()
            except SQLAlchemyError as exc:  # the database is down: try again at the usual pace
                log.warning("retrying kept messages failed: %s", exc.__class__.__name__)
            except Exception:  # the loop must survive anything else too
                log.exception("retrying kept messages failed")
            delay = min(max(delay, self._retry_interval_s) * 2, self._retry_interval_max_s) \
                if rasa_down else self._retry_interval_s

    def _kept_for_retry(self) -> None:
        """A fresh message found Rasa unavailable: probe Rasa and wake the retry, so the message is answered
        soon after Rasa's return rather than at the retry's next interval."""
        if self._health is not None:
            self._health.failed()
        self._kept.set()

    async def _kept_during(self, delay: float) -> bool:
        """Wait ``delay``; True (at once) when a handler leaves a message pending meanwhile."""
        try:
            await asyncio.wait_for(self._kept.wait(), delay)
        except asyncio.TimeoutError:
            return False
        return True

    # --- per chat ----------------------------------------------------------------------------

    @asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """"typing…" while the reply is prepared, renewed until it is ready."""
        await self._delivery.chat_action(chat_id)

        async def renew() -> None:
            while True:
                await asyncio.sleep(TELEGRAM_TYPING_REFRESH_S)
                await self._delivery.chat_action(chat_id)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            # Not suppress(CancelledError): that would also swallow a cancellation of this turn's own task
            # arriving here (the connector stopping), and the retry loop would never end.
            await asyncio.gather(task, return_exceptions=True)

    def _lock(self, chat_id: int) -> asyncio.Lock:
        """One turn at a time per chat, so answers come in the order of the questions."""
        return self._locks.setdefault(chat_id, asyncio.Lock())
