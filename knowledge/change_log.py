"""The change log: who changed what in the knowledge base, with the record before and after."""
from __future__ import annotations

from typing import Any, Dict, Optional

from sqlalchemy.orm import Session

from knowledge.models import ChangeLog, utcnow


def log_change(session: Session, by: str, action: str, entity: str, entity_id: str,
               before: Optional[Dict[str, Any]], after: Optional[Dict[str, Any]]) -> None:
    session.add(ChangeLog(at=utcnow(), by=by, action=action, entity=entity, entity_id=entity_id,
                          before=_jsonable(before), after=_jsonable(after)))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
