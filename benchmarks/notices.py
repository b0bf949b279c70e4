"""Subscribers' notices end to end: one change to the knowledge base, a broadcast to many Telegram subscribers sent by
the real connector (python-telegram-bot's Bot against a fake Bot API on loopback), the sender killed (SIGKILL)
halfway and started again; then the Zalo connector delivering the same broadcast's Zalo notices within a small
monthly quota. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/notices.py [--subscribers 10000] [--latency-ms 100] [--zalo-subscribers 60]
                                           [--zalo-quota 10]

Telegram: ``--subscribers`` chats follow the changed provision's topic or locality (or everything) and 5% more follow
something else (they must get nothing). The fake Bot API records every sendMessage with its chat id and the time it
arrived; each request takes ``--latency-ms`` (half before Telegram "has" the message, half before the answer), so a
kill can land before or after a message reached Telegram. Figures: messages a second overall (and per run, without
the restart), the most messages one chat got within any second, duplicates (chats that got the notice twice), lost
(subscribers that never got it), and the sends the kill left ambiguous (marked on their way, no answer recorded:
not sent again, by design) with how many of those had in fact arrived.

Zalo: a third of the followers wrote 2 hours ago (free window), a third 72 hours ago, a third never; the quota is
``--zalo-quota`` a month with the "hold" policy, then the connector is restarted with "skip" to show that held
notices are given up with their reason, never dropped silently."""
from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from knowledge import admin
from knowledge.db import create_schema, make_engine, transaction
from knowledge.importer import load_curated
from knowledge.models import InboundMessage, NoticeSend, OutboundMessage, Subscription, utcnow
from knowledge.notices import broadcasts, prepare_broadcasts, refresh_counts

TOKEN = "123456:BENCH-token-not-real"
CHANGED = "ct-035"  # a Cần Thơ provision on health insurance (bhyt)
FOLLOWS = [("bhyt", "can-tho"), (None, "can-tho"), ("bhyt", None), (None, None)]  # all match the change
ELSEWHERE = ("hoc-phi", "da-nang")  # matches nothing in this change
AMBIGUOUS = "may not have been delivered"


# --- a fake Telegram Bot API ------------------------------------------------------------------------------------

