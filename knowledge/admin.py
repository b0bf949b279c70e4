"""Admin changes to the knowledge base: add, edit, retire provisions, add aliases.

Every change is validated like an imported file, written in one transaction,
recorded in the change log with before/after, and bumps the KB version so
running searches pick it up at once.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.catalogue import known_keys
from knowledge.curated_files import FORM_LABELS, validate_provision
from knowledge.db import bump_version, transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.change_log import log_change
from knowledge.importer import write_provision
from knowledge.models import ALIAS_KINDS, Alias, BeneficiaryGroup, ChangeLog, Document, Locality, Provision, Topic, provision_record
from knowledge.segment import fold_key

_EDITABLE = ("kind", "section", "topics", "groups", "text", "numbers", "legal_refs", "agencies")
_CATALOGUE_NAMES = {"locality": "địa phương", "topic": "chủ đề", "group": "nhóm đối tượng"}


def require_by(by: str) -> str:
    if not by or not by.strip():
        raise InvalidChange("Mỗi thay đổi phải ghi tên người thực hiện (--by TÊN).")
    return by.strip()


def get_provision(session: Session, pid: str) -> Provision:
    row = session.get(Provision, pid)
    if row is None:
        raise NotFound(f"Không có điều khoản nào mã «{pid}».")
    return row


def show_provision(engine: Engine, pid: str) -> Dict[str, Any]:
    with transaction(engine) as session:
        row = get_provision(session, pid)
        record = provision_record(row)
        record["status"] = row.status
        record["document_code"] = row.document_code
        record["locality"] = row.document.locality_key
        return record


def _next_id(session: Session, code: str) -> str:
    ids = session.execute(select(Provision.id).where(Provision.document_code == code)).scalars().all()
    prefixes = {re.sub(r"-\d+$", "", i) for i in ids}
    if len(prefixes) == 1:
        prefix = prefixes.pop()
    else:
        prefix = re.sub(r"[^a-z0-9]+", "-", fold_key(code)).strip("-") or "p"
    used = [int(m.group(1)) for i in ids if (m := re.search(r"-(\d+)$", i))]
    number = max(used, default=0) + 1
    candidate = f"{prefix}-{number:03d}"
    while session.get(Provision, candidate) is not None:
        number += 1
        candidate = f"{prefix}-{number:03d}"
    return candidate


def add_provision(engine: Engine, document_code: str, data: Dict[str, Any], by: str) -> str:
    """Add a provision to a document; return its new id."""
    by = require_by(by)
    with transaction(engine) as session:
        if not (document_code or "").strip():
            raise InvalidChange("Hãy chọn «Văn bản» mà điều khoản mới thuộc về.")
        doc = session.get(Document, document_code)
        if doc is None:
            raise NotFound(f"Không có văn bản nào số hiệu «{document_code}».")
        pid = _next_id(session, document_code)
        record = {"id": pid, **{k: data[k] for k in _EDITABLE if k in data}}
        record.setdefault("numbers", [])
        validate_provision(record, known_keys(session), name="Điều khoản mới")
        position = len(session.execute(select(Provision.id).where(Provision.document_code == document_code)).all())
        row = Provision(id=pid, document_code=document_code, text="", segmented="", position=position)
        session.add(row)
        write_provision(session, row, record)
        session.flush()
        log_change(session, by, "add", "provision", pid, None, provision_record(row))
        bump_version(session)
        return pid


def edit_provision(engine: Engine, pid: str, changes: Dict[str, Any], by: str) -> Dict[str, Any]:
    """Change fields of a provision; return the record after the change."""
    by = require_by(by)
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidChange(f"Không sửa được trường {', '.join(sorted(unknown))}; chỉ sửa được: "
                            f"{', '.join(FORM_LABELS[k] + ' (' + k + ')' for k in _EDITABLE)}.")
    with transaction(engine) as session:
        row = get_provision(session, pid)
        before = provision_record(row)
        record = {**before, **changes}
        validate_provision(record, known_keys(session))
        write_provision(session, row, record)
        session.flush()
        after = provision_record(row)
        if after != before:
            log_change(session, by, "edit", "provision", pid, before, after)
            bump_version(session)
        return after


def retire_provision(engine: Engine, pid: str, by: str, reason: Optional[str] = None) -> None:
    """Take a provision out of answers; it stays in the KB and the log."""
    by = require_by(by)
    with transaction(engine) as session:
        row = get_provision(session, pid)
        if row.status == "retired":
            raise InvalidChange(f"Điều khoản {pid} đã được bỏ khỏi câu trả lời từ trước.")
        before = provision_record(row)
        row.status = "retired"
        after = provision_record(row)
        if reason:
            after["reason"] = reason
        log_change(session, by, "retire", "provision", pid, before, after)
        bump_version(session)


_ALIAS_TARGETS = {"locality": Locality, "topic": Topic, "group": BeneficiaryGroup}


def add_alias(engine: Engine, kind: str, key: str, alias: str, by: str) -> None:
    """Teach the KB another name for a locality, topic or group; live at once."""
    by = require_by(by)
    if kind not in ALIAS_KINDS:
        raise InvalidChange(f"Tên gọi khác chỉ thêm được cho "
                            f"{', '.join(f'{k} ({_CATALOGUE_NAMES[k]})' for k in ALIAS_KINDS)}; "
                            f"đang là «{kind}».")
    folded = fold_key(alias)
    if not folded:
        raise InvalidChange("Tên gọi khác đang để trống.")
    name = _CATALOGUE_NAMES[kind]
    with transaction(engine) as session:
        if session.get(_ALIAS_TARGETS[kind], key) is None:
            raise NotFound(f"Không có {name} nào mã «{key}» trong danh mục.")
        exists = session.execute(
            select(Alias).where(Alias.kind == kind, Alias.target_key == key, Alias.folded == folded)
        ).scalar_one_or_none()
        if exists is not None:
            raise InvalidChange(f"«{alias.strip()}» đã là tên gọi khác của {name} {key}.")
        count = len(session.execute(select(Alias.id).where(Alias.kind == kind, Alias.target_key == key)).all())
        session.add(Alias(kind=kind, target_key=key, alias=alias.strip(), folded=folded, position=count))
        log_change(session, by, "add_alias", kind, key, None, {"alias": alias.strip()})
        bump_version(session)


def change_log(engine: Engine, limit: int = 50, entity_id: Optional[str] = None) -> List[Dict[str, Any]]:
    with transaction(engine) as session:
        query = select(ChangeLog).order_by(ChangeLog.id.desc()).limit(limit)
        if entity_id:
            query = query.where(ChangeLog.entity_id == entity_id)
        return [
            {"id": c.id, "at": c.at.isoformat(timespec="seconds"), "by": c.by, "action": c.action,
             "entity": c.entity, "entity_id": c.entity_id, "before": c.before, "after": c.after}
            for c in session.execute(query).scalars()
        ]
