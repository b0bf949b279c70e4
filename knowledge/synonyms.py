"""Residents' words read as the plans' words ("cấp 3" -> "trung học phổ thông", "làm ăn" ->
"sản xuất kinh doanh"): the table, the rewriting of a token list, and the admin's changes.

The table lives in the knowledge base (seeded from catalogue.yaml, edited by admins) and is
read with the aliases, so a change is live on the next question, without retraining.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.change_log import log_change
from knowledge.db import bump_version, transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import Synonym
from knowledge.text import fold, normalize


def synonym_key(phrase: str) -> str:
    """The folded, abbreviation-expanded form a phrase is matched by (as queries are read)."""
    return normalize(phrase, chat=True)


MAX_CHARS = 200


def refusal(phrase: str, means: str) -> Optional[str]:
    """Why ``phrase`` cannot be read as ``means`` (a sentence for the admin), or None when it can."""
    key, meaning = synonym_key(phrase).split(), synonym_key(means).split()
    if not key or not meaning:
        return "Hãy điền cả cách người dân nói và từ kế hoạch viết."
    if key == meaning:
        return f"«{phrase}» và «{means}» đã được đọc như nhau; không cần thêm."
    if len(phrase) > MAX_CHARS or len(means) > MAX_CHARS:
        longest = max(len(phrase), len(means))
        return f"Mỗi cách nói dài tối đa {MAX_CHARS} ký tự (đang có {longest} ký tự)."
    as_typed = fold(phrase).split()
    if len(as_typed) == len(key) and key != as_typed and all(
            a != k for a, k in zip(as_typed, key)):
        return (f"«{phrase}» là cách viết tắt trợ lý đã hiểu sẵn ở mọi câu hỏi (đọc thành «{' '.join(key)}»), "
                "nên không gán được nghĩa khác.")
    if any(meaning[i : i + len(key)] == key for i in range(len(meaning) - len(key) + 1)):
        return (f"«{phrase}» nằm trong chính «{means}»: nếu thêm, mỗi chỗ có «{means}» sẽ bị đọc lặp; "
                "hãy chọn cách nói khác.")
    return None


@dataclass(frozen=True)
class SynonymTable:
    """Folded phrase tokens -> folded meaning tokens."""

    by_phrase: Dict[Tuple[str, ...], Tuple[str, ...]]
    max_tokens: int

    @classmethod
    def empty(cls) -> "SynonymTable":
        return cls({}, 0)

    @classmethod
    def of(cls, pairs: Sequence[Tuple[str, str]]) -> "SynonymTable":
        table: Dict[Tuple[str, ...], Tuple[str, ...]] = {}
        for phrase, means in pairs:
            key, value = tuple(synonym_key(phrase).split()), tuple(synonym_key(means).split())
            if key and value and key != value:
                table.setdefault(key, value)
        return cls(table, max((len(k) for k in table), default=0))

    def spans(self, tokens: Sequence[str]) -> List[Tuple[int, int, Tuple[str, ...]]]:
        """(start, end, meaning) of each phrase found, longest match first, left to right."""
        found: List[Tuple[int, int, Tuple[str, ...]]] = []
        i = 0
        while i < len(tokens):
            for n in range(min(self.max_tokens, len(tokens) - i), 0, -1):
                meaning = self.by_phrase.get(tuple(tokens[i : i + n]))
                if meaning is not None:
                    found.append((i, i + n, meaning))
                    i += n
                    break
            else:
                i += 1
        return found

    def rewrite(self, tokens: Sequence[str]) -> List[str]:
        """``tokens`` with each known phrase replaced by what it means."""
        if not self.by_phrase:
            return list(tokens)
        out: List[str] = []
        last = 0
        for start, end, meaning in self.spans(tokens):
            out.extend(tokens[last:start])
            out.extend(meaning)
            last = end
        out.extend(tokens[last:])
        return out


def load_synonym_table(session: Session) -> SynonymTable:
    rows = session.execute(select(Synonym.phrase, Synonym.means).order_by(Synonym.position, Synonym.id)).all()
    return SynonymTable.of([(phrase, means) for phrase, means in rows])


def list_synonyms(engine: Engine) -> List[Dict[str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(Synonym).order_by(Synonym.means, Synonym.position, Synonym.id)).scalars()
        return [{"phrase": r.phrase, "means": r.means} for r in rows]


def _record(row: Synonym) -> Dict[str, str]:
    return {"phrase": row.phrase, "means": row.means}


def _put(session: Session, phrase: str, means: str, by: str) -> bool:
    """Read ``phrase`` as ``means`` (a new row, or the phrase's row changed), logged; False when it
    already was."""
    key = synonym_key(phrase)
    row = session.execute(select(Synonym).where(Synonym.folded == key)).scalar_one_or_none()
    before = None if row is None else _record(row)
    after = {"phrase": phrase, "means": means}
    if before == after:
        return False
    if row is None:
        count = len(session.execute(select(Synonym.id)).all())
        session.add(Synonym(phrase=phrase, folded=key, means=means, position=count))
    else:
        row.phrase, row.means = phrase, means
    log_change(session, by, "add_synonym", "synonym", phrase[:80], before, after)
    session.flush()
    return True


def _drop(session: Session, row: Synonym, by: str) -> None:
    log_change(session, by, "remove_synonym", "synonym", row.phrase[:80], _record(row), None)
    session.delete(row)
    session.flush()


def add_synonym(engine: Engine, phrase: str, means: str, by: str) -> None:
    """Read ``phrase`` as ``means`` from the next question on; replaces the phrase's earlier meaning."""
    if not by.strip():
        raise InvalidChange("Mỗi thay đổi phải ghi tên người thực hiện (--by TÊN).")
    phrase, means = " ".join(phrase.split()), " ".join(means.split())
    problem = refusal(phrase, means)
    if problem:
        raise InvalidChange(problem)
    with transaction(engine) as session:
        if _put(session, phrase, means, by):
            bump_version(session)


def remove_synonym(engine: Engine, phrase: str, by: str) -> None:
    if not by.strip():
        raise InvalidChange("Mỗi thay đổi phải ghi tên người thực hiện (--by TÊN).")
    with transaction(engine) as session:
        row = session.execute(select(Synonym).where(Synonym.folded == synonym_key(phrase))).scalar_one_or_none()
        if row is None:
            raise NotFound(f"«{' '.join(phrase.split())}» không có trong bảng từ đồng nghĩa.")
        _drop(session, row, by)
        bump_version(session)


def replace_synonyms(session: Session, entries: Sequence[Dict[str, object]], by: str) -> int:
    """Import: each entry's meaning gets exactly its listed phrases; the caller owns the transaction.
    Returns how many phrases changed."""
    changed = 0
    for entry in entries:
        means = " ".join(str(entry["means"]).split())
        wanted = {synonym_key(str(p)): " ".join(str(p).split()) for p in entry.get("phrases") or []}  # type: ignore[union-attr]
        for row in session.execute(select(Synonym).where(Synonym.means == means)).scalars().all():
            if row.folded not in wanted:
                _drop(session, row, by)
                changed += 1
        for key, phrase in wanted.items():
            if key and key != synonym_key(means):
                changed += _put(session, phrase, means, by)
    return changed


def export_synonyms(session: Session) -> List[Dict[str, object]]:
    grouped: Dict[str, List[str]] = {}
    for row in session.execute(select(Synonym).order_by(Synonym.position, Synonym.id)).scalars():
        grouped.setdefault(row.means, []).append(row.phrase)
    return [{"means": means, "phrases": phrases} for means, phrases in grouped.items()]


__all__ = ["SynonymTable", "synonym_key", "refusal", "load_synonym_table", "list_synonyms", "add_synonym",
           "remove_synonym", "replace_synonyms", "export_synonyms"]
