"""What the action server needs from its settings: the KB and the hashing key.

rasa-sdk instantiates actions itself, so the settings are built from the environment the action server was
started with (`bot run` sets DATABASE_URL and BOT_HASH_KEY), by the project's one settings module."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy.engine import Engine

from config.settings import Settings
from knowledge.db import create_schema, make_engine
from knowledge.provision_search import ProvisionSearch


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


@lru_cache(maxsize=1)
def engine() -> Engine:
    eng = make_engine(settings().database_url)
    create_schema(eng)
    return eng


@lru_cache(maxsize=1)
def search() -> ProvisionSearch:
    return ProvisionSearch(engine())


def hash_key() -> bytes:
    key = settings().hash_key
    if not key:
        raise RuntimeError("BOT_HASH_KEY is not set; `bot run` sets it from var/hash.key")
    return key.encode("utf-8")
