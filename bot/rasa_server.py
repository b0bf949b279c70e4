"""Runs Rasa's own command line (`python -m bot.rasa_server run …`) with one fix:
the action server's reply is validated against a schema compiled once.

Rasa 3.6 calls ``jsonschema.validate`` on every custom-action reply, which checks
the schema itself each time; profiling showed that taking about 80% of the Rasa
server's time on a cited answer. The replies are still validated, with the same
schema and the same error message."""
from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Dict, Text

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def main() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
