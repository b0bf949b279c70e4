"""Roles: what staff accounts may not do."""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import web

from admin.layout import message_page
from admin.sessions import User

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def admin_only(handler: Handler) -> Handler:
    """Refuse staff accounts (403): knowledge-base changes are for admins."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        user: User = request["user"]
        if not user.is_admin:
            return web.Response(text=message_page("Không có quyền", "Trang này chỉ dành cho quản trị viên.", user),
                                status=403, content_type="text/html")
        return await handler(request)

    wrapped.__name__ = handler.__name__
    return wrapped
