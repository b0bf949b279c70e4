"""Password hashing for admin and staff accounts (Argon2id through argon2-cffi)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from knowledge.errors import InvalidChange

MIN_LENGTH = 10
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InvalidChange(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an account without a password never matches."""
    if not password_hash:
        _HASHER.hash(password)  # spend the same time, so a missing account is not told apart
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
