"""The eligibility screener's content: its questions, reading an answer pressed or typed, and the provisions
that may apply to the answers. Rasa's form ``eligibility_form`` asks the questions (actions/screener_form.py)."""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Mapping, Optional, Tuple

from actions import templates as T
from actions.answering import SCREENER_FORM as FORM
from actions.answering import SCREENER_STEPS as STEPS
from actions.answering import Reply, Turn, catalogue_key, locality_buttons, locality_names
from actions.reply_format import citation, currency_note, shorten
from knowledge.provision_search import Hit, ProvisionSearch
from knowledge.text import fold

MAX_SHOWN = 6
# Typed answers to a yes/no question, folded.
_YES = {"co", "co a", "vang", "da co", "u", "uh", "yes", "dung", "dung roi", "co chu"}
_NO = {"khong", "ko", "k", "khong a", "da khong", "khong co", "no", "chua", "khong ai"}


def question(step: str) -> Tuple[str, Dict[str, str]]:
    """The step's question and its buttons (title -> Rasa payload)."""
    text, options = T.SCREENER_QUESTIONS[step]
    return text, {title: f'/screener_answer{{"answer": "{value}"}}' for title, value in options.items()}


def answer_value(step: str, entity: Optional[str], text: str) -> Optional[str]:
    """The step's value from a pressed button (the ``answer`` entity) or a typed answer ("có", "ho ngheo",
    "Người cao tuổi"); None when the message does not answer the step."""
    options = T.SCREENER_QUESTIONS[step][1]
    values = set(options.values())
    if entity in values:
        return entity
    folded = fold(text).strip(" .!?")
    for title, value in options.items():
        if folded == fold(title) or folded == value.replace("-", " "):
            return value
    if values == {"co", "khong"}:
        if folded in _YES:
            return "co"
        if folded in _NO:
            return "khong"
    return None


def result(answers: Mapping[str, Optional[str]], locality: str, search: ProvisionSearch,
           today: Optional[dt.date] = None) -> Reply:
    """The provisions of the locality's plan for the groups the answers name, cited, with the disclaimer."""
    reply = Reply(is_question=True, outcome="screener", locality_key=locality)
    groups = [answers.get("household"), answers.get("age")]
    if answers.get("meritorious") == "co":
        groups.append("nguoi-co-cong")
    if answers.get("disability") == "co":
        groups.append("nguoi-khuyet-tat")
    index = search.index()
    picked: List[Hit] = []
    for group in [g for g in groups if g not in ("khong", None)]:
        hits, _ = index.search("", [locality], None, [group], 50, ("benefit",))
        hits = hits or index.search("", [locality], None, [group], 50, ("measure",))[0]
        for hit in hits[:2]:
            if hit.id not in {h.id for h in picked}:
                picked.append(hit)
    name = locality_names(search).get(locality, locality)
    if not picked:
        reply.answered = False
        reply.say(T.SCREENER_NONE.format(locality=name) + "\n" + T.SCREENER_DISCLAIMER,
                  {T.BUTTON_HUMAN: "/ask_human"})
        return reply
    picked = picked[:MAX_SHOWN]
    lines = [T.SCREENER_RESULT.format(locality=name)]
    lines += [f"- {shorten(h.text, 200)} (mục {h.section})" for h in picked]
    lines.append(citation(picked[0]).replace(f", mục {picked[0].section}", ""))
    note = currency_note(picked[0], today)
    if note:
        lines.append(note)
    lines.append(T.SCREENER_DISCLAIMER)
    reply.say("\n".join(lines), {T.BUTTON_HUMAN: "/ask_human"})
    reply.provisions = [h.id for h in picked]
    return reply


def finish(turn: Turn, search: ProvisionSearch, today: Optional[dt.date] = None) -> Reply:
    """Every step answered: the result for the resident's locality, and the answers cleared for next time."""
    locality = catalogue_key(search, "locality", turn.slots.get("locality"))
    if locality is None:  # the form asks for it first; a locality removed from the KB meanwhile
        reply = Reply(is_question=False, outcome="ask_locality")
        reply.say(T.ASK_LOCALITY, locality_buttons(search))
    else:
        reply = result({step: turn.slots.get(step) for step in STEPS}, locality, search, today)
    reply.slots.update({step: None for step in STEPS})
    return reply
