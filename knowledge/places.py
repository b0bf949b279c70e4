"""Places by any name, before or after the 2025 reform, resolved to the plan that covers them.

The gazetteer is the `vietnamadminunits` package's offline data: the 63 former provinces with
their districts and communes, the 34 provinces and 3,321 communes since 1 July 2025, and how
the old communes became the new ones. A plan's territory is its locality as the plan knew it
(a whole former province, or one former district of it).
"""
from __future__ import annotations

import importlib.util
import json
import sqlite3
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

from knowledge.text import STOPWORDS, expanded_tokens, fold, normalize

# Words that say what kind of unit a name is, folded, and the levels they allow.
_PREFIXES: Dict[str, Tuple[str, ...]] = {
    "phuong": ("ward",), "p": ("ward",), "xa": ("ward",), "thi tran": ("ward",), "tt": ("ward",),
    "quan": ("district",), "q": ("district",), "huyen": ("district",), "h": ("district",),
    "thi xa": ("district",), "tx": ("district",),
    "thanh pho": ("district", "province"), "tinh": ("province",),
}
_MAX_NAME = 5  # syllables in the longest name matched
# Vietnamese syllables' initial consonant pairs, folded.
_INITIALS = frozenset({"ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr"})

Territory = Tuple[str, Optional[str]]  # (former province, former district or None for all of it)


@dataclass(frozen=True)
class Unit:
    """One administrative unit a name may stand for."""

    name: str                      # as written in the gazetteer ("Phường Hội An")
    level: str                     # province | district | ward
    new_province: str              # the province it belongs to since 2025
    sources: FrozenSet[Territory]  # the former (province, district) it lies in; district None = whole province
    short: str = ""                # its name without the type word, with diacritics ("Hội An")


@dataclass(frozen=True)
class PlaceMatch:
    """A place named in a message and what covers it."""

    name: str                 # as the gazetteer writes it
    status: str               # covered | merged (same province today, outside the plan's territory) | none
    locality: Optional[str]   # the plan's locality key (covered or merged)
    new_province: str


def _data_dir() -> Path:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer package vietnamadminunits is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def fold_name(name: str) -> str:
    return normalize(name, chat=False)


