"""The staff queue: unanswered questions and handoffs, answered from the page and delivered on their channel."""
from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, List, Optional, Sequence

from aiohttp import web
from sqlalchemy.engine import Engine

from admin.html import Html, csrf_field, join, options, render
from admin.provision_form import catalogue_choices
from admin.keys import ENGINE, INTENTS
from admin.layout import page
from admin.sessions import User
from admin.vietnam_time import local_time
from knowledge import follow_ups
from knowledge.errors import KnowledgeError, NotFound
from knowledge.intent_topics import INTENT_TOPICS

CHANNELS = (("telegram", "Telegram"), ("zalo", "Zalo"), ("webchat", "Web chat"), ("rest", "REST"))
STATUSES = (("open", "đang chờ"), ("answered", "đã trả lời"), ("linked", "đã gắn điều khoản"),
            ("example", "đã thành ví dụ huấn luyện"), ("dismissed", "đã bỏ qua"))
KIND_LABELS = {"handoff": "Muốn gặp cán bộ", "unanswered": "Chưa trả lời được"}
# What each intent means, for clerks (the model's names stay in the form's values).
INTENT_LABELS = {
    "greet": "chào hỏi", "goodbye": "tạm biệt", "thanks": "cảm ơn", "help": "hỏi cách dùng",
    "ask_human": "muốn gặp cán bộ", "feedback": "góp ý", "out_of_scope": "ngoài phạm vi",
    "choose_locality": "chọn địa phương", "ask_health_insurance": "bảo hiểm y tế", "ask_tuition": "học phí",
    "ask_social_housing": "nhà ở xã hội", "ask_meritorious": "người có công", "ask_poverty": "giảm nghèo",
    "ask_social_assistance": "trợ giúp xã hội", "ask_social_insurance": "bảo hiểm xã hội, thất nghiệp",
    "ask_jobs": "việc làm, học nghề", "ask_clean_water": "nước sạch", "ask_eligibility": "mình được hưởng gì",
    "ask_target": "chỉ tiêu", "ask_agency": "cơ quan phụ trách", "compare_localities": "so sánh địa phương",
    "screener_answer": "trả lời câu hỏi sàng lọc", "more": "xem thêm",
}


def _intents_of_topic(topic: Optional[str]) -> Optional[List[str]]:
    return None if not topic else [i for i, t in INTENT_TOPICS.items() if t == topic]


def _scope(user: User, requested: Optional[str]) -> Optional[str]:
    """Staff see their own commune's questions only; an admin may filter by any locality."""
    if user.is_admin:
        return requested or None
    return user.locality or "-"  # a staff account without a commune sees nothing


def _item_html(item: Dict[str, Any], user: User, localities: Dict[str, str], intents: Sequence[str]) -> Html:
    csrf = csrf_field(user.csrf_token)
    qid = item["id"]
    where = " · ".join(filter(None, [dict(CHANNELS).get(item["channel"], item["channel"]),
                                     localities.get(item["locality"] or "", ""),
                                     f"chuyển tiếp bởi {item['forwarded_by']}" if item["forwarded_by"] else ""]))
    if item["status"] != "open":
        outcome = item["staff_answer"] or item["provision_id"] or item["example_intent"] or ""
        actions = render('<p class="muted">{s} bởi {by}: {what}</p>', s=dict(STATUSES)[item["status"]],
                         by=item["resolved_by"] or "", what=outcome)
    else:
        note = Html("") if item["deliverable"] else render(
            '<p class="muted">Kênh này không có địa chỉ trả lời: câu trả lời chỉ được lưu lại.</p>')
        actions = render("""<div class="actions">
<form method="post" action="/admin/queue/{qid}/answer">{csrf}{note}
<label>Trả lời người hỏi<textarea name="answer" rows="4" maxlength="2000" required></textarea></label>
<button type="submit">Gửi trả lời</button></form>
<form method="post" action="/admin/queue/{qid}/link">{csrf}
<label>Gắn với điều khoản (mã)<input name="provision" placeholder="vd. dn-012" required></label>
<button type="submit" class="secondary">Gắn điều khoản</button></form>
<form method="post" action="/admin/queue/{qid}/example">{csrf}
<label>Thành ví dụ huấn luyện cho ý định<select name="intent">{intents}</select></label>
<button type="submit" class="secondary">Thêm ví dụ</button></form>
<form method="post" action="/admin/queue/{qid}/dismiss">{csrf}
<label class="check"><input type="checkbox" name="confirm" value="1" required> Tôi chắc chắn bỏ qua câu hỏi này</label>
<button type="submit" class="secondary">Bỏ qua</button></form></div>""",
                         qid=qid, csrf=csrf, note=note,
                         intents=options([(i, INTENT_LABELS.get(i, i)) for i in intents], item["intent"]))
    repeats = Html("") if item["repeats"] < 2 else render(' <span class="muted">(yêu cầu {n} lần)</span>',
                                                           n=item["repeats"])
    return render("""<article class="card" id="q{qid}"><p><span class="badge {kind}">{kind_label}</span>{repeats}
<span class="muted">{at} · {where}</span></p>{earlier}<p class="question">{text}</p>{actions}</article>""",
                  qid=qid, kind=item["kind"], kind_label=KIND_LABELS.get(item["kind"], item["kind"]),
                  repeats=repeats, at=local_time(item["at"]), where=where, earlier=_earlier_html(item["earlier"]),
                  text=item["text"], actions=actions)


