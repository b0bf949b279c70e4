"""Rasa component: locality and group entities from the KB's aliases, merged with DIET's."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.catalogue_entities import EMITTED, find_mentions
from nlu.kb_catalogue import AliasCache, shared_alias_cache
from nlu.tokenization import VnToken

EXTRACTOR = "CatalogueEntityExtractor"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CatalogueEntityExtractor(GraphComponent):
    """Tags mentions of KB localities and groups; drops model entities they overlap
    and model entities below ``min_model_confidence``."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_model_confidence": 0.6}

    def __init__(self, config: Dict[Text, Any], cache: AliasCache):
        self._min_confidence = float(config.get("min_model_confidence", 0.6))
        self._cache = cache

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "CatalogueEntityExtractor":
        return cls(config, shared_alias_cache())

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
