"""Residents' phrasing of what the plans word otherwise, read only in what is searched for (the
classifier keeps its own reading, and its model is not retrained for these)."""
from __future__ import annotations

import re
from typing import List

# "tb" after "tuổi thọ" is trung bình (not thương binh); "không thu học phí" is the plans' "miễn học phí";
# "nhà vệ sinh" their "công trình phụ hợp vệ sinh"; "chích ngừa" their "tiêm chủng".
_PHRASES = tuple((re.compile(rf"\b{phrase}\b"), meaning, re.compile(unless) if unless else None)
                 for phrase, meaning, unless in (
    ("(tuoi tho|thu nhap) tb", r"\1 trung binh", None),
    ("(?:khong|khoi|ko|k) (?:thu|dong|lay) (?:tien )?hoc phi", "mien hoc phi", None),
    ("(?:khong|ko|k) (?:mat|ton) tien", "mien phi", None),
    ("nha (?:ve sinh|tieu|xi)", "cong trinh phu ve sinh", None),
    ("(?:tiem|chich) ngua", "tiem chung", None),
    # an age says who: a child ("bé mới 4 tuổi"), an elderly person ("ba em năm nay 72 tuổi"); not a
    # working age ("từ 15 tuổi trở lên"), a life expectancy ("tuổi thọ … 75 tuổi") or a group's own name
    # ("trẻ em dưới 6 tuổi")
    ("(?<!duoi )([1-9]|1[0-4]) tuoi(?! tro len)", r"\1 tuoi tre em", None),
    ("([6-9][0-9]) tuoi", r"\1 tuoi nguoi cao tuoi", r"\btuoi tho\b"),
))


def plan_phrasing(tokens: List[str]) -> List[str]:
    """``tokens`` (folded syllables) with residents' phrases put in the plans' words."""
    joined = " ".join(tokens)
    for pattern, meaning, unless in _PHRASES:
        if unless is None or not unless.search(joined):
            joined = pattern.sub(meaning, joined)
    return joined.split()
