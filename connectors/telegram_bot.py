"""The Telegram bot: commands, messages and button presses relayed to Rasa's REST channel.

The handlers check the per-user rate limit and hand each message to :class:`TelegramRelay`
(``connectors.telegram_relay``), which keeps it in the inbox, answers it, and retries it while Rasa
cannot be reached; staff answers and notices go out through ``connectors.telegram_outbox``."""
from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Optional, Tuple

import aiohttp
from sqlalchemy.engine import Engine
from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from connectors import channel_texts as texts
from connectors.notice_runner import NoticePreparer
from connectors.platform_constants import TELEGRAM_API_BASE_URL, TELEGRAM_FILE_BASE_URL
from connectors.rasa_client import RasaClient
from connectors.rasa_health import RasaHealth, http_probe
from connectors.request_limits import NoticedLimit
from connectors.telegram_delivery import Delivery, DeliveryPolicy
from connectors.telegram_format import (CallbackKeys, OutgoingMessage, forward_origin_key, locality_payload,
                                        topic_prompt)
from connectors.telegram_outbox import TelegramOutbox
from connectors.telegram_relay import CHANNEL, TelegramRelay, Turn
from knowledge.accounts import staff_by_channel_id

log = logging.getLogger(__name__)

RATE_LIMITED_USERS = 10_000  # users the rate limit remembers at once; idle ones are forgotten first


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


class TelegramConnector:
    """The handlers and the lifecycle; the relay to Rasa (inbox, retry) and the outbox are its parts, sharing
    delivery and the button keys."""

    def __init__(self, settings: TelegramSettings, engine: Engine, delivery: Delivery,
                 rasa_session: Optional[aiohttp.ClientSession] = None):
        self.settings = settings
        self.delivery = delivery
        self._engine = engine
        self._session, self._owns_session = rasa_session, rasa_session is None
        self._keys = CallbackKeys()
        for name in settings.localities:  # keys of our own buttons resolve even after a restart
            self._keys.key_for(locality_payload(name))
        for _title, payload in settings.topics:
            self._keys.key_for(payload)
        self._limiter = NoticedLimit(settings.rate_limit_messages, settings.rate_limit_window_s,
                                     max_keys=RATE_LIMITED_USERS)
        self.relay = TelegramRelay(engine, delivery, self._keys, localities=settings.localities,
                                   held_messages=settings.held_messages, retry_interval_s=settings.retry_interval_s,
                                   retry_interval_max_s=settings.retry_interval_max_s)
        self._health: Optional[RasaHealth] = None
        self._outbox_task: Optional[asyncio.Task] = None
        self.outbox = TelegramOutbox(engine, delivery, settings.outbox_batch, settings.outbox_concurrency)
        self._notices = NoticePreparer(engine, settings.notice_interval_s)

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self, app: Application) -> None:
        """Open the Rasa session, publish the command menu and start retrying kept messages."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        rasa = RasaClient(self.settings.rasa_url, self._session, timeout=self.settings.rasa_timeout_s)
        probe = http_probe(self._session, self.settings.rasa_url + "/") if self.settings.rasa_probe_s else None
        self._health = RasaHealth(probe, self.settings.rasa_probe_s or 1.0, self.settings.rasa_probe_max_s)
        try:
            await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.TELEGRAM_COMMANDS])
        except TelegramError as exc:
            log.warning("command menu not published: %s", exc)
        self.relay.start(rasa, self._health)
        self._outbox_task = asyncio.create_task(self._outbox_loop())

    async def stop(self) -> None:
        """Stop retrying and close the Rasa session if this connector opened it. Outbox sends already on
        their way finish and are recorded first (within ``outbox_drain_s``); the others stay queued."""
        await self.relay.stop()
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
        await self.relay.converse(Turn(chat_id, f"{chat_id}:{message.message_id}",
                                       f"{CHANNEL}-fwd-{staff['id']}-{origin}", text,
                                       {"channel": CHANNEL, "address": str(chat_id), "forwarded_by": staff["name"]},
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
            await self.relay.converse(Turn(chat_id, f"{chat_id}:cb:{query.id}", f"{CHANNEL}-{chat_id}", payload,
                                           {"channel": CHANNEL, "address": str(chat_id)},
                                           reply_to=query.message.message_id if query.message is not None else None))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a handler's failure, and tell the user rather than stay silent."""
        log.error("handling an update failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            await self.delivery.send(update.effective_chat.id, OutgoingMessage(texts.TELEGRAM_NO_ANSWER))

    # --- admission ---------------------------------------------------------------------------

    async def _ask(self, update: Update, text: str, then_localities: bool = False) -> None:
        chat_id, message = update.effective_chat.id, update.effective_message
        if await self._admitted(update.effective_user.id, chat_id):
            await self.relay.converse(Turn(chat_id, f"{chat_id}:{message.message_id}", f"{CHANNEL}-{chat_id}",
                                           text, {"channel": CHANNEL, "address": str(chat_id)},
                                           reply_to=message.message_id, then_localities=then_localities))

    async def _admitted(self, user_id: int, chat_id: int) -> bool:
        allowed, warn = self._limiter.check(str(user_id))
        if warn:
            log.info("rate limit: user %s paused", user_id)
            await self.delivery.send(chat_id, OutgoingMessage(texts.TELEGRAM_RATE_LIMITED))
        return allowed

    # --- outbox ------------------------------------------------------------------------------

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
