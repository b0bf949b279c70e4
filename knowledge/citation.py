"""How the assistant names its source: document code, issuer, date and section, as every answer cites it.

The same shape as ``actions.reply_format.citation`` (which formats a search hit); kept here so that code below
the actions (notices) cites alike without importing them."""
from __future__ import annotations

from typing import Optional

from knowledge.models import Document


def source_line(document: Document, section: Optional[str] = None) -> str:
    """"Nguồn: 527/QĐ-UBND của … (đăng ngày 23/01/2013), mục II.3." — without a section for a whole plan."""
    date = document.date_label
    if document.status == "draft" and "dự thảo" in document.code:
        date = date.replace(" (dự thảo)", "")  # said once, in the code
    where = f", mục {section}" if section else ""
    return f"Nguồn: {document.code} của {document.issuer} ({date}){where}."
