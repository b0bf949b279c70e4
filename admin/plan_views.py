""""Nhập kế hoạch mới": upload a plan (.docx, .pdf, text) or paste it, review each proposed provision
beside the passage it was read from, then publish the plan all or nothing. Staff read; admins act."""
from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any, Dict, List, Optional

from aiohttp import web
from sqlalchemy.engine import Engine

from admin.html import Html, csrf_field, join, options, render
from admin.provision_form import catalogue_choices, checkboxes, form_reasons, form_record, provision_form
from admin.keys import ENGINE
from admin.layout import page
from admin.notice_views import plan_preview, preview_card
from admin.roles import admin_only
from admin.sessions import User
from admin.vietnam_time import local_time
from knowledge import drafts, localities
from knowledge.curated_files import DOCUMENT_STATUS_LABELS, KIND_LABELS
from knowledge.errors import KnowledgeError, NotFound
from knowledge.ingest.read import MAX_BYTES

PATH = "/admin/plans"
TITLE = "Nhập kế hoạch mới"
_CONFIDENT = 0.75  # readings below this are marked for a second look
_DOCUMENT_LABELS = {
    "code": "Số hiệu", "title": "Tên văn bản", "issuer": "Cơ quan ban hành", "locality": "Địa phương",
    "issued_on": "Ngày ban hành (NĂM-THÁNG-NGÀY)", "date_label": "Ngày ban hành như văn bản ghi",
    "period_start": "Năm bắt đầu", "period_end": "Năm kết thúc", "status": "Tình trạng",
    "contact": "Nơi người dân hỏi thêm", "note": "Ghi chú cho người dân (không bắt buộc)",
}


def _html(request: web.Request, body: Html, title: str, status: int = 200, **kw: Any) -> web.Response:
    return web.Response(text=page(title, body, request["user"], **kw), status=status, content_type="text/html")


def _plan_id(request: web.Request) -> int:
    try:
        return int(request.match_info["plan"])
    except ValueError:
        raise web.HTTPNotFound(text="Không có bản nháp này.") from None


async def _record(request: web.Request) -> Dict[str, Any]:
    try:
        return await asyncio.to_thread(drafts.plan_record, request.app[ENGINE], _plan_id(request))
    except NotFound:
        raise web.HTTPNotFound(text="Không có bản nháp này.") from None


def _counts(counts: Dict[str, int]) -> str:
    return ", ".join(f"{counts[d]} {drafts.DECISION_LABELS[d]}" for d in drafts.DECISIONS)


# ---- list and upload ----------------------------------------------------------------------------

async def _list_page(request: web.Request, error: Optional[str] = None, status: int = 200) -> web.Response:
    user: User = request["user"]
    engine = request.app[ENGINE]
    plans = await asyncio.to_thread(drafts.list_plans, engine)
    cat = await asyncio.to_thread(catalogue_choices, engine)
    upload = Html("")
    if user.is_admin:
        upload = render("""<form method="post" action="{p}" enctype="multipart/form-data" class="card">{csrf}
<p>Tải lên kế hoạch dạng Word (.docx), PDF có chữ (không phải bản quét) hoặc văn bản; hoặc dán nội dung vào ô
bên dưới. Trợ lý tách kế hoạch thành các điều khoản nháp để bạn duyệt; người dân chưa thấy gì cho đến khi
bạn công bố.</p>
<label>Tệp kế hoạch<input type="file" name="file" accept=".docx,.pdf,.txt"></label>
<label>Hoặc dán nội dung kế hoạch<textarea name="text" rows="6"></textarea></label>
<div class="filters">
<label>Số hiệu (nếu văn bản không ghi)<input name="document_code" maxlength="80"></label>
<label>Địa phương<select name="locality"><option value="">Tự nhận biết</option>{locs}</select></label>
<label>Tình trạng<select name="status"><option value="">Tự nhận biết</option>{statuses}</select></label>
</div>
<button type="submit">Đọc kế hoạch</button></form>""", p=PATH, csrf=csrf_field(user.csrf_token),
                        locs=options(cat["localities"], None),
                        statuses=options(DOCUMENT_STATUS_LABELS.items(), None))
    rows = join(render("""<tr><td><a href="{p}/{id}">{title}</a><br><span class="muted">{code} · {file}</span></td>
<td>{state}</td><td>{counts}</td><td>{by}<br><span class="muted">{at}</span></td></tr>""",
                       p=PATH, id=p["id"], title=p["title"] or p["filename"], code=p["code"] or "chưa có số hiệu",
                       file=p["filename"], state=drafts.PLAN_STATE_LABELS[p["state"]], counts=_counts(p["counts"]),
                       by=p["created_by"], at=local_time(p["created_at"])) for p in plans)
    listing = (render("""<table><tr><th>Kế hoạch</th><th>Tình trạng</th><th>Điều khoản</th><th>Người nhập</th></tr>
{rows}</table>""", rows=rows) if plans else Html('<p class="muted">Chưa có kế hoạch nào được nhập.</p>'))
    return _html(request, Html(upload + listing), TITLE, status=status, error=error)


