"""Choosing Rasa's tracker and lock stores from the environment, and the Redis lock store's atomic tickets."""
from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Iterator, List

import pytest
from redis_scratch import REDIS_URL, redis_key_prefix
import yaml

from bot.servers import KEPT_TRACKER_STORE, SQL_TRACKER_STORE, Stack, write_endpoints
from config.settings import Settings

PG = "postgresql://bot:s3cret-pw@db.internal:5432/bot"


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"BOT_VAR_DIR": str(tmp_path), **env})


def test_unset_keeps_the_embedded_default(tmp_path):
    settings = _settings(tmp_path)
    assert settings.tracker_store_url is None and settings.redis_url is None
    served = yaml.safe_load(write_endpoints(settings, 5101, persistent=False).read_text())
    assert served["lock_store"] == {"type": "in_memory"}
    assert served["tracker_store"] == {"type": KEPT_TRACKER_STORE, "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    on_disk = yaml.safe_load(write_endpoints(settings, 5102, persistent=True).read_text())
    assert on_disk["tracker_store"] == {"type": SQL_TRACKER_STORE, "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}


def test_urls_choose_sql_tracker_and_redis_locks_without_writing_secrets(tmp_path):
    settings = _settings(tmp_path, TRACKER_STORE_URL=PG, REDIS_URL="redis://:r3dis-pw@cache:6380/2",
                         REDIS_KEY_PREFIX="prod1", DATABASE_URL="postgresql+psycopg2://kb:kb-pw@db/kb")
    for persistent in (False, True):  # `bot ask` uses the shared store too when one is configured
        path = write_endpoints(settings, 5103, persistent=persistent)
        text = path.read_text()
        assert "pw" not in text
        endpoints = yaml.safe_load(text)
        assert endpoints["tracker_store"] == {"type": SQL_TRACKER_STORE, "url": "${TRACKER_STORE_URL}"}
        assert endpoints["lock_store"] == {"type": "bot.lock_store.AtomicRedisLockStore", "url": "${REDIS_URL}",
                                           "key_prefix": "prod1"}
    stack = Stack(settings, tmp_path / "model.tar.gz", {"rasa": 5005, "actions": 5103})
    env = stack.env()
    assert env["TRACKER_STORE_URL"] == PG and env["REDIS_URL"] == "redis://:r3dis-pw@cache:6380/2"
    masked = str(settings.masked())
    assert "pw" not in masked and "postgresql://bot:***@db.internal:5432/bot" in masked
    assert "redis://:***@cache:6380/2" in masked and "postgresql+psycopg2://kb:***@db/kb" in masked


def test_rasa_reads_the_endpoints_file_with_the_urls_from_its_environment(tmp_path, monkeypatch):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    from bot.lock_store import AtomicRedisLockStore

    settings = _settings(tmp_path, TRACKER_STORE_URL=PG, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX="t1")
    path = write_endpoints(settings, 5104, persistent=False)
    for name, value in Stack(settings, tmp_path, {"rasa": 1, "actions": 5104}).store_env().items():
        monkeypatch.setenv(name, value)
    tracker = read_endpoint_config(str(path), "tracker_store")
    assert (tracker.type, tracker.url) == (SQL_TRACKER_STORE, PG)
    store = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore) and store.key("c") == "t1:lock:c"


def test_redis_url_parts():
    from bot.lock_store import redis_kwargs

    assert redis_kwargs("rediss://user:p%40ss@cache.internal:6390/3") == {
        "host": "cache.internal", "port": 6390, "db": 3, "username": "user", "password": "p@ss", "use_ssl": True}
    assert redis_kwargs("redis://127.0.0.1") == {"host": "127.0.0.1", "port": 6379, "db": 0, "username": None,
                                                 "password": None, "use_ssl": False}
    with pytest.raises(ValueError):
        redis_kwargs("http://127.0.0.1:6379")


# --- the lock store against the real Redis --------------------------------------------------------------------

@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_key_prefix("t") as key_prefix:
        yield key_prefix


def test_tickets_taken_at_once_by_many_clients_are_all_different(prefix):
    from bot.lock_store import AtomicRedisLockStore

    conversation = "race"
    tickets: List[int] = []

    def client() -> None:  # each thread its own store and connection, like separate Rasa servers
        store = AtomicRedisLockStore.from_url(REDIS_URL, prefix)
        for _ in range(40):
            tickets.append(store.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Rasa's own RedisLockStore hands out the same ticket several times here (read, change, write).
    assert sorted(tickets) == list(range(240))


async def test_a_second_turn_waits_for_the_first_and_the_lock_goes_with_the_last_ticket(prefix):
    from bot.lock_store import AtomicRedisLockStore

    first, second = (AtomicRedisLockStore.from_url(REDIS_URL, prefix, wait_time=0.01) for _ in range(2))
    order: List[str] = []

    async def turn(store: AtomicRedisLockStore, name: str, hold: float) -> None:
        async with store.lock("conv"):
            order.append(f"{name} start")
            await asyncio.sleep(hold)
            order.append(f"{name} end")

    one = asyncio.create_task(turn(first, "one", 0.2))
    await asyncio.sleep(0.05)
    assert first.get_lock("conv").tickets  # ticket 0 issued, held
    await turn(second, "two", 0)
    await one
    assert order == ["one start", "one end", "two start", "two end"]
    assert first.get_lock("conv") is None and not first.red.exists(first.key("conv"))


async def test_a_ticket_left_while_redis_was_unreachable_is_released_when_it_is_back(prefix, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from bot.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore.from_url(REDIS_URL, prefix, wait_time=0.01)
    working = store._update

    def unreachable(*_args):
        raise RedisConnectionError("Error 111 connecting to redis")

    async with store.lock("stuck") as lock:  # the turn is answered although Redis went away meanwhile
        monkeypatch.setattr(store, "_update", unreachable)
    assert lock.conversation_id == "stuck" and store.get_lock("stuck").tickets  # the ticket is still held
    monkeypatch.setattr(store, "_update", working)  # Redis is back: the next turn, of any conversation,
    async with store.lock("other"):                 # releases it first
        pass
    assert store.get_lock("stuck") is None
    async with store.lock("stuck"):  # so the conversation does not wait for the ticket to expire
        pass


async def test_a_ticket_past_its_lifetime_does_not_hold_the_conversation(prefix):
    from bot.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore.from_url(REDIS_URL, prefix, wait_time=0.01)
    store.issue_ticket("left", 0.05)  # a server that died mid-turn
    await asyncio.sleep(0.1)
    async with store.lock("left") as lock:  # the stale ticket dropped: numbering starts again, as in Rasa
        assert [t.number for t in lock.tickets] == [0] and lock.tickets[0].expires > time.time() + 50
    assert store.get_lock("left") is None


async def test_a_waiting_turn_whose_ticket_expires_fails_instead_of_waiting_on(prefix):
    from rasa.core.lock_store import LockError

    from bot.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore.from_url(REDIS_URL, prefix, wait_time=0.01)
    store.issue_ticket("busy", 60)
    with pytest.raises(LockError):
        async with store.lock("busy", lock_lifetime=0.05):
            pass
    assert [t.number for t in store.get_lock("busy").tickets] == [0]  # its own ticket gone, the first kept


def test_locks_are_stored_in_rasas_format_both_ways(prefix):
    from rasa.core.lock_store import RedisLockStore

    from bot.lock_store import AtomicRedisLockStore, redis_kwargs

    ours = AtomicRedisLockStore.from_url(REDIS_URL, prefix)
    rasas = RedisLockStore(key_prefix=prefix, **redis_kwargs(REDIS_URL))
    assert rasas.issue_ticket("both", 60) == 0
    assert ours.issue_ticket("both", 60) == 1
    assert rasas.issue_ticket("both", 60) == 2
    lock = rasas.get_lock("both")
    assert lock.conversation_id == "both" and [t.number for t in lock.tickets] == [0, 1, 2]
    assert all(time.time() + 59 < t.expires <= time.time() + 60 for t in lock.tickets)
    ours.finish_serving("both", 0)
    assert rasas.get_lock("both").now_serving == 1


def test_servers_started_at_once_share_one_pseudonymisation_key(tmp_path, monkeypatch):
    from bot.servers import hash_key

    monkeypatch.delenv("BOT_HASH_KEY", raising=False)
    for attempt in range(20):  # a cluster starts its servers from threads at once
        settings = _settings(tmp_path / str(attempt))
        start = threading.Barrier(8)
        keys: List[str] = []

        def server() -> None:
            start.wait()
            keys.append(hash_key(settings))

        threads = [threading.Thread(target=server) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
        assert [p.name for p in settings.var_dir.iterdir()] == ["hash.key"]


async def test_the_lock_script_is_loaded_again_after_redis_forgets_it(prefix):
    from bot.lock_store import AtomicRedisLockStore

    store = AtomicRedisLockStore.from_url(REDIS_URL, prefix)
    async with store.lock("restarted"):
        pass
    store.red.script_flush()  # what a Redis restart does to its scripts
    async with store.lock("restarted") as lock:
        assert [t.number for t in lock.tickets] == [0]
    assert store.get_lock("restarted") is None
