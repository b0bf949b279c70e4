"""The Telegram bot: commands, messages and button presses relayed to Rasa's REST channel.

Every message bound for Rasa is first kept in the inbox; when Rasa cannot be reached the user
gets an apology and a background task answers the kept message once Rasa is back."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Deque, Dict, List, Optional, Set, Tuple

import aiohttp
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from connectors import channel_texts as texts
from connectors import inbox
from connectors.notice_runner import NoticePreparer
from connectors.platform_constants import (TELEGRAM_API_BASE_URL, TELEGRAM_FILE_BASE_URL,
                                           TELEGRAM_TYPING_REFRESH_S)
from connectors.rasa_client import BotReply, RasaClient, RasaUnavailable
from connectors.rasa_health import RasaHealth, http_probe
from connectors.telegram_delivery import Delivery, DeliveryPolicy
from connectors.telegram_format import (CallbackKeys, OutgoingMessage, forward_origin_key, locality_payload,
                                        locality_prompt, relay_messages, reply_messages, topic_prompt)
from connectors.telegram_outbox import TelegramOutbox
from knowledge.accounts import staff_by_channel_id

log = logging.getLogger(__name__)

CHANNEL = "telegram"


@dataclass(frozen=True)
class TelegramSettings:
    """What the bot needs to know; read from the environment by ``connectors.telegram_main`` only."""

    token: str = field(repr=False)
    rasa_url: str  # Rasa's base URL, e.g. http://127.0.0.1:5005
    base_url: str = TELEGRAM_API_BASE_URL
    base_file_url: str = TELEGRAM_FILE_BASE_URL
    webhook_url: Optional[str] = None  # set: webhook mode; unset: long polling
    webhook_secret: Optional[str] = field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    localities: Tuple[str, ...] = ()  # display names, as Rasa's locality buttons carry them
    topics: Tuple[Tuple[str, str], ...] = texts.TELEGRAM_TOPIC_BUTTONS
    rate_limit_messages: int = 8  # per user ...
    rate_limit_window_s: float = 10.0  # ... within this many seconds
    retry_interval_s: float = 15.0  # kept messages are retried this often, backing off to the maximum
    retry_interval_max_s: float = 300.0
    # While Rasa is down its root is probed this often, so kept messages are answered within about this long
    # of its return rather than at the retry's backoff; None: no probe (wait the backoff).
    rasa_probe_s: Optional[float] = 1.0
    rasa_probe_max_s: float = 30.0
    outbox_interval_s: float = 2.0  # staff answers and notices waiting in the outbox are looked for this often
    # Outbox messages read at a time, and sent at a time: enough in flight that the overall pacing, not a
    # request's round trip, sets the rate of a broadcast.
    outbox_batch: int = 200
    outbox_concurrency: int = 16
    notice_interval_s: float = 10.0  # knowledge-base changes are turned into subscribers' notices this often
    outbox_drain_s: float = 10.0  # on stop, the longest wait for sends on their way to be answered
    rasa_timeout_s: float = 30.0
    concurrent_updates: int = 32
    held_messages: int = 10_000  # messages kept in memory while the database is unreachable
    delivery: DeliveryPolicy = DeliveryPolicy()


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


class RateLimiter:
    """At most ``limit`` messages per ``window`` seconds per user; the first refusal in a window says so."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self._limit, self._window, self._clock = limit, window, clock
        self._seen: Dict[int, Deque[float]] = {}
        self._warned: Dict[int, float] = {}

    def check(self, user_id: int) -> Tuple[bool, bool]:
        """(allowed, warn): refused messages do not count, so a pause always lets the user back in."""
        now = self._clock()
        times = self._seen.setdefault(user_id, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) < self._limit:
            times.append(now)
            if len(self._seen) > 10_000:
                self._forget_idle(now)
            return True, False
        warn = now - self._warned.get(user_id, float("-inf")) >= self._window
        if warn:
            self._warned[user_id] = now
        return False, warn

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, t in self._seen.items() if not t or t[-1] <= now - self._window]:
            self._seen.pop(user_id, None)
            self._warned.pop(user_id, None)


