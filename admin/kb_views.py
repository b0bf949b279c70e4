"""Knowledge-base pages: browse and search provisions, edit, add, retire, import a file, the change log."""
from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, TypeVar
from urllib.parse import urlencode

import yaml
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin.html import Html, csrf_field, join, options, render
from admin.keys import ENGINE, SEARCH
from admin.layout import page
from admin.notice_views import preview_card
from admin.provision_form import catalogue_choices, form_reasons, form_record, provision_form
from admin.roles import admin_only
from admin.sessions import User
from admin.vietnam_time import local_time
from knowledge import admin as kb_admin
from knowledge import notices
from knowledge.db import transaction
from knowledge.curated_files import FIELD_MEANINGS
from knowledge.errors import KbFileError, KnowledgeError, NotFound, Problem
from knowledge.importer import import_file
from knowledge.models import Document, Provision
from knowledge.provision_search import ProvisionSearch
from knowledge.text import fold

T = TypeVar("T")
MAX_LISTED = 100
# The change log in words (the stored action, entity and field names stay English).
CHANGE_ACTIONS = {"add": "Thêm", "edit": "Sửa", "retire": "Bỏ khỏi câu trả lời", "import": "Nhập tệp",
                  "add_alias": "Thêm tên gọi khác cho", "add_synonym": "Thêm từ đồng nghĩa",
                  "remove_synonym": "Xoá từ đồng nghĩa", "ingest": "Đọc kế hoạch mới", "accepted": "Nhận",
                  "rejected": "Bỏ", "reopen": "Mở lại", "merge": "Gộp", "split": "Tách", "publish": "Công bố",
                  "discard": "Hủy", "supersede": "Thay thế"}
CHANGE_ENTITIES = {"provision": "điều khoản", "document": "văn bản", "synonym": "", "locality": "địa phương",
                   "topic": "chủ đề", "group": "nhóm đối tượng", "draft_plan": "kế hoạch nháp",
                   "draft_item": "điều khoản nháp"}


def _html(body: Html, request: web.Request, title: str, status: int = 200, **kw: Any) -> web.Response:
    return web.Response(text=page(title, body, request["user"], **kw), status=status, content_type="text/html")




def list_provisions(engine: Engine, query: str, locality: Optional[str], status: Optional[str],
                    search: Optional[ProvisionSearch] = None) -> List[Dict[str, Any]]:
    """Provisions whose id, section or text contain ``query`` (diacritics optional), in document order,
    then those the assistant's own search finds for it ("ho can ngheo bhyt"), best first."""
    needle = fold(query.strip())
    stmt = (select(Provision, Document.locality_key).join(Document, Document.code == Provision.document_code)
            .order_by(Document.position, Provision.position))
    if locality:
        stmt = stmt.where(Document.locality_key == locality)
    if status:
        stmt = stmt.where(Provision.status == status)
    with transaction(engine) as session:
        rows = {row.id: {"id": row.id, "locality": loc, "section": row.section, "text": row.text,
                         "status": row.status, "kind": row.kind} for row, loc in session.execute(stmt).all()}
    if not needle:
        return list(rows.values())
    found = [r for r in rows.values() if needle in fold(f"{r['id']} {r['section']} {r['text']}")]
    if search is not None:
        seen = {r["id"] for r in found}
        found += [rows[h.id] for h in search.search(query, limit=MAX_LISTED) if h.id in rows and h.id not in seen]
    return found










def change_rows(changes: List[Dict[str, Any]]) -> Html:
    """The change log with, for each change, the fields that differ before and after."""
    if not changes:
        return Html("<p>Chưa có thay đổi.</p>")
    items = []
    for c in changes:
        before, after = c["before"] or {}, c["after"] or {}
        fields = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        diff = join(render("<tr><th>{f}</th><td>{b}</td><td>{a}</td></tr>", f=FIELD_MEANINGS.get(f, f),
                           b=_show(before.get(f)),
                           a=_show(after.get(f))) for f in fields)
        target = (render('<a href="/admin/kb/{eid}">{eid}</a>', eid=c["entity_id"]) if c["entity"] == "provision"
                  else render("{eid}", eid=c["entity_id"]))
        items.append(render("""<article class="card"><p><strong>{action}</strong> {entity}
{target} · {by} · <span class="muted">{at}</span></p>
<table><tr><th>Trường</th><th>Trước</th><th>Sau</th></tr>{diff}</table></article>""",
                            action=CHANGE_ACTIONS.get(c["action"], c["action"]),
                            entity=CHANGE_ENTITIES.get(c["entity"], c["entity"]), target=target, by=c["by"],
                            at=local_time(c["at"]), diff=diff))
    return join(items)


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, dict)):
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, sort_keys=False).strip()
    return str(value)


