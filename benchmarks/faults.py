"""Faults under load, on the scaled deployment (two Rasa + two action servers, PostgreSQL, Redis) on loopback:
what users see and whether messages are lost.

    .venv/bin/python benchmarks/faults.py [--scenarios actions,postgres,redis,...] [--users 6] [--seconds 40]

Scenarios, each during a closed-loop load over the REST channel, the Zalo webhook and Telegram at once,
the fault starting a quarter of the way in and lasting ten seconds:
- actions:            one action server killed (SIGKILL), then restarted;
- postgres:           PostgreSQL unreachable (connections refused and the open ones cut);
- redis:              Redis unreachable;
- zalo-api:           Zalo's message API answering in turn HTTP 429, HTTP 500, or too late (a timeout);
- zalo-connector:     the Zalo connector process killed (SIGKILL) with messages in flight, then started again;
- telegram-api:       Telegram's sendMessage answering in turn 429 (retry after 1 s), 500, or too late;
- telegram-connector: the Telegram connector process killed (SIGKILL) with messages in flight, then started again.
PostgreSQL and Redis are reached through TCP proxies run here, which is how they are made unreachable
without touching the servers themselves. Zalo redelivers an event its webhook did not acknowledge with
200 (here: every second, for a minute); the fake Bot API hands out an update until a getUpdates call
confirms it, as Telegram does. Telegram users pause 1.5 s between messages (the connector allows 8 per
10 s). Afterwards the connectors' inboxes are read: every acknowledged Zalo event and every Telegram
message should have been answered ("done"), none pending, failed or missing."""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Set

import aiohttp
from aiohttp import web

from bot.cluster import Cluster, load_knowledge_base, scratch_database, shared_settings, with_database
from bot.servers import free_port, wait_http
from config.settings import Settings
from load import SCRIPT, FakeZalo, ZaloConnector, signed_text_event, zalo_connector

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the tests' fake Bot API
from fake_telegram import TOKEN, FakeTelegram  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/test"
REDIS = ("127.0.0.1", 6379)
OUTAGE_S = 10.0
SCENARIOS = ("actions", "postgres", "redis", "zalo-api", "zalo-connector", "telegram-api", "telegram-connector")


class TcpProxy:
    """Forwards a loopback port to a server; ``cut`` refuses new connections and drops open ones."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self._server: Optional[asyncio.AbstractServer] = None
        self._open: Set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._open |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.transport.abort()
                self._open.discard(dst)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@dataclass
class Seen:
    """What users of one channel saw during a scenario."""

    sent: int = 0
    answers: int = 0
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    first_ok_after_fault: Optional[float] = None

    def note(self, outcome: str, fault_over: Optional[float]) -> None:
        self.outcomes[outcome] += 1
        if outcome == "answer" and fault_over is not None and self.first_ok_after_fault is None \
                and time.monotonic() >= fault_over:
            self.first_ok_after_fault = time.monotonic() - fault_over


class TelegramProcess:
    """The real Telegram connector (`python -m connectors.telegram_main`, long polling) against the fake Bot API."""

    def __init__(self, database_url: str, rasa_url: str, fake: FakeTelegram, log_path: Path):
        self._fake, self._log_path = fake, log_path
        self._command = [sys.executable, "-m", "connectors.telegram_main", "--rasa", rasa_url]
        self._env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": fake.base_url,
                     "DATABASE_URL": database_url}
        self._process: Optional[subprocess.Popen] = None

    async def start(self) -> None:
        polls = self._fake.polls
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._log_path, "ab") as log:
            self._process = subprocess.Popen(self._command, env=self._env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while self._fake.polls == polls:  # polling: it is listening
            if time.monotonic() > deadline or self._process.poll() is not None:
                raise RuntimeError(f"the Telegram connector did not start (see {self._log_path})")
            await asyncio.sleep(0.2)

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)


@dataclass
class Channels:
    """The connectors under load and the fakes of the platforms they answer through."""

    zalo: ZaloConnector
    zalo_api: FakeZalo
    telegram: TelegramProcess
    telegram_api: FakeTelegram


class Load:
    """Closed-loop users over REST (round robin over the Rasa servers), Zalo and Telegram, with the fault's timing."""

    def __init__(self, rasa_urls: List[str], channels: Channels, http: aiohttp.ClientSession):
        self.rasa_urls, self.channels, self.http = rasa_urls, channels, http
        self.hook, self.fake = channels.zalo.hook, channels.zalo_api
        self.rest, self.zalo, self.telegram = Seen(), Seen(), Seen()
        self.fault_over: Optional[float] = None
        self.zalo_sent: Dict[str, str] = {}  # msg_id -> how its webhook acknowledgement ended
        self.telegram_sent: List[str] = []  # inbox external ids, "chat:message"
        self._turn = 0

    async def rest_user(self, name: str, until: float) -> None:
        i = 0
        while time.monotonic() < until:
            url = self.rasa_urls[self._turn % len(self.rasa_urls)] + "/webhooks/rest/webhook"
            self._turn += 1
            self.rest.sent += 1
            try:
                async with self.http.post(url, json={"sender": name, "message": SCRIPT[i % len(SCRIPT)]}) as r:
                    body = await r.json() if r.status == 200 else None
                    outcome = f"HTTP {r.status}" if r.status != 200 else (
                        "answer" if any(x.get("text") for x in body) else "empty reply")
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                outcome = exc.__class__.__name__
            self.rest.note(outcome, self.fault_over)
            if outcome != "answer":
                await asyncio.sleep(0.5)  # a person waits a moment before trying again
            i += 1

    async def zalo_user(self, name: str, until: float) -> None:
        i = 0
        while time.monotonic() < until:
            msg_id, raw, headers = signed_text_event(name, SCRIPT[i % len(SCRIPT)])
            arrived = self.fake.waiting[msg_id] = asyncio.Event()
            self.zalo.sent += 1
            ack = await self._deliver(raw, headers)
            self.zalo_sent[msg_id] = ack
            if ack == "200":
                try:
                    await asyncio.wait_for(arrived.wait(), 20)
                    self.zalo.note("answer", self.fault_over)
                except asyncio.TimeoutError:
                    self.zalo.note("no answer within 20 s", self.fault_over)
            else:
                self.zalo.note(f"never acknowledged ({ack})", self.fault_over)
            i += 1

    async def telegram_user(self, chat_id: int, until: float) -> None:
        api = self.channels.telegram_api
        i = 0
        while time.monotonic() < until:
            seen = len(api.texts(chat_id))
            message_id = 100 + i
            api.push_message(chat_id, message_id, SCRIPT[i % len(SCRIPT)])
            self.telegram_sent.append(f"{chat_id}:{message_id}")
            self.telegram.sent += 1
            deadline, outcome = time.monotonic() + 20, "no answer within 20 s"
            while time.monotonic() < deadline:
                if len(api.texts(chat_id)) > seen:
                    outcome = "answer"
                    break
                await asyncio.sleep(0.05)
            self.telegram.note(outcome, self.fault_over)
            await asyncio.sleep(1.5)  # typing the next message
            i += 1

    async def _deliver(self, raw: bytes, headers: Dict[str, str]) -> str:
        """POST the event as Zalo would: again every second until a 200, for up to a minute."""
        last = ""
        for attempt in range(60):
            try:
                async with self.http.post(self.hook, data=raw, headers=headers) as r:
                    last = str(r.status)
                    if r.status == 200:
                        if attempt:
                            self.zalo.outcomes[f"redelivered ({attempt}x)"] += 1
                        return last
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                last = exc.__class__.__name__
            await asyncio.sleep(1.0)
        return last


