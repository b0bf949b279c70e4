"""A plan's metadata from its header (and, on a web page, its footer): number, title, issuer, date,
period, status and locality, each with how sure the reading is."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from knowledge.ingest.agencies import UPPER, agencies_in
from knowledge.ingest.extract import CODE
from knowledge.ingest.layout import DOC_TYPE_RE, Layout, Paragraph
from knowledge.ingest.structure import read_label
from knowledge.ingest.vocabulary import PlanCatalogue
from knowledge.text import fold

_NUMBER_LINE = re.compile(r"^Số(?: hiệu)?\s*:?\s*(\S*)", re.IGNORECASE)
_TYPED_CODE = re.compile(rf"{DOC_TYPE_RE.pattern}\s+(?:số\s*:?\s*)?({CODE})", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^(?P<place>[^,]{2,40}),\s*ngày\s*(?P<day>\d{1,2})?\s*tháng\s*(?P<month>\d{1,2})\s*năm\s*"
                         r"(?P<year>\d{4})", re.IGNORECASE)
_WEEKDAY = re.compile(r"^(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ nhật)$", re.IGNORECASE)
_DAY_MONTH = re.compile(r"^Ngày\s+(\d{1,2})\s*/\s*(\d{1,2})(?!\s*/\s*\d)")
_ANY_DATE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d{2})\b"
                       r"|ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm"
                       r"\s+((?:19|20)\d{2})", re.IGNORECASE)
_CARD_DATE = re.compile(r"^Ngày ban hành\s*:?\s*(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_POSTED = re.compile(r"^Ngày đăng\s*:?\s*(\d{1,2})/(\d{1,2})/(\d{4})", re.IGNORECASE)
_ISSUES = re.compile(r"\b(?:ban hành|xây dựng|đề ra)\s+(?:" + DOC_TYPE_RE.pattern + r")")
# After the plan's own number: "… số 28-CTrHĐ/TU ngày 8/11/2012 của Thành ủy về …".
_OF_ISSUER = r"\s*,?\s*(?:ngày\s+[\d/]+\s+)?của\s+(.{3,80}?)\s+(?:về|thực hiện|triển khai|nhằm|ban hành)\b"
_CODE_DATE = r"\s*,?\s*ngày\s+(\d{1,2})\s*(?:/|-|tháng\s+)(\d{1,2})\s*(?:/|-|năm\s+)(\d{4})"
_PERIOD = re.compile(r"\b(?:giai đoạn|thời kỳ|nhiệm kỳ)?\s*((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b", re.IGNORECASE)
_UNTIL = re.compile(r"(?<!tầm nhìn )\bđến\s+(?:hết\s+|cuối\s+)?năm\s+((?:19|20)\d{2})", re.IGNORECASE)
_DRAFT = re.compile(r"\bdự\s*thảo\b", re.IGNORECASE)
_GENERIC_PLACE = re.compile(r"^(?:các\s+)?(?:thành phố|tỉnh|huyện|quận|thị xã|tp\.?)?$", re.IGNORECASE)
_HEADS = (("UBND", "Ủy ban nhân dân"), ("Uỷ ban nhân dân", "Ủy ban nhân dân"), ("HĐND", "Hội đồng nhân dân"))


@dataclass
class Metadata:
    code: Optional[str] = None
    title: Optional[str] = None
    issuer: Optional[str] = None
    issued_on: Optional[dt.date] = None
    date_label: Optional[str] = None
    period_start: Optional[int] = None
    period_end: Optional[int] = None
    status: str = "issued"
    locality: Optional[str] = None
    confidence: Dict[str, float] = field(default_factory=dict)
    notes: List[str] = field(default_factory=list)


def _capitalised(text: str) -> str:
    """"CHƯƠNG TRÌNH HÀNH ĐỘNG thực hiện …" -> "Chương trình hành động thực hiện …"."""
    words = text.split()
    out = []
    for i, w in enumerate(words):
        if w.isupper() and len(w) > 1 and not re.search(r"\d|/", w) and not re.fullmatch(r"[IVXLC]+\W*", w):
            w = w.lower()
        out.append(w[:1].upper() + w[1:] if i == 0 else w)
    return " ".join(out)


_PLACE_LINE = re.compile(r"^(?:TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN)\s+\S")


def _header_lines(header: Sequence[Paragraph]) -> List[str]:
    """Header lines, with an upper-case heading broken over lines joined ("ỦY" + "BAN NHÂN DÂN") and
    an organ joined to its place ("ỦY BAN NHÂN DÂN" + "THÀNH PHỐ ĐÀ NẴNG")."""
    out: List[str] = []
    for p in header:
        text = p.text
        if out and out[-1].isupper() and text.isupper() and (len(out[-1].split()) <= 2 or _PLACE_LINE.match(text)):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def _organ(line: str) -> str:
    """An upper-case organ line as written in running text: "HỘI ĐỒNG NHÂN DÂN TỈNH LÂM ĐỒNG" ->
    "Hội đồng nhân dân tỉnh Lâm Đồng"."""
    text = _capitalised(line)
    m = re.search(r"\b(tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\s+(.+)$", text)
    if m:
        text = text[:m.start(2)] + m.group(2).title()
    return text.replace("Uỷ ban", "Ủy ban")


def _code(meta: Metadata, header: List[str], body: Sequence[Paragraph], tail: List[str]) -> Tuple[Optional[str], str]:
    """The document's number, and the line it was read from. A blank number ("Số: -CTr/TU") gives
    only its suffix."""
    for line in header:
        m = _NUMBER_LINE.match(line)
        if m and m.group(1):
            value = m.group(1).strip("|")
            if re.fullmatch(CODE, value):
                meta.confidence["code"] = 0.95
                return value, line
            if re.fullmatch(r"[-/]?[A-ZĐa-zđ][\wĐđ]*(?:[/-][\wĐđ]+)+", value):
                meta.confidence["code"] = 0.4
                return "?" + value.lstrip("-/"), line
    for line in header:
        m = _TYPED_CODE.search(line)
        if m and (DOC_TYPE_RE.match(line) or _ISSUES.search(line[:m.start() + 30])):
            meta.confidence["code"] = 0.9
            return m.group(1), line
    for p in body[:2]:
        m = re.search(r"\bban hành\s+" + _TYPED_CODE.pattern, p.text, re.IGNORECASE)
        if m:
            meta.confidence["code"] = 0.85
            return m.group(1), p.text
    for line in tail:
        m = _NUMBER_LINE.match(line)
        if m and re.fullmatch(CODE, m.group(1)):
            meta.confidence["code"] = 0.9
            return m.group(1), line
    for line in tail:
        m = _TYPED_CODE.match(line)
        if m and (m.end() == len(line.rstrip(". ")) or DOC_TYPE_RE.match(line)):
            meta.confidence["code"] = 0.6
            meta.notes.append(f"Số hiệu lấy từ dòng «{line[:80]}» ở cuối trang; hãy kiểm tra.")
            return m.group(1), line
    return None, ""


def _date_from(meta: Metadata, header: List[str], code: Optional[str], code_line: str, body: Sequence[Paragraph],
               tail: List[str], raw: Sequence[str]) -> None:
    """The issue date: the place-and-date line, a date right after the number, a reference card's
    "Ngày ban hành", "Ngày 27/5 … ban hành" (year from the latest cited date), else the posting date."""
    for line in header:
        m = _PLACE_DATE.match(line)
        if not m:
            continue
        if _WEEKDAY.match(m.group("place").strip()):
            meta.notes.append(f"Bỏ qua ngày «{line}»: đó là ngày của trang web, không phải ngày ban hành.")
            continue
        year, month = int(m.group("year")), int(m.group("month"))
        if m.group("day"):
            _set_date(meta, dt.date(year, month, int(m.group("day"))), 0.95)
        else:
            meta.issued_on, meta.date_label = dt.date(year, month, 1), f"tháng {month}/{year}"
            meta.confidence["issued_on"] = 0.7
            meta.notes.append("Văn bản chưa ghi ngày ban hành (chỉ có tháng); ngày lấy là ngày đầu tháng.")
        return
    if code_line:
        m = re.search(re.escape(code) + _CODE_DATE, code_line, re.IGNORECASE) if code else None
        if m:
            _set_date(meta, dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))), 0.9)
            return
    for line in tail:
        m = _CARD_DATE.match(line)
        if m:
            _set_date(meta, dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))), 0.9)
            return
    for p in body[:2]:
        m = _DAY_MONTH.match(p.text)
        if m and _ISSUES.search(p.text):
            day, month = int(m.group(1)), int(m.group(2))
            year = _year_of_latest_citation(body, (month, day))
            if year:
                _set_date(meta, dt.date(year, month, day), 0.6)
                meta.notes.append(f"Ngày ban hành {day}/{month} không ghi năm; năm {year} suy ra từ ngày của các "
                                  "văn bản được dẫn. Hãy kiểm tra.")
                return
    for line in raw:
        m = _POSTED.match(line.strip())
        if m:
            date = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            meta.issued_on, meta.date_label = date, f"đăng ngày {date:%d/%m/%Y}"
            meta.confidence["issued_on"] = 0.5
            meta.notes.append("Văn bản không ghi ngày ban hành; dùng ngày đăng trên trang web. Hãy kiểm tra.")
            return
    meta.notes.append("Không tìm thấy ngày ban hành; hãy nhập ngày.")


def _set_date(meta: Metadata, date: dt.date, confidence: float) -> None:
    meta.issued_on, meta.date_label = date, f"{date:%d/%m/%Y}"
    meta.confidence["issued_on"] = confidence


def _year_of_latest_citation(body: Sequence[Paragraph], month_day: Tuple[int, int]) -> Optional[int]:
    """The year of the latest date the plan cites, one later when the day falls before it."""
    latest: Optional[dt.date] = None
    for p in body:
        for m in _ANY_DATE.finditer(p.text):
            d, mth, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
            try:
                date = dt.date(int(y), int(mth), int(d))
            except ValueError:
                continue
            latest = max(latest, date) if latest else date
    if latest is None:
        return None
    return latest.year + (month_day < (latest.month, latest.day))


def _title(meta: Metadata, header: List[str], tail: List[str]) -> None:
    for i, line in enumerate(header):
        text = _DRAFT.sub("", line).strip(" *")
        start = DOC_TYPE_RE.search(text)
        if not start or (start.start() > 0 and not _ISSUES.search(text[:start.start() + 40])):
            continue
        title = text[start.start():]
        if len(title.split()) <= 6 and i + 1 < len(header):
            subject = header[i + 1]
            title = f"{title} {subject[:1].lower() + subject[1:]}"
        meta.title = _capitalised(title)
        meta.confidence["title"] = 0.85
        return
    for line in tail:
        if DOC_TYPE_RE.match(line) and _TYPED_CODE.match(line) and len(line.split()) > 6:
            meta.title = _capitalised(line)
            meta.confidence["title"] = 0.6
            meta.notes.append("Tên văn bản lấy từ phần cuối trang; hãy kiểm tra.")
            return
    meta.notes.append("Không tìm thấy tên văn bản; hãy nhập tên.")


def _issuer_candidates(header: List[str], code: Optional[str], code_line: str,
                       body: Sequence[Paragraph]) -> List[str]:
    """Bodies that issue the plan: "của <cơ quan>" on the title line, "<cơ quan> ban hành/xây dựng
    <loại văn bản>" in the header or opening, the upper-case organ line of an official header."""
    out: List[str] = []
    if code and code_line:
        m = re.search(re.escape(code) + _OF_ISSUER, code_line)
        if m:
            out += agencies_in(m.group(1))[:1]
    for text in [code_line] + header + [p.text for p in body[:3]]:
        found = []
        for m in _ISSUES.finditer(text):
            clause = re.split(r"[,;:.]\s", text[:m.start()])[-1]
            names = agencies_in(clause)
            # "… của Thủ tướng Chính phủ ban hành Kế hoạch …" names a cited document's issuer.
            if names and not re.search(r"\bcủa\s*$", clause[:clause.rfind(names[-1])]):
                found.append(names[-1])
        out += found[-1:]
    for line in header:
        if line.isupper() and agencies_in(_organ(line)):
            out += agencies_in(_organ(line))[:1]
    return out


