"""Rasa tokenizer component for Vietnamese (see nlu/tokenization.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from nlu.tokenization import tokenize


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
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["vi"]

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._segmenter = _syllables_only if config.get("segmenter") == "syllables" else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "VietnameseTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(t.norm, t.start, end=t.end, lemma=t.norm) for t in tokenize(text, self._segmenter)]
        return self._apply_token_pattern(tokens)
