"""The answering logic behind the actions, free of Rasa: a turn in, replies out.

Each function takes what the conversation knows (a ``Turn``) and the KB
search, and returns a ``Reply``: messages with buttons, the provisions cited,
and the slots to remember.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

import re
import unicodedata

from actions import templates as T
from actions.answerability import (Asked, asked, asking_part, asks_yes_no, cites_legal_basis, for_group, holds,
                                   holds_funding, is_question, level_mentions, levels_in, missing_phrase,
                                   names_agency, names_group,
                                   names_national_rule, national_amounts, national_phrases)
from actions.follow_up import (DETAIL_WORDS, FRAME_WORDS, MAX_FOLLOW_UP_WORDS, Rewritten, content_words, own_words,
                               points_back, rewrite)
from actions.reply_format import (WHOLE, answer_text, buttons, currency_line, currency_note, numbers_in,
                                  shorten, whole_text)
from knowledge.errors import NotFound
from knowledge.follow_ups import REQUEST_ONLY
from knowledge.intent_topics import INTENT_TOPICS
from knowledge.places import PlaceMatch
from knowledge.provision_search import Concept, Hit, Preferences, ProvisionSearch, QueryAnalysis
from knowledge.text import QUESTION_FRAME, STOPWORDS, fold, normalize, question_focus, syllables

INTENT_KINDS = {"ask_target": ("target",), "ask_agency": ("agency",)}
# The elements a provision of the intent's kind answers (a target has a figure and a year).
_ELEMENTS_OF_KIND = {"ask_target": ("figure", "time"), "ask_agency": ("agency",)}
# A hit is an answer only when it shares enough with the question: a BM25 score
# and a share of the question's content words (calibrated on the answer-quality set).
MIN_SCORE = 10.0
MIN_COVERAGE = 0.25
# A short question whose every word (coverage WHOLE_COVERAGE) the provision holds as written phrases ("nước
# sạch thì sao") cannot add up to MIN_SCORE: MIN_SCORE_WHOLE does.
MIN_SCORE_WHOLE = 6.0
WHOLE_COVERAGE = 0.999
# A story of STORY_WORDS content words or more leaves any provision a small share of them: in the resident's
# plan, a match scoring STRONG_SCORE that covers STRONG_MIN_COVERAGE is close enough.
STORY_WORDS = 18
STRONG_SCORE = 25.0
STRONG_MIN_COVERAGE = 0.15
# Offering another locality's plan is a bigger step: it must fit the question closely.
MIN_COVERAGE_ELSEWHERE = 0.5
# The intent's topic is a guess: when a provision on it is close enough, one off it that covers this many
# times the question's words is too ("máy nghe nhìn" read as a question on jobs).
OFF_TOPIC_LEAD = 1.5
# Presented as *the* answer (not only as related): at least this share of the best match's score.
ANSWER_SCORE_SHARE = 0.6
# "đổi địa phương khác", "còn ở Đà Nẵng thì chính sách đó ra sao" choose a place; a message
# with this many content words besides the place asks something itself.
MIN_OWN_QUESTION_WORDS = 5
# ... or this many words the last question does not have.
MIN_NEW_SUBJECT_WORDS = 2
# The eligibility screener: a Rasa form asking these slots in turn (actions/screener_form.py).
SCREENER_FORM = "eligibility_form"
SCREENER_STEPS = ("household", "age", "meritorious", "disability")


@dataclass
class Turn:
    text: str
    intent: Optional[str]
    entities: List[Dict[str, Any]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)

    def entity(self, name: str) -> Optional[str]:
        for e in self.entities:
            if e.get("entity") == name and e.get("value"):
                return str(e["value"])
        return None

    def entity_values(self, name: str) -> List[str]:
        return [str(e["value"]) for e in self.entities if e.get("entity") == name and e.get("value")]


@dataclass
class Reply:
    messages: List[Dict[str, Any]] = field(default_factory=list)
    provisions: List[str] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)
    answered: bool = True
    is_question: bool = True
    locality_key: Optional[str] = None
    # answer | related (nearest provisions, labelled: the plan does not say it) | not_found | outside_plans
    # | places | ask_locality | handoff | help | out_of_scope | screener | greet | thanks
    outcome: str = "answer"
    handoff_question: Optional[str] = None  # set when the reply records a request for a person
    form: Optional[str] = None  # a Rasa form the reply starts (the screener)

    def say(self, text: str, button_map: Optional[Dict[str, str]] = None) -> None:
        self.messages.append({"text": text, "buttons": buttons(button_map or {})})

    def utter(self, response: str) -> None:
        """A response of the domain (its text lives in nlu/domain.yml)."""
        self.messages.append({"response": response, "buttons": []})


def catalogue_key(search: ProvisionSearch, kind: str, name: Optional[str]) -> Optional[str]:
    """The catalogue key a name or alias stands for (the first, when several), or None."""
    if not name:
        return None
    try:
        return search.resolve(kind, name)[0]
    except NotFound:
        return None


def locality_buttons(search: ProvisionSearch) -> Dict[str, str]:
    names = locality_names(search)
    return {name: f'/choose_locality{{"locality": "{name}"}}' for name in names.values()}


def locality_names(search: ProvisionSearch) -> Dict[str, str]:
    """Locality key -> display name, for localities that have provisions (the index's, read once)."""
    return search.index().locality_names


def preferences(search: ProvisionSearch, intent: Optional[str], groups: Sequence[str],
                kinds: Sequence[str] = ()) -> Preferences:
    """What the turn says about the answer it wants: the intent's topic and kind, the groups
    named or remembered. These rank provisions; they exclude none (the intent may be wrong,
    and a provision on a related group or topic can be the right answer)."""
    topic = INTENT_TOPICS.get(intent or "")
    keys = [k for k in (catalogue_key(search, "group", name) for name in groups) if k]
    return Preferences(topics=(topic,) if topic else (), groups=tuple(dict.fromkeys(keys)),
                       kinds=tuple(dict.fromkeys(INTENT_KINDS.get(intent or "", ()) + tuple(kinds))))


def ranked(search: ProvisionSearch, question: str, intent: Optional[str], locality: Optional[str],
           groups: Sequence[str] = (), min_coverage: float = MIN_COVERAGE,
           off_topic_coverage: Optional[float] = None, limit: int = 4, kinds: Sequence[str] = ()) -> List[Hit]:
    """Best provisions for a question in one locality (or anywhere), ranked by the text with
    the intent's topic and kind and the groups as preferences; only close enough matches.
    A provision off the intent's topic needs ``off_topic_coverage`` (default: the same)."""
    localities = [locality] if locality else None
    prefer = preferences(search, intent, groups, kinds)
    hits, analysis = search.index().search(question, localities, limit=limit, prefer=prefer)
    off_topic = min_coverage if off_topic_coverage is None else off_topic_coverage

    def on_topic(hit: Hit) -> bool:
        return not prefer.topics or bool(set(prefer.topics) & set(hit.topics))

    best_on_topic = max((h.coverage for h in hits if on_topic(h)), default=0.0)
    phrases = _phrases(analysis)
    # A resident's story around the question (as typed, not a rewritten follow-up) leaves any provision
    # a small share of its words: in the resident's plan, a strong match covering less answers too.
    story = locality is not None and bool(re.search(r"[.?!,;]", question)) \
        and sum(" " not in t for t, _ in analysis.terms) >= STORY_WORDS

    def whole(hit: Hit) -> bool:
        if not phrases or hit.coverage < WHOLE_COVERAGE:
            return False
        text = f" {' '.join(_read_words(search, hit.text))} "
        return all(f" {p} " in text for p in phrases)

    def close_enough(hit: Hit) -> bool:
        if hit.score < (MIN_SCORE_WHOLE if whole(hit) else MIN_SCORE):
            return False
        if on_topic(hit):
            return hit.coverage >= min_coverage or (
                story and hit.score >= STRONG_SCORE and hit.coverage >= STRONG_MIN_COVERAGE)
        leads = min_coverage <= best_on_topic and hit.coverage >= OFF_TOPIC_LEAD * best_on_topic
        return hit.coverage >= off_topic or leads

    return [h for h in hits if close_enough(h)]


def _phrases(analysis: QueryAnalysis) -> List[str]:
    """The phrases that hold all of a short question's content words ("nước sạch" in "nuoc sach thi sao"),
    longest first; none when a word stands alone."""
    terms = analysis.terms
    words = {t for t, _ in terms if " " not in t}
    spans = sorted((t for t, _ in terms if " " in t and t.split()[0] in words and t.split()[-1] in words),
                   key=lambda t: -len(t.split()))
    chosen: List[str] = []
    for span in spans:
        if not set(span.split()) <= {w for c in chosen for w in c.split()}:
            chosen.append(span)
    covered = {w for c in chosen for w in c.split()}
    return chosen if words and words <= covered else []


def best_hits(search: ProvisionSearch, question: str, intent: Optional[str], locality: str,
              groups: Sequence[str] = (), kinds: Sequence[str] = ()) -> Tuple[List[Hit], bool]:
    """Hits for the user's locality, else another locality's labelled as such; and whether
    they come from another locality.

    The user's plan answers first, but a provision off the intent's topic must fit closely;
    then other plans on the topic; then looser matches in the user's plan; then other plans."""
    steps = [(locality, MIN_COVERAGE, MIN_COVERAGE_ELSEWHERE), (None, MIN_COVERAGE_ELSEWHERE, math.inf),
             (locality, MIN_COVERAGE, MIN_COVERAGE), (None, MIN_COVERAGE_ELSEWHERE, MIN_COVERAGE_ELSEWHERE)]
    for loc, on_topic, off_topic in steps:
        hits = [h for h in ranked(search, question, intent, loc, groups, on_topic, off_topic, kinds=kinds)
                if loc or h.locality != locality]
        if hits:
            return hits, loc is None
    return [], False


def names_policy(search: ProvisionSearch, text: str) -> bool:
    """"hỗ trợ cho hộ nghèo ở tphcm": a group or topic named besides the place makes it a question."""
    analysis = search.analyze(text)
    return bool(analysis.groups or analysis.topics)


def asks_own_question(search: ProvisionSearch, text: str) -> bool:
    """Whether a message parsed as choosing a place is really a question of its own: it says
    much more than the place ("nhà tôi ở ven kênh rạch ở Sài Gòn, có chương trình di dời
    không?") and a provision covers it closely."""
    hits, analysis = search.index().search(text, limit=3)
    words = [t for t, _ in analysis.terms if " " not in t and t not in QUESTION_FRAME]
    # "tầm nhìn 2045 của Càng Long là gì": fewer words, each of them in one provision
    return len(words) >= MIN_OWN_QUESTION_WORDS and any(
        h.score >= MIN_SCORE and h.coverage >= MIN_COVERAGE_ELSEWHERE for h in hits) or len(words) >= 2 and any(
        h.score >= MIN_SCORE and h.coverage >= WHOLE_COVERAGE for h in hits)


def _buttons_after_answer(has_more: bool) -> Dict[str, str]:
    out: Dict[str, str] = {}
    if has_more:
        out[T.BUTTON_MORE] = "/more"
    out[T.BUTTON_FOLLOW] = "/subscribe"
    out[T.BUTTON_OTHER_TOPIC] = "/help"
    out[T.BUTTON_HUMAN] = "/ask_human"
    return out


# What a message routed to help, out of scope, a person or the screener says to ask for that,
# folded; what remains is read for a policy question of its own.
# How people ask for the rest of an answer ("xem thêm", "còn gì nữa không"), set aside before asking
# whether the message also holds a question of its own.
_MORE_WORDS = ("xem them", "con gi nua", "noi ro hon", "chi tiet hon", "them nua", "con nua", "noi them",
               "giai thich them", "day du", "het noi dung", "tiep tuc")
REQUEST_WORDS = {
    "ask_human": ("gap can bo", "gap truc tiep", "can bo", "nguoi that", "nhan vien", "noi chuyen", "tu van vien",
                  "tong dai", "gap nguoi", "chuyen cho", "lien he truc tiep", "gap", "cho toi", "muon"),
    "help": ("huong dan", "giup toi", "giup em", "ban lam duoc gi", "hoi gi", "cach su dung", "cach hoi", "giup"),
    "ask_eligibility": ("duoc huong nhung gi", "duoc huong gi", "huong nhung che do gi", "duoc nhung gi",
                        "che do gi", "quyen loi gi", "duoc ho tro nhung gi", "toi duoc gi", "huong gi",
                        "nhung chinh sach gi", "chinh sach gi"),
    "out_of_scope": (),
    # A greeting or thanks may carry a question ("cảm ơn, thế còn hộ cận nghèo?"): it is answered.
    "greet": ("xin chao", "chao", "hello", "hi", "alo", "ad oi", "ban oi", "bot oi"),
    "thanks": ("cam on", "cam on nhieu", "thank", "thanks", "ok", "oke", "nhe", "nha"),
    # After a question the rules send a goodbye here: "thời hạn?" may be a follow-up the classifier misread.
    "goodbye": ("tam biet", "bye", "chao", "hen gap lai", "gap lai", "thoi nhe", "di day", "off", "out"),
}
# What asks about one's own case, which the screener answers: what a person or their family is entitled to
# ("được hưởng gì", "đủ điều kiện", "thuộc diện nào", "trường hợp của tôi"). Pronouns alone do not say it, and
# fold like other words ("tôi" and "tới").
_SCREENER_CUES = re.compile(
    r"\b(?:truong hop|hoan canh|dieu kien|doi tuong nao|dien nao|duoc (?:nhung )?(?:gi|j)|ho tro (?:nhung )?(?:gi|j)"
    r"|ho tro nao|cho (?:nhung )?(?:gi|j)|duoc nhung|che do|huong(?! toi| den| ve)|quyen loi|chinh sach (?:gi|j|nao)"
    r"|(?:toi|minh|em) co duoc|biet minh)\b")
_ASKS_TARGET = re.compile(r"\bchi tieu\b")
_SHORT_TARGET_QUESTION = 12  # words
# What a request for a person cannot be asking besides: a figure, a date, a legal basis, a source of money.
_ASKED_OF_PLANS = ("figure", "time", "legal_basis", "funding")
_REFERENCE = re.compile(r"\b(quyet dinh|nghi dinh|nghi quyet|chuong trinh|ke hoach|de an|thong tu)\b")


def policy_question(search: ProvisionSearch, text: str, intent: Optional[str]) -> bool:
    """Whether a message the classifier sent to help, out of scope, a person or the screener also
    asks a policy question of its own: it names a topic or group (the screener: a topic), a
    programme or decision, or words a provision covers closely (the whole message, or its asking
    part after a story: "…thuê trọ không, kiếm nhà trọ giá rẻ khó quá")."""
    focus = question_focus(text)
    return any(_asks_policy(search, part, intent) for part in ([text, focus] if focus else [text]))


def _asks_policy(search: ProvisionSearch, text: str, intent: Optional[str]) -> bool:
    rest = normalize(text)
    for phrase in {**REQUEST_WORDS, "more": _MORE_WORDS}.get(intent or "", ()):
        rest = re.sub(rf"\b{phrase}\b", " ", rest)
    index = search.index()
    analysis = index.analyze(rest)
    if analysis.topics or (analysis.groups and intent != "ask_eligibility"):
        return True
    if _REFERENCE.search(rest) and re.search(r"\d", rest):
        return True
    words = [t for t, _ in analysis.terms if " " not in t and t not in QUESTION_FRAME]
    if len(words) < 2:
        return False
    if intent == "ask_human" and asked(text).element in _ASKED_OF_PLANS and is_question(text):
        return True  # "Cán bộ ấp … nè. Bà con hỏi huyện có tăng giường bệnh tới 2030 hông, bao nhiêu?"
    hits, _ = index.search(rest, limit=1)
    return bool(hits) and hits[0].score >= MIN_SCORE and hits[0].coverage >= MIN_COVERAGE_ELSEWHERE


def respond(turn: Turn, search: ProvisionSearch, today: Optional[dt.date] = None) -> Reply:
    """Retrieval first: a message with a policy question is answered from the KB whatever the
    classifier thought; help, out of scope, a person and the screener take over only when the
    message asks for them and nothing more."""
    intent = turn.intent
    if not turn.text.startswith("/") and _checking(turn, search):
        reading = read(turn, search)
        if _confirmed(turn, search, reading) is not None:
            return answer_question(Turn(turn.text, None, turn.entities, turn.slots), search, today, reading)
    if intent in TAKEN_BY_FOLLOW_UPS and not turn.text.startswith("/"):
        reading = read(turn, search)
        if reading.follow is not None:
            # "còn 2020?", "tới 2020 thì sao": a short follow-up the classifier took for something else.
            return answer_question(Turn(turn.text, None, turn.entities, turn.slots), search, today, reading)
        if intent in ("out_of_scope", "help"):
            # "có nói gì tới chỗ uống methadone không?" after a question on HIV: a question read with the last one
            leaning = _answered_in_context(Turn(turn.text, None, turn.entities, turn.slots), search, reading, today,
                                           intent)
            if leaning is not None:
                return leaning
    if intent == "screener_answer":  # a screener button pressed after the screener ended: start again
        return start_screener(turn)
    if intent == "feedback" and not turn.text.startswith("/") and (
            asked(turn.text).element is not None
            or is_question(turn.text) and policy_question(search, turn.text, intent)):
        # "cụ thể được giảm thuế bao nhiêu?" asks for a figure, "Đức Phổ có chi trả không dùng tiền mặt không?"
        # asks about a policy: questions, not comments on the answer.
        intent, turn = None, Turn(turn.text, None, turn.entities, turn.slots)
    if intent == "feedback":
        reply = Reply(answered=False, is_question=False, outcome="feedback")
        reply.say(T.FEEDBACK)
        return reply
    if intent == "ask_eligibility" and not turn.text.startswith("/"):
        place = _place(search, turn.text)
        if place is not None and place.status == "none":
            return answer_question(Turn(turn.text, None, turn.entities, turn.slots), search, today)
    if intent == "ask_eligibility" and not turn.text.startswith("/") \
            and not _SCREENER_CUES.search(normalize(turn.text)):
        # "trẻ tự kỷ có được nhắc tới không": nobody's own case is asked, so no screener; the plans are searched.
        intent, turn = None, Turn(turn.text, None, turn.entities, turn.slots)
    if intent in REQUEST_WORDS and (turn.text.startswith("/") or not policy_question(search, turn.text, intent)
                                    or intent == "goodbye" and not is_question(turn.text)):
        if intent == "ask_human":
            return handoff(turn, search)
        if intent == "ask_eligibility":
            return start_screener(turn)
        reply = Reply(is_question=False, outcome=intent)
        reply.utter(f"utter_{intent}")
        return reply
    if intent in REQUEST_WORDS:
        turn = Turn(turn.text, None, turn.entities, turn.slots)
    if turn.slots.get("handoff_pending") and (intent == "choose_locality" or turn.entity("locality")):
        return handoff(turn, search)
    return answer_question(turn, search, today)


def start_screener(turn: Turn) -> Reply:
    """"Tôi được hưởng những gì?": the screener's form starts afresh (its earlier answers cleared); a place
    the message names is its locality."""
    reply = Reply(is_question=False, outcome="screener", form=SCREENER_FORM)
    reply.say(T.SCREENER_INTRO)
    reply.slots.update({step: None for step in SCREENER_STEPS})
    named = turn.entity("locality")
    if named:
        reply.slots["locality"] = named
    return reply


# Intents whose own behaviour yields to a short follow-up of the last answer.
TAKEN_BY_FOLLOW_UPS = ("feedback", "help", "out_of_scope", "ask_eligibility", "ask_human", "greet", "thanks",
                       "goodbye")


@dataclass(frozen=True)
class Reading:
    """What a message says before it is answered: its question (a relayed preamble dropped), the
    places it names, and the earlier question it leans on, if any."""

    question: str
    named: Optional[str]          # the locality entity
    mentioned: List[str]          # catalogue localities its words name
    place: Optional[PlaceMatch]   # the gazetteer's place, when no catalogue locality is named
    place_words: List[str]
    follow: Optional[Rewritten]
    place_phrases: List[str] = field(default_factory=list)


# Place abbreviations that are also common words: "ct" is Cần Thơ, and chương trình ("ct của Thành ủy tp HCM").
_AMBIGUOUS_PLACES = re.compile(r"(?i)\bct\b")


def _places_named(turn: Turn, search: ProvisionSearch) -> Tuple[Optional[str], List[str]]:
    """The locality entity and the catalogue localities the words name; an ambiguous abbreviation
    counts only when nothing else names a place."""
    values = turn.entity_values("locality")
    clear = [v for v in values if not _AMBIGUOUS_PLACES.fullmatch(v.strip())]
    mentioned = search.analyze(turn.text).localities
    if len(mentioned) > 1 or (clear and len(clear) < len(values)):
        mentioned = search.analyze(_AMBIGUOUS_PLACES.sub(" ", turn.text)).localities or mentioned
    return (clear or values or [None])[0], mentioned


# A correction: "không, ý tôi là bảo hiểm xã hội chứ không phải y tế" asks of what it means, not of what it denies.
_MEANT = re.compile(r"^(?:(?:khong|ko|k|hong|khong phai)\W+)?y (?:toi|em|minh|tui|anh|chi|con|chau) (?:la|hoi(?: la)?)\W+")
_DENIED = re.compile(r"\W*\b(?:chu|cho) (?:khong|ko|k|hong) phai\b.*$")


def corrected(text: str) -> str:
    """``text`` without the frame of a correction ("không, ý tôi là …") and what it denies ("… chứ không phải y tế")."""
    folded = fold(text).lower()
    if len(folded) != len(text):
        text = folded
    start = _MEANT.match(folded)
    denied = _DENIED.search(folded)
    end = denied.start() if denied and denied.start() > (start.end() if start else 0) else len(text)
    return text[start.end() if start else 0:end].strip() or text


def read(turn: Turn, search: ProvisionSearch) -> Reading:
    question = corrected(relayed_question(turn.text))
    named, mentioned = _places_named(turn, search)
    index = search.index()
    place = None if (named or mentioned) else _place(search, turn.text)
    if not (named or mentioned or place):
        # "Quyết định 527 có hỗ trợ …", "chương trình của Thị ủy …": the plan so named is its locality's
        mentioned = [p for p in [index.plan_names.locality(turn.text)] if p]
    if (named or mentioned) and index.places is not None:
        # "Tui ở Sóc Trăng cũ, giờ nhập vô Cần Thơ": the named plan answers; a place in its province outside the
        # territory it was written for is still said.
        plan = catalogue_key(search, "locality", named) if named else mentioned[0]
        place = index.places.outside_territory(turn.text, plan) if plan else None
    # Only the words naming the place count as replaced in a follow-up, not the whole message.
    place_phrases = _place_phrases(search, turn.text, named, place) if (named or mentioned or place) else []
    place_words = [w for phrase in place_phrases for w in phrase.split()]
    element = asked(question).element
    follow = rewrite(search.index(), question, turn.slots.get("last_question"), place_words,
                     detail=element is not None,
                     refers_back=element in ("agency", "legal_basis", "procedure", "time", "funding", "group"))
    return Reading(question, named, mentioned, place, place_words, follow, place_phrases)


def handoff(turn: Turn, search: ProvisionSearch) -> Reply:
    """A request for a person: the resident's last real question goes to the clerks of their
    locality (asked for first when unknown); pressing the button again records nothing new."""
    reply = Reply(answered=False, is_question=False, outcome="handoff")
    # respond() answers a request that also asks a policy question; what reaches here hands over
    # the question waiting for a locality, else the last one asked.
    question = turn.slots.get("handoff_pending") or turn.slots.get("last_question") or turn.text
    if question.startswith("/"):
        question = turn.slots.get("last_question") or ""
    named = turn.entity("locality")
    locality = catalogue_key(search, "locality", named or turn.slots.get("locality"))
    if locality is None:
        reply.outcome = "ask_locality"
        reply.say(T.HANDOFF_ASK_LOCALITY, locality_buttons(search))
        reply.slots["handoff_pending"] = question or (REQUEST_ONLY if turn.text.startswith("/") else turn.text)
        return reply
    if named:
        reply.slots["locality"] = named
    reply.slots["handoff_pending"] = None
    reply.locality_key = locality
    if question and turn.slots.get("handoff_for") == question:
        reply.say(T.HANDOFF_ALREADY)
        return reply
    # A button's payload is never the question: a request with nothing asked before is recorded as such.
    reply.handoff_question = question or (REQUEST_ONLY if turn.text.startswith("/") else turn.text)
    reply.slots["handoff_for"] = question
    reply.say(T.HANDOFF)
    return reply


_RELAYED = re.compile(r"^(?P<who>[^:?]{0,120}?\b(?:nhờ|nho|hỏi|hoi|chuyển|chuyen)\b[^:?]{0,40}):\s*(?P<q>\S.+)$",
                      re.IGNORECASE | re.DOTALL)


# "Em là cán bộ xã …, có cô hỏi là …": someone who asks, then "hỏi là/rằng" before the question, no colon.
_RELAYED_SAYING = re.compile(
    r"^(?P<who>[^:?]{0,120}?\b(?:có|co|một|mot)\s+(?:người(?: dân)?|nguoi(?: dan)?|cô|co|chú|chu|bác|bac|anh|chị|chi"
    r"|bà|ba|ông|ong|bạn|ban|hộ|ho)\b[^:?]{0,40}?\b(?:hỏi|hoi)\s+(?:là|la|rằng|rang))[\s,]+(?P<q>\S.+)$",
    re.IGNORECASE | re.DOTALL)


def relayed_question(text: str) -> str:
    """The citizen's own question in a relayed message ("Một chị ở phường X nhờ hỏi: …", "Em là cán bộ
    xã, có cô hỏi là …"); the preamble still names the place, which is read from the whole message."""
    match = _RELAYED.match(text.strip()) or _RELAYED_SAYING.match(text.strip())
    return match.group("q") if match else text


def _names_place(turn: Turn, search: ProvisionSearch) -> bool:
    named, mentioned = _places_named(turn, search)
    return bool(named or mentioned) or _place(search, turn.text) is not None


def _place(search: ProvisionSearch, text: str) -> Optional[PlaceMatch]:
    places = search.index().places
    return places.find(text) if places is not None else None


def answer_question(turn: Turn, search: ProvisionSearch, today: Optional[dt.date] = None,
                    reading: Optional[Reading] = None) -> Reply:
    """A policy question (or an unsure parse): the best provision, cited, for the user's locality,
    when it holds what was asked; otherwise what the plan does not say, and the nearest provisions."""
    reading = reading or read(turn, search)  # the caller may have read it already
    asking = _asking(turn, search, reading)
    if isinstance(asking, Reply):  # a place without a plan, or the locality still to ask or just noted
        return asking
    want = _wanted(search, turn, reading, asking)
    found = _found(turn, search, reading, asking, want)
    if not found.holding and want.year and found.hits and _made_by(found.hits[0], want.year):
        # "hồi 2012 tp HCM tính hộ nghèo theo chuẩn nào", "kế hoạch ĐN 2022 nói…": the year the plan was
        # made, not a year its figures are set for.
        want = replace(want, year=None)
        found = _found(turn, search, reading, asking, want)
    confirmed = _confirmed(turn, search, reading)
    if confirmed is not None:
        # "tức là ai có nhu cầu cũng được vay hết hả": the last answer, shown again to check against when it holds
        # what the resident understood; "vậy là miễn phí hả" of an answer that says nothing of fees: not stated
        want = Asked(None)
        held = _understood_from(search, confirmed, reading.question)
        found = _Found([confirmed], False, [confirmed] if held else [], False, [])
    elif reading.follow is not None and not found.holding:
        reading, asking, want, found = _on_its_own(turn, search, reading, asking, want, found)
    elif reading.follow is None and not found.hits and not reading.place_words:
        reading, asking, want, found = _in_context(turn, search, reading, asking, want, found)
    if not found.hits or found.national and not found.holding:
        return _declined(asking, found)
    return _presented(search, reading, asking, want, found, today)


# A resident checking what they understood: "tức là … hả", "vậy là … đúng không", "nghĩa là … phải không".
_CONFIRMING = re.compile(r"^(?:(?:the|vay|nhu vay|nhu the) )?(?:tuc la|vay la|nghia la|the la|co nghia la)\b.*"
                         r"\b(?:ha|ho|hen|phai (?:khong|ko|k|hong)|dung (?:khong|ko|k|hong|hem|hok)|luon ha|luon a)\W*$")


def _checking(turn: Turn, search: ProvisionSearch) -> bool:
    """Whether the message is put as checking the last answer ("tức là … hả"), there being one."""
    return bool(turn.slots.get("last_answer")) and turn.slots["last_answer"] in search.index().by_id \
        and bool(_CONFIRMING.search(normalize(turn.text)))


def _confirmed(turn: Turn, search: ProvisionSearch, reading: Reading) -> Optional[Hit]:
    """The last answer, when the message checks what the resident understood of it and names no other place, group
    or detail asked (a different group, "vậy là hộ cận nghèo cũng được hả", asks again for that group)."""
    if not _checking(turn, search):
        return None
    previous = search.index().by_id[turn.slots["last_answer"]]
    if reading.named or reading.mentioned or reading.place is not None \
            or asked(reading.question).element not in (None, "figure"):
        return None
    family = {g for key in previous.groups for g in search.index().aliases.group_family(key)}
    named = search.index().analyze(reading.question).groups
    return previous if all(g in family for g in named) else None


def _understood_from(search: ProvisionSearch, hit: Hit, question: str) -> bool:
    """Whether the hit holds a third or more of the words of what a resident says they understood from it: "ai có
    nhu cầu cũng được vay" of "sinh viên có nhu cầu được hỗ trợ vay vốn", "năm nào cũng ít nhất 50 tỷ" of "mỗi năm …
    từ 50 tỷ đồng đến 70 tỷ đồng" (which corrects it); not "vậy là miễn phí hả" of a health check."""
    words = [w for w in own_words(" ".join(search.index().query_words(question)), []) if w not in _CHECKING]
    held = _words_held(search, hit.text) | set(re.findall(r"\d+", hit.text))
    return bool(words) and 3 * sum(w in held for w in words) >= len(words)


_CHECKING = frozenset("phai dung luon di".split())  # "… đi khám … phải ko", "… đúng ko", "… luôn hả"


def _made_by(hit: Hit, year: str) -> bool:
    """Whether ``year`` is no later than the year the hit's plan was issued."""
    issued = re.findall(r"\b(?:19|20)\d{2}\b", hit.date_label)
    return bool(issued) and int(year) <= int(issued[-1])


# A provision stating the criterion a threshold belongs to ("theo tiêu chí thu nhập…", "chuẩn nghèo").
_CRITERION = re.compile(r"\b(?:tieu chi|chuan (?:ngheo|can ngheo|ho ngheo|thu nhap))\b")
# Words pointing back at what was just asked about ("hỗ trợ khoản đó", "vụ này", "như vậy").
_POINTS_BACK = re.compile(r"\b(?:khoan|cai|vu|muc|che do|chinh sach|quy) (?:do|nay|ni|kia|tren)\b|\bnhu (?:vay|the|tren)\b")


def _on_its_own(turn: Turn, search: ProvisionSearch, reading: Reading, asking: _Asking, want: Asked,
                found: _Found) -> Tuple[Reading, _Asking, Asked, _Found]:
    """A follow-up reading that finds nothing that answers yields to the message read on its own, when
    that finds an answer on the same subject (the topic the message names, else the last question's):
    "còn thất nghiệp ở thành thị tính giảm còn nhiêu" after a question on loans."""
    if _POINTS_BACK.search(normalize(reading.question)):
        return reading, asking, want, found  # "khoản đó" is the last question's subject: not a question alone
    message = search.analyze(reading.question)
    if message.groups and not message.topics and asks_yes_no(reading.question) and want.element is None \
            and not _WHAT_ASKED.search(normalize(reading.question)) \
            and not content_words(search.index(), reading.question, reading.place_words):
        # "hộ cận nghèo có được không?": the last question's subject asked for another group, not whatever the plan
        # gives that group
        return reading, asking, want, found
    alone = replace(reading, follow=None)
    asked_alone = _asking(turn, search, alone)
    if isinstance(asked_alone, Reply):
        return reading, asking, want, found
    want_alone = _wanted(search, turn, alone, asked_alone)
    found_alone = _found(turn, search, alone, asked_alone, want_alone)
    topics = set(message.topics) or set(search.analyze(turn.slots.get("last_question") or "").topics)
    # on the same subject: the topic, or the message's own words ("tiêm chủng" after health insurance; a message
    # naming a group, "thế bà bầu thuộc hộ nghèo có ko", asks the last subject for it)
    own = not message.groups \
        and _holds_own_words(search, found_alone.holding[0], reading.question, least=2, every=True) \
        if found_alone.holding else False
    if found_alone.holding and (not topics or topics & set(found_alone.holding[0].topics) or own):
        return alone, asked_alone, want_alone, found_alone
    return reading, asking, want, found


def _own_subject(search: ProvisionSearch, text: str, place_words: List[str]) -> Dict[str, float]:
    """What a message asks about in words of its own (not its places, names or request words), by idf."""
    index = search.index()
    return {_spelled(t): index.idf.get(t, index.max_idf)
            for t in content_words(index, text, place_words) if not t.isdigit()}


def _holds_own_words(search: ProvisionSearch, hit: Hit, text: str, least: int = 1, every: bool = False) -> bool:
    """Whether the hit holds what the message asks about in words of its own (at least ``least`` of them; most
    of them by idf, or ``every`` one), and every figure it names."""
    words = _own_subject(search, text, [])
    figures = re.findall(r"\d+", normalize(text))
    held = words.keys() <= _words_held(search, hit.text) if every else _on_subject(search, hit, words)
    return len(words) >= least and held and all(f in hit.text for f in figures)


def _in_context(turn: Turn, search: ProvisionSearch, reading: Reading, asking: _Asking, want: Asked,
                found: _Found) -> Tuple[Reading, _Asking, Asked, _Found]:
    """A short question on words of its own that finds nothing on its own yields to it read with the last
    question, when that finds an answer: "có cấm khoan giếng không ạ" after a question on clean water. One asking
    a detail (a figure, an agency, a procedure) the plan does not give is left not found."""
    last = turn.slots.get("last_question")
    folded = normalize(reading.question)
    if not last or len(folded.split()) > MAX_FOLLOW_UP_WORDS or not is_question(reading.question) \
            or asked(reading.question).element is not None:
        return reading, asking, want, found
    leaning = replace(reading, follow=Rewritten(f"{normalize(last)} {folded}", last))
    asked_with = _asking(turn, search, leaning)
    if isinstance(asked_with, Reply):
        return reading, asking, want, found
    want_with = _wanted(search, turn, leaning, asked_with)
    found_with = _found(turn, search, leaning, asked_with, want_with)
    # the answer holds the message's own words ("quỹ"; not "ký" in "ai ký?") and any figure it names
    if found_with.holding and _holds_own_words(search, found_with.holding[0], reading.question):
        return leaning, asked_with, want_with, found_with
    return reading, asking, want, found


def _answered_in_context(turn: Turn, search: ProvisionSearch, reading: Reading,
                         today: Optional[dt.date], intent: Optional[str]) -> Optional[Reply]:
    """The answer to a question that finds nothing on its own, or too little to be taken for a policy question
    ("đầu tư những gì z" after a question on new rural areas), read with the last question; None when there is
    none (see ``_in_context``)."""
    asking = _asking(turn, search, reading)
    if isinstance(asking, Reply):
        return None
    want = _wanted(search, turn, reading, asking)
    found = _found(turn, search, reading, asking, want)
    if found.hits and policy_question(search, turn.text, intent):
        return None
    leaning, asking, want, found = _in_context(turn, search, reading, asking, want, found)
    return _presented(search, leaning, asking, want, found, today) if leaning is not reading else None


@dataclass
class _Asking:
    """The question to answer once the place and any earlier question it leans on are known."""

    question: str
    intent: Optional[str]
    remembered: Optional[str]  # the earlier question a follow-up rewrote, kept for the next follow-up
    remembered_intent: Optional[str]  # its intent: a detail asked ("theo nghị định nào?") keeps the earlier one
    choosing: bool  # the message chose a place for the question asked before
    locality: str
    locality_name: Optional[str]
    slots: Dict[str, Any]  # the locality the reply remembers


@dataclass
class _Found:
    """What the knowledge base holds for the question."""

    hits: List[Hit]
    other: bool  # the hits are from another plan than the resident's
    holding: List[Hit]  # the hits that hold the element, group and place asked
    national: bool  # a national rule outside the plans (pensions, contribution rates…)
    asked_groups: List[str]


def _new_subject(question: str, last: Optional[str], place_words: List[str]) -> bool:
    """"Càng Long có nói tuổi thọ bình quân hông" after a question on malnutrition: a question with words of its
    own besides the place, not the last question asked of another plan."""
    if not last or not is_question(question):
        return False
    new = set(own_words(question, place_words)) - set(normalize(last).split()) - DETAIL_WORDS
    return len(new) >= MIN_NEW_SUBJECT_WORDS


def _asking(turn: Turn, search: ProvisionSearch, reading: Reading) -> Any:
    """The question and its locality (an ``_Asking``), or the reply when there is none to answer yet."""
    reply = Reply()
    question, intent = reading.question, turn.intent
    named, mentioned, place, follow = reading.named, reading.mentioned, reading.place, reading.follow
    if intent == "choose_locality" and (asks_own_question(search, question) or names_policy(search, question)
                                        or _new_subject(question, turn.slots.get("last_question"), reading.place_words)
                                        or is_question(question) and asked(question).element is not None):
        intent = None  # a question that also names the place: answer it
    choosing = intent == "choose_locality"
    if choosing and not named and follow:
        choosing, intent = False, None  # "theo nghị định nào?" read as choosing a place: a follow-up
    if choosing and not named and not mentioned and place is None and turn.slots.get("locality"):
        choosing, intent = False, None  # "thành thị thì sao?" names no place, and the place is known: a question
    if choosing:
        if not named:
            reply.is_question = False
            reply.outcome = "ask_locality"
            reply.say(T.ASK_LOCALITY, locality_buttons(search))
            return reply
        if turn.slots.get("last_question"):
            question, intent = turn.slots["last_question"], turn.slots.get("last_intent")
    remembered = remembered_intent = None
    if follow and not choosing:
        keep_intent = intent in (None, "nlu_fallback", "choose_locality") or intent not in INTENT_KINDS
        question, remembered = follow
        if keep_intent and set(search.analyze(reading.question).topics) \
                - set(search.analyze(turn.slots.get("last_question") or "").topics):
            keep_intent, intent = False, None  # "còn bảo hiểm xã hội thì răng?" after BHYT: not the last topic's
        intent = turn.slots.get("last_intent") if keep_intent else intent
        remembered_intent = intent if follow.question == follow.remembered else turn.slots.get("last_intent")
    if place is not None and place.status == "none":
        reply.is_question, reply.answered, reply.outcome = True, False, "places"
        known = ", ".join(locality_names(search).values())
        reply.say(T.NO_PLAN_PLACE.format(place=place.name, known=known), locality_buttons(search))
        reply.slots.update(last_question=question, last_intent=intent)
        return reply
    locality_name = named or turn.slots.get("locality")
    locality = catalogue_key(search, "locality", named) if named else None
    if locality is None and mentioned:
        locality, locality_name = mentioned[0], locality_names(search).get(mentioned[0], mentioned[0])
    if locality is None and place is not None:
        locality, locality_name = place.locality, locality_names(search).get(place.locality)
    if locality is None:
        locality = catalogue_key(search, "locality", locality_name)
    if named and locality is None:
        reply.is_question, reply.outcome = False, "ask_locality"
        known = ", ".join(locality_names(search).values())
        reply.say(T.UNKNOWN_LOCALITY.format(name=named, known=known), locality_buttons(search))
        reply.slots.update(last_question=question, last_intent=intent)
        return reply
    if choosing and not turn.slots.get("last_question"):
        reply.is_question, reply.outcome = False, "ask_locality"
        reply.say(T.LOCALITY_NOTED.format(name=locality_names(search).get(locality, named)))
        reply.slots["locality"] = locality_names(search).get(locality, named)
        return reply
    if locality is None:
        reply.is_question, reply.outcome = False, "ask_locality"
        reply.say(T.ASK_LOCALITY, locality_buttons(search))
        reply.slots.update(last_question=question, last_intent=intent)
        return reply
    slots: Dict[str, Any] = {}
    if named:
        # the plan's own name: "Càng Long, Trà Vinh" is read through its words once, not again each turn
        slots["locality"] = locality_names(search).get(locality, named) if locality else named
    elif locality_name and (mentioned or place is not None):
        slots["locality"] = locality_name
    return _Asking(question, intent, remembered, remembered_intent, choosing, locality, locality_name, slots)


def _wanted(search: ProvisionSearch, turn: Turn, reading: Reading, asking: _Asking) -> Asked:
    """What kind of answer the question asks for, a follow-up's element and year read in context."""
    follow, choosing = reading.follow, asking.choosing
    want = asked(asking.question)
    own = asked(reading.question) if follow else want
    if own.element is not None and own.element != want.element:
        # The element the follow-up itself asks ("giai đoạn mấy năm?"), not one the last question asked.
        want = replace(want, element=own.element, unit=own.unit, body=own.body)
    elif follow and own.element is None and follow.question != follow.remembered and points_back(reading.question):
        # "có đặt chỉ tiêu cho bớt mấy vụ này không?" after who checks food safety: it asks its own thing of that
        # subject, not who again
        want = replace(want, element=None, unit=None, body=None)
    elif follow and own.element is None and want.element is not None and asks_yes_no(reading.question) \
            and content_words(search.index(), reading.question, reading.place_words):
        # "ở Đức Phổ có hỗ trợ đóng ko" after a rate asked: whether the plan does what the message names, not the
        # last question's figure
        want = replace(want, element=None, unit=None, body=None)
    if follow and want.element == "legal_basis" and own.element == "legal_basis":
        want = replace(want, body=own.body)  # the kind of text this message names, not the last one's
    if (follow or choosing) and want.year and want.year not in normalize(turn.text):
        # The year came with the earlier question; asked again for another place or group, the
        # plan's own period answers.
        want = replace(want, year=None)
    if follow and own.after:  # "thế sau 2025 thì sao": the years after it, which the rewritten question loses
        want = replace(want, year=own.year, after=True)
        if own.element is None:
            # what the plan says of those years, whatever the last question asked ("sau năm 2015 sẽ quyết định theo
            # hướng tăng nguồn lực"); "sau 2015 thì mỗi năm bao nhiêu?" still asks a figure
            want = replace(want, element=None, unit=None, body=None)
    if follow and want.element == "time" and want.unit is None:
        want = replace(want, unit="date")
    if follow and not choosing and not reading.place_words and not want.year \
            and follow.question == follow.remembered and asked(reading.question).element is None \
            and not _ASKS_TARGET.search(normalize(reading.question)):
        # "thế hộ người có công?", "cấp 2 thì sao?": the element came with the earlier question; for the
        # new group or level the plan's provision on it answers, whatever it states (a new place or year
        # still asks for it: "Cần Thơ có vậy không?", "năm 2025 thì sao?").
        want = replace(want, element=None, unit=None)
    elif follow and want.element == "figure" and want.year and asked(reading.question).element is None:
        # "tới 2020 thì sao" after a percentage: the plan's figure for that year, in whatever unit it is set.
        want = replace(want, unit=None)
    return want


def _found(turn: Turn, search: ProvisionSearch, reading: Reading, asking: _Asking, want: Asked) -> _Found:
    """The provisions for the question in its locality, ranked, and those that hold what was asked."""
    question, intent, locality = asking.question, asking.intent, asking.locality
    # A follow-up naming a group asks about that group ("bà bầu thì sao?"), not the others of the last question.
    message = search.analyze(reading.question)
    named_groups = message.groups if reading.follow else []
    asked_groups = list(named_groups) or [k for k in search.analyze(question).groups]
    groups = turn.entity_values("group") + ([turn.slots["group"]] if turn.slots.get("group") else [])
    kinds = ("agency",) if want.element == "agency" else ()
    if want.element is not None and want.element not in _ELEMENTS_OF_KIND.get(intent or "", (want.element,)):
        # "áp dụng cho giai đoạn mấy năm" taken for a question on who is in charge: the element the words
        # ask for says more than the classifier's guess at the kind of provision.
        intent = None
    # "chương trình an sinh của Cần Thơ giai đoạn 2011-2015 có hỗ trợ tiền điện…": the words naming the plan
    # do not say what is asked, unless the plan itself is asked about (its legal basis, its date or period).
    about_plan = want.element in ("legal_basis", "time") or reading.follow is not None \
        or bool(re.search(r"\bso (?:nao|may)\b", normalize(question)))  # "chương trình … là số nào"
    query = question if about_plan else search.index().plan_names.without(without_plan_reference(question))
    if reading.follow is None and not asking.choosing:
        query = without_places(query, reading.place_phrases)
    elif reading.follow is not None and reading.place_words:
        # "còn ở Càng Long, tỷ lệ đó bao nhiêu?" after a question on Hòa Vang: no place says what is asked
        last = turn.slots.get("last_question") or ""
        query = without_places(query, _place_phrases(search, last, None, _place(search, last)) + reading.place_phrases)
    hits, other = best_hits(search, query, intent, locality, groups + asked_groups, kinds=kinds)
    if reading.follow is None and not kinds and _ASKS_TARGET.search(normalize(query)) \
            and len(normalize(query).split()) <= _SHORT_TARGET_QUESTION:
        # "Càng Long có đặt chỉ tiêu nước sạch không?": "chỉ tiêu" asks for a target, which plans set under a
        # heading and rarely write in the provision; searched as the kind of provision instead of as a word, a
        # target found there answers
        targets, elsewhere = best_hits(search, _ASKS_TARGET.sub(" ", normalize(query)), intent, locality,
                                       groups + asked_groups, kinds=("target",))
        if targets and not elsewhere and targets[0].kind == "target":
            hits, other = targets, False
    if want.unit == "income" and not other:
        # "thu nhập bao nhiêu thì là hộ nghèo": the provision stating the criterion, among the many that
        # repeat its threshold
        criterion, _ = best_hits(search, f"{query} tiêu chí chuẩn", intent, locality, groups + asked_groups)
        hits += [h for h in criterion if h.locality == locality and h.id not in {x.id for x in hits}]
        hits.sort(key=lambda h: not _CRITERION.search(normalize(h.text, chat=False)))
    if want.element == "funding" and reading.follow is None:
        # "tiền để làm … lấy ở đâu ra": the plans say "kinh phí", "ngân sách"; searched so, the resident's plan may
        # answer where the words alone ("lấy từ đâu") found another's
        money, elsewhere = best_hits(search, f"{query} kinh phí ngân sách", intent, locality, groups + asked_groups)
        if other and money and not elsewhere:
            hits, other = [], False
        if not other:
            hits += [h for h in money if h.locality == locality and h.id not in {x.id for x in hits}]
            hits.sort(key=lambda h: h.kind == "agency")  # where the money comes from, before who asks for it
    general = set(search.index().aliases.resolve("topic", "an sinh xã hội"))
    if want.element == "legal_basis" and reading.follow is None and _names_plan_only(message, question, general):
        # "kế hoạch … ban hành đầu năm 2022 dựa trên những văn bản nào": of the plan as a whole, whose own
        # basis (in its opening part) answers before a text grounding one of its parts
        # Among its opening bases, the one holding most of the question's words ("của Tỉnh ủy Quảng Ngãi"), else
        # the first, which the plan names as what it carries out before those it "also" does.
        asked_words = set(normalize(question).split()) - set(QUESTION_FRAME) - STOPWORDS - FRAME_WORDS
        order = {h.id: i for i, h in enumerate(search.index().hits_base)}
        idf = search.index().idf

        def own_basis(h: Hit) -> Tuple[bool, bool, float, int]:
            basis = h.kind == "legal_basis" and bool(general & set(h.topics))
            opening = basis and "mo dau" in fold(h.section).lower()
            held = sum(idf.get(w, 0.0) for w in asked_words & _words_held(search, h.text)) if opening else 0.0
            return not basis, not opening, -round(held, 1), order.get(h.id, 0) if opening else 0
        hits = sorted(hits, key=own_basis)
    if want.element == "time" and _names_plan_only(message, reading.question, general) \
            and (want.unit == "period" or re.search(r"\bgiai doan\b", normalize(reading.question))):
        # "chương trình (này) áp dụng cho giai đoạn nào?": the period of the plan as a whole, which its first
        # general provision giving a span of years states
        span = next((h for h in _plan_wide(search, locality, general) if _SPAN.search(h.text)), None)
        if span is not None:  # for everyone the plan covers, whatever group the conversation was about
            hits, other, asked_groups = [span] + [h for h in hits if h.id != span.id], False, []
    if want.element in ("document", "signer") or want.element == "time" and want.unit == "issued":
        # "văn bản đó chính thức chưa?", "Quyết định 527 do ai ban hành?", "chương trình đó ký ngày nào?": the
        # plan's opening provision on its aim, under the citation that answers (number, issuer, date, draft or not)
        opening = _plan_wide(search, locality, general)[:1]
        hits, other = opening + [h for h in hits if h.id not in {o.id for o in opening}], False
    if want.year and not _SPAN.search(reading.question) and not other and not any(want.year in h.text for h in hits):
        # "z tới 2045 thì sao": a year no provision found states (not a plan's period, "giai đoạn 2011-2015"),
        # which the plan names in its vision for everyone ("Tầm nhìn đến năm 2045, … bảo đảm an sinh xã hội
        # toàn diện"): that vision
        vision = [h for h in _plan_wide(search, locality, general) if want.year in h.text]
        hits = vision + hits
    listed = _LIST_ASKED.search(normalize(reading.question)) if reading.follow is None else None
    members = _MEMBERS_ASKED.search(normalize(reading.question))
    if (listed or members) and hits and not other and want.element != "legal_basis":
        # "được hưởng những nhóm chính sách gì", "đối tượng chính sách gồm những ai": among the provisions close to
        # the best, the one naming the asked word most ("các nhóm chính sách cơ bản cho người nghèo: …"), then
        # listing most, before one item
        head = listed.group(1).split()[0] if listed else members.group(1)
        close = [h for h in hits if h.score >= _LIST_CLOSE_SCORE * hits[0].score
                 and h.coverage >= hits[0].coverage - _LIST_CLOSE_COVERAGE]
        hits = sorted(close, key=lambda h: (-_named_times(head, h.text), -_separators(h.text))) \
            + [h for h in hits if h not in close]
    leans = reading.follow is not None or asking.choosing  # on the last answer: "thế hộ cận nghèo?", "Đà Nẵng"
    previous = search.index().by_id.get(turn.slots.get("last_answer") or "") if leans else None
    if previous is not None and previous.kind in _DETAIL_KINDS and want.element != previous.kind \
            and reading.place_words and turn.slots.get("last_question"):
        # "còn Đức Phổ đặt mục tiêu bao nhiêu?" after "cơ quan nào lo việc này?": the subject is the answer to
        # the question that one leaned on, not the agency that answered the detail
        leaned, _ = best_hits(search, turn.slots["last_question"], turn.slots.get("last_intent"), previous.locality)
        previous = next((h for h in leaned if h.locality == previous.locality and h.kind not in _DETAIL_KINDS),
                        previous)
    subject: Dict[str, float] = {}
    if previous is not None and reading.place_words and previous.locality != locality:
        # "Càng Long có chỉ tiêu kiểu vậy không?": the last answer asked again in another plan; the new
        # place's provision most like it when the question finds none there.
        like, elsewhere = best_hits(search, previous.text, intent, locality, groups + asked_groups, kinds=kinds)
        if like and not elsewhere and (not hits or other):
            hits, other = like, False
        # A message naming only the place ("Đức Phổ có vậy không?") asks about the same subject: the words of
        # the question the last answer held ("nước sạch", "thu hồi đất"); only a provision on it answers.
        subject = {} if own_words(reading.question, reading.place_words) \
            else _subject(search, question, previous, reading.place_words)
        if subject:
            on_it, _ = best_hits(search, " ".join(subject), intent, locality, groups + asked_groups, kinds=kinds)
            for extra in (like, on_it):
                hits += [h for h in extra if h.locality == locality and h.id not in {x.id for x in hits}]
    if previous is not None and want.element == "agency" and previous.locality == locality:
        hits, other = _companions(search, previous, hits, names_agency, _subject_phrase(search, reading)), False
    elif previous is not None and want.element == "funding" and previous.locality == locality:
        hits, other = _companions(search, previous, hits, holds_funding), False  # "tiền lấy từ đâu?"
    elif previous is not None and want.element == "legal_basis" and previous.locality == locality \
            and not set(own_words(reading.question, reading.place_words)) - _LEGAL_ASK_WORDS:
        # "theo quyết định nào?" after an answer that cites none: the plan's legal basis for its subject
        # (not when the message names the text it means: "nghị quyết đại hội nào").
        hits, other = _companions(search, previous, hits, cites_legal_basis), False
        if not any(holds(h, want, [], search.index().aliases) for h in hits):
            # no text grounds that subject in particular: the plan's own basis, which grounds all of it
            basis = [h for h in _plan_wide(search, locality, general) if h.kind == "legal_basis"]
            hits = basis + [h for h in hits if h.id not in {b.id for b in basis}]
    elif previous is not None and want.element == "time" and previous.locality == locality \
            and not set(own_words(reading.question, reading.place_words)) - _TIME_ASK_WORDS:
        if holds(previous, want, [], search.index().aliases):
            # "bao giờ làm vậy?" after an answer that says when ("… thực hiện từ năm 2024"): that answer
            hits, other = [previous] + [h for h in hits if h.id != previous.id], False
        else:  # else the provision of its own section that says when its tasks are done
            hits, other = _companions(search, previous, hits, lambda h: h.section == previous.section
                                      and holds(h, want, [], search.index().aliases)), False
    elif previous is not None and want.element == "group" and previous.locality == locality \
            and not set(own_words(reading.question, reading.place_words)) - _WHO_ASK_WORDS \
            and holds(previous, want, [], search.index().aliases):
        # "cái đó áp dụng cho ai?" after an answer naming whom it is for: that answer
        hits, other = [previous] + [h for h in hits if h.id != previous.id], False
    if previous is not None and not subject and named_groups and want.element is None \
            and not message.topics \
            and not content_words(search.index(), reading.question, reading.place_words):
        # "hộ cận nghèo có được hỗ trợ khoản đó hông?" after the co-payment for the poor: the same subject
        # asked for another group; a provision naming the group on another subject does not answer it.
        subject = _subject(search, question, previous, reading.place_words)
    if not subject and reading.follow is not None and not points_back(reading.question) \
            and not _THAT_FIGURE.search(normalize(reading.question)):
        # "giá nước có được giảm cho hộ nghèo không" after a question on water: what the message asks about
        # in words of its own must be in the answer, not only the group it names.
        words = _own_subject(search, reading.question, reading.place_words)
        if len(words) >= 2:
            subject = words
    aliases = search.index().aliases
    if named_groups and not subject:
        # "thế còn công nhân?": a provision naming the group in its own words before one only tagged with it.
        hits = sorted(hits, key=lambda h: not any(names_group(h, g, aliases) for g in named_groups))
    new_topics = set(message.topics) - set(search.analyze(turn.slots.get("last_question") or "").topics) \
        if reading.follow is not None else set()
    if new_topics and not subject:
        # "có sửa nhà cho người có công không" after their poverty target: a provision on housing first
        hits = sorted(hits, key=lambda h: not new_topics & set(h.topics))
    if subject:  # provisions on the subject first (stable: score order within each), and only they answer
        on_subject = {h.id for h in hits if _on_subject(search, h, subject)}
        hits = sorted(hits, key=lambda h: h.id not in on_subject)
    holding = [h for h in hits if holds(h, want, asked_groups, aliases)
               and (not subject or h.id in on_subject)] if not other else []
    if len(set(asked_groups)) > 1:
        # "hộ nghèo … con đi học": a provision for both groups (pupils of poor households) before one for either.
        holding.sort(key=lambda h: -sum(for_group(h, g, aliases) for g in set(asked_groups)))
    # A national rule in the story is not what is asked ("ko có lương hưu gì hết. … hỗ trợ đóng bhxh tự nguyện
    # … xã mình có nói tới chính sách đó ko"): only the asking part's words say it is; one sentence asks whole
    # ("mua bảo hiểm y tế theo hộ gia đình thì người thứ hai, thứ ba được giảm bao nhiêu?").
    one_sentence = not re.search(r"[.!?;]\s+\S", question.strip())
    national = national_phrases(question if one_sentence else asking_part(question))
    rule = national_amounts(national, question)
    if rule:  # "lương hưu được bao nhiêu phần trăm": only a provision on the pension itself holds it
        holding = [h for h in holding if names_national_rule(h, rule)]
    share = _share_of(search, question) if want.element == "figure" and want.unit == "percent" else None
    if share is not None and len(share.words) >= 2:
        # "tỷ lệ tiêm chủng mở rộng cho trẻ là bao nhiêu": a share of something else (of homes with clean water)
        # does not answer it
        holding = [h for h in holding if _holds_share(search, h, share)]
    if reading.follow is not None and not other and want.levels and level_mentions(normalize(reading.question)) \
            and not content_words(search.index(), reading.question, reading.place_words):
        # "còn mầm non?" after the primary-school target: what the plan says for that level on the same subject, the
        # last answer's kind first; searched for the level when no close answer names it
        kind = previous.kind if previous is not None else None
        on_level = [h for h in holding if h.score >= ANSWER_SCORE_SHARE * hits[0].score and _names_level(h, want)]
        if not on_level:
            level_hits, elsewhere = best_hits(search, " ".join(want.levels), intent, locality, groups)
            on_level = [h for h in level_hits if not elsewhere and _names_level(h, want)
                        and holds(h, want, asked_groups, aliases)]
        on_level.sort(key=lambda h: h.kind != kind)
        if on_level:
            holding = on_level + [h for h in holding if h.id not in {x.id for x in on_level}]
            hits = on_level + [h for h in hits if h.id not in {x.id for x in on_level}]
    last = turn.slots.get("last_answer")
    if reading.follow is not None and last and _OTHER_THAN.search(normalize(reading.question)):
        # "ngoài ngân sách thì còn nguồn nào nữa không": something besides the answer just given
        holding = [h for h in holding if h.id != last]
        hits = [h for h in hits if h.id != last] or hits
    return _Found(hits, other, holding, bool(national), asked_groups)


def _names_level(hit: Hit, want: Asked) -> bool:
    return bool(set(levels_in(normalize(hit.text, chat=False))) & set(want.levels))


# A question asking for a list ("những nhóm chính sách gì", "các quỹ nào"), and how close to the best answer (share
# of its score, less coverage) a provision listing them must be to answer first.
_LIST_ASKED = re.compile(r"\b(?:nhung|cac) ((?:[a-z]+ ){0,4}?[a-z]+) (?:nao|gi|j|chi|mo)\b")
# "đối tượng chính sách gồm những ai": the members of what is named before "gồm"
_MEMBERS_ASKED = re.compile(r"\b((?:[a-z]+ ){0,3}[a-z]+) (?:gom|bao gom) (?:nhung |cac )?(?:ai|gi|j|nhom nao)\b")
_LIST_CLOSE_SCORE = 0.6
_LIST_CLOSE_COVERAGE = 0.2


def _named_times(words: str, text: str) -> int:
    return f" {normalize(text, chat=False)} ".count(f" {words} ")


def _separators(text: str) -> int:
    return len(re.findall(r"[,;:]", text))


# "có được hỗ trợ gì không": what is given, not yes or no.
_WHAT_ASKED = re.compile(r"\b(?:gi|j|nao|nhung|sao|chi|mo)\b")


# "ngoài … còn … nữa", "… nào khác": besides what the last answer said.
_OTHER_THAN = re.compile(r"(?<!nuoc )\bngoai\b.*\b(?:con|nua|khac)\b|\b(?:nao|gi) (?:khac|nua)\b")  # not "nước ngoài"


# Kinds of provision that answer a detail asked after an answer (who is in charge, on what basis).
_DETAIL_KINDS = ("agency", "legal_basis")
# "tỷ lệ đó", "chỉ tiêu này": the last answer's figure, no subject of the message's own
_THAT_FIGURE = re.compile(r"\b(?:ty le|muc tieu|chi tieu|con so) (?:nay|do|ni|kia|ay)\b")


def _plan_wide(search: ProvisionSearch, locality: str, general: Set[str]) -> List[Hit]:
    """The plan's provisions on social policy as a whole (its ``general`` topic), in the plan's order."""
    return [h for h in search.index().hits_base if h.locality == locality and general & set(h.topics)]


def _names_plan_only(message: QueryAnalysis, text: str, general: Set[str]) -> bool:
    """The message asks about a plan ("chương trình", "kế hoạch") and names no group or topic but social policy
    as a whole: what it asks is of the plan itself."""
    folded = normalize(text)
    return not message.groups and set(message.topics) <= general \
        and bool(re.search(r"\b(?:chuong trinh|ke hoach)\b", folded)) \
        and not re.search(r"\bde an\b", folded)  # "đề án phát triển nghề ctxh … giai đoạn nào": a scheme it names


# What follows "chương trình" / "kế hoạch" when it names the plan: "hành động số 28 của Thành ủy", "an sinh
# xã hội này"; "chương trình mục tiêu quốc gia giảm nghèo" names a programme and stays.
_MODIFIER = (r"(?:hanh dong|so|\d+[a-z0-9/-]*|cua|do|ve|nay|an sinh(?: xa hoi)?|giai doan|nam|"
             r"thanh uy|tinh uy|huyen uy|thi uy|ubnd|thanh pho|tp|huyen|thi xa|-)")
_PLAN_REFERENCE = re.compile(r"\b(?:theo |trong )?(?:chuong trinh|ke hoach|ct|kh)(?: " + _MODIFIER + r")+(?![a-z0-9])")

_PLAN_PERIOD = re.compile(r"\b(?:trong |cho )?giai doan \d{4} ?- ?\d{4}(?![0-9])")


def without_plan_reference(question: str) -> str:
    """The question without the words naming the plan ("chương trình an sinh của thành phố", "kế hoạch
    10 này", "theo chương trình 28 của Thành ủy"), when what is left still asks something."""
    def spans(folded: str) -> List[Tuple[int, int]]:
        found = [m.span() for m in _PLAN_REFERENCE.finditer(folded)]
        # "…của Cần Thơ giai đoạn 2011-2015": the period goes with the plan's name
        return found + [m.span() for m in _PLAN_PERIOD.finditer(folded)] if found else []

    return _without(question, spans)


def _without(question: str, spans: Callable[[str], List[Tuple[int, int]]]) -> str:
    """The question without the parts ``spans`` finds in its folded text (folding keeps each character's
    place), when what is left still asks something (three words or more); else the question as it is."""
    text = unicodedata.normalize("NFC", question)
    folded = fold(text)
    if len(folded) != len(text):
        return question
    cut = sorted(spans(folded))
    if not cut:
        return question
    kept, start = [], 0
    for a, b in cut:
        if a > start:
            kept.append(text[start:a])
        start = max(start, b)
    kept.append(text[start:])
    rest = " ".join(" ".join(kept).split())
    return rest if len(normalize(rest).split()) >= 3 else question


# A place swap's answer covers at least this idf-weighted share of the subject it carries over.
MIN_SUBJECT_SHARE = 0.5


# Words of when, not of what ("đến cuối năm 2015"): no subject.
_WHEN_WORDS = frozenset("nam thang ngay cuoi".split())  # not "quy": quỹ (a fund) folds alike


def _subject(search: ProvisionSearch, question: str, previous: Hit, place_words: Sequence[str]) -> Dict[str, float]:
    """The words of the question that the last answer also holds, by idf: what the question was about,
    without its frame, its places, its years or words the plans use everywhere. Empty when fewer than two."""
    index = search.index()
    held = _words_held(search, previous.text)
    skip = set(QUESTION_FRAME) | FRAME_WORDS | _WHEN_WORDS | {w for p in place_words for w in p.split()} \
        | set(normalize(previous.locality_name or "").split())
    idf = lambda t: index.idf.get(t, index.max_idf)  # noqa: E731
    terms = [t for t, _ in index.analyze(question).terms]
    words = {_spelled(t): idf(t) for t in terms
             if " " not in t and t not in skip and not t.isdigit() and _spelled(t) in held}
    return words if len(words) >= 2 else {}


def _spelled(text: str) -> str:
    """One spelling for i and y after a consonant ("tỷ lệ" and "tỉ lệ", "liệt sỹ" and "liệt sĩ")."""
    return re.sub(r"\b([bcdghklmnpqrstvx]+)y\b", r"\1i", text)


def _read_words(search: ProvisionSearch, text: str) -> List[str]:
    """A text's words in order, as the search index reads them (synonyms applied)."""
    return search.index().aliases.synonyms.rewrite(syllables(text, chat=False))


def _words_held(search: ProvisionSearch, text: str) -> frozenset:
    """A text's words, as the search index reads them (synonyms applied)."""
    return frozenset(_spelled(w) for w in _read_words(search, text))


def _on_subject(search: ProvisionSearch, hit: Hit, subject: Dict[str, float]) -> bool:
    held = _words_held(search, hit.text)
    return sum(w for t, w in subject.items() if t in held) >= MIN_SUBJECT_SHARE * sum(subject.values())


def _declined(asking: _Asking, found: _Found) -> Reply:
    """Nothing to present: a national rule outside the plans, or no provision on the question."""
    reply = Reply(answered=False, locality_key=asking.locality)
    reply.slots.update(asking.slots)
    reply.slots.update(last_question=asking.remembered or asking.question,
                       last_intent=asking.remembered_intent if asking.remembered else asking.intent,
                       last_results=[])
    if found.national:
        reply.outcome = "outside_plans"
        reply.say(T.OUTSIDE_PLANS, {**T.TOPIC_BUTTONS, T.BUTTON_HUMAN: "/ask_human"})
    else:
        reply.outcome = "not_found"
        reply.say(T.NOT_FOUND, {**T.TOPIC_BUTTONS, T.BUTTON_HUMAN: "/ask_human"})
    return reply


def _presented(search: ProvisionSearch, reading: Reading, asking: _Asking, want: Asked, found: _Found,
               today: Optional[dt.date]) -> Reply:
    """The answer when a close match holds what was asked; else the plan does not say it, and the nearest
    provision, labelled as related."""
    reply = Reply(locality_key=asking.locality)
    reply.slots.update(asking.slots)
    reply.slots.update(last_question=asking.remembered or asking.question,
                       last_intent=asking.remembered_intent if asking.remembered else asking.intent)
    question, hits, place = asking.question, found.hits, reading.place
    # The answer holds what was asked and is about the question: close to the best match (a figure
    # or a year alone does not make a weaker match the answer).
    fitting = [h for h in found.holding if h.score >= ANSWER_SCORE_SHARE * hits[0].score
               and not _only_echoes(h, want, question)]
    names = locality_names(search)
    note = T.MERGED_NOTE.format(place=place.name, province=place.new_province,
                                plan=names.get(asking.locality, asking.locality)) \
        if place is not None and place.status == "merged" else None
    if fitting:
        best = fitting[0]
        rest = [h for h in hits if h.id != best.id]
        text = answer_text(best, today=today, focus=question)
        if asking.intent == "ask_agency" and best.kind != "agency" and not best.agencies:
            text += "\n" + T.AGENCY_FALLBACK.format(contact=best.contact)
    else:
        best, rest = hits[0], hits[1:]
        reply.outcome = "related"
        reply.answered = False
        plan = names.get(asking.locality, asking.locality_name)
        header = T.NOT_STATED.format(plan=plan, missing=missing_phrase(want, _group_names(search, found.asked_groups))
                                     if not found.other else "nội dung này")
        text = header + "\n" + answer_text(best, other_locality=None, today=today, focus=question, related=True) \
            + "\n" + T.ASK_STAFF.format(contact=best.contact)
    if note:
        text += "\n" + note
    # "Xem thêm" shows the answered provision whole first when it was shortened or has a currency note.
    whole = [WHOLE + best.id] if best.text not in text or currency_line(best, today) else []
    reply.say(text, _buttons_after_answer(bool(rest or whole)))
    if reply.outcome == "answer":  # a reply that only offers related provisions leaves the last answer standing
        reply.slots["last_answer"] = best.id
    reply.provisions = [best.id]
    reply.slots["last_results"] = whole + [h.id for h in rest]
    return reply


# The words of a bare question for a legal basis ("theo quyết định nào?", "căn cứ văn bản số mấy?").
_SPAN = re.compile(r"\b(?:19|20)\d\d\s*[-–]\s*(?:19|20)\d\d\b")  # "giai đoạn 2011 - 2015"
_LEGAL_ASK_WORDS = frozenset(
    "quyet dinh nghi quyet van ban can cu so hieu theo thong tu luat ky qd nq nd tt ke hoach de an".split())
_TIME_ASK_WORDS = frozenset("bao gio khi chung luc thuc hien lam bat dau trien khai tu thoi gian han".split())
_WHO_ASK_WORDS = frozenset("ap dung danh nham vao huong uu tien ai nhung duoc cai nay do chinh sach vu viec".split())


_AGENCY_ASK_WORDS = frozenset("so nao co quan ai lo phu trach chu tri chiu trach nhiem don vi nganh ban phong mo".split())


def _subject_phrase(search: ProvisionSearch, reading: Reading) -> str:
    """The longest run of two words or more a detail follow-up names its subject by ("sở nào lo nước sạch
    nông thôn?": "nuoc sach nong thon"), as the index reads them; "" when it names none."""
    runs, run = [], []
    for word in _read_words(search, reading.question) + [""]:
        if word and word not in _AGENCY_ASK_WORDS and word not in QUESTION_FRAME and word not in STOPWORDS \
                and word not in reading.place_words:
            run.append(_spelled(word))
        else:
            runs, run = runs + [run], []
    longest = max(runs, key=len, default=[])
    return " ".join(longest) if len(longest) >= 2 else ""


def _companions(search: ProvisionSearch, answer: Hit, hits: List[Hit], provides: Callable[[Hit], bool],
                subject: str = "") -> List[Hit]:
    """"Ai lo vụ này?", "theo quyết định nào?" after an answer: the plan's provisions that ``provides`` (an
    agency, a legal basis) for the answer's topics, those of its own section first (plans name the agency in
    charge at the end of each section), then as the question ranked them; the other hits follow. A message
    naming its subject in words of its own (``subject``: "sở nào lo nước sạch nông thôn?") is answered first
    by a provision that says them so."""
    def section(hit: Hit) -> str:
        return ".".join(hit.section.split(".")[:2])

    ranked_ids = {h.id: i for i, h in enumerate(hits)}
    index = search.index()

    def on_its_topics(hit: Hit) -> bool:  # tagged so, or naming them among others ("giáo dục, y tế, … do Ban …")
        return bool(set(hit.topics) & set(answer.topics)) or bool(set(index.analyze(hit.text).topics) & set(answer.topics))

    found = [h for h in index.hits_base if h.locality == answer.locality and provides(h) and on_its_topics(h)]
    said = _words_held(search, answer.text) - set(QUESTION_FRAME) - STOPWORDS

    def shared(hit: Hit) -> float:  # the answer's words the provision repeats ("internet", "miền núi")
        return sum(index.idf.get(t, index.max_idf) for t in said & _words_held(search, hit.text))

    # A target's agency is the one in charge of the tasks that carry it out: the section of the question's
    # other hits that are tasks ("internet" for villages: the tasks on access to information, III.10).
    tasks = [section(h) for h in hits if h.id != answer.id and h.kind != "agency" and not h.agencies]
    task_rank = {s: i for i, s in reversed(list(enumerate(tasks)))}
    def says(hit: Hit) -> bool:
        return not subject or f" {subject} " in f" {' '.join(_spelled(w) for w in _read_words(search, hit.text))} "

    found.sort(key=lambda h: (not says(h), section(h) != section(answer),
                              task_rank.get(section(h), len(tasks)),
                              -len(set(h.topics) & set(answer.topics)), -shared(h), ranked_ids.get(h.id, len(hits))))
    chosen = {h.id for h in found[:3]}
    return found[:3] + [h for h in hits if h.id not in chosen]


# "tỷ lệ lao động qua đào tạo nghề là bao nhiêu": what a share asked for is a share of, up to the asking words.
_SHARE_OF = re.compile(r"\b(?:ty le|ti le)\s+((?:(?!la\b|bao nhieu\b|bao nhiu\b|dat\b|may\b|duoc\b|o\b|cua\b|den\b|toi\b"
                       r"|con\b)[a-z]+\s*){1,8})")  # "bảo hiểm" folds as "bao", as "bao nhiêu" starts


class _Share(NamedTuple):
    """What a share asked for is a share of: its words as the index reads them, and the groups and topics they name."""

    words: List[str]
    concepts: List[Concept]


def _share_of(search: ProvisionSearch, question: str) -> Optional[_Share]:
    """What the share asked for is a share of ("tỷ lệ lao động qua đào tạo nghề"), None when no share is asked."""
    m = _SHARE_OF.search(normalize(asking_part(question)))
    if not m:
        return None
    index = search.index()
    words = [w for w in own_words(" ".join(index.query_words(m.group(1))), []) if not w.isdigit()]
    return _Share(words, list(index.analyze(m.group(1)).concepts))


def _holds_share(search: ProvisionSearch, hit: Hit, share: _Share) -> bool:
    """Whether the hit names half or more of what the share is of, or is tagged with a group or topic that is most of
    it ("tỷ lệ người không có việc làm" is of the unemployed; "lao động" is not "lao động qua đào tạo nghề")."""
    words = set(share.words)
    if 2 * len(words & _words_held(search, hit.text)) >= len(share.words):
        return True
    return any(2 * len(c.words & words) >= len(words) and c.key in (hit.groups if c.kind == "group" else hit.topics)
               for c in share.concepts)


def _only_echoes(hit: Hit, want: Asked, question: str) -> bool:
    """A figure asked for whose provision's figures are all in the question already ("300 căn nhà
    ở xã hội giá bao nhiêu?"): the provision is what the resident knows, not the answer."""
    if want.element != "figure" or not hit.numbers:
        return False
    said = numbers_in(question)
    return all(str(n.get("value")).replace(".", ",") in said or str(n.get("value")) in said for n in hit.numbers)


def _place_phrases(search: ProvisionSearch, text: str, named: Optional[str],
                   place: Optional[PlaceMatch]) -> List[str]:
    """The places a message names, each as its folded words."""
    index = search.index()
    phrases = [normalize(named)] if named else []
    tokens = normalize(text).split()
    phrases += [" ".join(tokens[start:end]) for _, start, end in index.aliases.mentions("locality", tokens)]
    if place is not None and index.places is not None:
        plain = normalize(text, chat=False).split()
        phrases += [" ".join(plain[start:end]) for start, end, _ in
                    index.places.gazetteer.mentions(plain, index.places.common, typed=text)]
    return [p for p in phrases if p]


# Words on the 2025 reorganisation around a place: where, not what is asked ("thu nhập" is no merger).
_MERGER_TALK = re.compile(r"\b(?:(?:tinh|thanh pho|tp|phuong|xa) moi|sap nhap(?: (?:ca|voi|vao|vo))?"
                          r"|(?:(?:moi|da|vua) )?(?:gop|hop nhat) (?:ca|voi|vao|vo|lai|chung)"
                          r"|(?:moi|da|vua) (?:gop|hop nhat)|(?<!thu )nhap (?:vao|vo|voi|ve))\b")


def without_places(question: str, phrases: Sequence[str]) -> str:
    """The question without the places it names ("ở quận 8", "phường An Khánh"): they say where, which the
    locality already holds, not what is asked; unchanged when too little would be left."""
    def spans(folded: str) -> List[Tuple[int, int]]:
        found: List[Tuple[int, int]] = []
        for phrase in set(phrases):
            words = r"[\s,.-]+".join(re.escape(w) for w in phrase.split())
            found += [m.span() for m in re.finditer(rf"\b(?:(?:o|tai|cua) )?{words}(?![a-z0-9])", folded)]
        if found:  # and what is said of them ("tỉnh mới gộp cả Kon Tum", "sáp nhập vô Cần Thơ")
            found += [m.span() for m in _MERGER_TALK.finditer(folded)]
        return found

    return _without(question, spans)


def _group_names(search: ProvisionSearch, keys: Sequence[str]) -> List[str]:
    names = search.index().group_names
    return [names.get(k, k) for k in dict.fromkeys(keys)]


def more(turn: Turn, search: ProvisionSearch, today: Optional[dt.date] = None) -> Reply:
    """The rest of the last answer: its provision whole when it was shortened (or carries a
    currency note), then the next provisions, each cited. Typed words that also ask a policy
    question ("có hỗ trợ thêm cho hộ nghèo không?") are answered as that question."""
    if not turn.text.startswith("/") and (policy_question(search, turn.text, "more") or _names_place(turn, search)
                                          or asked(turn.text).element is not None):
        # "còn ở Hà Nội?" taken for "more": the last question asked for that place
        return respond(Turn(turn.text, None, turn.entities, turn.slots), search, today)
    reply = Reply(is_question=False)
    ids = list(turn.slots.get("last_results") or [])
    by_id = search.index().by_id
    if ids and ids[0].startswith(WHOLE):
        hit = by_id.get(ids[0][len(WHOLE):])
        if hit is not None:
            reply.say(whole_text(hit, today), _buttons_after_answer(len(ids) > 1))
            reply.provisions = [hit.id]
            reply.slots["last_results"] = ids[1:]
            return reply
        ids = ids[1:]
    hits = [by_id[i] for i in ids if i in by_id][:2]
    if not hits:
        reply.say(T.NO_MORE, {T.BUTTON_OTHER_TOPIC: "/help", T.BUTTON_HUMAN: "/ask_human"})
        return reply
    for hit in hits:
        reply.say(answer_text(hit, today=today))
    reply.messages[-1]["buttons"] = buttons(_buttons_after_answer(len(ids) > 2))
    reply.provisions = [h.id for h in hits]
    reply.slots["last_results"] = ids[2:]
    return reply


def compare(turn: Turn, search: ProvisionSearch, today: Optional[dt.date] = None) -> Reply:
    """The best provision of each named locality on the question's topic, side by side."""
    reply = Reply()
    names = locality_names(search)
    analysis = search.analyze(turn.text)
    keys: List[str] = []
    for value in turn.entity_values("locality") + analysis.localities:
        key = value if value in names else catalogue_key(search, "locality", value)
        if key and key not in keys:
            keys.append(key)
    slot_key = catalogue_key(search, "locality", turn.slots.get("locality"))
    if len(keys) == 1 and slot_key and slot_key not in keys:
        keys.append(slot_key)
    if len(keys) == 1:
        # A comparison needs two places; with one named, answer for that place.
        return answer_question(Turn(turn.text, None, turn.entities, turn.slots), search, today)
    if not keys:
        keys = list(names)
    topic = analysis.topics[0] if analysis.topics else None
    intent = next((i for i, t in INTENT_TOPICS.items() if t == topic), None)
    lines = [T.COMPARE_HEADER.format(topic=_topic_label(topic))]
    cited: List[str] = []
    for key in keys:
        hits = ranked(search, turn.text, intent, key, limit=1)
        if not hits:
            lines.append(T.COMPARE_NONE.format(name=names.get(key, key)))
            continue
        hit = hits[0]
        cited.append(hit.id)
        lines.append(f"- {hit.locality_name}: {shorten(hit.text, 220)} ({hit.document_code}, {hit.date_label}, "
                     f"mục {hit.section})")
    notes = {currency_note(search.index().by_id[pid], today) for pid in cited}
    notes.discard(None)
    if notes:
        lines.append("Lưu ý: một số kế hoạch đã hết giai đoạn hoặc là dự thảo/bản tóm tắt; hãy hỏi cơ quan "
                     "Lao động - Thương binh và Xã hội của địa phương để biết quy định hiện hành.")
    reply.answered = bool(cited)
    reply.provisions = cited
    reply.say("\n".join(lines), {T.BUTTON_HUMAN: "/ask_human"})
    return reply


def _topic_label(topic: Optional[str]) -> str:
    labels = {"bhyt": "bảo hiểm y tế", "hoc-phi": "học phí", "nha-o": "nhà ở", "nguoi-co-cong": "chính sách người có công",
              "giam-ngheo": "giảm nghèo", "tro-giup-xa-hoi": "trợ giúp xã hội", "bhxh-bhtn": "bảo hiểm xã hội",
              "viec-lam": "việc làm", "nuoc-sach": "nước sạch"}
    return labels.get(topic or "", "chính sách")
