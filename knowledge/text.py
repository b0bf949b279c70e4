"""Vietnamese text folding and term extraction shared by search and the NLU."""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, Iterable, List, Optional, Tuple

# "đ" has no decomposition; superscript digits are written plain ("m²" and "m2" read alike).
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "²": "2", "³": "3"})

# Acronyms used in plans and by people alike, mapped to folded full forms.
# Keys are folded, lower-case, whole tokens.
ACRONYMS: Dict[str, str] = {
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "bhtn": "bao hiem that nghiep",
    "btxh": "bao tro xa hoi",
    "ncc": "nguoi co cong",
    "hs": "hoc sinh",
    "sv": "sinh vien",
    "hssv": "hoc sinh sinh vien",
    "noxh": "nha o xa hoi",
    "nkt": "nguoi khuyet tat",
    "nct": "nguoi cao tuoi",
    "dtts": "dan toc thieu so",
    "tnxp": "thanh nien xung phong",
    "bmvnah": "ba me viet nam anh hung",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "tphcm": "ho chi minh",
    "hcm": "ho chi minh",
    "sg": "sai gon",
    "tp": "thanh pho",
    "ubnd": "uy ban nhan dan",
}

# Teencode and chat shorthand: expanded in what people type, never in the plans.
TEENCODE: Dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "kh": "khong",
    "hok": "khong",
    "hong": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "bn": "bao nhieu",
    "j": "gi",
    "ji": "gi",
    "ntn": "nhu the nao",
    "vs": "voi",
    "mk": "minh",
    "mn": "moi nguoi",
    "ng": "nguoi",
    "nc": "nuoc",
    "ok": "duoc",
    "e": "em",
    "r": "roi",
    "ad": "admin",
}

_QUERY_EXPANSIONS: Dict[str, str] = {**ACRONYMS, **TEENCODE}

# Multi-token spellings rewritten before tokenising ("TP.HCM", "TP. Hồ Chí Minh").
_PHRASE_REWRITES: Tuple[Tuple[re.Pattern, str], ...] = (
    (re.compile(r"\btp\s*\.?\s*hcm\b"), " ho chi minh "),
    (re.compile(r"\bt\.?p\s*\.?\s*ho chi minh\b"), " ho chi minh "),
    (re.compile(r"\bsai gon\s*-\s*gia dinh\b"), " sai gon "),
    (re.compile(r"\bld\s*-?\s*tb\s*(?:&|va)?\s*xh\b"), " lao dong thuong binh va xa hoi "),
    (re.compile(r"\bdien thoai\b"), " sdt "),  # a frame word as one token: "điện" alone is electricity
)

_TOKEN_RE = re.compile(r"[0-9a-z]+(?:[.,][0-9]+)*")

# Folded function words that carry no meaning for ranking.
STOPWORDS = frozenset(
    """
    cho o tai cua la va voi thi ma nhu the nao gi khong co duoc bao nhieu
    toi minh em anh chi ong ban oi a nhe nha ah ha hoi muon biet xin cam on
    hay se da dang nao ai dau sao vay ve theo tu den trong ngoai len ra
    cac nhung mot moi nay kia do roi neu cung rang rua ni hong
    """.split()
)


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics ("Hộ cận nghèo" -> "ho can ngheo")."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_MAP))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


def normalize(text: str, chat: bool = True) -> str:
    """Fold, rewrite known multi-token spellings and expand abbreviations.

    ``chat`` also expands teencode ("ko", "dc"), meant for what people type.
    The result is a space-separated string of folded tokens.
    """
    return " ".join(token for token, _ in expanded_tokens(text, chat))


def expanded_tokens(text: str, chat: bool = True) -> List[Tuple[str, int]]:
    """``normalize``'s tokens, each with its place in the expansion it comes from ("ubnd" gives uy 0,
    ban 1, nhan 2, dan 3; a token typed as such is 0)."""
    table = _QUERY_EXPANSIONS if chat else ACRONYMS
    folded = fold(text)
    for pattern, replacement in _PHRASE_REWRITES:
        folded = pattern.sub(replacement, folded)
    out: List[Tuple[str, int]] = []
    for token in _TOKEN_RE.findall(folded):
        out += [(word, k) for k, word in enumerate(table.get(token, token).split())]
    return out


# Shorthand read only in what is searched for (the classifier keeps its own reading): a number run into
# its unit ("1ng 1nam", "6t") and abbreviations the plans spell out ("xkld", "kcn").
_COUNT_UNIT = re.compile(r"(\d+)(ng|nguoi|nam|thang|tuoi|t)")
_UNITS = {"ng": "nguoi", "t": "tuoi"}
_SEARCH_SHORTHAND = {"xkld": "xuat khau lao dong", "kcn": "khu cong nghiep", "kcx": "khu che xuat",
                     "cty": "cong ty", "bnhiu": "bao nhieu"}


