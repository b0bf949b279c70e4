"""The knowledge base's own errors."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import List


class KnowledgeError(Exception):
    """Base class of knowledge-base errors."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file (``path``, ``line``) or, with no path, with a form's provision."""

    path: str
    line: int
    reason: str

    @property
    def place(self) -> str:
        """"Tệp 002_da-nang.yaml, dòng 14": the file by its name only (never the folder it was saved in,
        a temporary one for an upload); empty for a form, which has neither file nor line."""
        if not self.path:
            return ""
        name = f"Tệp {PurePath(self.path).name}"
        return f"{name}, dòng {self.line}" if self.line > 0 else name

    def __str__(self) -> str:
        return f"{self.place}: {self.reason}" if self.place else self.reason


class KbFileError(KnowledgeError):
    """A knowledge-base file was rejected; nothing was written."""

    def __init__(self, problems: List[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFound(KnowledgeError):
    """No such provision, document or catalogue entry."""


class InvalidChange(KnowledgeError):
    """An add/edit/retire request that would break the rules of the data."""
