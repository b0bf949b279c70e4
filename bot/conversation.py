"""`bot ask` and `bot chat`: talk to the assistant over its REST channel."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

from bot.servers import Stack, free_port, rasa_token, wait_http
from config.settings import Settings


def _post(url: str, payload: Dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(url, data=json.dumps(payload).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def _get(url: str, timeout: float = 30) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def send(rasa_base: str, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None,
         token: str = "") -> Dict[str, Any]:
    """One turn over the REST channel: replies, the intent Rasa saw (read through Rasa's API with
    ``token``) and the provisions cited."""
    payload: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        payload["metadata"] = metadata
    raw = _post(f"{rasa_base}/webhooks/rest/webhook", payload)
    replies: List[Dict[str, Any]] = []
    provisions: List[str] = []
    outcome: Optional[str] = None
    for item in raw:
        if item.get("custom"):
            provisions += list(item["custom"].get("provisions") or [])
            outcome = item["custom"].get("outcome") or outcome
        if item.get("text"):
            replies.append({"text": item["text"], "buttons": item.get("buttons") or []})
    tracker = _get(f"{rasa_base}/conversations/{urllib.request.quote(sender, safe='')}/tracker?"
                   + urllib.parse.urlencode({"token": token}))
    intent = ((tracker.get("latest_message") or {}).get("intent") or {}).get("name")
    return {"replies": replies, "intent": intent, "provisions": provisions, "outcome": outcome}


@contextmanager
def assistant(settings: Settings) -> Iterator[str]:
    """The base URL of a running assistant: `bot run`'s if it answers, else one started for the call."""
    running = f"http://127.0.0.1:{settings.rasa_port}"
    if wait_http(f"{running}/status?token={rasa_token(settings)}", 0.5):
        yield running
        return
    from bot.run import prepare

    model = prepare(settings)
    stack = Stack(settings, model, {"rasa": free_port(), "actions": free_port()}, webchat=False,
                  channels=False, persistent_tracker=True, log_dir=settings.var_dir / "logs")
    stack.start()
    try:
        yield f"http://127.0.0.1:{stack.ports['rasa']}"
    finally:
        stack.stop()


def ask(settings: Settings, text: str, sender: str) -> Dict[str, Any]:
    with assistant(settings) as base:
        return send(base, sender, text, token=rasa_token(settings))


def chat(settings: Settings, sender: str = "terminal") -> None:
    with assistant(settings) as base:
        print("Gõ câu hỏi (Ctrl-D để thoát).")
        while True:
            try:
                text = input("> ").strip()
            except EOFError:
                print()
                return
            if not text:
                continue
            try:
                turn = send(base, sender, text, token=rasa_token(settings))
            except (urllib.error.URLError, OSError) as exc:
                print(f"(không kết nối được với trợ lý: {exc})")
                continue
            for reply in turn["replies"]:
                print(reply["text"])
                for i, button in enumerate(reply["buttons"], 1):
                    print(f"  [{i}] {button['title']}")
