"""Two Rasa servers and two action servers on loopback sharing PostgreSQL (knowledge base and conversations,
in a database created for this module) and Redis (conversation locks, under a key prefix of its own).

A conversation whose turns alternate between the servers goes exactly as with one server; turns of one
conversation sent at once to both servers are answered one at a time, in the order they were sent."""
from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Set, Tuple

import aiohttp
import pytest
from redis_scratch import REDIS_URL, redis_key_prefix

from bot.cluster import Cluster, load_knowledge_base, scratch_database, shared_settings

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

TIMEOUT = aiohttp.ClientTimeout(total=90)


@pytest.fixture(scope="module")
def redis_prefix() -> Iterator[str]:
    with redis_key_prefix("scale") as key_prefix:
        yield key_prefix


@pytest.fixture(scope="module")
def cluster(trained_model: Path, postgres_url: str, redis_prefix: str, tmp_path_factory) -> Iterator[Cluster]:
    var = tmp_path_factory.mktemp("scale_out")
    with scratch_database(postgres_url, "scaleout") as database:
        settings = shared_settings(var, trained_model.parent, database, REDIS_URL, redis_prefix)
        load_knowledge_base(settings.database_url)
        nodes = Cluster(settings, trained_model, size=2, log_dir=var / "logs")
        nodes.start(timeout=300)
        try:
            yield nodes
        finally:
            nodes.stop()


async def _turn(http: aiohttp.ClientSession, base: str, sender: str, text: str) -> Dict[str, Any]:
    """One REST turn: the reply texts with their buttons, and the provisions cited."""
    async with http.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as response:
        assert response.status == 200, await response.text()
        items = await response.json()
    return {"replies": [(i["text"], [(b["title"], b["payload"]) for b in i.get("buttons") or []])
                        for i in items if i.get("text")],
            "provisions": [p for i in items for p in (i.get("custom") or {}).get("provisions") or []]}


async def _tracker(http: aiohttp.ClientSession, base: str, sender: str, token: str) -> Dict[str, Any]:
    async with http.get(f"{base}/conversations/{sender}/tracker", params={"token": token}) as response:
        assert response.status == 200
        return await response.json()


def _state(tracker: Dict[str, Any]) -> Tuple[Dict[str, Any], str]:
    return tracker["slots"], tracker["latest_message"]["intent"]["name"]


async def test_turns_alternating_between_servers_go_as_with_one_server(cluster):
    servers = cluster.rasa_urls
    alternating, single = f"alt-{uuid.uuid4().hex[:8]}", f"one-{uuid.uuid4().hex[:8]}"
    texts = ["khám chữa bệnh miễn phí cho trẻ em dưới 6 tuổi", None,  # None: the Cần Thơ button's payload
             "còn ở Đà Nẵng thì sao?", "con học sinh thì bảo hiểm y tế thế nào"]
    turns: List[Dict[str, Any]] = []
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        for i, text in enumerate(texts):
            if text is None:
                text = dict(b for _, buttons in turns[-1]["replies"] for b in buttons)["Thành phố Cần Thơ"]
            here, other = servers[i % 2], servers[(i + 1) % 2]
            turn = await _turn(http, here, alternating, text)
            reference = await _turn(http, servers[0], single, text)
            assert turn == reference, f"turn {i + 1} ({text!r}) differs from the one-server conversation"
            # The server that did not answer this turn sees the state the answering one left.
            seen_by_other = _state(await _tracker(http, other, alternating, cluster.stacks[0].api_token))
            assert seen_by_other == _state(await _tracker(http, servers[0], single, cluster.stacks[0].api_token)), f"turn {i + 1}: state differs"
            turns.append({**turn, "slots": seen_by_other[0], "intent": seen_by_other[1]})

    first, chosen, changed, follow_up = turns
    assert not first["provisions"] and len([b for _, bs in first["replies"] for b in bs]) == 5
    assert chosen["provisions"] == ["ct-044"] and chosen["slots"]["locality"]
    assert changed["intent"] == "choose_locality" and changed["provisions"][0].startswith("dn-")
    assert changed["slots"]["locality"] != chosen["slots"]["locality"]
    assert follow_up["provisions"] and follow_up["provisions"][0].startswith("dn-")  # locality remembered
    assert follow_up["slots"]["locality"] == changed["slots"]["locality"]


MESSAGES = ["xin chào", "ho tro the bhyt cho ho can ngheo o sai gon", "chỉ tiêu bao phủ BHYT của Đà Nẵng",
            "cảm ơn nhé", "Đức Phổ xây bao nhiêu căn hộ nhà ở xã hội", "tạm biệt"]


async def test_turns_sent_at_once_to_both_servers_are_answered_one_at_a_time_in_order(cluster, redis_prefix):
    from bot.lock_store import AtomicRedisLockStore

    servers = cluster.rasa_urls
    sender = f"burst-{uuid.uuid4().hex[:8]}"
    locks = AtomicRedisLockStore.from_url(REDIS_URL, redis_prefix)
    most_waiting = 0

    def tickets() -> Set[Tuple[int, float]]:
        nonlocal most_waiting
        lock = locks.get_lock(sender)
        held = {(t.number, t.expires) for t in lock.tickets} if lock else set()
        most_waiting = max(most_waiting, len(held))
        return held

    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        await _turn(http, servers[0], sender, "xin chào")  # the conversation exists before the burst
        sent: List[asyncio.Task] = []
        deadline = time.monotonic() + 60
        for i, text in enumerate(MESSAGES):
            before = tickets()
            task = asyncio.create_task(_turn(http, servers[i % 2], sender, text))
            sent.append(task)
            # The next message goes once this one holds its place in the queue (or was already answered),
            # so "the order sent" is well defined while the turns still overlap.
            while not task.done() and not tickets() - before:
                assert time.monotonic() < deadline, "a message never got its turn"
                await asyncio.sleep(0.002)
        answers = await asyncio.gather(*sent)
        events = (await _tracker(http, servers[1], sender, cluster.stacks[0].api_token))["events"]

    assert most_waiting >= 2, "the messages never waited for each other: the test did not test anything"
    timeline = [e for e in events if e["event"] in ("user", "bot")]
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)
    users = [i for i, e in enumerate(timeline) if e["event"] == "user"][1:]  # skip the opening greeting
    assert [timeline[i]["text"] for i in users] == MESSAGES
    for n, start in enumerate(users):
        end = users[n + 1] if n + 1 < len(users) else len(timeline)
        bot_texts = [e["text"] for e in timeline[start + 1:end] if e.get("text")]
        assert bot_texts == [text for text, _ in answers[n]["replies"]], f"replies to {MESSAGES[n]!r}"
        assert bot_texts, f"no reply to {MESSAGES[n]!r}"
