"""Ranked search over active provisions: BM25 on folded syllables, syllable
pairs and underthesea words, with locality, topic and group resolution
through the aliases stored in the knowledge base."""
from __future__ import annotations

import math
import re
import threading
from contextlib import contextmanager
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.catalogue import AliasTable, load_alias_table
from knowledge.db import kb_version, read_version, transaction
from knowledge.errors import NotFound
from knowledge.models import BeneficiaryGroup, Document, Locality, Provision
from knowledge.plan_names import PlanNames
from knowledge.places import PlaceResolver, PlanTerritory, territory_of
from knowledge.search_phrases import plan_phrasing
from knowledge.supersession import asks_for_older, replaced
from knowledge.synonyms import SynonymTable
from knowledge.text import QUESTION_FRAME, STOPWORDS, fold, ngrams, normalize, question_focus, search_words, syllables

_K1, _B = 1.2, 0.75
_PAIR_WEIGHT = 0.6          # a syllable pair is evidence of a word, weaker than a whole word
_WORD_WEIGHT = 0.8          # an underthesea word of three or more syllables
_LOCALITY_BOOST = 1.6       # the query names the provision's locality
_GROUP_BOOST = 1.3          # the query names (or the caller prefers) one of the provision's groups
_TOPIC_BOOST = 1.3          # the query names (or the caller prefers) one of the provision's topics
_KIND_BOOST = 1.6           # the provision is of a kind the caller prefers (e.g. an agency for "who")
_UNASKED_AGENCY = 0.9       # an agency's provision ("Sở … chủ trì …"), no kind being preferred
# and lower still one that only says who is in charge ("Sở Xây dựng chủ trì chính sách … phòng chống mặn")
_UNASKED_IN_CHARGE = 0.75
_IN_CHARGE = re.compile(r"\b(?:chu tri|chiu trach nhiem|phu trach)\b")
# Ranking multiplies the score by coverage to this power (a coordination factor, as in Lucene's
# classic scoring): a provision that answers more of the question ranks above one that matches
# a part of it often.
_COORDINATION = 0.5
_FOCUS_WEIGHT = 0.5  # the asking part's terms added again, times this
_ANALYSES_KEPT = 512  # query analyses remembered per index


@dataclass(frozen=True)
class Hit:
    """One search result, with what a reply needs to cite it."""

    id: str
    document_code: str
    locality: str
    locality_name: str
    section: str
    kind: str
    text: str
    score: float
    topics: Tuple[str, ...]
    groups: Tuple[str, ...]
    numbers: Tuple[Dict[str, Any], ...]
    legal_refs: Tuple[str, ...]
    agencies: Tuple[str, ...]
    document_title: str
    issuer: str
    date_label: str
    document_status: str
    period_end: int
    contact: str
    coverage: float = 0.0  # idf-weighted share of the query's content words found in the provision
    replaced_by: str = ""  # the code of a newer plan that replaces this one for the provision's topics

    def as_dict(self) -> Dict[str, Any]:
        return {
            "id": self.id, "document_code": self.document_code, "locality": self.locality,
            "locality_name": self.locality_name, "section": self.section, "kind": self.kind,
            "text": self.text, "score": round(self.score, 4), "topics": list(self.topics),
            "groups": list(self.groups), "numbers": list(self.numbers), "legal_refs": list(self.legal_refs),
            "agencies": list(self.agencies), "document_title": self.document_title, "issuer": self.issuer,
            "date_label": self.date_label, "document_status": self.document_status,
            "period_end": self.period_end, "contact": self.contact, "coverage": round(self.coverage, 3),
            **({"replaced_by": self.replaced_by} if self.replaced_by else {}),
        }


@dataclass(frozen=True)
class Preferences:
    """Soft ranking features: matching provisions score higher, none is excluded."""

    topics: Tuple[str, ...] = ()
    groups: Tuple[str, ...] = ()
    kinds: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """A group or topic the query names through an alias, and the words that name it."""

    kind: str
    key: str
    words: FrozenSet[str]


