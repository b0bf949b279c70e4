"""Quick-reply payloads on Zalo that read as what the user says, and the way back to Rasa's intent payloads.

A tap on an ``oa.query.show`` button posts the button's payload in the chat as the user's own message, so a raw
Rasa payload (``/ask_human``, ``/choose_locality{"locality": "Đà Nẵng"}``) would show up in the conversation.
On the way out such a payload becomes a natural phrase ("Gặp cán bộ", "Tôi ở Đà Nẵng"); on the way in the
same phrase, typed or tapped, becomes the payload again, so Rasa recognises the intent exactly as before.
Only whole phrases of the small table in ``channel_texts`` are translated; everything else reaches Rasa as typed.
Pure functions, no I/O.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from typing import Iterable, Optional

from connectors import channel_texts as T

log = logging.getLogger(__name__)

LOCALITY_INTENT = "/choose_locality"
_INTENT_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w-]*)(?P<entities>\{.*\})?$", re.DOTALL)


def _fold(text: str) -> str:
    """Comparable form of a short phrase: NFC, case-folded, single spaces (diacritics kept)."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


_PHRASE_TO_PAYLOAD = {_fold(phrase): payload for payload, phrase in T.ZALO_INTENT_PHRASES}
_PAYLOAD_TO_PHRASE = dict(T.ZALO_INTENT_PHRASES)
_LOCALITY_PREFIX = _fold(T.ZALO_LOCALITY_PHRASE.split("{", 1)[0])


def locality_payload(name: str) -> str:
    """Rasa's payload for choosing a locality, written as the actions write it."""
    return LOCALITY_INTENT + json.dumps({"locality": name}, ensure_ascii=False)


def button_payload(payload: str, title: str) -> str:
    """The text a tap on the button sends: the phrase standing for a Rasa intent payload, the payload itself
    when it is already text, or (an intent payload this table does not know) the button's title."""
    payload = payload.strip()
    match = _INTENT_PAYLOAD.match(payload)
    if match is None:
        return payload
    phrase = _PAYLOAD_TO_PHRASE.get(payload)
    if phrase is not None:
        return phrase
    if LOCALITY_INTENT == "/" + match.group("intent"):
        locality = _locality_of(match.group("entities"))
        if locality:
            return T.ZALO_LOCALITY_PHRASE.format(locality=locality)
    # The title reaches the NLU as text: the nearest thing to the intent that reads naturally in the chat.
    log.warning("Zalo: no phrase for button payload %r; its title is sent instead", payload[:80])
    return title.strip() or payload


def needs_localities(text: str) -> bool:
    """Whether ``text`` may be a locality phrase, so that :func:`rasa_message` needs the locality names."""
    return _fold(text).startswith(_LOCALITY_PREFIX)


def rasa_message(text: str, localities: Iterable[str] = ()) -> str:
    """What Rasa is sent for a user's message: the intent payload a button phrase stands for ("Xem thêm" ->
    ``/more``, "Tôi ở Đà Nẵng" -> ``/choose_locality{"locality": "Đà Nẵng"}`` when Đà Nẵng is one of
    ``localities``), else the text unchanged."""
    folded = _fold(text)
    payload = _PHRASE_TO_PAYLOAD.get(folded)
    if payload is not None:
        return payload
    if folded.startswith(_LOCALITY_PREFIX):
        for name in localities:
            if _fold(T.ZALO_LOCALITY_PHRASE.format(locality=name)) == folded:
                return locality_payload(name)
    return text


def _locality_of(entities: Optional[str]) -> Optional[str]:
    if not entities:
        return None
    try:
        value = json.loads(entities)
    except ValueError:
        return None
    name = value.get("locality") if isinstance(value, dict) else None
    return name.strip() if isinstance(name, str) and name.strip() else None
