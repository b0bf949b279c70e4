"""What a drafted provision is (its kind) and what it is about (topics and groups, read through the
KB's aliases and synonym table, as search reads a question)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from knowledge.ingest.agencies import agencies_in, agency_spans
from knowledge.ingest.extract import ref_spans
from knowledge.ingest.vocabulary import PlanCatalogue
from knowledge.segment import fold_key
from knowledge.text import fold, syllables

# How plans name social policy as a whole; the catalogue topic these words lead to is the one a
# provision naming no topic of its own gets.
_GENERAL_WORDS = ("an sinh xã hội", "chính sách xã hội")

# How plans word what the catalogue names otherwise (read as the catalogue's words; drafting only, so
# the chat's search is unchanged), and words that hold a catalogue name but name something else
# (None: they name nothing: "công nhân viên" are employees, not the group "công nhân").
_PLAN_WORDING: Tuple[Tuple[str, Optional[str]], ...] = (
    ("đối tượng yếu thế", "người yếu thế"), ("nhóm yếu thế", "người yếu thế"),
    ("diện chính sách", "đối tượng chính sách"), ("hộ chính sách", "gia đình chính sách"),
    ("đồng bào thiểu số", "dân tộc thiểu số"),
    ("phòng bệnh", "y tế"), ("an toàn thực phẩm", "y tế"), ("ngộ độc thực phẩm", "y tế"),
    ("ô nhiễm môi trường", "vệ sinh môi trường"), ("bảo vệ môi trường", "vệ sinh môi trường"),
    ("công tác xã hội", "trợ giúp xã hội"),
    ("giáo dục nghề nghiệp", "dạy nghề"), ("thị trường lao động", "việc làm"),
    ("giáo dục pháp luật", "truyền thông"),
    ("dân vùng nông thôn", "người ở nông thôn"), ("dân nông thôn", "người ở nông thôn"),
    ("dân số nông thôn", "người ở nông thôn"), ("ở nông thôn", "người ở nông thôn"),
    ("đền ơn đáp nghĩa", "người có công"), ("NCCCM", "người có công"), ("nước hợp vệ sinh", "nước sạch"),
    ("tử vong", "y tế"), ("tổ chức thực hiện", None),
    ("công nghệ thông tin", None), ("công nhân viên", None), ("bác sĩ gia đình", None), ("hộ gia đình", "hộ"),
    # health as plans measure it, schooling ("trẻ mẫu giáo" are children, "đi học đúng độ tuổi" pupils)
    ("tiêm chủng", "y tế cho trẻ em"), ("giường bệnh", "y tế"), ("bác sĩ", "y tế"), ("tuổi thọ", "y tế"),
    ("suy dinh dưỡng", "y tế, dân số"),
    ("trẻ mẫu giáo", "trẻ em"), ("đi học đúng độ tuổi", "học sinh đi học đúng độ tuổi"), ("mù chữ", "giáo dục"),
    # the rest of what targets measure: trained workers, the minimum living standard, births, sanitation
    ("lao động qua đào tạo", "lao động qua đào tạo, việc làm"), ("mức sống tối thiểu", "trợ giúp xã hội"),
    ("mức sinh", "dân số"), ("nước thải", "vệ sinh môi trường"), ("rác thải", "vệ sinh môi trường"),
    ("công trình phụ hợp vệ sinh", "vệ sinh môi trường"), ("công trình vệ sinh", "vệ sinh môi trường"),
    # whom some services are for: the young children of nurseries, the students of dormitories
    ("mầm non", "mầm non cho trẻ em"), ("nhà trẻ", "nhà trẻ cho trẻ em"), ("mẫu giáo", "mẫu giáo cho trẻ em"),
    ("ký túc xá", "ký túc xá cho sinh viên"), ("cơ sở bảo trợ xã hội", "cơ sở cho đối tượng bảo trợ xã hội"),
    ("trợ cấp bảo trợ xã hội", "trợ cấp cho đối tượng bảo trợ xã hội"),
    # "chính sách ưu đãi" for businesses; the merit policy names its people ("ưu đãi người có công")
    ("chính sách ưu đãi", None),
    # "tỷ lệ tử vong trẻ dưới 5 tuổi": children
    ("trẻ dưới", "trẻ em dưới"),
    # diseases are health ("chấm dứt các dịch bệnh AIDS, lao và loại trừ sốt rét"; an epidemic beside storms is a
    # disaster, not health); the blind are people with disabilities; makeshift houses are housing; "hộ nghèo còn sức
    # lao động" are households able to work, not workers
    ("AIDS", "y tế, HIV"), ("sốt rét", "y tế"),
    ("người mù", "người khuyết tật"), ("nhà tạm", "nhà ở"), ("sức lao động", None), ("nhà dột nát", "nhà ở"), ("công trình phù hợp vệ sinh", "vệ sinh môi trường"),
)
# "96% dân số": a share of the people, not population policy ("công tác dân số").
_SHARE_OF_PEOPLE = re.compile(r"(?<=%)(\s+)dân số\b", re.IGNORECASE)
# "có thu nhập từ 12 triệu đồng … trở xuống", "nâng cao thu nhập": an income measured or raised, not wages as a
# topic (curators tag it so in one provision of five); people of low income are a group.
_INCOME = re.compile(r"(?<!\w)thu nhập(?!\s+thấp)(?!\w)", re.IGNORECASE)
# A group and the topic of the policy for it, as plans and curators pair them: a provision for "hộ
# nghèo" is on "giảm nghèo", one on "bảo trợ xã hội" is for its "đối tượng" (read through the catalogue).
_PAIRED: Tuple[Tuple[str, str], ...] = (
    ("hộ nghèo", "giảm nghèo"), ("đối tượng bảo trợ xã hội", "bảo trợ xã hội"), ("người có công", "người có công"),
    ("người thất nghiệp", "việc làm"), ("trẻ em", "trẻ em"))

_TARGET_VERB = re.compile(
    r"\b(?:dat|phan dau|giam (?:con|xuong)|xuong duoi|duoi \d|tren \d|toi thieu|it nhat|tang len|khong che|duy tri"
    r"|khong con|bao dam \d|dam bao \d|keo giam|ha ty le|ha ti le|nang len|bao phu|khoang \d)\b")
_TARGET_HEADING = re.compile(r"\b(?:muc tieu|chi tieu|tam nhin)\b")
_BASIS_START = re.compile(
    r"^(?:tiep tuc |to chuc |trien khai )?(?:thuc hien(?: tot| nghiem| co hieu qua| hieu qua)?|can cu|trien khai"
    r"(?: thuc hien)?(?: tot| co hieu qua)?|quan triet|to chuc thuc hien(?: hieu qua| tot)?)\b")
_DIRECTIVE = re.compile(r"^(?:giao|de nghi|yeu cau|chi dao|phan cong)\b")
_AGENCY_ACTS = re.compile(
    r"\b(?:chu tri|phoi hop|chiu trach nhiem|co trach nhiem|lanh dao|chi dao|tham muu|huong dan|to chuc|xay dung ke"
    r" hoach|tong hop|bao cao|kiem diem|tang cuong|chu dong)\b")
# Someone receives something: said passively ("được hỗ trợ"), as an amount ("hỗ trợ 50%"), or as
# the sentence's own verb ("Thực hiện chính sách miễn giảm học phí …", "Chi trả kịp thời lương hưu …").
_GRANTED = re.compile(r"\bduoc (?:ho tro|mien|giam|cap|huong|tro cap|tro giup|vay|kham|mua|tang|cho vay|uu tien)\b"
                      r"|\bho tro \d|\bkham(?:,)? chua benh mien phi\b|\bmien phi\b")
_GRANT_LEAD = re.compile(
    r"^(?:(?:tiep tuc |tap trung )?(?:thuc hien|trien khai|bao dam|dam bao)(?: tot| day du| kip thoi| co hieu qua"
    r"|,| dung| du)*(?: cac| mot so)? (?:che do|chinh sach) )?(?:ho tro|mien|giam hoc phi|tro cap|chi tra|cap the"
    r"|cap phat|tang qua|cho vay|mua (?:the )?bao hiem|tham hoi)\b")
_GROUP_WORDS = re.compile(r"\b(?:doi tuong|cho|doi voi)\b")


@dataclass(frozen=True)
class Tags:
    topics: List[str]
    groups: List[str]
    topics_confidence: float
    groups_confidence: float


# Bodies named for the people they represent: "Ban đại diện Người cao tuổi" names the elderly, "Sở Lao động" no group.
_REPRESENTING = ("ban dai dien nguoi cao tuoi", "ban vi su tien bo phu nu")


def _masked(text: str) -> str:
    """``text`` with agency names (but those of bodies representing a group) and legal references blanked."""
    chars = list(text)
    bodies = [(start, end) for start, end in agency_spans(text)
              if not fold(text[start:end]).lower().startswith(_REPRESENTING)]
    for start, end in bodies + ref_spans(text):
        for i in range(start, end):
            chars[i] = " "
        if start < len(chars):
            chars[start] = ","
    return "".join(chars)


def _reworded(text: str) -> str:
    """``text`` with the plans' own wordings (_PLAN_WORDING) put in the catalogue's words."""
    text = _INCOME.sub(",", _SHARE_OF_PEOPLE.sub(r"\1người dân", text))
    for phrase, meaning in _PLAN_WORDING:
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", meaning or ",", text, flags=re.IGNORECASE)
    return text


def _written(catalogue: PlanCatalogue, kind: str, key: str, phrase: str, text: str) -> bool:
    """Whether ``text`` writes one of the key's spellings that reads as ``phrase``, diacritics
    included: "chất lượng" does not name "lương", though both fold to "luong"."""
    lowered = text.lower()
    if fold(lowered) == lowered:
        return True  # typed without diacritics: folding is all there is
    synonyms = catalogue.aliases.synonyms
    for spelling in catalogue.spellings.get((kind, key), ()):
        folded = fold_key(spelling)
        if phrase in (folded, " ".join(synonyms.rewrite(folded.split()))) and re.search(
                rf"(?<!\w){re.escape(spelling)}(?!\w)", lowered):
            return True
    return False


def _spans(catalogue: PlanCatalogue, text: str) -> List[Tuple[str, str, int, int]]:
    """(kind, key, start, end) of every topic and group ``text`` names."""
    found = []
    offset = 0
    # no name runs across punctuation: "học sinh, sinh viên" names pupils and students, not "học sinh sinh viên"
    for piece in re.split(r"[,;:()]", _reworded(_masked(text))):
        tokens = catalogue.aliases.synonyms.rewrite(syllables(piece, chat=False))
        for kind in ("topic", "group"):
            for key, start, end in catalogue.aliases.mentions(kind, tokens):
                if _written(catalogue, kind, key, " ".join(tokens[start:end]), piece):
                    found.append((kind, key, offset + start, offset + end))
        offset += len(tokens) + 1
    return found


def mentions(catalogue: PlanCatalogue, kind: str, text: str) -> List[str]:
    """Catalogue keys of ``kind`` (topic or group) that ``text`` names, in order, read as search
    reads a question (aliases, abbreviations, synonyms) but with the plan's diacritics respected.
    A name inside a longer name of the other kind is that name's part: "bảo hiểm thất nghiệp" is a
    topic, not the group "thất nghiệp"; "gia đình chính sách" a group, not the topic "gia đình"; and
    a topic's word right before a group qualifies it ("gia đình người có công"); and words naming a group
    name no topic but the group's own ("trẻ em" in "giáo dục mầm non cho trẻ em" names the children, not
    the children's-policy topic, which _PAIRED gives a provision naming no topic of its own; "người có
    công" names the group and its own policy)."""
    spans = _spans(catalogue, text)
    kept = [key for k, key, start, end in spans if k == kind and not any(
        other != kind and s <= start and end <= e and (e - s) > (end - start) for other, _, s, e in spans)
        and not (kind == "topic" and any(other == "group" and s == end for other, _, s, _ in spans))
        and not (kind == "topic" and any(other == "group" and (s, e) == (start, end) and group != key
                                         for other, group, s, e in spans))]
    return list(dict.fromkeys(kept))