@dataclass
class QueryAnalysis:
    """What a query names: catalogue keys found through aliases, and content terms."""

    localities: List[str] = field(default_factory=list)
    groups: List[str] = field(default_factory=list)
    topics: List[str] = field(default_factory=list)
    terms: List[Tuple[str, float]] = field(default_factory=list)
    concepts: List[Concept] = field(default_factory=list)


def _provision_terms(p: Provision, synonyms: SynonymTable) -> Counter:
    """Index terms of a provision: text, its topics' and groups' names, read through the synonym
    table as queries are (both sides say "hưu trí" for "lương hưu")."""
    tokens = synonyms.rewrite(syllables(p.text, chat=False))
    label_tokens: List[str] = []
    for t in p.topics:
        label_tokens += syllables(t.name, chat=False)
    for g in p.groups:
        label_tokens += syllables(g.name, chat=False)
    label_tokens = synonyms.rewrite(label_tokens)
    terms: Counter = Counter()
    for tok_list in (tokens, label_tokens):
        terms.update(t for t in tok_list if t not in STOPWORDS)
        terms.update(ngrams(tok_list, 2))
    terms.update(w for w in (p.segmented or "").split("|") if w.count(" ") >= 2)
    return terms


class SearchIndex:
    """An immutable in-memory index of the active provisions at one KB version."""

    def __init__(self, provisions: Sequence[Provision], aliases: AliasTable, version: int):
        self.version = version
        self.aliases = aliases
        self.hits_base: List[Hit] = []
        doc_terms: List[Counter] = []
        for p in provisions:
            self.hits_base.append(hit_from_provision(p, 0.0))
            doc_terms.append(_provision_terms(p, aliases.synonyms))
        self.by_id: Dict[str, Hit] = {h.id: h for h in self.hits_base}
        self.locality_names: Dict[str, str] = {}  # key -> display name, of the localities with provisions
        for hit in self.hits_base:
            self.locality_names.setdefault(hit.locality, hit.locality_name)
        self.doc_words = [frozenset(t for t in c if " " not in t) for c in doc_terms]
        n = len(doc_terms)
        self.size = n
        lengths = np.array([sum(c.values()) for c in doc_terms], dtype=np.float32) if n else np.zeros(0)
        avg = float(lengths.mean()) if n else 1.0
        postings: Dict[str, Tuple[List[int], List[float]]] = {}
        for i, counts in enumerate(doc_terms):
            norm = _K1 * (1 - _B + _B * lengths[i] / avg)
            for term, tf in counts.items():
                idx, w = postings.setdefault(term, ([], []))
                idx.append(i)
                w.append(tf * (_K1 + 1) / (tf + norm))
        self.postings: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
        for term, (idx, w) in postings.items():
            idf = math.log(1 + (n - len(idx) + 0.5) / (len(idx) + 0.5))
            self.postings[term] = (np.asarray(idx, dtype=np.int32), np.asarray(w, dtype=np.float32) * idf)
        self.long_words = {t for t in self.postings if t.count(" ") >= 2}
        # Unseen words weigh most: a question about something no provision mentions is not covered.
        self.max_idf = math.log(1 + (n + 0.5) / 0.5) if n else 1.0
        self.idf = {t: math.log(1 + (n - len(idx) + 0.5) / (len(idx) + 0.5))
                    for t, (idx, _) in postings.items() if " " not in t}
        self.max_word = max((t.count(" ") + 1 for t in self.long_words), default=3)
        self.by_locality = _masks(n, ((i, [h.locality]) for i, h in enumerate(self.hits_base)))
        self.by_topic = _masks(n, ((i, h.topics) for i, h in enumerate(self.hits_base)))
        self.by_group = _masks(n, ((i, h.groups) for i, h in enumerate(self.hits_base)))
        self.by_kind = _masks(n, ((i, [h.kind]) for i, h in enumerate(self.hits_base)))
        # An agency's provision that only says who is in charge ("Sở Xây dựng chủ trì chính sách …")
        self.in_charge = np.array([h.kind == "agency" and bool(_IN_CHARGE.search(normalize(h.text[:90], chat=False)))
                                   for h in self.hits_base], dtype=bool)
        self.position = np.arange(n)
        # Provisions of plans a newer plan replaces: set by build_index, shown only when asked for.
        self.replaced = np.zeros(n, dtype=bool)
        self.replaced_codes: Tuple[str, ...] = ()
        self.places: Optional[PlaceResolver] = None  # set by build_index, which knows the plans' territories
        self.group_names: Dict[str, str] = {}
        self.plan_names = PlanNames(())  # set by build_index: the plans' codes and the decisions they carry out
        self._analyses: Dict[str, QueryAnalysis] = {}

    def analyze(self, query: str) -> QueryAnalysis:
        """What ``query`` names and its terms; remembered (a turn reads the same text several times),
        so callers must not change it."""
        found = self._analyses.get(query)
        if found is None:
            if len(self._analyses) >= _ANALYSES_KEPT:
                self._analyses.clear()
            found = self._analyses[query] = self._analyze(query)
        return found

    def query_words(self, query: str) -> List[str]:
        """The query's words as search reads them: shorthand spelled out, residents' phrasing in the plans'
        terms, then the synonym table ("bà bầu" -> phụ nữ mang thai, "bé 4 tuổi" -> trẻ em)."""
        return self.aliases.synonyms.rewrite(plan_phrasing(search_words(syllables(query, chat=True))))

    def _analyze(self, query: str) -> QueryAnalysis:
        tokens = self.query_words(query)
        analysis = QueryAnalysis()
        consumed: Set[int] = set()
        for kind, target in (("locality", analysis.localities), ("group", analysis.groups),
                             ("topic", analysis.topics)):
            for key, start, end in self.aliases.mentions(kind, tokens):
                if key not in target:
                    target.append(key)
                if kind == "locality":
                    consumed.update(range(start, end))
                else:
                    analysis.concepts.append(Concept(kind, key, frozenset(tokens[start:end])))
        # Places are matched through aliases; phone and ID numbers say nothing about the question.
        content = [t for i, t in enumerate(tokens) if i not in consumed and not (t.isdigit() and len(t) >= 6)]
        terms: Dict[str, float] = {}
        for t in content:
            if t not in STOPWORDS:
                terms[t] = 1.0
        for pair in ngrams(content, 2):
            terms.setdefault(pair, _PAIR_WEIGHT)
        for n in range(3, self.max_word + 1):
            for gram in ngrams(content, n):
                if gram in self.long_words:
                    terms.setdefault(gram, _WORD_WEIGHT)
        analysis.terms = list(terms.items())
        return analysis

    def search(self, query: str, localities: Optional[List[str]] = None, topics: Optional[List[str]] = None,
               groups: Optional[List[str]] = None, limit: int = 10,
               kinds: Optional[Sequence[str]] = None,
               prefer: Preferences = Preferences()) -> Tuple[List[Hit], QueryAnalysis]:
        """Best-first hits. Explicit ``localities``/``topics``/``groups``/``kinds`` filter;
        names found in the query and the caller's ``prefer`` only boost."""
        analysis = self.analyze(query)
        if self.size == 0:
            return [], analysis
        mask = np.ones(self.size, dtype=bool)
        if localities is not None:
            mask &= _any_mask(self.by_locality, localities, self.size)
        if topics is not None:
            mask &= _any_mask(self.by_topic, topics, self.size)
        if groups is not None:
            family: Set[str] = set()
            for g in groups:
                family |= self.aliases.group_family(g)
            mask &= _any_mask(self.by_group, family, self.size)
        if kinds is not None:
            mask &= _any_mask(self.by_kind, kinds, self.size)
        if self.replaced_codes and not asks_for_older(query, self.replaced_codes):
            mask &= ~self.replaced
        scores = np.zeros(self.size, dtype=np.float32)
        focus = _leaning_back(query, question_focus(query), self.analyze)
        weighted = list(analysis.terms)
        if focus and re.search(r"[.?!,;:]", query):
            # The asking part of a long message as typed counts more than its story (not a rewritten follow-up).
            weighted += [(t, w * _FOCUS_WEIGHT) for t, w in self.analyze(focus).terms]
        for term, weight in weighted:
            posting = self.postings.get(term)
            if posting is not None:
                scores[posting[0]] += posting[1] * weight
        has_terms = bool(analysis.terms)
        if has_terms:
            self._boost(scores, analysis, prefer, localities is None, groups is None, topics is None)
            mask &= scores > 0
        candidates = np.nonzero(mask)[0]
        if len(candidates) == 0:
            return [], analysis
        coverage = self._coverage(analysis)
        focused = self.analyze(focus) if focus else None
        if focused is not None and len(_content_words(focused)) >= 2:
            # A long message's context ("nhà em ở Gò Vấp, năm rồi mới vô hộ cận nghèo") does not ask
            # anything: a provision that covers the asking part covers the question, when that part names
            # something ("có thật không, mà ai phụ trách vậy" names nothing: its "thật" is no subject).
            coverage = np.maximum(coverage, self._coverage(focused))
        if has_terms:
            rank = scores[candidates] * coverage[candidates] ** _COORDINATION
            order = candidates[np.lexsort((candidates, -rank))]
        else:
            order = candidates
        top = order[: max(limit, 0)]
        return [_with_score(self.hits_base[i], float(scores[i]), float(coverage[i])) for i in top], analysis

    def _boost(self, scores: np.ndarray, analysis: QueryAnalysis, prefer: Preferences,
               by_locality: bool, by_group: bool, by_topic: bool) -> None:
        """Raise the scores of provisions for the places, groups, topics and kinds asked about (and lower an
        agency's when no kind is).
        A dimension that is filtered is not boosted."""
        groups = _widen(self.aliases, analysis.groups + list(prefer.groups)) if by_group else []
        topics = sorted(set(analysis.topics) | set(prefer.topics)) if by_topic else []
        for keys, table, boost in ((analysis.localities if by_locality else [], self.by_locality, _LOCALITY_BOOST),
                                   (groups, self.by_group, _GROUP_BOOST),
                                   (topics, self.by_topic, _TOPIC_BOOST)):
            if keys:
                scores[_any_mask(table, keys, self.size)] *= boost
        if prefer.kinds:
            scores[_any_mask(self.by_kind, prefer.kinds, self.size)] *= _KIND_BOOST
        else:  # what is done answers a question that does not ask who does it before who is in charge of it
            scores[_any_mask(self.by_kind, ("agency",), self.size)] *= _UNASKED_AGENCY
            scores[self.in_charge] *= _UNASKED_IN_CHARGE

    def _coverage(self, analysis: QueryAnalysis) -> np.ndarray:
        """Per provision, the idf-weighted share of the query's content words it covers: words
        in its text, and words that name one of its groups or topics ("người già" for a
        provision on "người cao tuổi")."""
        weights = {t: self.idf.get(t, self.max_idf) for t in _content_words(analysis)}
        tagged = [(c.words, self._concept_mask(c)) for c in analysis.concepts]
        # a topic or group named in words that say little on their own ("nhà ở xã hội": "nhà" folds as the particle
        # "nha", "xã hội" is everywhere) still says what is asked: provisions tagged with it cover the rest of its weight
        extra = [(mask, self._rarity(mask) - sum(weights.get(w, 0.0) for w in words)) for words, mask in tagged]
        extra = [(mask, weight) for mask, weight in extra if weight > 0]
        total = sum(weights.values()) + sum(weight for _, weight in extra)
        covered = np.zeros(self.size, dtype=np.float32)
        if not total:
            return covered
        for mask, weight in extra:
            covered[mask] += weight
        for word, weight in weights.items():
            posting = self.postings.get(word)
            masks = [mask for words, mask in tagged if word in words]
            if not masks:
                if posting is not None:
                    covered[posting[0]] += weight  # a posting lists each provision once
                continue
            present = np.logical_or.reduce(masks)
            if posting is not None:
                present[posting[0]] = True
            covered[present] += weight
        return covered / total

    def _rarity(self, mask: np.ndarray) -> float:
        """The idf of a tag, as a word's: how few provisions the mask holds."""
        n = int(mask.sum())
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def _concept_mask(self, concept: Concept) -> np.ndarray:
        if concept.kind == "group":
            return _any_mask(self.by_group, self.aliases.group_family(concept.key), self.size)
        return _any_mask(self.by_topic, [concept.key], self.size)


