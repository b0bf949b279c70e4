"""The admin web application: its route table, its middlewares (security headers, the login check from
admin/auth.py, and one for knowledge-base errors) and the shared objects the pages reach through typed keys."""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from aiohttp import web
from sqlalchemy.engine import Engine

from admin import dashboard, kb_views, notice_views, plan_views, queue_views, synonym_views
from admin.auth import MAX_BODY, AdminSettings, LoginPages, auth_middleware, security_headers
from admin.keys import ENGINE, INTENTS, SEARCH
from admin.roles import Handler, admin_only
from knowledge.errors import KnowledgeError, NotFound
from knowledge.provision_search import ProvisionSearch

STATIC = Path(__file__).parent / "static"


@web.middleware
async def knowledge_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A knowledge-base error no page turned into its own message: 404 for something missing, else 400, each
    with the error's Vietnamese text; nothing was changed."""
    try:
        return await handler(request)
    except NotFound as exc:
        raise web.HTTPNotFound(text=str(exc) or "Không tìm thấy.") from None
    except KnowledgeError as exc:
        raise web.HTTPBadRequest(text=f"Chưa thực hiện: {exc}") from None


def routes(login: LoginPages) -> List[web.AbstractRouteDef]:
    """Every route of the admin web, in one table (first match wins: the synonym page before /admin/kb/{pid})."""
    return [
        web.get("/admin/login", login.show), web.post("/admin/login", login.submit),
        web.post("/admin/logout", login.logout),
        web.get("/admin", _to_dashboard),
        web.static("/admin/static", STATIC),
        # the dashboard
        web.get("/admin/", dashboard.show), web.get("/admin/api/stats", dashboard.data),
        # the synonym table
        web.get(synonym_views.PATH, synonym_views.show), web.post(synonym_views.PATH, synonym_views.add),
        web.post(f"{synonym_views.PATH}/remove", synonym_views.remove),
        # the knowledge base
        web.get("/admin/kb", kb_views.browse),
        web.get("/admin/kb/new", kb_views.new), web.post("/admin/kb/new", kb_views.create),
        web.get("/admin/kb/import", kb_views.import_form), web.post("/admin/kb/import", kb_views.import_upload),
        web.get("/admin/kb/{pid}", kb_views.show), web.post("/admin/kb/{pid}", kb_views.edit),
        web.post("/admin/kb/{pid}/retire", kb_views.retire),
        web.get("/admin/changes", kb_views.changes),
        # the staff queue
        web.get("/admin/queue", queue_views.show),
        web.post(r"/admin/queue/{qid:\d+}/answer", queue_views.answer),
        web.post(r"/admin/queue/{qid:\d+}/link", queue_views.link),
        web.post(r"/admin/queue/{qid:\d+}/example", queue_views.example),
        web.post(r"/admin/queue/{qid:\d+}/dismiss", queue_views.dismiss),
        # new plans: upload, review, publish
        web.get(plan_views.PATH, plan_views.show_list), web.post(plan_views.PATH, plan_views.upload),
        web.get(plan_views.PATH + "/{plan}", plan_views.show_plan),
        web.post(plan_views.PATH + "/{plan}/decide", plan_views.decide),
        web.post(plan_views.PATH + "/{plan}/document", plan_views.edit_document),
        web.post(plan_views.PATH + "/{plan}/locality", plan_views.add_locality),
        web.post(plan_views.PATH + "/{plan}/publish", plan_views.publish),
        web.post(plan_views.PATH + "/{plan}/discard", plan_views.discard),
        web.get(plan_views.PATH + "/{plan}/items/{item}", plan_views.show_item),
        web.post(plan_views.PATH + "/{plan}/items/{item}", plan_views.edit_item),
        web.post(plan_views.PATH + "/{plan}/items/{item}/split", plan_views.split_item),
        web.post(plan_views.PATH + "/{plan}/items/{item}/merge", plan_views.merge_item),
        # notices to residents
        web.get(notice_views.PATH, notice_views.show),
    ]


def create_app(engine: Engine, settings: AdminSettings = AdminSettings()) -> web.Application:
    app = web.Application(middlewares=[security_headers, auth_middleware(engine), knowledge_errors],
                          client_max_size=MAX_BODY)
    app[ENGINE], app[SEARCH], app[INTENTS] = engine, ProvisionSearch(engine), tuple(settings.intents)
    app.add_routes(routes(LoginPages(engine, settings)))
    return app


async def _to_dashboard(_request: web.Request) -> web.Response:
    raise web.HTTPSeeOther("/admin/")


def routes_needing_login(app: web.Application) -> List[Tuple[str, str]]:
    """(method, path) of every route behind the login, for the security tests."""
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix") or ""
        if route.method in ("HEAD", "*") or not path.startswith("/admin") or path.startswith("/admin/static"):
            continue
        if path in ("/admin/login", "/admin"):
            continue
        found.append((route.method, path))
    return found


__all__ = ["AdminSettings", "admin_only", "create_app", "routes_needing_login"]
