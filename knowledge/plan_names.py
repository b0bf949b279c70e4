"""Plans named in a message by their number ("Quyết định 527", "kế hoạch 10/KH-UBND"), by the
decision their title says they carry out ("chương trình thực hiện Nghị quyết 15-NQ/TW"), by the party
body that issued them ("chương trình của Thị ủy") or by their period ("giai đoạn 2011-2015"): the
locality of the plan so named, when only one locality's plans answer to it."""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Set, Tuple

from knowledge.ingest.extract import codes_in
from knowledge.text import fold

# Words for a document's type, folded, by the letters its code carries ("527/QĐ-UBND" is a quyết định).
_TYPE_WORDS: Dict[str, Tuple[str, ...]] = {
    "qd": ("quyet dinh", "qd"),
    "kh": ("ke hoach", "kh"),
    "ctr": ("chuong trinh hanh dong", "chuong trinh", "ctr", "ctrhd"),
    "ctrhd": ("chuong trinh hanh dong", "chuong trinh", "ctr", "ctrhd"),
    "nq": ("nghi quyet", "nq"),
    "kl": ("ket luan", "kl"),
    "nd": ("nghi dinh", "nd"),
}
_CODE = re.compile(r"^(\d+)\s*[-/]\s*([a-z]+)")
# A number that counts something is not a document's ("kế hoạch 10 năm").
_NOT_A_NUMBER_AFTER = re.compile(r"\s*(?:nam|thang|ngay|tuoi|trieu|ty|nghin|ngan|phan tram)\b|\s*%")
# The party bodies that issue plans, folded: "Thành ủy", "Huyện ủy", "Thị ủy", "Tỉnh ủy".
_BODY = re.compile(r"\b(?:thanh|huyen|thi|tinh) uy\b")
_PERIOD = re.compile(r"\b((?:19|20)\d{2})\s*(?:-|–|den|toi)\s*((?:19|20)\d{2})\b")
# What comes before a decision the plan carries out, when the decision names the plan.
_CARRIED_OUT = re.compile(r"\b(?:thuc hien|trien khai|theo|cua)\s*$")
# A plan's own number may follow any word for a plan ("chương trình 527" for Quyết định 527).
_ANY_PLAN = "*"
_PLAN_WORDS = ("chuong trinh hanh dong", "chuong trinh", "ke hoach", "quyet dinh", "van ban", "qd", "kh", "ctr")


def _key(code: str) -> str:
    return re.sub(r"\s+", "", fold(code))


class PlanNames:
    """What each locality's plans answer to: their own codes, those of the decisions their titles carry
    out, the party body that issued them and their period."""

    def __init__(self, documents: Iterable[Tuple[str, str, str]], issuers: Iterable[Tuple[str, int, int, str]] = ()):
        """``documents``: (code, title, locality key) of each plan; ``issuers``: (issuer, first year, last
        year, locality key) of each."""
        self._bodies: Dict[str, Set[str]] = {}   # a party body's folded name ("thi uy") -> localities
        self._periods: Dict[Tuple[str, str], Set[str]] = {}  # (first year, last year) -> localities
        for issuer, first, last, locality in issuers:
            for body in _BODY.findall(fold(issuer)):
                self._bodies.setdefault(body, set()).add(locality)
            self._periods.setdefault((str(first), str(last)), set()).add(locality)
        self._codes: Dict[str, Set[str]] = {}     # folded code without spaces -> localities
        self._own: Set[str] = set()               # those of the plans themselves (not of what they carry out)
        self._numbers: Dict[Tuple[str, str], Set[str]] = {}  # (type letters, number) -> localities
        for code, title, locality in documents:
            for own, one in [(True, code)] + [(False, c) for c in codes_in(title)]:
                key = _key(one)
                m = _CODE.match(key)
                if not m:
                    continue
                self._codes.setdefault(key, set()).add(locality)
                if own:
                    self._own.add(key)
                self._numbers.setdefault((_ANY_PLAN if own else m.group(2), m.group(1)), set()).add(locality)
        alternatives = sorted({w for letters, _ in self._numbers for w in self._words(letters)}, key=len, reverse=True)
        words = "|".join(map(re.escape, alternatives + ["nghi dinh", "thong tu", "chi thi"]))
        self._typed = re.compile(rf"\b({words})\s+(?:so\s+)?(\d+)\b(?![-/])") if alternatives else None
        self._lead = re.compile(rf"\b(?:{words})\s+(?:so\s*:?\s*)?$") if alternatives else None

    @staticmethod
    def _words(letters: str) -> Tuple[str, ...]:
        return _PLAN_WORDS if letters == _ANY_PLAN else _TYPE_WORDS.get(letters, ())

    def _found(self, text: str) -> List[Tuple[int, int, Set[str], bool]]:
        """(start, end, localities, names the plan) of each naming of a plan in ``text``: a decision a plan
        carries out names the plan only as such ("kế hoạch thực hiện Quyết định 1983"), not as the subject
        of the question ("tuyên truyền Nghị quyết 42")."""
        folded = fold(text)
        found: List[Tuple[int, int, Set[str], bool]] = []

        def add(start: int, end: int, places: Set[str], own: bool) -> None:
            lead = self._lead.search(folded, 0, start) if self._lead is not None else None
            start = lead.start() if lead else start
            found.append((start, end, places, own or bool(_CARRIED_OUT.search(folded, 0, start))))

        for key, places in self._codes.items():
            pattern = "".join(rf"\s*{re.escape(c)}\s*" if c in "-/" else re.escape(c) for c in key)
            for m in re.finditer(rf"(?<![\w/-]){pattern}(?!\w)", folded):
                add(m.start(), m.end(), places, key in self._own)
        if self._typed is not None:
            for m in self._typed.finditer(folded):
                if _NOT_A_NUMBER_AFTER.match(folded, m.end()):
                    continue
                for (letters, number), places in self._numbers.items():
                    if number == m.group(2) and m.group(1) in self._words(letters):
                        add(m.start(), m.end(), places, letters == _ANY_PLAN)
        return sorted(found, key=lambda f: f[0])

    def localities(self, text: str) -> List[str]:
        """The localities of the plans ``text`` names, in order; a code two localities' plans share
        ("Nghị quyết 42-NQ/TW") names neither."""
        folded = fold(text)
        found = [(start, places) for start, _, places, _ in self._found(text)]
        found += [(m.start(), self._bodies[m.group(0)]) for m in _BODY.finditer(folded) if m.group(0) in self._bodies]
        found += [(m.start(), self._periods[m.groups()]) for m in _PERIOD.finditer(folded) if m.groups() in self._periods]
        out: List[str] = []
        for _, places in sorted(found, key=lambda f: f[0]):
            if len(places) == 1:
                out += [p for p in places if p not in out]
        return out

    def without(self, text: str) -> str:
        """``text`` with the namings of plans left out ("Quyết định 527/QĐ-UBND có hỗ trợ …" → "có hỗ
        trợ …"), so that search looks for what is asked, not for provisions citing the same decision;
        ``text`` itself when little else would be left."""
        if len(fold(text)) != len(text):
            return text
        kept, last = [], 0
        for start, end, _, names_plan in self._found(text):
            if names_plan and start >= last:
                kept.append(text[last:start])
                last = end
        rest = " ".join("".join(kept + [text[last:]]).split())
        return rest if len(re.findall(r"\w+", rest)) >= 4 else text

    def locality(self, text: str) -> Optional[str]:
        """The one locality ``text`` names a plan of, else None (none, or several)."""
        named = self.localities(text)
        return named[0] if len(named) == 1 else None