# Words of an asking sentence that name nothing it asks about: "Đà Nẵng có tính xây thêm không?" (its
# subject is in the sentence before).
_ASKING_ONLY = frozenset("tinh them nua lam xay co the vay sao".split())
_CLAUSES = re.compile(r"[.?!,;:]+\s*")


# "hội này", "quỹ đó": a body or fund the asking part points back at, named in the story ("hỗ trợ đó" points at
# nothing the story's words would find better than the question's).
_POINTING = re.compile(r"(\w+) (?:này|đó|kia|ấy)(?!\w)")
_POINTED = frozenset("hoi quy an truong tam vien doan nhom".split())


def _leaning_back(query: str, focus: Optional[str], analyze: Callable[[str], QueryAnalysis]) -> Optional[str]:
    """The asking part of a long message, with the clause before it when it names nothing of its own
    ("…, nhà trẻ gần khu công nghiệp ít quá. Đà Nẵng có tính xây thêm không?") or points back at what that
    clause names ("…, đang sinh hoạt trong hội của người khiếm thị. Chương trình có nhắc gì tới hội này không?")."""
    if not focus:
        return focus
    clauses = [c.strip() for c in _CLAUSES.split(fold(query).lower()) if c.strip()]
    # read as typed: "đó" points, "đồ" ("kiểm tra đồ ăn") does not
    pointing = [fold(m.group(1)).lower() for m in _POINTING.finditer(query.lower()) if fold(m.group(0)).lower() in focus]
    for word in pointing:
        named = [c for c in clauses[:-1] if word in c.split() and c not in focus]
        if word in _POINTED and named:
            return f"{named[-1]} {focus}"
    if len([w for w in _content_words(analyze(focus)) if w not in _ASKING_ONLY]) >= 1:
        return focus
    if len(clauses) < 2 or clauses[-1] not in focus:
        return focus
    return f"{clauses[-2]} {focus}"


