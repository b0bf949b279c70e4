"""Writing files into the knowledge base (all or nothing) and exporting it back."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.catalogue import known_keys
from knowledge.change_log import log_change
from knowledge.curated_files import Bundle, read_bundle
from knowledge.db import bump_version, transaction
from knowledge.models import (
    Alias,
    BeneficiaryGroup,
    Document,
    Locality,
    Provision,
    Synonym,
    Topic,
    document_record,
    provision_record,
    utcnow,
)
from knowledge.segment import fold_key, segmented_field
from knowledge.synonyms import export_synonyms, replace_synonyms

DATA_DIR = Path(__file__).parent / "data"


@dataclass
class ImportReport:
    created: List[str] = field(default_factory=list)
    updated: List[str] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> Dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": self.unchanged}


def _catalogue_record(kind: str, row: Any, aliases: List[str]) -> Dict[str, Any]:
    record: Dict[str, Any] = {"key": row.key, "name": row.name}
    if kind == "locality":
        record.update(level=row.level, province=row.province)
    if kind == "group" and row.parent_key:
        record["parent"] = row.parent_key
    record["aliases"] = aliases
    return record


def _aliases_of(session: Session, kind: str, key: str) -> List[str]:
    rows = session.execute(
        select(Alias.alias).where(Alias.kind == kind, Alias.target_key == key).order_by(Alias.position, Alias.id)
    ).scalars()
    return list(rows)


_CATALOGUE_MODELS = (("locality", Locality, "localities"), ("topic", Topic, "topics"), ("group", BeneficiaryGroup, "groups"))


def apply_bundle(session: Session, bundle: Bundle, by: str) -> ImportReport:
    """Upsert everything in ``bundle``; the caller owns the transaction."""
    report = ImportReport()
    for kind, model, section in _CATALOGUE_MODELS:
        for position, entry in _parents_first(getattr(bundle.catalogue, section)):
            _upsert_catalogue(session, kind, model, entry, position, by, report)
    if bundle.catalogue.synonyms:
        had = session.execute(select(func.count()).select_from(Synonym)).scalar_one()
        changed = replace_synonyms(session, bundle.catalogue.synonyms, by)
        if changed:
            (report.updated if had else report.created).append(f"synonyms:{changed}")
        else:
            report.unchanged += 1
    session.flush()
    doc_base = session.execute(select(func.coalesce(func.max(Document.position), -1))).scalar_one() + 1
    for offset, block in enumerate(bundle.documents):
        code = _upsert_document(session, block.document, doc_base + offset, by, report)
        for position, prov in enumerate(block.provisions):
            _upsert_provision(session, code, prov, position, by, report)
    if report.created or report.updated:
        bump_version(session)
    return report


def _parents_first(entries: List[Dict[str, Any]]) -> List[Tuple[int, Dict[str, Any]]]:
    """(position, entry) with each group after its parent (a group may name a parent listed below it)."""
    pending = list(enumerate(entries))
    keys = {e["key"] for e in entries}
    done: set = set()
    ordered: List[Tuple[int, Dict[str, Any]]] = []
    while pending:
        ready = [(i, e) for i, e in pending if e.get("parent") not in keys or e.get("parent") in done]
        if not ready:  # a cycle: the validator's business; keep the file's order
            ready = pending
        for item in ready:
            ordered.append(item)
            done.add(item[1]["key"])
        pending = [p for p in pending if p[1]["key"] not in done]
    return ordered


def _upsert_catalogue(session: Session, kind: str, model: Any, entry: Dict[str, Any], position: int,
                      by: str, report: ImportReport) -> None:
    key = entry["key"]
    row = session.get(model, key)
    aliases = list(dict.fromkeys(entry.get("aliases") or []))
    before = _catalogue_record(kind, row, _aliases_of(session, kind, key)) if row else None
    if row is None:
        row = model(key=key)
        session.add(row)
    row.name = entry["name"].strip()
    row.position = position
    if kind == "locality":
        row.level, row.province = entry["level"].strip(), entry["province"].strip()
    if kind == "group":
        row.parent_key = entry.get("parent")
    after = _catalogue_record(kind, row, aliases)
    if before == after:
        report.unchanged += 1
        return
    session.execute(delete(Alias).where(Alias.kind == kind, Alias.target_key == key))
    for i, alias in enumerate(aliases):
        session.add(Alias(kind=kind, target_key=key, alias=alias, folded=fold_key(alias), position=i))
    (report.updated if before else report.created).append(f"{kind}:{key}")
    log_change(session, by, "import", kind, key, before, after)


def _upsert_document(session: Session, data: Dict[str, Any], position: int, by: str, report: ImportReport) -> str:
    code = data["code"].strip()
    row = session.get(Document, code)
    before = document_record(row) if row else None
    if row is None:
        row = Document(code=code, position=position)
        session.add(row)
    row.title, row.issuer = data["title"].strip(), data["issuer"].strip()
    row.locality_key = data["locality"]
    row.issued_on, row.date_label = data["issued_on"], data["date_label"].strip()
    row.period_start, row.period_end = data["period_start"], data["period_end"]
    row.status, row.source_file = data["status"], data["source_file"].strip()
    row.contact = data["contact"].strip()
    row.note = (data.get("note") or "").strip() or None
    after = document_record(row)
    if before == after:
        report.unchanged += 1
    else:
        (report.updated if before else report.created).append(f"document:{code}")
        log_change(session, by, "import", "document", code, before, after)
    session.flush()
    return code


def write_provision(session: Session, row: Provision, data: Dict[str, Any]) -> None:
    """Copy a validated provision mapping onto a row (text re-segmented if it changed)."""
    text = " ".join(data["text"].split())
    if row.text != text or not row.segmented:
        row.segmented = segmented_field(text)
    row.text = text
    row.kind, row.section = data["kind"], str(data["section"]).strip()
    row.numbers = [
        {"value": n["value"], "unit": n.get("unit", ""), "year": n.get("year"), "label": n.get("label")}
        for n in data.get("numbers") or []
    ]
    row.legal_refs = list(data.get("legal_refs") or [])
    row.agencies = list(data.get("agencies") or [])
    row.status = data.get("status", "active")
    row.topics = [session.get(Topic, k) for k in dict.fromkeys(data.get("topics") or [])]
    row.groups = [session.get(BeneficiaryGroup, k) for k in dict.fromkeys(data.get("groups") or [])]
    row.updated_at = utcnow()


def _upsert_provision(session: Session, code: str, data: Dict[str, Any], position: int, by: str,
                      report: ImportReport) -> None:
    pid = data["id"]
    row = session.get(Provision, pid)
    before = provision_record(row) if row else None
    if row is None:
        row = Provision(id=pid, document_code=code, text="", segmented="")
        session.add(row)
    row.position = position
    write_provision(session, row, data)
    after = provision_record(row)
    if before is not None and _same(before, after):
        report.unchanged += 1
        return
    (report.updated if before else report.created).append(pid)
    log_change(session, by, "import", "provision", pid, before, after)


def _same(before: Dict[str, Any], after: Dict[str, Any]) -> bool:
    """Equal records, whatever order the database returns topics and groups in."""
    def norm(record: Dict[str, Any]) -> Dict[str, Any]:
        return {**record, "topics": sorted(record["topics"]), "groups": sorted(record["groups"])}
    return norm(before) == norm(after)


def import_file(engine: Engine, path: Path | str, by: str) -> ImportReport:
    """Validate and import one file in a single transaction: all of it or nothing."""
    with transaction(engine) as session:
        bundle = read_bundle(path, known_keys(session))
        return apply_bundle(session, bundle, by)


def curated_files(data_dir: Path = DATA_DIR) -> List[Path]:
    """The catalogue first, then one file per document in name order."""
    return [data_dir / "catalogue.yaml"] + sorted(p for p in data_dir.glob("[0-9][0-9][0-9]_*.yaml"))


def load_curated(engine: Engine, by: str = "curated-data", data_dir: Path = DATA_DIR) -> ImportReport:
    """Load the curated data shipped with the project, all files in one transaction."""
    total = ImportReport()
    with transaction(engine) as session:
        for path in curated_files(data_dir):
            bundle = read_bundle(path, known_keys(session))
            report = apply_bundle(session, bundle, by)
            session.flush()
            total.created += report.created
            total.updated += report.updated
            total.unchanged += report.unchanged
    return total


def is_empty(engine: Engine) -> bool:
    with transaction(engine) as session:
        return session.execute(select(func.count()).select_from(Provision)).scalar_one() == 0


def export_data(session: Session) -> Dict[str, Any]:
    """The whole knowledge base (retired provisions included) in the file shape."""
    data: Dict[str, Any] = {}
    for kind, model, section in _CATALOGUE_MODELS:
        rows = session.execute(select(model).order_by(model.position, model.key)).scalars()
        data[section] = [_catalogue_record(kind, r, _aliases_of(session, kind, r.key)) for r in rows]
    data["synonyms"] = export_synonyms(session)
    documents = []
    for doc in session.execute(select(Document).order_by(Document.position, Document.code)).scalars():
        provisions = session.execute(
            select(Provision).where(Provision.document_code == doc.code).order_by(Provision.position, Provision.id)
        ).scalars()
        documents.append({"document": document_record(doc), "provisions": [provision_record(p) for p in provisions]})
    data["documents"] = documents
    return data


def dump_yaml(data: Dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def export_file(engine: Engine, path: Path | str) -> int:
    """Write the knowledge base to ``path``; return the number of provisions written."""
    with transaction(engine) as session:
        data = export_data(session)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(str(path) + ".tmp")
    tmp.write_text(dump_yaml(data), encoding="utf-8")
    tmp.replace(path)
    return sum(len(d["provisions"]) for d in data["documents"])