async def show_list(request: web.Request) -> web.Response:
    return await _list_page(request)


@admin_only
async def upload(request: web.Request) -> web.Response:
    form = await request.post()  # a body over the limit was refused, in Vietnamese, by the CSRF check
    overrides = {k: str(form.get(k) or "").strip() for k in ("document_code", "locality", "status")}
    file = form.get("file")
    pasted = str(form.get("text") or "")
    engine, by = request.app[ENGINE], request["user"].name
    try:
        if isinstance(file, web.FileField) and file.filename:
            data = file.file.read(MAX_BYTES + 1)
            result = await asyncio.to_thread(drafts.ingest, engine, data, file.filename, by, overrides)
        elif pasted.strip():
            result = await asyncio.to_thread(drafts.ingest_text, engine, pasted, by, overrides)
        else:
            return await _list_page(request, error="Hãy chọn tệp kế hoạch hoặc dán nội dung kế hoạch.", status=400)
    except KnowledgeError as exc:
        return await _list_page(request, error=f"Chưa đọc được kế hoạch: {exc} Không có gì thay đổi.", status=400)
    raise web.HTTPSeeOther(f"{PATH}/{result.plan_id}")


# ---- one plan -------------------------------------------------------------------------------------

def _document_form(record: Dict[str, Any], cat: Dict[str, List], user: User) -> Html:
    doc = record["document"]
    ro = not user.is_admin or record["state"] != "review"
    dis = Html(" disabled") if ro else Html("")
    low = {k for k, v in record["confidence"].items() if v < _CONFIDENT}

    def field(name: str) -> Html:
        mark = Html(' <span class="badge handoff">cần xem lại</span>') if name in low else Html("")
        if name == "locality":
            return render('<label>{l}{m}<select name="locality"{d}><option value="">—</option>{o}</select></label>',
                          l=_DOCUMENT_LABELS[name], m=mark, d=dis, o=options(cat["localities"], doc.get(name)))
        if name == "status":
            return render('<label>{l}{m}<select name="status"{d}>{o}</select></label>', l=_DOCUMENT_LABELS[name],
                          m=mark, d=dis, o=options(DOCUMENT_STATUS_LABELS.items(), doc.get(name)))
        return render('<label>{l}{m}<input name="{n}" value="{v}"{d}></label>', l=_DOCUMENT_LABELS[name], m=mark,
                      n=name, v="" if doc.get(name) is None else doc.get(name), d=dis)

    button = Html("") if ro else Html('<button type="submit">Lưu thông tin văn bản</button>')
    replaced = render("""<label>Kế hoạch này thay thế văn bản (mỗi dòng một số hiệu, cùng địa phương)
<textarea name="supersedes" rows="2"{d}>{codes}</textarea></label>
<fieldset><legend>… cho các chủ đề (không chọn: mọi chủ đề)</legend>{topics}</fieldset>""",
                      d=dis, codes="\n".join(doc.get("supersedes") or []),
                      topics=checkboxes("supersedes_topics", cat["topics"], doc.get("supersedes_topics") or [], ro))
    return render("""<form method="post" action="{p}/{id}/document" class="card">{csrf}<h2>Thông tin văn bản</h2>
{fields}{replaced}{button}</form>""", p=PATH, id=record["id"], csrf=csrf_field(user.csrf_token),
                  fields=join(field(n) for n in _DOCUMENT_LABELS), replaced=replaced, button=button)


