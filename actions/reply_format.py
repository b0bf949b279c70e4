"""Turning knowledge-base hits into short, cited Vietnamese replies."""
from __future__ import annotations

import datetime as dt
import re
from typing import Dict, Iterable, List, Optional, Set

from knowledge.provision_search import Hit

SHORT_LIMIT = 600


def citation(hit: Hit) -> str:
    """Which document the answer rests on: code, issuer, date, section."""
    return f"Nguồn: {hit.document_code} của {hit.issuer} ({hit.date_label}), mục {hit.section}."


def currency_note(hit: Hit, today: Optional[dt.date] = None) -> Optional[str]:
    """A warning when the source may no longer be current, and whom to ask."""
    today = today or dt.date.today()
    if hit.document_status == "draft":
        return f"Lưu ý: đây là dự thảo, nội dung có thể đã thay đổi khi ban hành. Hãy hỏi {hit.contact} để biết quy định hiện hành."
    if hit.document_status == "summary":
        return f"Lưu ý: đây là bản tin tóm tắt, không phải toàn văn. Hãy hỏi {hit.contact} để biết chi tiết."
    if hit.period_end < today.year:
        return (f"Lưu ý: kế hoạch này dành cho giai đoạn đến năm {hit.period_end}, có thể không còn hiện hành. "
                f"Hãy hỏi {hit.contact} hoặc Ủy ban nhân dân xã, phường nơi bạn ở.")
    return None


def answer_text(hit: Hit, other_locality: Optional[str] = None, today: Optional[dt.date] = None) -> str:
    """One provision as a reply of at most about SHORT_LIMIT characters."""
    parts: List[str] = []
    if other_locality:
        parts.append(f"Kế hoạch của {other_locality} chưa có nội dung này. Theo kế hoạch của {hit.locality_name}:")
    else:
        parts.append(f"Theo kế hoạch của {hit.locality_name}:")
    body = hit.text
    note = currency_note(hit, today)
    fixed = len(" ".join(parts)) + len(citation(hit)) + (len(note) + 1 if note else 0) + 3
    if fixed + len(body) > SHORT_LIMIT:
        body = shorten(body, max(120, SHORT_LIMIT - fixed))
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
