"""A plan's body along its own structure: each passage with the section reference the plan gives it
("III.4.đ", "II.2.1"), or the name of the part it belongs to when the plan is not numbered."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from knowledge.ingest.agencies import agencies_in
from knowledge.ingest.extract import legal_refs_in
from knowledge.ingest.layout import Paragraph
from knowledge.text import fold

LETTERS = "abcdđeghiklmnopqrstuvxy"  # Vietnamese list letters: no f, j, w, z
_ROMAN = re.compile(r"^(?=[IVXLC])(X{0,3})(IX|IV|V?I{0,3})$")
_LABEL = re.compile(
    r"^(?:(?P<part>(?:PHẦN|Phần|CHƯƠNG|Chương|MỤC|Mục)\s+(?:[IVXLC]+|\d+|THỨ\s+\S+))\s*[.:-]?\s*"
    r"|(?P<roman>[IVXLC]{1,6})\s*[.):-]\s*"
    r"|(?P<arabic>\d{1,2}(?:\.\d{1,2}){1,3})\.?\s+|(?P<single>\d{1,2})\s*[.)]\s+"
    r"|(?P<letter>[a-zđ])\s*[).]\s+"
    r"|(?P<bullet>[-–—•*+])\s*)"
)
# Lines after a section's items saying who acts and when: "Cơ quan thực hiện: …", "Thời gian thực hiện: …".
TRAILER = re.compile(r"^(?:(?:Cơ quan|Đơn vị)\s+(?:chủ trì|thực hiện|chỉ đạo|tham mưu|phối hợp|tổng hợp|theo dõi)"
                     r"[^:]{0,40}:|Thời gian(?: thực hiện| hoàn thành)?\s*:|Thời hạn(?: hoàn thành)?\s*:"
                     r"|Sản phẩm\s*:)", re.IGNORECASE)
# Sections that assess the past rather than set policy ("I. THỰC TRẠNG TÌNH HÌNH").
_ASSESSMENT = re.compile(r"^(?:thuc trang|tinh hinh|ket qua|danh gia|boi canh)")
# How unnumbered plans name their parts; first the longer names.
_PART_NAMES: Tuple[Tuple[str, str], ...] = (
    ("muc tieu tong quat", "mục tiêu tổng quát"), ("muc tieu chung", "mục tiêu chung"),
    ("muc tieu cu the", "mục tiêu cụ thể"), ("chi tieu", "chỉ tiêu"), ("tam nhin", "tầm nhìn"),
    ("quan diem", "quan điểm"), ("nhiem vu, giai phap", "nhiệm vụ, giải pháp"),
    ("nhiem vu giai phap", "nhiệm vụ, giải pháp"), ("nhiem vu va giai phap", "nhiệm vụ, giải pháp"),
    ("giai phap", "giải pháp"), ("to chuc thuc hien", "tổ chức thực hiện"), ("kinh phi", "kinh phí"),
    ("muc dich", "mục đích"),
)
_PART_LEAD = re.compile(r"^(?:de [^,]{0,80},\s*)?(?:(?:trong do|ngoai ra|ben canh do),\s*)?(?:[^,.;:]{0,50}?\b"
                        r"(?:dat|de ra|xac dinh|neu|dat ra)\s+(?:ra\s+)?)?(?:cac\s+|mot so\s+|nhung\s+)?")
_BY_YEAR = re.compile(r"^(?:\s*chu yeu)?\s+den nam (\d{4})")
_INLINE_ITEM = re.compile(r"\((\d{1,2})\)\s*")
_PURPOSE = re.compile(r"^(?:de|thuc hien|can cu|quan triet|nham|ngay \d|trien khai)\b")
LEAD_IN = re.compile(r"(?:như sau|sau đây|cụ thể)\s*:\s*$")
PREAMBLE = "Mở đầu"


@dataclass
class Passage:
    """A run of the plan's text under one section."""

    section: str
    text: str
    position: int                          # its first line's index in the input
    last: int = -1                         # its last line's index (-1: the first line only)
    role: str = "content"                 # content | trailer
    headings: List[str] = field(default_factory=list)   # enclosing headings, outermost first
    heading_agencies: List[str] = field(default_factory=list)  # the bodies the enclosing heading names
    subject: Optional[str] = None          # the enclosing heading when it only names bodies ("1. Sở Y tế")
    inferred: bool = False                 # part of the reference was inferred, not written
    named: bool = False                    # the reference is a part's name (an unnumbered plan)


@dataclass
class Structure:
    passages: List[Passage]
    notes: List[str]


@dataclass
class _Label:
    kind: str  # part | roman | arabic | letter | bullet
    value: str
    text: str


