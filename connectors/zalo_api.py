"""Sending customer-service replies through the Zalo OA Open API v3, refreshing the access token when it expires.

Zalo's refresh tokens are single-use: the new access and refresh tokens are written together, atomically, to a
small JSON file, and only one refresh runs at a time.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

import aiohttp

from connectors import channel_texts as T
from connectors import platform_constants as P
from connectors.reply_splitter import split_text
from connectors.zalo_buttons import button_payload

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ZaloApiSettings:
    app_id: str
    app_secret: str = field(repr=False)
    token_file: Path
    access_token: str = field(default="", repr=False)  # used until the token file exists
    refresh_token: str = field(default="", repr=False)
    api_base: str = P.ZALO_API_BASE
    oauth_base: str = P.ZALO_OAUTH_BASE
    timeout_s: float = 15.0
    attempts: int = 3  # per message, against HTTP 5xx, 429 and network errors
    retry_delay_s: float = 1.0  # doubled after each failed attempt
    max_retry_after_s: float = 30.0


class ZaloApiError(Exception):
    """A reply was not delivered. ``transient`` errors are worth retrying later; the others (the user cannot
    be reached, a refused request) are not."""

    def __init__(self, message: str, code: Optional[int] = None, transient: bool = False):
        super().__init__(message)
        self.code = code
        self.transient = transient


class ZaloAuthError(ZaloApiError):
    """The access token could not be refreshed: the operator has to renew the OA's tokens."""

    def __init__(self, message: str, code: Optional[int] = None):
        super().__init__(message, code, transient=True)


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)


