"""Word's automatic numbering: the label ("1.", "a)", "II.", "2.1.", "-") each numbered paragraph shows."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LEVELS = 9


def w(tag: str) -> str:
    """The qualified name of a WordprocessingML tag."""
    return f"{{{W}}}{tag}"


def wval(element, tag: str, attr: str = "val") -> Optional[str]:
    """The w:val (or other attribute) of the child w:<tag>, or None."""
    if element is None:
        return None
    child = element.find(w(tag))
    return None if child is None else child.get(w(attr))


def _int(value: Optional[str], default: Optional[int] = None) -> Optional[int]:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class Level:
    """One level of a list definition (w:lvl)."""

    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: Optional[int] = None  # w:lvlRestart: restart after a level below this (1-based); 0 never
    legal: bool = False  # w:isLgl: show every level's number in decimal
    style: Optional[str] = None  # w:pStyle: the paragraph style bound to this level
    suffix: str = "tab"


def parse_level(lvl) -> Level:
    """A Level from a w:lvl element; missing parts take Word's defaults."""
    return Level(
        start=_int(wval(lvl, "start"), 1),
        fmt=wval(lvl, "numFmt") or "decimal",
        text=wval(lvl, "lvlText") if lvl.find(w("lvlText")) is not None else "",
        restart=_int(wval(lvl, "lvlRestart")),
        legal=lvl.find(w("isLgl")) is not None and wval(lvl, "isLgl") not in ("0", "false"),
        style=wval(lvl, "pStyle"),
        suffix=wval(lvl, "suff") or "tab",
    )


@dataclass
class _Instance:
    """A w:num: its list definition, start overrides and level overrides."""

    abstract: str
    starts: Dict[int, int]
    levels: Dict[int, Level]


class Numbering:
    """Counts numbered paragraphs in document order and renders their labels as Word would.

    Counters belong to the list definition (w:abstractNum), so instances (w:num) of one definition
    continue each other; an instance's w:startOverride restarts a level the first time it is used."""

    def __init__(self, numbering_root, numbering_styles: Dict[str, str]):
        self._abstracts: Dict[str, Dict[int, Level]] = {}
        self._style_links: Dict[str, str] = {}  # w:numStyleLink abstract -> numbering style id
        self._linked_styles: Dict[str, str] = {}  # numbering style id -> abstract carrying w:styleLink
        self._instances: Dict[str, _Instance] = {}
        self._numbering_styles = numbering_styles  # numbering style id -> numId
        self._counters: Dict[str, List[Optional[int]]] = {}
        self._seen: Set[Tuple[str, int]] = set()
        if numbering_root is not None:
            self._parse(numbering_root)

    def _parse(self, root) -> None:
        for abstract in root.iter(w("abstractNum")):
            key = abstract.get(w("abstractNumId"))
            self._abstracts[key] = {
                _int(lvl.get(w("ilvl")), 0): parse_level(lvl) for lvl in abstract.findall(w("lvl"))}
            link = wval(abstract, "numStyleLink")
            if link:
                self._style_links[key] = link
            own = wval(abstract, "styleLink")
            if own:
                self._linked_styles[own] = key
        for num in root.iter(w("num")):
            starts, levels = {}, {}
            for override in num.findall(w("lvlOverride")):
                ilvl = _int(override.get(w("ilvl")), 0)
                start = _int(wval(override, "startOverride"))
                if start is not None:
                    starts[ilvl] = start
                lvl = override.find(w("lvl"))
                if lvl is not None:
                    levels[ilvl] = parse_level(lvl)
            self._instances[num.get(w("numId"))] = _Instance(wval(num, "abstractNumId") or "", starts, levels)

    def _abstract_of(self, instance: _Instance) -> str:
        """The definition that holds the levels, following a numbering style's link once or twice."""
        key = instance.abstract
        for _ in range(3):
            style = self._style_links.get(key)
            if style is None:
                return key
            target = self._linked_styles.get(style)
            if target is None:
                num_id = self._numbering_styles.get(style)
                target = self._instances[num_id].abstract if num_id in self._instances else None
            if target is None or target == key:
                return key
            key = target
        return key

    def level_for_style(self, num_id: str, style_id: Optional[str]) -> Optional[int]:
        """The level whose w:pStyle is this paragraph style, if the list binds one."""
        instance = self._instances.get(num_id)
        if instance is None or style_id is None:
            return None
        for ilvl, level in self._abstracts.get(self._abstract_of(instance), {}).items():
            if level.style == style_id:
                return ilvl
        return None

    def label(self, num_id: str, ilvl: int) -> Optional[str]:
        """The label of the next paragraph numbered (num_id, ilvl), counting it; None if unknown."""
        instance = self._instances.get(num_id)
        if instance is None:
            return None
        key = self._abstract_of(instance)
        levels = self._levels(key, instance)
        ilvl = min(max(ilvl, 0), LEVELS - 1)
        level = levels[ilvl]
        counters = self._counters.setdefault(key, [None] * LEVELS)
        if (num_id, ilvl) not in self._seen and ilvl in instance.starts:
            counters[ilvl] = instance.starts[ilvl]
        elif counters[ilvl] is None:
            counters[ilvl] = level.start
        else:
            counters[ilvl] += 1
        self._seen.add((num_id, ilvl))
        for deeper in range(ilvl + 1, LEVELS):
            restart = levels[deeper].restart
            if restart is None or (restart > 0 and ilvl < restart):
                counters[deeper] = None
        return _render(level, levels, counters, ilvl)

    def _levels(self, key: str, instance: _Instance) -> List[Level]:
        """The nine levels of a definition as this instance shows them."""
        base = self._abstracts.get(key, {})
        out = []
        for ilvl in range(LEVELS):
            out.append(instance.levels.get(ilvl) or base.get(ilvl) or Level(text=f"%{ilvl + 1}."))
        return out


_PLACEHOLDER = re.compile(r"%([1-9])")


def _render(level: Level, levels: List[Level], counters: List[Optional[int]], ilvl: int) -> str:
    """The label text: lvlText with each %n replaced by that level's number in its format."""
    if level.fmt == "bullet":
        return bullet_text(level.text)

    def number(match: "re.Match[str]") -> str:
        index = int(match.group(1)) - 1
        value = counters[index] if counters[index] is not None else levels[index].start
        fmt = "decimal" if level.legal and index < ilvl else levels[index].fmt
        return format_number(value, fmt)

    return _PLACEHOLDER.sub(number, level.text)


def bullet_text(text: str) -> str:
    """A bullet's character, symbol-font private-use characters mapped to their plain look."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xF020 <= code <= 0xF0FF:  # Symbol/Wingdings glyphs stored at U+F000 + byte
            byte = code - 0xF000
            out.append(chr(byte) if chr(byte) in "-+*>o" else "•")
        else:
            out.append(ch)
    return "".join(out)


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(value: int) -> str:
    out = []
    for size, letters in _ROMAN:
        count, value = divmod(value, size)
        out.append(letters * count)
    return "".join(out)


def _letters(value: int) -> str:
    """Word's letter numbering: a..z, then aa..zz, aaa.. (not base 26)."""
    if value <= 0:
        return ""
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_number(value: int, fmt: str) -> str:
    """A counter's value in a w:numFmt (decimal, letters, Roman; unknown formats as decimal)."""
    if fmt == "none":
        return ""
    if fmt == "lowerLetter":
        return _letters(value)
    if fmt == "upperLetter":
        return _letters(value).upper()
    if fmt == "lowerRoman":
        return _roman(value).lower()
    if fmt == "upperRoman":
        return _roman(value)
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)