def _content_words(analysis: QueryAnalysis) -> List[str]:
    """The query's single words that say what it is about (not how it asks)."""
    return [t for t, _ in analysis.terms if " " not in t and t not in QUESTION_FRAME]


def _widen(aliases: AliasTable, groups: List[str]) -> List[str]:
    out: Set[str] = set()
    for g in groups:
        out |= aliases.group_family(g)
    return sorted(out)


def _masks(n: int, pairs) -> Dict[str, np.ndarray]:
    masks: Dict[str, np.ndarray] = {}
    for i, keys in pairs:
        for key in keys:
            masks.setdefault(key, np.zeros(n, dtype=bool))[i] = True
    return masks


def _any_mask(table: Dict[str, np.ndarray], keys, n: int) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    for key in keys:
        if key in table:
            mask |= table[key]
    return mask


def hit_from_provision(p: Provision, score: float) -> Hit:
    """A provision as a search result (what replies need to cite it)."""
    d: Document = p.document
    return Hit(
        id=p.id, document_code=d.code, locality=d.locality_key, locality_name=d.locality.name,
        section=p.section, kind=p.kind, text=p.text, score=score,
        topics=tuple(t.key for t in p.topics), groups=tuple(g.key for g in p.groups),
        numbers=tuple(p.numbers or ()), legal_refs=tuple(p.legal_refs or ()), agencies=tuple(p.agencies or ()),
        document_title=d.title, issuer=d.issuer, date_label=d.date_label, document_status=d.status,
        period_end=d.period_end, contact=d.contact,
    )