class TelegramConnector:
    """The handlers and the background retry, sharing Rasa, the inbox, delivery and button keys."""

    def __init__(self, settings: TelegramSettings, engine: Engine, delivery: Delivery,
                 rasa_session: Optional[aiohttp.ClientSession] = None):
        self.settings = settings
        self.delivery = delivery
        delivery.on_settled = self._settled
        self._engine = engine
        self._session, self._owns_session = rasa_session, rasa_session is None
        self._rasa: Optional[RasaClient] = None
        self._keys = CallbackKeys()
        for name in settings.localities:  # keys of our own buttons resolve even after a restart
            self._keys.key_for(locality_payload(name))
        for _title, payload in settings.topics:
            self._keys.key_for(payload)
        self._limiter = RateLimiter(settings.rate_limit_messages, settings.rate_limit_window_s)
        self._locks: Dict[int, asyncio.Lock] = {}
        self._held: Deque[Turn] = deque()  # messages the inbox could not take (database down), oldest first
        self._handling: Set[int] = set()  # inbox ids being answered (by a handler or the retry), claimed at once
        self._arriving: Set[str] = set()  # external ids of messages their handler is storing
        self._retry_task: Optional[asyncio.Task] = None
        self._health: Optional[RasaHealth] = None
        self._outbox_task: Optional[asyncio.Task] = None
        self.outbox = TelegramOutbox(engine, delivery, settings.outbox_batch, settings.outbox_concurrency)
        self._notices = NoticePreparer(engine, settings.notice_interval_s)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, app: Application) -> None:
        """Open the Rasa session, publish the command menu and start retrying kept messages."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self._rasa = RasaClient(self.settings.rasa_url, self._session, timeout=self.settings.rasa_timeout_s)
        probe = http_probe(self._session, self.settings.rasa_url + "/") if self.settings.rasa_probe_s else None
        self._health = RasaHealth(probe, self.settings.rasa_probe_s or 1.0, self.settings.rasa_probe_max_s)
        try:
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.TELEGRAM_COMMANDS])
        except TelegramError as exc:
            log.warning("command menu not published: %s", exc)
        self._retry_task = asyncio.create_task(self._retry_loop())
        self._outbox_task = asyncio.create_task(self._outbox_loop())

    async def stop(self) -> None:
        """Stop retrying and close the Rasa session if this connector opened it. Outbox sends already on
        their way finish and are recorded first (within ``outbox_drain_s``); the others stay queued."""
        if self._retry_task is not None:
            self._retry_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._retry_task
        self.outbox.close()
        if self._outbox_task is not None:
            await asyncio.wait([self._outbox_task], timeout=self.settings.outbox_drain_s)
            self._outbox_task.cancel()
            with suppress(asyncio.CancelledError):
                await self._outbox_task
        if self._health is not None:
            await self._health.close()
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # --- handlers ----------------------------------------------------------------------------

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: Rasa's greeting (what the assistant can do), then the locality buttons."""
        await self._ask(update, texts.TELEGRAM_START_MESSAGE, then_localities=True)

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: Rasa's help."""
        await self._ask(update, "/help")

    async def on_change_locality(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/diaphuong: ask Rasa to change the locality; it answers with the locality buttons."""
        await self._ask(update, texts.TELEGRAM_CHANGE_LOCALITY_MESSAGE)

    async def on_topics(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/chude: the topic buttons."""
        chat_id = update.effective_chat.id
        if await self._admitted(update.effective_user.id, chat_id):
            await self.delivery.send(chat_id, topic_prompt(self.settings.topics, self._keys))

    async def on_human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/canbo: hand the conversation to a staff member."""
        await self._ask(update, "/ask_human")

    async def on_follow(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/theodoi: what the chat follows, with the buttons to follow the last answer or stop."""
        await self._ask(update, "/list_subscriptions")

    async def on_unfollow(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/huy: stop every notice at once."""
        await self._ask(update, "/unsubscribe")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A question; when registered staff forward a citizen's message, the answer comes in relay form."""
        message, user = update.effective_message, update.effective_user
        text = message.text or message.caption or ""
        staff = None
        if message.forward_origin is not None and user is not None:
            staff = await asyncio.to_thread(staff_by_channel_id, self._engine, CHANNEL, str(user.id))
        if staff is None:
            await self._ask(update, text)
            return
        chat_id = update.effective_chat.id
        origin = forward_origin_key(message.forward_origin) or f"m{chat_id}-{message.message_id}"
        await self._converse(Turn(chat_id, f"{chat_id}:{message.message_id}", f"{CHANNEL}-fwd-{staff['id']}-{origin}",
                                  text, {"channel": CHANNEL, "address": str(chat_id), "forwarded_by": staff["name"]},
                                  reply_to=message.message_id, relay=True))

    async def on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have: list the ones it has."""
        chat_id = update.effective_chat.id
        if await self._admitted(update.effective_user.id, chat_id):
            await self.delivery.send(chat_id, OutgoingMessage(texts.TELEGRAM_UNKNOWN_COMMAND))

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo, sticker, voice message…: ask for text."""
        chat_id = update.effective_chat.id
        if await self._admitted(update.effective_user.id, chat_id):
            await self.delivery.send(chat_id, OutgoingMessage(texts.TELEGRAM_TEXT_ONLY))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: answer the query at once, then send the button's payload to Rasa as the user."""
        query = update.callback_query
        payload = self._keys.payload_for(query.data or "")
        try:
            await query.answer(text=None if payload else texts.TELEGRAM_BUTTON_EXPIRED)
        except TelegramError as exc:  # too old to answer: the press itself still counts
            log.info("callback query not answered: %s", exc)
        if payload is None:
            return
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        if query.message is not None:
            await self.delivery.remove_keyboard(chat_id, query.message.message_id)
        if await self._admitted(query.from_user.id, chat_id):
            await self._converse(Turn(chat_id, f"{chat_id}:cb:{query.id}", f"{CHANNEL}-{chat_id}", payload,
                                      {"channel": CHANNEL, "address": str(chat_id)},
                                      reply_to=query.message.message_id if query.message is not None else None))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a handler's failure, and tell the user rather than stay silent."""
        log.error("handling an update failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            await self.delivery.send(update.effective_chat.id, OutgoingMessage(texts.TELEGRAM_NO_ANSWER))

    # --- conversation ------------------------------------------------------------------------

    async def _ask(self, update: Update, text: str, then_localities: bool = False) -> None:
        chat_id, message = update.effective_chat.id, update.effective_message
        if await self._admitted(update.effective_user.id, chat_id):
            await self._converse(Turn(chat_id, f"{chat_id}:{message.message_id}", f"{CHANNEL}-{chat_id}", text,
                                      {"channel": CHANNEL, "address": str(chat_id)}, reply_to=message.message_id,
                                      then_localities=then_localities))

    async def _admitted(self, user_id: int, chat_id: int) -> bool:
        allowed, warn = self._limiter.check(user_id)
        if warn:
            log.info("rate limit: user %s paused", user_id)
            await self.delivery.send(chat_id, OutgoingMessage(texts.TELEGRAM_RATE_LIMITED))
        return allowed

    async def _converse(self, turn: Turn) -> None:
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
            await self.delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_BUSY))
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
                await self.delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_BUSY))
            elif not retry:
                await self.delivery.send(turn.chat_id, OutgoingMessage(texts.TELEGRAM_GAVE_UP), turn.reply_to)
            return False
        reply_to = turn.reply_to if late or turn.relay else None  # a late answer says which question it answers
        await self.delivery.send_all(turn.chat_id, self._messages(turn, replies), reply_to, inbox_id=inbox_id)
        if self.delivery.holds(inbox_id):
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
        prompt = locality_prompt(self.settings.localities, self._keys) if turn.then_localities else None
        return messages + [prompt] if prompt else messages

    def _hold(self, turn: Turn) -> None:
        self._held.append(turn)
        if len(self._held) > self.settings.held_messages:
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

    async def retry_pending(self) -> bool:
        """One pass over kept messages, oldest first; False when Rasa is still unavailable."""
        await self.store_held()
        for item in await asyncio.to_thread(inbox.pending, self._engine, CHANNEL):
            turn = Turn.from_pending(item)
            async with self._lock(turn.chat_id):
                if item.id in self._handling or item.external_id in self._arriving or self.delivery.holds(item.id):
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
            else:
                await asyncio.sleep(delay)
            rasa_down = False
            try:
                rasa_down = not await self.retry_pending()
                if self._health is not None and rasa_down:
                    self._health.failed()
                elif self._health is not None:
                    self._health.succeeded()
                await self.delivery.retry_failed()
            except SQLAlchemyError as exc:  # the database is down: try again at the usual pace
                log.warning("retrying kept messages failed: %s", exc.__class__.__name__)
            except Exception:  # the loop must survive anything else too
                log.exception("retrying kept messages failed")
            delay = min(max(delay, self.settings.retry_interval_s) * 2, self.settings.retry_interval_max_s) \
                if rasa_down else self.settings.retry_interval_s

    async def send_outbox(self) -> int:
        """Deliver one batch of staff answers and notices waiting for Telegram chats; return how many were
        looked at."""
        return await self.outbox.deliver_round()

    async def _outbox_loop(self) -> None:
        """Every ``outbox_interval_s``: settle sends a crash interrupted (once), prepare notices when due, send a
        batch; while batches come full (a broadcast), the next goes at once."""
        recovered, full = False, False
        while not self.outbox.closing:
            if not full:
                await self.outbox.pause(self.settings.outbox_interval_s)
                if self.outbox.closing:
                    return
            full = False
            try:
                if not recovered:
                    await self.outbox.recover()
                    recovered = True
                await self._notices.run_due()
                full = await self.send_outbox() >= self.outbox.batch
            except Exception:  # the loop must survive a database hiccup
                log.exception("sending the outbox failed")

    @asynccontextmanager
    async def _typing(self, chat_id: int) -> AsyncIterator[None]:
        """"typing…" while the reply is prepared, renewed until it is ready."""
        await self.delivery.chat_action(chat_id)

        async def renew() -> None:
            while True:
                await asyncio.sleep(TELEGRAM_TYPING_REFRESH_S)
                await self.delivery.chat_action(chat_id)

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


