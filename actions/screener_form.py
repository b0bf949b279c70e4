"""Rasa's form for the eligibility screener (``eligibility_form`` in nlu/domain.yml): the question of each step
with its buttons, reading the answer pressed or typed, checking the locality. The result is
``action_eligibility`` (actions/answer_question.py), run by a rule once the form is done."""
from __future__ import annotations

import abc
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime, screener
from actions import templates as T
from actions.answering import catalogue_key, locality_buttons, locality_names
from actions.reply_format import buttons


class _AskStep(Action, abc.ABC):
    """``action_ask_eligibility_form_<step>``: the step's question with a button per answer."""

    @property
    @abc.abstractmethod
    def step(self) -> str:
        ...

    def name(self) -> Text:
        return f"action_ask_{screener.FORM}_{self.step}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        text, options = screener.question(self.step)
        dispatcher.utter_message(text=text, buttons=buttons(options))
        return []


class AskHousehold(_AskStep):
    step = "household"


class AskAge(_AskStep):
    step = "age"


class AskMeritorious(_AskStep):
    step = "meritorious"


class AskDisability(_AskStep):
    step = "disability"


class AskLocality(Action):
    """``action_ask_eligibility_form_locality``: the plans' localities as buttons."""

    def name(self) -> Text:
        return f"action_ask_{screener.FORM}_locality"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        dispatcher.utter_message(text=T.ASK_LOCALITY, buttons=buttons(locality_buttons(runtime.search())))
        return []


class ValidateEligibilityForm(FormValidationAction):
    """Reads each step's answer (a button's ``answer`` entity, or typed: "có", "ho ngheo") and keeps only a
    locality the knowledge base has a plan for."""

    def name(self) -> Text:
        return f"validate_{screener.FORM}"

    def _extract(self, step: str, tracker: Tracker) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") != step:
            return {}
        message = tracker.latest_message or {}
        entity = next((str(e.get("value")) for e in message.get("entities") or [] if e.get("entity") == "answer"),
                      None)
        value = screener.answer_value(step, entity, message.get("text") or "")
        return {step: value} if value is not None else {}

    async def extract_household(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("household", tracker)

    async def extract_age(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("age", tracker)

    async def extract_meritorious(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("meritorious", tracker)

    async def extract_disability(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("disability", tracker)

    def validate_locality(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        search = runtime.search()
        if catalogue_key(search, "locality", str(value or "")) is not None:
            return {"locality": value}
        known = ", ".join(locality_names(search).values())
        dispatcher.utter_message(text=T.UNKNOWN_LOCALITY.format(name=value, known=known))
        return {"locality": None}
