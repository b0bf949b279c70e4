"""Drafting a plan for review: from its text lines, the document's metadata and its provisions, each
with the plan's own section reference, kind, topics, groups, figures, legal references and
agencies, and how sure each reading is. Everything the KB validator checks holds for every draft."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from knowledge.curated_files import legal_ref_in_text, number_in_text
from knowledge.ingest.agencies import UPPER, agencies_in, successor_note
from knowledge.ingest.classify import GENERAL_CONFIDENCE, kind_of, section_topics, tags
from knowledge.ingest.extract import figures_in, legal_refs_in, tidy_figures
from knowledge.ingest.layout import layout
from knowledge.ingest.metadata import read_metadata
from knowledge.ingest.structure import LEAD_IN, PREAMBLE, Passage, read_structure
from knowledge.ingest.vocabulary import PlanCatalogue

# A passage longer than this many words is split into its sentences (each its own provision).
_SPLIT_WORDS = 70
# A sentence longer than this many words (in a passage split as above) is split into its clauses, at
# its semicolons: the plans list several policies in one sentence, one per clause (inside brackets too:
# "chính sách hỗ trợ hộ nghèo (hỗ trợ …; hỗ trợ …)").
_CLAUSE_WORDS = 80
# A sentence of any length with a figure in two or more of its clauses is cut at its semicolons too: targets
# ("… đạt 50%; … đạt 40%; …"), one provision a target (_figure_clauses).
# A sentence or clause shorter than this stays with the one before it.
_MIN_SENTENCE_WORDS = 8
_ABBREVIATIONS = {"tp", "p", "q", "tt", "ths", "ts", "pgs", "gs", "st", "v.v", "tx", "h"}
_SENTENCE_END = re.compile(rf"(?<=[.!?…])\s+(?=[\"“(]?[{UPPER}0-9])")


@dataclass
class DraftProvision:
    section: str
    kind: str
    topics: List[str]
    groups: List[str]
    text: str
    numbers: List[dict]
    legal_refs: List[str]
    agencies: List[str]
    confidence: Dict[str, float]
    source: str
    position: int


@dataclass
class DraftDocument:
    code: Optional[str]
    title: Optional[str]
    issuer: Optional[str]
    issued_on: Optional[dt.date]
    date_label: Optional[str]
    period_start: Optional[int]
    period_end: Optional[int]
    status: str
    locality: Optional[str]
    confidence: Dict[str, float]
    provisions: List[DraftProvision] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)


def sentences(text: str) -> List[str]:
    """``text`` cut at sentence ends (never inside a sentence); very short sentences stay with the
    one before."""
    pieces: List[str] = []
    last = 0
    for m in _SENTENCE_END.finditer(text):
        word = text[:m.start()].split()[-1].rstrip(".").lower() if text[:m.start()].split() else ""
        if word in _ABBREVIATIONS:
            continue
        pieces.append(text[last:m.start()].strip())
        last = m.end()
    pieces.append(text[last:].strip())
    return _joined_short(pieces, " ")


def clauses(sentence: str) -> List[str]:
    """``sentence`` cut after its semicolons; very short clauses stay with the one before."""
    return _joined_short([piece.strip() for piece in sentence.split(";")], "; ")


def _joined_short(pieces: Sequence[str], glue: str) -> List[str]:
    out: List[str] = []
    for piece in filter(None, pieces):
        if out and (len(piece.split()) < _MIN_SENTENCE_WORDS or len(out[-1].split()) < _MIN_SENTENCE_WORDS):
            out[-1] = f"{out[-1]}{glue}{piece}"
        else:
            out.append(piece)
    return out


def _verbatim(fragment: str, source: str) -> str:
    """Where ``fragment`` sits in ``source``, as written there with its label ("a) ", "- ") and line
    breaks; the whole ``source`` when the fragment's words were tidied on the way."""
    words = [re.escape(w) for w in fragment.split()]
    if not words:
        return source
    label = r"(?:(?:[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2})*|[a-zđ]|\(\d{1,2}\))[.):-]?\s+|[-–—•+*]\s*)?"
    m = re.search(label + r"\s+".join(words), source, re.IGNORECASE)
    return m.group(0) if m else source


@dataclass
class _Tally:
    """What drafting changed or left out, for the admin's notes."""

    rewritten: List[Tuple[str, str]] = field(default_factory=list)
    dropped_figures: List[str] = field(default_factory=list)
    dropped_years: List[str] = field(default_factory=list)
    dropped_refs: List[str] = field(default_factory=list)
    successors: Dict[str, str] = field(default_factory=dict)


