"""Entry point for the Telegram bot process started by `bot run` when TELEGRAM_BOT_TOKEN is set.

    python -m connectors.telegram_main [--rasa http://127.0.0.1:5005]

Environment: TELEGRAM_BOT_TOKEN (required), DATABASE_URL, RASA_URL (or --rasa; the base URL or the
REST webhook URL), TELEGRAM_WEBHOOK_URL (public HTTPS URL: webhook mode instead of long polling),
TELEGRAM_WEBHOOK_SECRET (else a random one per start), TELEGRAM_WEBHOOK_LISTEN, TELEGRAM_WEBHOOK_PORT,
TELEGRAM_API_BASE_URL."""
from __future__ import annotations

import argparse
import logging
import os
import re
import secrets
import sys
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlparse

from sqlalchemy.engine import Engine
from telegram.ext import Application

from config.settings import Settings
from connectors.platform_constants import (TELEGRAM_ALLOWED_UPDATES, TELEGRAM_API_BASE_URL,
                                           TELEGRAM_SECRET_TOKEN_LIMIT)
from connectors.telegram_bot import TelegramSettings, build_application
from knowledge import catalogue
from knowledge.db import make_engine, transaction

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,%d}" % TELEGRAM_SECRET_TOKEN_LIMIT)


def settings_from_env(env: Mapping[str, str], rasa_url: Optional[str] = None,
                      localities: Tuple[str, ...] = ()) -> TelegramSettings:
    """The bot's settings from environment variables (the only place they are read)."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set")
    secret = env.get("TELEGRAM_WEBHOOK_SECRET") or None
    if secret and not _SECRET_TOKEN.fullmatch(secret):
        raise SystemExit("TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters among A-Z, a-z, 0-9, _ and -")
    # `bot run` hands connectors the REST webhook URL; the settings read either form.
    rasa = Settings.from_env({**env, "RASA_URL": rasa_url} if rasa_url else env).rasa_url
    return TelegramSettings(
        token=token, rasa_url=rasa,
        base_url=env.get("TELEGRAM_API_BASE_URL") or TELEGRAM_API_BASE_URL,
        webhook_url=env.get("TELEGRAM_WEBHOOK_URL") or None,
        webhook_secret=secret,
        webhook_listen=env.get("TELEGRAM_WEBHOOK_LISTEN") or "0.0.0.0",
        webhook_port=int(env.get("TELEGRAM_WEBHOOK_PORT") or 8443),
        localities=localities,
    )


def webhook_options(settings: TelegramSettings) -> Dict[str, Any]:
    """Arguments for ``run_webhook`` (and ``Updater.start_webhook``): Telegram must send the secret
    token in X-Telegram-Bot-Api-Secret-Token, and requests without it are refused."""
    assert settings.webhook_url, "webhook mode needs TELEGRAM_WEBHOOK_URL"
    return {"listen": settings.webhook_listen, "port": settings.webhook_port,
            "url_path": urlparse(settings.webhook_url).path.strip("/"), "webhook_url": settings.webhook_url,
            "secret_token": settings.webhook_secret or secrets.token_urlsafe(32),
            "allowed_updates": list(TELEGRAM_ALLOWED_UPDATES)}


def locality_names(engine: Engine) -> Tuple[str, ...]:
    """The localities of the knowledge base, in catalogue order, as Rasa's buttons name them."""
    with transaction(engine) as session:
        return tuple(catalogue.locality_names(session))


def run(app: Application, settings: TelegramSettings) -> None:
    """Long polling by default; a webhook when a public URL is configured."""
    if settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=list(TELEGRAM_ALLOWED_UPDATES))


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Telegram connector of the assistant")
    parser.add_argument("--rasa", help="Rasa base URL or REST webhook URL (default: RASA_URL or RASA_PORT)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # httpx logs request URLs, and the token is in them
    env = os.environ
    engine = make_engine(Settings.from_env(env).database_url)
    settings = settings_from_env(env, args.rasa, locality_names(engine))
    mode = "webhook" if settings.webhook_url else "long polling"
    print(f"telegram: {mode}, Rasa at {settings.rasa_url}, {len(settings.localities)} localities", file=sys.stderr,
          flush=True)
    run(build_application(settings, engine), settings)


if __name__ == "__main__":
    main()
