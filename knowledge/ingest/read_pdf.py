"""Reading a text PDF: lines in reading order, wrapped lines rejoined, page furniture dropped."""
from __future__ import annotations

import io
import re
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Dict, Iterable, List, Tuple

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTCurve, LTFigure, LTImage, LTPage, LTTextLine
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException

from knowledge.ingest.legacy_encodings import repair_legacy
from knowledge.ingest.read import CorruptFile, EmptyFile, EncryptedFile, ScannedPdf, legacy_note
from knowledge.ingest.read_docx_numbering import bullet_text

# A line starting like this begins a paragraph of its own: "I.", "2.", "2.1.", "2.5.1", "a)", "đ)", "•".
# Numbers stay short so a wrapped "250.000 lao động" or "2020. Tiếp" is not taken for a label.
LABEL = re.compile(r"^(?:[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-zđ]\)|[•●▪■◦])(?=\s)")
# A dash or plus item after a finished sentence: "...thành thị." then "- Tổ chức".
_DASH_ITEM = re.compile(r"^[-+–] [^\W\d_]")
# A label printed without its gap: "9.1Tăng", "10.Ban", "a)Hỗ".
_LABEL_GLUED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-zđ]\)|[IVXLC]+\.)(?=[^\W\d_])")
_PAGE_NUMBER = re.compile(r"^\W*(?:trang|page)?\s*\d+\s*(?:(?:/|trên|of)\s*\d+)?\W*$", re.IGNORECASE)
_CID = re.compile(r"\(cid:\d+\)")
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl"})
# A page with pictures and less text than this (a stamp, a page header) is a scanned page.
_SCANNED_PAGE_TEXT = 40
# Baseline pitch above this times the usual one is a gap between paragraphs.
_PARAGRAPH_GAP = 1.2
# pdfminer raises these and, on malformed files, the built-in errors of its parsers.
_PARSE_ERRORS = (PSException, ValueError, KeyError, IndexError, TypeError, EOFError, zlib.error)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    y0: float
    y1: float
    page: int
    first_word: float  # width of the first word, as printed
    space: float  # a plausible narrowest space in this line's font


@dataclass
class _Page:
    number: int
    width: float
    lines: List[_Line]
    pictures: bool


def read_pdf(data: bytes) -> Tuple[List[str], List[str]]:
    """The plan's lines and notes for the admin; raises for encrypted, corrupt or scanned PDFs."""
    pages = _pages(data)
    body = _drop_furniture(pages)
    text_per_page = Counter()
    for line in body:
        text_per_page[line.page] += len(line.text)
    scanned = [page.number for page in pages if page.pictures and text_per_page[page.number] < _SCANNED_PAGE_TEXT]
    with_content = [page for page in pages if page.pictures or text_per_page[page.number]]
    if not body or len(scanned) == len(with_content):
        if scanned:
            raise ScannedPdf()
        raise EmptyFile()
    notes: List[str] = []
    if scanned:
        notes.append(f"Trang {', '.join(map(str, scanned))} là ảnh quét, không có lớp chữ nên không đọc được; "
                     "cần nhận dạng chữ (OCR) cho các trang này.")
    lines = _paragraphs(body, {page.number: page.width for page in pages})
    if any(_CID.search(line) for line in lines):
        notes.append("Một số chữ trong PDF dùng phông không giải mã được và đã bị bỏ; "
                     "nên dùng tệp .docx gốc nếu có.")
        lines = [_CID.sub("", line) for line in lines]
    lines, encoding = repair_legacy(lines)
    if encoding:
        notes.append(legacy_note(encoding))
    return lines, notes


def _pages(data: bytes) -> List[_Page]:
    """Each page's text lines in pdfminer's reading order, and whether it shows pictures."""
    pages = []
    try:
        for number, layout in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams(all_texts=True)), 1):
            lines = [_line(line, number) for line in _text_lines(layout)]
            pages.append(_Page(number, layout.width, [line for line in lines if line.text],
                               _has_pictures(layout)))
    except PDFEncryptionError:
        raise EncryptedFile() from None
    except _PARSE_ERRORS:
        raise CorruptFile() from None
    if not pages:
        raise CorruptFile()
    return pages


