"""What a question asks for, and whether a provision holds it.

A provision is presented as *the* answer only when it holds the asked element (a figure whose
unit fits, an agency, a legal basis, a place or procedure) for the group and year asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from knowledge.catalogue import AliasTable
from knowledge.provision_search import Hit
from knowledge.text import fold, normalize, question_focus

_YEAR = re.compile(r"\b(20[0-9]{2})\b")
# A money figure is asked when a money word follows the asking words ("bao nhiêu tiền", "mấy
# triệu"); "tiền mua thẻ … được bao nhiêu" asks how much support, which a share answers too.
# ("đồng" only right after the asking word: "bao nhiêu lao động" asks a number of workers).
_MONEY = re.compile(r"\b(?:bao nhieu|nhieu|may|muc)(?: [a-z]+){0,2} (?:tien|trieu|nghin|ngan|ty dong|xu)\b"
                    r"|\b(?:bao nhieu|nhieu|may|muc) dong\b"
                    r"|\b(?:tien|trieu|dong) (?:mot|moi|1) (?:thang|nam|nguoi)\b"
                    r"|\bbao nhieu (?:mot|moi|1) (?:thang|nam|can|suat|nguoi)\b|\b(?:mot|moi|1) thang (?:la )?bao nhieu\b"
                    r"|\bthu nhap (?:la |chi |tu |khoang )?bao nhieu\b"  # an income is an amount
                    # "mỗi tháng ông được trợ cấp bao nhiêu", "lương hưu được bao nhiêu": an amount
                    r"|\b(?:mot|moi|1) thang(?: [a-z]+){0,4} bao nhieu\b(?! (?:nguoi|ho|lan|luot))"
                    r"|\b(?:tro cap|phu cap|luong(?: huu)?)(?: [a-z]+){0,1} (?:la |duoc )?bao nhieu\b"
                    r"(?! (?:nguoi|ho|lan|luot))")

# "nhiêu" typed with its circumflex and no other mark: "how much" ("nhiều", many, has a tone mark).
_NHIEU = re.compile(r"(?<![^\W\d_])nhiêu(?![^\W\d_])")

# An age is asked when the asking words touch "tuổi": "mấy tuổi", "dưới bao nhiêu tuổi", "tuổi nào";
# "đi học đúng tuổi … bao nhiêu" asks a rate.
_AGE = re.compile(r"\b(?:may|bao nhieu|bao nhiu|bnhiu) tuoi\b|\btuoi (?:nao|bao nhieu|may|mo)\b")


# An agency is asked: "cơ quan nào", "sở mô", "bên nào lo", "ai chỉ đạo", "tổ chức nào lo cho người già".
_RESPONSIBLE = r"(?:lo|phu trach|chu tri|chiu trach nhiem|thuc hien|quan ly|chi dao|trien khai|giai quyet|huong dan)"
_AGENCY = re.compile(r"\b(?<!dinh )(?<!quyet )(?<!ban )(?:co quan|so|ban nganh|phong ban|nganh|don vi|to chuc) (?:nao|mo|gi)\b(?! tuoi)"
                     r"|\b(?:ben|noi|cap|phong) (?:nao|mo)(?: [a-z]+){0,3} " + _RESPONSIBLE + r"\b"
                     r"|\bai (?:xu ly|dung ra|" + _RESPONSIBLE[3:] + r"\b|\bco quan (?:phu trach|chu tri)\b"
                     r"|\b(?:gui|nop) (?:ve|cho|toi|den|len) (?:dau|ai|mo|noi nao)\b"  # "báo cáo gửi về đâu"
                     r"|\bai lam(?: (?:vay|z|v|a|the|ha|nhi))?\W*$"  # "còn tuyên truyền thì ai làm"
                     r"|\bai (?:lam|giam sat|kiem tra) (?:vu|viec|chuyen|cai)\b"  # "ai làm vụ này", "ai giám sát việc này"
                     r"|\bthi ai(?: (?:vay|v|z|a|ha|nhi|the))?\W*$")  # "còn tuyên truyền cho dân biết thì ai"

# A legal basis is asked: a kind of legal text, a word or two, then which ("nghị quyết đại hội nào"; not
# "quyết định ký ngày nào", a date).
_LEGAL = re.compile(r"\b(?:quyet dinh|nghi dinh|nghi quyet|van ban|luat|thong tu|chi thi)(?: (?!ngay|nam|thang|luc|khi)[a-z]+){0,2} (?:nao|gi|mo)\b")

# "có ai … không": whether anyone does something, not who.
_ANYONE = re.compile(r"\bco ai\b.*?\b(?:khong|ko|k|hong|hok)\b")
# How long a plan runs: "chương trình … tính cho mấy năm", "kế hoạch này làm trong bao nhiêu năm".
_PERIOD_ASKED = re.compile(r"\b(?:chuong trinh|ke hoach)\b.*(?:\b(?:tinh|ap dung|lam|thuc hien|keo dai|trong|cho|nham vao"
                          r"|nham toi|huong toi|danh cho)"
                          r"(?: cho| trong)?(?: khoang)? (?:may|bao nhieu) nam\b"
                          # "vậy là kế hoạch này làm cho giai đoạn 2021-2025 đúng không": its period, checked
                          r"|\bgiai doan (?:19|20)\d\d ?-? ?(?:19|20)\d\d(?: (?:dung|phai|a|ha|vay|the))*"
                          r" (?:khong|ko|k|hong|chua|ha)\W*$)")
# "xây ở phường nào", "nằm ở khu nào": where
_WHERE_BUILT = re.compile(r"\bo (?:phuong|xa|khu|quan|huyen|thon|ap|cho|dia diem|vi tri) (?:nao|mo)\b")
# Where the money comes from ("tiền lấy từ đâu?", "kinh phí ở đâu ra", "ai chi trả"), and a provision that says it.
_FUNDING_ASKED = re.compile(r"\b(?:tien|kinh phi|von|quy)(?: [a-z]+){0,2} (?:tu dau|o dau ra|dau ra)\b"
                            r"|\bnguon (?:kinh phi|tien|von)\b|\bai (?:chi tra|tra tien|bo tien|chi tien)\b|\bai (?:tra|chi)\W*$"
                            r"|\blay tien (?:o )?dau\b|^(?:(?:the|vay|con) )?tien (?:o )?dau (?:de|ma)\b"
                            # "tiền để làm … lấy ở đâu ra", "lấy kinh phí ở đâu": money, not a place to apply
                            r"|\b(?:tien|kinh phi|von|ngan sach)\b.*\blay (?:o |tu )?dau\b"
                            r"|\blay (?:kinh phi|tien|von|ngan sach) (?:o |tu )dau\b"
                            # "ngoài ngân sách thì còn nguồn nào nữa không": another source of the money
                            r"|\bngoai (?:ngan sach|kinh phi|von)\b.*\bnguon (?:nao|gi|khac)\b")
_FUNDING = re.compile(r"\b(?:kinh phi|ngan sach|nguon von|nguon luc|huy dong|dong gop"
                      r"|quy (?:vi|den on|bao tro|khuyen hoc|ho tro|giam ngheo|tin dung|phat trien|xa hoi))\b")  # not "hằng quý"

# The kind of legal text a legal-basis question names, and how a reference of that kind is written.
_LEGAL_KIND = re.compile(r"\b(?:nghi quyet|nghi dinh|thong tu|nq|nd)\b")
_LEGAL_KIND_MARKS = {"nghi quyet": ("nghi quyet", "/nq", "nq-"), "nq": ("nghi quyet", "/nq", "nq-"),
                     "nghi dinh": ("nghi dinh", "/nd-"), "nd": ("nghi dinh", "/nd-"),
                     "thong tu": ("thong tu", "/tt-")}

# A date or a recurring deadline in a provision ("ngày 30/11", "ngày 30 của tháng cuối quý", "hằng quý").
_DATE = re.compile(r"\bngay \d{1,2}\b|\bhang (?:nam|quy|thang)\b|\bdinh ky\b")
# When something starts: "từ năm 2024", "từ năm học 2010 - 2011", "bắt đầu năm 2013".
_START = re.compile(r"\b(?:tu|bat dau(?: tu)?) (?:nam (?:hoc )?|ngay \d{1,2}/\d{1,2}/)?(?:19|20)\d{2}\b")
_YES_NO = re.compile(r"\b(?:khong|ko|k|hong|hok|chua|duoc khong|phai khong)(?: [a-z]+)?\W*$")
# Who a policy is for, asked of it ("cái đó áp dụng cho ai", "nhắm vào ai?"): not one's own case.
_WHO_FOR = re.compile(r"\b(?:ap dung|danh|nham|huong|uu tien)(?: vao| cho| toi| den)? (?:nhung )?ai\b"
                      r"|\bcho (?:nhung )?ai(?: vay| the)?\W*$|\bnhung ai duoc\b|\bai (?:se )?duoc (?:huong|ap dung)\b")
_OFFICE_ASKED = re.compile(r"\bphong (?:nao|mo|gi|j)\b")
_NOW = re.compile(r"\b(?:hien (?:nay|gio|tai)|bay gio|dang o muc|thuc te)\b")
_EVERY = re.compile(r"\b(?:nam|ngay|thang|luc|khi|cho|noi|ai) (?:nao|mo)(?: [a-z]+){0,2} cung\b")


# School levels as people write them -> the plans' words (folded).
LEVELS = (("mam non", "mam non"), ("mau giao", "mam non"), ("cap 1", "tieu hoc"), ("tieu hoc", "tieu hoc"),
          ("cap 2", "trung hoc co so"), ("trung hoc co so", "trung hoc co so"), ("thcs", "trung hoc co so"),
          ("cap 3", "trung hoc pho thong"), ("trung hoc pho thong", "trung hoc pho thong"),
          ("pho thong trung hoc", "trung hoc pho thong"), ("thpt", "trung hoc pho thong"),
          ("dai hoc", "dai hoc"), ("cao dang", "dai hoc"), ("hoc nghe", "hoc nghe"), ("day nghe", "hoc nghe"),
          ("giao duc nghe nghiep", "hoc nghe"), ("dao tao nghe", "hoc nghe"))


def level_mentions(folded: str) -> List[Tuple[str, str]]:
    """(spelling, the plans' word) of each school level a folded text names ("chỉ tiêu học …" names none:
    its "tiêu học" folds as "tiểu học")."""
    folded = NOT_A_LEVEL.sub(" ", folded)
    return [(spelling, canon) for spelling, canon in LEVELS if _has(folded, spelling)]


NOT_A_LEVEL = re.compile(r"\bchi tieu(?= hoc\b)")


def levels_in(folded: str) -> Tuple[str, ...]:
    """The school levels a folded text names, in the plans' words; "phổ thông" alone is all three
    general levels ("miễn học phí cho học sinh mầm non, phổ thông")."""
    canons = [canon for _, canon in level_mentions(folded)]
    if _GENERAL_SCHOOL.search(folded):
        canons += ["tieu hoc", "trung hoc co so", "trung hoc pho thong"]
    return tuple(dict.fromkeys(canons))


_GENERAL_SCHOOL = re.compile(r"(?<!trung hoc )\bpho thong\b(?! trung hoc)")


@dataclass(frozen=True)
class Asked:
    element: Optional[str]     # figure | agency | legal_basis | procedure | time | funding | group (who a policy
    # is for) | document (the plan's number, issuer, status) | signer (never held) | None (a yes/no, a description)
    # For a figure: percent | money | price (what something costs) | age | count. For a time: issued (a
    # document's date); day (a day or deadline asked, "hạn ngày nào", which only a date holds); date (a
    # time asked after an answer, which a year or a recurring date such as "ngày 30/11 hằng năm" holds).
    unit: Optional[str] = None
    year: Optional[str] = None
    levels: Tuple[str, ...] = ()  # school levels named ("cấp 3" -> trung học phổ thông)
    now: bool = False  # a figure as it stands today ("hiện giờ thất nghiệp đang ở mức bao nhiêu?"), not a target
    body: Optional[str] = None  # the kind of body asked for ("phòng nào" -> "Phòng"), for an agency; the kind
    # of legal text, for a legal basis ("nghị quyết đại hội nào" -> "nghi quyet"); what a figure is of, when
    # only a figure of that answers ("lãi suất mấy %" -> "lai suat")
    after: bool = False  # the years after ``year`` are asked ("sau 2015 thì mỗi năm bao nhiêu?")


def _has(text: str, *phrases: str) -> bool:
    return bool(_alternation(phrases).search(text))


@lru_cache(maxsize=256)
def _alternation(phrases: Tuple[str, ...]) -> "re.Pattern[str]":
    """One pattern for whole-word matches of any of ``phrases``, compiled once."""
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![a-z0-9])")


@lru_cache(maxsize=1024)
def asked(question: str) -> Asked:
    """The element a question asks for, read from its folded, abbreviation-expanded words."""
    q = normalize(question)
    years = _YEAR.findall(q)
    year = years[-1] if years else None
    part = asking_part(question)  # "ổng nằm một chỗ mấy năm nay … có lo bảo hiểm y tế không": not a duration
    want = replace(_asked(normalize(part), part, year), levels=levels_in(q),
                   after=bool(year and re.search(rf"\bsau (?:nam )?{year}\b", q)))
    if want.element == "agency" and _OFFICE_ASKED.search(q):
        want = replace(want, body="Phòng")  # a district's office, not its Party committee or council
    return replace(want, now=True) if want.element == "figure" and _NOW.search(q) else want


# The dot of a place's abbreviation ("TP.HCM", "Q.1", "P. 5") ends no sentence.
_ABBREVIATED_PLACE = re.compile(r"\b(TP|Tp|tp|Q|q|P|p|TX|tx|TT|tt)\.\s*(?=\w)")


def asking_part(question: str) -> str:
    """The part of a long message that asks, as typed (``question_focus``, with its diacritics when the
    message can be aligned with its folded form); the whole of a short one."""
    question = _ABBREVIATED_PLACE.sub(r"\1 ", question)
    focus = question_focus(question)
    if not focus:
        return question
    folded = fold(question)
    clauses = [c.strip() for c in focus.split(",") if c.strip()]
    start = folded.rfind(clauses[0])
    last = folded.find(clauses[-1], start) if start >= 0 else -1
    if len(folded) != len(question) or start < 0 or last < 0:
        return focus
    return question[start:last + len(clauses[-1])]


def asks_yes_no(text: str) -> bool:
    """"có hỗ trợ đóng ko", "được không?": whether the message asks yes or no."""
    return bool(_YES_NO.search(normalize(text)))


# A message ending on a question word, with or without a particle typed after it: "đầu tư những gì z", "vậy trường
# tư cũng được miễn hả", "HĐND có vai trò gì".
_QUESTION_END = re.compile(r"\b(?:gi|j|nao|sao|ai|dau|ha|nhi)(?: (?:z|v|vay|a|ha|nhi|the|day|ne))?\W*$")


# "còn tiêm chủng mở rộng", "thế còn hộ cận nghèo": what about …, asked as typed ("con" folded is also a child).
_WHAT_ABOUT = re.compile(r"^(?:(?:the|vay|vậy|thế|the thi|a|à|ủa|ua)\s+)?còn\s", re.IGNORECASE)


def is_question(text: str) -> bool:
    """The message is put as a question: a question mark, a yes/no ending ("… không ạ"), a question word
    last ("… những gì z"), or "còn …" first."""
    return "?" in text or asks_yes_no(text) or bool(_QUESTION_END.search(normalize(text))) \
        or bool(_WHAT_ABOUT.match(text.strip()))


# A message asking how, not how many: "… thì tính sao", "… thế nào", "… ra sao".
_ASKS_HOW = re.compile(r"\b(?:thi|tinh|lam|ra) sao\b|\b(?:the|nhu the) nao\b")
_SHORT_ASK = 6  # words of a message that asks only which plan or scheme grounds the last answer


# Of the plan as a document: who issued it, whether it is in force or a draft, its number (not who signed it:
# a person the plans do not name).
_DOCUMENT_ASKED = re.compile(
    r"(?P<issuer>\b(?:ai|co quan nao|cap nao|don vi nao|noi nao) ban hanh\b|\bdo ai ban hanh\b"
    r"|\bban hanh boi\b)"
    r"|(?P<status>\b(?:chinh thuc chua|co chinh thuc|la du thao|ban du thao|con hieu luc|het hieu luc|da ban hanh chua"
    r"|con dung khong|con ap dung khong)\b)"
    r"|(?P<number>\b(?:van ban|ke hoach|chuong trinh)(?: (?:do|nay|ay|kia|cua [a-z]+(?: [a-z]+)?))?(?: la)? so (?:may|bao nhieu"
    r"|hieu)\b|\bban hanh (?:kem|theo) (?:quyet dinh|qd) so (?:may|bao nhieu)\b)")


# Who signed a plan: a person the kept texts do not name.
_SIGNER = re.compile(r"\b(?:ai|nguoi nao|ong nao|ba nao) (?:da )?ky\b|\bnguoi ky\b|\bky ten\b|\bchu ky\b")
# A text named before "so nao": its number is asked, not a department.
_TEXT_NUMBER = re.compile(r"\b(?:chuong trinh|ke hoach|quyet dinh|nghi quyet|nghi dinh|thong tu|van ban|de an)\b"
                          r"(?:(?! co quan| don vi| phong)[ a-z0-9]){0,40}?\bla so (?:nao|may)\b")
# What comes before "chương trình số mấy" when the text asked about is one the plan carries out, not the plan.
_OTHER_TEXT = re.compile(r"\b(?:theo|thuc hien|trien khai|can cu|dua tren)$")


def _asked(q: str, question: str, year: Optional[str]) -> Asked:
    q = _EVERY.sub(" ", q)  # "năm nào cũng phải mua" says every year, it does not ask which
    document = _DOCUMENT_ASKED.search(q)
    if document and document.group("number") and (_OTHER_TEXT.search(q[:document.start()].rstrip())
                                                   or _has(q, "de an")):
        # another text: "làm theo chương trình số mấy của Tỉnh ủy", "Đề án … ban hành theo quyết định số mấy"
        document = None
    if document:
        # of the plan itself, which every answer's citation states (its number, who issued it, whether a draft)
        unit = "issuer" if document.group("issuer") else "status" if document.group("status") else "number"
        return Asked("document", unit, year)
    if _SIGNER.search(q) and not (_LEGAL.search(q) or _has(q, "so may", "so nao", "qd so", "so hieu")):
        return Asked("signer", year=year)  # "qd số mấy, ai ký vậy" asks a number too, which the plans give
    agency = _AGENCY.search(q)
    anyone = _ANYONE.search(q)
    if agency and anyone and all(anyone.start() <= m.start() < anyone.end() for m in _AGENCY.finditer(q)):
        agency = None  # "có ai quản lý chặt không": whether anyone does, yes or no (not "…, ai hướng dẫn vậy")
    if agency and _TEXT_NUMBER.search(q[:agency.end()]):
        agency = None  # "chương trình của Tỉnh ủy là số nào": "số nào" (a number) folds as "sở nào" (a department)
    if agency:
        return Asked("agency", year=year)
    if _WHO_FOR.search(q):
        return Asked("group", year=year)
    if _LEGAL.search(q) or _has(q, "quyet dinh nao", "nghi dinh nao", "nghi quyet nao", "van ban nao", "quyet dinh so may",
            "so may", "so nao", "can cu", "theo van ban", "theo quyet dinh", "theo nghi dinh", "luat nao", "thong tu nao",
            "quyet dinh gi", "van ban gi", "nghi quyet gi", "ban hanh theo", "qd nao", "qd so", "qd gi",
            "theo qd", "nq nao", "nq so", "nghi quyet so", "nghi dinh so") \
            or len(q.split()) <= _SHORT_ASK and _has(q, "theo ke hoach nao", "theo de an nao", "theo chuong trinh nao"):
        # "theo kế hoạch nào vậy?" after an answer asks its basis; in a longer question ("có dự án … không, theo kế
        # hoạch nào?") the citation names the plan
        kind = _LEGAL_KIND.search(q)
        return Asked("legal_basis", year=year, body=kind.group(0) if kind else None)
    if _FUNDING_ASKED.search(q):
        return Asked("funding", year=year)
    if _PERIOD_ASKED.search(q):
        return Asked("time", "period", year)  # "kế hoạch … tính cho mấy năm": its period, "giai đoạn 2021-2025"
    if _WHERE_BUILT.search(q):
        # "300 căn … xây ở khu nào, khi nào mở đăng ký?": the place asked first, which a target's year does not give
        return Asked("procedure", year=year)
    if _has(q, "ban hanh ngay nao", "ban hanh khi nao", "ban hanh nam nao", "ban hanh luc nao", "ky ngay nao",
            "ban hanh hoi nao", "ra ngay nao", "ra doi khi nao"):
        return Asked("time", "issued", year)  # the citation's date answers it
    if _has(q, "tu nam nao", "tu nam hoc nao", "nam hoc nao", "khi nao", "bao gio", "chung nao", "tu luc nao",
            "nam nao", "nam mo", "nam hoc mo", "luc nao", "tu khi nao", "ngay nao", "thang nao", "han chot",
            "thoi han", "cham nhat", "giai doan nao", "thoi gian thuc hien", "thoi gian nao", "giai doan may nam", "den nam nao", "toi nam nao",
            "bao lau", "ngay may", "thang may", "dinh ky"):
        # A day or a deadline asked ("hạn ngày nào", "chậm nhất khi nào"): a recurring date holds it.
        # "bao lâu … một lần": how often, which a recurring date ("định kỳ", "hằng quý") says
        day = _has(q, "ngay nao", "ngay may", "han chot", "han ngay", "dinh ky") \
            or bool(re.search(r"\bbao lau\b.*\b(?:mot|1) lan\b", q))
        if day:
            # "ngày mấy hàng tháng": the recurrence the question names is no day a provision says
            said = re.search(r"\b(?:hang|moi) (?:nam|quy|thang)\b", q)
            return Asked("time", "day", year, body=said.group(0).replace("moi", "hang") if said else None)
        if not day and _has(q, "tu nam nao", "tu nam hoc nao", "tu khi nao", "tu luc nao", "tu nam may"):
            return Asked("time", "start", year)  # a start: "từ năm 2024", not "đến năm 2030"
        return Asked("time", "day" if day else None, year)
    q = re.sub(r"\bo mo\b", "o dau", q)  # "nhận ở mô": the Centre's "ở đâu"
    if _has(q, "thu tuc", "ho so", "giay to", "nop o dau", "dang ky o dau", "lam o dau", "nhan o dau",
            "dang ky nhu the nao", "xin o dau", "o dau de", "den dau", "lien he o dau", "cach dang ky", "nam o dau",
            "dia chi", "giay gi", "giay to gi", "nop don", "lam don", "xin vao") \
            or re.search(r"\bo dau\W*$", q):
        # "…, ở đâu?", "nằm ở đâu": where, which an address or a procedure says
        return Asked("procedure", year=year)
    figure = _has(q, "bao nhieu", "may phan tram", "phan tram", "ty le bao nhieu",
                  "muc bao nhieu", "may tuoi", "bao nhieu tuoi", "may trieu", "bao nhieu tien", "muc ho tro la",
                  "muc nao", "muc mo", "bao nhiu", "bnhiu", "bao nhieu %")
    if not figure and _has(q, "toi da", "toi thieu") and not _YES_NO.search(q):
        figure = True  # "vay tối đa là?"; "có được bảo đảm mức sống tối thiểu không?" asks yes or no
    # "mấy" asks a number before a unit; "mấy hộ", "mấy cô chú" are plurals in the South.
    if not figure and _has(q, "may tuoi", "may can", "may lan", "may nam", "may thang", "may trieu", "may chuc") \
            and not _ASKS_HOW.search(q):  # "còn mấy căn nhà tạm thì tính sao": those houses, asked how
        figure = True
    if not figure and _PER_EACH.search(q):
        figure = True  # "mỗi trạm mấy bác sĩ"
    if not figure and re.search(r"\b(?:may|nhieu|bnhiu|bao nhiu)\s*%", fold(question).lower()):
        figure = True  # "được mấy %", "nhiêu %"
    if not figure and (_NHIEU.search(question.lower()) or _has(q, "nhieu tien", "nhieu phan tram")):
        figure = True  # "chuẩn nghèo là nhiêu?", "hỗ trợ nhiêu tiền": the South's "bao nhiêu" ("nhiều" is many)
    if not figure:
        return Asked(None, year=year)
    if _has(q, "phan tram", "ty le", "lai suat") or "%" in question:
        unit = "percent"
    elif _PRICE_NAMED.search(q):
        unit = "price"
    elif _MONEY.search(q):
        unit = "price" if _PRICE_ASKED.search(q) else "income" if _INCOME_ASKED.search(q) else "money"
    elif re.search(r"\b(?:met vuong|m2|dien tich)\b|m²", f"{q} {question}"):
        unit = "area"  # "bao nhiêu mét vuông": so many m² of floor, not so many houses
    elif _AGE.search(q):
        unit = "age"
    elif _PER_EACH.search(q):
        unit = "count"  # so many to each: a share ("100% trạm y tế có bác sĩ") does not say it
    elif _COUNT_ASKED.search(q) and (not year and not _has(q, "muc tieu", "chi tieu", "phan dau")
                                     or re.search(r"\bbao nhieu can\b", q)):
        # "bao nhiêu xã đông đồng bào dân tộc": a number of places, which a share does not give (a target of
        # "bao nhiêu xã có trạm y tế" is met by "100% xã"; so many houses, "bao nhiêu căn … tới 2030", never is)
        unit = "count"
    elif _has(re.sub(r"\b(nam|thang) (?:19|20)\d{2}\b", " ", q), "bao nhieu nam", "may nam", "bao nhieu thang",
              "may thang"):  # "bao nhiêu năm 2020" asks a figure for a year
        unit = "duration"  # "đóng đủ bao nhiêu năm": a length of time, not a share or an amount
    else:
        unit = None
    # a loan's rate, or the share in one insurance: a share of something else does not answer it
    # ("bao nhiêu % tham gia bảo hiểm thất nghiệp" is not answered by the share in social insurance)
    insurances = [kind for kind in _INSURANCES if _has(q, kind)]
    body = "lai suat" if _has(q, "lai suat") else insurances[0] if len(insurances) == 1 and unit == "percent" else None
    if unit == "percent" and _has(re.sub(r"\bdong chi tra\b", " ", q), "tien dong", "muc dong", "phi dong",
                                  "tien mua the"):  # not the co-payment ("phần tiền đồng chi trả")
        body = _PAID_SHARE  # "hỗ trợ bao nhiêu phần trăm tiền đóng": a share of what is paid, not of people
    return Asked("figure", unit, year, body=body)


# A number of places or buildings asked ("bao nhiêu xã", "bao nhiêu căn"), not a share of them.
# "mỗi trạm mấy bác sĩ", "mỗi xã có bao nhiêu cán bộ": a number for each.
_PER_EACH = re.compile(r"\bmoi (?!nam|thang|ngay|quy|tuan)[a-z]+(?: [a-z]+)? (?:co |duoc )?(?:may|bao nhieu|bnhiu) (?!%|phan tram)[a-z]+")
_COUNT_ASKED = re.compile(r"\b(?:bao nhieu|bao nhiu|bnhiu) (?:cai |ngoi )?(?:xa|phuong|huyen|quan|truong|tram|can|benh vien"
                          r"|co so|khu|diem|thon|ap|to dan pho)\b")


# Words of a provision whose share is of what is paid (a contribution, a card's price).
_PAID_SHARE = "muc dong|tien dong|dong bao hiem|ho tro dong|menh gia|gia tri the|chi phi mua the|kinh phi mua the"
_INSURANCES = ("bao hiem that nghiep", "bao hiem xa hoi", "bao hiem y te")


def _unit_class(unit: str) -> str:
    u = fold(unit or "")
    if "%" in u or "‰" in u:
        return "percent"
    if "dong" in u:
        return "money"
    if "tuoi" in u:
        return "age"
    if u.strip() in ("nam", "thang"):
        return "duration"
    if re.match(r"\s*(?:m2|m²|km2?|ha)\b", u):
        return "area"  # "33 m² sàn/người" is no number of houses
    return "count"


# A share of a price ("50% mệnh giá thẻ", "15% chi phí khám chữa bệnh") says how much money is given, not
# what the price is ("mệnh giá thẻ là bao nhiêu tiền?": unit "price").
_PRICE = r"(?:menh gia|chi phi|hoc phi|gia|tien|kinh phi|phi)"
_PRICE_ASKED = re.compile(r"\b(?:menh gia|gia|hoc phi|chi phi)(?: [a-z]+){0,3} la bao nhieu\b")
# A price named by what is bought or rented ("giá bán … bao nhiêu một mét vuông"; not "người già", "tham gia").
_PRICE_NAMED = re.compile(r"\bgia (?:ban|thue|mua|nuoc|dien|ve|can ho)(?: [a-z0-9]+){0,4} (?:la )?bao nhieu\b")


# An income asked ("thu nhập bao nhiêu thì là hộ nghèo"): a threshold answers it. Otherwise the amount a
# threshold names ("hộ nghèo có thu nhập từ 12 triệu đồng/người/năm trở xuống") says who, not how much is given.
_INCOME_ASKED = re.compile(r"\b(?:thu nhap|chuan (?:ho )?(?:can )?ngheo|muc song)\b")


def _threshold(text: str, number: Dict[str, Any]) -> bool:
    amount = rf"(?<![\d,.]){re.escape(_written(number))}\s*(?:trieu |nghin |ngan )?dong\S*"
    return bool(re.search(amount + r"\s+tro (?:xuong|len)\b", fold(text)))


def _written(number: Dict[str, Any]) -> str:
    """A figure's value as the plans write it: 50 for 50.0, 2,5 for 2.5."""
    raw = number.get("value")
    return str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw).replace(".", ",")


