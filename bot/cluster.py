"""Several Rasa + action server pairs on loopback sharing one PostgreSQL database (knowledge base and
Rasa's conversations) and Redis (conversation locks): the scaled-out deployment on one machine, for
tests and benchmarks."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional
from urllib.parse import urlsplit, urlunsplit

from bot.servers import Stack, free_port
from config.settings import Settings


def with_database(url: str, database: str, scheme: Optional[str] = None) -> str:
    """``url`` pointing at another database (and, if given, with another scheme such as postgresql+psycopg2)."""
    parts = urlsplit(url)
    return urlunsplit((scheme or parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


@contextmanager
def scratch_database(server_url: str, prefix: str = "scratch") -> Iterator[str]:
    """A PostgreSQL database created for the caller and dropped afterwards (with any open connections).
    ``server_url`` is any database URL on that server; yields the new database's ``postgresql://`` URL."""
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = with_database(server_url, urlsplit(server_url).path.lstrip("/") or "postgres", "postgresql")
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        yield with_database(admin_url, name)
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def load_knowledge_base(database_url: str) -> None:
    """Schema and curated data in an empty database."""
    from knowledge.db import create_schema, make_engine
    from knowledge.importer import is_empty, load_curated

    engine = make_engine(database_url)
    try:
        create_schema(engine)
        if is_empty(engine):
            load_curated(engine)
    finally:
        engine.dispose()


def shared_settings(var_dir: Path, model_dir: Path, postgres_url: str, redis_url: str,
                    redis_key_prefix: Optional[str] = None) -> Settings:
    """Settings with the KB and the conversations in ``postgres_url``'s database and the locks in Redis."""
    return Settings(database_url=with_database(postgres_url, urlsplit(postgres_url).path.lstrip("/"),
                                               "postgresql+psycopg2"),
                    var_dir=var_dir, model_dir=model_dir, tracker_store_url=postgres_url, redis_url=redis_url,
                    redis_key_prefix=redis_key_prefix)


@dataclass
class Cluster:
    """``size`` Rasa servers, each with its own action server; no channel connectors."""

    settings: Settings
    model: Path
    size: int = 2
    log_dir: Optional[Path] = None
    stacks: List[Stack] = field(default_factory=list)

    @property
    def rasa_urls(self) -> List[str]:
        return [f"http://127.0.0.1:{s.ports['rasa']}" for s in self.stacks]

    def start(self, timeout: float = 300) -> None:
        """Start every pair at once; if one fails, stop them all and raise."""
        self.stacks = [Stack(self.settings, self.model, {"rasa": free_port(), "actions": free_port()},
                             webchat=False, channels=False,
                             log_dir=(self.log_dir / f"node{i}") if self.log_dir else None)
                       for i in range(self.size)]
        with ThreadPoolExecutor(self.size) as pool:
            results = [pool.submit(stack.start, timeout) for stack in self.stacks]
            errors = [r.exception() for r in results if r.exception() is not None]
        if errors:
            self.stop()
            raise RuntimeError(f"cluster did not start: {errors[0]}")

    def stop(self) -> None:
        for stack in self.stacks:
            stack.stop()
