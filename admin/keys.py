"""The objects the admin pages share, reached through typed application keys."""
from __future__ import annotations

from typing import Tuple

from aiohttp import web
from sqlalchemy.engine import Engine

from knowledge.provision_search import ProvisionSearch

ENGINE = web.AppKey("engine", Engine)
SEARCH = web.AppKey("search", ProvisionSearch)  # the assistant's own search, for the knowledge-base pages
INTENTS = web.AppKey("intents", Tuple[str, ...])  # the domain's intents a question may be filed under as an example