# Issuing bodies, and the level of place a party committee belongs to (a "Tỉnh ủy" is no town's).
_ISSUER_HEADS = ("Ban Thường vụ Thành ủy", "Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Huyện ủy", "Ban Thường vụ Thị ủy",
                 "Ban Thường vụ Quận ủy", "Ban Chấp hành Đảng bộ", "Ủy ban nhân dân", "Hội đồng nhân dân", "Thành ủy",
                 "Tỉnh ủy", "Huyện ủy", "Thị ủy", "Quận ủy")
_COMMITTEE_LEVEL = {"thanh uy": "thanh pho", "tinh uy": "tinh", "huyen uy": "huyen", "thi uy": "thi xa",
                    "quan uy": "quan"}


def _expanded(name: str) -> str:
    for short, full in _HEADS:
        if name.startswith(short):
            return full + name[len(short):]
    return name


def _head(name: str) -> Optional[str]:
    return next((h for h in _ISSUER_HEADS if fold(name).startswith(fold(h))), None)


def _is_generic(name: str) -> bool:
    """"Thành ủy", "UBND thành phố": a body without its place."""
    head = _head(_expanded(name))
    return head is not None and bool(_GENERIC_PLACE.match(_expanded(name)[len(head):].strip()))


def _issuer(candidates: Sequence[str], locality_name: Optional[str]) -> str:
    """The first candidate, with its place: from a fuller candidate of the same body ("Tỉnh ủy" ->
    "Tỉnh ủy Quảng Ngãi"), else from the plan's locality when its level fits ("UBND thành phố" ->
    "Ủy ban nhân dân thành phố Đà Nẵng")."""
    name = _expanded(candidates[0])
    if not _is_generic(name):
        return name
    head = _head(name) or ""
    fuller = [_expanded(c) for c in candidates[1:] if _head(_expanded(c)) == head and not _is_generic(c)]
    if fuller:
        return fuller[0]
    if not locality_name:
        return name
    level = next((lvl for key, lvl in _COMMITTEE_LEVEL.items() if key in fold(head)), None)
    if level and not fold(locality_name).startswith(level):
        return name
    return f"{name[:len(head)]} {locality_name[:1].lower() + locality_name[1:]}"


