"""Who may use the admin web: sessions checked on every request (with its CSRF token), the login and
logout pages, and the security headers every response carries."""
from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin import sessions
from admin.html import render
from admin.layout import page
from admin.passwords import verify_password
from admin.roles import Handler
from admin.sessions import LoginThrottle
from knowledge.db import transaction
from knowledge.ingest.read import MAX_BYTES
from knowledge.models import Account

# A plan file may be 20 MB (knowledge.ingest.read.MAX_BYTES); the form around it needs a little more.
MAX_BODY = MAX_BYTES + 1024 ** 2
COOKIE = "admin_session"
LOGIN_COOKIE = "admin_login_csrf"

_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class AdminSettings:
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    secure_cookies: bool = False  # set behind HTTPS
    max_failed_logins: int = 5  # password checks per name and address within the window
    failed_login_window_s: float = 900.0
    failed_login_delay_s: float = 0.5  # each failure waits this long, doubling up to 8 s
    intents: Tuple[str, ...] = field(default_factory=tuple)  # for turning questions into training examples


def _public(request: web.Request) -> bool:
    return request.path in ("/admin/login",) or request.path.startswith("/admin/static/")


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """On every response, those raised as exceptions (redirects, 401, 403, 404) included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        for name, value in _HEADERS.items():
            exc.headers.setdefault(name, value)
        raise
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def auth_middleware(engine: Engine) -> Callable:
    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _public(request):
            return await handler(request)
        user = await asyncio.to_thread(sessions.user_of, engine, request.cookies.get(COOKIE))
        if user is None:
            if request.method == "GET" and not request.path.startswith("/admin/api/"):
                raise web.HTTPSeeOther(f"/admin/login?next={quote(request.path_qs, safe='')}")
            raise web.HTTPUnauthorized(text="Cần đăng nhập.")
        request["user"] = user
        if request.method not in ("GET", "HEAD"):
            try:
                form = await request.post()
            except web.HTTPRequestEntityTooLarge as exc:
                raise web.HTTPRequestEntityTooLarge(
                    MAX_BODY, int(request.content_length or 0),
                    text=f"Tệp hoặc nội dung gửi lên quá lớn (tối đa {MAX_BYTES // 1024 ** 2} MB); không có gì "
                         "thay đổi.") from exc
            sent = form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
            if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf_token):
                raise web.HTTPForbidden(text="Phiên làm việc không hợp lệ (thiếu mã CSRF). Hãy tải lại trang.")
        return await handler(request)

    return check


class LoginPages:
    """GET/POST /admin/login and POST /admin/logout."""

    def __init__(self, engine: Engine, settings: AdminSettings):
        self._engine = engine
        self._settings = settings
        self._throttle = LoginThrottle(engine, settings.max_failed_logins, settings.failed_login_window_s)

    def _form(self, token: str, next_url: str, error: Optional[str] = None, status: int = 200) -> web.Response:
        body = render("""<form method="post" action="/admin/login" class="card narrow">
<input type="hidden" name="csrf" value="{token}"><input type="hidden" name="next" value="{next}">
<label>Tên đăng nhập<input name="name" autocomplete="username" required></label>
<label>Mật khẩu<input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Đăng nhập</button></form>""", token=token, next=next_url)
        response = web.Response(text=page("Đăng nhập", body, error=error), status=status, content_type="text/html")
        response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", path="/admin",
                            secure=self._settings.secure_cookies)
        return response

    async def show(self, request: web.Request) -> web.Response:
        return self._form(_login_token(request), _safe_next(request.query.get("next")))

    async def submit(self, request: web.Request) -> web.Response:
        form = await request.post()
        name, password = str(form.get("name") or "").strip(), str(form.get("password") or "")
        next_url = _safe_next(str(form.get("next") or ""))
        expected, sent = request.cookies.get(LOGIN_COOKIE, ""), str(form.get("csrf") or "")
        if not expected or not hmac.compare_digest(expected, sent):
            raise web.HTTPForbidden(text="Phiên đăng nhập không hợp lệ (thiếu mã CSRF). Hãy tải lại trang.")
        key = LoginThrottle.key(name, request.remote)
        # Counted before the password is checked, so parallel requests cannot check more than allowed.
        allowed, attempts, wait = await asyncio.to_thread(self._throttle.attempt, key)
        if not allowed:
            minutes = max(1, round(wait / 60))
            return self._form(_login_token(request), next_url, status=429,
                              error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {minutes} phút.")
        account = await asyncio.to_thread(_account, self._engine, name)
        ok = await asyncio.to_thread(verify_password, account[1] if account else None, password)
        if not ok:
            await asyncio.sleep(min(8.0, self._settings.failed_login_delay_s * 2 ** (attempts - 1)))
            return self._form(_login_token(request), next_url, status=401,
                              error="Tên đăng nhập hoặc mật khẩu không đúng.")
        await asyncio.to_thread(self._throttle.succeeded, key)
        token = await asyncio.to_thread(sessions.start, self._engine, account[0], self._settings.session_lifetime)
        response = web.HTTPSeeOther(next_url)
        response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/admin",
                            secure=self._settings.secure_cookies,
                            max_age=int(self._settings.session_lifetime.total_seconds()))
        response.del_cookie(LOGIN_COOKIE, path="/admin")
        raise response

    async def logout(self, request: web.Request) -> web.Response:
        await asyncio.to_thread(sessions.end, self._engine, request.cookies.get(COOKIE))
        response = web.HTTPSeeOther("/admin/login")
        response.del_cookie(COOKIE, path="/admin")
        raise response


def _account(engine: Engine, name: str) -> Optional[Tuple[int, Optional[str]]]:
    with transaction(engine) as session:
        row = session.execute(select(Account).where(Account.name == name)).scalar_one_or_none()
        return None if row is None else (row.id, row.password_hash)


def _login_token(request: web.Request) -> str:
    """The login form's CSRF token: the one this browser holds already (several tabs agree), else a new one."""
    held = request.cookies.get(LOGIN_COOKIE, "")
    return held if 20 <= len(held) <= 64 else secrets.token_urlsafe(24)


def _safe_next(value: Optional[str]) -> str:
    """Only a path of this site after login (never another host)."""
    if value and value.startswith("/admin") and not value.startswith("//"):
        return value
    return "/admin/"