def search_words(tokens: List[str]) -> List[str]:
    """``tokens`` with a query's shorthand spelled out ("1ng" -> 1 người)."""
    out: List[str] = []
    for token in tokens:
        unit = _COUNT_UNIT.fullmatch(token)
        if unit:
            out += [unit.group(1), _UNITS.get(unit.group(2), unit.group(2))]
        else:
            out += _SEARCH_SHORTHAND.get(token, token).split()
    return out


def syllables(text: str, chat: bool = True) -> List[str]:
    """Normalised syllables of a text, abbreviations expanded."""
    return normalize(text, chat).split()


def ngrams(tokens: List[str], n: int) -> Iterable[str]:
    """Space-joined n-grams of a token list."""
    for i in range(len(tokens) - n + 1):
        yield " ".join(tokens[i : i + n])

# Words that frame a question ("who is in charge", "how do I") rather than name its
# subject; they do not count when judging whether a provision covers a question.
QUESTION_FRAME = frozenset(
    """
    phu trach chiu nhiem lien he lam sao thu tuc muon can biet hoi nhe giup xin vui long
    co quan phong nao dau ai duoc khong chua roi a nha oi sdt cccd cmnd chu tri
    """.split()
)

# Where a long message's question starts ("…, cho em hỏi …"), and words that ask.
_ASK_START = re.compile(r"\b(?:cho (?:em|tui|toi|minh|chau|con|chi|anh|co|chu|bac|tao|ta)? ?hoi|xin hoi|nho hoi"
                        r"|hoi giup|hoi gium|hoi dum|muon hoi|chuyen cau hoi(?: cua [a-z ]{0,20})?)\b")
_QUESTION_WORDS = r"bao nhieu|nhieu|may|nao|gi|j|sao|dau|ai|ntn|the nao|duoc khong|phai khong|dung khong|nhu nao"
_NEGATIONS = r"khong|ko|k|hong|hok|chua"
_ASKING = re.compile(rf"\b(?:{_NEGATIONS}|{_QUESTION_WORDS})\b")
# Within a sentence, "không", "chưa" ask only at its end ("… có được không ạ"); before a verb they negate
# ("công ty không đóng bảo hiểm, …").
_ASKING_WORD = re.compile(rf"\b(?:{_QUESTION_WORDS})\b")
_PARTICLES = r"a|ad|vay|z|nhi|ha|ta|nhe|chi|anh|em|ban|co|chu|bac|ong|ba|cau|con|nha"
_ASKING_END = re.compile(rf"\b(?:{_NEGATIONS})(?: (?:{_PARTICLES}))*\W*$")
_SENTENCE = re.compile(r"[.!?\n:;]+\s*")


# The words of an asking clause that say how, not what ("là ngày nào vậy", "được mấy phần trăm").
_ASKING_FRAME = STOPWORDS | QUESTION_FRAME | frozenset(
    "ngay thang nam khi luc gio bao lau han chot muc may nhieu phan tram vay z ko k hok ta the dung phai that"
    .split())


# Words opening a clause that goes on from the one before it ("…, vậy được bao nhiêu?").
_LEANING = frozenset("vay z v dzay".split())


def question_focus(text: str) -> Optional[str]:
    """The part of a long message that asks (its last asking sentence, from "cho em hỏi" on when
    it says so), folded; None when the message is one short sentence."""
    folded = fold(text)
    parts = re.split(f"({_SENTENCE.pattern})", folded)
    ended = list(zip(parts[0::2], parts[1::2] + [""]))  # each sentence with the marks that end it
    pieces = [p.strip() for p, _ in ended if p.strip()]
    # A sentence ending in "?" asks; "…thu nhập thấp lắm mà chưa được xét." after it does not.
    asking = [p.strip() for p, end in ended if p.strip() and "?" in end] \
        or [p for p in pieces if _ASKING.search(p)]
    focus = asking[-1] if asking else (pieces[-1] if pieces else "")
    starts = list(_ASK_START.finditer(focus))
    if starts:
        focus = focus[starts[-1].end():].strip(" ,")
    clauses = [c.strip() for c in focus.split(",") if c.strip()]
    marks = [i for i, c in enumerate(clauses) if _ASKING_WORD.search(c) or _ASKING_END.search(c)]
    if marks:  # "…, e làm ở KCN Hòa Khánh muốn biết để hỏi": clauses around the asking ones say nothing asked
        first = marks[0]
        while first > 0 and not set(", ".join(clauses[first:marks[-1] + 1]).split()) - _ASKING_FRAME:
            first -= 1  # "…xin quà Tết ở phường Hòa Khánh, là ngày nào?": the asking words alone ask nothing
        while first > 0 and clauses[first].split()[0] in _LEANING:
            first -= 1  # "…mua thẻ cho hộ cận nghèo, vậy được phụ nhiêu phần trăm?": "vậy" leans on what precedes
        focus = ", ".join(clauses[first:marks[-1] + 1])
    if not focus or len(focus.split()) >= len(folded.split()) - 2:
        return None
    return focus
