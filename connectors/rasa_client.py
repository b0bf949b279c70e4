"""Talking to Rasa's REST channel from a connector."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import aiohttp


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timed out, or a server error); the message should be kept and retried."""


@dataclass(frozen=True)
class BotReply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)  # [{"title", "payload"}]


class RasaClient:
    """POSTs to ``{base_url}/webhooks/rest/webhook`` and returns the text replies."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, timeout: float = 30.0):
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[BotReply]:
        payload: Dict[str, Any] = {"sender": sender, "message": text}
        if metadata:
            payload["metadata"] = metadata
        try:
            async with self._session.post(self._url, json=payload, timeout=self._timeout) as response:
                if response.status >= 500:
                    raise RasaUnavailable(f"Rasa answered {response.status}")
                response.raise_for_status()
                items = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:  # not the builtin TimeoutError before 3.11
            raise RasaUnavailable(str(exc) or exc.__class__.__name__) from exc
        if not items:
            # Rasa 3.6 answers 200 with nothing when a turn fails (action server, database or lock store
            # unreachable); every turn of this assistant says something, so keep the message and retry.
            raise RasaUnavailable("Rasa answered nothing: the turn failed")
        return [BotReply(i["text"], list(i.get("buttons") or [])) for i in items if i.get("text")]
