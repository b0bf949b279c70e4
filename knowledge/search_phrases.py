"""Residents' phrasing of what the plans word otherwise, read only in what is searched for (the
classifier keeps its own reading, and its model is not retrained for these)."""
from __future__ import annotations

import re
from typing import List

# "tb" after "tuổi thọ" is trung bình (not thương binh); "không thu học phí" is the plans' "miễn học phí";
# "nhà vệ sinh" their "công trình phụ hợp vệ sinh"; "chích ngừa" their "tiêm chủng".
_PHRASES = tuple((re.compile(rf"\b{phrase}\b"), meaning) for phrase, meaning in (
    ("(tuoi tho|thu nhap) tb", r"\1 trung binh"),
    ("(?:khong|khoi|ko|k) (?:thu|dong|lay) (?:tien )?hoc phi", "mien hoc phi"),
    ("(?:khong|ko|k) (?:mat|ton) tien", "mien phi"),
    ("nha (?:ve sinh|tieu|xi)", "cong trinh phu ve sinh"),
    ("(?:tiem|chich) ngua", "tiem chung"),
    # a child's age says who ("bé mới 4 tuổi"); not a working age ("từ 15 tuổi trở lên") or a group's own
    # name ("trẻ em dưới 6 tuổi"). An old person's is no group of its own: "bà tôi 85 tuổi … nhận trợ cấp
    # qua bưu điện" asks of everyone's allowance.
    ("(?<!duoi )([1-9]|1[0-4]) tuoi(?! tro len)", r"\1 tuoi tre em"),
))


def plan_phrasing(tokens: List[str]) -> List[str]:
    """``tokens`` (folded syllables) with residents' phrases put in the plans' words."""
    joined = " ".join(tokens)
    for pattern, meaning in _PHRASES:
        joined = pattern.sub(meaning, joined)
    return joined.split()