def _with_score(hit: Hit, score: float, coverage: float) -> Hit:
    return Hit(**{**hit.__dict__, "score": score, "coverage": coverage})


def _lower_first(name: str) -> str:
    """"Hộ nghèo" -> "hộ nghèo" inside a sentence (a name that is all capitals stays)."""
    return name[:1].lower() + name[1:] if len(name) > 1 and not name[1].isupper() else name


def build_index(session: Session) -> SearchIndex:
    version = kb_version(session)
    provisions = session.execute(
        select(Provision).join(Document).where(Provision.status == "active")
        .order_by(Document.position, Document.code, Provision.position, Provision.id)
    ).scalars().all()
    index = SearchIndex(provisions, load_alias_table(session), version)
    newer = replaced(session)
    if newer:
        for i, hit in enumerate(index.hits_base):
            if hit.id in newer:
                index.hits_base[i] = replace(hit, replaced_by=newer[hit.id])
                index.replaced[i] = True
        index.by_id = {h.id: h for h in index.hits_base}
        index.replaced_codes = tuple(sorted({index.hits_base[i].document_code for i in np.nonzero(index.replaced)[0]}))
    plans = [PlanTerritory(row.key, territory_of(row.level, row.name, row.province))
             for row in session.execute(select(Locality)).scalars()
             if any(h.locality == row.key for h in index.hits_base)]
    # A place name the plans also use as a word ("hòa bình") is a place only with its type word.
    common = frozenset(w for p in provisions for w in (p.segmented or "").split("|") if w.count(" ") == 1)
    index.places = PlaceResolver(plans, common=common)
    index.plan_names = PlanNames({(h.document_code, h.document_title, h.locality) for h in index.hits_base},
                                 [(d.issuer, d.period_start, d.period_end, d.locality_key)
                                  for d in session.execute(select(Document)).scalars()
                                  if any(h.document_code == d.code for h in index.hits_base)])
    index.group_names = {row.key: _lower_first(row.name) for row in session.execute(select(BeneficiaryGroup)).scalars()}
    return index


