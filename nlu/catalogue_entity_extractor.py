"""Rasa component: locality and group entities from the KB's aliases, merged with DIET's."""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.catalogue import AliasTable, load_alias_table
from knowledge.db import create_schema, kb_version, make_engine, read_version, transaction
from nlu.catalogue_entities import EMITTED, find_mentions
from nlu.tokenization import VnToken

log = logging.getLogger(__name__)
EXTRACTOR = "CatalogueEntityExtractor"


# How long the aliases are used before the KB's version is read again: an admin's new alias is
# recognised within this time. Reading it for every message held up the Rasa server's event loop.
KB_CHECK_INTERVAL_S = 1.0


class _AliasCache:
    """The KB's alias table, reloaded when the KB version changes (looked at most once per interval)."""

    def __init__(self, url: str, check_interval_s: float = KB_CHECK_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic):
        self._url = url
        self._engine = None
        self._table: Optional[AliasTable] = None
        self._version: Optional[int] = None
        self._lock = threading.Lock()
        self._interval = check_interval_s
        self._clock = clock
        self._checked_at: Optional[float] = None

    def get(self) -> Optional[AliasTable]:
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self._interval:
            return self._table
        try:
            if self._engine is None:
                self._engine = make_engine(self._url)
                create_schema(self._engine)
            if read_version(self._engine) != self._version:
                with self._lock, transaction(self._engine) as session:
                    self._table, self._version = load_alias_table(session), kb_version(session)
        except Exception as exc:  # no KB: DIET's entities stand alone
            log.warning("catalogue entities unavailable: %s", exc.__class__.__name__)
            return None
        self._checked_at = now
        return self._table


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CatalogueEntityExtractor(GraphComponent):
    """Tags mentions of KB localities and groups; drops model entities they overlap
    and model entities below ``min_model_confidence``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_model_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any], cache: _AliasCache):
        self._min_confidence = float(config.get("min_model_confidence", 0.6))
        self._cache = cache

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CatalogueEntityExtractor":
        url = os.environ.get("DATABASE_URL") or "sqlite:///var/knowledge.db"
        return cls(config, _AliasCache(url))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        table = self._cache.get()
        for message in messages:
            text = message.get(TEXT) or ""
            model_entities = [e for e in message.get(ENTITIES, []) or []
                              if e.get("extractor") != EXTRACTOR]
            if table is None:
                continue
            tokens = [VnToken(text[t.start:t.end], t.start, t.end, t.text)
                      for t in message.get(TOKENS_NAMES[TEXT]) or []]
            mentions = find_mentions(text, tokens, table)
            kept = [e for e in model_entities
                    if e.get("entity") not in EMITTED
                    or (float(e.get("confidence_entity") or 0.0) >= self._min_confidence
                        and not any(m.start < e["end"] and e["start"] < m.end for m in mentions))]
            found = [{"entity": m.entity, "start": m.start, "end": m.end, "value": m.text,
                      "confidence_entity": 1.0, "extractor": EXTRACTOR, "key": m.key} for m in mentions]
            message.set(ENTITIES, sorted(kept + found, key=lambda e: e["start"]), add_to_output=True)
        return messages
