"""The documentation keeps up with the code: every environment variable the code reads is in the settings
table of docs/operations.md, and every `bot` command is named in the README or a docs page."""
from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Iterator, List, Set

from bot.cli import build_parser
from config.settings import PROJECT_ROOT

CODE = ("config", "bot", "knowledge", "nlu", "actions", "connectors", "admin")
# Variables set for a child process or a library, not settings an operator chooses.
NOT_SETTINGS = {"PYTHONUNBUFFERED", "TF_CPP_MIN_LOG_LEVEL", "SQLALCHEMY_SILENCE_UBER_WARNING", "PATH", "HOME"}
_READ = re.compile(r"""(?:env|environ|os\.environ)(?:\.get|\.setdefault)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""
                   r"""|(?:env|environ|os\.environ)\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
                   r"""|_(?:port|number|choice|secret)\(\s*\w+,\s*["']([A-Z][A-Z0-9_]+)["']""")


def variables_read() -> Set[str]:
    found: Set[str] = set()
    for package in CODE:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            for match in _READ.finditer(path.read_text(encoding="utf-8")):
                found.add(next(g for g in match.groups() if g))
    return found - NOT_SETTINGS


def commands(parser: argparse.ArgumentParser, prefix: str = "bot") -> Iterator[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}"
                yield from commands(sub, f"{prefix} {name}")


def documentation() -> str:
    pages: List[Path] = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return "\n".join(p.read_text(encoding="utf-8") for p in pages)


def test_every_environment_variable_the_code_reads_is_in_the_settings_table():
    table = (PROJECT_ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    read = variables_read()
    assert {"DATABASE_URL", "RASA_PORT", "BOT_HASH_KEY", "ZALO_NOTICE_MONTHLY_QUOTA"} <= read  # the scan works
    missing = sorted(v for v in read if f"`{v}`" not in table)
    assert missing == []


def test_every_bot_command_is_named_in_the_documentation():
    text = re.sub(r"\s+", " ", documentation())
    found = list(commands(build_parser()))
    assert "bot kb synonym add" in found and "bot users disable" in found  # the walk works
    # "bot users password|logout|disable" names three commands.
    missing = [c for c in found if not re.search(
        rf"{re.escape(c.rsplit(' ', 1)[0])} (?:[\w-]+\|)*{re.escape(c.rsplit(' ', 1)[1])}\b", text)]
    assert missing == []
