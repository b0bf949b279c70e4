"""Answer quality on tests/answer_quality/questions.yml, through the trained NLU and the answering logic.

    .venv/bin/python benchmarks/answer_quality.py [--verbose] [--questions PATH]

Prints top-1 and top-3 correctness (the first cited provision, or one of the
three the reply offers with "Xem thêm"), how many replies contain a number that
is in neither the cited provision nor its citation, and how many unanswerable
questions were honestly declined.
"""
from __future__ import annotations

import argparse
from pathlib import Path
import yaml

from actions import answering
from actions.reply_format import unsourced_numbers
from bot.run import prepare
from bot.settings import PROJECT_ROOT, Settings
from knowledge.db import make_engine
from knowledge.provision_search import ProvisionSearch
from nlu.parser import NluParser

QUESTIONS = PROJECT_ROOT / "tests" / "answer_quality" / "questions.yml"
def run_turn(parser: NluParser, search: ProvisionSearch, text: str, locality: str | None) -> answering.Reply:
    parsed = parser.parse(text)
    turn = answering.Turn(text=text, intent=parsed["intent"]["name"], entities=parsed["entities"],
                          slots={"locality": locality})
    if turn.intent == "compare_localities":
        return answering.compare(turn, search)
    if turn.intent not in answering.INTENT_TOPICS and turn.intent not in answering.INTENT_KINDS:
        turn.intent = "nlu_fallback" if turn.intent != "choose_locality" else turn.intent
    return answering.answer_question(turn, search)


def main() -> None:
    parser_ = argparse.ArgumentParser()
    parser_.add_argument("--verbose", action="store_true")
    parser_.add_argument("--questions", type=Path, default=QUESTIONS, help="question set (default: %(default)s)")
    args = parser_.parse_args()
    settings = Settings.from_env()
    model = prepare(settings)
    search = ProvisionSearch(make_engine(settings.database_url))
    by_id = {h.id: h for h in search.index().hits_base}
    data = yaml.safe_load(args.questions.read_text(encoding="utf-8"))
    parser = NluParser(model)
    top1 = top3 = invented = 0
    for item in data["questions"]:
        reply = run_turn(parser, search, item["question"], item.get("locality"))
        offered = reply.provisions[:1] + list(reply.slots.get("last_results") or [])[:2]
        expected = set(item["expected"])
        top1 += bool(offered[:1] and offered[0] in expected)
        top3 += bool(expected & set(offered))
        cited = [by_id[i] for i in reply.provisions if i in by_id]
        extra = unsourced_numbers("\n".join(m["text"] for m in reply.messages), cited)
        invented += bool(extra)
        if args.verbose and (not offered or offered[0] not in expected or extra):
            print(f"- {item['question']!r}: expected {sorted(expected)}, offered {offered}"
                  + (f", numbers not in sources {sorted(extra)}" if extra else ""))
    declined = 0
    for item in data.get("unanswerable", []):
        reply = run_turn(parser, search, item["question"], item.get("locality"))
        declined += not reply.answered or not reply.provisions
        if args.verbose and reply.provisions:
            print(f"- unanswerable {item['question']!r} answered with {reply.provisions}")
    parser.close()
    n = len(data["questions"])
    print(f"questions: {n}")
    print(f"top-1 correct: {top1}/{n} = {top1 / n:.1%}")
    print(f"top-3 correct: {top3}/{n} = {top3 / n:.1%}")
    print(f"replies with a number absent from the cited provisions: {invented}")
    print(f"unanswerable declined: {declined}/{len(data.get('unanswerable', []))}")


if __name__ == "__main__":
    main()
