"""`bot train`, `bot parse`, `bot evaluate`: thin wrappers over nlu/ functions."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from config.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the Rasa model (skipped when nothing changed)")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("parse", help="parse a text with the trained model")
    p.add_argument("text")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("evaluate", help="evaluate the NLU on the held-out test sets")
    p.add_argument("--json", action="store_true")
    p.add_argument("--report", default=None, help="where to write the readable report")
    p.set_defaults(func=cmd_evaluate)


def _model(settings: Settings, force: bool = False):
    from bot.run import ensure_kb
    from nlu.model_store import latest_model, train_full

    ensure_kb(settings)

    existing = None if force else latest_model(settings.model_dir)
    return existing or train_full(settings.model_dir, force=force)


def cmd_train(args, settings: Settings) -> int:
    start = time.perf_counter()
    path = _model(settings, force=args.force)
    print(f"model: {path} ({time.perf_counter() - start:.1f} s)")
    return 0


def cmd_parse(args, settings: Settings) -> int:
    from nlu.parser import NluParser

    result = NluParser(_model(settings)).parse(args.text)
    if args.json:
        print(json.dumps({k: result[k] for k in ("intent", "entities")}, ensure_ascii=False))
    else:
        print(f"{result['intent']['name']} ({result['intent']['confidence']:.2f}) {result['entities']}")
    return 0


def cmd_evaluate(args, settings: Settings) -> int:
    from bot.run import ensure_kb
    from nlu.evaluation import evaluate

    ensure_kb(settings)

    report = settings.var_dir / "nlu_evaluation.md" if args.report is None else args.report
    summary = evaluate(settings.model_dir / "evaluation", report_path=Path(report))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    print(f"report: {report}", file=sys.stderr)
    return 0