# The basic social services plans list together (income, jobs, education, health, housing, clean water,
# information); a provision naming this many of them is about social policy as a whole.
_SERVICE_WORDS = ("thu nhập", "việc làm", "giáo dục", "y tế", "nhà ở", "nước sạch", "thông tin")
_SERVICES_AS_A_WHOLE = 4


def _service_topics(catalogue: PlanCatalogue) -> Set[str]:
    return {key for words in _SERVICE_WORDS for key in catalogue.aliases.resolve("topic", words)}


def general_topic(catalogue: PlanCatalogue) -> str:
    """The catalogue's topic for social policy as a whole (what "an sinh xã hội" names), else its first topic."""
    for words in _GENERAL_WORDS:
        keys = catalogue.aliases.resolve("topic", words)
        if keys:
            return keys[0]
    return next(key for kind, key in catalogue.spellings if kind == "topic")


def _pairs(catalogue: PlanCatalogue) -> List[Tuple[str, str]]:
    """(group key, topic key) of each pair in _PAIRED the catalogue has."""
    out = []
    for group_words, topic_words in _PAIRED:
        for group in catalogue.aliases.resolve("group", group_words):
            out += [(group, topic) for topic in catalogue.aliases.resolve("topic", topic_words)]
    return out


def tags(catalogue: PlanCatalogue, text: str, headings: Sequence[str], lead: Optional[str] = None) -> Tags:
    """Topics and groups ``text`` names (a group brings the topic of its policy, _PAIRED), and those the
    ``lead`` of the list it is an item of names; with no topic named, the fields of the bodies it names
    ("Sở Y tế"), else those of its nearest heading that names one, else the general topic (to be replaced
    by the section's, draft.py)."""
    topics = mentions(catalogue, "topic", text)
    services = [t for t in topics if t in _service_topics(catalogue)]
    if len(services) >= _SERVICES_AS_A_WHOLE:
        # "bảo đảm mức tối thiểu về thu nhập, giáo dục, y tế, nhà ở, nước sạch và thông tin": the basic social
        # services listed together are social policy as a whole
        general = general_topic(catalogue)
        topics = [general] + [t for t in topics if t not in services and t != general]
    groups = mentions(catalogue, "group", text)
    named_groups = list(groups)
    # A group brings its policy's topic when the provision names no topic of its own or sits under a
    # heading on that topic: "việc làm … nhất là hộ nghèo" is on jobs, not on poverty reduction.
    own_topics = bool(topics)
    heading_topics = {t for heading in headings for t in mentions(catalogue, "topic", heading)}
    for group, topic in _pairs(catalogue):
        if group in named_groups and topic not in topics and (not own_topics or topic in heading_topics):
            topics.append(topic)
    if lead:
        # an item of a list is on what the list's lead names too: "chính sách hỗ trợ người nghèo tiếp cận các dịch vụ
        # trợ giúp pháp lý", listed after "Nghị quyết … về định hướng giảm nghèo …, với các nhóm chính sách như:"
        topics += [t for t in mentions(catalogue, "topic", lead) if t not in topics]
    topics_confidence = 0.85
    if not topics:
        topics = _agency_topics(catalogue, text)
        topics_confidence = 0.7
    if not topics:
        for heading in reversed(headings):
            topics = mentions(catalogue, "topic", heading)
            if topics:
                topics_confidence = 0.6
                break
    if not topics:
        topics, topics_confidence = [general_topic(catalogue)], GENERAL_CONFIDENCE
    return Tags(topics, groups, topics_confidence, 0.8 if groups else 0.6)


