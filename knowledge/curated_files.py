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

# How problems name a field. In a file the admin types the YAML key, so it is quoted as typed with
# its meaning beside it; on the admin form (and `bot kb add/edit`) the field is named by the form's label.
FORM_LABELS = {"id": "Mã", "kind": "Loại", "section": "Mục trong văn bản", "text": "Nội dung",
               "topics": "Chủ đề", "groups": "Nhóm đối tượng", "numbers": "Số liệu",
               "legal_refs": "Văn bản pháp lý", "agencies": "Cơ quan chịu trách nhiệm", "status": "Trạng thái",
               "value": "Giá trị", "unit": "Đơn vị", "year": "Năm", "label": "Nội dung số liệu"}
FIELD_MEANINGS = {
    "id": "mã điều khoản", "kind": "loại", "section": "mục trong văn bản", "text": "nội dung",
    "topics": "chủ đề", "groups": "nhóm đối tượng", "numbers": "số liệu", "legal_refs": "văn bản pháp lý",
    "agencies": "cơ quan chịu trách nhiệm", "status": "trạng thái", "value": "giá trị", "unit": "đơn vị",
    "year": "năm", "label": "nội dung số liệu", "code": "số hiệu văn bản", "title": "tên văn bản",
    "issuer": "cơ quan ban hành", "locality": "địa phương", "issued_on": "ngày ban hành",
    "date_label": "ngày hiển thị cho người dân", "period_start": "năm bắt đầu", "period_end": "năm kết thúc",
    "source_file": "tệp nguồn", "contact": "nơi liên hệ", "note": "ghi chú", "key": "mã", "name": "tên",
    "level": "cấp hành chính", "province": "tỉnh, thành phố", "aliases": "tên gọi khác", "parent": "nhóm cha",
    "means": "kế hoạch viết", "phrases": "người dân nói", "provisions": "các điều khoản",
    "document": "văn bản", "documents": "các văn bản", "localities": "địa phương",
    "synonyms": "từ đồng nghĩa",
}
# The provision kinds as the admin form names them.
KIND_LABELS = {"benefit": "chế độ, hỗ trợ", "target": "chỉ tiêu", "measure": "giải pháp, nhiệm vụ",
               "agency": "phân công cơ quan", "legal_basis": "căn cứ pháp lý"}
DOCUMENT_STATUS_LABELS = {"issued": "đã ban hành", "draft": "dự thảo", "summary": "bản tóm tắt"}
PROVISION_STATUS_LABELS = {"active": "đang dùng", "retired": "đã bỏ"}
_SECTION_NAMES = {"localities": "Địa phương", "topics": "Chủ đề", "groups": "Nhóm đối tượng"}
_MAX_LISTED_KEYS = 12


def shown(value: Any) -> str:
    """A value as the admin wrote it (no Python quoting)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {shown(v)}" for k, v in value.items() if k != LINE)
    return str(value)


def _got(value: Any) -> str:
    """" (đang là «…»)", or that the field is empty."""
    if value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}:
        return " (đang để trống)"
    return f" (đang là «{shown(value)}»)"


def figure(value: Any) -> str:
    """A number as Vietnamese write it: 2,5 and 1.500."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return shown(value)
    if isinstance(value, float) and not value.is_integer():
        return repr(value).replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def _listed(keys: Iterable[str]) -> str:
    """"; có: a, b, c" when the choice is short enough to list."""
    keys = sorted(keys)
    if not keys or len(keys) > _MAX_LISTED_KEYS:
        return ""
    return f" (các mã có: {', '.join(keys)})"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _one_of(values: Iterable[str], labels: Dict[str, str]) -> str:
    items = [f"{v} ({labels[v]})" if v in labels else v for v in values]
    return ", ".join(items[:-1]) + " hoặc " + items[-1] if len(items) > 1 else "".join(items)


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
    def __init__(self, path: str, in_file: bool = True):
        self.path = path
        self.in_file = in_file  # False: a provision from the admin form or `bot kb add/edit`
        self.problems: List[Problem] = []

    def add(self, line: int, reason: str) -> None:
        self.problems.append(Problem(self.path, line, reason))

    def field(self, key: str) -> str:
        """The field as the admin knows it: trường 'text' (nội dung) in a file, ô «Nội dung» on the form."""
        if not self.in_file and key in FORM_LABELS:
            return f"ô «{FORM_LABELS[key]}»"
        meaning = FIELD_MEANINGS.get(key)
        return f"trường '{key}' ({meaning})" if meaning else f"trường '{key}'"

    def key_of(self, key: str) -> str:
        """" (trường 'topics')" after a value quoted from a file; nothing on the form."""
        return f" (trường '{key}')" if self.in_file else ""

    def require_str(self, mapping: Dict[str, Any], key: str, line: int, where: str) -> Optional[str]:
        value = mapping.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if value is None or isinstance(value, str):
            self.add(line, f"{where}: {self.field(key)} không được để trống.")
        elif isinstance(value, (int, float, dt.date)):
            self.add(line, f"{where}: {self.field(key)} phải là chữ{_got(value)}; "
                           f"hãy đặt giá trị trong ngoặc kép, ví dụ \"{shown(value)}\".")
        else:
            self.add(line, f"{where}: {self.field(key)} phải là một đoạn chữ{_got(value)}.")
        return None

    def str_list(self, mapping: Dict[str, Any], key: str, line: int, where: str) -> List[str]:
        value = mapping.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            if self.in_file:
                self.add(line, f"{where}: {self.field(key)} phải là một danh sách chữ, ví dụ [mục 1, mục 2], "
                               f"không có mục trống{_got(value)}.")
            else:
                self.add(line, f"{where}: {self.field(key)} có một dòng trống hoặc không đọc được.")
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