def read_label(text: str) -> Optional[_Label]:
    m = _LABEL.match(text)
    if not m:
        return None
    rest = text[m.end():].strip()
    if m.group("part"):
        word, number = m.group("part").split(None, 1)
        number = " ".join(number.split()).rstrip(".:-")
        number = number if re.fullmatch(r"[IVXLC]+|\d+", number) else number.lower()  # "THỨ HAI" -> "thứ hai"
        return _Label("part", f"{word.capitalize()} {number}", rest)
    if m.group("roman"):
        if not _ROMAN.match(m.group("roman")) or not rest:
            return None
        return _Label("roman", m.group("roman"), rest)
    if m.group("arabic") or m.group("single"):
        value = m.group("arabic") or m.group("single")
        if not rest or int(value.split(".")[0]) == 0:
            return None
        return _Label("arabic", value, rest)
    if m.group("letter"):
        return _Label("letter", m.group("letter"), rest) if rest else None
    spaced = text[len(m.group("bullet")):len(m.group("bullet")) + 1].isspace()
    if rest and (spaced or not rest[0].isdigit()):  # "- 100% xã …" is an item, "-5%" a number
        return _Label("bullet", m.group("bullet"), rest)
    return None


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total


def _words(text: str) -> int:
    return len(text.split())


def part_name(text: str) -> Optional[str]:
    """The part an unnumbered paragraph opens ("Quan điểm chỉ đạo …" -> "quan điểm"; "Trong đó, các
    chỉ tiêu chủ yếu đến năm 2030 …" -> "chỉ tiêu đến năm 2030"), or None."""
    folded = fold(text)
    lead = _PART_LEAD.match(folded)
    rest = folded[lead.end():] if lead else folded
    for key, name in _PART_NAMES:
        if rest.startswith(key):
            year = _BY_YEAR.match(rest[len(key):])
            return f"{name} đến năm {year.group(1)}" if year else name
    return None


@dataclass
class _Path:
    prefix: List[str] = field(default_factory=list)
    roman: Optional[str] = None
    arabic: Tuple[int, ...] = ()
    letter: Optional[str] = None
    name: Optional[str] = None
    headings: List[Tuple[str, str]] = field(default_factory=list)  # (level, text)

    def reference(self, with_letter: bool = True) -> str:
        parts = ([self.roman] if self.roman else []) + [str(n) for n in self.arabic]
        if with_letter and self.letter:
            parts.append(self.letter)
        dotted = ".".join(parts)
        if self.prefix:
            return ", ".join(self.prefix + ([dotted] if dotted else []))
        return dotted or self.name or PREAMBLE

    def drop_headings(self, levels: Sequence[str]) -> None:
        self.headings = [(lvl, t) for lvl, t in self.headings if lvl not in levels]


def _next_label(body: Sequence[Paragraph], i: int) -> Optional[_Label]:
    for p in body[i + 1:]:
        label = read_label(p.text)
        if label and label.kind != "bullet":
            return label
    return None


def _has_children(body: Sequence[Paragraph], i: int, label: _Label) -> bool:
    """Whether the paragraph after a labelled line belongs under it (a bullet, a lower label, text)."""
    if i + 1 >= len(body):
        return False
    nxt = read_label(body[i + 1].text)
    if nxt is None and TRAILER.match(body[i + 1].text):
        # Only "Cơ quan thực hiện: …" lines follow: the line itself is the item.
        return False
    if nxt is None or nxt.kind == "bullet":
        return True
    if label.kind == "arabic" and nxt.kind == "letter":
        return True
    return label.kind == "arabic" and nxt.kind == "arabic" and nxt.value.startswith(label.value + ".")


def _is_heading(text: str, children: bool, letter: bool = False) -> bool:
    """A labelled line that only names what its items are about ("4. Công tác chăm sóc người có công.")."""
    if not children:
        return False
    if text.endswith(":"):
        return True
    if not text.endswith((".", ";", "!", "?", "…")):
        return _words(text) <= 30
    # A sentence with a figure says something itself; so does a lettered item.
    return not letter and _words(text) <= 20 and not re.search(r"\d", text)


