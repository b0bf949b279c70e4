"""A plan's lines as paragraphs: page furniture dropped, lines broken by a page or a copy joined,
and the text divided into its header, its body and what follows the signature."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Sequence

# Labels that open a line ("II.", "2.1.", "a)", "-", "+"): such a line never continues the one above.
LABEL_RE = re.compile(
    r"^(?:(?:PHẦN|Phần|MỤC|Mục|CHƯƠNG|Chương)\s+(?:[IVXLC]+|\d+|THỨ\s+\S+)\b"
    r"|[IVXLC]{1,6}\s*[.):-]"
    r"|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.):]?\s"
    r"|[a-zđ]\s*[).]\s"
    r"|\(\d{1,2}\)"
    r"|[-–—•+*]"
    r")"
)
_TERMINAL = tuple(".:;!?…")
# Web-page chrome and document furniture that never holds a provision (matched on the whole line).
_FURNITURE = re.compile(
    r"^(?:cỡ chữ\s*:.*|bản in|tin khác|thông báo|địa phương|văn bản đang xem|chưa có video|thống kê truy cập"
    r"|(?:[•·]\s*)?(?:lượt xem|ngày đăng|đang truy cập|đang online|hôm nay|trong tuần|tháng hiện tại|tổng|tất cả)"
    r"\s*:\s*[\d\s./:-]*"
    r"|ipv6 ready|chung nhan tin nhiem mang|designed by \S+\.?|tiêu đề bài viết\s*:.*"
    r"|[-\s]*(?:điện thoại|fax|email)\s*:.*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?:trang\s*)?[-–\s]*\d{1,3}[-–\s]*(?:/\s*\d{1,3})?"  # a page number
    r"|[|\-:\s]+|\(?đã ký\)?|trang thông tin điện tử[^.]*|[-\s]*ghi rõ nguồn.*|[-\s]*đơn vị quản lý.*)$",
    re.IGNORECASE,
)
# Where the body ends: the closing mark "./.", a signature block, the list of recipients, a site footer.
_SIGNATURE = re.compile(
    r"^(?:T/?M\.?\s|TM\.?\s|KT\.?(?:\s|$)|TL\.?\s|TUQ\.?\s|Q\.\s?CHỦ TỊCH|CHỦ TỊCH\b|BÍ THƯ\b|PHÓ BÍ THƯ\b"
    r"|PHÓ CHỦ TỊCH\b|GIÁM ĐỐC\b|Nơi nhận\b|NƠI NHẬN\b|\(Đã ký\)|THỐNG KÊ TRUY CẬP|Tin khác$"
    r"|Thống kê truy cập)"
)
# A site footer glued to the author's name by the copy ("Minh KhaThống kê truy cập").
_GLUED_FOOTER = re.compile(r"(?<=[a-zà-ỹ])(?=Thống kê truy cập)")


@dataclass
class Paragraph:
    """One paragraph of the plan: its text (whitespace tidied) and where it came from."""

    text: str
    first: int   # index of its first input line
    last: int    # index of its last input line
    source: str  # the input lines it spans, verbatim


def is_furniture(text: str) -> bool:
    return bool(_FURNITURE.match(text.strip()))


def _pieces(line: str) -> List[str]:
    """A raw line as one or more lines: markdown bold marks ("**") and table bars are separators."""
    out: List[str] = []
    for piece in re.split(r"\*\*+", line):
        piece = piece.replace("|", " ")
        piece = " ".join(piece.split())
        if piece:
            out.append(piece)
    return out


def _continues(previous: str, text: str) -> bool:
    """A line broken off the one above (a page break inside a sentence): it starts lower-case and
    the line above has no closing punctuation."""
    return (bool(previous) and not previous.endswith(_TERMINAL) and text[:1].islower()
            and not LABEL_RE.match(text))


def paragraphs(lines: Sequence[str]) -> List[Paragraph]:
    """Non-empty, non-furniture paragraphs in order; broken lines joined."""
    out: List[Paragraph] = []
    for number, raw in enumerate(lines):
        for piece in _pieces(_GLUED_FOOTER.sub("**", raw)):
            if is_furniture(piece):
                continue
            if out and _continues(out[-1].text, piece) and number - out[-1].last <= 6:  # blank lines, a page number
                last = out[-1]
                last.text = f"{last.text} {piece}"
                last.source = "\n".join(lines[last.first:number + 1])
                last.last = number
                continue
            out.append(Paragraph(piece, number, number, raw))
    return out


def _ends_body(paragraph: Paragraph) -> bool:
    return bool(_SIGNATURE.match(paragraph.text))


@dataclass
class Layout:
    header: List[Paragraph]
    body: List[Paragraph]
    tail: List[Paragraph]  # after the body: signature, footers, a document's reference card


_DOC_TYPES = (r"(?:CHƯƠNG TRÌNH HÀNH ĐỘNG|Chương trình hành động|CHƯƠNG TRÌNH|Chương trình|KẾ HOẠCH|Kế hoạch"
              r"|ĐỀ ÁN|Đề án|NGHỊ QUYẾT|Nghị quyết|QUYẾT ĐỊNH|Quyết định|CHỈ THỊ|Chỉ thị|KẾT LUẬN|Kết luận)")
DOC_TYPE_RE = re.compile(_DOC_TYPES)
_TITLE_START = re.compile(rf"^(?:DỰ THẢO\s*)?{_DOC_TYPES}\b")
_HEADLINE = re.compile(rf"^[^.,;:]{{3,80}}\bban hành\s+{_DOC_TYPES}")
_BODY_LABEL = re.compile(r"^(?:[IVXLC]{1,6}\s*[.):-]|\d{1,2}(?:\.\d{1,2}){0,3}\s*[.)]\s|(?:PHẦN|Phần)\s)")


def _words(text: str) -> int:
    return len(text.split())


def _is_title(paragraph: Paragraph, previous: str) -> bool:
    text = paragraph.text
    if _TITLE_START.match(text) and not text.endswith((".", ":")):
        return True
    if _HEADLINE.match(text) and not text.endswith((".", ":")):
        return True
    # The subject line under a bare document type ("CHƯƠNG TRÌNH HÀNH ĐỘNG" / "Thực hiện Nghị quyết …").
    return bool(_TITLE_START.match(previous)) and _words(previous) <= 6 and not text.endswith((".", ":"))


def split_layout(paras: List[Paragraph]) -> Layout:
    """Header up to the first body paragraph (a section label, or a sentence that is not a title
    line); body up to the closing mark or a signature."""
    start = len(paras)
    previous = ""
    for i, p in enumerate(paras):
        if _BODY_LABEL.match(p.text) or (_words(p.text) >= 12 and not _is_title(p, previous)
                                          and p.text.endswith(_TERMINAL)):
            start = i
            break
        previous = p.text
    end = len(paras)
    for i in range(start, len(paras)):
        p = paras[i]
        if _ends_body(p):
            end = i
            break
        if p.text.rstrip().endswith("./."):
            end = i + 1
            break
    body = paras[start:end]
    if body and body[-1].text.endswith("./."):
        body[-1].text = body[-1].text[:-3].rstrip() + "."
    return Layout(paras[:start], body, paras[end:])


def layout(lines: Sequence[str]) -> Layout:
    return split_layout(paragraphs(lines))
