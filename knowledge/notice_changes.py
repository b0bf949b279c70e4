"""Which change-log rows residents care about, read as changes to tell them: a provision added, changed or no
longer applied, a plan published, a plan replaced by a newer one. Draft edits, aliases, synonyms and accounts
are the staff's business and are left out.

A batch is read as one: a provision edited twice counts once (first record before, last after), and the
provisions of a plan published in the batch become that plan's one change."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence

from sqlalchemy.orm import Session

from knowledge.citation import source_line
from knowledge.models import Document, Provision

ADDED, CHANGED, RETIRED, PUBLISHED, SUPERSEDED = "added", "changed", "retired", "published", "superseded"
PROVISION_ACTIONS = ("add", "edit", "retire", "import")
SUMMARY_LIMIT = 160  # characters of a provision's text quoted in a notice


@dataclass(frozen=True)
class LogRow:
    """A change-log row as this module reads it (a ``ChangeLog`` has these attributes too)."""

    id: int
    at: dt.datetime
    action: str
    entity: str
    entity_id: str
    before: Optional[Dict[str, Any]]
    after: Optional[Dict[str, Any]]


@dataclass(frozen=True)
class Change:
    """One change to tell residents of ``locality`` following one of ``topics`` (empty: every topic)."""

    kind: str  # added | changed | retired | published | superseded
    change_id: int  # the last change-log row it rests on
    at: dt.datetime
    locality: str
    topics: FrozenSet[str]
    summary: str  # what changed, in a few words
    source: str  # "Nguồn: …", cited as answers cite
    label: str  # for the staff: "527/QĐ-UBND mục II.3"
    reason: str = ""


@dataclass
class _ProvisionEdits:
    pid: str
    before: Optional[Dict[str, Any]]
    after: Optional[Dict[str, Any]]
    last: Any = None


def resident_changes(session: Session, rows: Sequence[Any]) -> List[Change]:
    """The changes residents care about in ``rows`` (change-log rows, oldest first), in the order they were
    made. Reads the provisions' documents from ``session``."""
    edits: Dict[str, _ProvisionEdits] = {}
    new_documents: Dict[str, Any] = {}  # code -> its row, for plans first written in this batch
    replaced: Dict[tuple, Any] = {}  # (old code, new code) -> the last supersede row
    for row in rows:
        if row.entity == "provision" and row.action in PROVISION_ACTIONS:
            pid = str(row.entity_id)
            if pid not in edits:
                edits[pid] = _ProvisionEdits(pid, row.before, row.after)
            edits[pid].after, edits[pid].last = row.after, row
        elif row.entity == "document" and row.action == "import" and row.before is None and row.after:
            new_documents[str(row.entity_id)] = row
        elif row.entity == "document" and row.action == "supersede" and row.after:
            replaced[(str(row.entity_id), str(row.after.get("replaced_by")))] = row
    changes: List[Change] = []
    published: Dict[str, List[Change]] = {}
    for item in edits.values():
        document = _document_of(session, item.pid, item.after or item.before or {}, new_documents)
        change = _provision_change(item, document) if document is not None else None
        if change is None:
            continue
        if document.code in new_documents and change.kind == ADDED:
            published.setdefault(document.code, []).append(change)
        else:
            changes.append(change)
    for code, parts in published.items():
        changes.append(_publication(_document(session, code, new_documents), new_documents[code], parts))
    for (old_code, new_code), row in replaced.items():
        change = _supersession(session, old_code, new_code, row, new_documents)
        if change is not None:
            changes.append(change)
    return sorted(changes, key=lambda c: c.change_id)


def shorten(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` on one line, cut at a word before ``limit`` characters with "…"."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,;:.-–") + "…"


def changed_words(before: str, after: str, limit: int = SUMMARY_LIMIT, lead: int = 6) -> str:
    """The new text from a few words before its first change ("…" marking what is left out), so an edit late
    in a long provision is what the notice quotes; the text's start when the change is near it."""
    old, new = str(before or "").split(), str(after or "").split()
    same = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    start = max(same - lead, 0)
    if start < lead:
        return shorten(" ".join(new), limit)
    return "…" + shorten(" ".join(new[start:]), limit - 1)


def _provision_change(item: _ProvisionEdits, document: Document) -> Optional[Change]:
    before, after = item.before, item.after
    if after is None:
        return None
    was_on = before is not None and before.get("status", "active") != "retired"
    is_on = after.get("status", "active") != "retired"
    if is_on and not was_on:
        kind = ADDED
    elif was_on and not is_on:
        kind = RETIRED
    elif not is_on or _same(before or {}, after):
        return None  # a retired provision edited, or edits that cancel out
    else:
        kind = CHANGED
    shown = after if is_on else before or after
    section = str(shown.get("section") or "")
    topics = frozenset((before or {}).get("topics") or []) | frozenset(after.get("topics") or [])
    summary = (changed_words(before["text"], after["text"]) if kind == CHANGED and before
               else shorten(shown.get("text") or ""))
    return Change(kind=kind, change_id=item.last.id, at=item.last.at, locality=document.locality_key,
                  topics=topics, summary=summary, source=source_line(document, section),
                  label=f"{document.code} mục {section}", reason=str(after.get("reason") or "") if kind == RETIRED
                  else "")


def _publication(document: Document, row: Any, parts: List[Change]) -> Change:
    last = max(parts, key=lambda c: c.change_id)
    topics = frozenset().union(*(c.topics for c in parts))
    summary = f"{shorten(document.title, SUMMARY_LIMIT - 20)} ({len(parts)} nội dung)"
    return Change(kind=PUBLISHED, change_id=max(last.change_id, row.id), at=max(last.at, row.at),
                  locality=document.locality_key, topics=topics, summary=summary, source=source_line(document),
                  label=document.code)


def _supersession(session: Session, old_code: str, new_code: str, row: Any,
                  new_documents: Mapping[str, Any]) -> Optional[Change]:
    old = _document(session, old_code, new_documents)
    new = _document(session, new_code, new_documents)
    if old is None or new is None:
        return None
    topics = frozenset(row.after.get("topics") or [])
    summary = f"Kế hoạch {old.code} được thay thế bởi {new.code}"
    return Change(kind=SUPERSEDED, change_id=row.id, at=row.at, locality=old.locality_key, topics=topics,
                  summary=summary, source=source_line(new), label=f"{old.code} → {new.code}")


def _document_of(session: Session, pid: str, record: Mapping[str, Any],
                 new_documents: Mapping[str, Any]) -> Optional[Document]:
    """The provision's plan: the stored provision's, else the one its record names (a preview of a new one)."""
    row = session.get(Provision, pid)
    if row is not None:
        return row.document
    code = record.get("document_code")
    return _document(session, str(code), new_documents) if code else None


def _document(session: Session, code: str, new_documents: Mapping[str, Any]) -> Optional[Document]:
    """The stored plan, or one described by an import row not yet written (a preview before publishing)."""
    stored = session.get(Document, code)
    if stored is not None:
        return stored
    row = new_documents.get(code)
    if row is None:
        return None
    record = row.after
    return Document(code=code, title=str(record.get("title") or ""), issuer=str(record.get("issuer") or ""),
                    locality_key=str(record.get("locality") or ""), date_label=str(record.get("date_label") or ""),
                    status=str(record.get("status") or "issued"))


def _same(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    def norm(record: Mapping[str, Any]) -> Dict[str, Any]:
        return {k: sorted(v) if k in ("topics", "groups") else v for k, v in record.items() if k != "reason"}
    return norm(before) == norm(after)

