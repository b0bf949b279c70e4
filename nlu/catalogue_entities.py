"""Locality and group mentions found through the aliases stored in the knowledge base.

The model learns the shape of questions; the catalogue (which places and
groups exist, and what people call them) stays in the KB, so an admin's new
alias is recognised at once, without retraining.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

from knowledge.catalogue import AliasTable
from nlu.tokenization import VnToken, token_syllables

EMITTED = ("locality", "group")
# At equal length a place wins over a group, a group over a topic; topics are
# matched only so that "bảo hiểm thất nghiệp" is not read as the group "thất nghiệp".
_KIND_ORDER = ("locality", "group", "topic")


@dataclass(frozen=True)
class Mention:
    entity: str
    key: str
    start: int
    end: int
    text: str


def find_mentions(text: str, tokens: Sequence[VnToken], aliases: AliasTable) -> List[Mention]:
    """Longest alias matches over the tokens' folded syllables, aligned to token edges."""
    syllables, owner = token_syllables(tokens)
    first_of_token = [i == 0 or owner[i - 1] != owner[i] for i in range(len(owner))]
    mentions: List[Mention] = []
    i = 0
    while i < len(syllables):
        match = _longest_at(syllables, i, owner, first_of_token, aliases) if first_of_token[i] else None
        if match is None:
            i += 1
            continue
        kind, keys, n = match
        if kind in EMITTED:
            start, end = tokens[owner[i]].start, tokens[owner[i + n - 1]].end
            mentions.append(Mention(kind, keys[0], start, end, text[start:end]))
        i += n
    return mentions


def _longest_at(syllables: List[str], i: int, owner: List[int], first_of_token: List[bool],
                aliases: AliasTable) -> Optional[tuple]:
    for n in range(min(aliases.max_tokens, len(syllables) - i), 0, -1):
        end = i + n
        if end < len(syllables) and not first_of_token[end]:
            continue  # a match must end where a token ends
        gram = " ".join(syllables[i:end])
        for kind in _KIND_ORDER:
            keys = aliases.by_kind.get(kind, {}).get(gram)
            if keys:
                return kind, keys, n
    return None