def _earlier_html(earlier: Sequence[Dict[str, Any]]) -> Html:
    """The asker's previous questions, so the clerk sees what the conversation was about."""
    if not earlier:
        return Html("")
    turns = join(render('<li>{text} <span class="muted">— {how}</span></li>', text=turn["text"],
                        how=("đã trả lời bằng " + ", ".join(turn["provisions"])) if turn["answered"] and turn["provisions"]
                        else "đã trả lời" if turn["answered"] else "chưa trả lời được")
                 for turn in earlier)
    return render('<details class="earlier" open><summary>Trước đó người này đã hỏi</summary><ol>{turns}</ol>'
                  '</details>', turns=turns)




async def show(request: web.Request, flash: Optional[str] = None, error: Optional[str] = None,
               status: int = 200) -> web.Response:
    engine, intents = request.app[ENGINE], request.app[INTENTS]
    user: User = request["user"]
    q = request.query
    where = follow_ups.QueueFilter(locality=_scope(user, q.get("locality")), channel=q.get("channel") or None,
                                   intents=_intents_of_topic(q.get("topic")),
                                   status=q.get("status") if q.get("status") in dict(STATUSES) else "open")
    items = await asyncio.to_thread(follow_ups.queue, engine, where)
    cat = await asyncio.to_thread(catalogue_choices, engine)
    localities = dict(cat["localities"])
    locality_filter = Html("")
    if user.is_admin:
        locality_filter = render('<label>Địa phương<select name="locality"><option value="">Tất cả</option>'
                                 '{o}</select></label>', o=options(cat["localities"], q.get("locality")))
    listing = join(_item_html(i, user, localities, intents) for i in items) or Html(
        "<p>Không có câu hỏi nào trong mục này.</p>")
    body = render("""<form method="get" action="/admin/queue" class="card filters">{loc}
<label>Chủ đề<select name="topic"><option value="">Tất cả</option>{topics}</select></label>
<label>Kênh<select name="channel"><option value="">Tất cả</option>{channels}</select></label>
<label>Trạng thái<select name="status">{statuses}</select></label>
<button type="submit">Lọc</button></form><p class="muted">{n} câu hỏi, mới nhất trước</p>{listing}""",
                  loc=locality_filter, topics=options(cat["topics"], q.get("topic")),
                  channels=options(CHANNELS, q.get("channel")), statuses=options(STATUSES, where.status),
                  n=len(items), listing=listing)
    return web.Response(text=page("Câu hỏi chờ", body, user, flash=flash, error=error), status=status,
                        content_type="text/html")


async def _act(request: web.Request, action: Callable[[Engine, int, Any, str], str]) -> web.Response:
    """Run ``action(engine, qid, form, by)`` on a queue item the user may act on; show the queue after."""
    engine = request.app[ENGINE]
    user: User = request["user"]
    qid = int(request.match_info["qid"])
    try:
        item = await asyncio.to_thread(follow_ups.get, engine, qid)
        # Staff act on their commune's items only; a staff account without a commune on none.
        if not user.is_admin and (user.locality is None or item["locality"] != user.locality):
            raise web.HTTPForbidden(text="Câu hỏi này không thuộc địa phương của bạn.")
        form = await request.post()
        message = await asyncio.to_thread(action, engine, qid, form, user.name)
    except NotFound:
        raise web.HTTPNotFound(text="Không có câu hỏi này trong hàng chờ.")
    except KnowledgeError as exc:
        return await show(request, error=f"Chưa xử lý: {exc}", status=400)
    return await show(request, flash=message)


def _answer(engine: Engine, qid: int, form: Any, by: str) -> str:
    delivered = follow_ups.answer(engine, qid, str(form.get("answer") or ""), by)
    return ("Đã gửi câu trả lời; người hỏi sẽ nhận được trên kênh họ đã dùng." if delivered
            else "Đã lưu câu trả lời (kênh này không gửi được tin nhắn).")


def _link(engine: Engine, qid: int, form: Any, by: str) -> str:
    follow_ups.link_provision(engine, qid, str(form.get("provision") or "").strip(), by)
    return "Đã gắn câu hỏi với điều khoản."


def _dismiss(engine: Engine, qid: int, form: Any, by: str) -> str:
    if form.get("confirm") != "1":
        raise KnowledgeError("hãy đánh dấu ô xác nhận trước khi bỏ qua câu hỏi.")
    follow_ups.dismiss(engine, qid, by)
    return "Đã bỏ qua câu hỏi."


async def answer(request: web.Request) -> web.Response:
    return await _act(request, _answer)


async def link(request: web.Request) -> web.Response:
    return await _act(request, _link)


async def example(request: web.Request) -> web.Response:
    intents = list(request.app[INTENTS])

    def act(engine: Engine, qid: int, form: Any, by: str) -> str:
        follow_ups.make_example(engine, qid, str(form.get("intent") or ""), intents, by)
        return "Đã lưu làm ví dụ huấn luyện (xuất bằng lệnh bot kb examples cho lần huấn luyện sau)."

    return await _act(request, act)


async def dismiss(request: web.Request) -> web.Response:
    return await _act(request, _dismiss)
