"""Agencies a plan names, as written, and what became of them in the 2025 reorganisation."""
from __future__ import annotations

import re
from typing import List, Optional, Tuple

from knowledge.text import fold

UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"

# Provincial departments by their standard names (a comma or "và" inside a name is part of it).
_DEPARTMENTS = (
    "Lao động - Thương binh và Xã hội", "Lao động, Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch",
    "Văn hoá, Thể thao và Du lịch", "Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Môi trường",
    "Tài nguyên và Môi trường", "Thông tin và Truyền thông", "Kế hoạch và Đầu tư", "Giáo dục và Đào tạo",
    "Khoa học và Công nghệ", "Giao thông vận tải", "Giao thông - Vận tải", "Dân tộc và Tôn giáo",
    "Văn hóa và Thể thao", "Quy hoạch - Kiến trúc", "Công Thương", "Nội vụ", "Tư pháp", "Tài chính", "Xây dựng",
    "Y tế", "Ngoại vụ", "Du lịch", "Công an",
)
_LOCAL = (r"(?:\s+(?:các\s+)?(?:tỉnh|thành phố|TP\.?|quận|huyện|thị xã|thị trấn|xã|phường)"
          r"(?:,\s*(?:quận|huyện|thị xã|xã|phường|thị trấn))*)?")
_PLACE = rf"(?:\s+(?!Ủy ban|Uỷ ban|UBND\b|Sở\b|Phòng\b)(?:[{UPPER}]\w*)(?:\s+[{UPPER}]\w*){{0,3}})?"
_DEPARTMENT_RE = re.compile(
    r"(?<!\w)(?:Sở|Phòng)\s+(?:" + "|".join(re.escape(d) for d in sorted(_DEPARTMENTS, key=len, reverse=True))
    + r")(?!\w)" + _LOCAL + _PLACE)
# Bodies named by a head word and capitalised words: "Ban Tuyên giáo Thị ủy", "Bảo hiểm xã hội thành phố".
_HEADS = (r"Ủy ban nhân dân|Uỷ ban nhân dân|UBND|Hội đồng nhân dân|HĐND|Ủy ban Mặt trận Tổ quốc Việt Nam"
          r"|Uỷ ban Mặt trận Tổ quốc Việt Nam|Ủy ban MTTQ Việt Nam|Ủy ban MTTQVN|Mặt trận Tổ quốc Việt Nam"
          r"|Bảo hiểm xã hội|Ngân hàng Chính sách xã hội|Liên đoàn Lao động|Hội Liên hiệp Phụ nữ|Hội Nông dân"
          r"|Hội Cựu chiến binh|Đoàn Thanh niên|Thành đoàn|Tỉnh đoàn|Đài Phát thanh và Truyền hình"
          r"|Đài Phát thanh - Truyền hình|Báo|Ban Thường vụ|Ban Chấp hành|Ban cán sự đảng|Ban Quản lý|Ban Tuyên giáo"
          r"|Ban Dân vận|Ban Tổ chức|Ban Kinh tế|Ban Văn hóa - Xã hội|Ban Dân tộc|Ban Vì sự tiến bộ phụ nữ"
          r"|Ban đại diện Người cao tuổi|Ban Chỉ đạo|Ủy ban Kiểm tra|Văn phòng|Thanh tra|Cục Thống kê"
          r"|Chi cục Thống kê|Bộ Chính trị|Thủ tướng Chính phủ|Chính phủ|Bộ [A-ZĐ][\wđ]*(?:\s+[\wđ]+){0,1}"
          r"|Thành ủy|Thành uỷ|Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thị ủy|Thị uỷ|Quận ủy|Quận uỷ|Đảng ủy|Đảng uỷ"
          r"|Các sở, ban, ngành|Các sở, ngành|các sở, ban, ngành|các sở, ngành")
# Lower-case words that end a body's name: what the body does next ("Sở Y tế chủ trì …").
_NAME_STOP = ("chủ|phối|tổng|thực|tham|là|có|được|cùng|và|các|của|báo|hướng|để|tại|với|theo|về|trong|cho|đã|sẽ|đang"
              "|cần|phải|trình|lãnh|chỉ|tổ|xây|căn|thẩm|kiểm|giao|chịu|quán|triển|nghiên|tăng|định|thường|vận"
              "|hàng|hằng|ban|yêu|đề|giám|phê")
