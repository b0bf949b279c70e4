"""Draft plans: a plan read from a file is kept for review, its proposed provisions accepted, edited,
merged, split or rejected, and published into the knowledge base all or nothing.

Drafts live in their own tables; nothing of them reaches residents until ``publish`` writes the
accepted provisions through the same validator and importer as a curated file. Every step is
recorded in the change log with who did it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.admin import require_by
from knowledge.catalogue import known_keys
from knowledge.change_log import log_change
from knowledge.curated_files import bundle_from_text, legal_ref_in_text, number_in_text, validate_provision
from knowledge.db import transaction
from knowledge.errors import InvalidChange, KbFileError, NotFound, Problem
from knowledge.importer import apply_bundle, dump_yaml
from knowledge.ingest.draft import DraftDocument, draft_plan
from knowledge.ingest.read import PlanText, read_plan, read_text
from knowledge.ingest.vocabulary import plan_catalogue
from knowledge.models import Document, DraftItem, DraftPlan, Provision, utcnow
from knowledge.segment import fold_key
from knowledge.supersession import record_supersession

PROVISION_FIELDS = ("kind", "section", "topics", "groups", "text", "numbers", "legal_refs", "agencies")
DOCUMENT_FIELDS = ("code", "title", "issuer", "locality", "issued_on", "date_label", "period_start",
                   "period_end", "status", "contact", "note")
# The documents this plan replaces (codes) and for which topics (none: all of them).
SUPERSESSION_FIELDS = ("supersedes", "supersedes_topics")
DECISIONS = ("pending", "accepted", "rejected")
DECISION_LABELS = {"pending": "chưa duyệt", "accepted": "nhận", "rejected": "bỏ"}
PLAN_STATE_LABELS = {"review": "đang duyệt", "published": "đã công bố", "discarded": "đã hủy"}


@dataclass(frozen=True)
class IngestResult:
    plan_id: int
    draft: DraftDocument
    read_notes: List[str]


def _document_data(draft: DraftDocument, filename: str) -> Dict[str, Any]:
    return {
        "code": draft.code or "",
        "title": draft.title or "",
        "issuer": draft.issuer or "",
        "locality": draft.locality or "",
        "issued_on": draft.issued_on.isoformat() if draft.issued_on else "",
        "date_label": draft.date_label or "",
        "period_start": draft.period_start,
        "period_end": draft.period_end,
        "status": draft.status,
        # Residents are sent to the issuer until the admin names the office that answers.
        "contact": draft.issuer or "",
        "note": "",
        "source_file": filename,
    }


def store_draft(engine: Engine, draft: DraftDocument, text: PlanText, filename: str, by: str) -> int:
    """Keep a drafted plan for review; return its id."""
    by = require_by(by)
    with transaction(engine) as session:
        plan = DraftPlan(filename=filename[:200], state="review", document=_document_data(draft, filename[:200]),
                         confidence=dict(draft.confidence), notes=list(text.notes) + list(draft.notes),
                         source_text="\n".join(text.lines), created_by=by, created_at=utcnow())
        session.add(plan)
        session.flush()
        for item in draft.provisions:
            session.add(DraftItem(plan_id=plan.id, position=item.position, decision="pending",
                                  data={k: getattr(item, k) for k in PROVISION_FIELDS},
                                  confidence=dict(item.confidence), source=item.source))
        log_change(session, by, "ingest", "draft_plan", str(plan.id), None,
                   {"filename": plan.filename, "code": draft.code, "provisions": len(draft.provisions)})
        return plan.id


def ingest(engine: Engine, data: bytes, filename: str, by: str, overrides: Optional[dict] = None) -> IngestResult:
    """Read a .docx, .pdf or text file, draft its provisions and keep them for review. Raises
    ``IngestError`` (a clear Vietnamese message) for a file that cannot be read; nothing is kept then."""
    text = read_plan(data, filename)
    return _draft_and_store(engine, text, filename, by, overrides)


def ingest_text(engine: Engine, pasted: str, by: str, overrides: Optional[dict] = None,
                name: str = "văn bản dán vào") -> IngestResult:
    """Pasted text, drafted and kept for review like a file."""
    return _draft_and_store(engine, read_text(pasted), name, by, overrides)


def _draft_and_store(engine: Engine, text: PlanText, filename: str, by: str,
                     overrides: Optional[dict]) -> IngestResult:
    require_by(by)
    with transaction(engine) as session:
        catalogue = plan_catalogue(session)
    draft = draft_plan(text.lines, catalogue, {k: v for k, v in (overrides or {}).items() if v})
    plan_id = store_draft(engine, draft, text, filename, by)
    return IngestResult(plan_id=plan_id, draft=draft, read_notes=list(text.notes))


def _plan(session: Session, plan_id: int, editable: bool = True) -> DraftPlan:
    plan = session.get(DraftPlan, plan_id)
    if plan is None:
        raise NotFound(f"Không có bản nháp kế hoạch số {plan_id}.")
    if editable and plan.state != "review":
        raise InvalidChange(f"Bản nháp số {plan_id} đã {PLAN_STATE_LABELS[plan.state]}; không sửa được nữa.")
    return plan


def _item(session: Session, item_id: int) -> DraftItem:
    item = session.get(DraftItem, item_id)
    if item is None:
        raise NotFound(f"Không có điều khoản nháp số {item_id}.")
    _plan(session, item.plan_id)
    return item


def _items(session: Session, plan_id: int) -> List[DraftItem]:
    return list(session.execute(select(DraftItem).where(DraftItem.plan_id == plan_id)
                                .order_by(DraftItem.position, DraftItem.id)).scalars())


def _item_record(item: DraftItem) -> Dict[str, Any]:
    return {"id": item.id, "position": item.position, "decision": item.decision, **dict(item.data),
            "confidence": dict(item.confidence or {}), "source": item.source, "provision_id": item.provision_id}


def _iso(moment: Optional[dt.datetime]) -> Optional[str]:
    """Times as the change log gives them (UTC, ISO text)."""
    return moment.isoformat() if moment else None


def plan_record(engine: Engine, plan_id: int) -> Dict[str, Any]:
    """The draft plan with its items in order, as the review page shows it."""
    with transaction(engine) as session:
        plan = _plan(session, plan_id, editable=False)
        items = [_item_record(i) for i in _items(session, plan_id)]
        return {"id": plan.id, "filename": plan.filename, "state": plan.state, "document": dict(plan.document),
                "confidence": dict(plan.confidence or {}), "notes": list(plan.notes or []),
                "source_text": plan.source_text, "created_by": plan.created_by, "created_at": _iso(plan.created_at),
                "published_by": plan.published_by, "published_at": _iso(plan.published_at), "items": items,
                "counts": {d: sum(1 for i in items if i["decision"] == d) for d in DECISIONS}}


def list_plans(engine: Engine) -> List[Dict[str, Any]]:
    """Every draft plan, newest first, with how many of its items are decided."""
    with transaction(engine) as session:
        plans = session.execute(select(DraftPlan).order_by(DraftPlan.id.desc())).scalars().all()
        counts: Dict[int, Dict[str, int]] = {}
        for plan_id, decision, n in session.execute(
                select(DraftItem.plan_id, DraftItem.decision, func.count()).group_by(DraftItem.plan_id,
                                                                                     DraftItem.decision)):
            counts.setdefault(plan_id, {d: 0 for d in DECISIONS})[decision] = n
        return [{"id": p.id, "filename": p.filename, "state": p.state, "code": p.document.get("code"),
                 "title": p.document.get("title"), "created_by": p.created_by, "created_at": _iso(p.created_at),
                 "counts": counts.get(p.id, {d: 0 for d in DECISIONS})} for p in plans]


def decide(engine: Engine, item_ids: Sequence[int], decision: str, by: str) -> int:
    """Accept, reject or reopen items; return how many changed."""
    by = require_by(by)
    if decision not in DECISIONS:
        raise InvalidChange(f"Quyết định phải là một trong: {', '.join(DECISION_LABELS.values())}.")
    changed = 0
    with transaction(engine) as session:
        for item_id in item_ids:
            item = _item(session, item_id)
            if item.decision != decision:
                log_change(session, by, decision if decision != "pending" else "reopen", "draft_item", str(item.id),
                           {"decision": item.decision}, {"decision": decision})
                item.decision = decision
                changed += 1
    return changed


def decide_all_pending(engine: Engine, plan_id: int, decision: str, by: str) -> int:
    with transaction(engine) as session:
        ids = [i.id for i in _items(session, plan_id) if i.decision == "pending"]
    return decide(engine, ids, decision, by)


def _validated(record: Dict[str, Any], session: Session, name: str) -> None:
    """The KB validator's checks on a draft provision (figures and references present in its text, known
    topics and groups), before anything is kept."""
    validate_provision({"id": "draft-001", **record}, known_keys(session), name=name)


def edit_item(engine: Engine, item_id: int, changes: Dict[str, Any], by: str) -> Dict[str, Any]:
    """Change a draft provision's fields (validated as a provision); an edited item is accepted."""
    by = require_by(by)
    unknown = set(changes) - set(PROVISION_FIELDS)
    if unknown:
        raise InvalidChange(f"Không sửa được trường {', '.join(sorted(unknown))}.")
    with transaction(engine) as session:
        item = _item(session, item_id)
        before = dict(item.data)
        after = {**before, **changes}
        after["text"] = " ".join(str(after.get("text") or "").split())
        _validated(after, session, f"Điều khoản nháp số {item.position + 1}")
        if after != before or item.decision != "accepted":
            item.data = after
            log_change(session, by, "edit", "draft_item", str(item.id), {**before, "decision": item.decision},
                       {**after, "decision": "accepted"})
            item.decision = "accepted"
        return _item_record(item)


