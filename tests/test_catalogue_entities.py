"""Places and groups are recognised through the KB's aliases, typed either way; new aliases work at once (in the
Rasa component, within its check interval)."""
from __future__ import annotations

from knowledge import admin
from knowledge.catalogue import load_alias_table
from knowledge.db import transaction
from nlu.catalogue_entities import find_mentions
from nlu.tokenization import tokenize


def _mentions(engine, text):
    with transaction(engine) as s:
        table = load_alias_table(s)
    return [(m.entity, m.key, m.text) for m in find_mentions(text, tokenize(text, str.split), table)]


def test_places_and_groups_are_found_with_or_without_diacritics(kb_engine):
    assert _mentions(kb_engine, "Hộ cận nghèo ở TP.HCM được hỗ trợ gì?") == [
        ("group", "ho-can-ngheo", "Hộ cận nghèo"), ("locality", "ho-chi-minh", "TP.HCM")]
    assert _mentions(kb_engine, "ho can ngheo o sai gon dc ho tro gi") == [
        ("group", "ho-can-ngheo", "ho can ngheo"), ("locality", "ho-chi-minh", "sai gon")]
    assert _mentions(kb_engine, "THUONG BINH o tra vinh") == [
        ("group", "thuong-binh", "THUONG BINH"), ("locality", "cang-long", "tra vinh")]


def test_a_topic_phrase_is_not_mistaken_for_a_group(kb_engine):
    assert _mentions(kb_engine, "bảo hiểm thất nghiệp được bao nhiêu tháng") == []


def test_an_alias_added_by_an_admin_is_recognised_at_once(kb_engine):
    assert _mentions(kb_engine, "mình ở Tây Đô") == []
    admin.add_alias(kb_engine, "locality", "can-tho", "Tây Đô", by="lan")
    assert _mentions(kb_engine, "mình ở Tây Đô") == [("locality", "can-tho", "Tây Đô")]


def test_the_rasa_component_sees_an_admins_new_alias_once_its_check_interval_has_passed(kb_engine):
    from nlu.kb_catalogue import AliasCache as _AliasCache

    now = [100.0]
    cache = _AliasCache(str(kb_engine.url), check_interval_s=1.0, clock=lambda: now[0])

    def localities(text):
        return [m.key for m in find_mentions(text, tokenize(text, str.split), cache.get()) if m.entity == "locality"]

    assert localities("mình ở Tây Đô") == []
    admin.add_alias(kb_engine, "locality", "can-tho", "Tây Đô", by="lan")
    now[0] += 0.5
    assert localities("mình ở Tây Đô") == []  # the version is not read again within the interval
    now[0] += 0.6
    assert localities("mình ở Tây Đô") == ["can-tho"]
