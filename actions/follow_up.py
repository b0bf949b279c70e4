"""Short follow-ups after an answer: the previous question with one part replaced.

"Đức Phổ thì đặt bao nhiêu?", "thế hộ cận nghèo?", "năm 2030 thì sao?", "cấp 3 thì sao?",
"cơ quan nào lo?" each lean on the last question: a place, a group, a year or a school level
replaces its own, and a request for a detail (an agency, a figure, a legal basis) is added to it.
"""
from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Set

from actions.answerability import LEVELS, level_mentions
from knowledge.provision_search import QueryAnalysis, SearchIndex
from knowledge.text import QUESTION_FRAME, STOPWORDS, normalize, question_focus

# Words that frame a follow-up rather than ask something new.
FRAME_WORDS = frozenset("""
    thi sao the con vay nua cung luon dat nhi ha nhe ben phia khu vuc tinh huyen xa phuong quan thi tran
    thanh pho tp sao co khong duoc ok oke uh u vang da neu truong hop rieng cu moi hien nay
    hoi tiep them chi tieu muc ho tro bao nhieu phan tram the nao ra ntn vs voi
    rang rua ri mo ni te hi he nhi noi ngoai ba ma bo me cha con chau em roi toi tui v may giong be
""".split())
_YEAR = re.compile(r"\b20[0-9]{2}\b")
# Words of a request for a detail ("theo nghị định nào vậy ad?", "ai lo vụ này?") and what they point back at.
DETAIL_WORDS = frozenset("""
    nghi dinh quyet van ban so luat thong tu can cu don vi phu trach lo ai chu tri thuc hien
    admin vu viec nay ni do kia chinh sach khoan muc tieu con qd nq nd ky ban hanh ngay thang nam han chot
    thoi giai doan ap dung luc khi bao gio lau cham nhat xong lan
    chi dao quan ly trien khai giai quyet xu ly ke hoach to chuc nganh
    tien lay tu dau ra nguon kinh phi von tra bo gui nop ve
    chinh thuc chua du thao hieu luc hieu
""".split())
# "chừng nào" asks when, as "bao giờ" (its "chừng" folds as "chứng" of "chứng chỉ").
_WHEN = re.compile(r"\bchung (?:nao|mo)\b")
# An age, which says who as a group does ("ba em năm nay 72 tuổi").
_AGE = re.compile(r"\b\d{1,2} tuoi\b")
# Before "trọ" (folded like the "trợ" of "hỗ trợ"), words that make it lodging: "nhà trọ", "phòng trọ", "ở trọ".
_LODGING = frozenset({"nha", "phong", "o", "khu", "xom", "day"})
# "kéo điện cũng vậy hả", "còn kéo điện thì sao?": the last question asked again about what the message names.
_SAME_AGAIN = re.compile(r"\b(?:cung (?:vay|the|z|v)|thi (?:sao|rang|ri)|thi the nao|thi ra sao|co giong)\b")
# Words opening a follow-up before what it asks about ("còn", "thế", "vậy còn").
_OPENERS = frozenset({"con", "the", "vay", "ma", "nhung"})
MAX_SUBJECT_WORDS = 4
# Words that only introduce the group a follow-up names ("mấy người thuộc diện bảo trợ xã hội").
_WHO_WORDS = frozenset({"nguoi", "thuoc"})
# A follow-up has at most this many words of its own besides what it replaces.
MAX_OWN_WORDS = 2
# A message pointing back at the last question's subject ("vụ này", "chuyện đó") may ask more of it in
# this many more words of its own.
_BACK_REFERENCE = re.compile(r"\b(?:vu|viec|chuyen|khoan|van de|cai|tien|quy|che do|chinh sach) (?:nay|do|ni|kia|ay)\b")
_BACK_OWN_WORDS = 3
MAX_FOLLOW_UP_WORDS = 15
# Where in a place a figure is set: "thành thị thì sao?" after a rural target asks the urban one ("đô thị" in
# some plans); "nông thôn mới" is a programme.
_AREAS = ((r"nong thon(?! moi)", "nong thon"), (r"thanh thi", "thanh thi do thi"), (r"do thi", "thanh thi do thi"))