def _item_row(record: Dict[str, Any], item: Dict[str, Any], number: int, user: User) -> Html:
    low = [k for k, v in item["confidence"].items() if v < _CONFIDENT]
    review = record["state"] == "review" and user.is_admin
    buttons = Html("")
    if review:
        buttons = render("""<form method="post" action="{p}/{plan}/decide" class="inline">{csrf}
<input type="hidden" name="item" value="{id}">
<button type="submit" name="decision" value="accepted">Nhận</button>
<button type="submit" name="decision" value="rejected" class="danger">Bỏ</button></form>""",
                         p=PATH, plan=record["id"], id=item["id"], csrf=csrf_field(user.csrf_token))
    tags = ", ".join(item["topics"] + item["groups"]) or "chưa gắn chủ đề"
    figures = "; ".join(f"{n['value']} {n['unit']}".strip() for n in item["numbers"])
    return render("""<article class="card draft {decision}" id="item-{id}">
<p><strong>{n}.</strong> Mục {section} · {kind} · <span class="badge">{decided}</span>{low}</p>
<div class="pair"><div><p class="muted">Trong văn bản</p><pre>{source}</pre></div>
<div><p class="muted">Điều khoản nháp</p><p>{text}</p><p class="muted">{tags}{figures}{refs}</p></div></div>
<p>{buttons} <a href="{p}/{plan}/items/{id}">{edit}</a></p></article>""",
                  decision=item["decision"], id=item["id"], n=number, section=item["section"],
                  kind=KIND_LABELS.get(item["kind"], item["kind"]), decided=drafts.DECISION_LABELS[item["decision"]],
                  low=render(' <span class="badge handoff">cần xem lại: {f}</span>', f=", ".join(low)) if low
                  else Html(""), source=item["source"], text=item["text"], tags=tags,
                  figures=f" · số liệu: {figures}" if figures else "",
                  refs=f" · văn bản: {'; '.join(item['legal_refs'])}" if item["legal_refs"] else "",
                  buttons=buttons, p=PATH, plan=record["id"],
                  edit="Sửa, tách hoặc gộp" if review else "Xem chi tiết")


async def _plan_page(request: web.Request, error: Optional[str] = None, flash: Optional[str] = None,
                     status: int = 200) -> web.Response:
    user: User = request["user"]
    record = await _record(request)
    cat = await asyncio.to_thread(catalogue_choices, request.app[ENGINE])
    notes = join(render("<li>{n}</li>", n=n) for n in record["notes"])
    actions = Html("")
    if user.is_admin and record["state"] == "review":
        csrf = csrf_field(user.csrf_token)
        actions = render("""<div class="actions">
<form method="post" action="{p}/{id}/decide">{csrf}<input type="hidden" name="all" value="1">
<button type="submit" name="decision" value="accepted" class="secondary">Nhận mọi điều khoản chưa duyệt</button></form>
<form method="post" action="{p}/{id}/publish">{csrf}<p class="muted">Công bố ghi mọi điều khoản đã nhận vào cơ sở
tri thức cùng lúc; có lỗi thì không ghi gì.</p><button type="submit">Công bố kế hoạch</button></form>
<form method="post" action="{p}/{id}/discard">{csrf}<button type="submit" class="danger">Hủy bản nháp</button></form>
</div>""", p=PATH, id=record["id"], csrf=csrf)
    if user.is_admin and record["state"] == "review" and not record["document"].get("locality"):
        actions = join([_new_locality_form(record, user), actions])
    if record["state"] == "review":  # what publishing would tell the plan's subscribers
        actions = join([actions, preview_card(await asyncio.to_thread(plan_preview, request.app[ENGINE], record))])
    state = drafts.PLAN_STATE_LABELS[record["state"]]
    if record["state"] == "published":
        state += f" bởi {record['published_by']} lúc {local_time(record['published_at'])}"
    body = render("""<p><span class="badge">{state}</span> {file} · nhập bởi {by} lúc {at} · {counts}</p>
{notes}{document}{actions}<h2>Điều khoản nháp</h2>{items}""",
                  state=state, file=record["filename"], by=record["created_by"], at=local_time(record["created_at"]),
                  counts=_counts(record["counts"]),
                  notes=render('<ul class="card">{n}</ul>', n=notes) if record["notes"] else Html(""),
                  document=_document_form(record, cat, user), actions=actions,
                  items=join(_item_row(record, item, n, user) for n, item in enumerate(record["items"], 1)))
    return _html(request, body, record["document"].get("title") or TITLE, status=status, error=error, flash=flash)


_UNCOVERED = re.compile(r"Địa phương «([^»]+)» chưa có trong danh mục")


def _new_locality_form(record: Dict[str, Any], user: User) -> Html:
    """For a plan whose place no locality covers: add it from the gazetteer and give it to the plan."""
    named = next((m.group(1) for m in map(_UNCOVERED.search, record["notes"]) if m), "")
    return render("""<form method="post" action="{p}/{id}/locality" class="card">{csrf}
<h2>Địa phương mới</h2><p>Kế hoạch chưa gắn với địa phương nào trong danh mục. Nếu nơi ban hành chưa có, hãy thêm
tỉnh, thành phố hoặc huyện (tên cũ hay mới) theo danh mục hành chính.</p>
<label>Tên địa phương<input name="place" value="{named}" required></label>
<button type="submit" class="secondary">Thêm vào danh mục và gắn cho kế hoạch</button></form>""",
                  p=PATH, id=record["id"], csrf=csrf_field(user.csrf_token), named=named)


