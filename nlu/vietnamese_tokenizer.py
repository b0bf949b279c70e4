"""Rasa tokenizer component for Vietnamese (see nlu/tokenization.py)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from knowledge.curated_files import read_bundle
from knowledge.importer import DATA_DIR
from knowledge.synonyms import SynonymTable
from nlu.kb_catalogue import AliasCache, shared_alias_cache
from nlu.tokenization import tokenize, with_synonyms


def _syllables_only(text: str) -> List[str]:
    return text.split()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class VietnameseTokenizer(Tokenizer):
    """Word tokens from underthesea with folded, abbreviation-expanded features."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # "underthesea" joins syllables into words; "syllables" keeps them apart.
            "segmenter": "underthesea",
            # Read residents' words as the plans' words through the KB's synonym table (live).
            "kb_synonyms": True,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["vi"]

    def __init__(self, config: Dict[Text, Any], catalogue: Optional[AliasCache] = None) -> None:
        super().__init__(config)
        self._segmenter = _syllables_only if config.get("segmenter") == "syllables" else None
        self._catalogue = catalogue
        self._training = False

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "VietnameseTokenizer":
        return cls(config, shared_alias_cache() if config.get("kb_synonyms", True) else None)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training reads the curated seed table, so a model does not depend on what a local KB holds;
        # answering reads the KB's live table.
        self._training = True
        try:
            return super().process_training_data(training_data)
        finally:
            self._training = False

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        found = tokenize(text, self._segmenter)
        if self._catalogue is not None:
            synonyms = seed_synonyms() if self._training else self._live_synonyms()
            if synonyms is not None:
                found = with_synonyms(text, found, synonyms)
        tokens = [Token(t.norm, t.start, end=t.end, lemma=t.norm) for t in found]
        return self._apply_token_pattern(tokens)

    def _live_synonyms(self) -> Optional[SynonymTable]:
        table = self._catalogue.get() if self._catalogue is not None else None
        return table.synonyms if table is not None else None


@lru_cache(maxsize=1)
def seed_synonyms() -> SynonymTable:
    """The synonym table as curated in knowledge/data/catalogue.yaml."""
    bundle = read_bundle(DATA_DIR / "catalogue.yaml")
    return SynonymTable.of([(phrase, entry["means"]) for entry in bundle.catalogue.synonyms
                            for phrase in entry["phrases"]])
