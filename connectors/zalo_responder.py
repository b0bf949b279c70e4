"""Answering stored Zalo messages in the background: Rasa, then the OA API; one user's messages strictly oldest
first; every send recorded before the call, so a restart never repeats a part that may have gone out.

Per user, one worker answers the oldest pending message and does not move on until it is answered or given up.
A Rasa failure pauses answering until :class:`RasaHealth` finds Rasa back (a probe every second or so), so a
long outage ends with every user's messages answered in order within seconds of Rasa's return.
"""
from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import itertools
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors import channel_texts as T
from connectors import inbox, outbox
from connectors import platform_constants as P
from connectors.notice_runner import NoticePreparer
from connectors.rasa_client import BotReply, RasaClient, RasaUnavailable
from connectors.reply_splitter import split_text
from connectors.zalo_api import ZaloApiError, ZaloOAClient, build_messages
from connectors.zalo_buttons import needs_localities, rasa_message
from connectors.zalo_notices import ZaloNotices
from connectors.rasa_health import RasaHealth
from knowledge.accounts import find_staff, staff_by_channel_id
from knowledge.db import transaction
from knowledge.models import Locality
from knowledge.subscriptions import unsubscribe_all

if TYPE_CHECKING:
    from connectors.zalo_webhook import ZaloSettings

log = logging.getLogger("connectors.zalo_webhook")  # one logger for the whole channel

CHANNEL = "zalo"
Result = TypeVar("Result")


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


@dataclass
class _Progress:
    """A reply being delivered: its Zalo messages (None until Rasa is asked) and how many went out."""

    reply: Optional[List[Dict[str, Any]]]
    sent: int