def _locality(meta: Metadata, catalogue: PlanCatalogue, texts: Sequence[str], body: Sequence[Paragraph]) -> None:
    uncovered: List[str] = []
    for text in texts:
        if not text:
            continue
        place = catalogue.place_in(text)
        if place and place.status == "covered":
            meta.locality, meta.confidence["locality"] = place.locality, 0.9
            return
        if place:
            # The gazetteer knows the place and no locality covers it: an alias must not stand in.
            uncovered.append(place.name)
            continue
        keys = catalogue.localities_in(text)
        if keys:
            meta.locality, meta.confidence["locality"] = keys[0], 0.8
            return
    if uncovered:
        meta.notes.append(f"Địa phương «{uncovered[0]}» chưa có trong danh mục; hãy thêm địa phương vào danh mục "
                          "trước khi đăng văn bản.")
        return
    counts: Counter = Counter()
    for p in body:
        place = catalogue.place_in(p.text)
        if place and place.status == "covered":
            counts[place.locality] += 1
        counts.update(catalogue.localities_in(p.text))
    if counts:
        meta.locality = counts.most_common(1)[0][0]
        meta.confidence["locality"] = 0.6
        name = catalogue.locality_names.get(meta.locality, meta.locality)
        meta.notes.append(f"Địa phương suy ra từ các địa danh trong nội dung ({name}); hãy kiểm tra.")
        return
    meta.notes.append("Không xác định được địa phương của văn bản; hãy chọn địa phương.")


