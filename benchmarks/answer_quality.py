"""Answer quality through the real assistant: REST channel → Rasa → action server → KB.

    .venv/bin/python benchmarks/answer_quality.py [--questions PATH ...] [--verbose] [--json]

Each conversation is a new sender; a conversation whose resident named a place
earlier starts by pressing that place's button. Default sets: the blind set
(tests/answer_quality/blind.yml, the headline), dev.yml (written the same way, for tuning),
questions.yml and fresh.yml.

Per set it prints:
- top-1: the provision presented as *the* answer is one a correct answer cites
  (single questions the plans answer); top-3 adds the two behind "Xem thêm";
- follow-ups: later turns of a conversation answered correctly (or, where the
  plan does not say, declined);
- declined: questions the plans cannot answer (not stated, national rules, a
  place without a plan) with no provision presented as the answer;
- top1_unanswered: of the top-1 questions, those given no provision as the answer, by the reply given
  (related: declined as not stated with related provisions; not_found; ask_locality: a question back;
  text: a reply with no outcome, such as help); the other misses presented a provision a correct
  answer does not cite;
- misrouted: answerable questions given a reply that does not answer
  (help, out of scope, a handoff, the screener, a question back);
- invented numbers: replies with a figure absent from every provision they show;
- uncited: replies showing a provision without its document, section and date.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import aiohttp
import yaml

from actions.reply_format import WHOLE, numbers_in, unsourced_numbers
from bot.run import prepare
from config.settings import PROJECT_ROOT, Settings
from knowledge.db import make_engine
from knowledge.provision_search import Hit, ProvisionSearch
from knowledge.text import fold
from scratch import scratch_assistant

SETS = PROJECT_ROOT / "tests" / "answer_quality"
DEFAULT_SETS = [SETS / "blind.yml", SETS / "dev.yml", SETS / "questions.yml", SETS / "fresh.yml"]
ANSWERING_ACTIONS = {"action_answer_question", "action_more", "action_compare_localities"}
PLAN_PLACES = ("can tho", "ho chi minh", "da nang", "cang long", "duc pho")
DECLINES = {"not_stated", "outside_plans", "places_covered"}


@dataclass
class Turn:
    text: str
    expect: str                      # answer | not_stated | outside_plans | places_covered
    expected: List[str] = field(default_factory=list)


@dataclass
class Item:
    id: str
    category: str
    turns: List[Turn]
    locality: Optional[str] = None


def load_items(path: Path) -> List[Item]:
    """Both formats: the blind set's conversations, and the older sets' single questions."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items: List[Item] = []
    for n, q in enumerate(data.get("questions") or []):
        items.append(Item(f"q{n}", "answerable", [Turn(q["question"], "answer", list(q["expected"]))],
                          q.get("locality")))
    for n, q in enumerate(data.get("unanswerable") or []):
        items.append(Item(f"u{n}", "unanswerable", [Turn(q["question"], "not_stated")], q.get("locality")))
    for it in data.get("items") or []:
        turns = [Turn(t["text"], t["expect"], list(t.get("expected") or [])) for t in it["turns"]]
        items.append(Item(str(it["id"]), it["category"], turns, it.get("locality")))
    return items


@dataclass
class Outcome:
    """What the assistant did with one turn."""

    texts: List[str]
    shown: List[str]                 # provisions shown, the answer (if any) first
    answer: Optional[str]            # the provision presented as the answer
    more: List[str]                  # what "Xem thêm" would show next
    actions: List[str]
    intent: Optional[str] = None     # what the classifier made of the turn
    kind: str = ""                   # the reply's outcome (answer, related, not_found, ask_locality, …)


async def send(http: aiohttp.ClientSession, base: str, token: str, sender: str, text: str) -> Outcome:
    async with http.post(f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}) as r:
        body = await r.json()
    texts, shown, kinds = [], [], []
    for m in body:
        if m.get("text"):
            texts.append(m["text"])
        custom = m.get("custom") or {}
        shown += [p for p in custom.get("provisions") or [] if p not in shown]
        if custom:
            kinds.append(custom.get("outcome", "answer"))
    async with http.get(f"{base}/conversations/{urllib.parse.quote(sender, safe='')}/tracker",
                        params={"token": token}) as r:
        tracker = await r.json()
    events = tracker.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    actions = [e["name"] for e in events[last_user + 1:] if e.get("event") == "action"
               and e.get("name") not in ("action_listen", None)]
    answer = shown[0] if shown and "answer" in kinds else None
    more = list((tracker.get("slots") or {}).get("last_results") or [])
    intent = ((events[last_user].get("parse_data") or {}).get("intent") or {}).get("name") if last_user >= 0 else None
    return Outcome(texts, shown, answer, more, actions, intent, kinds[-1] if kinds else "text")


@dataclass
class Tally:
    top1: List[bool] = field(default_factory=list)
    top3: List[bool] = field(default_factory=list)
    follow: List[bool] = field(default_factory=list)
    declined: List[bool] = field(default_factory=list)
    misrouted: int = 0
    unanswered: Dict[str, int] = field(default_factory=dict)  # answerable first turns given no answer, by reply
    invented: int = 0
    uncited: int = 0
    failures: List[str] = field(default_factory=list)