def _text_lines(container) -> Iterable[LTTextLine]:
    for item in container:
        if isinstance(item, LTTextLine):
            yield item
        elif hasattr(item, "__iter__") and not isinstance(item, LTChar):
            yield from _text_lines(item)


def _has_pictures(layout: LTPage) -> bool:
    def walk(container) -> bool:
        for item in container:
            if isinstance(item, (LTImage, LTCurve)):
                return True
            if isinstance(item, LTFigure) and walk(item):
                return True
        return False

    return walk(layout)


def _line(line: LTTextLine, page: int) -> _Line:
    """A text line with what the wrap test needs: its first word's printed width and a space's."""
    chars = [item for item in line if isinstance(item, LTChar)]
    word = []
    for char in chars:
        if char.get_text().isspace():
            if word:
                break
            continue
        word.append(char)
    first_word = word[-1].x1 - word[0].x0 if word else 0.0
    size = statistics.median(char.size for char in chars) if chars else line.height
    text = " ".join(bullet_text(line.get_text().translate(_LIGATURES)).split())
    text = _LABEL_GLUED.sub(r"\1 ", text)
    return _Line(text, line.x0, line.x1, line.y0, line.y1, page, first_word, 0.25 * size)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _drop_furniture(pages: List[_Page]) -> List[_Line]:
    """Body lines: page numbers and running headers/footers (top or bottom line repeated) removed."""
    edges = []
    for page in pages:
        if page.lines:
            ordered = sorted(page.lines, key=lambda line: -line.y1)
            edges.append({id(ordered[0]), id(ordered[-1])})
        else:
            edges.append(set())
    repeats = Counter(_furniture_key(line.text) for page, edge in zip(pages, edges)
                      for line in page.lines if id(line) in edge)
    needed = max(2, (len([p for p in pages if p.lines]) + 1) // 2)
    body = []
    for page, edge in zip(pages, edges):
        for line in page.lines:
            if id(line) in edge and (_PAGE_NUMBER.match(line.text)
                                     or repeats[_furniture_key(line.text)] >= needed):
                continue
            body.append(line)
    return body


def _paragraphs(lines: List[_Line], widths: Dict[int, float]) -> List[str]:
    """Lines rejoined where the PDF only wrapped them; labels and headings keep their own lines."""
    if not lines:
        return []
    # The text's right edge for each page size, over the whole document: a last page of short
    # lines has the same margin as the others.
    right_by_width: Dict[float, float] = {}
    for line in lines:
        width = round(widths[line.page])
        right_by_width[width] = max(right_by_width.get(width, 0.0), line.x1)
    pitches = [a.y0 - b.y0 for a, b in zip(lines, lines[1:]) if a.page == b.page and a.y0 > b.y0]
    pitch = statistics.median(pitches) if pitches else 0.0
    out = [lines[0].text]
    for prev, cur in zip(lines, lines[1:]):
        right = right_by_width[round(widths[prev.page])]
        if _same_row(prev, cur) or _continues(prev, cur, right, pitch):
            out[-1] = _join(out[-1], cur.text)
        else:
            out.append(cur.text)
    return out


def _join(text: str, rest: str) -> str:
    """Two pieces of one paragraph; a word broken after its hyphen ("16-" + "NQ/TW") stays whole."""
    if re.search(r"\w-$", text):
        return text + rest
    return f"{text} {rest}"


def _same_row(prev: _Line, cur: _Line) -> bool:
    """Whether cur sits on prev's baseline to its right, like text after a label's tab."""
    return cur.page == prev.page and abs(prev.y0 - cur.y0) < 0.3 * (prev.y1 - prev.y0) and cur.x0 >= prev.x1


def _continues(prev: _Line, cur: _Line, right: float, pitch: float) -> bool:
    """Whether cur is the wrapped rest of prev's paragraph: its first word would not have fitted."""
    if LABEL.match(cur.text):
        return False
    if _DASH_ITEM.match(cur.text) and cur.text[2:3].isupper() and prev.text.endswith((".", ";", ":")):
        return False
    if cur.page == prev.page and (prev.y0 <= cur.y0 or (pitch and prev.y0 - cur.y0 > pitch * _PARAGRAPH_GAP)):
        return False
    # Printers wrap a little short of the margin: the word must have fitted with half an em to spare.
    slack = 2 * prev.space
    return prev.x1 + prev.space + cur.first_word + slack > right