def _share_of_a_price(text: str, number: Dict[str, Any]) -> bool:
    if _unit_class(str(number.get("unit"))) != "percent":
        return False
    return bool(re.search(rf"(?<![\d,.]){re.escape(_written(number))}\s*% {_PRICE}\b", fold(text)))


def _in_group_names_only(hit: Hit, aliases: AliasTable, asked: Sequence[str] = ()) -> Set[str]:
    """The figures a text writes only inside a group's name ("trẻ em dưới 6 tuổi"): they say who, not how
    much; those in the name of a group ``asked`` about (or of its family) stay, for its age is what is asked."""
    tokens = _folded_text(hit.text).split()
    family = {g for key in asked for g in aliases.group_family(key)}
    spans = [(start, end) for key, start, end in aliases.mentions("group", tokens) if key not in family]
    inside = {t for s, e in spans for t in tokens[s:e]}
    outside = {t for i, t in enumerate(tokens) if not any(s <= i < e for s, e in spans)}
    return inside - outside


def holds(hit: Hit, want: Asked, groups: Sequence[str], aliases: AliasTable) -> bool:
    """Whether the provision holds what was asked, for the groups and school level named."""
    if want.element == "signer":
        return False  # the plans' texts as kept name no signer
    level_named = False
    if want.levels:
        named = levels_in(_folded_text(hit.text))
        if named and not set(named) & set(want.levels):
            return False
        level_named = bool(named)
    # An agency is in charge of a task, and a legal basis grounds a policy, not a group: their provisions rarely
    # name the group asked about.
    # The school level asked, named in the text, says more than "học sinh" (mầm non is for children).
    if groups and want.element not in ("agency", "legal_basis") and not level_named \
            and not any(for_group(hit, g, aliases) for g in groups):
        return False
    if want.element is None and want.year and hit.kind == "target" and _YEAR.search(hit.text) \
            and not _holds_year(hit, want):
        return False  # "đến 2030 thì mục tiêu chung là gì": a target set for 2045 is not the one for 2030
    if want.element == "figure" and want.body and not _has(_folded_text(hit.text), *want.body.split("|")):
        return False  # "lãi suất mấy phần trăm": only a figure of the rate itself answers
    if want.element == "figure":
        unit = "money" if want.unit in ("price", "income") else want.unit
        # an age ("từ 3 đến 5 tuổi") says who, not how many or how much, unless an age is asked
        numbers = [n for n in hit.numbers if unit is None and _unit_class(str(n.get("unit"))) != "age"
                   or _unit_class(str(n.get("unit"))) == unit
                   or want.unit == "money" and _share_of_a_price(hit.text, n)]
        if want.unit == "money":
            numbers = [n for n in numbers if not _threshold(hit.text, n)]
        if want.unit == "income":  # an income is so much a person or household ("12 triệu đồng/người/năm"), not a sum
            numbers = [n for n in numbers if re.search(r"/\s*(?:người|hộ|khẩu)", str(n.get("unit")))]
        # an age asked of a group is answered by the age its name sets ("trẻ em dưới 6 tuổi" for "con nít mấy tuổi")
        names_only = _in_group_names_only(hit, aliases, groups if want.unit == "age" else ()) if numbers else set()
        numbers = [n for n in numbers if _written(n) not in names_only]
        if not numbers:
            return False
        if want.year and not _holds_year(hit, want):
            return False
        if want.now and hit.kind == "target":  # a target says where a figure should be, not where it is
            return False
    elif want.element == "agency":
        if want.body and not (want.body in hit.text or any(a.startswith(want.body) for a in hit.agencies)):
            return False
        return names_agency(hit)
    elif want.element == "legal_basis":
        if want.body:  # "nghị quyết nào": a resolution, not a decree ("quyết định" is said of any text)
            marks = _LEGAL_KIND_MARKS[want.body]
            return any(m in fold(ref) for ref in hit.legal_refs for m in marks)
        return cites_legal_basis(hit)
    elif want.element == "time":
        if want.year and want.unit != "issued":
            return _holds_year(hit, want)
        if want.unit == "day":  # a day or deadline: a year alone ("đến năm 2025") does not say it
            text = _folded_text(hit.text)
            return bool(_DATE.search(text.replace(want.body, " ") if want.body else text))
        if want.unit == "start":
            return bool(_START.search(_folded_text(hit.text)))
        if want.unit == "issued" or _YEAR.search(hit.text):
            return True
        return want.unit == "date" and bool(_DATE.search(_folded_text(hit.text)))
    elif want.element == "group":
        return bool(hit.groups)
    elif want.element == "document":
        return True  # the citation under every answer names the document, its issuer and whether it is a draft
    elif want.element == "funding":
        return holds_funding(hit)
    elif want.element == "procedure":
        return _has(normalize(hit.text, chat=False), "thu tuc", "ho so", "dang ky", "mot cua", "tiep nhan",
                    "qua buu dien", "qua he thong buu dien", "qua tai khoan",  # where a payment is received
                    "tai cac xa diem", "tai cac xa", "tai cac phuong")  # where a programme starts
    elif want.year and want.after and not (_holds_year(hit, want)
                                           or re.search(rf"\bsau (?:nam )?{want.year}\b", _folded_text(hit.text))):
        return False  # "sau 2025 thì sao" asks of the years after it: only a provision speaking of them answers
    elif want.year and not _holds_year(hit, want) and any(n.get("year") for n in hit.numbers):
        return False
    return True


