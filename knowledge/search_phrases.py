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
))


def plan_phrasing(tokens: List[str]) -> List[str]:
    """``tokens`` (folded syllables) with residents' phrases put in the plans' words."""
    joined = " ".join(tokens)
    for pattern, meaning in _PHRASES:
        joined = pattern.sub(meaning, joined)
    return joined.split()
