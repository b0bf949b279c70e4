"""Residents' phrasing of what the plans word otherwise, read only in what is searched for (the
classifier keeps its own reading, and its model is not retrained for these)."""
from __future__ import annotations

import re
from typing import List

# "tb" after "tuổi thọ" is trung bình (not thương binh); "không thu học phí" is the plans' "miễn học phí";
# "nhà vệ sinh" their "công trình phụ hợp vệ sinh"; "chích ngừa" their "tiêm chủng".
_PHRASES = tuple((re.compile(rf"\b(?:{phrase})\b"), meaning) for phrase, meaning in (
    ("(tuoi tho|thu nhap) tb", r"\1 trung binh"),
    ("(?:khong|khoi|ko|k) (?:thu|dong|lay) (?:tien )?hoc phi", "mien hoc phi"),
    ("(?:khong|ko|k) (?:mat|ton) tien|(?:co )?(?:mat|ton) tien (?:khong|ko|k)", "mien phi"),
    ("het (?:ho |nguoi )?ngheo", "khong con ho ngheo"),  # "tới bao giờ thì hết hộ nghèo"
    ("nhan vien xa hoi|nghe xa hoi", "cong tac xa hoi"),
    ("han (?:chot|cuoi)", "cham nhat thoi han"),  # "hạn chót ngày mấy": the plans' "chậm nhất", "thời hạn"
    ("(?:ngoi|cu|chi) (?:trong )?cho (?:nha nuoc|tro cap|ho tro)|trong cho", "trong cho y lai"),  # "ngồi chờ nhà nước"
    ("nuoc(?: may)? (?:bi |hoi |nhiem )?lo", "nuoc nhiem man phong man"),  # brackish: the plans' "phòng mặn"
    ("(?:nguoi |dan )?(?:tu que (?:ra|len|vao)|tu tinh khac (?:den|toi|ra|vao)|nhap cu)", "nguoi di cu"),
    ("xkld", "xuat khau lao dong di lam viec o nuoc ngoai"),
    ("(?:cong ty|cty|ben) (?:moi|mo) gioi", "dich vu tu van gioi thieu viec lam"),
    ("cong ty|cty", "doanh nghiep"),  # the plans' word for a firm
    ("tuyen truyen", "tuyen truyen truyen thong"),  # spreading the word is the information topic's (the media's)
    ("(?:theo |dat )?chuan (gi|nao|j|mo)", r"tieu chi chuan \1"),  # "đầu tư theo chuẩn gì": the plans' "bộ tiêu chí"
    ("lam gi voi|xu ly sao voi", "xu ly"),  # "làm gì với mấy công ty kiểu này": dealing with them
    ("the kham(?: chua)? benh", "the bao hiem y te"),
    ("benh (?:lau nam|kinh nien|dai ngay|man)(?! tinh)", "benh man tinh"),  # "bệnh lâu năm": chronic
    ("nham (?:toi|den|vao)(?: cai thien| nang cao)?", "muc tieu"),  # "chương trình nhắm tới cải thiện chuyện gì"
    ("nha (?:ve sinh|tieu|xi)", "cong trinh phu ve sinh"),
    ("(?:tiem|chich) ngua", "tiem chung"),
    # everyday words for what the plans name by its term
    ("(?:bao hiem )?(?:lo |bi )?(?:mat viec|bi cho nghi viec|cho nghi viec|thoi viec)(?: [a-z]+){0,3} (?:lanh|nhan) tien",
     "bao hiem that nghiep"),
    ("bao hiem (?:lo |khi )?(?:mat viec|nghi viec)", "bao hiem that nghiep"),
    ("tu bo tien(?: ra)? dong|tu (?:minh )?dong (?:tien|bao hiem)(?: xa hoi)?", "bao hiem xa hoi tu nguyen"),
    ("(?:the )?bao hiem (?:de |di )?kham(?: benh)?", "bao hiem y te"),
    ("mua the(?! bao hiem| bhyt)", "mua the bao hiem y te"),  # "mua thẻ ở trường": the health insurance card
    ("(?:nguoi )?tim viec (?:gap|gap go) (?:nhau|cong ty)|cong ty (?:voi|va) nguoi tim viec(?: gap nhau)?"
     "|ngay hoi viec lam", "san giao dich viec lam"),
    ("(?:kiem|tim) (?:cho lam|viec lam|viec)", "giai quyet viec lam"),
    ("(?:can ho|chung cu|nha) gia re", "nha o xa hoi"),
    ("(?:ra toa|thua kien|kien tung|(?:muon|thue) luat su)", "tro giup phap ly"),
    ("(?:muon|vay) tien (?:de |ma )?(?:di |nhap )?hoc", "vay von hoc tap"),
    ("vay(?: [a-z]+){1,4} (?:de|ma) (?:cho )?(?:con |chau |em )?(?:di |nhap )?hoc", "vay von hoc tap"),  # "vay ngân hàng chính sách để đi học"
    ("(?:dau|do|vao|thi do|thi dau) (?:dai hoc|cao dang)", r"\g<0> sinh vien"),  # "con tôi đậu đại học": a student
    ("(?:nguoi )?(?:khiem thi|mu mat|bi mu)", "nguoi mu"),  # the plans' "Hội người mù"
    ("huong (?:toi|den) (?:cai )?gi", "muc tieu tam nhin"),  # "về lâu dài … hướng tới cái gì": the vision
    # "không có hợp đồng lao động gì hết, muốn đóng bảo hiểm để già có lương": voluntary social insurance, a pension
    ("(?:khong|ko|k|chua) (?:co |ky )?hop dong(?: lao dong)?", "lao dong tu do bao hiem xa hoi tu nguyen"),
    ("(?:de |cho |luc |khi )(?:gia|ve gia|ve huu|gia yeu)(?: [a-z]+){0,2} co (?:luong|tien)(?: huu)?", "luong huu"),
    ("di lam (?:ben |o |tai )?(?:han quoc|han|nhat ban|nhat|dai loan|nuoc ngoai)", "xuat khau lao dong"),
    ("(?:bi|nhiem|co vi|vi) man|nuoc man", "nhiem man phong chong man"),
    ("bi tat(?: o (?:chan|tay|mat))?|tan tat|cham phat trien", "khuyet tat"),
    ("hoc chung (?:truong|lop)", "giao duc hoa nhap"),
    ("do an|thuc an", "thuc pham"),
    ("oi mua|non mua|tieu chay|trung doc", "ngo doc thuc pham"),
    ("vien phi", "chi phi kham chua benh"),
    # medicines: "thuốc" folds as the stopword "thuộc"; "giữ giá thuốc", "thuốc lên hoài" ask for price control
    ("thuoc men|(?:giu|kiem soat|binh on|ha) gia thuoc|gia thuoc|thuoc (?:len|tang)(?: gia)? (?:hoai|mai|qua)",
     "kiem soat gia thuoc chua benh"),
    ("(?:phai )?bu them|phan (?:phai )?bu", "dong chi tra"),
    ("chu (?:nha )?tro", "nguoi co nha tro cho thue"),
    ("(?:o|thue|muon) (?:nha |phong )?tro", "thue phong tro"),  # "công nhân ở trọ": "trọ" folds as "trợ"
    ("(?:mat|bat|phu) song(?: sdt)?|song (?:sdt|di dong)|keo mang|hoc online", "phu song di dong internet"),
    ("mang internet", "internet"),
    ("song dien thoai|mang (?:yeu|cham|chap chon)|song (?:yeu|chap chon)", "phu song di dong internet"),
    # "giải thích cho dân hiểu", "gom báo cáo": the plans' "tuyên truyền nâng cao nhận thức", "tổng hợp báo cáo"
    ("giai thich cho (?:dan|nguoi dan|ba con)(?: hieu)?|noi cho (?:dan|ba con) (?:hieu|biet)",
     "tuyen truyen nang cao nhan thuc"),
    ("gom (?:bao cao|lai bao cao|ket qua)", "tong hop bao cao"),
    # a home in poor repair; "chỗ ở" is housing
    ("(?:nha cua |nha )?(?:xap xe|dot nat|dot het|sap xe)", "nha tam nha dot nat"), ("ve cho o", "ve nha o"),
    ("(?:nguoi )?(?:khong co|chua co|mat) viec(?: lam)?", "that nghiep"),  # "người không có việc làm": the unemployed
    # work without a contract: the plans' "lao động khu vực phi chính thức", "lao động tự do"
    ("ban hang rong|buon ban (?:nho|le|vat)|chay xe om|lam thue|lam muon|ban ve so", "lao dong tu do phi chinh thuc"),
    ("vung (?:nui|cao)", "mien nui"),  # the plans' "miền núi"
    ("(?:muon |de )?ung ho(?! (?:chu truong|chinh sach))", r"\g<0> dong gop"),  # giving: the plans' "đóng góp"
    ("(?:qua |vao )?tai khoan(?: ngan hang)?|chuyen khoan", r"\g<0> khong dung tien mat"),  # paid without cash
    ("hoc nghe", "hoc nghe day nghe"),  # the plans' "dạy nghề" for the learner's "học nghề"
    ("(?:cho )?vay (?:von|tien)(?! (?:de |ma )?(?:di |nhap )?hoc)", r"\g<0> von vay tin dung"),  # the plans' "tín dụng", "vốn vay"
    ("(?:theo )?(?:gia ca|vat gia)(?: (?:tang|len|leo thang))?|truot gia", "chi so gia tieu dung"),
    ("loa (?:dai|phuong|phat thanh)|dai phat thanh", "thong tin co so truyen thanh"),
    ("(?:tren|qua) (?:dai|loa|tivi|ti vi|tv|truyen hinh)(?! [a-z]+ [a-z]+ truyen)", "dai phat thanh truyen hinh truyen thanh"),
    ("(?:khong|ko|chua) (?:nop|dong)(?: [a-z]+){0,2} bao hiem|bao hiem(?: [a-z]+){0,4} (?:khong|ko|chua) (?:nop|dong)"
     "|no (?:tien )?bao hiem", "no dong bao hiem"),
    ("bot tien|duoc bot", "mien giam"),
    ("phu (them|tien|cho)", r"ho tro \1"),
    ("(?:het|qua) tuoi (?:di lam|lao dong)", "sau do tuoi nghi huu"),
    # "mấy chỗ nuôi dưỡng", "viện dưỡng lão": care services (not "cho chăm sóc", for care)
    ("(?:(?:may|nhung|cac|co) cho|noi|trung tam|nha) (?:nuoi duong|cham soc|duong lao)|vien duong lao",
     "cung cap dich vu cham soc xa hoi"),
    ("muc tro cap xa hoi", "muc tro cap xa hoi muc tro giup xa hoi"),  # the plans word the level both ways
    ("ld", "lao dong"), ("nld", "nguoi lao dong"),  # chat shorthand
    ("bh (that nghiep|xa hoi|y te|tu nguyen)", r"bao hiem \1"),
    ("keo (?:duong )?(?:dien|day dien)", "cap dien"), ("keo (?:duong )?ong(?: nuoc)?|keo nuoc(?: may)?", "cap nuoc"),
    ("gieng (?:khoan|dao|nuoc)|nuoc gieng(?: khoan)?|khoan gieng|nuoc (?:duoi|trong) (?:long )?dat", "nuoc ngam"),  # the plans' "khai thác nước ngầm"
    # "bỏ tiền ra lo chính sách xã hội … khoản tốn kém": investing in it ("đầu tư" folds into stopwords)
    ("bo tien(?: ra)?(?: de)? (?:lo|cho|lam)", "dau tu cho phat trien"), ("(?:khoan )?ton kem", "chi phi dau tu"),
    ("(?:neu|lam) guong|guong mau|tuyen duong", "bieu duong tam guong dien hinh"),  # the plans' "biểu dương"
    ("an sinh(?! xa hoi)", "an sinh xa hoi"),  # "mã số an sinh": the plans' "mã số an sinh xã hội"
    # "áp dụng theo văn bản nào": a decree, decision or resolution, as the plans cite them
    ("(?:hien )?(?:dang )?(?:ap dung )?(?:theo|can cu|dua tren) (?:van ban|giay to) nao",
     "theo nghi dinh quyet dinh nghi quyet nao"),
    ("(?:rieng )?cho tung (?:nguoi|ca nhan)", ""),  # "riêng cho từng người": each, not a subject
    # "sở nào lo", "ai lo vụ này": who is in charge ("lo" is not the plans' "lộ trình")
    ("(ai|nao|chu tri) lo", r"\1 chu tri"), ("lo (vu|viec|chuyen)", r"chu tri \1"),
    # a baby's age in months says who: "cháu nội mới 14 tháng" (not "1 tháng", a month)
    ("moi (?:[1-9]|[12][0-9]|3[0-5]) thang(?: tuoi)?|(?<!duoi )(?:[1-9]|[12][0-9]|3[0-5]) thang tuoi",
     r"\g<0> tre em duoi 36 thang tuoi"),
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