class Rewritten(NamedTuple):
    question: str     # what the follow-up asks, whole
    remembered: str   # what the next follow-up leans on: without a detail asked ("theo nghị định nào?")


def points_back(text: str) -> bool:
    """Whether the message names what it asks about only as the last question's subject ("mấy vụ này")."""
    return bool(_BACK_REFERENCE.search(normalize(text)))


def rewrite(index: SearchIndex, text: str, last_question: Optional[str], place_words: List[str],
            detail: bool, refers_back: bool = False) -> Optional[Rewritten]:
    """The question a short follow-up stands for, or None when the message asks on its own.

    ``place_words``: folded words of the places the message names (already read by the caller);
    ``detail``: the message asks for an element (an agency, a figure, a legal basis); ``refers_back``:
    one that names what it asks about only in passing ("cơ quan nào lo vụ bảo hiểm này?")."""
    if not last_question:
        return None
    folded = _WHEN.sub("bao gio", normalize(text))
    tokens = folded.split()
    if not tokens or len(tokens) > MAX_FOLLOW_UP_WORDS:
        return None
    # "có đặt chỉ tiêu cho bớt mấy vụ này không?": what it asks is of the last question's subject
    back = points_back(text)
    detail, refers_back = detail or back, refers_back or back
    analysis = index.analyze(text)
    group_words, topic_words = set(), set()
    for concept in analysis.concepts:
        if concept.kind == "group":
            group_words |= set(concept.words)
        elif concept.kind == "topic":
            topic_words |= set(concept.words)
    levels = level_mentions(folded)
    level_words = {w for spelling, _ in levels for w in spelling.split()}
    areas = [(m.group(), canon) for pattern, canon in _AREAS for m in re.finditer(rf"\b{pattern}\b", folded)]
    area_words = {w for spelling, _ in areas for w in spelling.split()}
    years = _YEAR.findall(folded)
    last_analysis = index.analyze(last_question)
    new_groups = set(analysis.groups) - set(last_analysis.groups)
    # A frame word naming a topic in words the last question does not have is the message's own ("vay tiền":
    # a loan, though "vay" folds as "vậy").
    last_tokens = normalize(last_question).split()
    last_words = set(last_tokens)
    new_topic_words = {w for c in analysis.concepts if c.kind == "topic" for w in c.words} - last_words
    # "giúp người nghèo" helps a group, a subject of the message's own; "giúp em" is a request
    helps = {i for i, t in enumerate(tokens) if t == "giup" and i + 1 < len(tokens) and tokens[i + 1] in group_words}
    own = [t for i, t in enumerate(tokens) if (t not in FRAME_WORDS and t not in STOPWORDS or t in new_topic_words
                                               or t == "tro" and i and tokens[i - 1] in _LODGING or i in helps)
           and (t not in QUESTION_FRAME or i in helps)
           and t not in group_words and t not in level_words and t not in place_words and not _YEAR.fullmatch(t)
           and not (t.isdigit() and tokens[i + 1:i + 2] == ["tuoi"])  # an age says who, as the group does
           and not (detail and (t in DETAIL_WORDS or t.isdigit()))]  # "được bao nhiêu 1 tháng": a rate, not a subject
    if areas and all(t in area_words for t in own):
        own = []  # "thành thị thì sao?": the area alone replaces the last question's
    else:
        areas = []  # "nước sạch nông thôn bên đó sở nào lo": the area is part of a subject of the message's own
    swap = None if detail else _topic_swap(index, text, analysis, last_analysis, topic_words, place_words)
    if swap is not None:
        own = []
    # A group already in the last question replaces nothing, and a detail asked with words the last
    # question does not have asks anew ("mục tiêu giảm hộ nghèo còn nhiêu %?" after "hộ nghèo được
    # tính theo thu nhập bao nhiêu?").
    replaces = bool(place_words or new_groups or swap or levels or areas or years)
    unknown = [t for t in own if t not in last_words]
    subject = None
    again = _SAME_AGAIN.search(folded)
    if unknown and not replaces and not detail and len(own) <= MAX_OWN_WORDS and again \
            and index.aliases.mentions("topic", last_tokens):
        # "kéo điện cũng vậy hả" after a question on water: the message's words in place of the last topic,
        # all those before "thì sao" when they hold its own ("còn nhà vệ sinh thì sao": "nhà" is a frame word)
        subject, replaces = own, True
        said = folded[:again.start()].split()
        while said and said[0] in _OPENERS:
            said.pop(0)
        if len(said) <= MAX_SUBJECT_WORDS and set(own) <= set(said):
            subject = said
    # A detail asked of the last question's subject in its words only ("bao lâu báo cáo 1 lần" after where
    # reports go): the words it repeats are no words of its own.
    counted = [] if detail and not unknown else own
    most = MAX_OWN_WORDS + (_BACK_OWN_WORDS if back else 0)
    if len(counted) > most or not (replaces or detail) or (unknown and not replaces and not refers_back):
        return None
    known = [t for t in unknown if t in index.idf]
    if len(known) >= MAX_OWN_WORDS and not (subject or detail or swap or refers_back or again):
        # "còn tử vong trẻ em ở tphcm" after a question on vaccination: words of its own the last question does
        # not have, which no replacement keeps, say it asks on its own
        return None
    if new_groups and not (detail or place_words or swap or levels or areas or years or subject or again):
        # "còn chủ nhà trọ cho công nhân thuê thì có được hỗ trợ gì": a group, and a subject of its own (words
        # the synonym table reads as the group, "bà bầu", are the group's; "còn người già neo đơn thì sao?"
        # asks the last question again)
        read = set(_as_search_reads(index, text))
        if len([t for t in unknown if t in read]) >= MAX_OWN_WORDS:
            return None
    question = " ".join(last_tokens) + (" phan tram" if "%" in last_question else "")
    if analysis.groups and swap is None:
        # the words naming the new group as typed, else as search reads them ("bà bầu": phụ nữ mang thai);
        # a group the last question already names ("thế bà bầu thuộc hộ nghèo?") is not the new one
        named = (_named(index, "group", tokens, new_groups)
                 or _named(index, "group", _as_search_reads(index, text), new_groups)
                 or _named(index, "group", tokens) or _named(index, "group", _as_search_reads(index, text)))
        # the last group's age goes with it ("ba em 72 tuổi" asked again for a child)
        question = _replace_concept(index, "group", _AGE.sub(" ", question), named)
    if swap:  # "bhtn thì sao?" after a question on BHYT
        question = _replace_concept(index, "topic", question, swap)
    if subject:
        question = _replace_concept(index, "topic", question, subject)
    if levels:
        question = _replace_levels(question, levels[0][1])
    if areas:
        question = _replace_area(question, areas[0][1])
    if years:
        question = _YEAR.sub(years[-1], question) if _YEAR.search(question) else f"{question} nam {years[-1]}"
        if unknown and not detail and not (place_words or new_groups or swap or levels or areas or subject):
            # "còn đến 2030 thì mục tiêu chung là gì" after the 2045 vision: the year, and what it asks of it
            question = f"{question} {' '.join(unknown)}"
    if back and not replaces:
        # of the last question's subject: its asking part, not the story around it
        return Rewritten(f"{question_focus(last_question) or question} {folded}", question)
    if detail:
        return Rewritten(f"{question} {folded}", question)
    return Rewritten(question, question)


