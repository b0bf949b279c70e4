"""Word segmentation of provision text (underthesea), folded for matching."""
from __future__ import annotations

from functools import lru_cache
from typing import List

from knowledge.text import fold, normalize


@lru_cache(maxsize=1)
def _word_tokenize():
    from underthesea import word_tokenize  # imported lazily: it loads a CRF model

    return word_tokenize


def segment_words(text: str) -> List[str]:
    """Multi-syllable words of ``text`` found by underthesea, folded ("bao hiem y te")."""
    words: List[str] = []
    for word in _word_tokenize()(text):
        folded = normalize(word, chat=False)
        if " " in folded:
            words.append(folded)
    return words


def segmented_field(text: str) -> str:
    """The value stored in ``Provision.segmented``: words joined by '|'."""
    return "|".join(segment_words(text))


def fold_key(text: str) -> str:
    """Folded, single-spaced form used to compare aliases and names."""
    return " ".join(normalize(text, chat=False).split()) or fold(text).strip()
