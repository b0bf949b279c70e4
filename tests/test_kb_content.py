"""The curated knowledge base: coverage, findable facts, honesty about its sources."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from sqlalchemy import select

from knowledge.db import transaction
from knowledge.models import Document, Provision, Topic
from knowledge.provision_search import ProvisionSearch

MIN_PER_DOCUMENT = {"527/QĐ-UBND": 35, "28-CTrHĐ/TU": 40, "10/KH-UBND": 45, "31-CTr/HU": 12,
                    "CTr/TU Đức Phổ (dự thảo)": 40}


def _provisions(engine):
    with transaction(engine) as s:
        return s.execute(select(Provision).where(Provision.status == "active")).scalars().all()


def test_every_document_is_loaded_with_enough_provisions(kb_engine):
    counts = Counter(p.document_code for p in _provisions(kb_engine))
    assert sum(counts.values()) >= 150
    for code, minimum in MIN_PER_DOCUMENT.items():
        assert counts[code] >= minimum, code


def test_every_topic_is_covered_and_each_plan_spans_many_areas(kb_engine):
    provisions = _provisions(kb_engine)
    with transaction(kb_engine) as s:
        topics = set(s.execute(select(Topic.key)).scalars())
    used = Counter(t.key for p in provisions for t in p.topics)
    assert topics == set(used), f"topics without provisions: {topics - set(used)}"
    for code in MIN_PER_DOCUMENT:
        areas = {t.key for p in provisions if p.document_code == code for t in p.topics}
        assert len(areas) >= 8, (code, areas)


def test_every_provision_has_kind_section_topic_and_its_figures_in_text(kb_engine):
    for p in _provisions(kb_engine):
        assert p.kind in ("benefit", "target", "measure", "agency", "legal_basis")
        assert p.section and p.topics
        for number in p.numbers:
            value = number["value"]
            spelled = str(value).replace(".", ",") if isinstance(value, float) else str(value)
            assert spelled in p.text.replace(".", "") or spelled in p.text, (p.id, value)


def test_page_furniture_never_enters(kb_engine):
    furniture = re.compile(r"Tin khác|Thống kê truy cập|Đang truy cập|Lượt xem|Designed by|Cỡ chữ|"
                           r"Hôm nay:|0294\.3882|Chung nhan|ipv6|Văn bản đang xem|Nơi nhận", re.I)
    for p in _provisions(kb_engine):
        assert not furniture.search(p.text), p.id


def test_draft_and_summary_are_marked_as_such(kb_engine):
    with transaction(kb_engine) as s:
        docs = {d.locality_key: d for d in s.execute(select(Document)).scalars()}
    assert docs["duc-pho"].status == "draft" and "dự thảo" in docs["duc-pho"].note
    assert docs["cang-long"].status == "summary" and "tóm tắt" in docs["cang-long"].note
    assert {docs[k].status for k in ("can-tho", "ho-chi-minh", "da-nang")} == {"issued"}


FINDABLE = [
    # query, filters, id expected first, words its text must hold
    ("ho tro the bhyt cho ho can ngheo o sai gon", {}, "hcm-045", ["50%", "cận nghèo"]),
    ("đồng chi trả chi phí khám chữa bệnh bệnh nhân nghèo", {"locality": "TP.HCM"}, "hcm-040", ["15%"]),
    ("đồng chi trả khám chữa bệnh đối tượng bảo trợ xã hội", {"locality": "HCM"}, "hcm-060", ["5%"]),
    ("ty le bao phu bhyt da nang nam 2025", {}, "dn-013", ["99%", "2025"]),
    ("kham chua benh mien phi cho tre duoi 6 tuoi can tho", {}, "ct-044", ["miễn phí", "6 tuổi"]),
    ("miễn giảm học phí học sinh hộ nghèo", {"locality": "Cần Thơ"}, "ct-051", ["49/2010/NĐ-CP"]),
    ("nhà tình nghĩa gia đình chính sách", {"locality": "can tho"}, "ct-012", ["nhà tình nghĩa"]),
    ("can ho nha o xa hoi cho nguoi co cong", {"locality": "Đà Nẵng"}, "dn-030", ["người có công"]),
    ("bao nhieu can ho nha o xa hoi duc pho", {}, "dp-031", ["300"]),
]


@pytest.mark.parametrize("query,filters,expected,words", FINDABLE)
def test_known_facts_are_found_first(kb_engine, query, filters, expected, words):
    hits = ProvisionSearch(kb_engine).search(query, limit=3, **filters)
    assert hits and hits[0].id == expected, [h.id for h in hits]
    for word in words:
        assert word in hits[0].text