def _topic_swap(index: SearchIndex, text: str, analysis: QueryAnalysis, last: QueryAnalysis,
                topic_words: Set[str], place_words: List[str]) -> Optional[List[str]]:
    """The words of the new topic when the message names only that besides its frame ("bhtn thì sao?"
    after a question on BHYT), else None. A group named by the topic's own words ("bhtn": unemployment
    insurance, and the unemployed) is no group of its own; a last question naming no topic has none to swap."""
    last_words = {w for c in last.concepts if c.kind == "topic" for w in c.words}
    # a topic of the same key in other words is another one ("bảo hiểm thất nghiệp" after "bảo hiểm xã hội")
    reworded = any(c.kind == "topic" and not c.words <= last_words for c in analysis.concepts)
    if not (set(analysis.topics) - set(last.topics) or reworded) or not last.topics:
        return None
    new_groups = set(analysis.groups) - set(last.groups)
    if any(c.kind == "group" and c.key in new_groups and not c.words <= topic_words for c in analysis.concepts):
        return None
    expanded = _as_search_reads(index, text)  # "bhtn"
    if any(t not in topic_words and t not in FRAME_WORDS and t not in STOPWORDS and t not in QUESTION_FRAME
           and t not in place_words and t != "admin" for t in expanded):
        return None
    return _named(index, "topic", expanded) or None


