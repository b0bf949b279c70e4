"""Runs Rasa's own command line (`python -m bot.rasa_server run …`) with two fixes found by profiling,
each keeping Rasa's behaviour:

- the action server's reply is validated against a schema compiled once. Rasa 3.6 calls
  ``jsonschema.validate`` on every custom-action reply, which checks the schema itself each time
  (about 80% of the Rasa server's time on a cited answer); same schema, same error message.
- an event's class is found by its type name in a table, not by walking every subclass of ``Event``
  (Rasa does that for each event of a conversation it reads back: 7% of its time under load). The
  table is rebuilt on a miss, so a class defined later is still found, and the first class of a name
  wins, as in Rasa's walk.

It also masks phone and ID numbers in every log record the server writes (Rasa logs the text of a
message whose turn failed), and once the model is loaded it freezes what is alive then (``gc.freeze``):
a full garbage collection otherwise walked the whole model and stalled the server about 300 ms."""
from __future__ import annotations

import gc
import logging
import os
import sys
from functools import lru_cache, wraps
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Type

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from knowledge.question_log import mask_personal


@lru_cache(maxsize=1)
def _validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _validator().validate(result)
        return True
    except jsonschema.ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


_EVENT_CLASSES: Dict[Text, Type[Event]] = {}
_RASA_RESOLVE_BY_TYPE = Event.resolve_by_type


def resolve_event_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:
        table: Dict[Text, Type[Event]] = {}
        for candidate in all_subclasses(Event):
            table.setdefault(candidate.type_name, candidate)
        _EVENT_CLASSES.clear()
        _EVENT_CLASSES.update(table)
        cls = table.get(type_name)
    return cls if cls is not None else _RASA_RESOLVE_BY_TYPE(type_name, default)


def mask_log_records() -> None:
    """Every log record made from now on carries its message with phone and ID numbers masked."""
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's to report, when it is written
            return record
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    logging.setLogRecordFactory(masked_record)


def freeze_after_loading(load: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``load`` (the model), then every object alive moved out of the garbage collector's reach: they live as
    long as the server, and a full collection walking them stalled the server about 300 ms each time."""
    @wraps(load)
    async def load_and_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    return load_and_freeze


def main() -> None:
    import rasa.core.run

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[assignment]
    rasa.core.run.load_agent_on_start = freeze_after_loading(rasa.core.run.load_agent_on_start)
    mask_log_records()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    token = os.environ.get("RASA_AUTH_TOKEN")
    if "--enable-api" in sys.argv and "--auth-token" not in sys.argv:
        if not token:
            raise SystemExit("bot.rasa_server: --enable-api needs RASA_AUTH_TOKEN (Rasa's API is not left open)")
        sys.argv += ["--auth-token", token]  # from the environment: not on the command line others can list
    rasa_main()


if __name__ == "__main__":
    main()
