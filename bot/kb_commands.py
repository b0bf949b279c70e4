"""`bot kb …`: thin command-line wrappers over knowledge/ functions."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Dict, List

import yaml
from sqlalchemy import select

from config.settings import Settings
from knowledge import admin, drafts, synonyms
from knowledge.catalogue import known_keys
from knowledge.curated_files import KnownKeys, read_bundle
from knowledge.errors import KnowledgeError
from knowledge.db import bump_version, create_schema, make_engine, transaction
from knowledge.importer import DATA_DIR, export_file, import_file, load_curated
from knowledge.localities import add_for_plan, add_locality
from knowledge.models import Document, Provision
from knowledge.provision_search import ProvisionSearch, hit_from_provision
from knowledge.supersession import record_supersession


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def open_engine(settings: Settings):
    """The KB engine with its schema in place."""
    engine = make_engine(settings.database_url)
    create_schema(engine)
    return engine


def _parse_number(spec: str) -> Dict[str, Any]:
    """'50:%:2025:mức hỗ trợ' -> {value, unit, year, label}."""
    parts = (spec.split(":", 3) + ["", "", ""])[:4]
    raw = parts[0].replace(",", ".")
    try:
        value: Any = float(raw)
    except ValueError:
        raise SystemExit(f"error: --number '{spec}': value must be numeric (VALUE:UNIT:YEAR:LABEL)")
    if value.is_integer():
        value = int(value)
    year = int(parts[2]) if parts[2].strip() else None
    return {"value": value, "unit": parts[1], "year": year, "label": parts[3] or None}


def register(sub: argparse._SubParsersAction) -> None:
    kb = sub.add_parser("kb", help="manage the knowledge base").add_subparsers(dest="kb_command", required=True)

    p = kb.add_parser("load", help="load the curated data shipped with the project")
    p.add_argument("--by", default="curated-data")
    p.set_defaults(func=cmd_load)

    p = kb.add_parser("validate", help="check a file without writing anything")
    p.add_argument("file")
    p.set_defaults(func=cmd_validate)

    p = kb.add_parser("import", help="import a file (all or nothing)")
    p.add_argument("file")
    p.add_argument("--by", required=True)
    p.set_defaults(func=cmd_import)

    p = kb.add_parser("ingest", help="read a plan (.docx, .pdf, .txt) into drafts for review")
    p.add_argument("file")
    p.add_argument("--document-code", help="the plan's number/code when its header does not give it")
    p.add_argument("--locality", help="the locality key the plan covers (see bot kb list)")
    p.add_argument("--status", choices=("draft", "issued", "summary"))
    p.add_argument("--by", required=True)
    p.add_argument("--accept-all", action="store_true", help="accept every proposed provision")
    p.add_argument("--publish", action="store_true", help="publish at once (implies --accept-all)")
    p.set_defaults(func=cmd_ingest)

    p = kb.add_parser("drafts", help="list draft plans, or show one")
    p.add_argument("plan_id", nargs="?", type=int)
    p.set_defaults(func=cmd_drafts)

    p = kb.add_parser("publish", help="publish a reviewed draft plan (all or nothing)")
    p.add_argument("plan_id", type=int)
    p.add_argument("--by", required=True)
    p.add_argument("--accept-all", action="store_true", help="accept the provisions still pending first")
    p.set_defaults(func=cmd_publish)

    p = kb.add_parser("supersede", help="mark older plans as replaced by a newer one (for some topics)")
    p.add_argument("document", help="the newer document's code")
    p.add_argument("replaces", nargs="+", help="codes of the documents it replaces")
    p.add_argument("--topics", default="", help="comma-separated topic keys (default: all topics)")
    p.add_argument("--by", required=True)
    p.set_defaults(func=cmd_supersede)

    p = kb.add_parser("add-locality", help="add a province or former district to the catalogue, from the gazetteer")
    p.add_argument("place", help='its name, old or new ("Tỉnh Bắc Ninh", "huyện Càng Long")')
    p.add_argument("--plan", type=int, help="give it to this draft plan too")
    p.add_argument("--by", required=True)
    p.set_defaults(func=cmd_add_locality)

    p = kb.add_parser("export", help="write the whole knowledge base to a file")
    p.add_argument("path")
    p.set_defaults(func=cmd_export)

    p = kb.add_parser("list", help="list active provisions")
    p.add_argument("--document")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = kb.add_parser("show", help="show one provision")
    p.add_argument("id")
    p.set_defaults(func=cmd_show)

    p = kb.add_parser("search", help="search provisions")
    p.add_argument("query")
    p.add_argument("--locality")
    p.add_argument("--topic")
    p.add_argument("--group")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    for name in ("add", "edit"):
        p = kb.add_parser(name, help=f"{name} a provision")
        if name == "add":
            p.add_argument("--document", required=True)
            p.add_argument("--kind", required=True)
            p.add_argument("--section", required=True)
            p.add_argument("--text", required=True)
        else:
            p.add_argument("id")
            p.add_argument("--kind")
            p.add_argument("--section")
            p.add_argument("--text")
        p.add_argument("--topic", action="append", help="topic key (repeatable)")
        p.add_argument("--group", action="append", help="group key (repeatable)")
        p.add_argument("--number", action="append", help="VALUE:UNIT:YEAR:LABEL (repeatable)")
        p.add_argument("--legal-ref", action="append")
        p.add_argument("--agency", action="append")
        p.add_argument("--by", required=True)
        p.set_defaults(func=cmd_add if name == "add" else cmd_edit)

    p = kb.add_parser("retire", help="take a provision out of answers")
    p.add_argument("id")
    p.add_argument("--reason")
    p.add_argument("--by", required=True)
    p.set_defaults(func=cmd_retire)

    p = kb.add_parser("alias", help="add another name for a locality, topic or group")
    p.add_argument("kind", choices=["locality", "topic", "group"])
    p.add_argument("key")
    p.add_argument("alias")
    p.add_argument("--by", required=True)
    p.set_defaults(func=cmd_alias)

    p = kb.add_parser("synonym", help="read a resident's word as the plans' word (live, no retraining)")
    actions = p.add_subparsers(dest="synonym_action", required=True)
    q = actions.add_parser("add", help="e.g. bot kb synonym add 'cấp 3' 'trung học phổ thông' --by an")
    q.add_argument("phrase")
    q.add_argument("means")
    q.add_argument("--by", required=True)
    q.set_defaults(func=cmd_synonym_add)
    q = actions.add_parser("remove")
    q.add_argument("phrase")
    q.add_argument("--by", required=True)
    q.set_defaults(func=cmd_synonym_remove)
    q = actions.add_parser("list")
    q.set_defaults(func=cmd_synonym_list)

    p = kb.add_parser("examples", help="write the questions staff kept as training examples as Rasa NLU data")
    p.add_argument("path", help="e.g. nlu/data/nlu/staff_examples.yml (review it, then `bot train`)")
    p.set_defaults(func=cmd_examples)

    p = kb.add_parser("log", help="show the change log, newest first")
    p.add_argument("--id", dest="entity_id")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_log)


def cmd_load(args, settings: Settings) -> int:
    report = load_curated(open_engine(settings), by=args.by)
    _print_json(report.as_dict())
    return 0


def cmd_validate(args, settings: Settings) -> int:
    engine = open_engine(settings)
    with transaction(engine) as session:
        known = known_keys(session)
    if not known.topics:
        # An empty KB: check against the shipped catalogue.
        shipped = read_bundle(DATA_DIR / "catalogue.yaml").catalogue
        known = KnownKeys({e["key"] for e in shipped.localities}, {e["key"] for e in shipped.topics},
                          {e["key"] for e in shipped.groups}, {})
    bundle = read_bundle(args.file, known)
    print(f"{args.file}: OK ({len(bundle.documents)} documents, {bundle.provision_count} provisions)")
    return 0


def cmd_import(args, settings: Settings) -> int:
    report = import_file(open_engine(settings), args.file, by=args.by)
    _print_json(report.as_dict())
    return 0


def cmd_ingest(args, settings: Settings) -> int:
    engine = open_engine(settings)
    overrides = {"document_code": args.document_code, "locality": args.locality, "status": args.status}
    if not Path(args.file).is_file():
        raise SystemExit(f"error: no such file: {args.file}")
    result = drafts.ingest(engine, Path(args.file).read_bytes(), Path(args.file).name, args.by, overrides)
    draft = result.draft
    summary: Dict[str, Any] = {"draft": result.plan_id, "code": draft.code, "title": draft.title,
                               "locality": draft.locality, "provisions": len(draft.provisions),
                               "notes": result.read_notes + draft.notes}
    if args.accept_all or args.publish:
        drafts.decide_all_pending(engine, result.plan_id, "accepted", args.by)
    if args.publish:
        try:
            summary["published"] = drafts.publish(engine, result.plan_id, args.by)
        except KnowledgeError:
            _print_json(summary)  # the draft is kept: its number is needed to fix it and publish again
            raise
    _print_json(summary)
    return 0


def cmd_drafts(args, settings: Settings) -> int:
    engine = open_engine(settings)
    if args.plan_id is None:
        _print_json(drafts.list_plans(engine))
    else:
        record = drafts.plan_record(engine, args.plan_id)
        record.pop("source_text")
        _print_json(record)
    return 0


def cmd_publish(args, settings: Settings) -> int:
    engine = open_engine(settings)
    if args.accept_all:
        drafts.decide_all_pending(engine, args.plan_id, "accepted", args.by)
    _print_json(drafts.publish(engine, args.plan_id, args.by))
    return 0


def cmd_supersede(args, settings: Settings) -> int:
    topics = [t.strip() for t in args.topics.split(",") if t.strip()]
    with transaction(open_engine(settings)) as session:
        record_supersession(session, args.document, args.replaces, topics, args.by)
        bump_version(session)
    print(f"{', '.join(args.replaces)}: replaced by {args.document} for {', '.join(topics) or 'all topics'}")
    return 0


def cmd_add_locality(args, settings: Settings) -> int:
    engine = open_engine(settings)
    if args.plan is None:
        new = add_locality(engine, args.place, args.by)
    else:
        new = add_for_plan(engine, args.plan, args.place, args.by)
    print(f"added {new.name} ({new.key}, {new.level}, {new.province})"
          + (f", given to draft plan {args.plan}" if args.plan is not None else ""))
    return 0


def cmd_export(args, settings: Settings) -> int:
    count = export_file(open_engine(settings), args.path)
    print(f"exported {count} provisions to {args.path}")
    return 0


def _rows(settings: Settings, document: str | None) -> List[Dict[str, Any]]:
    engine = open_engine(settings)
    with transaction(engine) as session:
        query = (select(Provision).join(Document).where(Provision.status == "active")
                 .order_by(Document.position, Provision.position, Provision.id))
        if document:
            if session.get(Document, document) is None:
                raise SystemExit(f"error: no document with code '{document}'")
            query = query.where(Provision.document_code == document)
        return [hit_from_provision(p, 0.0).as_dict() for p in session.execute(query).scalars()]


def _print_hits(items: List[Dict[str, Any]], as_json: bool) -> None:
    if as_json:
        _print_json(items)
        return
    for item in items:
        print(f"[{item['id']}] {item['document_code']} {item['section']} ({item['kind']}, {item['locality']}) "
              f"score={item['score']}\n    {item['text']}")


def cmd_list(args, settings: Settings) -> int:
    _print_hits(_rows(settings, args.document), args.json)
    return 0


def cmd_show(args, settings: Settings) -> int:
    _print_json(admin.show_provision(open_engine(settings), args.id))
    return 0


def cmd_search(args, settings: Settings) -> int:
    search = ProvisionSearch(open_engine(settings))
    hits = search.search(args.query, locality=args.locality, topic=args.topic, group=args.group, limit=args.limit)
    _print_hits([h.as_dict() for h in hits], args.json)
    return 0


def _fields(args) -> Dict[str, Any]:
    fields: Dict[str, Any] = {}
    for name in ("kind", "section", "text"):
        if getattr(args, name, None) is not None:
            fields[name] = getattr(args, name)
    for flag, name in (("topic", "topics"), ("group", "groups"), ("legal_ref", "legal_refs"), ("agency", "agencies")):
        if getattr(args, flag) is not None:
            fields[name] = getattr(args, flag)
    if args.number is not None:
        fields["numbers"] = [_parse_number(n) for n in args.number]
    return fields


def cmd_add(args, settings: Settings) -> int:
    pid = admin.add_provision(open_engine(settings), args.document, _fields(args), by=args.by)
    print(pid)
    return 0


def cmd_edit(args, settings: Settings) -> int:
    _print_json(admin.edit_provision(open_engine(settings), args.id, _fields(args), by=args.by))
    return 0


def cmd_retire(args, settings: Settings) -> int:
    admin.retire_provision(open_engine(settings), args.id, by=args.by, reason=args.reason)
    print(f"retired {args.id}")
    return 0


def cmd_alias(args, settings: Settings) -> int:
    admin.add_alias(open_engine(settings), args.kind, args.key, args.alias, by=args.by)
    print(f"added alias '{args.alias}' for {args.kind} '{args.key}'")
    return 0


def cmd_synonym_add(args, settings: Settings) -> int:
    synonyms.add_synonym(open_engine(settings), args.phrase, args.means, by=args.by)
    print(f"'{args.phrase}' now reads as '{args.means}'")
    return 0


def cmd_synonym_remove(args, settings: Settings) -> int:
    synonyms.remove_synonym(open_engine(settings), args.phrase, by=args.by)
    print(f"removed '{args.phrase}'")
    return 0


def cmd_synonym_list(args, settings: Settings) -> int:
    _print_json(synonyms.list_synonyms(open_engine(settings)))
    return 0


def cmd_log(args, settings: Settings) -> int:
    _print_json(admin.change_log(open_engine(settings), limit=args.limit, entity_id=args.entity_id))
    return 0


def cmd_examples(args, settings: Settings) -> int:
    from knowledge.follow_ups import training_examples

    examples = training_examples(open_engine(settings))
    by_intent: Dict[str, List[str]] = {}
    for example in examples:
        by_intent.setdefault(example["intent"], []).append(example["text"])
    data = {"version": "3.1", "nlu": [{"intent": intent, "examples": "".join(f"- {t}\n" for t in texts)}
                                      for intent, texts in sorted(by_intent.items())]}
    Path(args.path).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(f"{len(examples)} examples of {len(by_intent)} intents written to {args.path}")
    return 0