class _Reader:
    """Walks the body once, keeping the section path."""

    def __init__(self, body: Sequence[Paragraph], own_code: Optional[str]):
        self.body = body
        self.own_code = own_code
        self.path = _Path()
        self.passages: List[Passage] = []
        self.notes: List[str] = []
        self.labelled = False          # a section label has been seen
        self.skipping: Optional[str] = None
        self.roman_inferred = False    # the current roman numeral was not written
        self.number_inferred = False   # the current arabic number was not written
        self.after_trailer = False
        self.loose = False  # the current section was inferred for paragraphs outside any list
        self.romans_written = any((lbl := read_label(p.text)) is not None and lbl.kind == "roman" for p in body)
        self.restarts = self._count_restarts()

    @property
    def inferred(self) -> bool:
        return self.roman_inferred or self.number_inferred

    def _count_restarts(self) -> int:
        """How often a "1." follows a "2." or later with no roman numeral between (headings lost)."""
        last = 0
        restarts = 0
        for p in self.body:
            label = read_label(p.text)
            if label is None:
                continue
            if label.kind in ("roman", "part"):
                last = 0
            elif label.kind == "arabic" and "." not in label.value:
                value = int(label.value)
                restarts += value == 1 and last >= 2
                last = value
        return restarts

    def run(self) -> Structure:
        for i, p in enumerate(self.body):
            label = read_label(p.text)
            if label is None or label.kind == "bullet":
                self._text(i, p, label)
            elif label.kind == "part":
                self.path = _Path(prefix=self._prefix(label.value))
                self._heading(label)
            elif label.kind == "roman":
                self._roman(label.value, p, written=True)
                self._heading(label)
            elif label.kind == "arabic":
                self._arabic(i, p, label)
            else:
                self._letter(i, p, label)
        return Structure(self.passages, self.notes)

    # -- labels

    def _prefix(self, value: str) -> List[str]:
        """The parts above the path: a new "Phần" ends the previous one and its "Mục"."""
        rank = {"phan": 0, "chuong": 0, "muc": 1}
        level = rank.get(fold(value.split()[0]), 1)
        return [x for x in self.path.prefix if rank.get(fold(x.split()[0]), 1) < level] + [value]

    def _roman(self, numeral: str, p: Paragraph, written: bool) -> None:
        self.labelled = True
        self.path = _Path(prefix=self.path.prefix, roman=numeral,
                          headings=[h for h in self.path.headings if h[0] == "part"])
        self.roman_inferred, self.number_inferred = not written, False
        self.after_trailer = False
        self.skipping = None

    def _heading(self, label: _Label) -> None:
        level = "roman" if label.kind in ("roman", "part") else label.kind
        self.path.headings.append((level, label.text))
        folded = fold(label.text)
        if label.kind in ("roman", "part") and _ASSESSMENT.match(folded):
            self.skipping = label.text.rstrip(":. ")
            self.notes.append(f"Bỏ qua mục {label.value} «{self.skipping}»: phần đánh giá tình hình, không phải "
                              "chính sách; hãy thêm tay nếu cần.")

    def _arabic(self, i: int, p: Paragraph, label: _Label) -> None:
        numbers = tuple(int(n) for n in label.value.split("."))
        if (numbers == (1,) and self.romans_written
                and ((self.path.arabic and self.path.arabic[0] >= 2) or self.loose)):
            self._implied_roman(p)
        elif not self.labelled and self.romans_written and self.restarts and self.path.roman is None:
            self._implied_roman(p)
        self.labelled = True
        self.after_trailer = False
        self.loose = False
        self.number_inferred = False
        self.path.arabic = numbers
        self.path.letter = None
        self.path.drop_headings(("arabic", "letter"))
        children = _has_children(self.body, i, label)
        nxt = read_label(self.body[i + 1].text) if i + 1 < len(self.body) else None
        sub = nxt is not None and nxt.kind == "arabic" and nxt.value.startswith(label.value + ".")
        if sub or _is_heading(label.text, children):
            self.path.headings.append(("arabic", label.text))
        else:
            self._add(label.text, p)

    def _implied_roman(self, p: Paragraph) -> None:
        current = roman_value(self.path.roman) if self.path.roman else 0
        numeral = roman(current + 1)
        self._roman(numeral, p, written=False)
        self.notes.append(f"Mục {numeral} không có tiêu đề trong văn bản; mã mục {numeral} từ đoạn «"
                          f"{_excerpt(p.text)}» là suy ra từ cách đánh số, hãy kiểm tra.")

    def _letter(self, i: int, p: Paragraph, label: _Label) -> None:
        if label.value == "a" and self.path.letter not in (None, "a"):
            # The list starts again without the numbered heading that should open it.
            base = self.path.arabic or (0,)
            self.path.arabic = base[:-1] + (base[-1] + 1,)
            self.path.drop_headings(("arabic", "letter"))
            self.number_inferred = True
            self.notes.append(f"Mục {self.path.reference(with_letter=False)} không có tiêu đề trong văn bản (các "
                              f"điểm a), b)… bắt đầu lại ở đoạn «{_excerpt(label.text)}»); hãy kiểm tra mã mục.")
        self.labelled = True
        self.after_trailer = False
        self.path.letter = label.value
        self.path.drop_headings(("letter",))
        children = _has_children(self.body, i, label)
        if _is_heading(label.text, children, letter=True):
            self.path.headings.append(("letter", label.text))
        else:
            self._add(label.text, p)

    # -- text

    def _text(self, i: int, p: Paragraph, label: Optional[_Label]) -> None:
        text = label.text if label else p.text
        if label is None and TRAILER.match(text):
            self._trailer(text, p)
            return
        if label is None and self.after_trailer and self.labelled:
            nxt = _next_label(self.body, i)
            run_end = self._unlabelled_run_end(i)
            if (nxt is not None and nxt.kind == "arabic" and nxt.value == "1"
                    and not self.body[run_end].text.rstrip().endswith(":")):
                # Paragraphs closing no list, before a list that starts again: a section of their own.
                self._implied_roman(p)
                self.loose = True
        if not self.labelled:
            name = part_name(text)
            if name:
                self.path.name = name
                self.path.headings = [("name", name)]
            elif self.path.name is None and not self._preamble_worth(text):
                self.notes.append(f"Bỏ qua đoạn mở đầu «{_excerpt(text)}»: đánh giá tình hình, không phải chính sách.")
                return
        if LEAD_IN.search(text) and not legal_refs_in(text, self.own_code):
            return  # "… cần thực hiện các nhiệm vụ cụ thể như sau:" introduces, it does not say
        items = _inline_items(text) if not self.labelled else []
        if items:
            for n, item in items:
                self._add(item, p, suffix=f" ({n})")
            return
        self._add(text, p)

    def _unlabelled_run_end(self, i: int) -> int:
        j = i
        while j + 1 < len(self.body) and read_label(self.body[j + 1].text) is None:
            j += 1
        return j

    def _preamble_worth(self, text: str) -> bool:
        """An opening paragraph that states the plan's basis or purpose (not the situation)."""
        return bool(legal_refs_in(text, self.own_code)) or bool(_PURPOSE.match(fold(text)))

    def _trailer(self, text: str, p: Paragraph) -> None:
        section = self.path.reference(with_letter=False)
        last = self.passages[-1] if self.passages else None
        if last is not None and last.role == "trailer" and last.section == section and self.after_trailer:
            last.text = f"{last.text}{' ' if last.text.endswith(('.', ';', ':')) else '. '}{text}"
            last.last = p.last
            return
        self.after_trailer = True
        self.passages.append(Passage(section, text, p.first, p.last, role="trailer", inferred=self.inferred,
                                     headings=[t for _, t in self.path.headings], named=not self.labelled))

    def _add(self, text: str, p: Paragraph, suffix: str = "") -> None:
        if self.skipping:
            return
        self.after_trailer = False
        heads = [t for _, t in self.path.headings]
        owner = [t for lvl, t in self.path.headings if lvl in ("arabic", "letter")]
        subject, heading_agencies = _body_heading(owner[-1]) if owner else (None, [])
        self.passages.append(Passage(self.path.reference() + suffix, text, p.first, p.last, headings=heads,
                                     heading_agencies=heading_agencies, subject=subject, inferred=self.inferred,
                                     named=not self.labelled))