def _holds_year(hit: Hit, want: Asked) -> bool:
    """The provision speaks of the year asked, or of a later one when the years after it are asked."""
    if want.after:
        return any(int(y) > int(want.year or 0) for y in _YEAR.findall(hit.text))
    return bool(want.year) and want.year in hit.text


def names_agency(hit: Hit) -> bool:
    """The provision names an agency in charge."""
    return hit.kind == "agency" or bool(hit.agencies)


def cites_legal_basis(hit: Hit) -> bool:
    """The provision cites a legal text, numbered or named ("theo Pháp lệnh ưu đãi người có công")."""
    return hit.kind == "legal_basis" or bool(hit.legal_refs) or bool(_NAMED_LAW.search(hit.text))


# A law or ordinance named by its title rather than its number.
_NAMED_LAW = re.compile(r"\bPháp lệnh\b|\bLuật [A-ZĐ]")


def holds_funding(hit: Hit) -> bool:
    """The provision says where money comes from: a budget, a fund, contributions."""
    return bool(_FUNDING.search(_folded_text(hit.text)))


def for_group(hit: Hit, group: str, aliases: AliasTable) -> bool:
    """The provision is tagged with the group (or a parent or child of it), names it in its text, or names
    where only that group is (a crèche "trong các khu công nghiệp" is for workers' children)."""
    return bool(aliases.group_family(group) & set(hit.groups)) or names_group(hit, group, aliases, family=True) \
        or any(group in aliases.resolve("group", name) and _has(_folded_text(hit.text), *places)
               for name, places in _GROUP_PLACES)


