"""A newer plan replacing older ones for a locality's topics: answers then come from the newer plan,
and the older one is shown only to a resident who asks for it."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.change_log import log_change
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import Document, Provision, Supersession, Topic
from knowledge.text import fold

# Words a resident uses to ask for the plan that was replaced, folded.
ASKS_FOR_OLDER = ("ke hoach cu", "van ban cu", "chinh sach cu", "quy dinh cu", "chuong trinh cu", "muc cu",
                  "truoc day", "truoc kia", "ke hoach truoc", "van ban truoc", "da thay the", "bi thay the")


def record_supersession(session: Session, new_code: str, old_codes: Sequence[str], topics: Sequence[str],
                        by: str) -> None:
    """Mark ``old_codes`` as replaced by ``new_code`` for ``topics`` (all topics when empty); the caller
    owns the transaction."""
    new = session.get(Document, new_code)
    if new is None:
        raise NotFound(f"Không có văn bản nào số hiệu «{new_code}».")
    unknown = [t for t in topics if session.get(Topic, t) is None]
    if unknown:
        raise InvalidChange(f"Chủ đề {', '.join(unknown)} không có trong danh mục.")
    for old_code in old_codes:
        old = session.get(Document, old_code)
        if old is None:
            raise NotFound(f"Văn bản được thay thế «{old_code}» không có trong cơ sở tri thức.")
        if old_code == new_code:
            raise InvalidChange("Một văn bản không thay thế chính nó.")
        if old.locality_key != new.locality_key:
            raise InvalidChange(f"Văn bản «{old_code}» thuộc địa phương khác với «{new_code}»; chỉ thay thế được "
                                "kế hoạch của cùng địa phương.")
        row = session.execute(select(Supersession).where(Supersession.document_code == new_code,
                                                         Supersession.replaces_code == old_code)).scalar_one_or_none()
        before = {"topics": list(row.topics)} if row else None
        if row is None:
            row = Supersession(document_code=new_code, replaces_code=old_code, by=by)
            session.add(row)
        row.topics = list(dict.fromkeys(topics))
        log_change(session, by, "supersede", "document", old_code, before,
                   {"replaced_by": new_code, "topics": row.topics})


def replaced(session: Session) -> Dict[str, str]:
    """provision id -> the code of the document that replaces it, for active provisions of replaced plans
    whose topics the replacement covers."""
    out: Dict[str, str] = {}
    for row in session.execute(select(Supersession)).scalars():
        provisions = session.execute(select(Provision).where(Provision.document_code == row.replaces_code,
                                                             Provision.status == "active")).scalars()
        for p in provisions:
            if not row.topics or {t.key for t in p.topics} & set(row.topics):
                out.setdefault(p.id, row.document_code)
    return out


def list_supersessions(session: Session) -> List[Dict[str, Any]]:
    return [{"document": r.document_code, "replaces": r.replaces_code, "topics": list(r.topics), "by": r.by}
            for r in session.execute(select(Supersession).order_by(Supersession.id)).scalars()]


def asks_for_older(query: str, old_codes: Sequence[str] = ()) -> bool:
    """Whether a question asks for a replaced plan: in words, or by the plan's number."""
    folded = " ".join(fold(query).split())
    padded = " " + " ".join(re.findall(r"\w+", folded)) + " "
    if any(f" {phrase} " in padded for phrase in ASKS_FOR_OLDER):
        return True
    for code in old_codes:
        folded_code = fold(code)
        head = folded_code.split("/")[0].strip()
        if folded_code in folded or (head.isdigit() and re.search(rf"(?<!\d){head}\s*/", folded)):
            return True
    return False
