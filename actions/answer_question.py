"""rasa-sdk actions: one per user-visible behaviour, each a thin wrapper over actions/answering.py."""
from __future__ import annotations

import abc
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answering, runtime, screener, subscribing
from knowledge.question_log import QuestionRecord, record_feedback, record_question

SLOTS = ("locality", "group", "last_question", "last_intent", "last_results", "handoff_pending", "handoff_for",
         "last_answer", *answering.SCREENER_STEPS)


def _turn(tracker: Tracker) -> answering.Turn:
    message = tracker.latest_message or {}
    return answering.Turn(text=message.get("text") or "", intent=(message.get("intent") or {}).get("name"),
                          entities=list(message.get("entities") or []),
                          slots={name: tracker.get_slot(name) for name in SLOTS})


def _metadata(tracker: Tracker) -> Dict[str, Any]:
    return (tracker.latest_message or {}).get("metadata") or {}


def _record(tracker: Tracker, turn: answering.Turn, reply: answering.Reply, handoff: bool = False) -> None:
    meta = _metadata(tracker)
    record_question(runtime.engine(), QuestionRecord(
        channel=meta.get("channel") or tracker.get_latest_input_channel() or "rest",
        sender=tracker.sender_id, text=turn.text, intent=turn.intent, provisions=reply.provisions,
        answered=reply.answered and not handoff, handoff=handoff,
        locality_key=reply.locality_key or _slot_locality(tracker),
        forwarded_by=meta.get("forwarded_by"), address=_address(meta)), runtime.hash_key())


def _slot_locality(tracker: Tracker) -> Any:
    """The remembered locality's key, so staff of that commune see the follow-up."""
    return answering.catalogue_key(runtime.search(), "locality", tracker.get_slot("locality"))


def _address(meta: Dict[str, Any]) -> Any:
    """Where the connector can deliver a later staff answer (None for bare REST calls)."""
    address = meta.get("address")
    return str(address)[:100] if address else None


def _deliver(dispatcher: CollectingDispatcher, reply: answering.Reply,
             current: Dict[str, Any]) -> List[Dict[Text, Any]]:
    for i, message in enumerate(reply.messages):
        last = i == len(reply.messages) - 1
        # The provisions shown and what the reply is (an answer, related provisions, a decline…), for
        # connectors and the answer-quality benchmark.
        custom = {"provisions": reply.provisions, "outcome": reply.outcome} if last else None
        if message.get("response"):
            dispatcher.utter_message(response=message["response"])
            continue
        dispatcher.utter_message(text=message["text"], buttons=message["buttons"] or None,
                                 json_message=custom)
    # Only the slots that change: every event costs Rasa a tracker update.
    events: List[Dict[Text, Any]] = [SlotSet(name, value) for name, value in reply.slots.items()
                                     if current.get(name) != value]
    if reply.form:  # the screener: Rasa's form asks its questions from here on
        events.append(FollowupAction(reply.form))
    return events


class _AnsweringAction(Action, abc.ABC):
    """Runs ``handler`` on the turn, records the question, delivers the reply."""

    handler: Callable[..., answering.Reply]

    @abc.abstractmethod
    def name(self) -> Text:
        ...

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        turn = _turn(tracker)
        command = subscribing.command(turn)
        if command is not None:  # "hủy theo dõi" taken for something else: a stop must never be missed
            return _deliver(dispatcher, _subscription_reply(tracker, turn, command), turn.slots)
        search = runtime.search()
        with search.pinned():
            reply = type(self).handler(turn, search)
        if reply.handoff_question is not None:
            turn.text = reply.handoff_question
            _record(tracker, turn, reply, handoff=True)
        elif reply.outcome == "feedback":
            meta = _metadata(tracker)
            record_feedback(runtime.engine(), meta.get("channel") or tracker.get_latest_input_channel() or "rest",
                            tracker.sender_id, turn.text, runtime.hash_key())
        elif reply.is_question:
            if turn.text.startswith("/"):  # a button (a locality chosen) answered the question waiting for it
                turn.text = turn.slots.get("last_question") or turn.text
            _record(tracker, turn, reply)
        return _deliver(dispatcher, reply, turn.slots)


class ActionAnswerQuestion(_AnsweringAction):
    """Answer a policy question from the best provision for the user's locality (retrieval first:
    also what the classifier took for help, out of scope, a request for a person or the screener)."""

    handler = staticmethod(answering.respond)

    def name(self) -> Text:
        return "action_answer_question"


class ActionMore(_AnsweringAction):
    """Show the next provisions of the last answer."""

    handler = staticmethod(answering.more)

    def name(self) -> Text:
        return "action_more"


class ActionCompareLocalities(_AnsweringAction):
    """Compare what localities' plans say on a topic."""

    handler = staticmethod(answering.compare)

    def name(self) -> Text:
        return "action_compare_localities"


class ActionEligibility(_AnsweringAction):
    """The screener's result once its form has every answer: the provisions that may apply, cited."""

    handler = staticmethod(screener.finish)

    def name(self) -> Text:
        return "action_eligibility"


class ActionSubscriptions(ActionAnswerQuestion):
    """Follow the last answer's policy, list what is followed, or stop following (one step); a policy
    question the classifier took for one of these is answered."""

    def name(self) -> Text:
        return "action_subscriptions"


def _subscription_reply(tracker: Tracker, turn: answering.Turn, name: str) -> answering.Reply:
    search = runtime.search()
    with search.pinned():
        return subscribing.handle(name, turn, search, runtime.engine(), subscribing.address_of(_metadata(tracker)))