# Groups named by where they are.
_GROUP_PLACES = (("công nhân", ("khu cong nghiep", "khu che xuat")),)


def names_group(hit: Hit, group: str, aliases: AliasTable, family: bool = False) -> bool:
    """The provision's text names the group (or, with ``family``, a parent or child of it)."""
    keys = aliases.group_family(group) if family else {group}
    spellings = tuple(sorted(spelling for spelling, owners in aliases.by_kind.get("group", {}).items()
                             if keys & set(owners)))
    return bool(spellings) and _has(_folded_text(hit.text), *spellings)


@lru_cache(maxsize=2048)
def _folded_text(text: str) -> str:
    return normalize(text, chat=False)


ELEMENT_WORDS = {"figure": "con số cụ thể", "time": "thời điểm cụ thể", "agency": "cơ quan phụ trách riêng", "legal_basis": "văn bản căn cứ",
                 "procedure": "thủ tục hay nơi nộp hồ sơ", "funding": "nguồn kinh phí",
                 "group": "đối tượng áp dụng", "document": "thông tin văn bản", "signer": "người ký văn bản",
                 None: "nội dung này"}


def missing_phrase(want: Asked, group_names: Sequence[str]) -> str:
    """"con số cụ thể cho hộ cận nghèo năm 2030": what the plan does not say, in words."""
    phrase = ELEMENT_WORDS[want.element]
    if group_names:
        phrase += " cho " + ", ".join(group_names)
    if want.year:
        phrase += f" cho {'sau ' if want.after else ''}năm {want.year}"
    return phrase


