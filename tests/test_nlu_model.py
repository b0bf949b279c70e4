"""The model trained in this run on the project's data understands clear questions, typed either way."""
from __future__ import annotations

import pytest

from nlu.parser import NluParser

pytestmark = pytest.mark.slow

CLEAR = [
    ("Hộ cận nghèo ở Sài Gòn được hỗ trợ mua thẻ bảo hiểm y tế không?", "ask_health_insurance"),
    ("ho can ngheo o sai gon dc ho tro mua the bhyt ko", "ask_health_insurance"),
    ("Con tôi học lớp 8, nhà thuộc hộ nghèo thì có được miễn học phí không?", "ask_tuition"),
    ("con toi hoc lop 8 nha ho ngheo co dc mien hoc phi ko", "ask_tuition"),
    ("Tôi muốn mua nhà ở xã hội thì cần điều kiện gì?", "ask_social_housing"),
    ("toi muon mua nha o xa hoi can dieu kien gi", "ask_social_housing"),
    ("Chế độ cho thương binh hạng 2/4 hiện nay thế nào?", "ask_meritorious"),
    ("che do cho thuong binh hien nay the nao", "ask_meritorious"),
    ("xin chào", "greet"),
    ("cam on ban nhieu", "thanks"),
    ("cho tôi gặp cán bộ", "ask_human"),
    ("còn ở Quảng Ngãi thì sao?", "choose_locality"),
    ("con o can tho thi sao", "choose_locality"),
    ("hủy theo dõi", "unsubscribe"),
    ("chỉ tiêu bao phủ bảo hiểm y tế của Đà Nẵng đến 2025 là bao nhiêu", "ask_target"),
]


@pytest.fixture(scope="module")
def parser(trained_model, assistant_kb, monkeypatch_module) -> NluParser:
    monkeypatch_module.setenv("DATABASE_URL", f"sqlite:///{assistant_kb}")
    p = NluParser(trained_model)
    yield p
    p.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.mark.parametrize("text,intent", CLEAR)
def test_clear_questions_get_the_right_intent(parser, text, intent):
    assert parser.parse(text)["intent"]["name"] == intent


def test_locality_entity_lands_on_the_typed_characters(parser):
    text = "còn ở Đà Nẵng thì sao"
    entities = parser.parse(text)["entities"]
    spans = {text[e["start"]:e["end"]] for e in entities if e["entity"] == "locality"}
    assert spans == {"Đà Nẵng"}


def test_group_entity_comes_from_the_kb_aliases_typed_without_diacritics(parser):
    text = "ho can ngheo o tphcm dc ho tro gi"
    found = {(e["entity"], text[e["start"]:e["end"]]) for e in parser.parse(text)["entities"]}
    assert found == {("group", "ho can ngheo"), ("locality", "tphcm")}
