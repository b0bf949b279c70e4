"""Splitting long replies at a platform's length limit: at line, then sentence, then word boundaries."""
from __future__ import annotations

import re
from typing import List

_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
_SPACE = re.compile(r"\s+")  # any whitespace, as str.split() sees it (tabs, \r, no-break space…)


def split_text(text: str, limit: int) -> List[str]:
    """Pieces of at most ``limit`` characters whose concatenation (modulo the
    whitespace cut at the joins) is ``text``; a word is cut only when it alone
    exceeds the limit."""
    if limit < 1:
        raise ValueError("limit must be positive")
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    pieces: List[str] = []
    current = ""
    for unit in _units(text, limit):
        joiner = "" if not current else ("\n" if unit.startswith("\n") else " ")
        candidate = current + joiner + unit.strip() if current else unit.strip()
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                pieces.append(current)
            current = unit.strip()
    if current:
        pieces.append(current)
    return [p for p in pieces if p]


def _units(text: str, limit: int) -> List[str]:
    """Lines, sentences or words, each at most ``limit`` long (a longer word is cut)."""
    units: List[str] = []
    for i, line in enumerate(text.split("\n")):
        prefix = "\n" if i else ""
        if len(line) <= limit:
            units.append(prefix + line)
            continue
        for j, sentence in enumerate(_SENTENCE_END.split(line)):
            sentence_prefix = prefix if j == 0 else ""
            if len(sentence) <= limit:
                units.append(sentence_prefix + sentence)
                continue
            for k, word in enumerate(_SPACE.split(sentence)):
                word_prefix = sentence_prefix if k == 0 else ""
                while len(word) > limit:
                    units.append(word_prefix + word[:limit])
                    word, word_prefix = word[limit:], ""
                units.append(word_prefix + word)
    return [u for u in units if u.strip()]
