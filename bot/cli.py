"""The `bot` command line: parses options and calls the packages' functions."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot import kb_commands, nlu_commands
from bot.settings import Settings
from knowledge.errors import KnowledgeError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Trợ lý chính sách xã hội")
    sub = parser.add_subparsers(dest="command", required=True)
    kb_commands.register(sub)
    nlu_commands.register(sub)
    p = sub.add_parser("run", help="load, train if needed and start the assistant")
    p.set_defaults(func=lambda args, settings: _run(settings))
    return parser


def _run(settings: Settings) -> int:
    from bot.run import run

    return run(settings)


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
