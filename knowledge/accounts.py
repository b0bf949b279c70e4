"""Staff and admin accounts (`bot users …`)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from knowledge.db import transaction
from knowledge.errors import InvalidChange, NotFound
from knowledge.models import Account, AdminSession

ROLES = ("admin", "staff")


def add_account(engine: Engine, name: str, role: str, telegram_id: Optional[str] = None,
                zalo_id: Optional[str] = None, locality_key: Optional[str] = None,
                password_hash: Optional[str] = None) -> int:
    if role not in ROLES:
        raise InvalidChange(f"Vai trò phải là admin (quản trị) hoặc staff (cán bộ); đang là «{role}».")
    if not name.strip():
        raise InvalidChange("Tài khoản phải có tên.")
    with transaction(engine) as session:
        if session.execute(select(Account).where(Account.name == name.strip())).scalar_one_or_none():
            raise InvalidChange(f"Đã có tài khoản tên «{name.strip()}»; hãy chọn tên khác.")
        for column, value, channel in ((Account.telegram_id, telegram_id, "Telegram"),
                                       (Account.zalo_id, zalo_id, "Zalo")):
            if value and session.execute(select(Account).where(column == value)).scalar_one_or_none():
                raise InvalidChange(f"Mã {channel} «{value}» đã gắn với một tài khoản khác.")
        row = Account(name=name.strip(), role=role, telegram_id=telegram_id or None, zalo_id=zalo_id or None,
                      locality_key=locality_key, password_hash=password_hash)
        session.add(row)
        session.flush()
        return row.id


def staff_by_channel_id(engine: Engine, channel: str, external_id: str) -> Optional[Dict[str, Any]]:
    """The staff account registered with this Telegram or Zalo user id, if any."""
    with transaction(engine) as session:
        return find_staff(session, channel, external_id)


def find_staff(session: Session, channel: str, external_id: str) -> Optional[Dict[str, Any]]:
    """:func:`staff_by_channel_id` within ``session``'s transaction."""
    column = {"telegram": Account.telegram_id, "zalo": Account.zalo_id}.get(channel)
    if column is None:
        return None
    row = session.execute(select(Account).where(column == str(external_id))).scalar_one_or_none()
    return None if row is None else {"id": row.id, "name": row.name, "role": row.role, "locality": row.locality_key}


def list_accounts(engine: Engine) -> List[Dict[str, Any]]:
    with transaction(engine) as session:
        return [{"id": a.id, "name": a.name, "role": a.role, "locality": a.locality_key,
                 "telegram_id": a.telegram_id, "zalo_id": a.zalo_id}
                for a in session.execute(select(Account).order_by(Account.id)).scalars()]


def remove_account(engine: Engine, name: str) -> None:
    with transaction(engine) as session:
        row = _named(session, name)
        _end_sessions(session, row.id)
        session.delete(row)


def set_password_hash(engine: Engine, name: str, password_hash: Optional[str]) -> int:
    """A new password (None: no admin-web login, the account disabled); every session of the account
    ends. Returns how many ended."""
    with transaction(engine) as session:
        row = _named(session, name)
        row.password_hash = password_hash
        return _end_sessions(session, row.id)


def end_sessions(engine: Engine, name: str) -> int:
    """Log the account out everywhere; returns how many sessions ended."""
    with transaction(engine) as session:
        return _end_sessions(session, _named(session, name).id)


def _named(session: Session, name: str) -> Account:
    row = session.execute(select(Account).where(Account.name == name)).scalar_one_or_none()
    if row is None:
        raise NotFound(f"Không có tài khoản nào tên «{name}».")
    return row


def _end_sessions(session: Session, account_id: int) -> int:
    result = session.execute(delete(AdminSession).where(AdminSession.account_id == account_id))
    return result.rowcount or 0