def _run(fn: Callable[..., T], *args: Any) -> Awaitable[T]:
    """``fn(*args)`` in a worker thread: the database calls block."""
    return asyncio.to_thread(fn, *args)


async def browse(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    q = request.query.get("q", "")
    locality, status = request.query.get("locality") or None, request.query.get("status") or None
    cat = await _run(catalogue_choices, engine)
    try:
        page_number = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page_number = 1
    found = await _run(list_provisions, engine, q, locality, status, request.app[SEARCH])
    rows = found[(page_number - 1) * MAX_LISTED: page_number * MAX_LISTED]
    pages = Html("")
    if len(found) > MAX_LISTED:
        def link(n: int) -> Html:
            return render('<a href="/admin/kb?{qs}">{n}</a>', n=n, qs=urlencode(
                {k: v for k, v in (("q", q), ("locality", locality or ""), ("status", status or ""),
                                   ("page", str(n))) if v}))
        pages = render('<p class="pages">Trang: {links}</p>', links=join(
            (render("<strong>{n}</strong>", n=n) if n == page_number else link(n))
            for n in range(1, (len(found) - 1) // MAX_LISTED + 2)))
    table = join(render("""<tr><td><a href="/admin/kb/{id}">{id}</a>{badge}</td><td>{loc}</td>
<td>{section}</td><td>{text}</td></tr>""", id=r["id"], loc=dict(cat["localities"]).get(r["locality"], r["locality"]),
                        section=r["section"], text=_clip(r["text"], 180),
                        badge=render(' <span class="badge retired">đã bỏ</span>') if r["status"] == "retired"
                        else Html("")) for r in rows)
    body = render("""<form method="get" action="/admin/kb" class="card filters">
<label>Tìm (có dấu hoặc không dấu)<input name="q" value="{q}" type="search"></label>
<label>Địa phương<select name="locality"><option value="">Tất cả</option>{locs}</select></label>
<label>Trạng thái<select name="status"><option value="">Tất cả</option>{statuses}</select></label>
<button type="submit">Tìm</button></form>
<p class="muted">{n} điều khoản</p>{pages}
<table><tr><th>Mã</th><th>Địa phương</th><th>Mục</th><th>Nội dung</th></tr>{rows}</table>""",
                  q=q, locs=options(cat["localities"], locality),
                  statuses=options([("active", "đang dùng"), ("retired", "đã bỏ")], status), n=len(found),
                  pages=pages, rows=table)
    return _html(body, request, "Cơ sở tri thức")


async def _provision_page(request: web.Request, record: Optional[Dict[str, Any]] = None,
                          error: Optional[str] = None, flash: Optional[str] = None, status: int = 200,
                          notice: Optional[Html] = None) -> web.Response:
    """One provision: its form (``record`` when a submitted one is shown again), retire form and history."""
    engine = request.app[ENGINE]
    pid = request.match_info["pid"]
    try:
        stored = await _run(kb_admin.show_provision, engine, pid)
    except NotFound:
        raise web.HTTPNotFound(text="Không có điều khoản này.")
    user: User = request["user"]
    cat = await _run(catalogue_choices, engine)
    changes = await _run(kb_admin.change_log, engine, 20, pid)
    retire = Html("")
    if user.is_admin and stored.get("status") != "retired":
        retire = render("""<form method="post" action="/admin/kb/{pid}/retire" class="card">{csrf}
<label>Lý do bỏ điều khoản (không bắt buộc)<input name="reason"></label>
<button type="submit" class="danger">Bỏ điều khoản khỏi câu trả lời</button></form>""",
                        pid=pid, csrf=csrf_field(user.csrf_token))
    body = render("""<p><span class="badge">{doc}</span> <span class="badge">{loc}</span> {status}</p>
{notice}{form}{retire}<h2>Lịch sử thay đổi</h2>{changes}""", notice=notice or Html(""),
                  doc=stored["document_code"], loc=dict(cat["localities"]).get(stored["locality"]),
                  status=render('<span class="badge retired">đã bỏ</span>') if stored.get("status") == "retired"
                  else Html(""),
                  form=provision_form(record or stored, cat, user, f"/admin/kb/{pid}", "Lưu thay đổi"),
                  retire=retire, changes=change_rows(changes))
    return _html(body, request, f"Điều khoản {pid}", status=status, error=error, flash=flash)


async def show(request: web.Request) -> web.Response:
    return await _provision_page(request)


@admin_only
async def edit(request: web.Request) -> web.Response:
    engine = request.app[ENGINE]
    pid = request.match_info["pid"]
    form = await request.post()
    record = None
    try:
        record = form_record(form)
        if form.get("preview"):
            text = await _run(notices.preview, engine, {**record, "id": pid})
            return await _provision_page(request, record, notice=preview_card(text),
                                         flash="Chưa lưu: đây là bản xem trước thông báo.")
        await _run(kb_admin.edit_provision, engine, pid, record, request["user"].name)
    except NotFound:
        raise web.HTTPNotFound(text="Không có điều khoản này.")
    except KnowledgeError as exc:
        return await _provision_page(request, record, error=f"Chưa lưu: {form_reasons(exc)}", status=400)
    return await _provision_page(request, flash="Đã lưu. Câu trả lời của trợ lý dùng nội dung mới ngay.")


@admin_only
async def retire(request: web.Request) -> web.Response:
    pid = request.match_info["pid"]
    form = await request.post()
    try:
        await _run(kb_admin.retire_provision, request.app[ENGINE], pid, request["user"].name,
                   str(form.get("reason") or "") or None)
    except NotFound:
        raise web.HTTPNotFound(text="Không có điều khoản này.")
    except KnowledgeError as exc:
        return await _provision_page(request, error=str(exc), status=400)
    return await _provision_page(request, flash="Đã bỏ điều khoản; trợ lý không dùng nó nữa.")


async def _new_form(request: web.Request, record: Dict[str, Any], document: str, error: Optional[str] = None,
                    status: int = 200) -> web.Response:
    cat = await _run(catalogue_choices, request.app[ENGINE])
    body = provision_form(record, cat, request["user"], "/admin/kb/new", "Thêm điều khoản", document=document)
    return _html(body, request, "Thêm điều khoản", status=status, error=error)


@admin_only
async def new(request: web.Request) -> web.Response:
    return await _new_form(request, {"kind": "benefit"}, "")


@admin_only
async def create(request: web.Request) -> web.Response:
    form = await request.post()
    document = str(form.get("document") or "")
    record: Dict[str, Any] = {}
    try:
        record = form_record(form)
        pid = await _run(kb_admin.add_provision, request.app[ENGINE], document, record, request["user"].name)
    except KnowledgeError as exc:
        return await _new_form(request, record, document, error=f"Chưa thêm: {form_reasons(exc)}", status=400)
    raise web.HTTPSeeOther(f"/admin/kb/{pid}")


def _import_page(request: web.Request, error: Optional[str] = None, flash: Optional[str] = None,
                 status: int = 200) -> web.Response:
    body = render("""<form method="post" action="/admin/kb/import" enctype="multipart/form-data" class="card">{csrf}
<p>Tệp YAML theo định dạng của <code>knowledge/data/FORMAT.md</code>. Tệp được kiểm tra trước; có lỗi thì
không thay đổi gì.</p>
<label>Tệp<input type="file" name="file" accept=".yaml,.yml" required></label>
<button type="submit">Nhập</button></form>""", csrf=csrf_field(request["user"].csrf_token))
    return _html(body, request, "Nhập tệp", status=status, error=error, flash=flash)


@admin_only
async def import_form(request: web.Request) -> web.Response:
    return _import_page(request)


@admin_only
async def import_upload(request: web.Request) -> web.Response:
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        return _import_page(request, error="Chưa chọn tệp.", status=400)
    name = Path(upload.filename or "upload.yaml").name
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(upload.file.read())
        try:
            report = await _run(import_file, request.app[ENGINE], path, request["user"].name)
        except KbFileError as exc:
            # Named as the admin knows the file: the server's temporary folder is nobody's business.
            lines = "\n".join(str(Problem(name, p.line, p.reason)) for p in exc.problems)
            return _import_page(request, error=f"Không nhập gì cả. Lỗi trong tệp:\n{lines}", status=400)
        except KnowledgeError as exc:
            return _import_page(request, error=f"Không nhập gì cả: {exc}", status=400)
    counts = report.as_dict()
    summary = (f"{counts['created']} mục mới, {counts['updated']} mục được cập nhật, "
               f"{counts['unchanged']} mục không đổi.")
    return _import_page(request, flash=f"Đã nhập {name}: {summary}")


async def changes(request: web.Request) -> web.Response:
    entity = request.query.get("id") or None
    rows = await _run(kb_admin.change_log, request.app[ENGINE], 100, entity)
    return _html(change_rows(rows), request, "Nhật ký thay đổi")




def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["list_provisions"]
