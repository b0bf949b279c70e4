"""What drafting reads a plan with: the KB's alias table (topics, groups, localities, synonyms) and
the gazetteer-backed place resolver over the catalogue's localities, as the chat reads questions."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.catalogue import AliasTable, load_alias_table
from knowledge.curated_files import read_bundle
from knowledge.db import create_schema, make_engine, transaction
from knowledge.importer import DATA_DIR, apply_bundle
from knowledge.models import Alias, BeneficiaryGroup, Locality, Topic
from knowledge.places import PlaceMatch, PlaceResolver, PlanTerritory, territory_of
from knowledge.text import syllables


@dataclass(frozen=True)
class PlanCatalogue:
    """The catalogue as drafting needs it."""

    aliases: AliasTable
    places: PlaceResolver
    locality_names: Dict[str, str]  # key -> display name ("Thành phố Đà Nẵng")
    # (kind, key) -> the name and aliases as written, lower-case ("hộ cận nghèo", "bhyt")
    spellings: Dict[Tuple[str, str], Tuple[str, ...]] = field(default_factory=dict)

    def localities_in(self, text: str) -> List[str]:
        """Catalogue localities named in ``text`` through their names and aliases."""
        tokens = self.aliases.synonyms.rewrite(syllables(text, chat=False))
        return list(dict.fromkeys(key for key, _, _ in self.aliases.mentions("locality", tokens)))

    def place_in(self, text: str) -> Optional[PlaceMatch]:
        """The most specific place the gazetteer finds in ``text`` and the locality covering it."""
        return self.places.find(text)


def plan_catalogue(session: Session) -> PlanCatalogue:
    """The catalogue of a live knowledge base (admins' aliases and synonyms included)."""
    rows = session.execute(select(Locality).order_by(Locality.position, Locality.key)).scalars().all()
    plans = [PlanTerritory(row.key, territory_of(row.level, row.name, row.province)) for row in rows]
    spellings: Dict[Tuple[str, str], List[str]] = {}
    for model, kind in ((Locality, "locality"), (Topic, "topic"), (BeneficiaryGroup, "group")):
        for row in session.execute(select(model)).scalars():
            spellings.setdefault((kind, row.key), []).append(row.name.lower())
    for alias in session.execute(select(Alias)).scalars():
        spellings.setdefault((alias.kind, alias.target_key), []).append(alias.alias.lower())
    return PlanCatalogue(aliases=load_alias_table(session), places=PlaceResolver(plans),
                         locality_names={row.key: row.name for row in rows},
                         spellings={k: tuple(dict.fromkeys(v)) for k, v in spellings.items()})


@lru_cache(maxsize=4)
def catalogue_from_file(path: Path = DATA_DIR / "catalogue.yaml") -> PlanCatalogue:
    """The catalogue of a catalogue file, read through a scratch in-memory knowledge base."""
    bundle = read_bundle(path)
    engine = make_engine("sqlite:///:memory:")
    create_schema(engine)
    try:
        with transaction(engine) as session:
            apply_bundle(session, bundle, by="drafting")
        with transaction(engine) as session:
            return plan_catalogue(session)
    finally:
        engine.dispose()
