"""The synonym table page: the words residents use and the plans' words they are read as.
Everyone signed in reads it; admins add and remove entries, live on the next question."""
from __future__ import annotations

import asyncio
from typing import Optional

from aiohttp import web

from admin.html import Html, csrf_field, join, render
from admin.keys import ENGINE
from admin.layout import page
from admin.roles import admin_only
from admin.sessions import User
from knowledge import synonyms
from knowledge.errors import KnowledgeError

PATH = "/admin/kb/synonyms"


async def _page(request: web.Request, error: Optional[str] = None, flash: Optional[str] = None,
                status: int = 200) -> web.Response:
    user: User = request["user"]
    rows = await asyncio.to_thread(synonyms.list_synonyms, request.app[ENGINE])
    csrf = csrf_field(user.csrf_token)
    remove = (lambda phrase: render('<form method="post" action="{p}/remove" class="inline">{csrf}'
                                    '<input type="hidden" name="phrase" value="{ph}">'
                                    '<button type="submit" class="danger">Bỏ</button></form>',
                                    p=PATH, csrf=csrf, ph=phrase)) if user.is_admin else (lambda _p: Html(""))
    table = join(render("<tr><td>{phrase}</td><td>{means}</td><td>{remove}</td></tr>",
                        phrase=r["phrase"], means=r["means"], remove=remove(r["phrase"])) for r in rows)
    add = Html("")
    if user.is_admin:
        add = render("""<form method="post" action="{p}" class="card">{csrf}
<p>Trợ lý đọc cách nói của người dân như từ của kế hoạch, cả khi tìm kiếm lẫn khi hiểu câu hỏi;
thay đổi có hiệu lực ngay ở câu hỏi tiếp theo, không cần huấn luyện lại.</p>
<label>Người dân nói<input name="phrase" required maxlength="200" placeholder="cấp 3"></label>
<label>Kế hoạch viết<input name="means" required maxlength="200" placeholder="trung học phổ thông"></label>
<button type="submit">Thêm</button></form>""", p=PATH, csrf=csrf)
    body = render("""{add}<p class="muted">{n} cách nói</p>
<table><tr><th>Người dân nói</th><th>Kế hoạch viết</th><th></th></tr>{rows}</table>""",
                  add=add, n=len(rows), rows=table)
    return web.Response(text=page("Từ đồng nghĩa", body, user, flash=flash, error=error), status=status,
                        content_type="text/html")


async def show(request: web.Request) -> web.Response:
    return await _page(request)


@admin_only
async def add(request: web.Request) -> web.Response:
    form = await request.post()
    phrase, means = str(form.get("phrase") or ""), str(form.get("means") or "")
    try:
        await asyncio.to_thread(synonyms.add_synonym, request.app[ENGINE], phrase, means, request["user"].name)
    except KnowledgeError as exc:
        return await _page(request, error=f"Chưa thêm: {exc}", status=400)
    return await _page(request, flash=f"Đã thêm: «{phrase.strip()}» được đọc là «{means.strip()}».")


@admin_only
async def remove(request: web.Request) -> web.Response:
    form = await request.post()
    phrase = str(form.get("phrase") or "")
    try:
        await asyncio.to_thread(synonyms.remove_synonym, request.app[ENGINE], phrase, request["user"].name)
    except KnowledgeError as exc:
        return await _page(request, error=f"Chưa bỏ: {exc}", status=400)
    return await _page(request, flash=f"Đã bỏ «{phrase.strip()}».")


__all__ = ["PATH"]