def inbox_states(database_url: str, channel: str) -> Dict[str, str]:
    """external id -> status of the channel's stored messages."""
    from sqlalchemy import select

    from knowledge.db import make_engine, transaction
    from knowledge.models import InboundMessage

    engine = make_engine(database_url)
    try:
        with transaction(engine) as s:
            rows = s.execute(select(InboundMessage.external_id, InboundMessage.status)
                             .where(InboundMessage.channel == channel)).all()
        return {external_id: status for external_id, status in rows}
    finally:
        engine.dispose()


async def scenario(name: str, cluster: Cluster, proxies: Dict[str, TcpProxy], channels: Channels,
                   database_url: str, users: int, seconds: float) -> Dict[str, Any]:
    before = await asyncio.to_thread(inbox_states, database_url, "zalo")  # PostgreSQL is behind this loop's proxy
    fake = channels.zalo_api
    refused_before = (collections.Counter(fake.refused), collections.Counter(channels.telegram_api.refused))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30),
                                     connector=aiohttp.TCPConnector(limit=0)) as http:
        load = Load(cluster.rasa_urls, channels, http)
        start = time.monotonic()
        until = start + seconds
        run = uuid.uuid4().hex[:6]
        chats = 900_000 + (int(time.time()) % 1000) * 100  # new chats for each scenario
        users_tasks = [asyncio.create_task(load.rest_user(f"f-{run}-r{n}", until)) for n in range(users)] + \
                      [asyncio.create_task(load.zalo_user(f"f-{run}-z{n}", until)) for n in range(users)] + \
                      [asyncio.create_task(load.telegram_user(chats + n, until)) for n in range(users)]
        await asyncio.sleep(seconds / 4)
        await inject(name, cluster, proxies, channels, start="begin")
        await asyncio.sleep(OUTAGE_S)
        await inject(name, cluster, proxies, channels, start="end")
        load.fault_over = time.monotonic()
        await asyncio.gather(*users_tasks)
        # The connectors retry with growing waits (Zalo 5, 10, 20 s…, sweeping every 15 s; Telegram every
        # 15 s): give them time.
        deadline = time.monotonic() + 90
        acked = [m for m, ack in load.zalo_sent.items() if ack == "200"]
        telegram: Dict[str, str] = {}
        while time.monotonic() < deadline:
            telegram = await asyncio.to_thread(inbox_states, database_url, "telegram")
            if all(m in fake.first_reply for m in acked) and \
                    all(telegram.get(m) == "done" for m in load.telegram_sent):
                break
            await asyncio.sleep(1.0)
    after = await asyncio.to_thread(inbox_states, database_url, "zalo")
    zalo_inbox = collections.Counter(status for m, status in after.items() if m not in before)
    telegram_inbox = collections.Counter(telegram.get(m, "never stored") for m in load.telegram_sent)
    return {"scenario": name, "rest": {"sent": load.rest.sent, **load.rest.outcomes,
                                       "first answer after the fault (s)": _round(load.rest.first_ok_after_fault)},
            "zalo": {"sent": load.zalo.sent, **load.zalo.outcomes,
                     "acknowledged": len(acked),
                     "answered in the end": sum(1 for m in acked if m in fake.first_reply),
                     "lost (acknowledged, never answered)": sum(1 for m in acked if m not in fake.first_reply),
                     "first answer after the fault (s)": _round(load.zalo.first_ok_after_fault),
                     "API refusals": dict(fake.refused - refused_before[0])},
            "zalo inbox": dict(zalo_inbox),
            "telegram": {"sent": load.telegram.sent, **load.telegram.outcomes,
                         "first answer after the fault (s)": _round(load.telegram.first_ok_after_fault),
                         "API refusals": dict(channels.telegram_api.refused - refused_before[1])},
            "telegram inbox": dict(telegram_inbox)}


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