_DATE_RE = re.compile(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])")


def parse_text(text: str, path: str) -> Any:
    try:
        _check_shape(text, path)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise KbFileError([Problem(path, line, f"Sai cú pháp YAML: {yaml_reason(exc)}.")]) from exc
    except ValueError as exc:  # a date that does not exist (2024-13-45) fails in the date constructor
        raise KbFileError([_impossible_date(text, path)]) from exc


def _impossible_date(text: str, path: str) -> Problem:
    for number, row in enumerate(text.splitlines(), start=1):
        for match in _DATE_RE.finditer(row):
            try:
                dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return Problem(path, number, f"Ngày «{match.group(0)}» không có thật; ngày viết theo dạng "
                                             "NĂM-THÁNG-NGÀY, ví dụ 2024-01-02.")
    return Problem(path, 1, "Tệp có một ngày hoặc giờ không đọc được; ngày viết theo dạng NĂM-THÁNG-NGÀY, "
                            "ví dụ 2024-01-02.")


def yaml_reason(exc: yaml.YAMLError) -> str:
    """What the YAML parser objected to, said for the person who typed the file."""
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    opened = getattr(exc, "context_mark", None)
    at = f" mở ở dòng {opened.line + 1}" if opened is not None else ""
    if problem.startswith("mapping values are not allowed"):
        return ("có dấu hai chấm ':' ở chỗ không được phép; nếu nội dung có dấu ':', hãy đặt cả nội dung "
                "trong ngoặc kép, hoặc kiểm tra lại thụt lề")
    if "'\\t'" in problem:
        return "có ký tự tab; hãy thụt lề bằng dấu cách"
    found = re.match(r"found character '(.+)' that cannot start any token", problem)
    if found:
        return f"ký tự «{found.group(1)}» không được đứng đầu một giá trị; hãy đặt giá trị trong ngoặc kép"
    if problem.startswith("expected ',' or ']'"):
        return f"thiếu dấu ']' đóng danh sách{at}, hoặc thiếu dấu ',' giữa hai mục"
    if problem.startswith("expected ',' or '}'"):
        return f"thiếu dấu '}}' đóng nhóm{at}, hoặc thiếu dấu ',' giữa hai mục"
    if problem.startswith("found unexpected end of stream") and "quoted" in context:
        return f"thiếu dấu ngoặc kép đóng cho đoạn chữ{at}"
    if problem.startswith("found unknown escape character"):
        return "có dấu '\\' không hợp lệ trong đoạn chữ đặt trong ngoặc kép; hãy dùng ngoặc đơn hoặc viết '\\\\'"
    if problem.startswith("could not find expected ':'"):
        return "thiếu dấu hai chấm ':' sau tên trường, hoặc một dòng bị thụt lề sai"
    if problem.startswith(("expected <block end>", "did not find expected key", "did not find expected '-'")):
        return "thụt lề không khớp với các dòng phía trên (mỗi cấp thụt vào cùng một số dấu cách)"
    if "control characters are not allowed" in problem or "special characters are not allowed" in problem:
        return "có ký tự điều khiển hoặc ký tự đặc biệt không được phép"
    if problem:
        return f"kiểm tra thụt lề, dấu hai chấm, dấu ngoặc ở dòng này (máy đọc YAML báo: {problem})"
    return "kiểm tra thụt lề, dấu hai chấm và dấu ngoặc ở dòng này"


