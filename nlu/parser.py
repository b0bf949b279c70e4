"""Parsing text with a trained model, in the shape `bot parse` prints."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict


class NluParser:
    """Loads a Rasa model once and parses texts with it."""

    def __init__(self, model_path: Path):
        from rasa.core.agent import Agent

        _quiet_rasa_logs()

        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model_path))

    def parse(self, text: str) -> Dict[str, Any]:
        result = self._loop.run_until_complete(self._agent.parse_message(text))
        return simplify(result)

    def close(self) -> None:
        self._loop.close()


def _quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level; keep the console for results."""
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def simplify(result: Dict[str, Any]) -> Dict[str, Any]:
    intent = result.get("intent") or {}
    return {
        "text": result.get("text"),
        "intent": {"name": intent.get("name"), "confidence": round(float(intent.get("confidence") or 0.0), 4)},
        "intent_ranking": [{"name": r.get("name"), "confidence": round(float(r.get("confidence") or 0.0), 4)}
                           for r in (result.get("intent_ranking") or [])[:3]],
        "entities": [{"entity": e["entity"], "value": e["value"], "start": e["start"], "end": e["end"]}
                     for e in result.get("entities") or []],
    }