def _first_sentence(text: str) -> str:
    """``text`` up to its first sentence end (as ``sentences`` cuts, but a short one not joined to the next)."""
    return _SENTENCE_END.split(text, maxsplit=1)[0]


def _figure_clauses(sentence: str) -> bool:
    """Whether ``sentence`` lists targets, one figure a clause ("… đạt 50%; … đạt 40%; …")."""
    parts = clauses(sentence)
    return len(parts) >= 2 and sum(bool(re.search(r"\d", part)) for part in parts) >= 2


class _Piece(NamedTuple):
    text: str
    year: Optional[str] = None  # the year an earlier clause of its sentence set for it (see _targets)
    lead: Optional[str] = None  # the words introducing the list it is an item of


_BY_YEAR = re.compile(r"\b(?:đến|tới) (?:cuối |hết )?năm ((?:19|20)\d\d)\b", re.IGNORECASE)


def _targets(sentence: str) -> List[_Piece]:
    """A list of targets cut at its semicolons, each clause with the year an earlier clause set for it
    ("Đến năm 2025, … đạt 50%; … đạt 99%": the second is for 2025 too), None where it names its own."""
    out: List[_Piece] = []
    year: Optional[str] = None
    for clause in clauses(sentence):
        for piece in _comma_targets(clause):
            found = _BY_YEAR.findall(piece)
            # a piece whose first sentence names no year reads with the list's ("kéo giảm … còn 4,5%. Đến năm 2020, …")
            out.append(_Piece(piece, None if _ANY_YEAR.search(_first_sentence(piece)) else year))
            year = found[-1] if found else year
    return out


# A figure a target sets: a share, a decimal, a rate per head ("99%", "6,71", "/1 vạn dân").
_TARGET_FIGURE = re.compile(r"\d\s*%|\d,\d|/\s*1")
# A part of a clause that starts a target of its own: a share ("tỷ lệ …") or a figure first ("100% hộ …",
# "trên 96% dân số …", "có 100% người dân …").
_TARGET_START = re.compile(r"^(?:tỷ lệ|tỉ lệ|(?:có |trên |dưới |khoảng |ít nhất |tối thiểu )?\d)", re.IGNORECASE)


def _comma_targets(clause: str) -> List[str]:
    """A clause of a target list cut where a new target starts after a comma ("… đạt 100%,
    cấp trung học cơ sở đạt 99%, 6,71 giường bệnh/1 vạn dân"): at a part that starts as a target does, or
    that sets a figure right after a part that set one, once the target before holds a figure other than a
    year. A part naming no figure stays with the target before ("100% hộ gia đình chăm sóc trẻ em …, phụ nữ
    mang thai, người cao tuổi …"); a level continuing a share takes the share's words ("tỷ lệ đi học đúng độ
    tuổi cấp tiểu học đạt 100%, cấp trung học cơ sở đạt 99%": the second is "tỷ lệ đi học đúng độ tuổi cấp
    trung học cơ sở đạt 99%")."""
    out: List[str] = []
    previous_sets = False
    for part in filter(None, (p.strip() for p in re.split(r",\s+", clause))):
        sets = bool(_TARGET_FIGURE.search(part))
        starts = bool(out) and _figure_besides_years(out[-1]) and bool(
            _TARGET_START.match(part) or sets and previous_sets)
        if starts:
            share = _SHARE_LEVEL.match(out[-1])
            out.append(f"{share.group(1)} {part}" if share and part.lower().startswith("cấp ") else part)
        elif out:
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
        previous_sets = sets
    return out


# "tỷ lệ đi học đúng độ tuổi cấp …": a share given for one level after another
_SHARE_LEVEL = re.compile(r"^((?:tỷ|tỉ) lệ .*?)\s+cấp\b", re.IGNORECASE)


def _figure_besides_years(text: str) -> bool:
    return bool(re.search(r"\d", _ANY_YEAR.sub(" ", text)))



def _listed(sentence: str) -> List[_Piece]:
    """A long sentence cut at its semicolons; when its first clause leads into a list ("Tiếp tục thực hiện Nghị
    quyết … về định hướng giảm nghèo, … với các nhóm chính sách cơ bản như: …; …"), each later clause is an item
    of it and keeps the words before the colon as its lead."""
    parts = clauses(sentence)
    lead = parts[0].split(":")[0] if ":" in parts[0] else None
    return [_Piece(parts[0])] + [_Piece(clause, None, lead) for clause in parts[1:]]


