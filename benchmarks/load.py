"""Simulated users against the assistant on loopback: the REST channel and the Zalo OA webhook (the real
connector, in its own process, answering through a fake Zalo OpenAPI served here).

    .venv/bin/python benchmarks/load.py                           # closed loop: 1, 20 and 100 users
    .venv/bin/python benchmarks/load.py --rate 40 --duration 60   # open load: 40 messages/s for 60 s
    options: --deployments embedded,shared1,scaled  --channels rest,zalo  --users 1,20,100  --messages 200  --json PATH

Deployments: "embedded" is `bot run`'s default (SQLite KB, conversations and locks in memory, one Rasa
server); "scaled" is two Rasa and two action servers sharing a scratch PostgreSQL database (KB and
conversations) and Redis (locks), requests spread over both servers in turn, as a load balancer would;
"shared1" is one Rasa and one action server on the same stores (what a second server adds, measured).

Closed loop: each user sends a message, waits for the answer, sends the next (a short conversation, with
locality changes); a phase sends about --messages messages (at least 3 per user) and stops after
--phase-seconds. Open load: messages arrive at --rate per second (Poisson) for --duration seconds from many
users, whatever the answers' speed. Latency is up to the complete REST answer, or up to the first reply
message reaching Zalo. Errors: refused or failed requests (HTTP status, connection); lost: messages with
no answer at the end (after up to --drain seconds for Zalo's background answers)."""
from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import math
import multiprocessing
import random
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional, Sequence, Tuple

import aiohttp
from aiohttp import web

from bot.cluster import Cluster, load_knowledge_base, scratch_database, shared_settings
from bot.servers import Stack, free_port
from config.settings import Settings
from figures import percentile

SCRIPT = ["xin chào", "ho tro the bhyt cho ho can ngheo o sai gon", "chỉ tiêu bao phủ BHYT của Đà Nẵng",
          "khám chữa bệnh miễn phí cho trẻ em dưới 6 tuổi", "Cần Thơ", "còn ở Đà Nẵng thì sao?",
          "Đức Phổ xây bao nhiêu căn hộ nhà ở xã hội", "mien hoc phi cho hoc sinh ho ngheo o can tho", "cảm ơn nhé"]
ZALO_APP_ID, ZALO_SECRET = "bench-app", "bench-oa-secret"
REQUEST_TIMEOUT_S = 60.0
CLUSTER_SIZES = {"shared1": 1, "scaled": 2}  # Rasa (and action) servers on PostgreSQL and Redis


@dataclass
class Result:
    deployment: str
    channel: str
    load: str
    sent: int = 0
    answered: int = 0
    errors: int = 0
    wall_s: float = 0.0
    latencies_ms: List[float] = field(default_factory=list, repr=False)

    @property
    def lost(self) -> int:
        return self.sent - self.answered

    def summary(self) -> Dict[str, Any]:
        lat = self.latencies_ms or [math.nan]
        return {"deployment": self.deployment, "channel": self.channel, "load": self.load, "sent": self.sent,
                "answered": self.answered, "errors": self.errors, "lost": self.lost,
                "msg_per_s": round(self.answered / self.wall_s, 1) if self.wall_s else 0.0,
                "p50_ms": round(percentile(lat, 0.5), 1), "p95_ms": round(percentile(lat, 0.95), 1),
                "p99_ms": round(percentile(lat, 0.99), 1), "wall_s": round(self.wall_s, 1)}


# --- channels --------------------------------------------------------------------------------------------------

class RestChannel:
    """POSTs to the REST channel, each request to the next Rasa server in turn."""

    name = "rest"

    def __init__(self, rasa_urls: Sequence[str], http: aiohttp.ClientSession):
        self._urls = itertools.cycle([u + "/webhooks/rest/webhook" for u in rasa_urls])
        self._http = http

    async def turn(self, result: Result, sender: str, text: str) -> None:
        result.sent += 1
        start = time.perf_counter()
        try:
            async with self._http.post(next(self._urls), json={"sender": sender, "message": text}) as response:
                body = await response.json() if response.status == 200 else None
                if response.status != 200:
                    result.errors += 1
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError):
            result.errors += 1
            return
        if any(item.get("text") for item in body or []):
            result.answered += 1
            result.latencies_ms.append((time.perf_counter() - start) * 1000)

    async def drain(self, result: Result, seconds: float) -> None:
        return None


