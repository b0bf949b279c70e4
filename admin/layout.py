"""The page frame shared by the admin pages: Vietnamese, one column, usable on a phone."""
from __future__ import annotations

from typing import Optional

from admin.html import Html, csrf_field, join, render
from admin.sessions import User

NAV = (("/admin/", "Tổng quan", False), ("/admin/queue", "Câu hỏi chờ", False),
       ("/admin/kb", "Cơ sở tri thức", False), ("/admin/kb/synonyms", "Từ đồng nghĩa", False),
       ("/admin/changes", "Nhật ký thay đổi", False),
       ("/admin/plans", "Nhập kế hoạch mới", False), ("/admin/notices", "Thông báo", False),
       ("/admin/kb/new", "Thêm điều khoản", True), ("/admin/kb/import", "Nhập tệp", True))

_FRAME = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Quản trị trợ lý chính sách</title>
<link rel="stylesheet" href="/admin/static/admin.css">
</head>
<body>
<header><span class="brand">Quản trị trợ lý chính sách</span>{nav}</header>
<main>
{flash}<h1>{title}</h1>
{body}
</main>
{scripts}
</body>
</html>
"""


def page(title: str, body: Html, user: Optional[User] = None, flash: Optional[str] = None,
         error: Optional[str] = None, scripts: tuple = ()) -> Html:
    nav = Html("")
    if user is not None:
        links = join(render('<a href="{href}">{label}</a>', href=href, label=label)
                     for href, label, admin_only in NAV if user.is_admin or not admin_only)
        who = render('<span class="who">{name} ({role})</span>', name=user.name,
                     role="quản trị" if user.is_admin else "cán bộ")
        logout = render('<form method="post" action="/admin/logout" class="inline">{csrf}'
                        '<button type="submit">Đăng xuất</button></form>', csrf=csrf_field(user.csrf_token))
        nav = render('<nav>{links}{who}{logout}</nav>', links=links, who=who, logout=logout)
    notes = Html("")
    if flash:
        notes = render('<p class="flash" role="status">{m}</p>', m=flash)
    if error:
        notes = Html(notes + render('<p class="error" role="alert">{m}</p>', m=error))
    tags = join(render('<script src="{src}" defer></script>', src=src) for src in scripts)
    return render(_FRAME, title=title, nav=nav, flash=notes, body=body, scripts=tags)


def message_page(title: str, text: str, user: Optional[User] = None) -> Html:
    return page(title, render("<p>{t}</p>", t=text), user)
