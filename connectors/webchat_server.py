"""Entry point for the web chat process started by `bot run`.

Environment: DATABASE_URL, WEBCHAT_SECURE_COOKIES=1 behind HTTPS (the conversation cookie is then Secure)."""
from __future__ import annotations

import argparse
import os

from aiohttp import web

from config.settings import Settings
from connectors import notice_runner
from connectors.webchat import create_app
from knowledge.db import make_engine


def main() -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=settings.webchat_port)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--rasa", default=settings.rasa_url, help="Rasa server base URL (default: RASA_URL or RASA_PORT)")
    args = parser.parse_args()
    engine = make_engine(settings.database_url)
    secure = os.environ.get("WEBCHAT_SECURE_COOKIES") == "1"
    app = create_app(args.rasa, engine, secure_cookies=secure)
    # The web chat runs in every deployment, so it also turns knowledge-base changes into subscribers' notices
    # (the Telegram and Zalo connectors do as well; a batch is queued once however many run).
    app.cleanup_ctx.append(notice_runner.in_background(engine))
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