# National rules no local plan sets: the assistant declines them and says where to ask.
_NATIONAL = ("luong huu", "nghi huu", "huu tri", "muc dong bao hiem", "ty le dong bao hiem", "dong bao hiem",
             "thai san",
             "rut bao hiem xa hoi mot lan", "rut mot lan", "chuan ngheo quoc gia", "muc luong toi thieu",
             "luong co so", "cach tinh", "tuoi nghi huu", "mai tang phi", "tro cap that nghiep duoc bao nhieu",
             "huong bao nhieu thang", "gia han the", "muc huong bao hiem", "muc huong luong",
             "bao hiem y te ho gia dinh", "bhyt ho gia dinh", "nguoi thu nhat", "nguoi thu hai")


def national_phrases(question: str) -> List[str]:
    """The words of a national rule a question names ("lương hưu", "mức đóng bảo hiểm")."""
    q = normalize(question)
    return [p for p in _NATIONAL if _has(q, p)]


# Words that also name what local plans do about insurance ("hỗ trợ đóng bảo hiểm xã hội tự nguyện").
_NATIONAL_BUT_LOCAL_TOO = frozenset({"dong bao hiem", "nghi huu"})


# A contribution asked about as help with it ("được hỗ trợ mức đóng BHYT bao nhiêu"): what local plans give.
_CONTRIBUTION = frozenset({"muc dong bao hiem"})


def national_amounts(phrases: Sequence[str], question: str = "") -> List[str]:
    """Of a question's national-rule words (``national_phrases``), those no plan's field words share ("lương
    hưu", "thai sản"); a contribution is one only when no help with it is asked."""
    helped = _has(normalize(question), "ho tro", "giam", "mien") if question else False
    return [p for p in phrases if p not in _NATIONAL_BUT_LOCAL_TOO and not (helped and p in _CONTRIBUTION)]


def names_national_rule(hit: Hit, phrases: Sequence[str]) -> bool:
    """The provision speaks of the national rule asked about itself, not only of the same field (a target for
    the share of workers insured does not say what a pension is)."""
    return _has(_folded_text(hit.text), *phrases)
