"""The Zalo OA webhook: checked, stored and acknowledged at once; answered in the background (Rasa, then the
OA API), retried while Rasa or Zalo is unavailable, and resumed after a restart."""
from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, TypeVar

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors import channel_texts as T
from connectors import inbox, outbox
from connectors import platform_constants as P
from connectors.rasa_client import BotReply, RasaClient, RasaUnavailable
from connectors.reply_splitter import split_text
from connectors.zalo_api import ZaloApiError, ZaloApiSettings, ZaloOAClient, build_messages
from connectors.zalo_events import (AttachmentMessage, Follow, OAEcho, SilentEvent, TextMessage, Unfollow,
                                    ZaloEvent, ZaloEventError, parse_event)
from connectors.zalo_signature import SignatureError, UnreadableBody, verify_request
from knowledge.accounts import find_staff, staff_by_channel_id
from knowledge.db import transaction

log = logging.getLogger(__name__)

CHANNEL = "zalo"
WEBHOOK_PATH = "/webhooks/zalo"

RasaClientFactory = Callable[[aiohttp.ClientSession], RasaClient]
Result = TypeVar("Result")


@dataclass(frozen=True)
class ZaloSettings:
    oa_secret_key: str = field(repr=False)
    api: ZaloApiSettings
    max_event_age_s: float = P.ZALO_MAX_EVENT_AGE_S
    sweep_interval_s: float = 15.0  # how often pending messages are looked for
    retry_base_s: float = 5.0  # first wait after a failed attempt, doubled each time
    retry_max_s: float = 600.0
    max_concurrent: int = 32  # messages answered at once (Rasa calls and sends), across users