def _body_heading(heading: str) -> Tuple[Optional[str], List[str]]:
    """(the heading as its items' subject, the bodies it names) when a heading only names bodies
    ("Sở Y tế", "Báo Đà Nẵng, Đài Phát thanh - Truyền hình Đà Nẵng và các báo, đài"); else (None, [])."""
    text = heading.rstrip(" :.")
    names = agencies_in(text) if _words(text) <= 15 else []
    # Names that start the heading and cover most of it, not a subject that starts with one.
    if not names or not fold(text).startswith(fold(names[0])[:6]) or sum(map(len, names)) < 0.6 * len(text):
        return None, []
    single = "," not in text and " và " not in text
    return text, [text] if single else names


def _inline_items(text: str) -> List[Tuple[int, str]]:
    """"… (1) nâng cao …; (2) …; (3) …" as numbered items, when they count up from 1."""
    marks = list(_INLINE_ITEM.finditer(text))
    numbers = [int(m.group(1)) for m in marks]
    if len(marks) < 3 or numbers != list(range(1, len(marks) + 1)):
        return []
    items = []
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        item = text[m.end():end].strip(" ;,")
        item = re.sub(r"\./\.$", ".", item)
        if item:
            items.append((numbers[k], item[:1].upper() + item[1:]))
    return items


def _excerpt(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


def read_structure(body: Sequence[Paragraph], own_code: Optional[str] = None) -> Structure:
    """The body's passages with their section references, and notes on what was inferred or left out."""
    return _Reader(body, own_code).run()
