"""The knowledge base's own errors."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List


class KnowledgeError(Exception):
    """Base class of knowledge-base errors."""


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class KbFileError(KnowledgeError):
    """A knowledge-base file was rejected; nothing was written."""

    def __init__(self, problems: List[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFound(KnowledgeError):
    """No such provision, document or catalogue entry."""


class InvalidChange(KnowledgeError):
    """An add/edit/retire request that would break the rules of the data."""
