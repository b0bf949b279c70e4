"""What the action server needs from its environment: the KB and the hashing key.

rasa-sdk instantiates actions itself, so settings arrive as environment
variables set by `bot run` (DATABASE_URL, BOT_HASH_KEY)."""
from __future__ import annotations

import os
from functools import lru_cache

from sqlalchemy.engine import Engine

from knowledge.db import create_schema, make_engine
from knowledge.provision_search import ProvisionSearch


@lru_cache(maxsize=1)
def engine() -> Engine:
    url = os.environ.get("DATABASE_URL") or "sqlite:///var/knowledge.db"
    eng = make_engine(url)
    create_schema(eng)
    return eng


@lru_cache(maxsize=1)
def search() -> ProvisionSearch:
    return ProvisionSearch(engine())


def hash_key() -> bytes:
    key = os.environ.get("BOT_HASH_KEY")
    if not key:
        raise RuntimeError("BOT_HASH_KEY is not set; `bot run` sets it from var/hash.key")
    return key.encode("utf-8")