def _union(*lists: Sequence[Any]) -> List[Any]:
    out: List[Any] = []
    for values in lists:
        for value in values or []:
            if value not in out:
                out.append(value)
    return out


def merge_with_next(engine: Engine, item_id: int, by: str) -> Dict[str, Any]:
    """Join an item with the one after it (text, tags, figures, references and source); the merged item
    keeps the first one's place, kind and section."""
    by = require_by(by)
    with transaction(engine) as session:
        item = _item(session, item_id)
        items = _items(session, item.plan_id)
        index = [i.id for i in items].index(item.id)
        if index + 1 >= len(items):
            raise InvalidChange("Đây là điều khoản cuối cùng; không có điều khoản nào sau nó để gộp.")
        second = items[index + 1]
        a, b = dict(item.data), dict(second.data)
        merged = {**a, "text": f"{a['text']} {b['text']}".strip()}
        for key in ("topics", "groups", "numbers", "legal_refs", "agencies"):
            merged[key] = _union(a.get(key), b.get(key))
        before = [_item_record(item), _item_record(second)]
        item.data = merged
        item.source = item.source if second.source in item.source else f"{item.source}\n{second.source}"
        item.confidence = {k: min(v, (second.confidence or {}).get(k, v)) for k, v in (item.confidence or {}).items()}
        session.delete(second)
        session.flush()
        log_change(session, by, "merge", "draft_item", str(item.id), {"items": before}, _item_record(item))
        return _item_record(item)


