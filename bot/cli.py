"""The `bot` command line: parses options and calls the packages' functions."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot import kb_commands, nlu_commands, users_commands
from config.settings import Settings
from knowledge.errors import KnowledgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Trợ lý chính sách xã hội")
    sub = parser.add_subparsers(dest="command", required=True)
    kb_commands.register(sub)
    nlu_commands.register(sub)
    users_commands.register(sub)
    p = sub.add_parser("run", help="load, train if needed and start the assistant")
    p.set_defaults(func=lambda args, settings: _run(settings))
    p = sub.add_parser("ask", help="play one turn of a conversation")
    p.add_argument("text")
    p.add_argument("--sender", default="cli")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_ask)
    p = sub.add_parser("chat", help="talk to the assistant in the terminal")
    p.add_argument("--sender", default="terminal")
    p.set_defaults(func=lambda args, settings: _chat(settings, args.sender))
    return parser


def _run(settings: Settings) -> int:
    from bot.run import run

    return run(settings)


def _ask(args, settings: Settings) -> int:
    import json

    from bot.conversation import ask

    turn = ask(settings, args.text, args.sender)
    if args.json:
        print(json.dumps(turn, ensure_ascii=False, indent=2))
    else:
        for reply in turn["replies"]:
            print(reply["text"])
    return 0


def _chat(settings: Settings, sender: str) -> int:
    from bot.conversation import chat

    chat(settings, sender)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.func(args, settings)
    except KnowledgeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
