"""GET /admin/ (the dashboard page, charts drawn in the browser) and GET /admin/api/stats (its data)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from admin.html import Html
from admin.keys import ENGINE
from admin.layout import page
from admin.stats import dashboard_stats
from knowledge.intent_topics import INTENT_TOPICS

_BODY = Html("""<section class="tiles" id="tiles" aria-live="polite"></section>
<section class="card"><h2>Câu hỏi mỗi ngày (30 ngày)</h2><div class="chart" id="chart-days"></div>
<p class="legend"><span class="key asked"></span>câu hỏi <span class="key answered"></span>đã trả lời được</p></section>
<section class="card"><h2>Theo chủ đề</h2><div class="chart" id="chart-topics"></div></section>
<section class="card"><h2>Theo địa phương</h2><div class="chart" id="chart-localities"></div></section>
<section class="card"><h2>Góp ý gần đây</h2><ul id="feedback"></ul></section>
<noscript><p>Biểu đồ cần JavaScript; số liệu có ở <a href="/admin/api/stats">/admin/api/stats</a>.</p></noscript>""")


async def show(request: web.Request) -> web.Response:
    return web.Response(text=page("Tổng quan", _BODY, request["user"], scripts=("/admin/static/dashboard.js",)),
                        content_type="text/html")


async def data(request: web.Request) -> web.Response:
    user = request["user"]
    # Staff see their own commune's figures.
    locality = None if user.is_admin else (user.locality or "-")
    stats = await asyncio.to_thread(dashboard_stats, request.app[ENGINE], INTENT_TOPICS, 30, locality)
    return web.json_response(stats)