def split_item(engine: Engine, item_id: int, parts: Sequence[str], by: str) -> List[int]:
    """Cut an item into ``parts``, which must be its text in order, cut between words. Each part keeps
    the figures and references its own text holds, and the item's tags; returns the items' ids."""
    by = require_by(by)
    parts = [" ".join(p.split()) for p in parts if p and p.strip()]
    with transaction(engine) as session:
        item = _item(session, item_id)
        data = dict(item.data)
        if len(parts) < 2:
            raise InvalidChange("Để tách, hãy xuống dòng trống giữa các phần (ít nhất hai phần).")
        if " ".join(parts).split() != data["text"].split():
            raise InvalidChange("Các phần tách ra phải giữ nguyên nội dung điều khoản, theo đúng thứ tự; chỉ "
                                "thêm dòng trống ở chỗ cần tách.")
        items = _items(session, item.plan_id)
        index = [i.id for i in items].index(item.id)
        for later in items[index + 1:]:
            later.position += len(parts) - 1
        before = _item_record(item)
        ids = []
        for n, text in enumerate(parts):
            piece = {**data, "text": text,
                     "numbers": [f for f in data.get("numbers") or [] if number_in_text(f["value"], text)
                                 and (f.get("year") is None or str(f["year"]) in text)],
                     "legal_refs": [r for r in data.get("legal_refs") or [] if legal_ref_in_text(r, text)]}
            if n == 0:
                item.data = piece
                ids.append(item.id)
            else:
                extra = DraftItem(plan_id=item.plan_id, position=item.position + n, decision=item.decision,
                                  data=piece, confidence=dict(item.confidence or {}), source=item.source)
                session.add(extra)
                session.flush()
                ids.append(extra.id)
        log_change(session, by, "split", "draft_item", str(item.id), before, {"items": ids, "parts": parts})
        return ids


def edit_document(engine: Engine, plan_id: int, changes: Dict[str, Any], by: str) -> Dict[str, Any]:
    """Change the draft plan's document fields (checked in full when it is published)."""
    by = require_by(by)
    unknown = set(changes) - set(DOCUMENT_FIELDS) - set(SUPERSESSION_FIELDS)
    if unknown:
        raise InvalidChange(f"Không sửa được trường {', '.join(sorted(unknown))}.")
    with transaction(engine) as session:
        plan = _plan(session, plan_id)
        before = dict(plan.document)
        after = {**before, **changes}
        if after != before:
            plan.document = after
            log_change(session, by, "edit", "draft_plan", str(plan.id), before, after)
        return after


