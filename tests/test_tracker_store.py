"""The Core tracker store reads and writes Rasa's events table exactly as Rasa's SQL tracker store does."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.cluster import scratch_database
from bot.servers import NLU_DIR
from bot.tracker_store import CoreSQLTrackerStore


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(NLU_DIR / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kwargs(request, tmp_path) -> Iterator[Dict[str, Any]]:
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        return
    server = request.getfixturevalue("postgres_url")
    with scratch_database(server, "trackertest") as url:
        yield {"host": url}


def first_session(sender: str, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_session_start", timestamp=100.0), SessionStarted(timestamp=100.0),
        ActionExecuted("action_listen", timestamp=100.1),
        UserUttered("bhyt cho ho ngheo", {"name": "ask_policy", "confidence": 0.9}, timestamp=101.0),
        SlotSet("locality", "can-tho", timestamp=101.5), BotUttered("Theo Kế hoạch …", timestamp=102.0),
        ActionExecuted("action_listen", timestamp=102.1)], slots=domain.slots)


def second_session(tracker: DialogueStateTracker) -> None:
    for event in (ActionExecuted("action_session_start", timestamp=5000.0), SessionStarted(timestamp=5000.0),
                  ActionExecuted("action_listen", timestamp=5000.1),
                  UserUttered("xin chào", {"name": "greet", "confidence": 0.99}, timestamp=5001.0),
                  ActionExecuted("utter_greet", timestamp=5001.2)):
        tracker.update(event)


def rows(store: SQLTrackerStore, sender: str) -> List[tuple]:
    table = store.SQLEvent.__table__
    with store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(table.c.type_name, table.c.timestamp, table.c.intent_name, table.c.action_name,
                      table.c.data).where(table.c.sender_id == sender).order_by(table.c.id))]


def events(tracker: DialogueStateTracker) -> List[dict]:
    return [e.as_dict() for e in tracker.events]


async def test_rows_written_and_trackers_read_back_match_rasas_store(store_kwargs, domain):
    core = CoreSQLTrackerStore(domain=domain, **store_kwargs)
    rasa = SQLTrackerStore(domain=domain, **store_kwargs)
    for store, sender in ((core, "by-core"), (rasa, "by-rasa")):
        tracker = first_session(sender, domain)
        await store.save(tracker)
        await store.save(tracker)  # nothing new: nothing written
        second_session(tracker)
        await store.save(tracker)
    assert rows(core, "by-core") == rows(core, "by-rasa") and len(rows(core, "by-core")) == 12

    for sender in ("by-core", "by-rasa"):
        latest, expected = await core.retrieve(sender), await rasa.retrieve(sender)
        assert events(latest) == events(expected) and len(latest.events) == 5
        assert latest.current_slot_values() == expected.current_slot_values()
        full, expected_full = await core.retrieve_full_tracker(sender), await rasa.retrieve_full_tracker(sender)
        assert events(full) == events(expected_full) and len(full.events) == 12
    assert await core.retrieve("nobody") is None


async def test_a_turn_added_to_a_retrieved_tracker_stores_only_its_new_events(store_kwargs, domain):
    core = CoreSQLTrackerStore(domain=domain, **store_kwargs)
    tracker = first_session("u", domain)
    second_session(tracker)
    await core.save(tracker)
    again = await core.retrieve("u")
    again.update(UserUttered("cảm ơn", {"name": "thanks", "confidence": 0.9}, timestamp=5010.0))
    again.update(ActionExecuted("action_listen", timestamp=5010.5))
    await core.save(again)
    assert [r[0] for r in rows(core, "u")][-3:] == ["action", "user", "action"]
    assert len(rows(core, "u")) == 14
    assert events(await core.retrieve("u"))[-2]["text"] == "cảm ơn"


def test_rasa_builds_this_store_from_the_endpoints_file(tmp_path, domain):
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    from bot.servers import write_endpoints
    from config.settings import Settings

    path = write_endpoints(Settings.from_env({"BOT_VAR_DIR": str(tmp_path)}), 5105, persistent=True)
    store = TrackerStore.create(read_endpoint_config(str(path), "tracker_store"), domain)
    assert isinstance(store, CoreSQLTrackerStore) and (tmp_path / "tracker.db").exists()


async def test_the_kept_store_serves_from_memory_and_a_restarted_one_reads_the_conversation_back(tmp_path, domain):
    from bot.tracker_store import KeptInMemoryTrackerStore

    db = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    before = KeptInMemoryTrackerStore(domain=domain, **db)
    assert await before.retrieve("u") is None
    tracker = first_session("u", domain)
    await before.save(tracker)
    second_session(tracker)
    await before.save(tracker)
    before.flush()
    reference = SQLTrackerStore(domain=domain, **db)  # what Rasa's own store reads from the same file
    assert len(rows(reference, "u")) == 12 and events(await reference.retrieve("u")) == events(await before.retrieve("u"))

    after = KeptInMemoryTrackerStore(domain=domain, **db)  # a restart: nothing in memory
    resumed = await after.retrieve("u")
    assert events(resumed) == events(await before.retrieve("u")) and len(resumed.events) == 5
    resumed.update(UserUttered("cảm ơn", {"name": "thanks", "confidence": 0.9}, timestamp=5010.0))
    resumed.update(ActionExecuted("action_listen", timestamp=5010.5))
    await after.save(resumed)
    after.flush()
    assert len(rows(reference, "u")) == 14  # only the turn's two new events were written
    assert events(await KeptInMemoryTrackerStore(domain=domain, **db).retrieve("u"))[-2]["text"] == "cảm ơn"


def test_a_restarted_assistant_continues_a_residents_conversation(trained_model, loaded_kb_file, tmp_path):
    """The embedded default (no TRACKER_STORE_URL): stopped and started again on the same var folder,
    the assistant still knows what the resident asked before the restart."""
    import shutil

    from bot.conversation import send
    from bot.servers import Stack, free_port
    from config.settings import Settings

    kb = tmp_path / "kb.db"
    shutil.copy(loaded_kb_file, kb)
    settings = Settings(database_url=f"sqlite:///{kb}", var_dir=tmp_path / "var", model_dir=trained_model.parent)

    def turn(text: str) -> Dict[str, Any]:
        stack = Stack(settings, trained_model, {"rasa": free_port(), "actions": free_port()}, webchat=False,
                      channels=False, log_dir=tmp_path / "logs")
        stack.start()
        try:
            return send(f"http://127.0.0.1:{stack.ports['rasa']}", "resident-1", text, token=stack.api_token)
        finally:
            stack.stop()  # a normal stop, as `bot run` gets on Ctrl-C or from its service manager

    assert turn("Đà Nẵng có miễn học phí cho học sinh không")["provisions"][0] == "dn-053"
    follow = turn("Cần Thơ thì sao?")  # after the restart: the same question, for another city
    assert follow["outcome"] == "answer" and follow["provisions"][0] == "ct-051"
