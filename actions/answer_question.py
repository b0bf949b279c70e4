"""The action that answers policy questions from the knowledge base."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.reply_format import answer_text, buttons
from knowledge.db import create_schema, make_engine
from knowledge.errors import NotFound
from knowledge.provision_search import Hit, ProvisionSearch

INTENT_TOPICS = {
    "ask_health_insurance": "bhyt", "ask_tuition": "hoc-phi", "ask_social_housing": "nha-o",
    "ask_meritorious": "nguoi-co-cong", "ask_poverty": "giam-ngheo", "ask_social_assistance": "tro-giup-xa-hoi",
    "ask_social_insurance": "bhxh-bhtn", "ask_jobs": "viec-lam", "ask_clean_water": "nuoc-sach",
}
INTENT_KINDS = {"ask_target": ("target",), "ask_agency": ("agency",)}

NOT_FOUND = ("Xin lỗi, tôi chưa tìm thấy nội dung phù hợp trong các kế hoạch tôi có. Bạn có thể hỏi về một chủ đề "
             "dưới đây, hoặc gõ \"gặp cán bộ\" để được hỗ trợ.")


@lru_cache(maxsize=1)
def _search() -> ProvisionSearch:
    url = os.environ.get("DATABASE_URL") or "sqlite:///var/knowledge.db"
    engine = make_engine(url)
    create_schema(engine)
    return ProvisionSearch(engine)


def _first_entity(tracker: Tracker, name: str) -> Optional[str]:
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == name:
            return entity.get("value")
    return None


def _resolve(search: ProvisionSearch, kind: str, name: Optional[str]) -> Optional[str]:
    if not name:
        return None
    try:
        return search.resolve(kind, name)[0]
    except NotFound:
        return None


class ActionAnswerQuestion(Action):
    """Answer from the best provision, cited; remember locality and question."""

    def name(self) -> Text:
        return "action_answer_question"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        search = _search()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        events: List[Dict] = []
        locality_name = _first_entity(tracker, "locality") or tracker.get_slot("locality")
        question, question_intent = text, intent
        if intent == "choose_locality" and tracker.get_slot("last_question"):
            question = tracker.get_slot("last_question")
            question_intent = tracker.get_slot("last_intent")
        elif intent == "choose_locality":
            locality = _resolve(search, "locality", locality_name)
            if locality:
                dispatcher.utter_message(text=f"Tôi đã ghi nhận địa phương của bạn. Bạn muốn hỏi về chính sách nào?")
                return [SlotSet("locality", locality_name)]
        locality = _resolve(search, "locality", locality_name)
        hit, other = self._best(search, question, question_intent, locality)
        if hit is None:
            dispatcher.utter_message(text=NOT_FOUND, buttons=buttons({
                "Bảo hiểm y tế": "Chính sách bảo hiểm y tế", "Học phí": "Chính sách miễn giảm học phí",
                "Nhà ở xã hội": "Chính sách nhà ở xã hội", "Gặp cán bộ": "/ask_human"}))
            return events
        other_name = None
        if other and locality:
            other_name = locality_name
        dispatcher.utter_message(text=answer_text(hit, other_locality=other_name), buttons=buttons({
            "Gặp cán bộ": "/ask_human"}), json_message={"provisions": [hit.id]})
        events += [SlotSet("last_question", question), SlotSet("last_intent", question_intent)]
        return events

    @staticmethod
    def _best(search: ProvisionSearch, question: str, intent: Optional[str], locality: Optional[str]):
        topic = INTENT_TOPICS.get(intent or "")
        kinds = INTENT_KINDS.get(intent or "")
        localities = [locality] if locality else None
        index = search.index()
        for topics in ([topic], None) if topic else (None,):
            hits, _ = index.search(question, localities, topics, None, 1, kinds)
            if hits:
                return hits[0], False
        if locality:
            hits, _ = index.search(question, None, [topic] if topic else None, None, 1, kinds)
            if hits:
                return hits[0], True
        return None, False
