"""Turning knowledge-base hits into short, cited Vietnamese replies."""
from __future__ import annotations

import datetime as dt
import re
from typing import Dict, Iterable, List, Optional, Set

from knowledge.provision_search import Hit
from knowledge.text import normalize

SHORT_LIMIT = 600


def citation(hit: Hit) -> str:
    """Which document the answer rests on: code, issuer, date, section."""
    date = hit.date_label
    if hit.document_status == "draft" and "dự thảo" in hit.document_code:
        date = date.replace(" (dự thảo)", "")  # said once, in the code
    return f"Nguồn: {hit.document_code} của {hit.issuer} ({date}), mục {hit.section}."


def currency_note(hit: Hit, today: Optional[dt.date] = None) -> Optional[str]:
    """A warning when the source may no longer be current, and whom to ask."""
    today = today or dt.date.today()
    if hit.replaced_by:
        return (f"Lưu ý: kế hoạch này đã được thay thế bởi văn bản {hit.replaced_by}; bạn đang xem nội dung cũ. "
                f"Hãy hỏi {hit.contact} để biết quy định hiện hành.")
    if hit.document_status == "draft":
        return f"Lưu ý: đây là dự thảo, nội dung có thể đã thay đổi khi ban hành. Hãy hỏi {hit.contact} để biết quy định hiện hành."
    if hit.document_status == "summary":
        return f"Lưu ý: đây là bản tin tóm tắt, không phải toàn văn. Hãy hỏi {hit.contact} để biết chi tiết."
    if hit.period_end < today.year:
        return (f"Lưu ý: kế hoạch này dành cho giai đoạn đến năm {hit.period_end}, có thể không còn hiện hành. "
                f"Hãy hỏi {hit.contact} hoặc Ủy ban nhân dân xã, phường nơi bạn ở.")
    return None


def currency_line(hit: Hit, today: Optional[dt.date] = None) -> Optional[str]:
    """The currency warning in one short line, after the facts; ``currency_note`` has the details."""
    today = today or dt.date.today()
    if hit.replaced_by:
        return f"Lưu ý: kế hoạch này đã được thay thế bởi văn bản {hit.replaced_by}."
    if hit.document_status == "draft":
        return "Lưu ý: đây là dự thảo, có thể đã thay đổi khi ban hành."
    if hit.document_status == "summary":
        return "Lưu ý: đây là bản tóm tắt, không phải toàn văn."
    if hit.period_end < today.year:
        return f"Lưu ý: kế hoạch đến năm {hit.period_end}, có thể đã thay đổi."
    return None


# In the ``last_results`` slot: the answered provision, to be shown whole by "Xem thêm" first.
WHOLE = "whole:"


def whole_text(hit: Hit, today: Optional[dt.date] = None) -> str:
    """A provision in full, cited, with the whole currency note: what "Xem thêm" shows first."""
    parts = [f"Toàn văn mục {hit.section} ({hit.document_code}):", hit.text, citation(hit)]
    note = currency_note(hit, today)
    if note:
        parts.append(note)
    return "\n".join(parts)


def answer_text(hit: Hit, other_locality: Optional[str] = None, today: Optional[dt.date] = None,
                focus: Optional[str] = None, related: bool = False) -> str:
    """One provision as a reply of at most about SHORT_LIMIT characters: the words that answer
    (those sharing most with ``focus``, the question) are kept when the text must be shortened."""
    parts: List[str] = []
    if related:
        parts.append(f"- Theo kế hoạch của {hit.locality_name}:")
    elif other_locality:
        parts.append(f"Kế hoạch của {other_locality} chưa có nội dung này. Theo kế hoạch của {hit.locality_name}:")
    else:
        parts.append(f"Theo kế hoạch của {hit.locality_name}:")
    body = hit.text
    note = currency_line(hit, today)
    fixed = len(" ".join(parts)) + len(citation(hit)) + (len(note) + 1 if note else 0) + 3
    if fixed + len(body) > SHORT_LIMIT:
        body = shorten_around(body, max(120, SHORT_LIMIT - fixed), focus)
    parts.append(body)
    parts.append(citation(hit))
    if note:
        parts.append(note)
    return "\n".join(parts)


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


_CLAUSE = re.compile(r"(?<=[.;:])\s+")


def shorten_around(text: str, limit: int, focus: Optional[str]) -> str:
    """The run of sentences and clauses that shares most words with ``focus``, within ``limit``."""
    if len(text) <= limit or not focus:
        return shorten(text, limit)
    pieces = _CLAUSE.split(text)
    want = set(normalize(focus).split())
    scores = [len(want & set(normalize(p, chat=False).split())) for p in pieces]
    best_start, best_score = 0, -1
    for start in range(len(pieces)):
        length, score, end = 0, 0, start
        while end < len(pieces) and length + len(pieces[end]) + 1 <= limit:
            length += len(pieces[end]) + 1
            score += scores[end]
            end += 1
        if end > start and score > best_score:
            best_start, best_score = start, score
    if best_start == 0:
        return shorten(text, limit)
    out, length = [], 0
    for piece in pieces[best_start:]:
        if length + len(piece) + 1 > limit:
            break
        out.append(piece)
        length += len(piece) + 1
    joined = " ".join(out)
    return ("…" if best_start else "") + joined + ("…" if best_start + len(out) < len(pieces) else "")


def buttons(payloads: Dict[str, str]) -> List[Dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in payloads.items()]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str) -> Set[str]:
    return {n.rstrip(".,") for n in _NUMBER.findall(text)}


def unsourced_numbers(text: str, cited: Iterable[Hit]) -> Set[str]:
    """Figures in a reply that neither its cited provisions nor their citations contain (should be none)."""
    allowed: Set[str] = set()
    for h in cited:
        for source in (h.text, h.date_label, h.document_code, h.section, h.contact, str(h.period_end)):
            allowed |= numbers_in(source)
    return numbers_in(text) - allowed
