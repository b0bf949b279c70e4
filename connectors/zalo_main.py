"""Entry point of the Zalo OA webhook process: ``python -m connectors.zalo_main`` (started by ``bot run`` when
ZALO_OA_SECRET_KEY is set). The only place that reads the Zalo settings from the environment."""
from __future__ import annotations

import argparse
import dataclasses
import logging
import os
from pathlib import Path
from typing import Mapping, Optional, Sequence

from aiohttp import web

from config.settings import Settings
from connectors import platform_constants as P
from connectors.rasa_client import RasaClient
from connectors.zalo_api import ZaloApiSettings
from connectors.zalo_quota import ZaloNoticePolicy
from connectors.zalo_webhook import WEBHOOK_PATH, ZaloSettings, create_app

REQUIRED = ("ZALO_OA_SECRET_KEY", "ZALO_APP_ID", "ZALO_APP_SECRET")


def settings_from_env(env: Mapping[str, str], var_dir: Path) -> ZaloSettings:
    """The connector's settings; raise SystemExit naming any missing variable."""
    missing = [name for name in REQUIRED if not env.get(name)]
    if missing:
        raise SystemExit(f"Zalo connector: set {', '.join(missing)}")
    api = ZaloApiSettings(
        app_id=env["ZALO_APP_ID"], app_secret=env["ZALO_APP_SECRET"],
        token_file=Path(env.get("ZALO_TOKEN_FILE") or var_dir / "zalo_tokens.json"),
        access_token=env.get("ZALO_OA_ACCESS_TOKEN", ""), refresh_token=env.get("ZALO_OA_REFRESH_TOKEN", ""),
        api_base=env.get("ZALO_API_BASE") or P.ZALO_API_BASE,
        oauth_base=env.get("ZALO_OAUTH_BASE") or P.ZALO_OAUTH_BASE)
    # Rasa's root is probed while Rasa is down, so answering resumes as soon as it is back.
    return ZaloSettings(oa_secret_key=env["ZALO_OA_SECRET_KEY"], api=api, rasa_health_url=rasa_base_url(env) + "/")


def notice_policy(base: Settings) -> ZaloNoticePolicy:
    """What subscribers' notices may cost, from the ZALO_NOTICE_* / ZALO_FREE_* settings."""
    return ZaloNoticePolicy(monthly_quota=base.zalo_notice_monthly_quota,
                            free_window_hours=base.zalo_free_window_hours, free_replies=base.zalo_free_replies,
                            over_quota=base.zalo_over_quota)


def rasa_base_url(env: Mapping[str, str]) -> str:
    """RASA_URL is the Rasa server's base URL; a full REST webhook URL is accepted too."""
    return Settings.from_env(env).rasa_url


def main(argv: Optional[Sequence[str]] = None) -> None:
    from knowledge.db import create_schema, make_engine

    parser = argparse.ArgumentParser(description=f"Zalo OA webhook (POST {WEBHOOK_PATH})")
    parser.add_argument("--host", default=os.environ.get("ZALO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=Settings.from_env().zalo_port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    base = Settings.from_env()
    settings = dataclasses.replace(settings_from_env(os.environ, base.var_dir), notices=notice_policy(base))
    if not settings.api.token_file.exists() and not settings.api.refresh_token:
        logging.warning("Zalo connector: no token file at %s and no ZALO_OA_REFRESH_TOKEN; replies will fail "
                        "until the OA's tokens are provided", settings.api.token_file)
    engine = make_engine(base.database_url)
    create_schema(engine)  # creates only missing tables, e.g. the inbox on an older database
    rasa_url = rasa_base_url(os.environ)
    app = create_app(settings, engine, lambda session: RasaClient(rasa_url, session))
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
