"""Rasa tokenizer component for Vietnamese (see nlu/tokenization.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

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

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "VietnameseTokenizer":
        return cls(config, shared_alias_cache() if config.get("kb_synonyms", True) else None)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        found = tokenize(text, self._segmenter)
        table = self._catalogue.get() if self._catalogue is not None else None
        if table is not None:
            found = with_synonyms(text, found, table.synonyms)
        tokens = [Token(t.norm, t.start, end=t.end, lemma=t.norm) for t in found]
        return self._apply_token_pattern(tokens)