def create_app(settings: ZaloSettings, engine: Engine, rasa_client_factory: RasaClientFactory,
               clock: Callable[[], float] = time.time) -> web.Application:
    """The webhook app: ``POST /webhooks/zalo``. On startup it resumes messages left pending."""
    app = web.Application()

    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            verify_request(raw, request.headers.get(P.ZALO_SIGNATURE_HEADER), settings.oa_secret_key,
                           now=clock(), max_age_s=settings.max_event_age_s)
        except UnreadableBody as exc:
            log.warning("Zalo webhook: malformed request refused: %s", exc)
            return web.json_response({"error": "malformed JSON"}, status=400)
        except SignatureError as exc:
            log.warning("Zalo webhook: request refused (%s): %s", exc.__class__.__name__, exc)
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            event = parse_event(raw)
        except ZaloEventError as exc:
            log.warning("Zalo webhook: malformed event refused: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        inbound = _inbound(event)
        if inbound is None:
            return web.json_response({"ok": True})
        try:
            new = await app["responder"].receive(*inbound)
        except SQLAlchemyError:
            log.exception("Zalo webhook: could not store message %s; Zalo will redeliver it", inbound[0])
            return web.json_response({"error": "storage unavailable"}, status=503)
        if not new:
            log.info("Zalo webhook: redelivery of %s acknowledged, not answered again", inbound[0])
        return web.json_response({"ok": True})

    async def services(app: web.Application):
        async with aiohttp.ClientSession() as session:
            responder = _Responder(settings, engine, rasa_client_factory(session),
                                   ZaloOAClient(settings.api, session))
            app["responder"] = responder
            sweeper = asyncio.create_task(responder.sweep_forever())
            yield
            sweeper.cancel()
            await responder.stop()
            await asyncio.gather(sweeper, return_exceptions=True)

    app.cleanup_ctx.append(services)
    app.add_routes([web.post(WEBHOOK_PATH, webhook)])
    return app


def _inbound(event: ZaloEvent) -> Optional[Tuple[str, str, str, Dict[str, Any]]]:
    """``(external id, sender, text, payload)`` of an event that needs an answer, or None (logged)."""
    if isinstance(event, TextMessage):
        text = event.text.replace("\x00", "").strip()
        if not text:
            log.info("Zalo webhook: empty text message %s ignored", event.msg_id)
            return None
        return event.msg_id, event.sender_id, text, {"kind": "text", "reply_to": event.msg_id}
    if isinstance(event, AttachmentMessage):
        return event.msg_id, event.sender_id, "", {"kind": "attachment", "event": event.event_name,
                                                   "types": list(event.attachment_types),
                                                   "reply_to": event.msg_id}
    if isinstance(event, Follow):
        return f"follow-{event.user_id}-{event.timestamp_ms}", event.user_id, "", {"kind": "follow"}
    if isinstance(event, Unfollow):
        log.info("Zalo webhook: a user unfollowed the OA")
    elif isinstance(event, (OAEcho, SilentEvent)):
        log.debug("Zalo webhook: %s ignored", event.event_name)
    else:
        log.info("Zalo webhook: unknown event %r acknowledged and ignored", event.event_name)
    return None


@dataclass(frozen=True)
class _Received:
    message_id: int
    pending: List[inbox.Pending]  # the sender's unanswered messages, oldest first
    staff: Optional[Dict[str, Any]]  # the sender's staff account, if any


def _store(engine: Engine, external_id: str, sender: str, text: str, payload: Dict[str, Any]
           ) -> Optional[_Received]:
    """Keep a new message and read what answering it needs, in one transaction; None for a redelivery."""
    try:
        with transaction(engine) as session:
            message_id = inbox.add(session, CHANNEL, external_id, sender, text, payload)
            return _Received(message_id, inbox.pending_in(session, CHANNEL, sender=sender),
                             find_staff(session, CHANNEL, sender))
    except IntegrityError:
        return None


class _Responder:
    """Answers stored messages: one at a time per user, in order; retried with growing waits."""

    def __init__(self, settings: ZaloSettings, engine: Engine, rasa: RasaClient, api: ZaloOAClient):
        self._settings = settings
        self._engine = engine
        self._rasa = rasa
        self._api = api
        self._in_flight: Set[int] = set()
        self._tasks: Set[asyncio.Task] = set()
        self._unsent: Dict[int, List[Dict[str, Any]]] = {}  # replies composed but not yet delivered
        self._failures: Dict[int, int] = {}
        self._next_try: Dict[int, float] = {}
        self._staff: Dict[int, Optional[Dict[str, Any]]] = {}  # the sender's staff account, when read already
        self._reads: Dict[int, Set[int]] = {}  # per database read in progress: messages settled meanwhile
        self._read_ids = itertools.count()
        self._locks: Dict[str, asyncio.Lock] = {}
        self._lock_users: Dict[str, int] = {}
        self._slots = asyncio.Semaphore(settings.max_concurrent)

    async def receive(self, external_id: str, sender: str, text: str, payload: Dict[str, Any]) -> bool:
        """Store a new message and start answering it after the sender's older pending ones (due or not);
        False for a redelivery, which is not answered again."""
        received, settled = await self._read(_store, self._engine, external_id, sender, text, payload)
        if received is None:
            return False
        new = inbox.Pending(received.message_id, CHANNEL, external_id, sender, text, payload, 0)
        for item in [*received.pending, new]:
            if item.id not in settled and item.id not in self._in_flight:
                self._staff[item.id] = received.staff
                self._submit(item)
        return True

    async def sweep(self) -> None:
        """Start pending messages that are due."""
        now = time.monotonic()
        items, settled = await self._read(inbox.pending, self._engine, CHANNEL)
        for item in items:
            if item.id not in settled and self._next_try.get(item.id, 0.0) <= now:
                self._submit(item)

    async def _read(self, read: Callable[..., Result], *args: Any) -> Tuple[Result, Set[int]]:
        """Run a database read in a thread; also return the messages settled meanwhile, which the read may
        still list as pending (answering them again would answer twice)."""
        settled: Set[int] = set()
        key = next(self._read_ids)
        self._reads[key] = settled
        try:
            return await asyncio.to_thread(read, *args), settled
        finally:
            del self._reads[key]

    async def sweep_forever(self) -> None:
        """Resume what was pending at startup, then look again every ``sweep_interval_s``."""
        while True:
            try:
                await self.sweep()
                await self.send_outbox()
            except SQLAlchemyError:
                log.exception("Zalo: could not read pending messages")
            await asyncio.sleep(self._settings.sweep_interval_s)

    async def send_outbox(self) -> int:
        """Deliver staff answers waiting for Zalo users; return how many went out."""

        async def send(item: outbox.Outbound) -> None:
            for part in split_text(item.text, P.ZALO_TEXT_LIMIT):
                await self._api.send_message(item.address, {"text": part})

        return await outbox.deliver_due(self._engine, CHANNEL, send,
                                        (ZaloApiError, aiohttp.ClientError, asyncio.TimeoutError))

    async def stop(self) -> None:
        """Cancel work in progress; unfinished messages stay pending for the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _submit(self, item: inbox.Pending) -> None:
        if item.id in self._in_flight:
            return
        self._in_flight.add(item.id)
        task = asyncio.create_task(self._run(item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, item: inbox.Pending) -> None:
        lock = self._locks.setdefault(item.sender, asyncio.Lock())
        self._lock_users[item.sender] = self._lock_users.get(item.sender, 0) + 1
        try:
            async with lock, self._slots:
                await self._answer(item)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an unexpected bug must not lose the message: count it and retry
            log.exception("Zalo: unexpected error answering message %d", item.id)
            await self._failed(item, f"{exc.__class__.__name__}: {exc}", retry=True)
        finally:
            self._in_flight.discard(item.id)
            self._lock_users[item.sender] -= 1
            if not self._lock_users[item.sender]:
                del self._lock_users[item.sender], self._locks[item.sender]

    async def _answer(self, item: inbox.Pending) -> None:
        try:
            if item.id not in self._unsent:
                self._unsent[item.id] = await self._compose(item)
            unsent = self._unsent[item.id]
            while unsent:
                await self._api.send_message(item.sender, unsent[0], item.payload.get("reply_to"))
                unsent.pop(0)
        except RasaUnavailable as exc:
            await self._failed(item, f"Rasa unavailable: {exc}", retry=True)
            return
        except ZaloApiError as exc:
            await self._failed(item, str(exc), retry=exc.transient)
            return
        await asyncio.to_thread(inbox.mark_done, self._engine, item.id)
        self._settled(item.id)

    async def _compose(self, item: inbox.Pending) -> List[Dict[str, Any]]:
        """The Zalo messages answering ``item``: the greeting, the text-only notice, or Rasa's replies."""
        kind = item.payload.get("kind")
        if kind == "follow":
            return build_messages(T.ZALO_FOLLOW_GREETING)
        if kind == "attachment":
            return build_messages(T.ZALO_TEXT_ONLY)
        if item.id in self._staff:
            staff = self._staff[item.id]
        else:
            staff = await asyncio.to_thread(staff_by_channel_id, self._engine, CHANNEL, item.sender)
        metadata: Dict[str, Any] = {"channel": CHANNEL, "address": item.sender}
        if staff is None:
            replies = await self._rasa.send(f"{CHANNEL}-{item.sender}", item.text, metadata)
            messages = [m for r in replies for m in build_messages(r.text, r.buttons)]
        else:
            # Zalo marks no forwarded message: whatever registered staff send is answered for relaying.
            metadata["forwarded_by"] = staff["name"]
            replies = await self._rasa.send(f"{CHANNEL}-fwd-{staff['id']}-{item.sender}", item.text, metadata)
            messages = relay_messages(replies)
        if not messages:
            log.warning("Zalo: Rasa gave no reply to message %d", item.id)
        return messages

    async def _failed(self, item: inbox.Pending, error: str, retry: bool) -> None:
        """Record a failed attempt; schedule the next one, or give the message up when it cannot succeed."""
        if retry:
            retry = await asyncio.to_thread(inbox.mark_attempt_failed, self._engine, item.id, error)
        if retry:
            count = self._failures[item.id] = self._failures.get(item.id, 0) + 1
            wait = min(self._settings.retry_base_s * 2 ** (count - 1), self._settings.retry_max_s)
            self._next_try[item.id] = time.monotonic() + wait
            log.warning("Zalo: message %d not answered yet (%s); next try in %.0f s", item.id, error, wait)
            return
        log.error("Zalo: message %d could not be answered and was given up: %s", item.id, error)
        await asyncio.to_thread(inbox.mark_failed, self._engine, item.id, error)
        self._settled(item.id)

    def _settled(self, message_id: int) -> None:
        """Forget a message answered or given up; reads in progress learn it is no longer pending."""
        for settled in self._reads.values():
            settled.add(message_id)
        for table in (self._unsent, self._failures, self._next_try, self._staff):
            table.pop(message_id, None)


def relay_messages(replies: List[BotReply]) -> List[Dict[str, Any]]:
    """Rasa's replies as one message a staff member can copy to the citizen (split only past the limit)."""
    texts = [r.text.strip() for r in replies if r.text.strip()]
    if not texts:
        return []
    buttons = [b for r in replies for b in r.buttons]
    return build_messages(T.RELAY_PREFIX + "\n" + "\n\n".join(texts), buttons)
