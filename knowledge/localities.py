"""New localities for the catalogue, read from the gazetteer: a plan for a place no locality covers yet
("Tỉnh Bắc Ninh") can be published once its place is added here."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from knowledge import drafts
from knowledge.admin import require_by
from knowledge.change_log import log_change
from knowledge.db import bump_version, transaction
from knowledge.errors import InvalidChange
from knowledge.models import Alias, Locality
from knowledge.places import Gazetteer, Unit, fold_name, gazetteer, territory_of
from knowledge.segment import fold_key

# The gazetteer's type words, longest first, as the catalogue writes a locality's level.
_TYPE_WORDS = ("thành phố", "thị xã", "huyện", "quận", "tỉnh")


@dataclass(frozen=True)
class NewLocality:
    key: str
    name: str
    level: str
    province: str
    aliases: List[str]


def _level_and_short(unit_name: str) -> Tuple[str, str]:
    own = unit_name.split(",")[0].strip()
    for word in _TYPE_WORDS:
        if own.lower().startswith(word + " "):
            return word, own[len(word) + 1:]
    return "", own


def _unit(places: Gazetteer, name: str) -> Optional[Unit]:
    """The province or former district ``name`` stands for: a province first, then a district, the
    unit as it is today (after the 2025 merger) before the former one."""
    typed, short = _level_and_short(name.strip())
    units = [u for u in places.names.get(fold_name(short), ()) if u.level in ("province", "district")]
    if typed:  # "huyện X" is the district, "tỉnh X" the province
        units = [u for u in units if _level_and_short(u.name)[0] == typed] or units
    units.sort(key=lambda u: (u.level != "province", -len(u.sources)))
    return units[0] if units else None


def proposed(name: str, places: Optional[Gazetteer] = None) -> NewLocality:
    """The locality the gazetteer gives for ``name``; InvalidChange when it knows no province or
    former district of that name."""
    unit = _unit(places or gazetteer(), name)
    if unit is None:
        raise InvalidChange(f"Danh mục hành chính không có tỉnh, thành phố hay huyện cũ nào tên «{name.strip()}».")
    level, short = _level_and_short(unit.name)
    if unit.level == "province":
        province = unit.new_province
    else:
        province = next(iter(sorted(p for p, _ in unit.sources)))
    full = unit.name.split(",")[0].strip()
    key = re.sub(r"[^a-z0-9]+", "-", fold_key(short)).strip("-")[:40] or "dia-phuong"
    return NewLocality(key=key, name=full, level=level or unit.level, province=province,
                       aliases=list(dict.fromkeys([short, full])))


def add_locality(engine: Engine, name: str, by: str, places: Optional[Gazetteer] = None) -> NewLocality:
    """Add the province or former district ``name`` to the catalogue (its aliases included), in the
    change log; live at once. InvalidChange when the gazetteer does not know it or a locality already
    covers the same territory."""
    by = require_by(by)
    new = proposed(name, places)
    territory = territory_of(new.level, new.name, new.province)
    with transaction(engine) as session:
        rows = session.execute(select(Locality)).scalars().all()
        for row in rows:
            if territory_of(row.level, row.name, row.province) == territory:
                raise InvalidChange(f"«{new.name}» đã có trong danh mục: {row.name} (mã {row.key}).")
        keys = {row.key for row in rows}
        key, n = new.key, 2
        while key in keys:
            key, n = f"{new.key}-{n}", n + 1
        new = NewLocality(key, new.name, new.level, new.province, new.aliases)
        position = (session.execute(select(func.max(Locality.position))).scalar() or 0) + 1
        session.add(Locality(key=key, name=new.name, level=new.level, province=new.province, position=position))
        for i, alias in enumerate(new.aliases):
            session.add(Alias(kind="locality", target_key=key, alias=alias, folded=fold_key(alias), position=i))
        log_change(session, by, "add", "locality", key, None,
                   {"name": new.name, "level": new.level, "province": new.province, "aliases": new.aliases})
        bump_version(session)
    return new


def add_for_plan(engine: Engine, plan_id: int, name: str, by: str, places: Optional[Gazetteer] = None) -> NewLocality:
    """Add the place (``add_locality``) and make it the draft plan's locality; NotFound, before anything is
    added, for a plan that does not exist."""
    drafts.plan_record(engine, plan_id)
    new = add_locality(engine, name, by, places)
    drafts.edit_document(engine, plan_id, {"locality": new.key}, by)
    return new