def _check_shape(text: str, path: str) -> None:
    """Refuse, from the parser's event stream (nothing is built), what no knowledge-base file needs."""
    if len(text) > MAX_FILE_CHARS:
        raise KbFileError([Problem(path, 1, f"Dung lượng vượt quá {MAX_FILE_CHARS // 1_000_000} MB; "
                                            "hãy chia thành nhiều tệp nhỏ hơn.")])
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise KbFileError([Problem(path, line, "Không được dùng dấu & và * (neo và tham chiếu của "
                                                   "YAML) trong tệp tri thức; hãy viết đầy đủ từng giá trị.")])
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise KbFileError([Problem(path, line, f"Dữ liệu lồng nhau quá {MAX_DEPTH} cấp; tệp tri "
                                                       "thức không cần lồng sâu như vậy.")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def read_bundle(path: Path | str, known: KnownKeys = KnownKeys()) -> Bundle:
    """Parse and validate a file; raise ``KbFileError`` listing every problem."""
    path_str = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KbFileError([Problem(path_str, 0, "Không phải văn bản UTF-8; hãy lưu lại tệp với bảng mã "
                                                "UTF-8.")]) from exc
    except FileNotFoundError as exc:
        raise KbFileError([Problem(path_str, 0, "Không tìm thấy tệp này.")]) from exc
    except IsADirectoryError as exc:
        raise KbFileError([Problem(path_str, 0, "Đây là một thư mục, không phải tệp.")]) from exc
    except PermissionError as exc:
        raise KbFileError([Problem(path_str, 0, "Không có quyền đọc tệp này.")]) from exc
    except OSError as exc:
        raise KbFileError([Problem(path_str, 0, "Không đọc được tệp này.")]) from exc
    return bundle_from_text(text, path_str, known)


_SECTIONS = ("document", "provisions", "documents", "localities", "topics", "groups", "synonyms")


def bundle_from_text(text: str, path: str, known: KnownKeys = KnownKeys()) -> Bundle:
    data = parse_text(text, path)
    check = _Checker(path)
    if not isinstance(data, dict):
        raise KbFileError([Problem(path, 1, "Nội dung phải gồm 'document' và 'provisions' (một văn bản), "
                                            "'documents' (nhiều văn bản) hoặc các mục danh mục "
                                            "('localities', 'topics', 'groups', 'synonyms').")])
    allowed = {*_SECTIONS, LINE}
    for key in data:
        if key not in allowed:
            check.add(data[LINE], f"Mục '{key}' không có trong định dạng tệp tri thức; các mục dùng được: "
                                  f"{', '.join(_SECTIONS)}.")
    catalogue = _check_catalogue(data, check, known)
    blocks: List[Dict[str, Any]] = []
    if "document" in data or "provisions" in data:
        blocks.append({"document": data.get("document"), "provisions": data.get("provisions"), LINE: data[LINE]})
    if "documents" in data:
        if not isinstance(data["documents"], list):
            check.add(data[LINE], "Mục 'documents' (các văn bản) phải là một danh sách, mỗi phần tử bắt đầu "
                                  "bằng '- document:'.")
        else:
            blocks.extend(data["documents"])
    if not blocks and not any((catalogue.localities, catalogue.topics, catalogue.groups, catalogue.synonyms)):
        check.add(data[LINE], "Không có văn bản nào và cũng không có mục danh mục nào.")
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
        name = _SECTION_NAMES[section]
        if not isinstance(entries, list):
            check.add(data[LINE], f"Mục '{section}' ({name.lower()}) phải là một danh sách, mỗi phần tử bắt đầu "
                                  "bằng '- key:'.")
            continue
        seen: Set[str] = set()
        for entry in entries:
            if not isinstance(entry, dict):
                check.add(data[LINE], f"Mục '{section}' ({name.lower()}): mỗi phần tử phải gồm các trường "
                                      f"{_quoted(('key', *fields))}.")
                continue
            line = entry[LINE]
            key = entry.get("key")
            if not isinstance(key, str) or not _KEY_RE.match(key):
                check.add(line, f"{name}: trường 'key' (mã) phải là chữ thường không dấu và chữ số, nối bằng "
                                f"dấu '-', ví dụ 'da-nang'{_got(key)}.")
                continue
            if key in seen:
                check.add(line, f"{name}: mã '{key}' bị lặp lại; mỗi mã chỉ được khai báo một lần.")
            seen.add(key)
            for field_name in fields:
                check.require_str(entry, field_name, line, f"{name} '{key}'")
            check.str_list(entry, "aliases", line, f"{name} '{key}'")
            getattr(catalogue, section).append(_strip_lines(entry))
    group_keys = {g["key"] for g in catalogue.groups} | set(known.groups)
    for group in catalogue.groups:
        parent = group.get("parent")
        if parent is not None and parent not in group_keys:
            check.add(_line_of(data.get("groups"), group["key"]),
                      f"Nhóm đối tượng '{group['key']}': trường 'parent' (nhóm cha) «{shown(parent)}» không có "
                      "trong danh mục nhóm đối tượng.")
    catalogue.synonyms = _check_synonyms(data, check)
    return catalogue


def _check_synonyms(data: Dict[str, Any], check: _Checker) -> List[Dict[str, Any]]:
    """``synonyms: [{means: trung học phổ thông, phrases: [cấp 3, cấp ba]}]``: each phrase once."""
    entries = data.get("synonyms")
    if entries is None:
        return []
    if not isinstance(entries, list):
        check.add(data[LINE], "Mục 'synonyms' (từ đồng nghĩa) phải là một danh sách, mỗi phần tử bắt đầu "
                              "bằng '- means:'.")
        return []
    out: List[Dict[str, Any]] = []
    seen: Dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            check.add(data[LINE], "Mục 'synonyms' (từ đồng nghĩa): mỗi phần tử phải có 'means' (kế hoạch viết) "
                                  "và 'phrases' (người dân nói).")
            continue
        line = entry[LINE]
        means = check.require_str(entry, "means", line, "Từ đồng nghĩa")
        phrases = check.str_list(entry, "phrases", line, f"Từ đồng nghĩa «{means}»")
        if means is None:
            continue
        if not phrases:
            check.add(line, f"Từ đồng nghĩa «{means}»: trường 'phrases' (người dân nói) phải có ít nhất "
                            "một cách nói.")
        for phrase in phrases:
            problem = refusal(phrase, means)
            if problem:
                check.add(line, f"Từ đồng nghĩa «{means}»: {problem}")
            folded = " ".join(fold(phrase).split())
            if folded in seen:
                check.add(line, f"Từ đồng nghĩa: cách nói «{phrase}» có hai lần (đã có dưới «{seen[folded]}»); "
                                "mỗi cách nói chỉ được mang một nghĩa.")
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
            check.add(1, "Mỗi phần tử của 'documents' phải gồm 'document:' và 'provisions:'.")
            continue
        doc = block.get("document")
        if not isinstance(doc, dict):
            check.add(block[LINE], "Trường 'document' (văn bản) phải gồm các trường của văn bản: code, title, "
                                   "issuer, locality, issued_on, … (xem knowledge/data/FORMAT.md).")
            continue
        code = _check_document(doc, check, keys)
        if code in seen_codes:
            check.add(doc[LINE], f"Văn bản {code} có hai lần trong tệp.")
        seen_codes.add(code or "")
        provisions = block.get("provisions")
        if not isinstance(provisions, list):
            check.add(block[LINE], f"{_document(code)}: trường 'provisions' (các điều khoản) phải là một danh "
                                   "sách, mỗi điều khoản bắt đầu bằng '- id:'.")
            provisions = []
        for prov in provisions:
            if not isinstance(prov, dict):
                check.add(doc[LINE], f"{_document(code)}: mỗi điều khoản phải gồm các trường id, kind, section, "
                                     "topics, text, …")
                continue
            pid = check_provision(prov, check, keys)
            if pid is None:
                continue
            if pid in seen_ids:
                check.add(prov[LINE], f"Điều khoản {pid} có hai lần; mỗi mã điều khoản chỉ dùng một lần.")
            seen_ids[pid] = code or ""
            owner = keys.provision_documents.get(pid)
            if owner is not None and code is not None and owner != code:
                check.add(prov[LINE], f"Điều khoản {pid} đã thuộc văn bản {owner}; hãy đặt mã khác cho điều "
                                      "khoản này.")
        out.append(DocumentBlock(document=_strip_lines(doc), provisions=[_strip_lines(p) for p in provisions
                                                                        if isinstance(p, dict)]))
    return out


def _document(code: Optional[str]) -> str:
    return f"Văn bản {code}" if code else "Văn bản (chưa có số hiệu)"


def _check_document(doc: Dict[str, Any], check: _Checker, keys: KnownKeys) -> Optional[str]:
    line = doc[LINE]
    code = check.require_str(doc, "code", line, "Văn bản")
    where = _document(code)
    for name in ("title", "issuer", "date_label", "source_file", "contact"):
        check.require_str(doc, name, line, where)
    locality = doc.get("locality")
    if locality not in keys.localities:
        if locality is None:
            check.add(line, f"{where}: thiếu trường 'locality' (địa phương){_listed(keys.localities)}.")
        else:
            check.add(line, f"{where}: địa phương «{shown(locality)}» (trường 'locality') không có trong danh "
                            f"mục{_listed(keys.localities)}.")
    if not isinstance(doc.get("issued_on"), dt.date):
        check.add(line, f"{where}: trường 'issued_on' (ngày ban hành) phải là một ngày theo dạng NĂM-THÁNG-NGÀY, "
                        f"ví dụ 2024-01-02{_got(doc.get('issued_on'))}.")
    start, end = doc.get("period_start"), doc.get("period_end")
    if not (isinstance(start, int) and isinstance(end, int) and 1945 <= start <= end <= 2100):
        check.add(line, f"{where}: trường 'period_start' (năm bắt đầu) và 'period_end' (năm kết thúc) phải là "
                        f"năm từ 1945 đến 2100, năm bắt đầu không sau năm kết thúc (đang là «{shown(start)}» "
                        f"và «{shown(end)}»).")
    if doc.get("status") not in DOCUMENT_STATUSES:
        check.add(line, f"{where}: trường 'status' (tình trạng) phải là "
                        f"{_one_of(DOCUMENT_STATUSES, DOCUMENT_STATUS_LABELS)}{_got(doc.get('status'))}.")
    if doc.get("note") is not None and not isinstance(doc.get("note"), str):
        check.add(line, f"{where}: trường 'note' (ghi chú) phải là một đoạn chữ{_got(doc.get('note'))}.")
    return code


def check_provision(prov: Dict[str, Any], check: _Checker, keys: KnownKeys,
                    name: Optional[str] = None) -> Optional[str]:
    """Validate one provision mapping; return its id (or None when it has none).

    ``name`` is how problems call the provision ("Điều khoản mới" before it is added)."""
    line = prov.get(LINE, 0)
    pid = prov.get("id")
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        check.add(line, f"Điều khoản: trường 'id' (mã điều khoản) phải là chữ thường không dấu nối bằng dấu '-' "
                        f"rồi số có ít nhất 3 chữ số, ví dụ 'dn-013'{_got(pid)}.")
        pid = None
    where = name or (f"Điều khoản {pid}" if pid else "Điều khoản (chưa có mã hợp lệ)")
    field = check.field
    allowed = ("id", "kind", "section", "topics", "groups", "text", "numbers", "legal_refs", "agencies", "status")
    for key in prov:
        if key not in allowed and key != LINE:
            check.add(line, f"{where}: trường '{key}' không có trong định dạng điều khoản; các trường dùng được: "
                            f"{', '.join(allowed)}.")
    kind = prov.get("kind")
    if kind not in PROVISION_KINDS:
        if check.in_file:
            check.add(line, f"{where}: {field('kind')} phải là {_one_of(PROVISION_KINDS, KIND_LABELS)}"
                            f"{_got(kind)}.")
        else:
            check.add(line, f"{where}: hãy chọn «{FORM_LABELS['kind']}»: "
                            f"{'; '.join(KIND_LABELS.get(k, k) for k in PROVISION_KINDS)}.")
    status = prov.get("status", "active")
    if status not in ("active", "retired"):
        check.add(line, f"{where}: {field('status')} phải là "
                        f"{_one_of(('active', 'retired'), PROVISION_STATUS_LABELS)}{_got(status)}.")
    check.require_str(prov, "section", line, where)
    text = check.require_str(prov, "text", line, where) or ""
    topics = check.str_list(prov, "topics", line, where)
    if not topics:
        if check.in_file:
            check.add(line, f"{where}: {field('topics')} phải có ít nhất một chủ đề{_listed(keys.topics)}.")
        else:
            check.add(line, f"{where}: hãy chọn ít nhất một «{FORM_LABELS['topics']}».")
    for topic in topics:
        if topic not in keys.topics:
            check.add(line, f"{where}: chủ đề «{topic}»{check.key_of('topics')} không có trong danh mục"
                            f"{_listed(keys.topics)}.")
    for group in check.str_list(prov, "groups", line, where):
        if group not in keys.groups:
            check.add(line, f"{where}: nhóm đối tượng «{group}»{check.key_of('groups')} không có trong danh "
                            f"mục{_listed(keys.groups)}.")
    for ref in check.str_list(prov, "legal_refs", line, where):
        if text and not legal_ref_in_text(ref, text):
            check.add(line, f"{where}: văn bản pháp lý «{ref}» không được nêu trong nội dung điều khoản; hãy ghi "
                            f"số hiệu của nó vào {field('text')} hoặc bỏ nó khỏi {field('legal_refs')}.")
    check.str_list(prov, "agencies", line, where)
    numbers = prov.get("numbers", []) or []
    if not isinstance(numbers, list):
        check.add(line, f"{where}: {field('numbers')} phải là một danh sách, mỗi số một dòng dạng "
                        f"- {{value: 50, unit: \"%\", year: null, label: mức hỗ trợ}}{_got(numbers)}.")
        numbers = []
    for number in numbers:
        nline = number.get(LINE, line) if isinstance(number, dict) else line
        if not isinstance(number, dict):
            check.add(nline, f"{where}: mỗi số liệu phải có dạng "
                             f"{{value: 50, unit: \"%\", year: null, label: mức hỗ trợ}}{_got(number)}.")
            continue
        value = number.get("value")
        figure_name = f"số liệu {figure(value)}"
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            figure_name = "số liệu"
            check.add(nline, f"{where}: {field('value')} của số liệu phải là một số, ví dụ 50 hoặc 2,5"
                             f"{_got(value)}.")
        elif text and not number_in_text(value, text):
            check.add(nline, f"{where}: số {figure(value)} không có trong nội dung điều khoản; hãy ghi số này vào "
                             f"{field('text')} hoặc sửa {field('numbers')}.")
        if not isinstance(number.get("unit"), str):
            check.add(nline, f"{where}: {figure_name}: {field('unit')} phải là chữ, ví dụ \"%\" hoặc \"tỷ đồng\""
                             f"{_got(number.get('unit'))}.")
        year = number.get("year")
        if year is not None:
            if not isinstance(year, int) or isinstance(year, bool):
                empty = "null" if check.in_file else "để trống"
                check.add(nline, f"{where}: {figure_name}: {field('year')} phải là một năm như 2025, hoặc {empty}"
                                 f"{_got(year)}.")
            elif text and str(year) not in text:
                drop = "đặt 'year' thành null" if check.in_file else f"để trống {field('year')} của số liệu này"
                check.add(nline, f"{where}: {figure_name}: năm {year} không có trong nội dung điều khoản; hãy ghi "
                                 f"năm này vào {field('text')} hoặc {drop}.")
        if number.get("label") is not None and not isinstance(number.get("label"), str):
            check.add(nline, f"{where}: {figure_name}: {field('label')} phải là chữ{_got(number.get('label'))}.")
    return pid


def validate_provision(prov: Dict[str, Any], keys: KnownKeys, name: Optional[str] = None) -> None:
    """Validate a single provision from the admin form or `bot kb add/edit` (no file, no line); raise
    ``KbFileError`` whose problems carry only their reasons. ``name``: how to call the provision."""
    check = _Checker("", in_file=False)
    check_provision(prov, check, keys, name)
    if check.problems:
        raise KbFileError(check.problems)