class Gazetteer:
    """Folded names (without the unit's type word) → units, old and new."""

    def __init__(self, data_dir: Optional[Path] = None):
        data_dir = data_dir or _data_dir()
        self.names: Dict[str, List[Unit]] = {}
        self.glued: Dict[str, List[Unit]] = {}  # names of two syllables or more typed as one word
        db = sqlite3.connect(f"file:{data_dir / 'dataset.db'}?mode=ro", uri=True)
        try:
            legacy = db.execute("SELECT provinceShort, districtShort, district, ward, wardShort, provinceKey, "
                                "districtKey, wardKey, province FROM admin_units_legacy").fetchall()
            current = db.execute("SELECT provinceShort, wardShort, ward, provinceKey, wardKey, province "
                                 "FROM admin_units").fetchall()
        finally:
            db.close()
        converter = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
        old_key: Dict[str, Territory] = {}
        old_province_by_key: Dict[str, str] = {}
        for prov, dist, _, _, _, pkey, dkey, wkey, _ in legacy:
            old_key[f"{pkey}_{dkey}_{wkey}"] = (prov, dist)
            old_province_by_key[pkey] = prov
        new_province_by_key = {pkey: prov for prov, _, _, pkey, _, _ in current}
        new_of_old = {old: new_province_by_key[new] for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
        sources: Dict[Tuple[str, str], Set[Territory]] = {}
        for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
            for wkey, olds in wards.items():
                sources.setdefault((pkey, wkey), set()).update(old_key[o] for o in olds if o in old_key)
        for pkey, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
            for old, news in olds.items():
                for new in news:
                    if old in old_key:
                        sources.setdefault((pkey, new["newWardKey"]), set()).add(old_key[old])
        seen: Set[Tuple[str, str, str]] = set()
        for prov, dist, dist_full, ward, ward_short, pkey, _, _, prov_full in legacy:
            new_prov = new_of_old.get(pkey, prov)
            for level, short, full, src in (("province", prov, prov_full, (prov, None)),
                                            ("district", dist, dist_full, (prov, dist)),
                                            ("ward", ward_short, ward, (prov, dist))):
                if (level, full, prov + (dist if level == "ward" else "")) in seen:
                    continue
                seen.add((level, full, prov + (dist if level == "ward" else "")))
                self._add(short, Unit(f"{full}, {prov_full}" if level != "province" else full, level, new_prov,
                                      frozenset({src})))
        for prov, ward_short, ward, pkey, wkey, prov_full in current:
            src = frozenset(sources.get((pkey, wkey), ()))
            self._add(ward_short, Unit(f"{ward}, {prov_full}", "ward", prov, src))
            if ("newprov", prov, "") not in seen:
                seen.add(("newprov", prov, ""))
                olds = frozenset((old_province_by_key[o], None) for o in converter["DICT_PROVINCE"].get(pkey, ())
                                 if o in old_province_by_key)
                self._add(prov, Unit(prov_full, "province", prov, olds))

    def _add(self, short: Optional[str], unit: Unit) -> None:
        key = fold_name(short) if short else ""
        if key:
            self.names.setdefault(key, []).append(replace(unit, short=short))
        if unit.level in ("province", "district") and " " in key:
            # typed run together on a phone ("e o cantho", "canglong", "hoavang"): a province or former district
            self.glued.setdefault(key.replace(" ", ""), []).append(replace(unit, short=short))
        if unit.level == "province" and key.count(" ") == 1:
            # a province's first syllable cut to its letter, the way chats write it ("dnang", "qngai"), when
            # that makes no syllable of its own ("Khánh Hòa" cut so would be "khoa")
            first, last = key.split()
            cut = first[0] + last
            if last[0] not in "aeiouy" and cut[:2] not in _INITIALS:
                self.glued.setdefault(cut, []).append(replace(unit, short=short))

    def mentions(self, tokens: Sequence[str], common: FrozenSet[str] = frozenset(),
                 typed: Optional[str] = None, inner: FrozenSet[int] = frozenset()) -> List[Tuple[int, int, List[Unit]]]:
        """Names in folded tokens, longest first: with a type word before them any unit of that
        level; bare, only provinces and former districts of two syllables or more, and not a
        phrase the plans use themselves (``common``). With the message as ``typed``, a name typed
        with other diacritics is not that place ("có nói" is not Cò Nòi), nor is a bare name
        typed without diacritics that holds a function word ("làm ăn thì" is not Ân Thi). ``inner``:
        the tokens inside an abbreviation's expansion, where no name that runs past it may start
        ("ubnd phường" is not Đan Phượng)."""
        seen = _TypedText(typed) if typed else None
        found: List[Tuple[int, int, List[Unit]]] = []
        i = 0
        while i < len(tokens):
            hit = None
            for plen in (2, 1, 0):
                prefix = " ".join(tokens[i:i + plen]) if plen else ""
                if plen and prefix not in _PREFIXES:
                    continue
                levels = _PREFIXES.get(prefix, ("province", "district"))
                start = i + plen
                for n in range(min(_MAX_NAME, len(tokens) - start), 0, -1):
                    name = " ".join(tokens[start:start + n])
                    if not plen and name in common or prefix in ("quan", "xa") and _phrase(tokens, i):
                        continue
                    if i in inner and start + n - 1 not in inner:
                        continue
                    # One syllable is a name only for a province ("Huế") or a number ("quận 3").
                    short = n == 1 and not name.isdigit()
                    units = [u for u in self.names.get(name, ()) if u.level in levels
                             and (not short or u.level == "province") and (plen or not name.isdigit())]
                    if not units and n == 1 and name not in self.names and name not in common:
                        units = [u for u in self.glued.get(name, ()) if u.level in levels]  # "canglong"
                    if not units and not plen and n >= 2 and i > 0 and tokens[i - 1] in _AT and seen is not None:
                        units = self._only_ward(name, seen)  # "làm ruộng ở Phổ Phong"
                    if units and seen is not None:
                        units = seen.plausible(name, units, prefix=prefix)
                    if units:
                        hit = (i, start + n, units)
                        break
                if hit:
                    break
            if hit:
                found.append(hit)
                i = hit[1]
            else:
                i += 1
        return found

    def _only_ward(self, name: str, seen: "_TypedText") -> List[Unit]:
        """The one ward or commune a bare name typed with its diacritics names, when only one has it."""
        wards = [u for u in self.names.get(name, ()) if u.level == "ward"]
        spelled = seen.spelling(name)
        if not wards or spelled is None or spelled == fold(spelled):
            return []
        wards = seen.plausible(name, wards)
        return wards if len({(u.name, u.new_province) for u in wards}) == 1 else []


# A numbered district typed short: "q8", "Q.8".
_DISTRICT_NUMBER = re.compile(r"q\.?\d{1,2}")

# Words after which a bare name of a ward or commune is a place ("ở Phổ Phong", "tại Linh Trung").
_AT = frozenset({"o", "tai"})


def _phrase(tokens: Sequence[str], i: int) -> bool:
    """"cơ quan", "xã hội", "thị xã": a type word that is part of an ordinary phrase or a longer type word."""
    return (tokens[i] == "quan" and i > 0 and tokens[i - 1] in ("co", "tham", "lien", "ban"))\
        or (tokens[i] == "xa" and i + 1 < len(tokens) and tokens[i + 1] == "hoi")\
        or (tokens[i] == "xa" and i > 0 and tokens[i - 1] == "thi")


class _TypedText:
    """The message as typed, to tell a place name from the same letters with other diacritics."""

    def __init__(self, typed: str):
        self.cased = unicodedata.normalize("NFC", typed)
        self.typed = self.cased.lower()
        self.folded = fold(self.typed)
        self.aligned = len(self.folded) == len(self.typed) == len(self.cased)

    def _span(self, name: str) -> Optional[Tuple[int, int]]:
        match = re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", self.folded) if self.aligned else None
        return (match.start(), match.end()) if match else None

    def spelling(self, name: str) -> Optional[str]:
        """The name as the message typed it, or None when the message cannot be aligned with its folded form."""
        span = self._span(name)
        return self.typed[span[0]:span[1]] if span else None

    def capitalised(self, name: str) -> bool:
        """Every syllable of the name typed with a capital ("o Cu Chi"): a proper name, not words."""
        span = self._span(name)
        return bool(span) and all(w[:1].isupper() for w in self.cased[span[0]:span[1]].split())

    def plausible(self, name: str, units: List[Unit], prefix: str = "") -> List[Unit]:
        """The units the name, as typed after ``prefix`` (a type word, or "" for a bare name), may be."""
        spelled = self.spelling(name)
        if spelled is None:
            return units
        if spelled != fold(spelled):  # typed with diacritics: they must be the place's
            return [u for u in units if u.level == "province" or unicodedata.normalize("NFC", u.short).lower() == spelled]
        if any(t in STOPWORDS for t in name.split()) and not self.capitalised(name):
            if not prefix:
                return [u for u in units if u.level == "province"]
            # "thị xã có tổ chức" is not Huyện Cô Tô: with a function word, the type word must be the unit's own.
            return [u for u in units if fold(u.name).startswith(prefix + " ")]
        return units


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


@dataclass(frozen=True)
class PlanTerritory:
    locality: str
    territory: Territory


def territory_of(level: str, name: str, province: str) -> Territory:
    """A locality's territory as its plan knew it: the whole province, or one district of it."""
    own = name
    for word in ("thành phố", "thị xã", "huyện", "quận", "tỉnh"):
        if own.lower().startswith(word + " "):
            own = own[len(word) + 1:]
            break
    return (province, None) if fold_name(own) == fold_name(province) else (province, own)


class PlaceResolver:
    """Which plan covers a place named in a message."""

    def __init__(self, plans: Iterable[PlanTerritory], gazetteer_: Optional[Gazetteer] = None,
                 common: FrozenSet[str] = frozenset()):
        self.gazetteer = gazetteer_ or gazetteer()
        self.plans = list(plans)
        # Names of places inside a plan's territory stay places even when the plans use them.
        self.common = frozenset(n for n in common
                                if not any(self._covering(u.sources) for u in self.gazetteer.names.get(n, ())))
        self._plan_province = {}
        for plan in self.plans:
            units = [u for u in self.gazetteer.names.get(fold_name(plan.territory[0]), ()) if u.level == "province"]
            self._plan_province[plan.locality] = units[0].new_province if units else plan.territory[0]

    def _covering(self, sources: FrozenSet[Territory]) -> Optional[str]:
        for plan in self.plans:
            prov, dist = plan.territory
            inside = [s for s in sources if fold_name(s[0]) == fold_name(prov)
                      and (dist is None or (s[1] is not None and fold_name(s[1]) == fold_name(dist)))]
            if sources and len(inside) == len(sources):
                return plan.locality
        return None

    def classify(self, unit: Unit) -> PlaceMatch:
        covered = self._covering(unit.sources)
        if covered:
            return PlaceMatch(unit.name, "covered", covered, unit.new_province)
        for plan in self.plans:
            if self._plan_province[plan.locality] == unit.new_province:
                return PlaceMatch(unit.name, "merged", plan.locality, unit.new_province)
        return PlaceMatch(unit.name, "none", None, unit.new_province)

    def _mentions(self, text: str) -> List[Tuple[int, int, List[Unit]]]:
        expanded = [pair for t, k in expanded_tokens(text, chat=False)
                    for pair in ([("quan", k), (t.lstrip("q."), k + 1)] if _DISTRICT_NUMBER.fullmatch(t) else [(t, k)])]
        tokens = [t for t, _ in expanded]
        inner = frozenset(i for i, (_, k) in enumerate(expanded) if k)
        mentions = self.gazetteer.mentions(tokens, self.common, typed=text, inner=inner)
        # A bare name shared by a province and a district is the province ("Sóc Trăng").
        return [(a, b, [u for u in units if u.level == "province"]
                 if " ".join(tokens[a:b]) in self.gazetteer.names and any(u.level == "province" for u in units)
                 else units) for a, b, units in mentions]

    def outside_territory(self, text: str, locality: str) -> Optional[PlaceMatch]:
        """A place the text names that lies in ``locality``'s province today but outside the territory its plan
        was written for ("Sóc Trăng cũ, giờ nhập vô Cần Thơ"), when every reading of the name is."""
        for _, _, units in self._mentions(text):
            matches = [self.classify(u) for u in units]
            if matches and all(m.status == "merged" and m.locality == locality for m in matches):
                return matches[0]
        return None

    def find(self, text: str) -> Optional[PlaceMatch]:
        """The most specific place the text names, read consistently with the other places it names
        ("phường Hội An, Quảng Nam"); among readings left open, the one a plan covers."""
        mentions = self._mentions(text)
        if not mentions:
            return None
        provinces = [{u.new_province for u in units} for _, _, units in mentions]
        order = {"ward": 0, "district": 1, "province": 2}
        best: Optional[Tuple[Tuple[int, int], PlaceMatch]] = None
        for m, (_, _, units) in enumerate(mentions):
            others = [p for k, p in enumerate(provinces) if k != m]
            for unit in units:
                agree = sum(unit.new_province in p for p in others)
                match = self.classify(unit)
                rank = {"covered": 0, "merged": 1, "none": 2}[match.status]
                key = (-agree, order[unit.level], rank)
                if best is None or key < best[0]:
                    best = (key, match)
        return best[1] if best else None