class ProvisionSearch:
    """Search that follows the knowledge base: the index is rebuilt when its version changes."""

    def __init__(self, engine: Engine):
        self._engine = engine
        self._index: Optional[SearchIndex] = None
        self._lock = threading.Lock()
        self._pinned = threading.local()

    @contextmanager
    def pinned(self) -> Iterator[SearchIndex]:
        """One index for a whole turn: its version is checked once, not on every lookup."""
        index = self.index()
        self._pinned.index = index
        try:
            yield index
        finally:
            self._pinned.index = None

    def index(self) -> SearchIndex:
        pinned = getattr(self._pinned, "index", None)
        if pinned is not None:
            return pinned
        version = read_version(self._engine)
        if self._index is None or self._index.version != version:
            with self._lock:
                if self._index is None or self._index.version != version:
                    with transaction(self._engine) as session:
                        self._index = build_index(session)
        return self._index

    def resolve(self, kind: str, name: str) -> List[str]:
        """Catalogue keys for a name or alias; raise ``NotFound`` when there is none."""
        keys = self.index().aliases.resolve(kind, name)
        if not keys:
            what = {"locality": "địa phương", "topic": "chủ đề", "group": "nhóm đối tượng"}.get(kind, kind)
            raise NotFound(f"Không có {what} nào tên «{name}».")
        return keys

    def search(self, query: str, locality: Optional[str] = None, topic: Optional[str] = None,
               group: Optional[str] = None, limit: int = 10,
               kinds: Optional[Sequence[str]] = None) -> List[Hit]:
        """Best-first provisions for ``query``; names are resolved through the KB's aliases."""
        index = self.index()
        localities = self.resolve("locality", locality) if locality else None
        topics = self.resolve("topic", topic) if topic else None
        groups = self.resolve("group", group) if group else None
        hits, _ = index.search(query, localities, topics, groups, limit, kinds)
        return hits

    def analyze(self, query: str) -> QueryAnalysis:
        return self.index().analyze(query)


__all__ = ["Hit", "Preferences", "QueryAnalysis", "SearchIndex", "ProvisionSearch", "build_index", "normalize"]
