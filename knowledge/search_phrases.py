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
    # everyday words for what the plans name by its term
    ("(?:bao hiem )?(?:lo |bi )?(?:mat viec|bi cho nghi viec|cho nghi viec|thoi viec)(?: [a-z]+){0,3} (?:lanh|nhan) tien",
     "bao hiem that nghiep"),
    ("bao hiem (?:lo |khi )?(?:mat viec|nghi viec)", "bao hiem that nghiep"),
    ("tu bo tien(?: ra)? dong|tu (?:minh )?dong (?:tien|bao hiem)(?: xa hoi)?", "bao hiem xa hoi tu nguyen"),
    ("(?:the )?bao hiem (?:de |di )?kham(?: benh)?", "bao hiem y te"),
    ("(?:kiem|tim) (?:cho lam|viec lam|viec)", "giai quyet viec lam"),
    ("(?:can ho|chung cu|nha) gia re", "nha o xa hoi"),
    ("(?:ra toa|thua kien|kien tung|(?:muon|thue) luat su)", "tro giup phap ly"),
    ("(?:muon|vay) tien (?:de |ma )?(?:di |nhap )?hoc", "vay von hoc tap"),
    ("di lam (?:ben |o |tai )?(?:han quoc|han|nhat ban|nhat|dai loan|nuoc ngoai)", "xuat khau lao dong"),
    ("(?:bi|nhiem) man", "nhiem man phong chong man"),
    ("bi tat(?: o (?:chan|tay|mat))?|tan tat|cham phat trien", "khuyet tat"),
    ("hoc chung (?:truong|lop)", "giao duc hoa nhap"),
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