def _pieces(passage: Passage) -> List[_Piece]:
    """The passage's provisions: its text, or its sentences, or their clauses."""
    if passage.role == "trailer":
        return [_Piece(passage.text)]
    if len(passage.text.split()) <= _SPLIT_WORDS:
        return _targets(passage.text) if _figure_clauses(passage.text) else [_Piece(passage.text)]
    out: List[_Piece] = []
    for sentence in sentences(passage.text):
        if _figure_clauses(sentence):
            out += _targets(sentence)
        elif len(sentence.split()) > _CLAUSE_WORDS:
            out += _listed(sentence)
        else:
            out.append(_Piece(sentence))
    return out


# Verbs an item under a body's name starts with, its subject being that body.
_SUBJECTLESS = re.compile(r"^(?:chủ trì|phối hợp|chủ động|căn cứ|tham mưu|cùng với|trên cơ sở|tổ chức|hướng dẫn|theo dõi"
                          r"|kiểm tra|đôn đốc|chỉ đạo|triển khai|thực hiện|xây dựng|lãnh đạo|phổ biến|tuyên truyền)\b",
                          re.IGNORECASE)


_TARGET_HEADING = re.compile(r"\b(?:mục tiêu|chỉ tiêu)\b[^.;]*?\bđến năm (20\d\d)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _target_year(headings: Sequence[str]) -> Optional[str]:
    """The year the nearest heading of targets sets ("2.1. Mục tiêu cụ thể đến năm 2030"), if any."""
    for heading in reversed(headings):
        m = _TARGET_HEADING.search(heading)
        if m:
            return m.group(1)
    return None


def _lower_first(text: str) -> str:
    """A sentence continued after a prefix: its first letter lowered unless it starts an acronym."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _wants_subject(text: str) -> bool:
    """Whether an item under a body's name ("1. Sở Y tế") lacks its own subject: it starts with what
    the body does, or names no body at all."""
    return bool(_SUBJECTLESS.match(text)) or not agencies_in(text)


def _provision(passage: Passage, text: str, lines: Sequence[str], catalogue: PlanCatalogue,
               own_code: Optional[str], tally: _Tally, year: Optional[str] = None,
               lead: Optional[str] = None) -> DraftProvision:
    source = _verbatim(text, "\n".join(lines[passage.position:max(passage.last, passage.position) + 1]))
    text = " ".join(text.split())
    named = agencies_in(text)  # read before the heading's body is put in front
    wants_subject = bool(passage.subject) and _wants_subject(text)
    # a year carried from its list holds up to the clause's own first year; a heading's, when it names none
    carried = bool(year) and not _ANY_YEAR.search(_first_sentence(text))
    year = year if carried else _target_year(passage.headings)
    if year and (carried or not _ANY_YEAR.search(text)):
        # under "Mục tiêu cụ thể đến năm 2030", or after "Đến năm 2030, … ;", a target reads on its own with
        # its year ("Đến năm 2030, …").
        text = f"Đến năm {year}, {_lower_first(text)}"
    if wants_subject:
        # "1. Sở Y tế" / "a) Chủ trì, phối hợp …": the item reads on its own with its body named first.
        text = f"{passage.subject}: {_lower_first(text)}"
    text, rewrites = tidy_figures(text)
    tally.rewritten += rewrites
    numbers: List[dict] = []
    for fig in figures_in(text):
        entry = fig.as_dict()
        if not number_in_text(fig.value, text):
            tally.dropped_figures.append(fig.written)
            continue
        if entry["year"] is not None and str(entry["year"]) not in text:
            tally.dropped_years.append(str(entry["year"]))
            entry["year"] = None
        if entry not in numbers:
            numbers.append(entry)
    refs = []
    for ref in legal_refs_in(text, own_code):
        if legal_ref_in_text(ref, text):
            refs.append(ref)
        else:
            tally.dropped_refs.append(ref)
    agencies = list(dict.fromkeys(passage.heading_agencies + named))
    for name in agencies:
        note = successor_note(name)
        if note:
            tally.successors.setdefault(name, note)
    found = tags(catalogue, text, passage.headings, lead)
    kind, kind_confidence = kind_of(
        text, trailer=passage.role == "trailer", heading_agencies=passage.heading_agencies,
        headings=passage.headings, has_figures=bool(numbers), legal_refs=refs, groups=found.groups,
        preamble=passage.section == PREAMBLE)
    digits = bool(re.search(r"\d+\s*(?:%|‰)", text))
    confidence = {
        "kind": kind_confidence,
        "topics": found.topics_confidence,
        "groups": found.groups_confidence,
        "numbers": 0.9 if numbers or not digits else 0.5,
        "legal_refs": 0.9 if refs or not re.search(r"\bsố\s+\d", text) else 0.5,
        "agencies": 0.8 if named else (0.7 if agencies else 0.6),
        "section": 0.5 if passage.named else (0.6 if passage.inferred else 0.95),
    }
    return DraftProvision(section=passage.section, kind=kind, topics=found.topics, groups=found.groups, text=text,
                          numbers=numbers, legal_refs=refs, agencies=agencies, confidence=confidence, source=source,
                          position=0)


def _family(section: str) -> str:
    """The section a provision shares with its siblings: "III.2" for an item "III.2.a" and for the
    trailer "III.2" ("Cơ quan thực hiện: …") under it."""
    head, _, last = section.rpartition(".")
    return head if head and not last.isdigit() else section


def _section_topics(provisions: Sequence[DraftProvision]) -> None:
    """A provision whose words, bodies and headings name no topic ("Cơ quan thực hiện: Sở Xây dựng …",
    an item under a heading the plan left out) takes the topics its section's provisions name."""
    own = [p for p in provisions if p.confidence["topics"] > 0.6]
    for p in provisions:
        if p.confidence["topics"] != GENERAL_CONFIDENCE:
            continue
        family = _family(p.section)
        topics = section_topics([o.topics for o in own if o.section == family or o.section.startswith(family + ".")])
        if topics:
            p.topics, p.confidence["topics"] = topics, 0.5


def _tally_notes(tally: _Tally) -> List[str]:
    notes: List[str] = []
    if tally.rewritten:
        shown = ", ".join(f"«{a}» → «{b}»" for a, b in list(dict.fromkeys(tally.rewritten))[:6])
        notes.append(f"Đã viết lại {len(tally.rewritten)} con số cho khớp với số liệu ({shown}).")
    if tally.dropped_figures:
        notes.append(f"Bỏ {len(tally.dropped_figures)} số liệu không đọc lại được trong nội dung: "
                     f"{', '.join(tally.dropped_figures[:6])}.")
    if tally.dropped_years:
        notes.append(f"Bỏ năm của {len(tally.dropped_years)} số liệu vì năm không có trong nội dung điều khoản.")
    if tally.dropped_refs:
        notes.append(f"Bỏ {len(tally.dropped_refs)} văn bản pháp lý không có số hiệu trong nội dung: "
                     f"{', '.join(tally.dropped_refs[:6])}.")
    for name, note in tally.successors.items():
        notes.append(f"Cơ quan «{name}» giữ tên như trong văn bản; lưu ý: {note}.")
    return notes


def draft_plan(lines: Sequence[str], catalogue: PlanCatalogue, overrides: Optional[dict] = None) -> DraftDocument:
    """The plan's metadata and provisions proposed for an admin's review, with notes on what was
    inferred, rewritten or left out. ``overrides``: document_code, locality, status given by the admin."""
    lines = [unicodedata.normalize("NFC", line) for line in lines]
    parts = layout(lines)
    meta = read_metadata(lines, parts, catalogue, overrides)
    structure = read_structure(parts.body, meta.code)
    tally = _Tally()
    provisions: List[DraftProvision] = []
    for passage in structure.passages:
        for piece in _pieces(passage):
            if len(piece.text.split()) < 3 or (LEAD_IN.search(piece.text) and not legal_refs_in(piece.text, meta.code)):
                continue  # "… ban hành Chương trình thực hiện như sau:" introduces, it does not say
            provisions.append(_provision(passage, piece.text, lines, catalogue, meta.code, tally, piece.year,
                                         piece.lead))
    for position, provision in enumerate(provisions):
        provision.position = position
    _section_topics(provisions)
    if not provisions:
        meta.notes.append("Không tách được điều khoản nào từ văn bản; hãy kiểm tra tệp đã đọc đúng chưa.")
    return DraftDocument(code=meta.code, title=meta.title, issuer=meta.issuer, issued_on=meta.issued_on,
                         date_label=meta.date_label, period_start=meta.period_start, period_end=meta.period_end,
                         status=meta.status, locality=meta.locality, confidence=meta.confidence,
                         provisions=provisions, notes=meta.notes + structure.notes + _tally_notes(tally))
