"""Entry point for the admin web process started by `bot run`.

    python -m admin.server [--host 127.0.0.1] [--port 8081]

Environment: DATABASE_URL, ADMIN_HOST, ADMIN_PORT, ADMIN_SECURE_COOKIES=1 behind HTTPS."""
from __future__ import annotations

import argparse
import logging
import os
from typing import Optional, Sequence, Tuple

import yaml
from aiohttp import web

from admin.app import AdminSettings, create_app
from config.settings import PROJECT_ROOT, Settings
from knowledge.db import create_schema, make_engine


def domain_intents() -> Tuple[str, ...]:
    domain = yaml.safe_load((PROJECT_ROOT / "nlu" / "domain.yml").read_text(encoding="utf-8"))
    return tuple(i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents", []))


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Admin web of the assistant")
    parser.add_argument("--host", default=os.environ.get("ADMIN_HOST", "127.0.0.1"))
    base = Settings.from_env()
    parser.add_argument("--port", type=int, default=base.admin_port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(base.database_url)
    create_schema(engine)
    settings = AdminSettings(secure_cookies=os.environ.get("ADMIN_SECURE_COOKIES") == "1", intents=domain_intents())
    web.run_app(create_app(engine, settings), host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