def _as_search_reads(index: SearchIndex, text: str) -> List[str]:
    """The message's words as search reads them ("bà bầu" -> phụ nữ mang thai, "bé 4 tuổi" -> trẻ em)."""
    return index.query_words(text)


def _named(index: SearchIndex, kind: str, tokens: List[str], keys: Optional[Set[str]] = None) -> List[str]:
    """The words naming each group (or topic) ``tokens`` name, in order ("học sinh hộ nghèo"; not the "hỗ"
    of "hỗ trợ" beside them); only those of ``keys`` when given."""
    words: List[str] = []
    mentions = [m for m in index.aliases.mentions(kind, tokens) if keys is None or m[0] in keys]
    for _, start, end in sorted({(s, e): (k, s, e) for k, s, e in mentions}.values(), key=lambda m: m[1]):
        words += tokens[start:end]
    return words


def content_words(index: SearchIndex, text: str, place_words: List[str]) -> List[str]:
    """A follow-up's words that say what it asks about, besides what it replaces (a place, a group, a
    topic, a school level, a year) and the words of a request for a detail: "giá", "nước", "giảm" in
    "giá nước có được giảm cho hộ nghèo không"."""
    named = {w for c in index.analyze(text).concepts for w in c.words}
    levels = {w for spelling, _ in level_mentions(normalize(text)) for w in spelling.split()}
    read = _WHEN.sub("bao gio", " ".join(_as_search_reads(index, text)))  # "bà bầu" is phụ nữ mang thai, a group
    return [t for t in own_words(read, place_words)
            if t not in named and t not in levels and t not in DETAIL_WORDS and t not in _WHO_WORDS]


def own_words(text: str, place_words: List[str]) -> List[str]:
    """The message's words besides its places, years and the frame of a follow-up: none in "Đức Phổ có
    vậy không?", "còn bên Càng Long?"; "bhxh" in "Càng Long có chỉ tiêu bhxh ko"."""
    return [t for t in normalize(text).split() if t not in FRAME_WORDS and t not in STOPWORDS
            and t not in QUESTION_FRAME and t not in place_words and not _YEAR.fullmatch(t)]


def _replace_concept(index: SearchIndex, kind: str, question: str, new_words: List[str]) -> str:
    """The last question with its first group (or topic) mention swapped for the new one's words (or
    them added): "hộ nghèo … con đi học" asked again for "hộ cận nghèo" keeps "con đi học"."""
    tokens = question.split()
    mentions = index.aliases.mentions(kind, tokens)
    if not mentions:
        return " ".join(tokens + new_words)
    _, start, end = mentions[0]
    return " ".join(tokens[:start] + new_words + tokens[end:])


def _replace_area(question: str, canon: str) -> str:
    """The last question's rural or urban area gives way to the new one, or the new one is added."""
    pattern = re.compile(r"\b(?:" + "|".join(p for p, _ in _AREAS) + r")\b")
    if pattern.search(question):
        return pattern.sub(canon, question, count=1)
    return f"{question} {canon}"


def _replace_levels(question: str, canon: str) -> str:
    """Every school level of the last question gives way to the new one ("cấp 1 với cấp 2" -> "cấp 3";
    "tới tuổi cấp 3 … đi học cấp 3" -> both "cấp 2")."""
    spellings = sorted((s for s, _ in LEVELS), key=len, reverse=True)
    pattern = re.compile(r"(?<!chi )\b(?:" + "|".join(spellings) + r")\b(?:\s+(?:voi|va|,)\s+(?:" + "|".join(spellings) + r")\b)*")
    if pattern.search(question):
        return pattern.sub(canon, question)
    return f"{question} {canon}"
