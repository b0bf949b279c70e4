"""The Zalo OA webhook: checked, stored and acknowledged at once; answered in the background
(:mod:`connectors.zalo_responder`), retried while Rasa or Zalo is unavailable, and resumed after a restart."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from connectors import platform_constants as P
from connectors.rasa_client import RasaClient
from connectors.zalo_api import ZaloApiSettings, ZaloOAClient
from connectors.zalo_events import (AttachmentMessage, Follow, OAEcho, SilentEvent, TextMessage, Unfollow,
                                    ZaloEvent, ZaloEventError, parse_event)
from connectors.rasa_health import RasaHealth, http_probe
from connectors.zalo_quota import ZaloNoticePolicy
from connectors.zalo_responder import CHANNEL, Responder
from connectors.zalo_signature import SignatureError, UnreadableBody, verify_request
from knowledge.subscriptions import unsubscribe_all

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/zalo"

RasaClientFactory = Callable[[aiohttp.ClientSession], RasaClient]


@dataclass(frozen=True)
class ZaloSettings:
    oa_secret_key: str = field(repr=False)
    api: ZaloApiSettings
    late_event_s: float = P.ZALO_LATE_EVENT_S  # events older than this are logged as late (and answered)
    sweep_interval_s: float = 15.0  # how often pending messages are looked for
    retry_base_s: float = 5.0  # first wait after a failed attempt, doubled each time
    retry_max_s: float = 600.0
    max_concurrent: int = 32  # messages answered at once (Rasa calls and sends), across users
    # Rasa's root URL, probed while Rasa is down so answering resumes within about rasa_probe_s of its return;
    # None: no probe, each message waits its own backoff.
    rasa_health_url: Optional[str] = None
    rasa_probe_s: float = 1.0
    rasa_probe_max_s: float = 30.0  # longest wait between probes while Rasa answers them but turns still fail
    notices: ZaloNoticePolicy = ZaloNoticePolicy()  # what subscribers' notices may cost (connectors/zalo_quota.py)
    notice_interval_s: float = 10.0  # knowledge-base changes are turned into subscribers' notices this often
    notice_batch: int = 500  # notices decided on per sweep (queued ones, then held ones)
    notice_concurrency: int = 4  # notices sent at once


def create_app(settings: ZaloSettings, engine: Engine, rasa_client_factory: RasaClientFactory,
               clock: Callable[[], float] = time.time) -> web.Application:
    """The webhook app: ``POST /webhooks/zalo``. On startup it resumes messages left pending."""
    app = web.Application()

    async def webhook(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            verify_request(raw, request.headers.get(P.ZALO_SIGNATURE_HEADER), settings.oa_secret_key)
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
        _log_if_late(event, clock(), settings.late_event_s)
        if isinstance(event, Unfollow):  # nothing reaches a follower who left: forget their subscriptions
            try:
                await asyncio.to_thread(unsubscribe_all, engine, CHANNEL, event.user_id)
            except SQLAlchemyError:
                log.exception("Zalo webhook: could not remove the subscriptions of a user who unfollowed")
                return web.json_response({"error": "storage unavailable"}, status=503)
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
            probe = http_probe(session, settings.rasa_health_url) if settings.rasa_health_url else None
            health = RasaHealth(probe, settings.rasa_probe_s, settings.rasa_probe_max_s)
            responder = Responder(settings, engine, rasa_client_factory(session),
                                  ZaloOAClient(settings.api, session), health, clock)
            app["responder"] = responder
            try:  # before any new message, so a user's interrupted answer is settled before their next one
                await responder.recover()
            except SQLAlchemyError:
                log.exception("Zalo: could not settle interrupted sends yet; the sweep tries again")
            sweeper = asyncio.create_task(responder.sweep_forever())
            yield
            sweeper.cancel()
            await responder.stop()
            await asyncio.gather(sweeper, return_exceptions=True)

    app.cleanup_ctx.append(services)
    app.add_routes([web.post(WEBHOOK_PATH, webhook)])
    return app


def _log_if_late(event: ZaloEvent, now: float, late_s: float) -> None:
    """Note a late delivery (Zalo retrying after an outage) or a clock far off; the event is kept either way:
    its signature is good, and a replay of it is caught by its message id."""
    timestamp_ms = getattr(event, "timestamp_ms", None)
    if timestamp_ms is None:
        return
    age_s = now - timestamp_ms / 1000
    if age_s > late_s:
        log.info("Zalo webhook: late delivery of a %s event written %.0f s ago; kept", type(event).__name__, age_s)
    elif -age_s > late_s:
        log.warning("Zalo webhook: event timestamp %.0f s in the future: is this machine's clock right?", -age_s)


def _inbound(event: ZaloEvent) -> Optional[Tuple[str, str, str, Dict[str, Any]]]:
    """``(external id, sender, text, payload)`` of an event that needs an answer, or None (logged)."""
    if isinstance(event, TextMessage):
        text = event.text.replace("\x00", "").strip()
        if not text:
            log.info("Zalo webhook: empty text message %s ignored", event.msg_id)
            return None
        return event.msg_id, event.sender_id, text, {"kind": "text", "reply_to": event.msg_id,
                                                     "timestamp_ms": event.timestamp_ms}
    if isinstance(event, AttachmentMessage):
        return event.msg_id, event.sender_id, "", {"kind": "attachment", "event": event.event_name,
                                                   "types": list(event.attachment_types),
                                                   "reply_to": event.msg_id, "timestamp_ms": event.timestamp_ms}
    if isinstance(event, Follow):
        return f"follow-{event.user_id}-{event.timestamp_ms}", event.user_id, "", {"kind": "follow"}
    if isinstance(event, Unfollow):
        log.info("Zalo webhook: a user unfollowed the OA")
    elif isinstance(event, (OAEcho, SilentEvent)):
        log.debug("Zalo webhook: %s ignored", event.event_name)
    else:
        log.info("Zalo webhook: unknown event %r acknowledged and ignored", event.event_name)
    return None