class FakeBotApi:
    """The Bot API methods the connector calls; every sendMessage recorded with its chat id and arrival time."""

    def __init__(self, latency_s: float) -> None:
        self.latency_s = latency_s
        self.received: List[Tuple[int, float]] = []
        self.message_ids = itertools.count(1)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        if method == "getMe":
            return _ok({"id": 999, "is_bot": True, "first_name": "Trợ lý", "username": "troly_bot",
                        "can_join_groups": True, "can_read_all_group_messages": False,
                        "supports_inline_queries": False})
        if method != "sendMessage":
            return _ok(True)
        await asyncio.sleep(self.latency_s / 2)  # on its way: a sender killed now never reaches Telegram
        chat_id = int(form["chat_id"])
        self.received.append((chat_id, time.monotonic()))
        await asyncio.sleep(self.latency_s / 2)  # Telegram has it; the answer is on its way back
        return _ok({"message_id": next(self.message_ids), "date": int(time.time()), "text": form["text"],
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": 999, "is_bot": True, "first_name": "Trợ lý"}})


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


async def serve(app: web.Application) -> Tuple[web.AppRunner, int]:
    # Handlers are cancelled when the client goes away (a killed sender): its message never "arrived".
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


# --- the sender process: the real Telegram connector, its outbox loop only ---------------------------------------

def run_sender(database_url: str, api_base: str) -> None:
    from connectors.telegram_bot import TelegramSettings, build_application, start_connector, stop_connector

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    engine = make_engine(database_url)
    # Production settings, except Rasa (nowhere: no conversation here) and notices prepared by the benchmark.
    settings = TelegramSettings(token=TOKEN, rasa_url="http://127.0.0.1:9", base_url=api_base,
                                base_file_url=api_base.replace("/bot", "/file/bot"), notice_interval_s=3600.0)
    app = build_application(settings, engine)

    async def main() -> None:
        await app.initialize()
        await start_connector(app)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await stop_connector(app)
        await app.shutdown()

    asyncio.run(main())


def start_sender(database_url: str, api_base: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--sender", database_url, api_base],
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


# --- set-up ---------------------------------------------------------------------------------------------------------

def scratch_kb(folder: Path) -> Tuple[str, Engine]:
    url = f"sqlite:///{folder / 'kb.db'}"
    engine = make_engine(url)
    create_schema(engine)
    load_curated(engine)
    return url, engine


def add_subscribers(engine: Engine, channel: str, addresses: List[str], follows: List[Tuple[Any, Any]]) -> None:
    """Written in one statement: 10,000 ``subscribe`` calls would measure SQLite, not notices."""
    now = utcnow()
    rows = [{"channel": channel, "address": a, "topic_key": follows[i % len(follows)][0],
             "locality_key": follows[i % len(follows)][1], "created_at": now} for i, a in enumerate(addresses)]
    with transaction(engine) as session:
        session.execute(insert(Subscription), rows)


def zalo_followers(engine: Engine, count: int) -> Dict[str, str]:
    """Zalo followers: a third wrote 2 hours ago, a third 72 hours ago, a third never. address -> kind."""
    kinds: Dict[str, str] = {}
    with transaction(engine) as session:
        for i in range(count):
            address = f"84{900000 + i}"
            kind = ("in window", "outside window", "never wrote")[i % 3]
            kinds[address] = kind
            if kind != "never wrote":
                hours = 2 if kind == "in window" else 72
                stamp = int((time.time() - hours * 3600) * 1000)
                session.add(InboundMessage(channel="zalo", external_id=f"m-{address}", sender=address, text="hỏi",
                                           payload={"kind": "text", "reply_to": f"m-{address}",
                                                    "timestamp_ms": stamp},
                                           status="done", attempts=0, received_at=utcnow()))
    add_subscribers(engine, "zalo", list(kinds), [("bhyt", "can-tho")])
    return kinds


def outbox_status(engine: Engine, channel: str) -> Dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(OutboundMessage.status, func.count()).where(OutboundMessage.channel == channel)
                            .group_by(OutboundMessage.status)).all()
    return {status: n for status, n in rows}


def settled(engine: Engine, channel: str) -> bool:
    return all(s in ("sent", "failed", "held", "skipped") for s in outbox_status(engine, channel))


# --- Telegram -------------------------------------------------------------------------------------------------------

async def telegram_part(args: argparse.Namespace, url: str, engine: Engine, folder: Path,
                        chats: List[int], others: List[int]) -> Dict[str, Any]:
    fake = FakeBotApi(args.latency_ms / 1000)
    runner, port = await serve(fake.app())
    api = f"http://127.0.0.1:{port}/bot"
    log = folder / "sender.log"
    started = time.monotonic()
    sender = start_sender(url, api, log)
    target = int(len(chats) * args.kill_at)
    while len(fake.received) < target:
        await asyncio.sleep(0.01)
        if sender.poll() is not None:
            raise SystemExit(f"the sender stopped (exit {sender.returncode}); see {log}")
    sender.send_signal(signal.SIGTERM if args.stop == "term" else signal.SIGKILL)
    sender.wait()
    killed_at, before_kill = time.monotonic(), len(fake.received)
    await asyncio.sleep(0.5)  # answers to the killed process's requests land nowhere
    sender = start_sender(url, api, log)
    deadline = time.monotonic() + len(chats) / 10 + 120
    while not await asyncio.to_thread(settled, engine, "telegram"):
        await asyncio.sleep(0.5)
        if time.monotonic() > deadline or sender.poll() is not None:
            print(f"telegram: gave up waiting (sender exit {sender.poll()}); see {log}", file=sys.stderr)
            break
    finished = time.monotonic()
    sender.send_signal(signal.SIGTERM)
    sender.wait(30)
    await runner.cleanup()

    times = [t for _, t in fake.received]
    per_chat = collections.defaultdict(list)
    for chat, at in fake.received:
        per_chat[chat].append(at)
    first_run = times[:before_kill]
    second_run = [t for t in times if t > killed_at]
    with engine.connect() as conn:
        unsure = conn.execute(select(OutboundMessage.address).where(
            OutboundMessage.channel == "telegram", OutboundMessage.last_error.like(f"%{AMBIGUOUS}%"))).scalars().all()
    wanted = set(chats)
    return {
        "subscribers": len(chats), "not_following_the_change": len(others),
        "received": len(fake.received),
        "rate_overall": _rate(times), "rate_first_run": _rate(first_run), "rate_second_run": _rate(second_run),
        "most_in_one_second": _most_within(times, 1.0),
        "most_to_one_chat_in_one_second": max((_most_within(ts, 1.0) for ts in per_chat.values()), default=0),
        "duplicates": sum(1 for ts in per_chat.values() if len(ts) > 1),
        "lost": len(wanted - set(per_chat)),
        "misdirected": len(set(per_chat) - wanted),
        "killed_after": before_kill,
        "ambiguous": len(unsure),
        "ambiguous_arrived": sum(1 for a in unsure if int(a) in per_chat),
        "outbox": outbox_status(engine, "telegram"),
        "seconds": round(finished - started, 1),
        "restart_gap_s": round((second_run[0] - killed_at) if second_run else 0.0, 2),
    }


def _rate(times: List[float]) -> float:
    return round((len(times) - 1) / (times[-1] - times[0]), 1) if len(times) > 1 and times[-1] > times[0] else 0.0


def _most_within(times: List[float], window: float) -> int:
    times, most, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


# --- Zalo -------------------------------------------------------------------------------------------------------------

class FakeZaloApi:
    """Zalo's message/cs endpoint: accepts every message, records its recipient."""

    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self.message)
        return app

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.sent.append(body["recipient"])
        return web.json_response({"error": 0, "message": "Success",
                                  "data": {"message_id": f"oa-{len(self.sent)}"}})


async def zalo_round(engine: Engine, folder: Path, fake_base: str, policy: Any) -> None:
    """Run the Zalo connector (webhook app and its sweeps) until every Zalo notice is settled."""
    from connectors.rasa_client import RasaClient
    from connectors.zalo_api import ZaloApiSettings
    from connectors.zalo_webhook import ZaloSettings, create_app

    api = ZaloApiSettings(app_id="1", app_secret="bench", token_file=folder / "zalo_tokens.json",
                          access_token="access", refresh_token="refresh", api_base=fake_base, oauth_base=fake_base)
    settings = ZaloSettings(oa_secret_key="bench", api=api, sweep_interval_s=0.2, notices=policy,
                            notice_interval_s=3600.0)
    runner, _ = await serve(create_app(settings, engine, lambda session: RasaClient("http://127.0.0.1:9", session)))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        if "pending" not in await asyncio.to_thread(outbox_status, engine, "zalo"):
            break
    await asyncio.sleep(0.5)  # one more sweep: held notices looked at again
    await runner.cleanup()


def zalo_report(engine: Engine, kinds: Dict[str, str], fake: FakeZaloApi) -> Dict[str, Any]:
    by_kind: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    reasons: collections.Counter = collections.Counter()
    with engine.connect() as conn:
        rows = conn.execute(select(OutboundMessage.address, OutboundMessage.status, OutboundMessage.last_error)
                            .where(OutboundMessage.channel == "zalo")).all()
        billed = conn.execute(select(func.count()).select_from(NoticeSend).where(
            NoticeSend.channel == "zalo", NoticeSend.billed == 1)).scalar_one()
    for address, status, reason in rows:
        by_kind[kinds[address]][status] += 1
        if reason:
            reasons[reason] += 1
    replies = sum(1 for r in fake.sent if "message_id" in r)
    return {"followers": len(kinds), "notices": len(rows), "by_follower": {k: dict(v) for k, v in by_kind.items()},
            "sent_free": replies, "sent_billed": len(fake.sent) - replies, "billed_rows": billed,
            "reasons": dict(reasons), "accounted_for": len(rows) == len(kinds)}


async def zalo_part(args: argparse.Namespace, engine: Engine, folder: Path, kinds: Dict[str, str]) -> Dict[str, Any]:
    from connectors.zalo_quota import ZaloNoticePolicy

    fake = FakeZaloApi()
    runner, port = await serve(fake.app())
    base = f"http://127.0.0.1:{port}"
    await zalo_round(engine, folder, base, ZaloNoticePolicy(monthly_quota=args.zalo_quota, over_quota="hold"))
    hold = zalo_report(engine, kinds, fake)
    await zalo_round(engine, folder, base, ZaloNoticePolicy(monthly_quota=args.zalo_quota, over_quota="skip"))
    skip = zalo_report(engine, kinds, fake)
    await runner.cleanup()
    return {"hold": hold, "then_skip": skip}


# --- main -----------------------------------------------------------------------------------------------------------

async def run(args: argparse.Namespace) -> Dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="notices-bench-"))
    try:
        url, engine = scratch_kb(folder)
        prepare_broadcasts(engine)  # the watermark: what the curated load wrote is history
        chats = list(range(1_000_000, 1_000_000 + args.subscribers))
        others = list(range(2_000_000, 2_000_000 + args.subscribers // 20))
        add_subscribers(engine, "telegram", [str(c) for c in chats], FOLLOWS)
        add_subscribers(engine, "telegram", [str(c) for c in others], [ELSEWHERE])
        kinds = zalo_followers(engine, args.zalo_subscribers)
        record = admin.show_provision(engine, CHANGED)
        admin.edit_provision(engine, CHANGED, {"text": record["text"] + " Mức hỗ trợ áp dụng từ ngày 01/01/2026."},
                             by="benchmark")
        began = time.monotonic()
        created = prepare_broadcasts(engine)
        prepare_s = time.monotonic() - began
        telegram = await telegram_part(args, url, engine, folder, chats, others)
        zalo = await zalo_part(args, engine, folder, kinds)
        refresh_counts(engine)
        return {"broadcasts": created, "prepare_s": round(prepare_s, 2), "telegram": telegram, "zalo": zalo,
                "broadcast": broadcasts(engine)[0]}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


STOPPED = {"kill": "SIGKILLed", "term": "stopped by SIGTERM"}


def print_report(r: Dict[str, Any], args: argparse.Namespace) -> None:
    t = r["telegram"]
    print(f"notices benchmark: {t['subscribers']} Telegram subscribers (+{t['not_following_the_change']} following "
          f"something else), {args.latency_ms} ms per request, sender {STOPPED[args.stop]} after {t['killed_after']} "
          "messages")
    print(f"prepare_broadcasts: {r['prepare_s']} s for one batch, broadcast {r['broadcasts']}")
    print(f"telegram: {t['received']} messages in {t['seconds']} s; {t['rate_overall']} messages/s overall "
          f"(restart gap {t['restart_gap_s']} s included); {t['rate_first_run']}/s before the kill, "
          f"{t['rate_second_run']}/s after")
    print(f"telegram: at most {t['most_in_one_second']} messages in any second; at most "
          f"{t['most_to_one_chat_in_one_second']} to one chat in any second")
    print(f"telegram: duplicates {t['duplicates']}, lost {t['lost']}, sent to non-matching subscribers "
          f"{t['misdirected']}; ambiguous after the kill {t['ambiguous']} (of which arrived: "
          f"{t['ambiguous_arrived']}, never arrived: {t['ambiguous'] - t['ambiguous_arrived']})")
    print(f"telegram outbox: {t['outbox']}")
    for name, z in (("hold", r["zalo"]["hold"]), ("then skip", r["zalo"]["then_skip"])):
        print(f"zalo ({name}, quota {args.zalo_quota}): {z['notices']} notices for {z['followers']} followers; "
              f"sent free {z['sent_free']}, billed {z['sent_billed']} ({z['billed_rows']} counted); "
              f"by follower: {json.dumps(z['by_follower'], ensure_ascii=False)}; all accounted for: "
              f"{z['accounted_for']}")
        for reason, n in z["reasons"].items():
            print(f"    {n} × {reason}")
    b = r["broadcast"]
    print(f"broadcast {b['id']}: queued {b['queued']}, sent {b['sent']}, failed {b['failed']}, held {b['held']}, "
          f"skipped (quota) {b['skipped_quota']}; summary: {b['summary']}")


def main(argv: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--sender"]:
        run_sender(argv[1], argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the messages sent before the stop")
    parser.add_argument("--stop", choices=("kill", "term"), default="kill",
                        help="kill: SIGKILL (sends in flight left in doubt); term: SIGTERM, a graceful stop")
    parser.add_argument("--zalo-subscribers", type=int, default=60)
    parser.add_argument("--zalo-quota", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(run(args))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_report(result, args)


if __name__ == "__main__":
    main()
