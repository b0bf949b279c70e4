"""Checking that a webhook request comes from Zalo: the ``X-ZEvent-Signature`` header.

Zalo signs ``sha256(app_id + raw_body + timestamp + oa_secret_key)``, with ``app_id`` and ``timestamp`` as
they appear in the body. Reading those two fields needs a JSON decode of the body; nothing else of the event is
looked at, let alone acted on, before the signature has been checked.

The event's age is not checked here: Zalo redelivers failed events for hours, so a correctly signed old event
is a genuine late delivery, and a replay of one is stopped by deduplicating its message id.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Optional, Tuple

from connectors import platform_constants as P


class SignatureError(Exception):
    """The request cannot be trusted to come from Zalo."""


class MissingSignature(SignatureError):
    """No ``X-ZEvent-Signature`` header, or not of the form ``mac=<hex>``."""


class BadSignature(SignatureError):
    """The signature does not match the body (forged or tampered with), or cannot be computed."""


class UnreadableBody(SignatureError):
    """The body is not a JSON object, so the signed fields cannot even be read (a malformed request)."""


def compute_mac(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The lowercase hex digest Zalo puts after ``mac=``."""
    digest = hashlib.sha256()
    for part in (app_id.encode("utf-8"), raw_body, timestamp.encode("utf-8"), oa_secret_key.encode("utf-8")):
        digest.update(part)
    return digest.hexdigest()


def signature_matches(header: Optional[str], app_id: str, raw_body: bytes, timestamp: str,
                      oa_secret_key: str) -> bool:
    """True when ``header`` is ``mac=<hex>`` for these inputs; compared in constant time."""
    if not header or not header.strip().startswith(P.ZALO_SIGNATURE_PREFIX):
        return False
    given = header.strip()[len(P.ZALO_SIGNATURE_PREFIX):].strip().lower()
    expected = compute_mac(app_id, raw_body, timestamp, oa_secret_key)
    # Encoding first: compare_digest refuses non-ASCII str, and a header may hold anything.
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("ascii"))


def signed_fields(raw_body: bytes) -> Tuple[str, str]:
    """``(app_id, timestamp)`` as written in the body, which the signature covers."""
    try:
        data = json.loads(raw_body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UnreadableBody("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise UnreadableBody("the body is not a JSON object")
    return _as_text(data.get("app_id")), _as_text(data.get("timestamp"))


def verify_request(raw_body: bytes, header: Optional[str], oa_secret_key: str) -> None:
    """Raise a :class:`SignatureError` unless the request is signed with ``oa_secret_key``."""
    if not header or not header.strip().startswith(P.ZALO_SIGNATURE_PREFIX):
        raise MissingSignature(f"missing or malformed {P.ZALO_SIGNATURE_HEADER} header")
    app_id, timestamp = signed_fields(raw_body)
    if not app_id or not timestamp:
        raise BadSignature("app_id or timestamp missing from the body")
    if not signature_matches(header, app_id, raw_body, timestamp, oa_secret_key):
        raise BadSignature("signature does not match")


def _as_text(value: object) -> str:
    """A field as it reads in the JSON text: strings as is, integers in decimal, anything else unusable."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""
