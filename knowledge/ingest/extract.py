"""Figures and legal references in a provision's text, written as the curated files write them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from knowledge.text import fold

# ---------------------------------------------------------------------------------------------- figures

# Units a figure may carry, longest first within a shared start (matched folded, on whole words).
_UNITS = sorted("""
tỷ đồng|tỉ đồng|triệu đồng|nghìn đồng|ngàn đồng|đồng|usd
lượt lao động|lượt người|lượt hộ|lượt|lao động|người|hộ gia đình|hộ|gia đình|học sinh|sinh viên|trẻ em|trẻ
bác sĩ|giường bệnh viện|giường bệnh|giường|nhân viên|cán bộ|đối tượng|suất|thẻ|phần quà|dân|vạn dân
căn hộ|căn nhà|căn|ngôi nhà|m2 sàn|m² sàn|m2|m²|ha|hecta|km
tháng tuổi|tuổi|năm|tháng|giờ|buổi
lần|xã|phường|trường|trạm|công trình|dự án|cơ sở|mô hình|chỗ|việc làm|điểm|khu|doanh nghiệp
""".replace("\n", "|").strip("|").split("|"), key=len, reverse=True)
_FOLDED_UNITS = [(fold(u), u) for u in _UNITS]
_PERCENT = re.compile(r"\s*(%\s*o\b|‰|%)")
# A number as Vietnamese write it: 1.500 (thousands), 2,5 (decimal); not part of a date or a code.
_NUMBER = re.compile(r"(?<![\w.,/])(?<![^\W\d]-)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(?![\w/]|[.,]\d)")
# Words right before a number that make it a date, a rank, a name or a document number, not a figure.
_NOT_FIGURE_BEFORE = re.compile(
    r"(?:\b(?:số|khóa|khoá|lần|thứ|điều|khoản|điểm|mục|quận|phường|trung ương|nghị quyết|quyết định"
    r"|đề án|chương trình|kế hoạch|chỉ thị|thông tư|nghị định|luật|giai đoạn|kỳ|học kỳ|tuyến|đợt|phòng|tổ|ấp|khu phố"
    r"|khóm|đường|quốc lộ|ql)\s*$|[“\"(]\s*$)",
    re.IGNORECASE,
)
# "ngày 30 tháng 11", "tháng 3 năm 2024", "ngày 24/11": a day or month, not "dạy ngày 2 buổi".
_DATE_PART_BEFORE = re.compile(r"\b(?:ngày|tháng)\s*$", re.IGNORECASE)
_DATE_PART_AFTER = re.compile(r"\s*(?:/|-|tháng\b|năm\b|,\s*ngày\b)", re.IGNORECASE)
_RANGE_NEXT = re.compile(r"\s*(?:-|–|đến|tới)\s*\d")  # "35-40%", "từ 3 đến 5 tuổi": a range's first number
_PER_YEAR = re.compile(r"\b(?:mỗi|hằng|hàng)\s+năm\b", re.IGNORECASE)
_YEAR_PHRASE = re.compile(
    r"(?<!so với )(?<!từ )\b(?:(?:đến|tới|trước|trong|vào|tính đến)\s+(?:hết\s+|cuối\s+|đầu\s+)?)?"
    r"năm\s+((?:19|20)\d{2})\b"
    r"(?!\s*-\s*(?:19|20)\d{2})",
    re.IGNORECASE,
)
_AGES = {"tuổi", "tháng tuổi"}
_LABEL_STOP = set(fold(w) for w in "đạt dưới trên khoảng từ xuống còn có là đến tăng giảm lên hạ với chiếm bằng "
                  "được và hơn thêm gần".split())
_LABEL_STOP_PHRASES = ("ít nhất", "tối thiểu", "tối đa", "bình quân", "phấn đấu", "trở lên", "trở xuống", "mỗi năm",
                       "hằng năm", "hàng năm", "tăng thêm")


@dataclass(frozen=True)
class Figure:
    value: float | int
    unit: str
    year: Optional[int]
    label: str
    start: int   # where its number starts in the text
    written: str  # the number as written ("07", "99,70")

    def as_dict(self) -> Dict[str, object]:
        return {"value": self.value, "unit": self.unit, "year": self.year, "label": self.label}


def parse_number(whole: str, decimals: Optional[str]) -> float | int:
    """1.500 -> 1500; 2,5 -> 2.5; 99,70 -> 99.7."""
    integer = int(whole.replace(".", ""))
    if decimals and decimals.strip("0"):
        return float(f"{integer}.{decimals}")
    return integer


def _unit_at(text: str, start: int) -> Tuple[str, int]:
    """The unit word(s) starting exactly at ``start`` and where they end; "" when there is none."""
    folded = fold(text[start:start + 40])
    for key, unit in _FOLDED_UNITS:
        if folded.startswith(key) and not re.match(r"[\w²]", folded[len(key):len(key) + 1]):
            return text[start:start + len(key)], start + len(key)
    return "", start


def _unit_after(text: str, pos: int) -> Tuple[str, int]:
    """The unit written after a number ending at ``pos`` and where it ends; "" when there is none."""
    m = _PERCENT.match(text, pos)
    if m:
        if m.group(1) == "%":
            return "%", m.end()
        paren = re.match(r"\s*\(phần (?:ngàn|nghìn)\)", text[m.end():], re.IGNORECASE)
        return "‰", m.end() + (paren.end() if paren else 0)
    gap = re.match(r"[ \t]{1,2}", text[pos:])
    if not gap:
        return "", pos
    unit, end = _unit_at(text, pos + gap.end())
    return (unit, end) if unit else ("", pos)


_DENOMINATOR = re.compile(r"\s*/\s*(?:(\d{1,3}(?:\.\d{3})+|\d+)\s+)?|\s+trên\s+(\d{1,3}(?:\.\d{3})+|\d+)\s+")


def _denominators(text: str, pos: int) -> Tuple[str, int]:
    """"/người/năm", "/100.000 dân", "/1 vạn dân", " trên 10.000 dân" after a unit."""
    out = ""
    while True:
        m = _DENOMINATOR.match(text, pos)
        if not m:
            return out, pos
        unit, end = _unit_at(text, m.end())
        per_people = m.group(2) is not None
        if not unit or (per_people and fold(unit) not in ("dan", "van dan")):
            return out, pos
        count = m.group(1) or m.group(2)
        out += "/" + (f"{count} " if count else "") + unit
        pos = end


def _clause_bounds(text: str, pos: int) -> Tuple[int, int]:
    """The clause around ``pos``: between semicolons, colons, brackets and sentence ends."""
    left = max([m.end() for m in re.finditer(r"[;:(]|\.\s", text[:pos])] or [0])
    after = re.search(r"[;:)]|\.(?:\s|$)", text[pos:])
    return left, pos + after.start() if after else len(text)


def _label(text: str, start: int, unit_start: int, unit: str, floor: int = 0) -> str:
    """A short label: the words before the figure in its clause (not before the previous figure,
    which ends at ``floor``), or the words after its unit when the figure leads ("100% học sinh …")."""
    left, right = _clause_bounds(text, start)
    left = max(left, floor)
    pieces = re.split(r",\s+", text[left:start])
    before = pieces.pop()
    while pieces and len(before.split()) < 4:  # "bằng cấp, chứng chỉ đạt": a list inside the label
        before = f"{pieces.pop()}, {before}"
    words = [w for w in before.split() if not re.search(r"\d", w)]
    changed = True
    while words and changed:
        changed = False
        joined = " ".join(words).lower()
        for phrase in _LABEL_STOP_PHRASES:
            if joined.endswith(phrase):
                words = words[: len(words) - len(phrase.split())]
                changed = True
        if words and (fold(words[-1]) in _LABEL_STOP or words[-1] in ("-", "–")):
            words.pop()
            changed = True
    if len(words) < 2:
        unit_end = unit_start + len(unit)
        words = [w for w in re.split(r",\s+", text[unit_end:right])[0].split() if not re.search(r"\d", w)]
        words = words if len(words) >= 2 else unit.split()
    label = " ".join(words[:8]).strip(" ,.;:-–()")
    return label or "số liệu"


def _year_for(text: str, start: int, unit: str) -> Optional[int]:
    if unit in _AGES:
        return None
    sentence_start = max(text.rfind(". ", 0, start) + 1, 0)
    before = [m for m in _YEAR_PHRASE.finditer(text, sentence_start, start)]
    if before:
        return int(before[-1].group(1))
    left, right = _clause_bounds(text, start)
    after = _YEAR_PHRASE.search(text, start, right)
    return int(after.group(1)) if after else None


def figures_in(text: str) -> List[Figure]:
    """Figures with a unit (or a percentage), ranges as two figures, years from the sentence."""
    found: List[Figure] = []
    pending: List[Tuple[re.Match, float | int]] = []  # a range's first number, waiting for its unit
    consumed = 0  # where the last figure's unit ends: numbers inside it ("/100.000 dân") are not figures
    for m in _NUMBER.finditer(text):
        if m.start() < consumed:
            continue
        whole, decimals = m.group(1), m.group(2)
        before = text[max(0, m.start() - 25):m.start()]
        if _NOT_FIGURE_BEFORE.search(before) or (_DATE_PART_BEFORE.search(before)
                                                 and _DATE_PART_AFTER.match(text, m.end())):
            pending = []
            continue
        value = parse_number(whole, decimals)
        if not decimals and len(whole) == 4 and whole.startswith(("19", "20")):
            pending = []
            continue  # a year
        unit, end = _unit_after(text, m.end())
        if not unit:
            if _RANGE_NEXT.match(text, m.end()):
                pending.append((m, value))
            else:
                pending = []
            continue
        unit_at = end - len(unit)
        denominators, end = _denominators(text, end)
        floor, consumed = consumed, end
        unit += denominators
        if unit not in ("%", "‰") and "/" not in unit and (_PER_YEAR.search(text[max(0, m.start() - 30):m.start()])
                                                          or _PER_YEAR.match(text[end:].lstrip())):
            unit += "/năm"
        label_at = m.start()
        for first, first_value in pending[-1:]:
            if re.fullmatch(r"\s*(?:-|–|đến|tới)\s*", text[first.end():m.start()]):
                label_at = first.start()
                found.append(_figure(text, first, first_value, unit, label_at, unit_at, floor))
        pending = []
        found.append(_figure(text, m, value, unit, label_at, unit_at, floor))
    return found


def _figure(text: str, m: re.Match, value: float | int, unit: str, label_at: int, unit_at: int,
            floor: int) -> Figure:
    return Figure(value=value, unit=unit, year=_year_for(text, m.start(), unit),
                  label=_label(text, label_at, unit_at, unit, floor), start=m.start(), written=m.group(0))


def tidy_figures(text: str) -> Tuple[str, List[Tuple[str, str]]]:
    """The text with figures written so the validator can read them ("07 bác sĩ" -> "7 bác sĩ",
    "99,70%" -> "99,7%"), and the rewrites made."""
    changes: List[Tuple[str, str]] = []
    out: List[str] = []
    last = 0
    for fig in figures_in(text):
        written = fig.written
        whole, _, decimals = written.partition(",")
        tidy_whole = whole if "." in whole else (whole.lstrip("0") or "0")
        tidy_decimals = decimals.rstrip("0")
        tidy = tidy_whole + ("," + tidy_decimals if tidy_decimals else "")
        if tidy != written and fig.start >= last:
            out.append(text[last:fig.start])
            out.append(tidy)
            last = fig.start + len(written)
            changes.append((written, tidy))
    out.append(text[last:])
    return "".join(out), changes


# ----------------------------------------------------------------------------------------- legal refs

_REF_TYPES = ("Chương trình hành động", "Thông tư liên tịch", "Quyết định", "Nghị định", "Nghị quyết", "Thông tư",
              "Chỉ thị", "Kế hoạch", "Kết luận", "Chương trình", "Công văn", "Pháp lệnh", "Hướng dẫn", "Quy định",
              "Thông báo", "Đề án", "Bộ luật", "Luật", "Quy chế", "Chiến lược")
_TYPE_RE = "|".join(re.escape(t) for t in _REF_TYPES)
# A document number: 118/QĐ-TTg, 20/2000/QĐ-TTg, 42-NQ/TW, 28-CTrHĐ/TU, 01/2019/TTLT-BLĐTBXH-BYT.
CODE = r"\d{1,5}(?:/(?:19|20)\d{2})?[/-][A-ZĐa-zđ][\wĐđ]*(?:[/-][\wĐđ]+)*"
_CODED_REF = re.compile(rf"(?<!\w)({_TYPE_RE})\s+(?:số\s*:?\s*)?({CODE})", re.IGNORECASE)
# Laws cited by name: "Luật Bảo hiểm y tế", "Bộ luật Lao động", "Pháp lệnh Dân số" (a capitalised word and
# at most three more: "Luật Ngân sách Nhà nước", "Luật Giáo dục nghề nghiệp").
_NAMED_REF = re.compile(
    r"(?<!\w)(Bộ luật|Luật|Pháp lệnh)\s+([A-ZĐ][\wĐđ]*(?:\s+(?!(?:và|của|theo|số|năm|ngày|về|đối|cho|trong|để|được|đã"
    r"|sửa|quy|hiện|thì|là|các|nhằm|với|tại|thi|hành|đến|từ|có|này|trên|mới|nay|khi|qua|đúng|chú|cần|phải"
    r"|bảo|thực|triển)\b)[\wĐđ]+){0,3})"
)


def _type_as_written(word: str) -> str:
    """"QUYẾT ĐỊNH" or "quyết định" -> "Quyết định"."""
    for name in _REF_TYPES:
        if fold(name) == fold(word):
            return name
    return word


def legal_refs_in(text: str, own_code: Optional[str] = None) -> List[str]:
    """Legal documents ``text`` names, as "Quyết định 118/QĐ-TTg" or "Luật Bảo hiểm y tế" (the
    document's own number left out)."""
    found: List[Tuple[int, str]] = []
    seen: set = set()
    own = fold(own_code or "")
    for m in _CODED_REF.finditer(text):
        code = m.group(2).rstrip(".-/")
        if fold(code) == own or fold(code) in seen:
            continue
        seen.add(fold(code))
        found.append((m.start(), f"{_type_as_written(m.group(1))} {code}"))
    for m in _NAMED_REF.finditer(text):
        name = re.sub(r"\s+", " ", m.group(0)).rstrip(" ,.;")
        if fold(name) not in seen and not _CODED_REF.match(text, m.start()):
            seen.add(fold(name))
            found.append((m.start(), name))
    return [ref for _, ref in sorted(found)]


def ref_spans(text: str) -> List[Tuple[int, int]]:
    """Where legal references sit in ``text`` (their words name no topic or group)."""
    return [m.span() for m in _CODED_REF.finditer(text)] + [m.span() for m in _NAMED_REF.finditer(text)]


def codes_in(text: str) -> Sequence[str]:
    return [m.group(0) for m in re.finditer(CODE, text)]