def build_application(settings: TelegramSettings, engine: Engine,
                      rasa_session: Optional[aiohttp.ClientSession] = None) -> Application:
    """The python-telegram-bot Application with every handler; ``connector_of(app)`` reaches its state.

    ``start_connector`` / ``stop_connector`` run as post_init / post_shutdown under
    ``run_polling`` or ``run_webhook``; tests that drive ``process_update`` call them directly."""
    app = (Application.builder().token(settings.token).base_url(settings.base_url)
           .base_file_url(settings.base_file_url).concurrent_updates(settings.concurrent_updates)
           .post_init(start_connector).post_shutdown(stop_connector).build())
    connector = TelegramConnector(settings, engine, Delivery(app.bot, settings.delivery), rasa_session)
    app.bot_data["connector"] = connector
    new = filters.UpdateType.MESSAGE  # edits of old messages are not asked again
    app.add_handlers([
        CommandHandler("start", connector.on_start, filters=new),
        CommandHandler("help", connector.on_help, filters=new),
        CommandHandler("diaphuong", connector.on_change_locality, filters=new),
        CommandHandler("chude", connector.on_topics, filters=new),
        CommandHandler("canbo", connector.on_human, filters=new),
        CommandHandler("theodoi", connector.on_follow, filters=new),
        CommandHandler("huy", connector.on_unfollow, filters=new),
        CallbackQueryHandler(connector.on_button),
        MessageHandler(new & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND, connector.on_text),
        MessageHandler(new & filters.COMMAND, connector.on_unknown_command),
        MessageHandler(new & ~filters.StatusUpdate.ALL, connector.on_other),
    ])
    app.add_error_handler(connector.on_error)
    return app


def connector_of(app: Application) -> TelegramConnector:
    return app.bot_data["connector"]


async def start_connector(app: Application) -> None:
    """Start the connector's background work (post_init)."""
    await connector_of(app).start(app)


async def stop_connector(app: Application) -> None:
    """Stop it (post_shutdown)."""
    await connector_of(app).stop()