class FakeZalo:
    """Zalo's customer-service message API: records when the first reply to each user message arrives.
    While ``failing``, it answers in turn HTTP 429 (Retry-After 1), HTTP 500, or not before the client
    gives up (``hang_s``)."""

    def __init__(self, hang_s: float = 6.0) -> None:
        self.first_reply: Dict[str, float] = {}
        self.waiting: Dict[str, asyncio.Event] = {}
        self.messages = 0
        self.failing = False
        self.refused: collections.Counter = collections.Counter()
        self._faults = itertools.cycle(["429", "500", "timeout"])
        self._hang_s = hang_s

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.post("/v3.0/oa/message/cs", self.message)])
        return app

    async def message(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.failing:
            fault = next(self._faults)
            self.refused[fault] += 1
            if fault == "timeout":
                await asyncio.sleep(self._hang_s)
                return web.json_response({"error": -1, "message": "late"}, status=504)
            return web.json_response({"error": -1, "message": "unavailable"}, status=int(fault),
                                     headers={"Retry-After": "1"} if fault == "429" else None)
        self.messages += 1
        reply_to = str(body.get("recipient", {}).get("message_id") or "")
        if reply_to and reply_to not in self.first_reply:
            self.first_reply[reply_to] = time.perf_counter()
            if reply_to in self.waiting:
                self.waiting[reply_to].set()
        data = {"message_id": f"oa-{self.messages}", "user_id": body["recipient"]["user_id"]}
        return web.json_response({"error": 0, "message": "Success", "data": data})


def signed_text_event(sender: str, text: str) -> Tuple[str, bytes, Dict[str, str]]:
    """A new ``user_send_text`` event as Zalo posts it: (msg_id, body, headers with a valid signature)."""
    from connectors.zalo_signature import compute_mac

    msg_id = uuid.uuid4().hex
    timestamp = str(int(time.time() * 1000))
    event = {"event_name": "user_send_text", "app_id": ZALO_APP_ID, "sender": {"id": sender},
             "recipient": {"id": "bench-oa"}, "message": {"text": text, "msg_id": msg_id}, "timestamp": timestamp}
    raw = json.dumps(event, ensure_ascii=False).encode("utf-8")
    headers = {"X-ZEvent-Signature": "mac=" + compute_mac(ZALO_APP_ID, raw, timestamp, ZALO_SECRET),
               "Content-Type": "application/json"}
    return msg_id, raw, headers


class ZaloChannel:
    """Signed ``user_send_text`` events to the Zalo webhook; answered when the fake Zalo API gets a reply."""

    name = "zalo"

    def __init__(self, webhook_url: str, fake: FakeZalo, http: aiohttp.ClientSession):
        self._url = webhook_url
        self._fake = fake
        self._http = http
        self._sent_at: Dict[str, float] = {}

    async def turn(self, result: Result, sender: str, text: str) -> None:
        msg_id, raw, headers = signed_text_event(sender, text)
        arrived = self._fake.waiting[msg_id] = asyncio.Event()
        result.sent += 1
        self._sent_at[msg_id] = time.perf_counter()
        try:
            async with self._http.post(self._url, data=raw, headers=headers) as response:
                if response.status != 200:
                    result.errors += 1
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError):
            result.errors += 1
            return
        try:  # a user waits for the first reply before typing again
            await asyncio.wait_for(arrived.wait(), REQUEST_TIMEOUT_S)
        except asyncio.TimeoutError:
            pass

    async def drain(self, result: Result, seconds: float) -> None:
        """Wait for late background answers, then count every message answered by now."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(m not in self._fake.first_reply for m in self._sent_at):
            await asyncio.sleep(0.2)
        for msg_id, sent in self._sent_at.items():
            if msg_id in self._fake.first_reply:
                result.answered += 1
                result.latencies_ms.append((self._fake.first_reply[msg_id] - sent) * 1000)
        self._sent_at.clear()


# --- load shapes -----------------------------------------------------------------------------------------------

async def closed_loop(channel: Any, result: Result, users: int, per_user: int, limit_s: float, drain_s: float) -> None:
    run = uuid.uuid4().hex[:6]
    deadline = time.monotonic() + limit_s

    async def user(n: int) -> None:
        for i in range(per_user):
            if time.monotonic() > deadline:
                return
            # One conversation is the script's length; then the user starts another (a new session),
            # so a long phase does not measure ever-longer trackers.
            await channel.turn(result, f"load-{run}-{n}-{i // len(SCRIPT)}", SCRIPT[(n + i) % len(SCRIPT)])

    start = time.perf_counter()
    await asyncio.gather(*(user(n) for n in range(users)))
    await channel.drain(result, drain_s)
    result.wall_s = time.perf_counter() - start


async def open_load(channel: Any, result: Result, rate: float, duration: float, drain_s: float) -> None:
    run = uuid.uuid4().hex[:6]
    rng = random.Random(7)
    users = max(1, int(rate * duration / 4))  # about four messages a user, rarely two at once
    tasks: List[asyncio.Task] = []
    start = time.perf_counter()
    at = 0.0
    for n in itertools.count():
        at += rng.expovariate(rate)
        if at > duration:
            break
        await asyncio.sleep(max(0.0, start + at - time.perf_counter()))
        tasks.append(asyncio.create_task(channel.turn(result, f"open-{run}-{n % users}", SCRIPT[n % len(SCRIPT)])))
    await asyncio.gather(*tasks)
    await channel.drain(result, drain_s)
    result.wall_s = time.perf_counter() - start


# --- deployments -----------------------------------------------------------------------------------------------

class RoundRobinRasa:
    """A RasaClient look-alike that sends each call to the next Rasa server (the connector's load balancer)."""

    def __init__(self, clients: Sequence[Any]):
        self._clients = itertools.cycle(clients)

    async def send(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> Any:
        return await next(self._clients).send(sender, text, metadata)


def serve_zalo(port: int, database_url: str, rasa_urls: List[str], api_base: str, token_file: str,
               api_timeout_s: float) -> None:
    """The Zalo webhook process (multiprocessing target): connectors.zalo_webhook with the product's settings
    (but for the OA API's timeout)."""
    import logging

    from connectors.rasa_client import RasaClient
    from connectors.zalo_api import ZaloApiSettings
    from connectors.zalo_webhook import ZaloSettings, create_app
    from knowledge.db import create_schema, make_engine

    logging.basicConfig(level=logging.WARNING)  # retries and failures show on stderr
    engine = make_engine(database_url)
    create_schema(engine)
    api = ZaloApiSettings(app_id=ZALO_APP_ID, app_secret="bench-app-secret", token_file=Path(token_file),
                          access_token="bench-access", refresh_token="bench-refresh", api_base=api_base,
                          oauth_base=api_base, timeout_s=api_timeout_s)
    settings = ZaloSettings(oa_secret_key=ZALO_SECRET, api=api)
    app = create_app(settings, engine,
                     lambda session: RoundRobinRasa([RasaClient(u, session, timeout=REQUEST_TIMEOUT_S) for u in rasa_urls]))
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


class Deployment:
    """The servers of one deployment, started and stopped around the measurements."""

    def __init__(self, kind: str, model: Path, workdir: Path):
        self.kind, self.model, self.workdir = kind, model, workdir
        self.rasa_urls: List[str] = []
        self.database_url = ""
        self._stop: List[Any] = []

    def __enter__(self) -> "Deployment":
        logs = self.workdir / "logs"
        if self.kind == "embedded":
            self.database_url = f"sqlite:///{self.workdir / 'kb.db'}"
            load_knowledge_base(self.database_url)
            settings = Settings(database_url=self.database_url, var_dir=self.workdir, model_dir=self.model.parent)
            stack = Stack(settings, self.model, {"rasa": free_port(), "actions": free_port()}, webchat=False,
                          channels=False, log_dir=logs)
            stack.start()
            self._stop.append(stack.stop)
            self.rasa_urls = [f"http://127.0.0.1:{stack.ports['rasa']}"]
            return self
        database = scratch_database("postgresql://postgres@127.0.0.1:5432/test", "loadbench")
        pg = database.__enter__()
        self._stop.append(lambda: database.__exit__(None, None, None))
        prefix = f"load{uuid.uuid4().hex[:8]}"
        self._stop.append(lambda: _clear_redis(prefix))
        settings = shared_settings(self.workdir, self.model.parent, pg, "redis://127.0.0.1:6379/0", prefix)
        self.database_url = settings.database_url
        load_knowledge_base(self.database_url)
        cluster = Cluster(settings, self.model, size=CLUSTER_SIZES[self.kind], log_dir=logs)
        cluster.start()
        self._stop.append(cluster.stop)
        self.rasa_urls = cluster.rasa_urls
        return self

    def __exit__(self, *exc: Any) -> None:
        for stop in reversed(self._stop):
            stop()


async def _listening(url: str, timeout: float) -> None:
    """Wait until ``url`` answers at all (the webhook answers GET with 405)."""
    from bot.deploy import health

    deadline = time.monotonic() + timeout
    while await asyncio.to_thread(health, url, 2.0) != 0:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not start")
        await asyncio.sleep(0.3)


class ZaloConnector:
    """The real Zalo connector in its own process, which can be killed and started again on its port."""

    API_TIMEOUT_S = 5.0  # the OA API's timeout (the product's default is 15 s), so a hanging API shows soon

    def __init__(self, database_url: str, rasa_urls: List[str], api_base: str, token_file: Path):
        self._args = (database_url, rasa_urls, api_base, str(token_file), self.API_TIMEOUT_S)
        self._port = free_port()
        self.hook = f"http://127.0.0.1:{self._port}/webhooks/zalo"
        self._process: Optional[multiprocessing.Process] = None

    async def start(self) -> None:
        self._process = multiprocessing.get_context("spawn").Process(target=serve_zalo,
                                                                     args=(self._port, *self._args))
        self._process.start()
        await _listening(self.hook, 60)

    def kill(self) -> None:
        """SIGKILL: whatever it was answering is left as it was."""
        if self._process is not None:
            self._process.kill()
            self._process.join(10)

    def stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(10)


@asynccontextmanager
async def zalo_connector(database_url: str, rasa_urls: List[str], workdir: Path
                         ) -> AsyncIterator[Tuple[ZaloConnector, "FakeZalo"]]:
    """The fake Zalo API served here and the real Zalo connector in its own process."""
    fake = FakeZalo()
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()
    connector = ZaloConnector(database_url, rasa_urls, f"http://127.0.0.1:{fake_port}", workdir / "zalo.json")
    try:
        await connector.start()
        yield connector, fake
    finally:
        connector.stop()
        await runner.cleanup()


def _clear_redis(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


async def measure(deployment: Deployment, channel_name: str, loads: List[Dict[str, Any]], args: argparse.Namespace
                  ) -> List[Result]:
    results: List[Result] = []
    limits = aiohttp.TCPConnector(limit=0)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession(
            connector=limits, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)))
        if channel_name == "zalo":
            connector, fake = await stack.enter_async_context(
                zalo_connector(deployment.database_url, deployment.rasa_urls, deployment.workdir))
            channel: Any = ZaloChannel(connector.hook, fake, http)
        else:
            channel = RestChannel(deployment.rasa_urls, http)
        warm = Result(deployment.kind, channel_name, "warm-up")
        await closed_loop(channel, warm, users=2 * len(deployment.rasa_urls), per_user=3, limit_s=60, drain_s=10)
        for load in loads:
            result = Result(deployment.kind, channel_name, load["label"])
            if load["kind"] == "closed":
                per_user = max(3, math.ceil(args.messages / load["users"]))
                await closed_loop(channel, result, load["users"], per_user, args.phase_seconds, args.drain)
            else:
                await open_load(channel, result, args.rate, args.duration, args.drain)
            print(_row(result.summary()), flush=True)
            results.append(result)
    return results


HEADER = f"{'deployment':<10} {'channel':<7} {'load':<16} {'sent':>5} {'errors':>6} {'lost':>5} " \
         f"{'msg/s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"


def _row(s: Dict[str, Any]) -> str:
    return (f"{s['deployment']:<10} {s['channel']:<7} {s['load']:<16} {s['sent']:>5} {s['errors']:>6} {s['lost']:>5} "
            f"{s['msg_per_s']:>6} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8}")


def _workdir(keep: Optional[Path], kind: str, scratch: Path) -> Path:
    if keep is None:
        return scratch
    (keep / kind).mkdir(parents=True, exist_ok=True)
    return keep / kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deployments", default="embedded,scaled")
    parser.add_argument("--channels", default="rest,zalo")
    parser.add_argument("--users", default="1,20,100")
    parser.add_argument("--messages", type=int, default=200, help="about this many messages per closed-loop phase")
    parser.add_argument("--phase-seconds", type=float, default=120, help="a closed-loop phase stops sending then")
    parser.add_argument("--rate", type=float, help="open load: messages per second")
    parser.add_argument("--duration", type=float, default=60, help="open load: seconds")
    parser.add_argument("--drain", type=float, default=30, help="seconds to wait for Zalo's late answers")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--keep", type=Path, help="keep the servers' logs in this folder")
    args = parser.parse_args()
    if args.rate and not (0 < args.rate <= 200 and 0 < args.duration <= 300):
        parser.error("open load is bounded: --rate up to 200/s, --duration up to 300 s")
    unknown = set(args.deployments.split(",")) - {"embedded", *CLUSTER_SIZES}
    if unknown:
        parser.error(f"unknown deployments: {', '.join(sorted(unknown))}")

    from nlu.model_store import latest_model

    model = latest_model(Settings.from_env().model_dir)
    if model is None:
        sys.exit("no trained model: run `bot train` first")
    loads = ([{"kind": "open", "label": f"open {args.rate:g}/s {args.duration:g}s"}] if args.rate else
             [{"kind": "closed", "users": int(u), "label": f"closed {int(u)} users"} for u in args.users.split(",")])
    summaries: List[Dict[str, Any]] = []
    print(HEADER, flush=True)
    for kind in args.deployments.split(","):
        with tempfile.TemporaryDirectory(prefix=f"load-{kind}-") as tmp, \
                Deployment(kind, model, _workdir(args.keep, kind, Path(tmp))) as deployment:
            for channel in args.channels.split(","):
                for result in asyncio.run(measure(deployment, channel, loads, args)):
                    summaries.append(result.summary())
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