@admin_only
async def add_locality(request: web.Request) -> web.Response:
    form = await request.post()
    engine, by, plan_id = request.app[ENGINE], request["user"].name, _plan_id(request)
    place = str(form.get("place") or "").strip()

    try:
        new = await asyncio.to_thread(localities.add_for_plan, engine, plan_id, place, by)
    except NotFound:
        raise web.HTTPNotFound(text="Không có bản nháp này.") from None
    except KnowledgeError as exc:
        return await _plan_page(request, error=f"Chưa thực hiện: {form_reasons(exc)}", status=400)
    return await _plan_page(request, flash=f"Đã thêm {new.name} (mã {new.key}) vào danh mục và gắn cho kế hoạch.")


async def show_plan(request: web.Request) -> web.Response:
    return await _plan_page(request)


async def _act(request: web.Request, action: Any, flash: str) -> web.Response:
    """Run a draft change; show the plan with what happened."""
    try:
        await asyncio.to_thread(action)
    except NotFound:
        raise web.HTTPNotFound(text="Không có bản nháp này.") from None
    except KnowledgeError as exc:
        return await _plan_page(request, error=f"Chưa thực hiện: {form_reasons(exc)}", status=400)
    return await _plan_page(request, flash=flash)


@admin_only
async def decide(request: web.Request) -> web.Response:
    form = await request.post()
    engine, by, plan_id = request.app[ENGINE], request["user"].name, _plan_id(request)
    decision = str(form.get("decision") or "")
    if form.get("all"):
        return await _act(request, lambda: drafts.decide_all_pending(engine, plan_id, decision, by),
                          "Đã nhận mọi điều khoản chưa duyệt.")
    try:
        ids = [int(v) for v in form.getall("item", [])]
    except ValueError:
        raise web.HTTPBadRequest(text="Điều khoản không hợp lệ.") from None
    label = drafts.DECISION_LABELS.get(decision, decision)
    return await _act(request, lambda: _decide_in_plan(engine, plan_id, ids, decision, by),
                      f"Đã ghi: {label} {len(ids)} điều khoản.")


def _decide_in_plan(engine: Engine, plan_id: int, ids: List[int], decision: str, by: str) -> None:
    ours = {i["id"] for i in drafts.plan_record(engine, plan_id)["items"]}
    if not set(ids) <= ours:
        raise NotFound("Điều khoản không thuộc bản nháp này.")
    drafts.decide(engine, ids, decision, by)


@admin_only
async def edit_document(request: web.Request) -> web.Response:
    form = await request.post()
    changes: Dict[str, Any] = {k: str(form.get(k) or "").strip() for k in _DOCUMENT_LABELS if k in form}
    for key in ("period_start", "period_end"):
        if key in changes:
            changes[key] = int(changes[key]) if changes[key].isdigit() else changes[key]
    if "supersedes" in form:
        changes["supersedes"] = [line.strip() for line in str(form.get("supersedes") or "").splitlines() if line.strip()]
        changes["supersedes_topics"] = [str(v) for v in form.getall("supersedes_topics", [])]
    engine, by, plan_id = request.app[ENGINE], request["user"].name, _plan_id(request)
    return await _act(request, lambda: drafts.edit_document(engine, plan_id, changes, by),
                      "Đã lưu thông tin văn bản.")


@admin_only
async def publish(request: web.Request) -> web.Response:
    engine, by, plan_id = request.app[ENGINE], request["user"].name, _plan_id(request)
    try:
        result = await asyncio.to_thread(drafts.publish, engine, plan_id, by)
    except NotFound:
        raise web.HTTPNotFound(text="Không có bản nháp này.") from None
    except KnowledgeError as exc:
        return await _plan_page(request, error=f"Chưa công bố, cơ sở tri thức không thay đổi: {form_reasons(exc)}",
                                status=400)
    return await _plan_page(request, flash=f"Đã công bố {result['provisions']} điều khoản của văn bản "
                                           f"{result['code']}; trợ lý dùng chúng ngay ở câu hỏi tiếp theo.")


@admin_only
async def discard(request: web.Request) -> web.Response:
    engine, by, plan_id = request.app[ENGINE], request["user"].name, _plan_id(request)
    return await _act(request, lambda: drafts.discard(engine, plan_id, by), "Đã hủy bản nháp.")


