"""The Rasa server's speed-ups keep Rasa's behaviour; its logs hide phone and ID numbers."""
from __future__ import annotations

import gc
import logging

import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from bot.rasa_server import _validate_action_result, freeze_after_loading, mask_log_records, resolve_event_type


def test_every_event_type_resolves_to_the_class_rasa_finds():
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert resolve_event_type(name) is Event.resolve_by_type(name), name


def test_unknown_event_types_fall_back_as_in_rasa():
    assert resolve_event_type("no_such_event", default=SlotSet) is SlotSet
    assert resolve_event_type("topic") is None
    with pytest.raises(ValueError, match="Unknown event name"):
        resolve_event_type("no_such_event")


def test_an_event_class_defined_after_the_first_lookup_is_found():
    assert resolve_event_type("user") is UserUttered

    class LateEvent(SlotSet):
        type_name = "late_event_for_test"

    assert resolve_event_type("late_event_for_test") is LateEvent


def test_action_replies_are_still_validated_against_rasas_schema():
    assert _validate_action_result(None, {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []})
    with pytest.raises(Exception, match="Failed to validate Action server response"):
        _validate_action_result(None, {"events": "not a list"})


def test_phone_and_id_numbers_are_masked_in_the_servers_log_records(caplog):
    previous = logging.getLogRecordFactory()
    try:
        mask_log_records()
        with caplog.at_level(logging.ERROR, logger="rasa.core.channels.rest"):
            logging.getLogger("rasa.core.channels.rest").error(
                "rest.message.received.failure text=%s", "gọi tôi 0912 345 678, CCCD 012345678901")
            logging.getLogger("rasa.core.channels.rest").error("nothing %s here", "personal")
    finally:
        logging.setLogRecordFactory(previous)
    masked, plain = (r.getMessage() for r in caplog.records)
    assert "0912" not in masked and "012345678901" not in masked
    assert masked.endswith("gọi tôi ********78, CCCD **********01")
    assert plain == "nothing personal here"


async def test_what_is_alive_once_the_model_is_loaded_is_kept_out_of_garbage_collections():
    loaded = []

    async def load(model: str) -> dict:
        loaded.append(model)
        return {"model": model}

    load_and_freeze = freeze_after_loading(load)
    assert gc.get_freeze_count() == 0
    try:
        assert await load_and_freeze("bot.tar.gz") == {"model": "bot.tar.gz"} and loaded == ["bot.tar.gz"]
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