def _period(meta: Metadata, paragraphs: Sequence[str]) -> None:
    year = meta.issued_on.year if meta.issued_on else None
    counts: Counter = Counter()
    first: Dict[Tuple[int, int], int] = {}
    for n, text in enumerate(paragraphs):
        for m in _PERIOD.finditer(text):
            span = (int(m.group(1)), int(m.group(2)))
            if span[0] < span[1] and (year is None or span[0] <= year <= span[1]):
                counts[span] += 1
                first.setdefault(span, n)
        for m in _UNTIL.finditer(text):
            end = int(m.group(1))
            if year is not None and end > year and end - year <= 15:
                counts[(year, end)] += 1
                first.setdefault((year, end), n)
    if not counts:
        meta.notes.append("Không tìm thấy giai đoạn thực hiện; hãy nhập năm bắt đầu và năm kết thúc.")
        return
    best = max(counts, key=lambda s: (counts[s], -first[s]))
    meta.period_start, meta.period_end = best
    meta.confidence["period"] = min(0.9, 0.4 + 0.1 * counts[best])


def _status(meta: Metadata, header: List[str], body: Sequence[Paragraph]) -> None:
    if any(_DRAFT.search(line) for line in header):
        meta.status, meta.confidence["status"] = "draft", 0.9
        meta.notes.append("Văn bản ghi «dự thảo»: đăng với trạng thái dự thảo.")
        return
    labelled = any((lbl := read_label(p.text)) is not None and lbl.kind in ("roman", "arabic") for p in body)
    reported = any(re.match(rf"^[{UPPER}][^.;:]{{0,80}}\bban hành\s+" + DOC_TYPE_RE.pattern, line) for line in header)
    if reported and not labelled:
        meta.status, meta.confidence["status"] = "summary", 0.6
        meta.notes.append("Văn bản có vẻ là bản tin tóm tắt (thuật lại việc ban hành, không có mục đánh số), không "
                          "phải toàn văn: đăng với trạng thái bản tóm tắt.")
        return
    meta.status, meta.confidence["status"] = "issued", 0.8