# ---- one draft item -------------------------------------------------------------------------------

async def _item_page(request: web.Request, record: Optional[Dict[str, Any]] = None, error: Optional[str] = None,
                     status: int = 200) -> web.Response:
    user: User = request["user"]
    plan = await _record(request)
    item_id = request.match_info["item"]
    items = [i for i in plan["items"] if str(i["id"]) == item_id]
    if not items:
        raise web.HTTPNotFound(text="Không có điều khoản nháp này.")
    item = items[0]
    cat = await asyncio.to_thread(catalogue_choices, request.app[ENGINE])
    editable = user.is_admin and plan["state"] == "review"
    base = f"{PATH}/{plan['id']}/items/{item['id']}"
    viewer = user if editable else _read_only(user)
    extra = Html("")
    if editable:
        csrf = csrf_field(user.csrf_token)
        extra = render("""<div class="actions">
<form method="post" action="{b}/split">{csrf}<label>Tách điều khoản: để một dòng trống giữa các phần
<textarea name="parts" rows="6">{text}</textarea></label><button type="submit" class="secondary">Tách</button></form>
<form method="post" action="{b}/merge">{csrf}<p class="muted">Gộp với điều khoản ngay sau (nội dung, chủ đề, số liệu
và văn bản được nối lại).</p><button type="submit" class="secondary">Gộp với điều khoản sau</button></form>
</div>""", b=base, csrf=csrf, text=item["text"])
    body = render("""<p><a href="{p}/{plan}#item-{id}">← Về kế hoạch</a> · <span class="badge">{decided}</span></p>
<div class="card"><p class="muted">Trong văn bản</p><pre>{source}</pre></div>
{form}{extra}""", p=PATH, plan=plan["id"], id=item["id"], decided=drafts.DECISION_LABELS[item["decision"]],
                  source=item["source"], form=provision_form(record or item, cat, viewer, base, "Lưu và nhận"),
                  extra=extra)
    return _html(request, body, f"Điều khoản nháp số {item['position'] + 1}", status=status, error=error)


def _read_only(user: User) -> User:
    """The user as the provision form's read-only reader (a published plan's items are not edited here)."""
    return replace(user, role="staff")


async def show_item(request: web.Request) -> web.Response:
    return await _item_page(request)


def _item_id(request: web.Request) -> int:
    try:
        return int(request.match_info["item"])
    except ValueError:
        raise web.HTTPNotFound(text="Không có điều khoản nháp này.") from None


async def _item_in_plan(request: web.Request) -> int:
    """The item's id, once it is known to belong to the plan in the address."""
    plan = await _record(request)
    item_id = _item_id(request)
    if item_id not in {i["id"] for i in plan["items"]}:
        raise web.HTTPNotFound(text="Không có điều khoản nháp này.")
    return item_id


@admin_only
async def edit_item(request: web.Request) -> web.Response:
    item_id = await _item_in_plan(request)
    form = await request.post()
    record: Dict[str, Any] = {}
    try:
        record = form_record(form)
        await asyncio.to_thread(drafts.edit_item, request.app[ENGINE], item_id, record, request["user"].name)
    except KnowledgeError as exc:
        return await _item_page(request, record, error=f"Chưa lưu: {form_reasons(exc)}", status=400)
    raise web.HTTPSeeOther(f"{PATH}/{_plan_id(request)}#item-{item_id}")


@admin_only
async def split_item(request: web.Request) -> web.Response:
    item_id = await _item_in_plan(request)
    form = await request.post()
    text = str(form.get("parts") or "").replace("\r\n", "\n")
    parts = [p for p in text.split("\n\n") if p.strip()]
    try:
        await asyncio.to_thread(drafts.split_item, request.app[ENGINE], item_id, parts, request["user"].name)
    except KnowledgeError as exc:
        return await _item_page(request, error=f"Chưa tách: {form_reasons(exc)}", status=400)
    raise web.HTTPSeeOther(f"{PATH}/{_plan_id(request)}#item-{item_id}")


@admin_only
async def merge_item(request: web.Request) -> web.Response:
    item_id = await _item_in_plan(request)
    try:
        await asyncio.to_thread(drafts.merge_with_next, request.app[ENGINE], item_id, request["user"].name)
    except KnowledgeError as exc:
        return await _item_page(request, error=f"Chưa gộp: {form_reasons(exc)}", status=400)
    raise web.HTTPSeeOther(f"{PATH}/{_plan_id(request)}#item-{item_id}")


__all__ = ["PATH"]
