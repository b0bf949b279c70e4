"""Shared fixtures: a knowledge base loaded once, copied per test; PostgreSQL when it answers."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from knowledge.db import create_schema, make_engine
from knowledge.importer import load_curated

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def loaded_kb_file(tmp_path_factory) -> Path:
    """A SQLite file with the curated data, built once per test run."""
    path = tmp_path_factory.mktemp("kb") / "curated.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    load_curated(engine)
    engine.dispose()
    return path


@pytest.fixture
def kb_engine(loaded_kb_file: Path, tmp_path: Path) -> Iterator[Engine]:
    """A private copy of the curated knowledge base."""
    path = tmp_path / "kb.db"
    shutil.copy(loaded_kb_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def _postgres_available() -> str | None:
    try:
        engine = make_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any connection failure means: no server here
        return f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server's URL (its `test` database), or skip."""
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    return PG_URL


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """An empty schema of its own on the PostgreSQL server, dropped afterwards."""
    reason = _postgres_available()
    if reason:
        pytest.skip(reason)
    schema = f"kbtest_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL)
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _search_path(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()

    create_schema(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The project's model, trained in this run (or reused when its inputs are unchanged)."""
    from config.settings import Settings
    from nlu.model_store import train_full

    return train_full(Settings.from_env().model_dir)


@pytest.fixture(scope="session")
def assistant_kb(loaded_kb_file: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("assistant") / "kb.db"
    shutil.copy(loaded_kb_file, path)
    return path


@pytest.fixture(scope="session")
def assistant(trained_model: Path, assistant_kb: Path, tmp_path_factory):
    """A running assistant on loopback: Rasa server and action server on the test KB."""
    from bot.servers import Stack, free_port
    from config.settings import Settings

    var = tmp_path_factory.mktemp("var")
    settings = Settings(database_url=f"sqlite:///{assistant_kb}", var_dir=var, model_dir=trained_model.parent)
    stack = Stack(settings, trained_model, {"rasa": free_port(), "actions": free_port()}, webchat=False,
                  channels=False, log_dir=var / "logs")
    os.environ["BOT_HASH_KEY"] = "test-key"
    stack.start()
    yield stack
    stack.stop()
