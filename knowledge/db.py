"""Engine and session factory for the knowledge base."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from knowledge.models import Base, KbState


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite files get their folder and foreign keys."""
    kwargs = {"future": True}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 opens a file database anew for every checkout; a pool keeps connections
            # (and their pragmas) across turns.
            kwargs["poolclass"] = QueuePool
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL with NORMAL sync stays consistent after a crash; a power cut may lose the last commits.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    return engine


def create_schema(engine: Engine) -> None:
    """Create missing tables and the version row."""
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        if session.get(KbState, 1) is None:
            session.add(KbState(id=1, version=0))


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with Session(engine, future=True, expire_on_commit=False) as session, session.begin():
        yield session


def kb_version(session: Session) -> int:
    return session.execute(select(KbState.version).where(KbState.id == 1)).scalar_one()


def read_version(engine: Engine) -> int:
    """The KB's version outside any ORM session: what caches check on every message (a third of the cost)."""
    with engine.connect() as connection:
        return connection.execute(select(KbState.version).where(KbState.id == 1)).scalar_one()


def bump_version(session: Session) -> None:
    state = session.get(KbState, 1, with_for_update=True)
    state.version += 1