class Responder:
    """Answers stored messages: one worker per user, oldest first; retried while failures are transient."""

    def __init__(self, settings: "ZaloSettings", engine: Engine, rasa: RasaClient, api: ZaloOAClient,
                 health: RasaHealth, clock: Callable[[], float] = time.time):
        self._settings = settings
        self._engine = engine
        self._rasa = rasa
        self._api = api
        self._health = health
        self._clock = clock
        self._queues: Dict[str, List[inbox.Pending]] = {}  # per user: messages to answer, oldest first
        self._queued: Set[int] = set()
        self._workers: Dict[str, asyncio.Task] = {}
        self._sends: Set[asyncio.Task] = set()  # sends in flight, finished even when stopping
        self._staff: Dict[int, Optional[Dict[str, Any]]] = {}  # the sender's staff account, when read already
        self._reads: Dict[int, Set[int]] = {}  # per database read in progress: messages settled meanwhile
        self._read_ids = itertools.count()
        self._slots = asyncio.Semaphore(settings.max_concurrent)
        self._recovered = False
        self._preparer = NoticePreparer(engine, settings.notice_interval_s)
        self._notices = ZaloNotices(engine, settings.notices, self._send_notice, settings.notice_batch,
                                    settings.notice_concurrency, clock)

    # --- what to answer --------------------------------------------------------------------------------------

    async def receive(self, external_id: str, sender: str, text: str, payload: Dict[str, Any]) -> bool:
        """Store a new message and queue it behind the sender's older pending ones; False for a redelivery,
        which is not answered again."""
        received, settled = await self.read(_store, self._engine, external_id, sender, text, payload)
        if received is None:
            return False
        self.enqueue(received.pending, settled, (sender, received.staff))
        return True

    def enqueue(self, items: List[inbox.Pending], settled: Set[int],
                staff: Optional[Tuple[str, Optional[Dict[str, Any]]]] = None) -> None:
        """Queue pending messages (skipping those settled meanwhile or queued already) behind their sender's
        older ones, and start the sender's worker if it is idle. ``staff``: a sender's account, read already."""
        for item in items:
            if item.id in settled or item.id in self._queued:
                continue
            if staff is not None and staff[0] == item.sender:
                self._staff[item.id] = staff[1]
            queue = self._queues.setdefault(item.sender, [])
            # The head may be in progress: an older message found late still goes right after it.
            keys = [q.id for q in queue[1:]]
            queue.insert(1 + bisect.bisect(keys, item.id) if queue else 0, item)
            self._queued.add(item.id)
            if item.sender not in self._workers:
                self._workers[item.sender] = asyncio.create_task(self._work(item.sender))

    async def read(self, read: Callable[..., Result], *args: Any) -> Tuple[Result, Set[int]]:
        """Run a database read in a thread; also return the messages settled meanwhile, which the read may
        still list as pending (answering them again would answer twice)."""
        settled: Set[int] = set()
        key = next(self._read_ids)
        self._reads[key] = settled
        try:
            return await asyncio.to_thread(read, *args), settled
        finally:
            del self._reads[key]

    async def sweep(self) -> None:
        """Queue every pending message (what a restart resumes, and anything not queued yet)."""
        items, settled = await self.read(inbox.pending, self._engine, CHANNEL)
        self.enqueue(items, settled)

    async def recover(self) -> None:
        """Once, at start: settle the sends a crash interrupted, without repeating them."""
        if self._recovered:
            return
        for m in await asyncio.to_thread(inbox.recover_sending, self._engine, CHANNEL):
            log.warning("Zalo: message %d: part %d of %d was being sent when the connector stopped; it may have "
                        "reached the user and is not sent again%s", m.id, m.part + 1, m.parts,
                        "" if m.done else "; the rest follows")
        parts_of = lambda text: len(split_text(text, P.ZALO_TEXT_LIMIT))  # noqa: E731
        for o in await asyncio.to_thread(outbox.recover_sending, self._engine, CHANNEL, parts_of):
            log.warning("Zalo: staff answer %d: part %d of %d was being sent when the connector stopped; it may "
                        "have reached the user and is not sent again", o.id, o.part + 1, o.parts)
        self._recovered = True

    async def sweep_forever(self) -> None:
        """Settle interrupted sends, resume what was pending, then look again every ``sweep_interval_s``."""
        while True:
            try:
                await self.recover()
                await self.sweep()
                await self._preparer.run_due()
                await self.send_outbox()
            except SQLAlchemyError:
                log.exception("Zalo: could not read pending messages")
            except Exception:  # a bug must not stop the sweeps that resume everything else
                log.exception("Zalo: sweep failed")
            await asyncio.sleep(self._settings.sweep_interval_s)

    async def stop(self) -> None:
        """Stop answering; a send already on its way is finished and recorded (within the API's timeout), the
        rest stays pending for the next start."""
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self._sends:
            await asyncio.wait(list(self._sends), timeout=self._settings.api.timeout_s * self._settings.api.attempts)
        await self._health.close()

    # --- answering one user's messages -----------------------------------------------------------------------

    async def _work(self, sender: str) -> None:
        queue = self._queues[sender]
        try:
            while queue:
                item = queue[0]
                await self._answer(item)
                queue.pop(0)
                self._queued.discard(item.id)
        except Exception:  # the database failing, say: forget the queue; the sweep reads it again, in order
            log.exception("Zalo: answering stopped at message %d; resumed at the next sweep", queue[0].id)
            self._queued.difference_update(q.id for q in queue)
            queue.clear()
        finally:
            if not queue:
                self._queues.pop(sender, None)
            self._workers.pop(sender, None)

    async def _answer(self, item: inbox.Pending) -> None:
        """Answer ``item``, retrying transient failures, until it is answered or given up."""
        progress = _Progress(item.payload.get("reply"), int(item.payload.get("sent") or 0))
        failures = 0
        while True:
            if not failures and progress.reply is None and item.payload.get("kind") == "text" \
                    and not self._health.up:
                await self._health.wait(self._settings.retry_max_s)  # no use asking a Rasa known to be down
            try:
                async with self._slots:
                    await self._deliver(item, progress)
                self._settled(item.id)
                return
            except asyncio.CancelledError:
                raise
            except RasaUnavailable as exc:
                self._health.failed()
                error, rasa = f"Rasa unavailable: {exc}", True
            except ZaloApiError as exc:
                if not exc.transient:
                    await self._give_up(item, str(exc))
                    return
                error, rasa = str(exc), False
            except Exception as exc:  # an unexpected bug must not lose the message: count it and retry
                log.exception("Zalo: unexpected error answering message %d", item.id)
                error, rasa = f"{exc.__class__.__name__}: {exc}", False
            failures += 1
            if not await asyncio.to_thread(inbox.mark_attempt_failed, self._engine, item.id, error):
                await self._give_up(item, error)
                return
            wait = min(self._settings.retry_base_s * 2 ** (failures - 1), self._settings.retry_max_s)
            log.warning("Zalo: message %d not answered yet (%s); next try %s", item.id, error,
                        "when Rasa answers again" if rasa and self._health.up is False else f"in {wait:.0f} s")
            if rasa:
                await self._health.wait(wait)
            else:
                await asyncio.sleep(wait)

    async def _deliver(self, item: inbox.Pending, progress: _Progress) -> None:
        if progress.reply is None:
            progress.reply = await self._compose(item)
        if not progress.reply:
            await asyncio.to_thread(inbox.mark_done, self._engine, item.id)
            return
        while progress.sent < len(progress.reply):
            await self._shielded(self._send_part(item, progress))

    async def _send_part(self, item: inbox.Pending, progress: _Progress) -> None:
        """Send the next part, recorded as ``sending`` before the call and as sent after it."""
        part, reply = progress.sent, progress.reply
        assert reply is not None
        await asyncio.to_thread(inbox.mark_sending, self._engine, item.id, part, reply)
        await self._api.send_message(item.sender, reply[part], item.payload.get("reply_to"))
        progress.sent = part + 1  # before recording it: a failed write must not send the part again
        await asyncio.to_thread(inbox.mark_part_sent, self._engine, item.id, part, part + 1 == len(reply))

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
        text = item.text
        if needs_localities(text):
            text = rasa_message(text, await asyncio.to_thread(_localities, self._engine))
        else:
            text = rasa_message(text)
        metadata: Dict[str, Any] = {"channel": CHANNEL, "address": item.sender}
        if staff is None:
            replies = await self._rasa.send(f"{CHANNEL}-{item.sender}", text, metadata)
            messages = [m for r in replies for m in build_messages(r.text, r.buttons)]
        else:
            # Zalo marks no forwarded message: whatever registered staff send is answered for relaying.
            metadata["forwarded_by"] = staff["name"]
            replies = await self._rasa.send(f"{CHANNEL}-fwd-{staff['id']}-{item.sender}", text, metadata)
            messages = relay_messages(replies)
        self._health.succeeded()
        if not messages:
            log.warning("Zalo: Rasa gave no reply to message %d", item.id)
        return messages

    async def _shielded(self, send: Awaitable[Result]) -> Result:
        """Run a recorded send so that stopping the connector lets it finish and be recorded, rather than leave
        it ``sending`` (which a restart would have to treat as possibly delivered)."""
        task = asyncio.ensure_future(send)
        self._sends.add(task)
        task.add_done_callback(_forget_send(self._sends))
        return await asyncio.shield(task)

    async def _give_up(self, item: inbox.Pending, error: str) -> None:
        log.error("Zalo: message %d could not be answered and was given up: %s", item.id, error)
        await asyncio.to_thread(inbox.mark_failed, self._engine, item.id, error)
        self._settled(item.id)

    def _settled(self, message_id: int) -> None:
        """Forget a message answered or given up; reads in progress learn it is no longer pending."""
        for settled in self._reads.values():
            settled.add(message_id)
        self._staff.pop(message_id, None)

    # --- staff answers ---------------------------------------------------------------------------------------

    async def send_outbox(self) -> int:
        """Deliver staff answers waiting for Zalo users, each as a reply to the user's last message when that is
        recent enough (else Zalo bills it as proactive), then subscribers' notices within the OA's quota
        (:mod:`connectors.zalo_notices`); return how many staff answers went out. A refusal for good (-230,
        -213, -201…) fails the message with its reason; only transient failures are retried."""
        sent = 0
        for item in await asyncio.to_thread(outbox.due_parts, self._engine, CHANNEL, 20, False):
            since = dt.datetime.fromtimestamp(self._clock() - P.ZALO_REPLY_WINDOW_S, dt.timezone.utc)
            reply_to = await asyncio.to_thread(inbox.last_message_id, self._engine, CHANNEL, item.address,
                                               since.replace(tzinfo=None))
            parts = split_text(item.text, P.ZALO_TEXT_LIMIT)
            if await self._send_staff_answer(item, parts, reply_to):
                sent += 1
        tally = await self._notices.deliver_round()
        if tally:
            log.info("Zalo: notices this round: %s",
                     ", ".join(f"{n} {action}" for action, n in sorted(tally.items())))
        return sent

    async def _send_notice(self, item: outbox.Outbound, reply_to: Optional[str]) -> bool:
        """Send a notice the quota allows: as a reply to ``reply_to`` (free) or without one (billed)."""
        return await self._send_staff_answer(item, split_text(item.text, P.ZALO_TEXT_LIMIT), reply_to)

    async def _send_staff_answer(self, item: outbox.Outbound, parts: List[str], reply_to: Optional[str]) -> bool:
        for part in range(item.next_part, len(parts)):
            try:
                if not await self._shielded(self._send_staff_part(item, parts, part, reply_to)):
                    return False  # taken by another connector, or cancelled by a stop
            except ZaloApiError as exc:
                if exc.transient:
                    log.warning("Zalo: staff answer %d not delivered yet: %s", item.id, exc)
                    await asyncio.to_thread(outbox.mark_part_failed, self._engine, item.id, part, str(exc))
                else:
                    log.error("Zalo: staff answer %d refused for good, not retried: %s", item.id, exc)
                    if exc.code == P.ZALO_ERROR_NOT_FOLLOWING:  # no notice can reach a follower who left
                        await asyncio.to_thread(unsubscribe_all, self._engine, CHANNEL, item.address)
                    await asyncio.to_thread(outbox.mark_failed, self._engine, item.id, str(exc))
                return False
        return True

    async def _send_staff_part(self, item: outbox.Outbound, parts: List[str], part: int,
                               reply_to: Optional[str]) -> bool:
        """Send one part of a staff answer, recorded as ``sending`` before the call and as sent after it;
        False (nothing sent) when the message no longer waits for it."""
        if not await asyncio.to_thread(outbox.mark_sending, self._engine, item.id, part):
            return False
        await self._api.send_message(item.address, {"text": parts[part]}, reply_to)
        await asyncio.to_thread(outbox.mark_part_sent, self._engine, item.id, part, part + 1 == len(parts))
        return True


def _forget_send(sends: Set[asyncio.Task]) -> Callable[[asyncio.Task], None]:
    def done(task: asyncio.Task) -> None:
        sends.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved here: its awaiter may have been cancelled (the connector stopping)
    return done


def _localities(engine: Engine) -> List[str]:
    """The localities' display names, which the actions put on their locality buttons."""
    with transaction(engine) as session:
        return list(session.execute(select(Locality.name)).scalars())


def relay_messages(replies: List[BotReply]) -> List[Dict[str, Any]]:
    """Rasa's replies as one message a staff member can copy to the citizen (split only past the limit), without
    buttons: they would act on the staff member's own conversation, not the citizen's."""
    texts = [r.text.strip() for r in replies if r.text.strip()]
    if not texts:
        return []
    return build_messages(T.RELAY_PREFIX + "\n" + "\n\n".join(texts))
