"""Vietnamese tokens with offsets into the original text.

Syllables are found in the text as typed; underthesea's word segmentation
joins adjacent syllables into words where it recognises them; each token's
``norm`` is folded (no diacritics, lower case) with abbreviations and teencode
expanded ("BHYT" -> "bao_hiem_y_te", "ko" -> "khong"), so features do not
depend on how carefully the user typed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, List, Optional, Sequence, Tuple

from knowledge.synonyms import SynonymTable
from knowledge.text import normalize

# A syllable, a number (50, 99,5, 1.000), a dotted abbreviation (TP.HCM) or "%".
_SPAN_RE = re.compile(r"\w+(?:[.,/]\w+)*|%", re.UNICODE)


@dataclass(frozen=True)
class VnToken:
    text: str   # the characters as typed
    start: int
    end: int
    norm: str   # folded, expanded, words joined by "_"


@lru_cache(maxsize=1)
def _underthesea() -> Callable[[str], List[str]]:
    from underthesea import word_tokenize

    return word_tokenize


def _squash(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(text.split())).lower()


def _norm(surface: str) -> str:
    return normalize(surface, chat=True).replace(" ", "_")


def tokenize(text: str, segmenter: Optional[Callable[[str], List[str]]] = None) -> List[VnToken]:
    """Tokens of ``text``; ``segmenter`` defaults to underthesea's word_tokenize.

    Offsets always index ``text``: ``text[t.start:t.end] == t.text``.
    """
    spans = [(m.group(), m.start(), m.end()) for m in _SPAN_RE.finditer(text)]
    if not spans:
        return []
    groups = _group_by_words(text, spans, segmenter if segmenter is not None else _underthesea())
    tokens: List[VnToken] = []
    for group in groups:
        start, end = group[0][1], group[-1][2]
        surface = text[start:end]
        norm = _norm(surface)
        if norm:
            tokens.append(VnToken(surface, start, end, norm))
    return tokens


def _group_by_words(text: str, spans, segmenter) -> List[list]:
    """Join consecutive syllable spans into the words the segmenter finds.

    Where segmenter output and spans disagree, syllables stay single tokens.
    """
    try:
        words = segmenter(unicodedata.normalize("NFC", text))
    except Exception:  # the segmenter must never lose a message
        words = []
    groups: List[list] = []
    i = 0
    for word in words:
        target = _squash(word)
        if i >= len(spans) or not target:
            continue
        built, j = "", i
        while j < len(spans) and len(built) < len(target):
            built += _squash(spans[j][0])
            j += 1
        if built == target and j > i:
            groups.append(spans[i:j])
            i = j
        elif _squash(spans[i][0]) not in target:
            # punctuation-only words from the segmenter have no span: skip them
            continue
    groups.extend([s] for s in spans[i:])
    return _regroup_leftovers(groups, spans)


def _regroup_leftovers(groups: List[list], spans) -> List[list]:
    """Ensure every span appears exactly once, in order."""
    flat = [s for g in groups for s in g]
    if flat == spans:
        return groups
    return [[s] for s in spans]


def token_syllables(tokens: Sequence[VnToken]) -> Tuple[List[str], List[int]]:
    """The folded syllables of the tokens' features, and for each the index of its token."""
    syllables: List[str] = []
    owner: List[int] = []
    for index, token in enumerate(tokens):
        parts = token.norm.split("_")
        syllables.extend(parts)
        owner.extend([index] * len(parts))
    return syllables, owner


def with_synonyms(text: str, tokens: List[VnToken], table: SynonymTable) -> List[VnToken]:
    """Tokens with residents' phrases read as the plans' words ("cấp 3" -> trung, hoc, pho, thong):
    one token per word of the meaning, each spanning the phrase as typed."""
    syllables, owner = token_syllables(tokens)
    out: List[VnToken] = []
    done = 0
    for start, end, meaning in table.spans(syllables):
        first, last = owner[start], owner[end - 1]
        if (start > 0 and owner[start - 1] == first) or (end < len(owner) and owner[end] == last):
            continue  # the phrase starts or ends inside a token
        out.extend(tokens[done:first])
        s, e = tokens[first].start, tokens[last].end
        out.extend(VnToken(text[s:e], s, e, word) for word in meaning)
        done = last + 1
    out.extend(tokens[done:])
    return out
