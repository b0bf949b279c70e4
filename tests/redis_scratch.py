"""A Redis key prefix of a test's own on the machine's Redis, its keys deleted afterwards."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest

REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def redis_key_prefix(tag: str) -> Iterator[str]:
    """Skips the test when Redis does not answer."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc.__class__.__name__}")
    prefix = f"{tag}{uuid.uuid4().hex[:8]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()
