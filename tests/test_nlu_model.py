"""A real model trained on the project's data understands clear questions, typed either way."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlu.model_store import CONFIG, NLU_DATA, train_nlu_only
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
    ("chỉ tiêu bao phủ bảo hiểm y tế của Đà Nẵng đến 2025 là bao nhiêu", "ask_target"),
]


@pytest.fixture(scope="module")
def parser(tmp_path_factory) -> NluParser:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = 40
    config["policies"] = []
    small = tmp_path_factory.mktemp("cfg") / "config.yml"
    small.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    model = train_nlu_only(small, NLU_DATA, tmp_path_factory.mktemp("models"), "test")
    p = NluParser(model)
    yield p
    p.close()


@pytest.mark.parametrize("text,intent", CLEAR)
def test_clear_questions_get_the_right_intent(parser, text, intent):
    assert parser.parse(text)["intent"]["name"] == intent


def test_locality_entity_lands_on_the_typed_characters(parser):
    text = "còn ở Đà Nẵng thì sao"
    entities = parser.parse(text)["entities"]
    spans = {text[e["start"]:e["end"]] for e in entities if e["entity"] == "locality"}
    assert spans == {"Đà Nẵng"}