# Capitalised words, each with at most one lower-case syllable ("Lao động", "Y tế"), or "- Capitalised".
_NAME_PART = (r"(?:\s+(?!Ủy ban|Uỷ ban|UBND\b|Sở\b|Phòng\b)(?:[" + UPPER + r"]\w*(?:\s+(?!(?:" + _NAME_STOP
              + r")\b)[a-zđà-ỹ]+)?|-\s*[" + UPPER + r"]\w*))*")
_BODY_RE = re.compile(rf"(?<![\w/-])(?:{_HEADS})" + _NAME_PART + _LOCAL + _PLACE)
_TRAILING = re.compile(r"(?:\s+(?:và|các|của|với))+$")

# What the 2025 reorganisation did with bodies plans name (the plan's wording is kept; this is only a note).
_SUCCESSORS: Tuple[Tuple[str, str], ...] = (
    ("lao dong - thuong binh va xa hoi",
     "từ 01/3/2025 nhiệm vụ lao động, việc làm, người có công chuyển về Sở Nội vụ (Phòng Nội vụ ở cấp huyện); bảo "
     "trợ xã hội, trẻ em, phòng chống tệ nạn xã hội ở nhiều tỉnh chuyển về Sở Y tế; giáo dục nghề nghiệp về Sở Giáo "
     "dục và Đào tạo"),
    ("lao dong, thuong binh va xa hoi",
     "từ 01/3/2025 nhiệm vụ lao động, việc làm, người có công chuyển về Sở Nội vụ; bảo trợ xã hội, trẻ em ở nhiều "
     "tỉnh chuyển về Sở Y tế"),
    ("thong tin va truyen thong",
     "từ 01/3/2025 hợp nhất vào Sở Khoa học và Công nghệ (báo chí, xuất bản về Sở Văn hóa)"),
    ("ke hoach va dau tu", "từ 01/3/2025 hợp nhất vào Sở Tài chính"),
    ("tai nguyen va moi truong", "từ 01/3/2025 hợp nhất với Sở Nông nghiệp thành Sở Nông nghiệp và Môi trường"),
    ("nong nghiep va phat trien nong thon", "từ 01/3/2025 hợp nhất thành Sở Nông nghiệp và Môi trường"),
    ("giao thong van tai", "từ 01/3/2025 hợp nhất vào Sở Xây dựng"),
    ("ban dan toc", "từ 01/3/2025 thành Sở Dân tộc và Tôn giáo"),
    ("ban tuyen giao", "từ 2025 hợp nhất với Ban Dân vận thành Ban Tuyên giáo và Dân vận"),
    ("ban dan van", "từ 2025 hợp nhất với Ban Tuyên giáo thành Ban Tuyên giáo và Dân vận"),
)
_DISTRICT = re.compile(r"\b(?:quan|huyen|thi xa)\b")
_DISTRICT_NOTE = "cấp huyện thôi hoạt động từ 01/7/2025; nhiệm vụ chuyển về tỉnh hoặc xã, phường"


def _tidy(name: str) -> str:
    return _TRAILING.sub("", " ".join(name.split())).rstrip(" ,;.:")


def agencies_in(text: str) -> List[str]:
    """Agencies ``text`` names, as written, in order, each once."""
    spans: List[Tuple[int, int, str]] = []
    for m in _DEPARTMENT_RE.finditer(text):
        spans.append((m.start(), m.end(), _tidy(m.group(0))))
    for m in _BODY_RE.finditer(text):
        if any(s <= m.start() < e for s, e, _ in spans):
            continue
        name = _tidy(m.group(0))
        if name.lower() in ("báo", "bộ", "văn phòng", "thanh tra") or len(name) < 3:
            continue
        spans.append((m.start(), m.end(), name))
    out: List[str] = []
    for _, _, name in sorted(spans):
        if fold(name) not in (fold(o) for o in out):
            out.append(name)
    return out


def agency_spans(text: str) -> List[Tuple[int, int]]:
    """Where agencies sit in ``text`` (their words name no topic or group: "Sở Lao động")."""
    return [m.span() for m in _DEPARTMENT_RE.finditer(text)] + [m.span() for m in _BODY_RE.finditer(text)]


def successor_note(name: str) -> Optional[str]:
    """What became of ``name`` in 2025, said for the admin; None when nothing is known."""
    folded = fold(name)
    for key, note in _SUCCESSORS:
        if key in folded:
            return note
    if folded.startswith(("ubnd", "uy ban nhan dan", "huyen uy", "quan uy")) and _DISTRICT.search(folded):
        return _DISTRICT_NOTE
    return None
