""""Thông báo": how many residents follow each topic and locality, each broadcast's progress, and the notice
the changes not yet broadcast will send. Counts only: no address is ever shown. Also the preview cards the
provision and plan pages show before a change is saved or published."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Mapping

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.engine import Engine

from admin.html import Html, join, render
from admin.keys import ENGINE
from admin.layout import page
from admin.vietnam_time import local_time
from knowledge import notices
from knowledge.db import transaction
from knowledge.models import ChangeLog, Locality, Topic, Watermark
from knowledge.subscriptions import counts

PATH = "/admin/notices"
TITLE = "Thông báo"
NONE_YET = "Chưa có người dân nào theo dõi chính sách."


def preview_card(text: str) -> Html:
    """The notice a subscriber would get, or why none would be sent."""
    if not text:
        return render('<section class="card"><h2>Thông báo cho người theo dõi</h2>'
                      '<p class="muted">Thay đổi này không gửi thông báo cho người dân.</p></section>')
    return render('<section class="card" id="notice-preview"><h2>Thông báo cho người theo dõi (xem trước)</h2>'
                  '<pre class="notice">{text}</pre></section>', text=text)


def plan_preview(engine: Engine, plan: Mapping[str, Any]) -> str:
    """The notice publishing a draft plan would send: the plan and its accepted provisions."""
    document = plan["document"]
    code = str(document.get("code") or "")
    rows: List[Dict[str, Any]] = [{"action": "import", "entity": "document", "entity_id": code, "before": None,
                                   "after": {**document, "locality": document.get("locality")}}]
    rows += [{"action": "add", "entity": "provision", "entity_id": f"draft-{item['id']}", "before": None,
              "after": {"text": item.get("text") or "", "section": item.get("section") or "",
                        "topics": list(item.get("topics") or []), "document_code": code, "status": "active"}}
             for item in plan["items"] if item["decision"] == "accepted"]
    return notices.preview(engine, rows) if code and len(rows) > 1 else ""


def _pending_preview(engine: Engine) -> str:
    """What the next broadcast will say for the changes made since the last one."""
    with transaction(engine) as session:
        position = session.execute(select(Watermark.position).where(Watermark.name == notices.WATERMARK)).scalar()
        if position is None:
            return ""
        rows = session.execute(select(ChangeLog).where(ChangeLog.id > position).order_by(ChangeLog.id)
                               .limit(500)).scalars().all()
        found = [{"id": r.id, "at": r.at, "action": r.action, "entity": r.entity, "entity_id": r.entity_id,
                  "before": r.before, "after": r.after} for r in rows]
    return notices.preview(engine, found) if found else ""


def _names(engine: Engine) -> Dict[str, Dict[str, str]]:
    with transaction(engine) as session:
        return {"topics": dict(session.execute(select(Topic.key, Topic.name)).all()),
                "localities": dict(session.execute(select(Locality.key, Locality.name)).all())}


def _data(engine: Engine) -> Dict[str, Any]:
    notices.refresh_counts(engine)
    return {"subscriptions": counts(engine), "broadcasts": notices.broadcasts(engine),
            "pending": _pending_preview(engine), "names": _names(engine)}


async def show(request: web.Request) -> web.Response:
    data = await asyncio.to_thread(_data, request.app[ENGINE])
    topics, places = data["names"]["topics"], data["names"]["localities"]
    followed = join(render("<tr><td>{topic}</td><td>{place}</td><td class=\"num\">{n}</td></tr>",
                           topic=topics.get(r["topic"], r["topic"]) if r["topic"] else "Mọi chủ đề",
                           place=places.get(r["locality"], r["locality"]) if r["locality"] else "Mọi địa phương",
                           n=r["subscribers"]) for r in data["subscriptions"])
    sent = join(render("""<tr><td>{at}</td><td>{summary}</td><td class="num">{queued}</td>
<td class="num">{sent}</td><td class="num">{failed}</td><td class="num">{held}</td><td class="num">{skipped}</td>
<td class="num">{cancelled}</td></tr>""",
                       at=local_time(b["created_at"]), summary=b["summary"], queued=b["queued"], sent=b["sent"],
                       failed=b["failed"], held=b["held"], skipped=b["skipped_quota"], cancelled=b["cancelled"])
                for b in data["broadcasts"])
    total = sum(r["subscribers"] for r in data["subscriptions"])
    body = render("""<section class="card"><h2>Người theo dõi theo chủ đề và địa phương</h2>
<p class="muted">{total} lượt theo dõi. Chỉ có số đếm: địa chỉ nhận thông báo không hiển thị cho ai.</p>
{followed}</section>
<section class="card"><h2>Các đợt thông báo</h2>{sent}</section>
{pending}""", total=total,
                  followed=render("<table><tr><th>Chủ đề</th><th>Địa phương</th><th>Lượt theo dõi</th></tr>{rows}"
                                  "</table>", rows=followed) if data["subscriptions"] else render("<p>{t}</p>",
                                                                                                t=NONE_YET),
                  sent=render("""<table><tr><th>Lúc</th><th>Thay đổi</th><th>Xếp hàng</th><th>Đã gửi</th><th>Lỗi</th>
<th>Tạm giữ (hạn mức)</th><th>Bỏ qua (hạn mức)</th><th>Hủy (người dân ngừng theo dõi)</th></tr>{rows}</table>""",
                              rows=sent) if data["broadcasts"] else render("<p>Chưa có đợt thông báo nào.</p>"),
                  pending=render('<section class="card"><h2>Sắp gửi (thay đổi chưa thông báo)</h2>'
                                 '<pre class="notice">{t}</pre></section>', t=data["pending"])
                  if data["pending"] else Html(""))
    return web.Response(text=page(TITLE, body, request["user"]), content_type="text/html")
