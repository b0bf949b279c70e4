"""End-to-end REST round trip: connector → Rasa → actions → KB → reply, beside bare NLU
parsing and a static response, measured in the same run.

    .venv/bin/python benchmarks/round_trip.py [--requests 100] [--users 20]

With one user the three kinds run in alternating batches of ten, so the ratio compares like
with like on a noisy machine.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from typing import Awaitable, Callable, Dict, List

import aiohttp

from bot.run import prepare
from config.settings import Settings
from figures import percentile
from scratch import scratch_assistant

KINDS = ("parse", "static", "cited")
QUESTIONS = [
    "ho tro the bhyt cho ho can ngheo o sai gon",
    "chỉ tiêu bao phủ BHYT của Đà Nẵng",
    "khám chữa bệnh miễn phí cho trẻ em dưới 6 tuổi ở Cần Thơ",
    "Đức Phổ xây bao nhiêu căn hộ nhà ở xã hội",
    "mien hoc phi cho hoc sinh ho ngheo o can tho",
]


async def _timed(call: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


def summarise(timings: List[float]) -> Dict[str, float]:
    return {"p50": statistics.median(timings), "p95": percentile(timings, 0.95), "n": len(timings)}


async def measure(base: str, token: str, kind: str, requests: int, users: int) -> List[float]:
    counter = itertools.count()
    async with aiohttp.ClientSession() as http:
        async def one(user: int) -> None:
            i = next(counter)
            if kind == "parse":
                async with http.post(f"{base}/model/parse", params={"token": token},
                                     json={"text": QUESTIONS[i % len(QUESTIONS)]}) as r:
                    assert r.status == 200
                    await r.read()
                return
            text = "tạm biệt" if kind == "static" else QUESTIONS[i % len(QUESTIONS)]
            async with http.post(f"{base}/webhooks/rest/webhook",
                                 json={"sender": f"bench-{kind}-{user}-{i}", "message": text}) as r:
                assert r.status == 200
                body = await r.json()
                assert body and body[0].get("text")

        for _ in range(3):
            await one(0)  # warm-up
        timings: List[float] = []

        async def user_loop(user: int) -> None:
            for _ in range(requests // users):
                timings.append(await _timed(lambda: one(user)))

        await asyncio.gather(*(user_loop(u) for u in range(users)))
    return timings


async def interleaved(base: str, token: str, requests: int, batch: int = 10) -> Dict[str, List[float]]:
    """One user, the three kinds in alternating batches: the machine's noise falls on each alike,
    so their ratio holds even when the absolute times drift."""
    timings: Dict[str, List[float]] = {kind: [] for kind in KINDS}
    for _ in range(max(1, requests // batch)):
        for kind in KINDS:
            timings[kind] += await measure(base, token, kind, batch, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    settings = Settings.from_env()
    model = prepare(settings)
    rows = []
    with scratch_assistant(settings, model) as (base, token):
        for kind, timings in asyncio.run(interleaved(base, token, args.requests)).items():
            rows.append((1, kind, summarise(timings)))
        for kind in KINDS:
            rows.append((args.users, kind, summarise(asyncio.run(measure(base, token, kind, args.requests, args.users)))))
    labels = {"parse": "bare NLU parse (/model/parse)", "static": "static response (goodbye rule)",
              "cited": "cited KB answer (action + KB)"}
    for users, kind, r in rows:
        print(f"{users:>3} user(s)  {labels[kind]:<34} p50 {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  (n={r['n']})")
    one = {k: r for u, k, r in rows if u == 1}
    print(f"cited/static p50 ratio (1 user): {one['cited']['p50'] / one['static']['p50']:.2f}x")


if __name__ == "__main__":
    main()