def cites(text: str, hit: Hit) -> bool:
    date = hit.date_label.replace(" (dự thảo)", "")  # a draft says so once, in its code
    return all(part in text for part in (hit.document_code, hit.section, date))


def judge(tally: Tally, item: Item, index: int, turn: Turn, out: Outcome, by_id: Dict[str, Hit],
          said: str) -> None:
    text = "\n".join(out.texts)
    hits = [by_id[i] for i in out.shown if i in by_id]
    # A figure the resident wrote in the conversation (a year, an age) may be echoed; any other must
    # come from a provision shown.
    extra = (unsourced_numbers(text, hits) if hits else numbers_in(text)) - numbers_in(said)
    tally.invented += bool(extra)
    tally.uncited += any(not cites(text, h) for h in hits)
    if turn.expect == "answer":
        ok = out.answer in turn.expected
        # action_subscriptions answers a question the classifier took for a subscription command: it counts
        # as answering only when it showed a provision.
        tally.misrouted += not (set(out.actions) & ANSWERING_ACTIONS
                                or "action_subscriptions" in out.actions and out.shown)
    else:
        ok = out.answer is None
        if turn.expect == "places_covered":
            ok = ok and sum(p in fold(text) for p in PLAN_PLACES) >= 3
    if index > 0:
        tally.follow.append(ok)
    elif turn.expect == "answer":
        tally.top1.append(ok)
        if out.answer is None:
            tally.unanswered[out.kind] = tally.unanswered.get(out.kind, 0) + 1
        following = [m for m in out.more if not m.startswith(WHOLE)][:2]  # the answer shown whole comes first
        tally.top3.append(bool(set(turn.expected) & set(([out.answer] if out.answer else []) + following)))
    else:
        tally.declined.append(ok)
    if not ok or extra:
        tally.failures.append(f"[{item.id} {item.category} t{index + 1}] {turn.text!r}\n    expect {turn.expect} "
                              f"{turn.expected}; got answer={out.answer} shown={out.shown} actions={out.actions}"
                              + (f" numbers not in sources {sorted(extra)}" if extra else "")
                              + f"\n    reply: {text[:220]!r}")


async def run_set(base: str, token: str, items: List[Item], by_id: Dict[str, Hit], tag: str,
                  users: int = 4, trace: bool = False) -> Tally:
    tally = Tally()
    queue = list(enumerate(items))

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        async def worker() -> None:
            while queue:
                n, item = queue.pop(0)
                sender = f"aq-{tag}-{n}"
                if item.locality:
                    await send(http, base, token, sender, f'/choose_locality{{"locality": "{item.locality}"}}')
                for i, turn in enumerate(item.turns):
                    out = await send(http, base, token, sender, turn.text)
                    judge(tally, item, i, turn, out, by_id, " ".join(t.text for t in item.turns[:i + 1]))
                    if trace:
                        print(f"[{item.id} t{i + 1}] {turn.text!r} ({out.intent}) expect {turn.expect} {turn.expected}"
                              f" -> {out.answer} shown={out.shown}\n    " + " | ".join(out.texts)[:400], file=sys.stderr)

        await asyncio.gather(*(worker() for _ in range(users)))
    return tally


def share(values: List[bool]) -> str:
    return f"{sum(values)}/{len(values)} = {sum(values) / len(values):.1%}" if values else "—"


def summary(tally: Tally) -> Dict[str, Any]:
    return {"top1": share(tally.top1), "top3": share(tally.top3), "follow_ups": share(tally.follow),
            "declined": share(tally.declined), "misrouted": tally.misrouted,
            "top1_unanswered": f"{sum(tally.unanswered.values())} "
            + ",".join(f"{k}:{n}" for k, n in sorted(tally.unanswered.items())),
            "invented_numbers": tally.invented, "uncited": tally.uncited}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=Path, nargs="+", default=DEFAULT_SETS)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", nargs="+", metavar="ID", help="run only these conversations, each turn printed")
    args = ap.parse_args()
    settings = Settings.from_env()
    model = prepare(settings)
    by_id = {h.id: h for h in ProvisionSearch(make_engine(settings.database_url)).index().hits_base}
    results: Dict[str, Dict[str, Any]] = {}
    with scratch_assistant(settings, model) as (base, token):
        for path in args.questions:
            items = [i for i in load_items(path) if not args.only or i.id in args.only]
            tally = asyncio.run(run_set(base, token, items, by_id, path.stem, trace=bool(args.only)))
            results[path.name] = summary(tally)
            if args.verbose:
                print(f"== {path.name}: failures", file=sys.stderr)
                for line in tally.failures:
                    print(line, file=sys.stderr)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    names = list(results)
    rows = ["top1", "top1_unanswered", "top3", "follow_ups", "declined", "misrouted", "invented_numbers", "uncited"]
    print(f"{'figure':<18}" + "".join(f"{n:>24}" for n in names))
    for row in rows:
        print(f"{row:<18}" + "".join(f"{str(results[n][row]):>24}" for n in names))


if __name__ == "__main__":
    main()
