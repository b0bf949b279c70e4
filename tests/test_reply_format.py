"""Replies cite their source, stay short, and warn when the source may be out of date."""
from __future__ import annotations

import datetime as dt

from actions.reply_format import SHORT_LIMIT, answer_text, unsourced_numbers, whole_text
from knowledge.provision_search import ProvisionSearch

TODAY = dt.date(2026, 11, 23)


def _numbers(text: str):
    return set(re.findall(r"\d+(?:[.,]\d+)?", text))


def test_answer_cites_document_issuer_date_and_section(kb_engine):
    hit = ProvisionSearch(kb_engine).search("ho tro the bhyt cho ho can ngheo o sai gon")[0]
    text = answer_text(hit, today=TODAY)
    assert "28-CTrHĐ/TU" in text and "Thành ủy Thành phố Hồ Chí Minh" in text
    assert "08/11/2012" in text and f"mục {hit.section}" in text and "50%" in text
    assert text.splitlines()[-1] == "Lưu ý: kế hoạch đến năm 2020, có thể đã thay đổi."  # one short line, last
    whole = whole_text(hit, today=TODAY)  # behind "Xem thêm": the whole provision and whom to ask
    assert hit.text in whole and "Sở Lao động - Thương binh và Xã hội" in whole and "28-CTrHĐ/TU" in whole


def test_draft_and_summary_answers_say_so(kb_engine):
    search = ProvisionSearch(kb_engine)
    draft_hit = search.search("300 căn hộ nhà ở xã hội", locality="Đức Phổ")[0]
    draft = answer_text(draft_hit, today=TODAY)
    summary = answer_text(search.search("bảo hiểm y tế", locality="Càng Long")[0], today=TODAY)
    assert draft.splitlines()[-1] == "Lưu ý: đây là dự thảo, có thể đã thay đổi khi ban hành."
    assert "Ủy ban nhân dân thị xã Đức Phổ" in whole_text(draft_hit, today=TODAY)
    assert "tóm tắt" in summary


def test_every_answer_is_short_and_has_no_number_outside_its_provision_and_citation(kb_engine):
    search = ProvisionSearch(kb_engine)
    for hit in search.search("hỗ trợ", limit=400):
        text = answer_text(hit, today=TODAY)
        assert len(text) <= SHORT_LIMIT + 40, hit.id
        assert not unsourced_numbers(text, [hit]), (hit.id, unsourced_numbers(text, [hit]))
