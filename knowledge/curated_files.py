"""Reading and validating knowledge-base files (the curated YAML shape).

A file may hold a catalogue (``localities``, ``topics``, ``groups``), one
document (``document`` + ``provisions``) or several (``documents``: a list of
``{document, provisions}``); an export holds all of them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import yaml

from knowledge.errors import KbFileError, Problem
from knowledge.models import DOCUMENT_STATUSES, PROVISION_KINDS
from knowledge.synonyms import refusal
from knowledge.text import fold

LINE = "__line__"
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*-\d{3,}$")
_KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE_TOKEN_RE = re.compile(r"\S*\d\S*/\S+")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records each mapping's line number under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Catalogue:
    localities: List[Dict[str, Any]] = field(default_factory=list)
    topics: List[Dict[str, Any]] = field(default_factory=list)
    groups: List[Dict[str, Any]] = field(default_factory=list)
    synonyms: List[Dict[str, Any]] = field(default_factory=list)  # {means, phrases}


@dataclass
class DocumentBlock:
    document: Dict[str, Any]
    provisions: List[Dict[str, Any]]


@dataclass
class Bundle:
    """The parsed content of one file, line numbers stripped."""

    path: str
    catalogue: Catalogue
    documents: List[DocumentBlock]

    @property
    def provision_count(self) -> int:
        return sum(len(b.provisions) for b in self.documents)


@dataclass(frozen=True)
class KnownKeys:
    """Keys a file may refer to besides those it defines itself."""

    localities: Set[str] = frozenset()  # type: ignore[assignment]
    topics: Set[str] = frozenset()  # type: ignore[assignment]
    groups: Set[str] = frozenset()  # type: ignore[assignment]
    # provision id -> document code, for ids already in the knowledge base
    provision_documents: Dict[str, str] = field(default_factory=dict)


def number_spellings(value: Any) -> List[str]:
    """How a figure may be written in Vietnamese text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    if isinstance(value, float) and not value.is_integer():
        plain = repr(value)
        return [plain.replace(".", ","), plain]
    integer = int(value)
    grouped = f"{integer:,}"
    return sorted({str(integer), grouped.replace(",", "."), grouped.replace(",", " ")}, key=len, reverse=True)


def number_in_text(value: Any, text: str) -> bool:
    for spelling in number_spellings(value):
        if re.search(rf"(?<![\d.,]){re.escape(spelling)}(?![\d]|[.,]\d)", text):
            return True
    return False


def legal_ref_in_text(ref: str, text: str) -> bool:
    codes = _CODE_TOKEN_RE.findall(ref)
    if codes:
        return all(fold(c) in fold(text) for c in codes)
    return fold(ref) in fold(text)


class _Checker:
    def __init__(self, path: str):
        self.path = path
        self.problems: List[Problem] = []

    def add(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.path, line, reason))

    def require_str(self, mapping: Dict[str, Any], key: str, line: int, where: str) -> Optional[str]:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add(line, f"{where}: '{key}' must be a non-empty text")
            return None
        return value.strip()

    def str_list(self, mapping: Dict[str, Any], key: str, line: int, where: str) -> List[str]:
        value = mapping.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(line, f"{where}: '{key}' must be a list of texts")
            return []
        return [v.strip() for v in value]


def _strip_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


# Bounds checked before a file is built into data: a knowledge-base file needs no anchors or
# aliases (an alias bomb expands a few hundred bytes into gigabytes), nor deep nesting.
MAX_FILE_CHARS = 5_000_000
MAX_DEPTH = 20


def parse_text(text: str, path: str) -> Any:
    try:
        _check_shape(text, path)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise KbFileError([Problem(path, line, f"not valid YAML: {reason}")]) from exc