# Confidence of a topic no word of the provision or its headings gave.
GENERAL_CONFIDENCE = 0.4


def _agency_topics(catalogue: PlanCatalogue, text: str) -> List[str]:
    """Topics the names of the bodies in ``text`` hold: a body's field ("Sở Y tế", "Bảo hiểm xã hội
    thành phố", "Ban Quản lý An toàn thực phẩm")."""
    found: List[str] = []
    for start, end in agency_spans(text):
        tokens = catalogue.aliases.synonyms.rewrite(syllables(_reworded(text[start:end]), chat=False))
        found += [key for key, _, _ in catalogue.aliases.mentions("topic", tokens)]
    return list(dict.fromkeys(found))


def section_topics(named: Sequence[Sequence[str]]) -> List[str]:
    """The topics at least half of a section's provisions name (``named``: each provision's own
    topics), when two or more do: what the section is about."""
    counts: Dict[str, int] = {}
    for topics in named:
        for topic in set(topics):
            counts[topic] = counts.get(topic, 0) + 1
    return [t for t, n in counts.items() if n >= 2 and 2 * n >= len(named)]


def kind_of(text: str, *, trailer: bool, heading_agencies: Sequence[str], headings: Sequence[str],
            has_figures: bool, legal_refs: Sequence[str], groups: Sequence[str], preamble: bool) -> Tuple[str, float]:
    """The provision's kind (benefit, target, measure, agency, legal_basis) and how sure the rule is."""
    folded = fold(text).strip()
    if trailer:
        return "agency", 0.95
    if heading_agencies:
        return "agency", 0.85
    starts_with_body = bool(agencies_in(text[:80])) and fold(agencies_in(text[:80])[0])[:8] == folded[:8]
    if _DIRECTIVE.match(folded) and agencies_in(text):
        return "agency", 0.85
    if starts_with_body and _AGENCY_ACTS.search(folded[:200]):
        return "agency", 0.8
    if legal_refs and (preamble or _BASIS_START.match(folded)):
        first = min((folded.find(fold(r).split()[-1]) for r in legal_refs), default=-1)
        if preamble or 0 <= first <= 90:
            return "legal_basis", 0.8
    in_targets = any(_TARGET_HEADING.search(fold(h)) for h in headings)
    if has_figures and (_TARGET_VERB.search(folded) or in_targets):
        return "target", 0.85
    if in_targets:
        return "target", 0.7
    if (_GRANTED.search(folded) or _GRANT_LEAD.match(folded)) and (groups or _GROUP_WORDS.search(folded)):
        return "benefit", 0.6
    if has_figures and _TARGET_VERB.search(folded):
        return "target", 0.6
    return "measure", 0.55
