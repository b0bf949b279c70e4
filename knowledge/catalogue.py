"""Catalogue reads: known keys, aliases, and resolving what people call things."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.curated_files import KnownKeys
from knowledge.models import Alias, BeneficiaryGroup, Locality, Provision, Topic
from knowledge.segment import fold_key
from knowledge.synonyms import SynonymTable, load_synonym_table


def known_keys(session: Session) -> KnownKeys:
    return KnownKeys(
        localities=set(session.execute(select(Locality.key)).scalars()),
        topics=set(session.execute(select(Topic.key)).scalars()),
        groups=set(session.execute(select(BeneficiaryGroup.key)).scalars()),
        provision_documents=dict(session.execute(select(Provision.id, Provision.document_code)).all()),
    )


@dataclass(frozen=True)
class AliasTable:
    """Folded spelling -> keys, per kind, with group ancestry for widening."""

    by_kind: Dict[str, Dict[str, Tuple[str, ...]]]
    group_parent: Dict[str, Optional[str]]
    max_tokens: int
    synonyms: SynonymTable = field(default_factory=SynonymTable.empty)  # residents' words -> the plans'

    def resolve(self, kind: str, name: str) -> List[str]:
        """Keys whose key, name or alias matches ``name`` (diacritics and case ignored)."""
        return list(self.by_kind.get(kind, {}).get(fold_key(name), ()))

    def mentions(self, kind: str, tokens: List[str]) -> List[Tuple[str, int, int]]:
        """Keys mentioned in a token list as (key, first token, end token), longest match first."""
        table = self.by_kind.get(kind, {})
        found: List[Tuple[str, int, int]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_tokens, len(tokens) - i), 0, -1):
                keys = table.get(" ".join(tokens[i : i + n]))
                if keys:
                    found.extend((k, i, i + n) for k in keys)
                    i += n
                    break
            else:
                i += 1
        return found

    def group_family(self, key: str) -> Set[str]:
        """A group with its ancestors and descendants: a provision for "người có công"
        applies to "thương binh", and one for "thương binh" answers a question on "người có công"."""
        return {key} | set(self._ancestors(key)) | {g for g in self.group_parent if key in self._ancestors(g)}

    def _ancestors(self, key: str) -> List[str]:
        out: List[str] = []
        parent = self.group_parent.get(key)
        while parent and parent not in out:
            out.append(parent)
            parent = self.group_parent.get(parent)
        return out


def load_alias_table(session: Session) -> AliasTable:
    by_kind: Dict[str, Dict[str, List[str]]] = {"locality": {}, "topic": {}, "group": {}}

    def add(kind: str, spelling: str, key: str) -> None:
        folded = fold_key(spelling)
        if folded:
            keys = by_kind[kind].setdefault(folded, [])
            if key not in keys:
                keys.append(key)

    for model, kind in ((Locality, "locality"), (Topic, "topic"), (BeneficiaryGroup, "group")):
        for row in session.execute(select(model)).scalars():
            add(kind, row.key.replace("-", " "), row.key)
            add(kind, row.name, row.key)
    for alias in session.execute(select(Alias).order_by(Alias.position, Alias.id)).scalars():
        add(alias.kind, alias.alias, alias.target_key)
    # Queries are read through the synonym table before aliases are looked for: each alias is
    # also known in that reading ("lương hưu" as "hưu trí").
    synonyms = load_synonym_table(session)
    for table in by_kind.values():
        for folded, keys in list(table.items()):
            read = " ".join(synonyms.rewrite(folded.split()))
            if read != folded:
                for key in keys:
                    if key not in table.setdefault(read, []):
                        table[read].append(key)
    parents = dict(session.execute(select(BeneficiaryGroup.key, BeneficiaryGroup.parent_key)).all())
    longest = max((len(f.split()) for table in by_kind.values() for f in table), default=1)
    return AliasTable(
        by_kind={k: {f: tuple(v) for f, v in t.items()} for k, t in by_kind.items()},
        group_parent=parents,
        max_tokens=longest,
        synonyms=synonyms,
    )


def locality_names(session: Session) -> List[str]:
    """Display names of the localities, in catalogue order."""
    return list(session.execute(select(Locality.name).order_by(Locality.position, Locality.key)).scalars())