def read_metadata(lines: Sequence[str], parts: Layout, catalogue: PlanCatalogue,
                  overrides: Optional[dict] = None) -> Metadata:
    """Metadata read from the plan; what the admin gave in ``overrides`` (document_code, locality,
    status) wins."""
    overrides = overrides or {}
    meta = Metadata()
    header = _header_lines(parts.header)
    tail = [p.text for p in parts.tail]
    code, code_line = _code(meta, header, parts.body, tail)
    _date_from(meta, header, code, code_line, parts.body, tail, lines)
    _title(meta, header, tail)
    _status(meta, header, parts.body)
    if overrides.get("status"):
        meta.status, meta.confidence["status"] = overrides["status"], 1.0
    candidates = _issuer_candidates(header, code, code_line, parts.body)
    place_lines = [m.group("place") for line in header if (m := _PLACE_DATE.match(line))]
    if overrides.get("locality"):
        meta.locality, meta.confidence["locality"] = overrides["locality"], 1.0
    else:
        _locality(meta, catalogue, candidates + place_lines + [meta.title or "", code_line], parts.body)
    locality_name = catalogue.locality_names.get(meta.locality or "")
    if candidates:
        meta.issuer = _issuer(candidates, locality_name)
        meta.confidence["issuer"] = 0.6 if _is_generic(meta.issuer) else 0.85
    else:
        meta.notes.append("Không tìm thấy cơ quan ban hành; hãy nhập.")
    if overrides.get("document_code"):
        meta.code, meta.confidence["code"] = overrides["document_code"], 1.0
    else:
        meta.code = _final_code(meta, code, locality_name)
    _period(meta, [meta.title or ""] + [p.text for p in parts.body])
    if meta.status == "draft" and meta.title and "dự thảo" not in meta.title.lower():
        meta.title = f"{meta.title} (dự thảo)"
    if meta.status == "draft" and meta.date_label and "dự thảo" not in meta.date_label:
        meta.date_label = f"{meta.date_label} (dự thảo)"
    return meta


def _final_code(meta: Metadata, code: Optional[str], locality_name: Optional[str]) -> Optional[str]:
    if code is None:
        meta.notes.append("Không tìm thấy số hiệu văn bản; hãy nhập số hiệu (mỗi văn bản một số hiệu riêng).")
        return None
    if not code.startswith("?"):
        return code
    # No number yet: the suffix, the place and the status keep the code unique until it is issued.
    suffix = code[1:]
    place = re.sub(r"^(?:thành phố|tỉnh|huyện|quận|thị xã)\s+", "", locality_name or "", flags=re.IGNORECASE)
    made = " ".join(x for x in (suffix, place) if x) + (" (dự thảo)" if meta.status == "draft" else "")
    meta.notes.append(f"Văn bản chưa có số (dòng «Số:» để trống); tạm đặt số hiệu «{made}». Hãy sửa khi văn bản "
                      "được ban hành.")
    return made