async def inject(name: str, cluster: Cluster, proxies: Dict[str, TcpProxy], channels: Channels, start: str) -> None:
    begin = start == "begin"
    if name == "actions":
        stack = cluster.stacks[0]
        if begin:
            stack.procs["actions"].kill()
            stack.procs["actions"].wait()
        else:
            stack.start_one("actions")
            await asyncio.to_thread(wait_http, f"http://127.0.0.1:{stack.ports['actions']}/health", 60)
    elif name == "zalo-api":
        channels.zalo_api.failing = begin
    elif name == "telegram-api":
        channels.telegram_api.failing = ("sendMessage",) if begin else ()
    elif name == "zalo-connector":
        await (asyncio.to_thread(channels.zalo.kill) if begin else channels.zalo.start())
    elif name == "telegram-connector":
        await (asyncio.to_thread(channels.telegram.kill) if begin else channels.telegram.start())
    else:
        proxy = proxies[name]
        await (proxy.cut() if begin else proxy.start())


async def run(args: argparse.Namespace, model: Path, workdir: Path) -> List[Dict[str, Any]]:
    proxies = {"postgres": TcpProxy("127.0.0.1", 5432), "redis": TcpProxy(*REDIS)}
    for proxy in proxies.values():
        await proxy.start()
    prefix = f"fault{uuid.uuid4().hex[:8]}"
    results: List[Dict[str, Any]] = []
    telegram_api = FakeTelegram()
    telegram_runner = web.AppRunner(telegram_api.app(), access_log=None)
    await telegram_runner.setup()
    telegram_api.port = free_port()
    await web.TCPSite(telegram_runner, "127.0.0.1", telegram_api.port).start()
    with scratch_database(PG_SERVER, "faults") as direct:
        database = with_database(f"postgresql://postgres@127.0.0.1:{proxies['postgres'].port}/x",
                                 direct.rsplit("/", 1)[1])
        settings = shared_settings(workdir, model.parent, database,
                                   f"redis://127.0.0.1:{proxies['redis'].port}/0", prefix)
        await asyncio.to_thread(load_knowledge_base, settings.database_url)
        cluster = Cluster(settings, model, size=2, log_dir=workdir / "logs")
        await asyncio.to_thread(cluster.start)
        telegram = TelegramProcess(settings.database_url, cluster.rasa_urls[0], telegram_api,
                                   workdir / "logs" / "telegram.log")
        try:
            await telegram.start()
            async with zalo_connector(settings.database_url, cluster.rasa_urls, workdir) as (zalo, zalo_api):
                channels = Channels(zalo, zalo_api, telegram, telegram_api)
                for name in args.scenarios.split(","):
                    result = await scenario(name, cluster, proxies, channels, settings.database_url, args.users,
                                            args.seconds)
                    print(json.dumps(result, ensure_ascii=False), flush=True)
                    results.append(result)
        finally:
            try:
                await asyncio.to_thread(telegram.stop)  # it calls the fake Bot API served by this loop as it stops
            finally:
                await asyncio.to_thread(cluster.stop)
                await telegram_runner.cleanup()
                for proxy in proxies.values():
                    await proxy.cut()
                _clear(prefix)
    return results


def _clear(prefix: str) -> None:
    import redis

    client = redis.Redis(*REDIS)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--users", type=int, default=6, help="users per channel")
    parser.add_argument("--seconds", type=float, default=40, help="load per scenario (the outage is 10 s of it)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="keep the servers' logs in this folder")
    args = parser.parse_args()
    if not (1 <= args.users <= 50 and 20 <= args.seconds <= 300):
        parser.error("bounded: --users 1..50, --seconds 20..300")
    unknown = set(args.scenarios.split(",")) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    from nlu.model_store import latest_model

    model = latest_model(Settings.from_env().model_dir)
    if model is None:
        raise SystemExit("no trained model: run `bot train` first")
    with tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = asyncio.run(run(args, model, workdir))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