def _check_shape(text: str, path: str) -> None:
    """Refuse, from the parser's event stream (nothing is built), what no knowledge-base file needs."""
    if len(text) > MAX_FILE_CHARS:
        raise KbFileError([Problem(path, 1, f"the file is larger than {MAX_FILE_CHARS // 1_000_000} MB")])
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise KbFileError([Problem(path, line, "anchors and aliases (& and *) are not allowed")])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise KbFileError([Problem(path, line, f"nested deeper than {MAX_DEPTH} levels")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def read_bundle(path: Path | str, known: KnownKeys = KnownKeys()) -> Bundle:
    """Parse and validate a file; raise ``KbFileError`` listing every problem."""
    path_str = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KbFileError([Problem(path_str, 0, f"cannot read file: {exc}")]) from exc
    return bundle_from_text(text, path_str, known)


def bundle_from_text(text: str, path: str, known: KnownKeys = KnownKeys()) -> Bundle:
    data = parse_text(text, path)
    check = _Checker(path)
    if not isinstance(data, dict):
        raise KbFileError([Problem(path, 1, "the file must be a mapping with 'document'/'provisions', "
                                            "'documents' or catalogue sections")])
    allowed = {"localities", "topics", "groups", "synonyms", "document", "provisions", "documents", LINE}
    for key in data:
        if key not in allowed:
            check.add(data[LINE], f"unknown section '{key}'")
    catalogue = _check_catalogue(data, check, known)
    blocks: List[Dict[str, Any]] = []
    if "document" in data or "provisions" in data:
        blocks.append({"document": data.get("document"), "provisions": data.get("provisions"), LINE: data[LINE]})
    if "documents" in data:
        if not isinstance(data["documents"], list):
            check.add(data[LINE], "'documents' must be a list")
        else:
            blocks.extend(data["documents"])
    if not blocks and not any((catalogue.localities, catalogue.topics, catalogue.groups, catalogue.synonyms)):
        check.add(data[LINE], "the file holds neither documents nor catalogue entries")
    keys = KnownKeys(
        localities=set(known.localities) | {e["key"] for e in catalogue.localities},
        topics=set(known.topics) | {e["key"] for e in catalogue.topics},
        groups=set(known.groups) | {e["key"] for e in catalogue.groups},
        provision_documents=known.provision_documents,
    )
    documents = _check_documents(blocks, check, keys)
    if check.problems:
        raise KbFileError(check.problems)
    return Bundle(path=path, catalogue=catalogue, documents=documents)


def _check_catalogue(data: Dict[str, Any], check: _Checker, known: KnownKeys) -> Catalogue:
    catalogue = Catalogue()
    for section, fields in (
        ("localities", ("name", "level", "province")),
        ("topics", ("name",)),
        ("groups", ("name",)),
    ):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list):
            check.add(data[LINE], f"'{section}' must be a list")
            continue
        seen: Set[str] = set()
        for entry in entries:
            if not isinstance(entry, dict):
                check.add(data[LINE], f"{section}: each entry must be a mapping")
                continue
            line = entry[LINE]
            key = entry.get("key")
            if not isinstance(key, str) or not _KEY_RE.match(key):
                check.add(line, f"{section}: 'key' must be lower-case words joined by '-' (got {key!r})")
                continue
            if key in seen:
                check.add(line, f"{section}: duplicate key '{key}'")
            seen.add(key)
            for name in fields:
                check.require_str(entry, name, line, f"{section} '{key}'")
            check.str_list(entry, "aliases", line, f"{section} '{key}'")
            getattr(catalogue, section).append(_strip_lines(entry))
    group_keys = {g["key"] for g in catalogue.groups} | set(known.groups)
    for group in catalogue.groups:
        parent = group.get("parent")
        if parent is not None and parent not in group_keys:
            check.add(_line_of(data.get("groups"), group["key"]), f"groups '{group['key']}': unknown parent '{parent}'")
    catalogue.synonyms = _check_synonyms(data, check)
    return catalogue


def _check_synonyms(data: Dict[str, Any], check: _Checker) -> List[Dict[str, Any]]:
    """``synonyms: [{means: trung học phổ thông, phrases: [cấp 3, cấp ba]}]``: each phrase once."""
    entries = data.get("synonyms")
    if entries is None:
        return []
    if not isinstance(entries, list):
        check.add(data[LINE], "'synonyms' must be a list")
        return []
    out: List[Dict[str, Any]] = []
    seen: Dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            check.add(data[LINE], "synonyms: each entry must be a mapping with 'means' and 'phrases'")
            continue
        line = entry[LINE]
        means = check.require_str(entry, "means", line, "synonyms")
        phrases = check.str_list(entry, "phrases", line, f"synonyms '{means}'")
        if means is None:
            continue
        if not phrases:
            check.add(line, f"synonyms '{means}': 'phrases' must list at least one phrase")
        for phrase in phrases:
            problem = refusal(phrase, means)
            if problem:
                check.add(line, f"synonyms: {problem}")
            folded = " ".join(fold(phrase).split())
            if folded in seen:
                check.add(line, f"synonyms: '{phrase}' is listed twice (also under '{seen[folded]}')")
            seen[folded] = means
        out.append(_strip_lines(entry))
    return out


def _line_of(entries: Any, key: str) -> int:
    for entry in entries or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            return entry[LINE]
    return 1


def _check_documents(blocks: Iterable[Any], check: _Checker, keys: KnownKeys) -> List[DocumentBlock]:
    out: List[DocumentBlock] = []
    seen_codes: Set[str] = set()
    seen_ids: Dict[str, str] = {}
    for block in blocks:
        if not isinstance(block, dict):
            check.add(1, "each entry of 'documents' must be a mapping")
            continue
        doc = block.get("document")
        if not isinstance(doc, dict):
            check.add(block[LINE], "'document' must be a mapping")
            continue
        code = _check_document(doc, check, keys)
        if code in seen_codes:
            check.add(doc[LINE], f"document '{code}' appears twice")
        seen_codes.add(code or "")
        provisions = block.get("provisions")
        if not isinstance(provisions, list):
            check.add(block[LINE], f"document '{code}': 'provisions' must be a list")
            provisions = []
        for prov in provisions:
            if not isinstance(prov, dict):
                check.add(doc[LINE], f"document '{code}': each provision must be a mapping")
                continue
            pid = check_provision(prov, check, keys)
            if pid is None:
                continue
            if pid in seen_ids:
                check.add(prov[LINE], f"provision '{pid}' appears twice")
            seen_ids[pid] = code or ""
            owner = keys.provision_documents.get(pid)
            if owner is not None and code is not None and owner != code:
                check.add(prov[LINE], f"provision '{pid}' already belongs to document '{owner}'")
        out.append(DocumentBlock(document=_strip_lines(doc), provisions=[_strip_lines(p) for p in provisions
                                                                        if isinstance(p, dict)]))
    return out


def _check_document(doc: Dict[str, Any], check: _Checker, keys: KnownKeys) -> Optional[str]:
    line = doc[LINE]
    code = check.require_str(doc, "code", line, "document")
    where = f"document '{code}'"
    for name in ("title", "issuer", "date_label", "source_file", "contact"):
        check.require_str(doc, name, line, where)
    locality = doc.get("locality")
    if locality not in keys.localities:
        check.add(line, f"{where}: unknown locality '{locality}'")
    if not isinstance(doc.get("issued_on"), dt.date):
        check.add(line, f"{where}: 'issued_on' must be a date (YYYY-MM-DD)")
    start, end = doc.get("period_start"), doc.get("period_end")
    if not (isinstance(start, int) and isinstance(end, int) and 1945 <= start <= end <= 2100):
        check.add(line, f"{where}: 'period_start'/'period_end' must be years with start ≤ end")
    if doc.get("status") not in DOCUMENT_STATUSES:
        check.add(line, f"{where}: 'status' must be one of {', '.join(DOCUMENT_STATUSES)}")
    if doc.get("note") is not None and not isinstance(doc.get("note"), str):
        check.add(line, f"{where}: 'note' must be a text")
    return code


def check_provision(prov: Dict[str, Any], check: _Checker, keys: KnownKeys) -> Optional[str]:
    """Validate one provision mapping; return its id (or None when it has none)."""
    line = prov.get(LINE, 0)
    pid = prov.get("id")
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        check.add(line, f"provision: 'id' must look like 'abc-001' (got {pid!r})")
        pid = None
    where = f"provision '{pid}'"
    allowed = {"id", "kind", "section", "topics", "groups", "text", "numbers", "legal_refs", "agencies",
               "status", LINE}
    for key in prov:
        if key not in allowed:
            check.add(line, f"{where}: unknown field '{key}'")
    if prov.get("kind") not in PROVISION_KINDS:
        check.add(line, f"{where}: 'kind' must be one of {', '.join(PROVISION_KINDS)} (got {prov.get('kind')!r})")
    if prov.get("status", "active") not in ("active", "retired"):
        check.add(line, f"{where}: 'status' must be active or retired")
    check.require_str(prov, "section", line, where)
    text = check.require_str(prov, "text", line, where) or ""
    topics = check.str_list(prov, "topics", line, where)
    if not topics:
        check.add(line, f"{where}: at least one topic is required")
    for topic in topics:
        if topic not in keys.topics:
            check.add(line, f"{where}: unknown topic '{topic}'")
    for group in check.str_list(prov, "groups", line, where):
        if group not in keys.groups:
            check.add(line, f"{where}: unknown group '{group}'")
    for ref in check.str_list(prov, "legal_refs", line, where):
        if text and not legal_ref_in_text(ref, text):
            check.add(line, f"{where}: legal reference '{ref}' is not named in the text")
    check.str_list(prov, "agencies", line, where)
    numbers = prov.get("numbers", []) or []
    if not isinstance(numbers, list):
        check.add(line, f"{where}: 'numbers' must be a list")
        numbers = []
    for number in numbers:
        nline = number.get(LINE, line) if isinstance(number, dict) else line
        if not isinstance(number, dict):
            check.add(nline, f"{where}: each number must be a mapping with value, unit, year, label")
            continue
        value = number.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            check.add(nline, f"{where}: number value must be numeric (got {value!r})")
        elif text and not number_in_text(value, text):
            check.add(nline, f"{where}: number {value} is not in the text")
        if not isinstance(number.get("unit"), str):
            check.add(nline, f"{where}: number {value}: 'unit' must be a text")
        year = number.get("year")
        if year is not None:
            if not isinstance(year, int) or isinstance(year, bool):
                check.add(nline, f"{where}: number {value}: 'year' must be a year or null")
            elif text and str(year) not in text:
                check.add(nline, f"{where}: number {value}: year {year} is not in the text")
        if number.get("label") is not None and not isinstance(number.get("label"), str):
            check.add(nline, f"{where}: number {value}: 'label' must be a text")
    return pid


def validate_provision(prov: Dict[str, Any], keys: KnownKeys, path: str = "<input>") -> None:
    """Validate a single provision mapping (used by add/edit); raise ``KbFileError``."""
    check = _Checker(path)
    check_provision(prov, check, keys)
    if check.problems:
        raise KbFileError(check.problems)