class TokenStore:
    """The current token pair: the JSON file when it exists (it supersedes the configured tokens, which a
    refresh has spent), else the configured pair."""

    def __init__(self, path: Path, initial: TokenPair):
        self.path = path
        self._initial = initial

    def load(self) -> TokenPair:
        if not self.path.exists():
            return self._initial
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return TokenPair(str(data["access_token"]), str(data["refresh_token"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"the Zalo token file {self.path} is unreadable: {exc.__class__.__name__}") from None

    def save(self, pair: TokenPair, expires_in: Optional[int] = None) -> None:
        """Replace the file in one step (temporary file + rename), readable by its owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record = {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
                  "refreshed_at": int(time.time()), "expires_in": expires_in}
        fd, tmp = tempfile.mkstemp(prefix=".zalo-tokens-", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def query_button(title: str, payload: str) -> Dict[str, str]:
    """An ``oa.query.show`` button: a tap sends ``payload`` back as the user's text."""
    title = title.strip() or payload.strip()
    if len(title) > P.ZALO_BUTTON_TITLE_LIMIT:
        title = title[:P.ZALO_BUTTON_TITLE_LIMIT - 1].rstrip() + "…"
    if len(payload) > P.ZALO_BUTTON_PAYLOAD_LIMIT:
        # A cut payload would mean something else; the title, sent as text, still reaches the NLU.
        log.warning("Zalo button payload longer than %d characters; the title is sent instead",
                    P.ZALO_BUTTON_PAYLOAD_LIMIT)
        payload = title
    return {"title": title, "type": P.ZALO_BUTTON_QUERY_SHOW, "payload": payload}


def build_messages(text: str, buttons: Sequence[Mapping[str, Any]] = ()) -> List[Dict[str, Any]]:
    """The ``message`` objects for one reply: the text split at the length limit, the buttons (at most
    ``ZALO_MAX_BUTTONS`` a message) on the last piece and, beyond that, on follow-up messages. Rasa's intent
    payloads become phrases a tap can post in the chat (:func:`connectors.zalo_buttons.button_payload`)."""
    zalo_buttons: List[Dict[str, str]] = []
    for b in buttons:
        title = str(b.get("title") or "")
        payload = str(b.get("payload") or title)
        if title or payload:
            zalo_buttons.append(query_button(title, button_payload(payload, title)))
    pieces = split_text(text, P.ZALO_TEXT_LIMIT)
    if not pieces and zalo_buttons:
        pieces = [T.ZALO_CHOOSE]
    messages: List[Dict[str, Any]] = [{"text": piece} for piece in pieces]
    groups = [zalo_buttons[i:i + P.ZALO_MAX_BUTTONS] for i in range(0, len(zalo_buttons), P.ZALO_MAX_BUTTONS)]
    for i, group in enumerate(groups):
        if i > 0:
            messages.append({"text": T.ZALO_MORE_CHOICES})
        messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": group}}
    return messages


class ZaloOAClient:
    """POSTs customer-service messages; refreshes the token on -216 and retries once."""

    def __init__(self, settings: ZaloApiSettings, session: aiohttp.ClientSession,
                 store: Optional[TokenStore] = None):
        self._settings = settings
        self._session = session
        self._store = store or TokenStore(settings.token_file,
                                          TokenPair(settings.access_token, settings.refresh_token))
        self._tokens = self._store.load()
        self._refresh_lock = asyncio.Lock()
        self._timeout = aiohttp.ClientTimeout(total=settings.timeout_s)

    async def send_message(self, user_id: str, message: Mapping[str, Any], reply_to: Optional[str] = None) -> str:
        """Send one ``message`` object to ``user_id`` as a reply to the user's ``reply_to`` message (so it is
        not billed as proactive); return Zalo's message id or raise :class:`ZaloApiError`."""
        recipient: Dict[str, str] = {"user_id": user_id}
        if reply_to:
            recipient["message_id"] = reply_to
        body = {"recipient": recipient, "message": dict(message)}
        token = self._tokens.access_token
        code, data = await self._post(body, token)
        if code == P.ZALO_ERROR_TOKEN_INVALID:
            await self.refresh(token)
            code, data = await self._post(body, self._tokens.access_token)
            if code == P.ZALO_ERROR_TOKEN_INVALID:
                raise ZaloAuthError("Zalo refused the freshly refreshed access token (-216)", code)
        if code == P.ZALO_ERROR_OK:
            return str((data.get("data") or {}).get("message_id") or "")
        # An error answer means the message was refused: retrying the same request cannot help.
        reason = P.ZALO_ERROR_REASONS.get(code) or str(data.get("message") or "")[:200]
        raise ZaloApiError(f"Zalo error {code}: {reason}", code)

    async def refresh(self, stale_token: str) -> None:
        """Exchange the refresh token for a new pair, unless another call already replaced ``stale_token``."""
        async with self._refresh_lock:
            if self._tokens.access_token != stale_token:
                return
            s = self._settings
            url = s.oauth_base.rstrip("/") + P.ZALO_TOKEN_PATH
            form = {"refresh_token": self._tokens.refresh_token, "app_id": s.app_id, "grant_type": "refresh_token"}
            try:
                async with self._session.post(url, data=form, headers={"secret_key": s.app_secret},
                                              timeout=self._timeout) as response:
                    status = response.status
                    data = await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                log.error("Zalo token refresh failed: %s", exc.__class__.__name__)
                raise ZaloAuthError(f"token refresh failed: {exc.__class__.__name__}") from None
            if not isinstance(data, dict) or not data.get("access_token"):
                code = data.get("error") if isinstance(data, dict) else None
                name = str(data.get("error_name") or data.get("message") or "") if isinstance(data, dict) else ""
                log.error("Zalo token refresh refused (HTTP %d, error %s %s)", status, code, name[:100])
                raise ZaloAuthError(f"token refresh refused: HTTP {status}, error {code} {name[:100]}".strip())
            pair = TokenPair(str(data["access_token"]), str(data.get("refresh_token") or self._tokens.refresh_token))
            expires = data.get("expires_in")
            self._store.save(pair, int(expires) if str(expires).isdigit() else None)
            self._tokens = pair
            log.info("Zalo access token refreshed and saved to %s", self._store.path)

    async def _post(self, body: Dict[str, Any], token: str) -> tuple:
        """``(error code, body)`` of the first readable answer; HTTP 5xx, 429, network errors and unreadable
        answers are retried, then raised as a transient :class:`ZaloApiError`."""
        s = self._settings
        url = s.api_base.rstrip("/") + P.ZALO_CS_MESSAGE_PATH
        problem = ""
        for attempt in range(1, s.attempts + 1):
            delay = s.retry_delay_s * 2 ** (attempt - 1)
            try:
                async with self._session.post(url, json=body, headers={"access_token": token},
                                              timeout=self._timeout) as response:
                    status = response.status
                    retry_after = response.headers.get("Retry-After", "")
                    try:
                        data = await response.json(content_type=None)
                    except ValueError:
                        data = None
                if isinstance(data, dict) and isinstance(data.get("error"), int) \
                        and (data["error"] == P.ZALO_ERROR_OK or status < 500 and status != 429):
                    return data["error"], data
                problem = f"HTTP {status}" + ("" if status >= 500 or status == 429 else ", unexpected answer")
                if status == 429 and retry_after.isdigit():
                    delay = min(float(retry_after), s.max_retry_after_s)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                problem = f"network error {exc.__class__.__name__}"
            log.warning("Zalo message/cs attempt %d/%d failed: %s", attempt, s.attempts, problem)
            if attempt < s.attempts:
                await asyncio.sleep(delay)
        raise ZaloApiError(f"Zalo API unavailable: {problem}", transient=True)
