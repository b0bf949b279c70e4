"""Plans named by their number, or by the decision their title says they carry out."""
from __future__ import annotations

import pytest

from knowledge.plan_names import PlanNames

PLANS = PlanNames([
    ("527/QĐ-UBND", "Chương trình hành động giải quyết tốt các vấn đề an sinh xã hội", "can-tho"),
    ("10/KH-UBND", "Kế hoạch triển khai thực hiện Quyết định số 1983/QĐ-TTg và Kế hoạch số 29-KH/TU", "da-nang"),
    ("31-CTr/HU", "Chương trình hành động số 31-CTr/HU thực hiện Nghị quyết số 42-NQ/TW", "cang-long"),
    ("CTr/TU Đức Phổ (dự thảo)", "Chương trình hành động thực hiện Nghị quyết số 42-NQ/TW", "duc-pho"),
], [("Ủy ban nhân dân thành phố Cần Thơ", 2011, 2015, "can-tho"), ("Ủy ban nhân dân thành phố Đà Nẵng", 2021, 2025,
                                                                     "da-nang"),
    ("Ban Thường vụ Huyện ủy Càng Long", 2024, 2030, "cang-long"), ("Thị ủy Đức Phổ", 2024, 2030, "duc-pho")])


@pytest.mark.parametrize("text, expected", [
    ("Quyết định 527/QĐ-UBND có hỗ trợ gì", ["can-tho"]),
    ("quyet dinh so 527 / qd - ubnd", ["can-tho"]),
    ("chương trình 527 có gì", ["can-tho"]),          # the plan's own number after any word for a plan
    ("kh 10 giao ai", ["da-nang"]),
    ("theo Quyết định 1983 thì sao", ["da-nang"]),     # the decision the plan carries out
    ("chương trình 31 với quyết định 527", ["cang-long", "can-tho"]),
    ("Nghị quyết 42-NQ/TW", []),                       # two plans carry it out: neither
    ("kế hoạch 10 năm tới", []),                       # a count, not a number
    ("nghị quyết 527", []),                            # a decision of another type
    ("1527/QĐ-UBND", []),
    ("chương trình của Thị ủy có gì", ["duc-pho"]),     # the party body that issued it
    ("Huyện ủy đặt chỉ tiêu gì", ["cang-long"]),
    ("Ủy ban nhân dân thành phố có gì", []),           # two plans' issuers are called so
    ("kế hoạch giai đoạn 2021 - 2025", ["da-nang"]),    # its period
    ("giai đoạn 2024-2030", []),                       # two plans' period
])
def test_the_localities_a_text_names_plans_of(text, expected):
    assert PLANS.localities(text) == expected


def test_only_namings_of_the_plan_are_left_out_of_what_is_searched():
    assert PLANS.without("Theo Quyết định số 527/QĐ-UBND, người cao tuổi được hỗ trợ gì?") == \
        "Theo , người cao tuổi được hỗ trợ gì?"
    assert PLANS.without("Kế hoạch thực hiện Quyết định 1983/QĐ-TTg có hỗ trợ nhà ở không?") == \
        "Kế hoạch thực hiện có hỗ trợ nhà ở không?"
    # the decision as the subject of the question stays
    assert PLANS.without("Ai tuyên truyền Nghị quyết 42 ở Đức Phổ?") == "Ai tuyên truyền Nghị quyết 42 ở Đức Phổ?"
    assert PLANS.without("Quyết định 527 là gì?") == "Quyết định 527 là gì?"  # little else: kept whole