def discard(engine: Engine, plan_id: int, by: str) -> None:
    by = require_by(by)
    with transaction(engine) as session:
        plan = _plan(session, plan_id)
        plan.state = "discarded"
        log_change(session, by, "discard", "draft_plan", str(plan.id), None, {"filename": plan.filename})


def _id_prefix(session: Session, locality: str) -> str:
    """A prefix no provision uses yet: the locality's key, then the key with 2, 3, …"""
    base = re.sub(r"[^a-z0-9]+", "-", fold_key(locality)).strip("-")[:24].strip("-") or "kh"
    prefix, n = base, 1
    while session.execute(select(func.count()).select_from(Provision)
                          .where(Provision.id.like(f"{prefix}-%"))).scalar_one():
        n += 1
        prefix = f"{base}{n}"
    return prefix


def _document_for_file(document: Dict[str, Any]) -> Dict[str, Any]:
    # An empty field is a missing one, so the validator asks for it rather than calling "" unknown.
    doc = {k: document.get(k) if document.get(k) != "" else None for k in DOCUMENT_FIELDS + ("source_file",)}
    try:
        doc["issued_on"] = dt.date.fromisoformat(str(document.get("issued_on") or ""))
    except ValueError:
        pass  # left as written: the validator names the field
    if not doc.get("note"):
        doc.pop("note")
    return doc


def _in_review_terms(exc: KbFileError, positions: Dict[str, int]) -> KbFileError:
    """The validator's problems as the review page numbers its items (no generated file, line or id)."""
    problems = []
    for problem in exc.problems:
        reason = problem.reason
        for pid, position in positions.items():
            reason = reason.replace(f"Điều khoản {pid}", f"Điều khoản nháp số {position + 1}")
        reason = re.sub(r"^Văn bản [^:]*:", "Thông tin văn bản:", reason)
        problems.append(Problem(path="", line=0, reason=reason))
    return KbFileError(problems)


def publish(engine: Engine, plan_id: int, by: str) -> Dict[str, Any]:
    """Write the accepted provisions and the document into the knowledge base, validated like a curated
    file, in one transaction: all of them or nothing. Every item must be decided first."""
    by = require_by(by)
    with transaction(engine) as session:
        plan = _plan(session, plan_id)
        items = _items(session, plan_id)
        pending = [i for i in items if i.decision == "pending"]
        if pending:
            raise InvalidChange(f"Còn {len(pending)} điều khoản chưa duyệt (đầu tiên là điều khoản số "
                                f"{pending[0].position + 1}); hãy nhận hoặc bỏ từng điều khoản trước khi công bố.")
        accepted = [i for i in items if i.decision == "accepted"]
        if not accepted:
            raise InvalidChange("Chưa nhận điều khoản nào; kế hoạch không có gì để công bố.")
        document = _document_for_file(plan.document)
        code = str(document.get("code") or "").strip()
        if code and session.get(Document, code) is not None:
            raise InvalidChange(f"Văn bản số hiệu «{code}» đã có trong cơ sở tri thức; hãy sửa số hiệu của bản "
                                "nháp, hoặc sửa văn bản đã có ở trang Cơ sở tri thức.")
        prefix = _id_prefix(session, str(document.get("locality") or ""))
        provisions = []
        for n, item in enumerate(accepted, start=1):
            item.provision_id = f"{prefix}-{n:03d}"
            provisions.append({"id": item.provision_id, **{k: item.data.get(k) for k in PROVISION_FIELDS}})
        text = dump_yaml({"documents": [{"document": document, "provisions": provisions}]})
        try:
            bundle = bundle_from_text(text, plan.filename, known_keys(session))
        except KbFileError as exc:
            raise _in_review_terms(exc, {i.provision_id: i.position for i in accepted}) from None
        report = apply_bundle(session, bundle, by)
        replaces = [c for c in plan.document.get("supersedes") or [] if c.strip()]
        if replaces:
            session.flush()
            record_supersession(session, code, replaces, plan.document.get("supersedes_topics") or [], by)
        plan.state, plan.published_by, plan.published_at = "published", by, utcnow()
        log_change(session, by, "publish", "draft_plan", str(plan.id), None,
                   {"code": code, "provisions": [p["id"] for p in provisions],
                    "rejected": sum(1 for i in items if i.decision == "rejected")})
        return {"code": code, "provisions": len(provisions), "created": len(report.created)}

